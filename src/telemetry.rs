//! Logging set-up. Policy: structured fields with dotted names and units in the name (`duration_ms`);
//! log an error once, where it is answered; never log personal data (citizen names, phones, emails, ID numbers, message bodies).

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; `RUST_LOG` overrides the default level.
pub fn init(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
