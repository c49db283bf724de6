//! Working-day calendar of mainland China: holidays and make-up working days loaded from
//! `config/calendar/*.toml`, precomputed into arrays so every query is an O(1) lookup.
//!
//! A date is a working day when it is a Monday–Friday that is not a public holiday, or a
//! Saturday/Sunday that the State Council turned into a make-up working day (调休上班).
//! The years after the last official file are provisional (暂定, see [`provisional`]): the
//! service never stops at the edge of the published calendar, and every figure that touches
//! such a day says so ([`Calendar::is_provisional`]). Dates beyond every official and provisional
//! year are never guessed: the query returns [`CalendarError::OutOfRange`].

pub mod coverage;
mod data;
pub mod provisional;

use std::fmt;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};

pub use coverage::Coverage;
pub use data::{CalendarDataError, DataProblem};

/// What kind of day a date is on the working-day calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A Monday–Friday that is not a holiday.
    Workday,
    /// A Saturday or Sunday that is not a make-up working day.
    Weekend,
    /// A day off announced by the State Council (may fall on a weekend).
    Holiday,
    /// A Saturday or Sunday worked in exchange for a holiday (调休上班).
    MakeupWorkday,
}

impl DayKind {
    /// Stable machine name: `workday`, `weekend`, `holiday` or `makeup_workday`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    /// Whether offices are open on this kind of day.
    pub const fn is_workday(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }

