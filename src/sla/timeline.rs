//! Deadline arithmetic on UTC instants: the reply deadline rule, extensions, pauses,
//! overdue counts and reminder instants, all in the office's time zone.
//!
//! Every function is pure. For speed the [`Timeline`] precomputes, for each covered day, the
//! UTC instant of local midnight, so converting an instant to a local date and finding the
//! end of a local day are array lookups.

use std::sync::Arc;

use arc_swap::ArcSwap;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

use super::policy::WorkingDays;
use crate::calendar::{Calendar, CalendarError};

const DAY_SECONDS: i64 = 86_400;

/// Shown after a deadline in a provisional (暂定) year, on pages, in emails and in reports.
pub const PROVISIONAL_MARK: &str = "（暂定）";

/// Deadline computations for one office time zone over a shared [`Calendar`].
///
/// Cheap to clone (an `Arc`), `Send + Sync`. All clones see the same calendar, which
/// [`Timeline::replace_calendar`] swaps atomically when an official year is installed; each
/// computation reads one consistent calendar.
#[derive(Clone)]
pub struct Timeline {
    tz: Tz,
    current: Arc<ArcSwap<Frame>>,
}

/// One calendar and its midnight table.
struct Frame {
    calendar: Arc<Calendar>,
    /// `midnights[i]` = UTC seconds of local midnight starting calendar day `i`; one extra entry
    /// for the midnight after the last covered day.
    midnights: Vec<i64>,
    /// Every day is exactly 86 400 s long (no DST in range), so day lookups are a division.
    uniform: bool,
}

impl Timeline {
    /// Builds a timeline for `tz` (e.g. `chrono_tz::Asia::Shanghai`) over `calendar`.
    pub fn new(calendar: Arc<Calendar>, tz: Tz) -> Timeline {
        Timeline {
            tz,
            current: Arc::new(ArcSwap::from_pointee(Frame::new(calendar, tz))),
        }
    }

    /// Installs `calendar` for every clone of this timeline; returns the calendar it replaces.
    pub fn replace_calendar(&self, calendar: Arc<Calendar>) -> Arc<Calendar> {
        let old = self.current.swap(Arc::new(Frame::new(calendar, self.tz)));
        Arc::clone(&old.calendar)
    }

    #[inline]
    fn frame(&self) -> arc_swap::Guard<Arc<Frame>> {
        self.current.load()
    }

    /// The working-day calendar.
    pub fn calendar(&self) -> Arc<Calendar> {
        Arc::clone(&self.frame().calendar)
    }

