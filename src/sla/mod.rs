//! Reply-time rules: the SLA policy (working days per channel and category) and the
//! deadline timeline built on the working-day calendar.

pub mod cap;
pub mod policy;
pub mod timeline;

pub use cap::{CapExceeded, TotalCap};
pub use policy::{Category, Channel, PolicyError, SlaPolicy, WorkingDays};
pub use timeline::{Timeline, PROVISIONAL_MARK};

/// How late a message is, in the words of every output (pages, reports, emails). A reply on
/// Saturday after a Friday deadline is late by less than a working day: "0 working days late"
/// would read as on time, so it gets its own wording.
pub fn lateness_zh(working_days_late: i64, answered: bool) -> String {
    match (answered, working_days_late) {
        (true, n) if n < 1 => "超期不足1个工作日".into(),
        (true, n) => format!("超期{n}个工作日"),
        (false, n) if n < 1 => "已逾期不足1个工作日".into(),
        (false, n) => format!("已逾期{n}个工作日"),
    }
}

#[cfg(test)]
mod tests {
    use super::lateness_zh;

    #[test]
    fn lateness_under_one_working_day_is_not_printed_as_zero() {
        assert_eq!(lateness_zh(0, true), "超期不足1个工作日");
        assert_eq!(lateness_zh(3, true), "超期3个工作日");
        assert_eq!(lateness_zh(0, false), "已逾期不足1个工作日");
        assert_eq!(lateness_zh(2, false), "已逾期2个工作日");
    }
}
