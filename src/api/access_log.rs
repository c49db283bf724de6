//! The access log and the request id: one line per request with the route template (never the
//! path's query string nor the body, which can hold a citizen's name typed as search text), the
//! status and the duration; every log line of the request carries `request.id`, which is also
//! answered in `X-Request-Id` and in the error envelope.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use rand::RngCore;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Probes are answered often and tell nothing: not logged.
const QUIET: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// A caller's id is kept when it is short and plain (it goes into the log as it is).
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn new_id() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware (`middleware::from_fn(access_log::log)`).
pub async fn log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(new_id, str::to_string);
    let quiet = QUIET.contains(&req.path());
    let method = req.method().to_string();
    let started = Instant::now();
    let span = tracing::info_span!("http.request", request.id = %id);
    let answer =
        crate::telemetry::with_request_id(id.clone(), next.call(req).instrument(span.clone()))
            .await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut res = answer?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    if !quiet {
        // The template (`/api/v1/messages/{id}`), or "-" when no route matched: an unknown
        // path is not written out either.
        let route = res.request().match_pattern().unwrap_or_else(|| "-".into());
        let m = crate::metrics::get();
        m.http_requests
            .with_label_values(&[route.as_str(), res.status().as_str()])
            .inc();
        m.http_seconds
            .with_label_values(&[route.as_str()])
            .observe(duration_ms / 1000.0);
        span.in_scope(|| {
            tracing::info!(
                http.method = %method,
                http.route = %route,
                http.status = res.status().as_u16(),
                duration_ms = format!("{duration_ms:.1}"),
                "request"
            )
        });
    }
    Ok(res)
}