    /// The office time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The calendar date of instant `t` in the office time zone.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        let f = self.frame();
        match f.local_index(t.timestamp()) {
            Some(i) => f.calendar.date_at(i),
            None => t.with_timezone(&self.tz).date_naive(),
        }
    }

    /// Whether the local date of `t` lies in a provisional (暂定) calendar year.
    pub fn is_provisional(&self, t: DateTime<Utc>) -> bool {
        self.frame().calendar.is_provisional(self.local_date(t))
    }

    /// "（暂定）" after a deadline shown to people when it falls in a provisional year, else "".
    pub fn provisional_mark(&self, t: DateTime<Utc>) -> &'static str {
        if self.is_provisional(t) {
            PROVISIONAL_MARK
        } else {
            ""
        }
    }

    /// Whether a figure computed from `from` to `to` touches a provisional day: true when
    /// either end lies in a provisional year (provisional years follow every official one).
    pub fn touches_provisional(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.is_provisional(from.max(to))
    }

    /// The reply deadline for a message received at `received_at` with `days` working days.
    ///
    /// **The deadline rule.** The day of receipt does not count. Day 1 is the first working day
    /// after the calendar date of receipt in the office's time zone, so a message received on a
    /// Saturday, on a holiday, or at 23:59 on a working day all count from the next working day.
    /// Make-up Saturdays and Sundays (调休上班) are working days. The deadline is the end
    /// (23:59:59 local) of the N-th working day.
    ///
    /// Example: received Monday 2024-09-30 10:00 +08:00 with 5 working days → 10-01..10-07 are
    /// the National Day holiday, 10-08 is day 1, …, the make-up Saturday 10-12 is day 5 → due
    /// `2024-10-12T23:59:59+08:00`.
    #[inline]
    pub fn due_at(
        &self,
        received_at: DateTime<Utc>,
        days: WorkingDays,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let f = self.frame();
        let i = f.index_of(self.tz, received_at)?;
        let due = f.calendar.add_working_days_index(i, days.get())?;
        Ok(f.end_of_day(due))
    }

    /// 23:59:59 local of the date `days` working days after the local date of `due_at`.
    pub fn extend(
        &self,
        due_at: DateTime<Utc>,
        days: WorkingDays,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let f = self.frame();
        let i = f.index_of(self.tz, due_at)?;
        let due = f.calendar.add_working_days_index(i, days.get())?;
        Ok(f.end_of_day(due))
    }

    /// Resumes a paused message. The working days spent paused are
    /// `working_days_between(local_date(paused_at), local_date(resumed_at))` (a pause within one
    /// day, or over a weekend or holiday only, costs 0), and the deadline moves to the end of the
    /// day that many working days after its local date (0 ⇒ unchanged).
    ///
    /// The deadline moves by at most `cap` working days (`[handling] max_pause_working_days`).
    ///
    /// Returns `(new_due, paused_working_days)` (the days counted, capped); a resume before the
    /// pause counts as 0.
    pub fn resume(
        &self,
        due_at: DateTime<Utc>,
        paused_at: DateTime<Utc>,
        resumed_at: DateTime<Utc>,
        cap: u32,
    ) -> Result<(DateTime<Utc>, u32), CalendarError> {
        let f = self.frame();
        let paused = f.calendar.working_days_between_index(
            f.index_of(self.tz, paused_at)?,
            f.index_of(self.tz, resumed_at)?,
        );
        let paused = u32::try_from(paused.max(0)).unwrap_or(u32::MAX).min(cap);
        if paused == 0 {
            return Ok((due_at, 0));
        }
        let i = f.index_of(self.tz, due_at)?;
        let due = f.calendar.add_working_days_index(i, paused)?;
        Ok((f.end_of_day(due), paused))
    }

    /// Working days from the local date of `from` (exclusive) to the local date of `to`
    /// (inclusive); negative when `to` comes first, 0 on the same day. Every count of working
    /// days between two instants (taken, left, spent before a return) is this one.
    pub fn working_days_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        let f = self.frame();
        let a = f.index_of(self.tz, from)?;
        let b = f.index_of(self.tz, to)?;
        Ok(f.calendar.working_days_between_index(a, b))
    }

    /// Working days from the local receipt date (exclusive) to the local reply date (inclusive);
    /// 0 for a same-day reply (and for a reply on the weekend after a Friday receipt).
    pub fn working_days_taken(
        &self,
        received_at: DateTime<Utc>,
        replied_at: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        self.working_days_between(received_at, replied_at)
    }

    /// Whether a reply at `replied_at` meets the deadline `due_at` (`replied_at <= due_at`).
    pub fn is_on_time(due_at: DateTime<Utc>, replied_at: DateTime<Utc>) -> bool {
        replied_at <= due_at
    }

    /// Whether both instants fall on the same local calendar date.
    pub fn is_same_day(&self, received_at: DateTime<Utc>, replied_at: DateTime<Utc>) -> bool {
        self.local_date(received_at) == self.local_date(replied_at)
    }

    /// Working days after the local due date up to and including the local date of `now`
    /// (0 if `now` is not past `due_at`).
    pub fn working_days_overdue(
        &self,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        if now <= due_at {
            return Ok(0);
        }
        Ok(self.working_days_between(due_at, now)?.max(0))
    }

    /// The instant `n` working days before the deadline's local date at `hour`:00 local (the
    /// reminder uses one working day before at 09:00). `n = 0` ⇒ the due date itself at that
    /// hour. `hour` is a wall-clock hour 0–23; larger values run into the following days.
    pub fn working_days_before_at_hour(
        &self,
        due_at: DateTime<Utc>,
        n: u32,
        hour: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let f = self.frame();
        let i = f.index_of(self.tz, due_at)?;
        let day = f.calendar.sub_working_days_index(i, n)?;
        Ok(f.at_hour(self.tz, day, hour))
    }

    /// The instant at local `hour`:00 of the n-th working day after the due date (the overdue
    /// ladder, e.g. overdue by 3 working days). `n = 0` ⇒ the due date itself at that hour.
    pub fn working_days_after_at_hour(
        &self,
        due_at: DateTime<Utc>,
        n: u32,
        hour: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let f = self.frame();
        let i = f.index_of(self.tz, due_at)?;
        let day = f.calendar.add_working_days_index(i, n)?;
        Ok(f.at_hour(self.tz, day, hour))
    }

    /// The first instant of local date `d`.
    pub fn start_of_local_day(&self, d: NaiveDate) -> DateTime<Utc> {
        utc(start_of_day(self.tz, d))
    }

    /// RFC 3339 with the office's UTC offset and seconds precision,
    /// e.g. `2024-10-11T23:59:59+08:00`.
    pub fn format_local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