    /// Chinese label for pages: 工作日, 周末, 法定节假日 or 调休上班.
    pub const fn label_zh(self) -> &'static str {
        match self {
            DayKind::Workday => "工作日",
            DayKind::Weekend => "周末",
            DayKind::Holiday => "法定节假日",
            DayKind::MakeupWorkday => "调休上班",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A query the calendar cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date (or, for a count that runs past either end, the first date beyond the
    /// covered range that the computation needed) is not covered by the loaded years.
    #[error("date {date} is outside the working-day calendar, which covers {first} to {last}")]
    OutOfRange {
        /// The uncovered date.
        date: NaiveDate,
        /// First covered date (1 January of the first loaded year).
        first: NaiveDate,
        /// Last covered date (31 December of the last loaded year).
        last: NaiveDate,
    },
}

/// How many years past the last official one the provisional calendar may reach.
pub const MAX_PROVISIONAL_YEARS: i32 = 5;

/// The working-day calendar: per-day kinds and working-day counts for every covered date.
///
/// Immutable after loading, `Send + Sync`; share it with `Arc<Calendar>`.
#[derive(Clone)]
pub struct Calendar {
    first: NaiveDate,
    /// The last date an official notice covers; later days are provisional.
    official_last: NaiveDate,
    first_day: i32,
    kinds: Box<[DayKind]>,
    /// Index + 1 into `names` for holidays and make-up days; 0 when the day has no name.
    name_ids: Box<[u16]>,
    names: Vec<String>,
    /// `worked_before[i]` = number of working days among day indices `0..i`
    /// (one entry more than there are days).
    worked_before: Box<[u32]>,
    /// Day index of each working day, in date order (ordinal → date).
    workdays: Box<[u32]>,
    notices: Vec<(i32, String)>,
}

impl Calendar {
    /// Loads and validates every `*.toml` file in `dir` (same checks as `calendar check`),
    /// followed by one provisional year.
    ///
    /// All problems found in all files are returned together.
    pub fn load_dir(dir: &Path) -> Result<Calendar, CalendarDataError> {
        data::load_dir(dir, data::Span::default())
    }

    /// Like [`load_dir`](Self::load_dir), with provisional years through `year` (at least the
    /// one after the last official file, at most [`MAX_PROVISIONAL_YEARS`] after it). The service
    /// passes the year after today's, so it keeps working however late a notice is installed.
    pub fn load_dir_through(dir: &Path, year: i32) -> Result<Calendar, CalendarDataError> {
        data::load_dir(
            dir,
            data::Span {
                provisional_through: Some(year),
                ..Default::default()
            },
        )
    }

    /// The calendar as it was while `official_until` was the last official year: later
    /// official files are ignored, and provisional years run through `year`. Used to recompute
    /// figures made before a notice was installed.
    pub fn load_dir_as_of(
        dir: &Path,
        official_until: i32,
        year: i32,
    ) -> Result<Calendar, CalendarDataError> {
        data::load_dir(
            dir,
            data::Span {
                official_until: Some(official_until),
                provisional_through: Some(year),
            },
        )
    }

    /// Loads a calendar from the text of a single file; `name` is used in error messages.
    pub fn from_toml_str(name: &str, text: &str) -> Result<Calendar, CalendarDataError> {
        data::from_sources(&[(name.to_owned(), text.to_owned())], Default::default())
    }

    /// Loads a calendar from several `(file name, text)` sources, validated together.
    pub fn from_toml_sources(sources: &[(String, String)]) -> Result<Calendar, CalendarDataError> {
        data::from_sources(sources, Default::default())
    }

    /// Like [`from_toml_sources`](Self::from_toml_sources), with provisional years through `year`.
    pub fn from_toml_sources_through(
        sources: &[(String, String)],
        year: i32,
    ) -> Result<Calendar, CalendarDataError> {
        data::from_sources(
            sources,
            data::Span {
                provisional_through: Some(year),
                ..Default::default()
            },
        )
    }

    /// The last date an official notice covers (31 December of the last file's year).
    pub fn official_last_date(&self) -> NaiveDate {
        self.official_last
    }

    /// Whether `d` lies in a provisional year (after the last official file): its kind follows
    /// the statutory rule, not a notice, and may change when the notice is installed.
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        d > self.official_last
    }

    /// The provisional years, in order (empty only for a calendar built without any).
    pub fn provisional_years(&self) -> std::ops::RangeInclusive<i32> {
        self.official_last.year() + 1..=self.last_date().year()
    }

    /// First covered date (1 January of the first year with data).
    pub fn first_date(&self) -> NaiveDate {
        self.first
    }

    /// Last covered date (31 December of the last year with data).
    pub fn last_date(&self) -> NaiveDate {
        self.date_at(self.kinds.len() - 1)
    }

    /// Number of covered dates.
    pub fn len_days(&self) -> usize {
        self.kinds.len()
    }

    /// The kind of day `d` is.
    pub fn day_kind(&self, d: NaiveDate) -> Result<DayKind, CalendarError> {
        Ok(self.kinds[self.day_index(d)?])
    }

    /// Whether `d` is a working day (a make-up Saturday or Sunday is one).
    pub fn is_workday(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_kind(d)?.is_workday())
    }

