//! The JSON API under `/api/v1`: routes, extractor error handling, and the response shapes (never diesel rows).

pub mod alerts;
pub mod calendar;
pub mod handling;
pub mod messages;
pub mod openapi;
pub mod reports;

use actix_web::{error::JsonPayloadError, web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::startup::AppState;

/// Registers the API routes and extractor configuration.
pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(json_config(max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request(None, format!("invalid query string: {e}")).into()
        }))
        .app_data(
            web::PathConfig::default().error_handler(|e, _| {
                AppError::bad_request(None, format!("invalid path: {e}")).into()
            }),
        )
        .route("/healthz", web::get().to(health))
        .route("/openapi.json", web::get().to(openapi::document))
        .route("/reports/{period}", web::get().to(reports::page))
        .service(
            web::scope("/api/v1")
                .configure(messages::routes)
                .configure(handling::routes)
                .configure(calendar::routes)
                .configure(alerts::routes)
                .configure(reports::routes),
        );
}

/// Malformed, mistyped or oversized JSON answers in the error envelope, naming the problem.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |e, _req: &HttpRequest| {
            let err = match &e {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => AppError::TooLarge(limit),
                JsonPayloadError::ContentType => AppError::bad_request(
                    None,
                    "expected a JSON body with Content-Type: application/json",
                ),
                JsonPayloadError::Deserialize(de) => {
                    AppError::bad_request(None, format!("invalid JSON body: {de}"))
                }
                other => AppError::bad_request(None, format!("invalid JSON body: {other}")),
            };
            err.into()
        })
}

/// Health of the service: database reachable (and, once the escalation worker runs, its backlog).
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "healthy"), (status = 503, description = "database unreachable")))]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let coverage = state.calendar_coverage();
    let report = state
        .db
        .run(move |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            crate::health::report(conn, coverage)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
