//! `huiyin calendar …` subcommands: list day kinds, compute a deadline, check the data files.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use crate::calendar::Calendar;
use crate::sla::{Timeline, WorkingDays};

/// Working-day calendar tools.
#[derive(clap::Subcommand, Debug)]
pub enum CalendarCommand {
    /// Prints CSV `date,is_workday,kind` for every date from --from to --to (inclusive).
    Days {
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long)]
        to: NaiveDate,
    },
    /// Computes a reply deadline; the last line is the due time in RFC 3339 with offset,
    /// e.g. 2024-10-11T23:59:59+08:00.
    Deadline {
        /// When the message was received, RFC 3339, e.g. 2024-09-30T10:00:00+08:00.
        #[arg(long)]
        received_at: DateTime<FixedOffset>,
        /// Working days allowed (1 to 60).
        #[arg(long)]
        working_days: u32,
    },
    /// Validates the calendar files; exits non-zero listing every problem.
    Check {
        /// Also exit non-zero when the next `calendar.warn_days` days are not all covered by
        /// an official notice (for monitoring: a provisional year is coming).
        #[arg(long)]
        strict: bool,
    },
    /// Validates the calendar files, then recomputes every stored deadline, working-days
    /// figure and verdict that a newly installed official year changes. A running service
    /// does the same on SIGHUP, on its own within a sweep interval, or from the admin page.
    Reload,
}

/// What the calendar tools need besides the command: the files, the time zone and today.
pub struct CliContext<'a> {
    pub dir: &'a Path,
    pub tz: Tz,
    /// Today in the office's time zone.
    pub today: NaiveDate,
    /// How many days ahead `check --strict` requires official coverage.
    pub warn_days: u32,
}

/// Runs a calendar subcommand; writes to `out`. Returns `Err(message)` on failure (the caller
/// prints it and exits 1).
/// `Reload` needs the database and is run by the caller after `Check` passes.
pub fn run(cmd: &CalendarCommand, cx: &CliContext, out: &mut dyn Write) -> Result<(), String> {
    match cmd {
        CalendarCommand::Days { from, to } => days(&load(cx)?, *from, *to, out),
        CalendarCommand::Deadline {
            received_at,
            working_days,
        } => deadline(load(cx)?, cx.tz, *received_at, *working_days, out),
        CalendarCommand::Check { strict } => check(cx, *strict, out),
        CalendarCommand::Reload => check(cx, false, out),
    }
}

fn load(cx: &CliContext) -> Result<Calendar, String> {
    let dir = cx.dir;
    Calendar::load_dir_through(dir, cx.today.year() + 1).map_err(|e| {
        format!(
            "the working-day calendar in {} is invalid:\n{e}",
            dir.display()
        )
    })
}

fn write_err(e: std::io::Error) -> String {
    format!("cannot write output: {e}")
}

fn days(
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), String> {
    if to < from {
        return Err(format!("--to ({to}) is before --from ({from})"));
    }
    // Check both ends first so nothing is printed for a range that cannot be completed.
    calendar.day_kind(from).map_err(|e| e.to_string())?;
    calendar.day_kind(to).map_err(|e| e.to_string())?;
    writeln!(out, "date,is_workday,kind").map_err(write_err)?;
    for date in from.iter_days().take_while(|d| *d <= to) {
        let kind = calendar.day_kind(date).map_err(|e| e.to_string())?;
        writeln!(out, "{date},{},{kind}", kind.is_workday()).map_err(write_err)?;
    }
    Ok(())
}

fn weekday(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

fn describe(calendar: &Calendar, d: NaiveDate) -> Result<String, String> {
    let kind = calendar.day_kind(d).map_err(|e| e.to_string())?;
    let mut line = match calendar.holiday_name(d) {
        Some(name) => format!("{d} {} {kind} ({name})", weekday(d)),
        None => format!("{d} {} {kind}", weekday(d)),
    };
    if calendar.is_provisional(d) {
        line.push_str(" provisional");
    }
    Ok(line)
}

fn deadline(
    calendar: Calendar,
    tz: Tz,
    received_at: DateTime<FixedOffset>,
    working_days: u32,
    out: &mut dyn Write,
) -> Result<(), String> {
    let days = WorkingDays::new(working_days).map_err(|e| format!("--working-days: {e}"))?;
    let timeline = Timeline::new(Arc::new(calendar), tz);
    let received = received_at.with_timezone(&Utc);
    let due = timeline.due_at(received, days).map_err(|e| e.to_string())?;
    let calendar = timeline.calendar();
    let local = timeline.local_date(received);
    let mut lines = vec![
        format!("received:  {} in {tz}", timeline.format_local(received)),
        format!(
            "receipt:   {} (does not count)",
            describe(&calendar, local)?
        ),
    ];
    let mut day = local;
    for n in 1..=days.get() {
        day = calendar
            .add_working_days(day, 1)
            .map_err(|e| e.to_string())?;
        lines.push(format!(
            "{:<11}{}",
            format!("day {n}:"),
            describe(&calendar, day)?
        ));
    }
    if calendar.is_provisional(timeline.local_date(due)) {
        lines.push(format!(
            "provisional (暂定): the official calendar ends on {}; this deadline follows the statutory rule and may move when the notice is installed",
            calendar.official_last_date()
        ));
    }
    lines.push(timeline.format_local(due));
    for line in lines {
        writeln!(out, "{line}").map_err(write_err)?;
    }
    Ok(())
}

fn check(cx: &CliContext, strict: bool, out: &mut dyn Write) -> Result<(), String> {
    let dir = cx.dir;
    match Calendar::load_dir_through(dir, cx.today.year() + 1) {
        Ok(calendar) => {
            let first = calendar.first_date();
            let last = calendar.official_last_date();
            let (mut holidays, mut makeups) = (0, 0);
            for d in first.iter_days().take_while(|d| *d <= last) {
                match calendar.day_kind(d) {
                    Ok(crate::calendar::DayKind::Holiday) => holidays += 1,
                    Ok(crate::calendar::DayKind::MakeupWorkday) => makeups += 1,
                    _ => {}
                }
            }
            writeln!(
                out,
                "ok: {} covers {first} to {last} ({} years, {holidays} holiday days, {makeups} make-up working days)",
                dir.display(),
                last.year() - first.year() + 1
            )
            .map_err(write_err)?;
            for (year, notice) in calendar.notices() {
                writeln!(out, "  {year}: {notice}").map_err(write_err)?;
            }
            let coverage = crate::calendar::Coverage::of(&calendar, cx.today, cx.warn_days);
            for year in calendar.provisional_years() {
                writeln!(
                    out,
                    "  {year}: provisional (暂定): weekends and the statutory holidays only, until its notice is installed"
                )
                .map_err(write_err)?;
            }
            if let Some(warning) = coverage.warning() {
                writeln!(out, "warning: {warning}").map_err(write_err)?;
                if strict {
                    return Err(format!("--strict: {warning}"));
                }
            }
            Ok(())
        }
        Err(e) => {
            let n = e.problems().len();
            Err(format!(
                "{} has {n} problem{}:\n{e}",
                dir.display(),
                if n == 1 { "" } else { "s" }
            ))
        }
    }
}
