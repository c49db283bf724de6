//! Logging set-up. Policy: structured fields with dotted names and units in the name (`duration_ms`);
//! log an error once, where it is answered; never log personal data (citizen names, phones, emails,
//! ID numbers, message bodies, search text). Every line of a request carries its `request.id`.

use serde::Deserialize;
use tracing_subscriber::EnvFilter;

/// `[log] format`: lines for people, or one JSON object per line for a log collector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Installs the subscriber; `RUST_LOG` overrides the default level.
pub fn init(default_level: &str, format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

tokio::task_local! {
    /// The id of the request being answered (`X-Request-Id`), for the error envelope.
    static REQUEST_ID: String;
}

/// Runs `f` as part of the request `id`: [`request_id`] answers it inside.
pub async fn with_request_id<F: std::future::Future>(id: String, f: F) -> F::Output {
    REQUEST_ID.scope(id, f).await
}

/// The id of the request being answered, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
