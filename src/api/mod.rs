//! The JSON API under `/api/v1`: routes, extractor error handling, and the response shapes (never diesel rows).

pub mod access_log;
pub mod alerts;
pub mod calendar;
pub mod handling;
pub mod inspection;
pub mod messages;
pub mod metrics;
pub mod openapi;
mod principal;
pub mod reports;
pub mod state;

pub use state::AppState;

use actix_web::{
    error::JsonPayloadError, web, FromRequest, HttpMessage, HttpRequest, HttpResponse,
};

use crate::error::AppError;

/// Registers the API routes and extractor configuration.
pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(json_config(max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request(None, format!("invalid query string: {e}")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|e, req| {
            // `/messages/import` read as `/messages/{id}`: a documented path, another method.
            match openapi::declared_methods(req.path()) {
                Some(m) if !m.contains(&req.method().as_str()) => {
                    AppError::MethodNotAllowed(m.join(", ")).into()
                }
                _ => AppError::bad_request(None, format!("invalid path: {e}")).into(),
            }
        }))
        .route("/healthz", web::get().to(health))
        .route("/readyz", web::get().to(ready))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/openapi.json", web::get().to(openapi::document))
        .service(
            web::scope("/api/v1")
                .configure(messages::routes)
                .configure(handling::routes)
                .configure(calendar::routes)
                .configure(alerts::routes)
                .configure(reports::routes)
                .configure(inspection::routes),
        );
}

/// A JSON integer as JSON Schema counts one: `3` and `3.0` alike (a client's JSON library may
/// write whole numbers with a fraction); `3.5` or a string is refused as unreadable.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::Deserialize;
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "invalid type: {n}, expected a whole number"
        ))),
    }
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

/// An optional JSON body: no body at all is `None`; anything else must be the JSON of `T`
/// (with a JSON content type), or the request is refused as [`json_config`] refuses it. So an
/// unreadable body such as `[1,2,3]` is a 400, never taken for "no body".
pub struct OptionalJson<T>(pub Option<T>);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(1 << 20, |s| s.settings.server.max_body_bytes);
        let content_type = req.content_type().to_ascii_lowercase();
        let is_json = content_type == "application/json" || content_type.ends_with("+json");
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|e| AppError::bad_request(None, format!("invalid body: {e}")))?;
            if body.is_empty() {
                return Ok(OptionalJson(None));
            }
            if body.len() > limit {
                return Err(AppError::TooLarge(limit));
            }
            if !is_json {
                return Err(AppError::bad_request(
                    None,
                    "expected a JSON body with Content-Type: application/json",
                ));
            }
            serde_json::from_slice(&body)
                .map(|v| OptionalJson(Some(v)))
                .map_err(|e| AppError::bad_request(None, format!("invalid JSON body: {e}")))
        })
    }
}

/// Liveness: 200 while the process serves, with the database, the outbox backlog (including
/// the alerts nobody can receive) and the calendar's coverage; a database that does not answer
/// shows as `degraded`. Whether to send traffic is `/readyz`'s answer.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "the process serves")))]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let coverage = state.calendar_coverage();
    let figures = coverage.clone();
    let report = state
        .db
        .run(move |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            crate::health::report(conn, figures)
        })
        .await;
    match report {
        Ok(r) => HttpResponse::Ok().json(r),
        Err(e) => {
            tracing::warn!(error = %e, "healthz: database not answering");
            HttpResponse::Ok().json(crate::health::degraded(coverage))
        }
    }
}

/// Readiness: whether this instance should get traffic (database reachable, migrations applied,
/// outbox moving). 503 names the failing checks; the calendar's reach is shown, not required.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "ready"), (status = 503, description = "not ready: the failing checks")))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let coverage = state.calendar_coverage();
    let now = state.clock.now().timestamp();
    let answer = state
        .db
        .run(move |conn| crate::health::readiness(conn, &coverage, now))
        .await;
    match answer {
        Ok(r) if r.ready => HttpResponse::Ok().json(r),
        Ok(r) => HttpResponse::ServiceUnavailable().json(r),
        Err(e) => HttpResponse::ServiceUnavailable().json(crate::health::Readiness {
            ready: false,
            checks: vec![crate::health::Check {
                name: "database",
                ok: false,
                required: true,
                detail: e.to_string(),
            }],
        }),
    }
}
