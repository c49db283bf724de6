//! Integration tests of the shipped working-day calendar (`config/calendar`), the deadline
//! rule on it, and the `calendar` CLI.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use bdays::HolidayCalendar;
use chrono::{DateTime, NaiveDate, Utc};
use huiyin::calendar::{Calendar, CalendarError, DayKind};
use huiyin::cli::calendar::{run, CalendarCommand, CliContext};
use huiyin::sla::{Timeline, WorkingDays};
use proptest::prelude::*;

const DIR: &str = "config/calendar";

fn calendar() -> &'static Arc<Calendar> {
    static CALENDAR: OnceLock<Arc<Calendar>> = OnceLock::new();
    CALENDAR.get_or_init(|| Arc::new(Calendar::load_dir(Path::new(DIR)).unwrap()))
}

fn timeline() -> Timeline {
    Timeline::new(Arc::clone(calendar()), chrono_tz::Asia::Shanghai)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn wd(n: u32) -> WorkingDays {
    WorkingDays::new(n).unwrap()
}

fn due(received: &str, n: u32) -> String {
    let t = timeline();
    t.format_local(t.due_at(at(received), wd(n)).unwrap())
}

/// `(first, last, name)` of each holiday range, and `(date, name)` of each make-up day.
type YearData = (
    &'static [(&'static str, &'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

const Y2024: YearData = (
    &[
        ("2024-01-01", "2024-01-01", "元旦"),
        ("2024-02-10", "2024-02-17", "春节"),
        ("2024-04-04", "2024-04-06", "清明节"),
        ("2024-05-01", "2024-05-05", "劳动节"),
        ("2024-06-10", "2024-06-10", "端午节"),
        ("2024-09-15", "2024-09-17", "中秋节"),
        ("2024-10-01", "2024-10-07", "国庆节"),
    ],
    &[
        ("2024-02-04", "春节调休"),
        ("2024-02-18", "春节调休"),
        ("2024-04-07", "清明节调休"),
        ("2024-04-28", "劳动节调休"),
        ("2024-05-11", "劳动节调休"),
        ("2024-09-14", "中秋节调休"),
        ("2024-09-29", "国庆节调休"),
        ("2024-10-12", "国庆节调休"),
    ],
);

const Y2025: YearData = (
    &[
        ("2025-01-01", "2025-01-01", "元旦"),
        ("2025-01-28", "2025-02-04", "春节"),
        ("2025-04-04", "2025-04-06", "清明节"),
        ("2025-05-01", "2025-05-05", "劳动节"),
        ("2025-05-31", "2025-06-02", "端午节"),
        ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    ],
    &[
        ("2025-01-26", "春节调休"),
        ("2025-02-08", "春节调休"),
        ("2025-04-27", "劳动节调休"),
        ("2025-09-28", "国庆节调休"),
        ("2025-10-11", "国庆节调休"),
    ],
);

const Y2026: YearData = (
    &[
        ("2026-01-01", "2026-01-03", "元旦"),
        ("2026-02-15", "2026-02-23", "春节"),
        ("2026-04-04", "2026-04-06", "清明节"),
        ("2026-05-01", "2026-05-05", "劳动节"),
        ("2026-06-19", "2026-06-21", "端午节"),
        ("2026-09-25", "2026-09-27", "中秋节"),
        ("2026-10-01", "2026-10-07", "国庆节"),
    ],
    &[
        ("2026-01-04", "元旦调休"),
        ("2026-02-14", "春节调休"),
        ("2026-02-28", "春节调休"),
        ("2026-05-09", "劳动节调休"),
        ("2026-09-20", "国庆节调休"),
        ("2026-10-10", "国庆节调休"),
    ],
);

/// Checks every listed day by kind and name, and that no other day of the year is special.
fn assert_year(year: i32, (holidays, makeups): YearData) {
    let cal = calendar();
    let mut expected_special = 0;
    for &(first, last, name) in holidays {
        for day in d(first).iter_days().take_while(|x| *x <= d(last)) {
            assert_eq!(
                cal.day_kind(day).unwrap(),
                DayKind::Holiday,
                "{day} should be {name}"
            );
            assert!(!cal.is_workday(day).unwrap(), "{day}");
            assert_eq!(cal.holiday_name(day), Some(name), "{day}");
            expected_special += 1;
        }
    }
    for &(date, name) in makeups {
        assert_eq!(
            cal.day_kind(d(date)).unwrap(),
            DayKind::MakeupWorkday,
            "{date} should be {name}"
        );
        assert!(cal.is_workday(d(date)).unwrap(), "{date}");
        assert_eq!(cal.holiday_name(d(date)), Some(name), "{date}");
        expected_special += 1;
    }
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let special = jan1
        .iter_days()
        .take_while(|x| *x <= NaiveDate::from_ymd_opt(year, 12, 31).unwrap())
        .filter(|x| {
            matches!(
                cal.day_kind(*x).unwrap(),
                DayKind::Holiday | DayKind::MakeupWorkday
            )
        })
        .count();
    assert_eq!(
        special, expected_special,
        "holidays and make-up days of {year}"
    );
}

#[test]
fn every_holiday_and_makeup_day_of_2024_has_its_kind_and_name() {
    assert_year(2024, Y2024);
}

#[test]
fn every_holiday_and_makeup_day_of_2025_has_its_kind_and_name() {
    assert_year(2025, Y2025);
}

#[test]
fn every_holiday_and_makeup_day_of_2026_has_its_kind_and_name() {
    assert_year(2026, Y2026);
}

#[test]
fn the_sunday_before_and_the_saturday_after_national_day_2024_are_working_days() {
    let cal = calendar();
    assert!(cal.is_workday(d("2024-09-29")).unwrap());
    assert!(cal.is_workday(d("2024-10-12")).unwrap());
    assert!(!cal.is_workday(d("2024-10-13")).unwrap());
    assert!(cal.is_workday(d("2025-01-26")).unwrap());
    assert!(cal.is_workday(d("2025-02-08")).unwrap());
}

#[test]
fn new_years_eve_2024_is_an_ordinary_working_day() {
    assert_eq!(
        calendar().day_kind(d("2024-02-09")).unwrap(),
        DayKind::Workday
    );
    assert_eq!(calendar().holiday_name(d("2024-02-09")), None);
}

#[test]
fn the_calendar_covers_2018_through_2026_with_a_notice_for_every_year() {
    let cal = calendar();
    assert_eq!(cal.first_date(), d("2018-01-01"));
    assert_eq!(cal.official_last_date(), d("2026-12-31"));
    // The year after the last notice is provisional (暂定), so the service never stops.
    assert_eq!(cal.last_date(), d("2027-12-31"));
    let notices = cal.notices();
    for year in 2018..=2026 {
        let title = format!("国务院办公厅关于{year}年部分节假日安排的通知");
        assert!(
            notices
                .iter()
                .any(|(y, n)| *y == year && n.starts_with(&title)),
            "{year}: {notices:?}"
        );
    }
    assert!(notices.contains(&(
        2026,
        "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）".to_owned()
    )));
}

#[test]
fn cross_year_new_year_arrangements_are_in_the_calendar() {
    let cal = calendar();
    // Announced in the 2019 notice: 2018-12-29 (Saturday) worked, 12-30 to 2019-01-01 off.
    assert_eq!(
        cal.day_kind(d("2018-12-29")).unwrap(),
        DayKind::MakeupWorkday
    );
    assert_eq!(cal.day_kind(d("2018-12-31")).unwrap(), DayKind::Holiday);
    assert_eq!(cal.day_kind(d("2022-12-31")).unwrap(), DayKind::Holiday);
    assert_eq!(cal.day_kind(d("2023-01-02")).unwrap(), DayKind::Holiday);
}

#[test]
fn the_2020_spring_festival_extension_is_applied() {
    let cal = calendar();
    assert_eq!(cal.day_kind(d("2020-01-31")).unwrap(), DayKind::Holiday);
    assert_eq!(cal.day_kind(d("2020-02-01")).unwrap(), DayKind::Holiday);
    assert_eq!(cal.day_kind(d("2020-02-03")).unwrap(), DayKind::Workday);
}

#[test]
fn a_deadline_across_national_day_2024_ends_on_the_makeup_saturday() {
    assert_eq!(
        due("2024-09-30T10:00:00+08:00", 5),
        "2024-10-12T23:59:59+08:00"
    );
    assert_eq!(
        due("2024-09-30T10:00:00+08:00", 4),
        "2024-10-11T23:59:59+08:00"
    );
}

#[test]
fn a_deadline_across_national_day_2025_skips_all_eight_days() {
    assert_eq!(
        due("2025-09-30T15:00:00+08:00", 3),
        "2025-10-11T23:59:59+08:00"
    );
    assert_eq!(
        due("2025-09-26T15:00:00+08:00", 2),
        "2025-09-29T23:59:59+08:00"
    );
}

#[test]
fn a_deadline_across_mid_autumn_and_national_day_2026_counts_the_makeup_sunday() {
    assert_eq!(
        due("2026-09-18T10:00:00+08:00", 1),
        "2026-09-20T23:59:59+08:00"
    );
    assert_eq!(
        due("2026-09-18T10:00:00+08:00", 10),
        "2026-10-09T23:59:59+08:00"
    );
}

#[test]
fn a_deadline_across_spring_festival_skips_the_holiday_and_counts_makeup_days() {
    // 2024: 除夕 02-09 is worked, 02-10..17 off, Sunday 02-18 worked.
    assert_eq!(
        due("2024-02-08T10:00:00+08:00", 5),
        "2024-02-21T23:59:59+08:00"
    );
    // 2025: 01-28..02-04 off, Saturday 02-08 worked.
    assert_eq!(
        due("2025-01-27T10:00:00+08:00", 5),
        "2025-02-10T23:59:59+08:00"
    );
    // 2026: Saturday 02-14 worked, 02-15..23 off.
    assert_eq!(
        due("2026-02-13T10:00:00+08:00", 3),
        "2026-02-25T23:59:59+08:00"
    );
}

#[test]
fn a_message_received_at_one_second_before_midnight_counts_from_the_next_working_day() {
    assert_eq!(
        due("2024-09-10T23:59:59+08:00", 1),
        "2024-09-11T23:59:59+08:00"
    );
    // The same instant given in UTC.
    assert_eq!(due("2024-09-10T15:59:59Z", 1), "2024-09-11T23:59:59+08:00");
}

#[test]
fn a_message_received_at_midnight_belongs_to_the_new_day() {
    assert_eq!(
        due("2024-09-11T00:00:00+08:00", 1),
        "2024-09-12T23:59:59+08:00"
    );
    assert_eq!(due("2024-09-10T16:00:00Z", 1), "2024-09-12T23:59:59+08:00");
}

#[test]
fn a_message_received_on_a_makeup_saturday_counts_from_the_next_working_day() {
    assert_eq!(
        due("2024-10-12T10:00:00+08:00", 1),
        "2024-10-14T23:59:59+08:00"
    );
    assert_eq!(
        due("2025-02-08T10:00:00+08:00", 1),
        "2025-02-10T23:59:59+08:00"
    );
}

#[test]
fn a_message_received_during_a_holiday_counts_from_the_first_working_day_after_it() {
    assert_eq!(
        due("2024-10-03T10:00:00+08:00", 1),
        "2024-10-08T23:59:59+08:00"
    );
    assert_eq!(
        due("2024-09-28T10:00:00+08:00", 1),
        "2024-09-29T23:59:59+08:00"
    );
}

#[test]
fn dates_outside_the_official_and_provisional_years_are_errors() {
    let cal = calendar();
    let expected = |date: &str| CalendarError::OutOfRange {
        date: d(date),
        first: d("2018-01-01"),
        last: d("2027-12-31"),
    };
    assert_eq!(
        cal.day_kind(d("2017-12-31")).unwrap_err(),
        expected("2017-12-31")
    );
    assert_eq!(
        cal.is_workday(d("2028-01-03")).unwrap_err(),
        expected("2028-01-03")
    );
    assert_eq!(
        cal.add_working_days(d("2027-12-30"), 5).unwrap_err(),
        expected("2028-01-01")
    );
    assert_eq!(
        cal.day_kind(d("2030-01-01")).unwrap_err().to_string(),
        "date 2030-01-01 is outside the working-day calendar, which covers 2018-01-01 to 2027-12-31"
    );
    assert!(timeline()
        .due_at(at("2027-12-25T10:00:00+08:00"), wd(10))
        .is_err());
    assert!(timeline()
        .due_at(at("2017-06-01T10:00:00+08:00"), wd(1))
        .is_err());
}

#[test]
fn a_deadline_in_the_provisional_year_follows_the_statutory_holidays() {
    // A 举报 (15 working days) received on 2026-12-20: 元旦 2027 is the only holiday on the
    // way under the statutory rule, so day 15 is Monday 2027-01-11, marked provisional.
    let t = timeline();
    let received = at("2026-12-20T10:00:00+08:00");
    let due = t.due_at(received, wd(15)).unwrap();
    assert_eq!(t.format_local(due), "2027-01-11T23:59:59+08:00");
    assert!(t.is_provisional(due));
    assert!(!t.is_provisional(received));
    assert!(t.touches_provisional(received, due));
    let cal = calendar();
    assert_eq!(cal.day_kind(d("2027-01-01")).unwrap(), DayKind::Holiday);
    assert_eq!(cal.holiday_name(d("2027-01-01")), Some("元旦"));
    // 春节 2027 under the rule: 除夕 2-5 and 初一 to 初三 (2-6 to 2-8), no make-up days.
    for day in ["2027-02-05", "2027-02-08"] {
        assert_eq!(cal.day_kind(d(day)).unwrap(), DayKind::Holiday, "{day}");
    }
    assert_eq!(cal.day_kind(d("2027-02-09")).unwrap(), DayKind::Workday);
    assert_eq!(cal.day_kind(d("2027-01-09")).unwrap(), DayKind::Weekend);
}

#[test]
fn bdays_callers_see_makeup_saturdays_as_business_days() {
    let cal: &Calendar = calendar();
    assert!(cal.is_bday(d("2024-10-12")));
    assert!(!cal.is_bday(d("2024-10-07")));
    assert_eq!(cal.advance_bdays(d("2024-09-30"), 5), d("2024-10-12"));
    assert_eq!(cal.bdays(d("2024-09-30"), d("2024-10-12")), 5);
}

#[test]
fn the_reminder_falls_one_working_day_before_the_deadline_at_nine() {
    let t = timeline();
    let due = t.due_at(at("2024-09-30T10:00:00+08:00"), wd(5)).unwrap();
    let reminder = t.working_days_before_at_hour(due, 1, 9).unwrap();
    assert_eq!(t.format_local(reminder), "2024-10-11T09:00:00+08:00");
    let overdue3 = t.working_days_after_at_hour(due, 3, 9).unwrap();
    assert_eq!(t.format_local(overdue3), "2024-10-16T09:00:00+08:00");
}

proptest! {
    #[test]
    fn adding_working_days_then_counting_them_round_trips(offset in 0u64..3287, n in 0u32..400) {
        let cal = calendar();
        let start = cal.first_date() + chrono::Days::new(offset);
        match cal.add_working_days(start, n) {
            Ok(end) => {
                prop_assert_eq!(cal.working_days_between(start, end).unwrap(), i64::from(n));
                prop_assert_eq!(cal.working_days_between(end, start).unwrap(), -i64::from(n));
                if n > 0 {
                    prop_assert!(end > start);
                    prop_assert!(cal.is_workday(end).unwrap());
                    match cal.sub_working_days(end, n) {
                        Ok(back) => prop_assert!(back <= start),
                        // Going back from near the first covered day may leave the data (2018-01-01 is a holiday).
                        Err(CalendarError::OutOfRange { date, .. }) => {
                            prop_assert!(date < cal.first_date());
                            prop_assert!(cal.working_days_between(cal.first_date(), start).unwrap() < i64::from(n));
                        }
                    }
                }
            }
            Err(CalendarError::OutOfRange { date, .. }) => prop_assert_eq!(date, d("2028-01-01")),
        }
    }

    #[test]
    fn adding_working_days_is_strictly_monotonic(offset in 0u64..3200, n in 0u32..300) {
        let cal = calendar();
        let start = cal.first_date() + chrono::Days::new(offset);
        if let (Ok(a), Ok(b)) = (cal.add_working_days(start, n), cal.add_working_days(start, n + 1)) {
            prop_assert!(a < b);
            prop_assert_eq!(cal.working_days_between(a, b).unwrap(), 1);
        }
        let next_day = start + chrono::Days::new(1);
        if let (Ok(a), Ok(b)) = (cal.add_working_days(start, n), cal.add_working_days(next_day, n)) {
            prop_assert!(a <= b);
        }
    }

    #[test]
    fn a_deadline_is_always_the_end_of_a_working_day_after_receipt(secs in 1_514_736_000i64..1_798_000_000, n in 1u32..=60) {
        let t = timeline();
        let received = DateTime::from_timestamp(secs, 0).unwrap();
        if let Ok(due) = t.due_at(received, wd(n)) {
            let local = t.format_local(due);
            prop_assert!(local.ends_with("T23:59:59+08:00"), "{}", local);
            prop_assert!(t.calendar().is_workday(t.local_date(due)).unwrap());
            prop_assert_eq!(t.working_days_taken(received, due).unwrap(), i64::from(n));
        }
    }
}

fn run_cli(cmd: &CalendarCommand, dir: &Path) -> (Result<(), String>, String) {
    let mut out = Vec::new();
    let cx = CliContext {
        dir,
        tz: chrono_tz::Asia::Shanghai,
        today: d("2026-12-02"),
        warn_days: 60,
    };
    let result = run(cmd, &cx, &mut out);
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn the_days_command_prints_csv_with_kinds() {
    let cmd = CalendarCommand::Days {
        from: d("2024-09-28"),
        to: d("2024-10-02"),
    };
    let (result, out) = run_cli(&cmd, Path::new(DIR));
    result.unwrap();
    assert_eq!(
        out,
        "date,is_workday,kind\n\
         2024-09-28,false,weekend\n\
         2024-09-29,true,makeup_workday\n\
         2024-09-30,true,workday\n\
         2024-10-01,false,holiday\n\
         2024-10-02,false,holiday\n"
    );
}

#[test]
fn the_days_command_rejects_dates_outside_the_calendar() {
    let cmd = CalendarCommand::Days {
        from: d("2027-12-30"),
        to: d("2028-01-02"),
    };
    let (result, out) = run_cli(&cmd, Path::new(DIR));
    assert!(result
        .unwrap_err()
        .contains("2028-01-02 is outside the working-day calendar"));
    assert!(out.is_empty());
    let reversed = CalendarCommand::Days {
        from: d("2024-01-02"),
        to: d("2024-01-01"),
    };
    assert!(run_cli(&reversed, Path::new(DIR)).0.is_err());
}

#[test]
fn the_deadline_command_ends_with_the_due_time() {
    let cmd = CalendarCommand::Deadline {
        received_at: DateTime::parse_from_rfc3339("2024-09-30T10:00:00+08:00").unwrap(),
        working_days: 5,
    };
    let (result, out) = run_cli(&cmd, Path::new(DIR));
    result.unwrap();
    assert_eq!(out.lines().last(), Some("2024-10-12T23:59:59+08:00"));
    assert!(
        out.contains("2024-10-12 Sat makeup_workday (国庆节调休)"),
        "{out}"
    );
}

#[test]
fn the_deadline_command_rejects_zero_working_days() {
    let cmd = CalendarCommand::Deadline {
        received_at: DateTime::parse_from_rfc3339("2024-09-30T10:00:00+08:00").unwrap(),
        working_days: 0,
    };
    assert!(run_cli(&cmd, Path::new(DIR))
        .0
        .unwrap_err()
        .contains("--working-days"));
}

#[test]
fn the_check_command_accepts_the_shipped_calendar() {
    let (result, out) = run_cli(&CalendarCommand::Check { strict: false }, Path::new(DIR));
    result.unwrap();
    assert!(
        out.starts_with("ok: config/calendar covers 2018-01-01 to 2026-12-31 (9 years"),
        "{out}"
    );
    assert!(out.contains("2027: provisional (暂定)"), "{out}");
    // On 2 December the next 60 days run into the provisional year: a warning, and with
    // --strict a failure (for monitoring).
    assert!(
        out.contains(
            "warning: the official working-day calendar ends on 2026-12-31 (29 days from today)"
        ),
        "{out}"
    );
    let (strict, _) = run_cli(&CalendarCommand::Check { strict: true }, Path::new(DIR));
    assert!(strict.unwrap_err().starts_with("--strict: "));
}

#[test]
fn the_deadline_command_marks_a_provisional_deadline() {
    let cmd = CalendarCommand::Deadline {
        received_at: DateTime::parse_from_rfc3339("2026-12-20T10:00:00+08:00").unwrap(),
        working_days: 15,
    };
    let (result, out) = run_cli(&cmd, Path::new(DIR));
    result.unwrap();
    assert_eq!(out.lines().last(), Some("2027-01-11T23:59:59+08:00"));
    assert!(
        out.contains("day 10:    2027-01-04 Mon workday provisional"),
        "{out}"
    );
    assert!(
        out.contains("provisional (暂定): the official calendar ends on 2026-12-31"),
        "{out}"
    );
}

#[test]
fn the_check_command_lists_every_problem_in_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "2024.toml",
        r#"year = 2024
notice = "国务院办公厅关于2024年部分节假日安排的通知"

[[holiday]]
name = "国庆节"
start = 2024-10-01
end = 2024-10-07

[[holiday]]
name = "中秋节"
start = 2024-10-07
end = 2024-10-08

[[makeup]]
name = "国庆节调休"
date = 2024-10-11
"#,
    );
    write(
        "2026.toml",
        r#"year = 2026
notice = "国务院办公厅关于2026年部分节假日安排的通知"

[[holiday]]
name = "元旦"
start = "2026-01-xx"
end = 2026-01-03
"#,
    );
    write("notes.txt", "not a calendar file");
    let (result, _) = run_cli(&CalendarCommand::Check { strict: false }, dir.path());
    let message = result.unwrap_err();
    assert!(message.contains("has 4 problems"), "{message}");
    assert!(message.contains("2024.toml: year 2024: holiday #2 \"中秋节\" (2024-10-07 to 2024-10-08): overlaps holiday #1 \"国庆节\""), "{message}");
    assert!(message.contains("make-up day #1 \"国庆节调休\" (2024-10-11): a make-up working day must be a Saturday or Sunday"), "{message}");
    assert!(
        message.contains("2026.toml: year 2026: holiday #1 \"元旦\": `start` is not a date"),
        "{message}"
    );
    let gap = format!("{}: year 2025: no data for 2025", dir.path().display());
    assert!(message.contains(&gap), "{message}");
}

#[test]
fn the_check_command_reports_a_missing_directory() {
    let (result, _) = run_cli(
        &CalendarCommand::Check { strict: false },
        Path::new("config/no-such-dir"),
    );
    assert!(result
        .unwrap_err()
        .contains("cannot read calendar directory"));
}

#[test]
fn loading_a_broken_directory_fails_with_the_same_problems_as_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("2024.toml"), "year = 2024\nnotice = \"n\"\n[[holiday]]\nname = \"x\"\nstart = 2024-10-07\nend = 2024-10-01\n").unwrap();
    let err = Calendar::load_dir(dir.path()).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(err
        .to_string()
        .contains("range ends (2024-10-01) before it starts (2024-10-07)"));
}
