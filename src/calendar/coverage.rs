//! How far the official calendar reaches from today, and the warning an office needs before a
//! provisional (暂定) year starts: one definition for `/healthz`, the admin calendar page, the
//! start-up log and `huiyin calendar check --strict`.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::Calendar;

/// The calendar's coverage as seen on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Last date covered by an official notice.
    pub official_through: NaiveDate,
    /// Last date covered at all (official or provisional).
    pub covered_through: NaiveDate,
    pub current_year_provisional: bool,
    pub next_year_provisional: bool,
    /// The setting `calendar.warn_days`.
    pub warn_days: u32,
    /// Whether some day within `warn_days` of today is not official.
    pub warning: bool,
    #[serde(skip)]
    today: NaiveDate,
}

impl Coverage {
    pub fn of(calendar: &Calendar, today: NaiveDate, warn_days: u32) -> Coverage {
        let official_through = calendar.official_last_date();
        let horizon = today
            .checked_add_days(Days::new(u64::from(warn_days)))
            .unwrap_or(NaiveDate::MAX);
        Coverage {
            official_through,
            covered_through: calendar.last_date(),
            current_year_provisional: today.year() > official_through.year(),
            next_year_provisional: today.year() + 1 > official_through.year(),
            warn_days,
            warning: horizon > official_through,
            today,
        }
    }

    /// Days from today to the last official date (negative once it has passed).
    pub fn official_days_left(&self) -> i64 {
        (self.official_through - self.today).num_days()
    }

    /// The warning in English, for logs and the command line; `None` when all is official.
    pub fn warning(&self) -> Option<String> {
        if !self.warning {
            return None;
        }
        let first = self.official_through.year() + 1;
        Some(if self.current_year_provisional {
            format!(
                "the official working-day calendar ended on {}; deadlines after it are provisional \
                 (weekends and statutory holidays only) until the State Council notice for {first} is \
                 installed in the calendar directory",
                self.official_through
            )
        } else {
            format!(
                "the official working-day calendar ends on {} ({} days from today); deadlines after it \
                 are provisional until the State Council notice for {first} is installed in the calendar \
                 directory",
                self.official_through,
                self.official_days_left()
            )
        })
    }

    /// The same warning in Chinese, for the admin pages.
    pub fn warning_zh(&self) -> Option<String> {
        if !self.warning {
            return None;
        }
        let first = self.official_through.year() + 1;
        Some(if self.current_year_provisional {
            format!(
                "正式工作日历已于{}结束。此后的办理期限为暂定（只按周末和法定节假日计算），\
                 请尽快安装国务院办公厅{first}年部分节假日安排的通知，安装后系统自动重新计算。",
                self.official_through
            )
        } else {
            format!(
                "正式工作日历将于{}结束（还有{}天）。此后的办理期限为暂定（只按周末和法定节假日计算），\
                 国务院办公厅{first}年部分节假日安排的通知发布后请及时安装，安装后系统自动重新计算。",
                self.official_through,
                self.official_days_left()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        let text = "year = 2026\nnotice = \"国务院办公厅关于2026年部分节假日安排的通知\"\n\
                    [[holiday]]\nname = \"元旦\"\nstart = 2026-01-01\nend = 2026-01-03\n";
        Calendar::from_toml_str("2026.toml", text).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn warns_within_the_window_and_not_before() {
        let c = Coverage::of(&cal(), d(2026, 10, 1), 60);
        assert!(!c.warning);
        assert_eq!(c.warning(), None);
        let c = Coverage::of(&cal(), d(2026, 12, 2), 60);
        assert!(c.warning && !c.current_year_provisional && c.next_year_provisional);
        assert_eq!(c.official_days_left(), 29);
        assert!(c
            .warning()
            .unwrap()
            .contains("2026-12-31 (29 days from today)"));
        assert!(c.warning_zh().unwrap().contains("还有29天"));
        assert_eq!(c.covered_through, d(2027, 12, 31));
    }

    #[test]
    fn says_so_once_the_provisional_year_has_started() {
        let c = Coverage::of(&cal(), d(2027, 1, 4), 60);
        assert!(c.current_year_provisional);
        assert!(c.warning().unwrap().contains("ended on 2026-12-31"));
        assert!(c.warning_zh().unwrap().contains("已于2026-12-31结束"));
    }
}
