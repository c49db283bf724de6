//! The time source: the system clock in production, a settable clock in tests (the escalation ladder is driven through it, never by sleeping).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Whole seconds: stored times are Unix seconds.
        DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default()
    }
}

/// A clock that stands still until moved; for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(AtomicI64::new(at.timestamp()))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.0.store(at.timestamp(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap_or_default()
    }
}

/// Serializes stored Unix seconds as RFC 3339 in UTC (`2026-12-03T02:00:00Z`), for answers that
/// have no office time zone at hand.
pub fn rfc3339_opt<S: serde::Serializer>(secs: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match secs.and_then(|t| DateTime::from_timestamp(t, 0)) {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}