    /// The n-th working day strictly after `d` (n = 0 returns `d` itself, working day or not).
    ///
    /// Errors if `d` or the result is outside the calendar.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.day_index(d)?;
        Ok(self.date_at(self.add_working_days_index(i, n)?))
    }

    /// The n-th working day strictly before `d` (n = 0 returns `d` itself).
    ///
    /// Errors if `d` or the result is outside the calendar.
    pub fn sub_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.day_index(d)?;
        Ok(self.date_at(self.sub_working_days_index(i, n)?))
    }

    /// Number of working days in the half-open interval (from, to]; negative if `to < from`
    /// (then it is minus the number of working days in (to, from]).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let a = self.day_index(from)?;
        let b = self.day_index(to)?;
        Ok(self.working_days_between_index(a, b))
    }

    /// The first working day on or after `d`.
    pub fn next_workday_on_or_after(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let i = self.day_index(d)?;
        match self.workdays.get(self.worked_before[i] as usize) {
            Some(&j) => Ok(self.date_at(j as usize)),
            None => Err(self.past_end()),
        }
    }

    /// Name of the holiday (e.g. "春节", "国庆节") or make-up day (e.g. "春节调休") on `d`;
    /// `None` for ordinary days and dates outside the calendar.
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        let i = self.day_index(d).ok()?;
        let id = self.name_ids[i] as usize;
        if id == 0 {
            None
        } else {
            self.names.get(id - 1).map(String::as_str)
        }
    }

    /// `(year, notice title with document number)` for every loaded year, in year order;
    /// a year amended by a later notice has one entry per notice.
    pub fn notices(&self) -> Vec<(i32, String)> {
        self.notices.clone()
    }

    // ----- index-level operations, shared with the Timeline's hot path -----

    /// Index of `d` in the per-day arrays.
    #[inline]
    pub(crate) fn day_index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let i = d.num_days_from_ce() - self.first_day;
        if i >= 0 && (i as usize) < self.kinds.len() {
            Ok(i as usize)
        } else {
            Err(self.out_of_range(d))
        }
    }

    /// The date at day index `i`; `i` must be a valid index (or one past the end).
    #[inline]
    pub(crate) fn date_at(&self, i: usize) -> NaiveDate {
        // Indices come from the arrays, so this stays far inside chrono's range.
        NaiveDate::from_num_days_from_ce_opt(self.first_day + i as i32).unwrap_or(self.first)
    }

    #[inline]
    pub(crate) fn add_working_days_index(&self, i: usize, n: u32) -> Result<usize, CalendarError> {
        if n == 0 {
            return Ok(i);
        }
        let k = self.worked_before[i + 1] as usize + n as usize - 1;
        match self.workdays.get(k) {
            Some(&j) => Ok(j as usize),
            None => Err(self.past_end()),
        }
    }

    #[inline]
    pub(crate) fn sub_working_days_index(&self, i: usize, n: u32) -> Result<usize, CalendarError> {
        if n == 0 {
            return Ok(i);
        }
        let before = self.worked_before[i] as usize;
        match before.checked_sub(n as usize) {
            Some(k) => Ok(self.workdays[k] as usize),
            None => Err(self.before_start()),
        }
    }

    #[inline]
    pub(crate) fn working_days_between_index(&self, a: usize, b: usize) -> i64 {
        i64::from(self.worked_before[b + 1]) - i64::from(self.worked_before[a + 1])
    }

    fn out_of_range(&self, date: NaiveDate) -> CalendarError {
        CalendarError::OutOfRange {
            date,
            first: self.first_date(),
            last: self.last_date(),
        }
    }

    fn past_end(&self) -> CalendarError {
        let last = self.last_date();
        self.out_of_range(last.succ_opt().unwrap_or(last))
    }

    fn before_start(&self) -> CalendarError {
        self.out_of_range(self.first.pred_opt().unwrap_or(self.first))
    }

    /// Builds the lookup arrays. `kinds`/`name_ids` start at `first` (a 1 January).
    fn from_parts(
        first: NaiveDate,
        official_last: NaiveDate,
        kinds: Vec<DayKind>,
        name_ids: Vec<u16>,
        names: Vec<String>,
        notices: Vec<(i32, String)>,
    ) -> Calendar {
        let mut worked_before = Vec::with_capacity(kinds.len() + 1);
        let mut workdays = Vec::new();
        worked_before.push(0u32);
        for (i, kind) in kinds.iter().enumerate() {
            if kind.is_workday() {
                workdays.push(i as u32);
            }
            worked_before.push(workdays.len() as u32);
        }
        Calendar {
            first,
            official_last,
            first_day: first.num_days_from_ce(),
            kinds: kinds.into_boxed_slice(),
            name_ids: name_ids.into_boxed_slice(),
            names,
            worked_before: worked_before.into_boxed_slice(),
            workdays: workdays.into_boxed_slice(),
            notices,
        }
    }

    /// Index-level `to_bday`: the working day on/after (`next`) or on/before `i`, if covered.
    fn adjust_index(&self, i: usize, next: bool) -> Option<usize> {
        if next {
            self.workdays
                .get(self.worked_before[i] as usize)
                .map(|&j| j as usize)
        } else {
            let through = self.worked_before[i + 1] as usize;
            through.checked_sub(1).map(|k| self.workdays[k] as usize)
        }
    }
}

