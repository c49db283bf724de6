//! `GET /metrics`: the Prometheus text exposition ([`crate::metrics`]), with the figures read at
//! the scrape (outbox backlog, database pool, calendar reach).

use actix_web::{web, HttpResponse};

use crate::api::AppState;
use crate::auth::Principal;
use crate::error::AppError;

/// The scrape on the main port: admins and metrics tokens.
#[utoipa::path(get, path = "/metrics", security(("bearer" = [])),
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, body = crate::error::ErrorEnvelope), (status = 403, body = crate::error::ErrorEnvelope),
        (status = 404, body = crate::error::ErrorEnvelope, description = "metrics are disabled")))]
pub async fn metrics(state: web::Data<AppState>, who: Principal) -> Result<HttpResponse, AppError> {
    if !state.settings.metrics.enabled {
        return Err(AppError::NotFound(
            "metrics are disabled ([metrics] enabled = false)".into(),
        ));
    }
    who.require(
        who.may_read_metrics(),
        "/metrics is for admin and metrics tokens",
    )?;
    exposition(&state).await
}

/// The scrape on the private metrics address: no token (the address is the protection).
pub async fn open_metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    exposition(&state).await
}

async fn exposition(state: &AppState) -> Result<HttpResponse, AppError> {
    // Every level and result is a series from the start (at 0), so a rate over it is defined
    // before the first alert or delivery.
    let m = crate::metrics::get();
    for level in crate::escalation::Level::ALL {
        m.alerts.with_label_values(&[level.as_str()]);
    }
    for result in ["sent", "failed", "lost"] {
        m.deliveries.with_label_values(&[result]);
    }
    let now = state.clock.now().timestamp();
    let backlog = state.db.run(crate::escalation::outbox::backlog).await?;
    let (pool_open, pool_idle) = state.db.pool_state();
    let text = crate::metrics::render(crate::metrics::Snapshot {
        outbox_pending: backlog.pending,
        outbox_failed: backlog.failed,
        outbox_undeliverable: backlog.undeliverable,
        outbox_oldest_age_secs: backlog.oldest_pending_at.map_or(0, |t| now - t),
        pool_open,
        pool_idle,
        calendar_days_left: state.calendar_coverage().official_days_left(),
    });
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
