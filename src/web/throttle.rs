//! Login throttling: failed logins counted per email address and per client address, each further attempt refused until a delay that doubles with every failure has passed.
//!
//! The counters live in memory: enough for one instance (they reset at restart, and
//! several instances each count on their own, which multiplies the attempts an attacker
//! gets by the number of instances but still bounds them).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per email address before attempts are slowed down.
pub const FREE_FAILURES_PER_EMAIL: u32 = 3;
/// Failures allowed per client address (an office behind one NAT address shares it).
pub const FREE_FAILURES_PER_ADDRESS: u32 = 20;
/// The longest delay between attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Counters without a failure for this long are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The delay before the next attempt after `count` failures with `free` free ones:
/// none up to `free`, then 1 s, 2 s, 4 s … up to [`MAX_DELAY`].
pub fn delay_after(count: u32, free: u32) -> Duration {
    if count < free {
        return Duration::ZERO;
    }
    let exp = (count - free).min(20);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

/// In-memory failure counters keyed by `email:` and `addr:` strings.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
}

fn keys(email: &str, addr: &str) -> [(String, u32); 2] {
    [
        (
            format!("email:{}", email.trim().to_lowercase()),
            FREE_FAILURES_PER_EMAIL,
        ),
        (format!("addr:{addr}"), FREE_FAILURES_PER_ADDRESS),
    ]
}

impl Throttle {
    /// How long the caller must still wait before trying this email from this address (zero: go ahead).
    pub fn wait(&self, email: &str, addr: &str, now: Instant) -> Duration {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        keys(email, addr)
            .iter()
            .filter_map(|(key, free)| {
                let f = map.get(key)?;
                let until = f.last + delay_after(f.count, *free);
                Some(until.saturating_duration_since(now))
            })
            .max()
            .unwrap_or(Duration::ZERO)
    }

    /// Counts a failed attempt.
    pub fn failed(&self, email: &str, addr: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, f| now.saturating_duration_since(f.last) < FORGET_AFTER);
        }
        for (key, _) in keys(email, addr) {
            let f = map.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.saturating_duration_since(f.last) >= FORGET_AFTER {
                f.count = 0;
            }
            f.count = f.count.saturating_add(1);
            f.last = now;
        }
    }

    /// A successful login clears the email's counter (the address keeps its own).
    pub fn succeeded(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("email:{}", email.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_after_the_free_failures_and_is_capped() {
        assert_eq!(delay_after(2, 3), Duration::ZERO);
        assert_eq!(delay_after(3, 3), Duration::from_secs(1));
        assert_eq!(delay_after(6, 3), Duration::from_secs(8));
        assert_eq!(delay_after(400, 3), MAX_DELAY);
    }

    #[test]
    fn an_email_is_slowed_down_after_repeated_failures_and_freed_by_success() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES_PER_EMAIL {
            assert_eq!(t.wait("A@x.cn", "1.2.3.4", now), Duration::ZERO);
            t.failed("a@x.cn", "1.2.3.4", now);
        }
        assert!(t.wait("a@x.cn", "5.6.7.8", now) > Duration::ZERO);
        assert_eq!(
            t.wait("a@x.cn", "5.6.7.8", now + Duration::from_secs(2)),
            Duration::ZERO
        );
        assert_eq!(t.wait("b@x.cn", "1.2.3.4", now), Duration::ZERO);
        t.succeeded("a@x.cn");
        assert_eq!(t.wait("a@x.cn", "5.6.7.8", now), Duration::ZERO);
    }

    #[test]
    fn an_address_is_slowed_down_across_emails() {
        let t = Throttle::default();
        let now = Instant::now();
        for i in 0..FREE_FAILURES_PER_ADDRESS {
            t.failed(&format!("u{i}@x.cn"), "9.9.9.9", now);
        }
        assert!(t.wait("new@x.cn", "9.9.9.9", now) > Duration::ZERO);
        assert_eq!(t.wait("new@x.cn", "8.8.8.8", now), Duration::ZERO);
    }
}