impl Frame {
    fn new(calendar: Arc<Calendar>, tz: Tz) -> Frame {
        let days = calendar.len_days();
        let midnights: Vec<i64> = (0..=days)
            .map(|i| start_of_day(tz, calendar.date_at(i)))
            .collect();
        let uniform = midnights.windows(2).all(|w| w[1] - w[0] == DAY_SECONDS);
        Frame {
            calendar,
            midnights,
            uniform,
        }
    }

    /// 23:59:59 local at the end of calendar day `i` (one second before the next local midnight).
    #[inline]
    fn end_of_day(&self, i: usize) -> DateTime<Utc> {
        utc(self.midnights[i + 1] - 1)
    }

    /// `hour`:00 local on calendar day `i`.
    fn at_hour(&self, tz: Tz, i: usize, hour: u32) -> DateTime<Utc> {
        if self.uniform || hour >= 24 {
            return utc(self.midnights[i] + i64::from(hour) * 3600);
        }
        let local = self
            .calendar
            .date_at(i)
            .and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN));
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            // The hour is skipped by a DST jump: use the same elapsed time after midnight.
            LocalResult::None => utc(self.midnights[i] + i64::from(hour) * 3600),
        }
    }

    /// Calendar day index of the local date of `t`.
    #[inline]
    fn index_of(&self, tz: Tz, t: DateTime<Utc>) -> Result<usize, CalendarError> {
        match self.local_index(t.timestamp()) {
            Some(i) => Ok(i),
            None => self.calendar.day_index(t.with_timezone(&tz).date_naive()),
        }
    }

    #[inline]
    fn local_index(&self, secs: i64) -> Option<usize> {
        let m = &self.midnights;
        let first = m[0];
        if secs < first || secs >= m[m.len() - 1] {
            return None;
        }
        if self.uniform {
            Some(((secs - first) / DAY_SECONDS) as usize)
        } else {
            Some(m.partition_point(|&x| x <= secs) - 1)
        }
    }
}

// The midnight table holds thousands of entries; show a summary instead.
impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let frame = self.frame();
        f.debug_struct("Timeline")
            .field("calendar", &frame.calendar)
            .field("tz", &self.tz)
            .field("uniform", &frame.uniform)
            .finish_non_exhaustive()
    }
}

