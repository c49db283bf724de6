//! The cap on the whole handling time of a message (办理时限累计上限): its limit plus every
//! extension, counted in working days from receipt, per channel and category in
//! `config/sla.toml`, with the rule that sets it.

use super::WorkingDays;

/// The most working days a message may take from receipt, extensions included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalCap {
    /// The cap, in working days from receipt.
    pub working_days: WorkingDays,
    /// The rule it follows (`max_total_source`), shown on the admin page.
    pub source: String,
}

/// An extension that would take the handling time past the cap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the handling time from receipt is capped at {cap} working days ({rule}); \
     this message has {granted} already, so at most {room} more"
)]
pub struct CapExceeded {
    /// The cap, in working days from receipt.
    pub cap: u32,
    /// Working days granted so far (the limit plus the extensions).
    pub granted: u32,
    /// Working days that could still be added.
    pub room: u32,
    /// The rule the cap follows.
    pub rule: String,
}

impl TotalCap {
    /// Whether `more` working days fit on top of `granted` (the message's limit plus the
    /// extensions it has had).
    pub fn check(&self, granted: u32, more: WorkingDays) -> Result<(), CapExceeded> {
        let cap = self.working_days.get();
        if granted + more.get() <= cap {
            return Ok(());
        }
        Err(CapExceeded {
            cap,
            granted,
            room: cap.saturating_sub(granted),
            rule: self.source.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(n: u32) -> TotalCap {
        TotalCap {
            working_days: WorkingDays::new(n).unwrap(),
            source: "黄山市长信箱办理规则".into(),
        }
    }

    fn days(n: u32) -> WorkingDays {
        WorkingDays::new(n).unwrap()
    }

    #[test]
    fn an_extension_up_to_the_total_is_allowed_and_one_past_it_names_the_cap() {
        assert!(cap(15).check(5, days(10)).is_ok());
        let err = cap(15).check(5, days(11)).unwrap_err();
        assert_eq!((err.cap, err.granted, err.room), (15, 5, 10));
        assert!(
            err.to_string().contains("capped at 15 working days"),
            "{err}"
        );
        assert!(err.to_string().contains("黄山市长信箱办理规则"), "{err}");
        // A limit as long as the cap leaves no room for any extension.
        assert_eq!(cap(15).check(15, days(1)).unwrap_err().room, 0);
    }
}