// The arrays hold thousands of entries; show a summary instead.
impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("first", &self.first_date())
            .field("official_last", &self.official_last)
            .field("last", &self.last_date())
            .field("working_days", &self.workdays.len())
            .field("notices", &self.notices.len())
            .finish_non_exhaustive()
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn step(d: NaiveDate, forward: bool) -> Option<NaiveDate> {
    if forward {
        d.succ_opt()
    } else {
        d.pred_opt()
    }
}

/// `bdays` integration. Inside the covered range a business day is exactly a working day
/// (so a make-up Saturday **is** a business day, unlike bdays' default `is_bday`), and
/// `to_bday`, `advance_bdays` and `bdays` are O(1) lookups.
///
/// Outside the covered range bdays callers get the plain weekend rule (Monday–Friday are
/// business days, no holidays) instead of an error, because the trait cannot report one and
/// must never loop forever or panic. Use [`Calendar`]'s own methods to get
/// [`CalendarError::OutOfRange`] instead.
impl bdays::HolidayCalendar<NaiveDate> for Calendar {
    fn is_holiday(&self, date: NaiveDate) -> bool {
        matches!(self.day_kind(date), Ok(DayKind::Holiday))
    }

    fn is_bday(&self, date: NaiveDate) -> bool {
        match self.day_kind(date) {
            Ok(kind) => kind.is_workday(),
            Err(_) => !is_weekend(date),
        }
    }