fn utc(secs: i64) -> DateTime<Utc> {
    // Instants come from the midnight table, which chrono built, so they are representable.
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// UTC seconds of the first instant of local date `d` (local midnight, or the first instant
/// after a DST gap that swallows midnight).
fn start_of_day(tz: Tz, d: NaiveDate) -> i64 {
    let midnight = d.and_time(NaiveTime::MIN);
    for minutes in (0..=24 * 60).step_by(15) {
        let local = midnight + chrono::Duration::minutes(minutes);
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.timestamp(),
            LocalResult::None => continue,
        }
    }
    // Only a date-line move skips a whole local day; treat such a day as starting at the
    // same instant as UTC midnight so the table stays ordered.
    midnight.and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Timelike};

    fn calendar() -> Arc<Calendar> {
        let text = r#"
year = 2024
notice = "国务院办公厅关于2024年部分节假日安排的通知"
[[holiday]]
name = "中秋节"
start = 2024-09-15
end = 2024-09-17
[[holiday]]
name = "国庆节"
start = 2024-10-01
end = 2024-10-07
[[makeup]]
name = "中秋节调休"
date = 2024-09-14
[[makeup]]
name = "国庆节调休"
date = 2024-09-29
[[makeup]]
name = "国庆节调休"
date = 2024-10-12
"#;
        Arc::new(Calendar::from_toml_str("2024.toml", text).unwrap())
    }

    fn shanghai() -> Timeline {
        Timeline::new(calendar(), chrono_tz::Asia::Shanghai)
    }

    /// Parses an RFC 3339 instant with offset.
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn days(n: u32) -> WorkingDays {
        WorkingDays::new(n).unwrap()
    }

    #[test]
    fn timelines_and_calendars_can_be_shared_across_threads() {
        fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
        assert_send_sync_clone::<Timeline>();
        assert_send_sync_clone::<Calendar>();
        assert_send_sync_clone::<Arc<Calendar>>();
    }

    #[test]
    fn due_at_skips_national_day_and_counts_the_makeup_saturday() {
        let t = shanghai();
        let due = t.due_at(at("2024-09-30T10:00:00+08:00"), days(5)).unwrap();
        assert_eq!(t.format_local(due), "2024-10-12T23:59:59+08:00");
        assert_eq!(due, at("2024-10-12T15:59:59Z"));
    }

    #[test]
    fn receipt_late_at_night_counts_from_the_next_working_day() {
        let t = shanghai();
        let late = t.due_at(at("2024-09-10T23:59:59+08:00"), days(1)).unwrap();
        assert_eq!(t.format_local(late), "2024-09-11T23:59:59+08:00");
        let early = t.due_at(at("2024-09-11T00:00:00+08:00"), days(1)).unwrap();
        assert_eq!(t.format_local(early), "2024-09-12T23:59:59+08:00");
        // 23:59:59 local on 9-10 is 15:59:59 UTC the same day; 16:00 UTC is already 9-11 local.
        assert_eq!(
            t.local_date(at("2024-09-10T16:00:00Z")),
            NaiveDate::from_ymd_opt(2024, 9, 11).unwrap()
        );
    }

    #[test]
    fn receipt_on_a_weekend_or_holiday_counts_from_the_next_working_day() {
        let t = shanghai();
        let saturday = t.due_at(at("2024-09-21T15:00:00+08:00"), days(1)).unwrap();
        assert_eq!(t.format_local(saturday), "2024-09-23T23:59:59+08:00");
        let holiday = t.due_at(at("2024-10-03T09:00:00+08:00"), days(1)).unwrap();
        assert_eq!(t.format_local(holiday), "2024-10-08T23:59:59+08:00");
        let makeup_saturday = t.due_at(at("2024-09-14T09:00:00+08:00"), days(1)).unwrap();
        assert_eq!(t.format_local(makeup_saturday), "2024-09-18T23:59:59+08:00");
    }

    #[test]
    fn due_at_outside_the_calendar_is_an_error() {
        let t = shanghai();
        assert!(t.due_at(at("2023-12-31T10:00:00+08:00"), days(1)).is_err());
        // The test calendar is official for 2024 and provisional for 2025.
        assert!(t.due_at(at("2024-12-31T10:00:00+08:00"), days(1)).is_ok());
        assert!(t.due_at(at("2025-12-31T10:00:00+08:00"), days(1)).is_err());
        // 2023-12-31T16:30Z is already 2024-01-01 in Shanghai.
        assert!(t.due_at(at("2023-12-31T16:30:00Z"), days(1)).is_ok());
    }

    #[test]
    fn extend_adds_working_days_to_the_due_date() {
        let t = shanghai();
        let due = at("2024-09-27T23:59:59+08:00");
        // Day 1 is the make-up Sunday 09-29, day 2 is 09-30, day 3 is after the holiday.
        assert_eq!(
            t.format_local(t.extend(due, days(2)).unwrap()),
            "2024-09-30T23:59:59+08:00"
        );
        assert_eq!(
            t.format_local(t.extend(due, days(3)).unwrap()),
            "2024-10-08T23:59:59+08:00"
        );
    }

    #[test]
    fn resume_moves_the_deadline_by_the_working_days_paused() {
        let t = shanghai();
        let due = at("2024-09-27T23:59:59+08:00");
        // Paused Wednesday, resumed Friday: Thursday and Friday were spent paused.
        let (new_due, paused) = t
            .resume(
                due,
                at("2024-09-25T10:00:00+08:00"),
                at("2024-09-27T08:00:00+08:00"),
                u32::MAX,
            )
            .unwrap();
        assert_eq!(paused, 2);
        assert_eq!(t.format_local(new_due), "2024-09-30T23:59:59+08:00");
        // A cap of one working day moves the deadline by one only.
        let (capped_due, capped) = t
            .resume(
                due,
                at("2024-09-25T10:00:00+08:00"),
                at("2024-09-27T08:00:00+08:00"),
                1,
            )
            .unwrap();
        assert_eq!(capped, 1);
        assert_eq!(t.format_local(capped_due), "2024-09-29T23:59:59+08:00");
        // Paused and resumed on the same day, or only over the holiday: unchanged.
        assert_eq!(
            t.resume(
                due,
                at("2024-09-25T10:00:00+08:00"),
                at("2024-09-25T18:00:00+08:00"),
                u32::MAX
            )
            .unwrap(),
            (due, 0)
        );
        assert_eq!(
            t.resume(
                due,
                at("2024-10-01T10:00:00+08:00"),
                at("2024-10-07T18:00:00+08:00"),
                u32::MAX
            )
            .unwrap(),
            (due, 0)
        );
        assert_eq!(
            t.resume(
                due,
                at("2024-09-27T10:00:00+08:00"),
                at("2024-09-25T18:00:00+08:00"),
                u32::MAX
            )
            .unwrap(),
            (due, 0)
        );
    }

    #[test]
    fn working_days_taken_excludes_the_day_of_receipt() {
        let t = shanghai();
        let received = at("2024-09-30T10:00:00+08:00");
        assert_eq!(
            t.working_days_taken(received, at("2024-09-30T17:00:00+08:00"))
                .unwrap(),
            0
        );
        assert_eq!(
            t.working_days_taken(received, at("2024-10-06T17:00:00+08:00"))
                .unwrap(),
            0
        );
        assert_eq!(
            t.working_days_taken(received, at("2024-10-08T09:00:00+08:00"))
                .unwrap(),
            1
        );
        assert!(t.is_same_day(received, at("2024-09-30T23:59:59+08:00")));
        assert!(!t.is_same_day(received, at("2024-10-01T00:00:00+08:00")));
    }

    #[test]
    fn on_time_means_not_after_the_deadline() {
        let due = at("2024-10-12T23:59:59+08:00");
        assert!(Timeline::is_on_time(due, due));
        assert!(!Timeline::is_on_time(due, at("2024-10-13T00:00:00+08:00")));
    }

    #[test]
    fn working_days_overdue_counts_working_days_after_the_due_date() {
        let t = shanghai();
        let due = at("2024-09-30T23:59:59+08:00");
        assert_eq!(
            t.working_days_overdue(due, at("2024-09-30T12:00:00+08:00"))
                .unwrap(),
            0
        );
        assert_eq!(
            t.working_days_overdue(due, at("2024-10-05T12:00:00+08:00"))
                .unwrap(),
            0
        );
        assert_eq!(
            t.working_days_overdue(due, at("2024-10-08T00:00:01+08:00"))
                .unwrap(),
            1
        );
        assert_eq!(
            t.working_days_overdue(due, at("2024-10-10T12:00:00+08:00"))
                .unwrap(),
            3
        );
    }

    #[test]
    fn reminder_and_overdue_ladder_instants_are_at_the_local_hour() {
        let t = shanghai();
        let due = at("2024-10-08T23:59:59+08:00");
        let reminder = t.working_days_before_at_hour(due, 1, 9).unwrap();
        assert_eq!(t.format_local(reminder), "2024-09-30T09:00:00+08:00");
        assert_eq!(
            t.format_local(t.working_days_before_at_hour(due, 0, 9).unwrap()),
            "2024-10-08T09:00:00+08:00"
        );
        let ladder = t.working_days_after_at_hour(due, 3, 9).unwrap();
        assert_eq!(t.format_local(ladder), "2024-10-11T09:00:00+08:00");
        assert_eq!(
            t.format_local(t.working_days_after_at_hour(due, 4, 9).unwrap()),
            "2024-10-12T09:00:00+08:00"
        );
    }

    #[test]
    fn format_local_uses_the_office_offset() {
        let t = shanghai();
        assert_eq!(
            t.format_local(at("2024-10-12T15:59:59Z")),
            "2024-10-12T23:59:59+08:00"
        );
        let utc_timeline = Timeline::new(calendar(), chrono_tz::UTC);
        assert_eq!(
            utc_timeline.format_local(at("2024-10-12T15:59:59Z")),
            "2024-10-12T15:59:59+00:00"
        );
    }

    #[test]
    fn a_zone_with_daylight_saving_time_uses_its_local_midnights() {
        let t = Timeline::new(calendar(), chrono_tz::Europe::Berlin);
        assert!(!t.frame().uniform);
        // Friday 2024-10-25 → day 1 Monday 2024-10-28, after the switch back to +01:00 on 10-27.
        let due = t.due_at(at("2024-10-25T12:00:00+02:00"), days(1)).unwrap();
        assert_eq!(t.format_local(due), "2024-10-28T23:59:59+01:00");
        assert_eq!(
            t.local_date(at("2024-10-27T23:30:00+01:00")),
            NaiveDate::from_ymd_opt(2024, 10, 27).unwrap()
        );
        let nine = t.working_days_before_at_hour(due, 0, 9).unwrap();
        assert_eq!(
            nine.with_timezone(&FixedOffset::east_opt(3600).unwrap())
                .hour(),
            9
        );
    }
}
