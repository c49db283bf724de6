//! The one place the pages get their figures from: the month's counts per department and office, the queue of pending messages, and each clerk's workload.
//!
//! The month's received/replied counts, the rates and the department ranking come from
//! `crate::stats` (the one implementation of the statistics' definitions); nothing here
//! computes a rate.

use chrono::{DateTime, Datelike, Utc};

use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::messages::model::{self, MessageFilter};
use crate::messages::{critical_threshold, Status};
use crate::sla::Timeline;
use crate::stats::{self, Precision};

/// Shown where a rate is not available.
pub const NO_RATE: &str = "—";

/// A calendar month in the office's time zone, as Unix seconds `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub start: i64,
    pub end: i64,
}

impl Month {
    /// The month `now` falls in (its bounds for the per-clerk and alert lists), cut where the
    /// statistics cut it: [`stats::Period`].
    pub fn of(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Month {
        let period = stats::Period::month_of(now, tz);
        let (start, end) = period.bounds(tz);
        let local = now.with_timezone(&tz).date_naive();
        Month {
            year: local.year(),
            month: local.month(),
            start,
            end,
        }
    }

    /// `2026-11`, the period of the monthly report pages.
    pub fn period(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `2026年11月`.
    pub fn label(&self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// The month's figures of a department or the whole office.
#[derive(Debug, Clone, Default)]
pub struct MonthFigures {
    /// Valid messages received this month.
    pub received: i64,
    /// Of those, answered.
    pub replied: i64,
    /// 办结率 as the report writes it, or "—".
    pub completion_rate: String,
    /// 按期答复率, or "—".
    pub on_time_rate: String,
}

fn count(conn: &mut DbConnection, filter: &MessageFilter) -> Result<i64, AppError> {
    Ok(model::list(conn, filter, 1, 1)?.1)
}

fn count_pending(conn: &mut DbConnection, filter: &MessageFilter) -> Result<i64, AppError> {
    Ok(model::list_pending(conn, filter, 1, 1)?.1)
}

impl MonthFigures {
    fn from_stats(f: &stats::Figures, rounding: Precision) -> MonthFigures {
        MonthFigures {
            received: f.received,
            replied: f.replied,
            completion_rate: f.completion_rate().format(rounding),
            on_time_rate: f.on_time_rate().format(rounding),
        }
    }
}

/// The month's figures of a department or the whole office, as of `now`, by the statistics' definitions.
pub fn month_figures(
    conn: &mut DbConnection,
    department: Option<&str>,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
    rounding: Precision,
) -> Result<MonthFigures, AppError> {
    let scope = stats::Scope {
        department: department.map(str::to_string),
        channel: None,
    };
    let f = stats::figures(conn, &stats::Period::month_of(now, tz), &scope, now, tz)?;
    Ok(MonthFigures::from_stats(&f, rounding))
}

/// The queue of messages still awaiting an answer.
#[derive(Debug, Clone, Default)]
pub struct QueueCounts {
    pub pending: i64,
    pub overdue: i64,
    /// Open, not overdue, due today or on the next working day.
    pub due_soon: i64,
    pub paused: i64,
    /// Unanswered for more than three calendar months.
    pub critical: i64,
}

/// The instant before which an open message is due today or on the next working day.
pub fn due_soon_before(tl: &Timeline, now: DateTime<Utc>) -> Option<i64> {
    // Midnight after the next working day: hour 24 of working day +1.
    tl.working_days_after_at_hour(now, 1, 24)
        .ok()
        .map(|t| t.timestamp())
}

/// Counts of the pending queue of a department (or of every department).
pub fn queue_counts(
    conn: &mut DbConnection,
    department: Option<&str>,
    tl: &Timeline,
    now: DateTime<Utc>,
) -> Result<QueueCounts, AppError> {
    let base = MessageFilter {
        department: department.map(str::to_string),
        ..Default::default()
    };
    let overdue = count(
        conn,
        &MessageFilter {
            overdue_at: Some(now.timestamp()),
            ..base.clone()
        },
    )?;
    let due_soon = match due_soon_before(tl, now) {
        Some(before) => {
            count(
                conn,
                &MessageFilter {
                    status: Some(Status::Open),
                    due_before: Some(before),
                    ..base.clone()
                },
            )? - overdue
        }
        None => 0,
    };
    Ok(QueueCounts {
        pending: count_pending(conn, &base)?,
        overdue,
        due_soon,
        paused: count(
            conn,
            &MessageFilter {
                status: Some(Status::Paused),
                ..base.clone()
            },
        )?,
        critical: count_pending(
            conn,
            &MessageFilter {
                received_to: Some(critical_threshold(now, tl.tz())),
                ..base
            },
        )?,
    })
}

/// One department's line on the leader's overview.
#[derive(Debug, Clone)]
pub struct DepartmentLine {
    pub code: String,
    pub name: String,
    pub month: MonthFigures,
    pub queue: QueueCounts,
}

/// Every department in the statistics' ranking for the month (on-time rate, then completion
/// rate, then volume); departments without messages this month come last.
pub fn by_department(
    conn: &mut DbConnection,
    tl: &Timeline,
    now: DateTime<Utc>,
    rounding: Precision,
) -> Result<Vec<DepartmentLine>, AppError> {
    let ranked = stats::by_department(
        conn,
        &stats::Period::month_of(now, tl.tz()),
        now,
        tl.tz(),
        rounding.rounding,
    )?;
    let mut lines = Vec::new();
    for d in &ranked {
        lines.push(DepartmentLine {
            month: MonthFigures::from_stats(&d.figures, rounding),
            queue: queue_counts(conn, Some(&d.code), tl, now)?,
            code: d.code.clone(),
            name: d.name.clone(),
        });
    }
    for d in directory::list_departments(conn)? {
        if !ranked.iter().any(|r| r.code == d.code) {
            lines.push(DepartmentLine {
                month: MonthFigures {
                    completion_rate: NO_RATE.into(),
                    on_time_rate: NO_RATE.into(),
                    ..Default::default()
                },
                queue: queue_counts(conn, Some(&d.code), tl, now)?,
                code: d.code,
                name: d.name,
            });
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_local_midnight_of_the_first_to_the_next_first() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T23:30:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let m = Month::of(now, chrono_tz::Asia::Shanghai);
        assert_eq!(m.period(), "2026-11");
        let start = DateTime::parse_from_rfc3339("2026-11-01T00:00:00+08:00").unwrap();
        let end = DateTime::parse_from_rfc3339("2026-12-01T00:00:00+08:00").unwrap();
        assert_eq!((m.start, m.end), (start.timestamp(), end.timestamp()));
    }
}