    fn to_bday(&self, date: NaiveDate, adjust_next: bool) -> NaiveDate {
        if let Ok(i) = self.day_index(date) {
            if let Some(j) = self.adjust_index(i, adjust_next) {
                return self.date_at(j);
            }
        }
        let mut d = date;
        while !self.is_bday(d) {
            match step(d, adjust_next) {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }

    fn advance_bdays(&self, date: NaiveDate, bdays_count: i32) -> NaiveDate {
        let mut d = self.to_bday(date, true);
        if bdays_count == 0 {
            return d;
        }
        if let Ok(i) = self.day_index(d) {
            let target = i64::from(self.worked_before[i]) + i64::from(bdays_count);
            if let Some(&j) = usize::try_from(target)
                .ok()
                .and_then(|t| self.workdays.get(t))
            {
                return self.date_at(j as usize);
            }
        }
        let forward = bdays_count > 0;
        for _ in 0..bdays_count.unsigned_abs() {
            loop {
                match step(d, forward) {
                    Some(next) => d = next,
                    None => return d,
                }
                if self.is_bday(d) {
                    break;
                }
            }
        }
        d
    }

    fn bdays(&self, d0: NaiveDate, d1: NaiveDate) -> i32 {
        let a = self.to_bday(d0, true);
        let b = self.to_bday(d1, true);
        if let (Ok(i), Ok(j)) = (self.day_index(a), self.day_index(b)) {
            return (i64::from(self.worked_before[j]) - i64::from(self.worked_before[i])) as i32;
        }
        let (mut from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut count = 0i32;
        while from < to {
            let next = self.advance_bdays(from, 1);
            if next <= from {
                break;
            }
            from = next;
            count += 1;
        }
        sign * count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bdays::HolidayCalendar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const MINI: &str = r#"
year = 2024
notice = "国务院办公厅关于2024年部分节假日安排的通知"
document = "国办发明电〔2023〕7号"

[[holiday]]
name = "国庆节"
start = 2024-10-01
end = 2024-10-07

[[makeup]]
name = "国庆节调休"
date = 2024-09-29

[[makeup]]
name = "国庆节调休"
date = 2024-10-12
"#;

    fn mini() -> Calendar {
        Calendar::from_toml_str("mini.toml", MINI).unwrap()
    }

    #[test]
    fn day_kinds_follow_weekends_holidays_and_makeup_days() {
        let cal = mini();
        assert_eq!(cal.day_kind(d(2024, 9, 30)).unwrap(), DayKind::Workday);
        assert_eq!(cal.day_kind(d(2024, 9, 28)).unwrap(), DayKind::Weekend);
        assert_eq!(cal.day_kind(d(2024, 10, 5)).unwrap(), DayKind::Holiday);
        assert_eq!(
            cal.day_kind(d(2024, 10, 12)).unwrap(),
            DayKind::MakeupWorkday
        );
        assert_eq!(cal.holiday_name(d(2024, 10, 3)), Some("国庆节"));
        assert_eq!(cal.holiday_name(d(2024, 9, 29)), Some("国庆节调休"));
        assert_eq!(cal.holiday_name(d(2024, 9, 30)), None);
        assert_eq!(cal.first_date(), d(2024, 1, 1));
        assert_eq!(cal.official_last_date(), d(2024, 12, 31));
        // One provisional year follows the last official one.
        assert_eq!(cal.last_date(), d(2025, 12, 31));
        assert!(!cal.is_provisional(d(2024, 12, 31)));
        assert!(cal.is_provisional(d(2025, 1, 1)));
        assert_eq!(cal.provisional_years(), 2025..=2025);
    }

    #[test]
    fn a_provisional_year_has_the_statutory_holidays_and_no_makeup_days() {
        let cal = mini();
        assert_eq!(cal.day_kind(d(2025, 1, 1)).unwrap(), DayKind::Holiday);
        // 春节 2025 under the rule: 除夕 28 January and 初一 to 初三 (29–31 January).
        for day in 28..=31 {
            assert_eq!(cal.day_kind(d(2025, 1, day)).unwrap(), DayKind::Holiday);
        }
        assert_eq!(cal.day_kind(d(2025, 2, 3)).unwrap(), DayKind::Workday);
        // The official notice made Sunday 26 January a make-up day; the rule has none.
        assert_eq!(cal.day_kind(d(2025, 1, 26)).unwrap(), DayKind::Weekend);
        assert_eq!(cal.holiday_name(d(2025, 10, 2)), Some("国庆节"));
        // 中秋 2025 (八月十五) fell on Monday 6 October.
        assert_eq!(cal.holiday_name(d(2025, 10, 6)), Some("中秋节"));
        assert_eq!(cal.day_kind(d(2025, 10, 7)).unwrap(), DayKind::Workday);
        let through =
            Calendar::from_toml_sources_through(&[("mini.toml".to_owned(), MINI.to_owned())], 2027)
                .unwrap();
        assert_eq!(through.last_date(), d(2027, 12, 31));
        assert_eq!(through.provisional_years(), 2025..=2027);
    }

    #[test]
    fn adding_working_days_skips_the_golden_week() {
        let cal = mini();
        assert_eq!(
            cal.add_working_days(d(2024, 9, 30), 0).unwrap(),
            d(2024, 9, 30)
        );
        assert_eq!(
            cal.add_working_days(d(2024, 9, 30), 1).unwrap(),
            d(2024, 10, 8)
        );
        assert_eq!(
            cal.add_working_days(d(2024, 9, 30), 5).unwrap(),
            d(2024, 10, 12)
        );
        assert_eq!(
            cal.add_working_days(d(2024, 10, 3), 1).unwrap(),
            d(2024, 10, 8)
        );
        assert_eq!(
            cal.sub_working_days(d(2024, 10, 8), 1).unwrap(),
            d(2024, 9, 30)
        );
        assert_eq!(
            cal.sub_working_days(d(2024, 10, 5), 2).unwrap(),
            d(2024, 9, 29)
        );
        assert_eq!(
            cal.working_days_between(d(2024, 9, 30), d(2024, 10, 12))
                .unwrap(),
            5
        );
        assert_eq!(
            cal.working_days_between(d(2024, 10, 12), d(2024, 9, 30))
                .unwrap(),
            -5
        );
        assert_eq!(
            cal.working_days_between(d(2024, 10, 1), d(2024, 10, 7))
                .unwrap(),
            0
        );
        assert_eq!(
            cal.next_workday_on_or_after(d(2024, 10, 1)).unwrap(),
            d(2024, 10, 8)
        );
    }

    #[test]
    fn queries_outside_the_covered_years_are_errors() {
        let cal = mini();
        let err = cal.day_kind(d(2030, 1, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "date 2030-01-01 is outside the working-day calendar, which covers 2024-01-01 to 2025-12-31"
        );
        assert_eq!(
            cal.add_working_days(d(2025, 12, 31), 1).unwrap_err(),
            CalendarError::OutOfRange {
                date: d(2026, 1, 1),
                first: d(2024, 1, 1),
                last: d(2025, 12, 31)
            }
        );
        assert!(cal.sub_working_days(d(2024, 1, 2), 2).is_err());
        assert!(cal
            .working_days_between(d(2023, 12, 31), d(2024, 1, 5))
            .is_err());
        assert_eq!(cal.holiday_name(d(2030, 10, 1)), None);
    }

    #[test]
    fn bdays_treats_makeup_saturdays_as_business_days() {
        let cal = mini();
        assert!(cal.is_bday(d(2024, 10, 12)));
        assert!(!cal.is_bday(d(2024, 10, 2)));
        assert!(cal.is_holiday(d(2024, 10, 5)));
        assert!(!cal.is_holiday(d(2024, 10, 13)));
        assert_eq!(cal.to_bday(d(2024, 10, 1), true), d(2024, 10, 8));
        assert_eq!(cal.to_bday(d(2024, 10, 1), false), d(2024, 9, 30));
        assert_eq!(cal.advance_bdays(d(2024, 9, 30), 5), d(2024, 10, 12));
        assert_eq!(cal.advance_bdays(d(2024, 10, 12), -5), d(2024, 9, 30));
        assert_eq!(cal.bdays(d(2024, 9, 30), d(2024, 10, 12)), 5);
        assert_eq!(cal.bdays(d(2024, 10, 12), d(2024, 9, 30)), -5);
    }

    #[test]
    fn bdays_outside_the_range_falls_back_to_the_weekend_rule_without_panicking() {
        let cal = mini();
        assert!(cal.is_bday(d(2030, 1, 1)));
        assert!(!cal.is_bday(d(2030, 1, 5)));
        assert_eq!(cal.to_bday(d(2030, 1, 5), true), d(2030, 1, 7));
        assert_eq!(cal.advance_bdays(d(2025, 12, 30), 3), d(2026, 1, 2));
        assert_eq!(cal.bdays(d(2025, 12, 30), d(2026, 1, 2)), 3);
        assert_eq!(cal.advance_bdays(NaiveDate::MAX, 3), NaiveDate::MAX);
    }

    /// Step-by-step reference for the O(1) bdays overrides.
    fn slow_advance(cal: &Calendar, d: NaiveDate, n: i32) -> NaiveDate {
        let mut d = cal.to_bday(d, true);
        for _ in 0..n.unsigned_abs() {
            loop {
                d = if n > 0 {
                    d.succ_opt().unwrap()
                } else {
                    d.pred_opt().unwrap()
                };
                if cal.is_bday(d) {
                    break;
                }
            }
        }
        d
    }

    #[test]
    fn bdays_fast_paths_match_a_step_by_step_walk() {
        let cal = mini();
        let start = d(2023, 12, 20);
        for offset in 0..400 {
            let day = start + chrono::Days::new(offset);
            for n in [-30, -7, -1, 0, 1, 5, 9, 30] {
                assert_eq!(
                    cal.advance_bdays(day, n),
                    slow_advance(&cal, day, n),
                    "{day} {n}"
                );
            }
        }
    }

    #[test]
    fn day_kind_names_are_stable() {
        assert_eq!(DayKind::MakeupWorkday.to_string(), "makeup_workday");
        assert_eq!(DayKind::Holiday.label_zh(), "法定节假日");
        assert!(DayKind::MakeupWorkday.is_workday());
        assert!(!DayKind::Weekend.is_workday());
    }
}
