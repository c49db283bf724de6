//! Reply-rate statistics: the one definition of every figure a bulletin (通报) prints, computed by SQL aggregates.
//!
//! Definitions (also in `docs/reports.md` and printed in each report):
//! - **Received cohort**: messages received in the period (local time). Invalid ones are
//!   excluded and counted separately. *Replied* (办结) = replied at or before the as-of time;
//!   completion rate (办结率) = replied / received; *same day* (当日答复) = replied on the
//!   local calendar date of receipt; average and median working days to reply (from
//!   `working_days_taken`, stored at reply time by the timeline); *still open*; *open and
//!   overdue* (open, not paused, past its deadline at the as-of time).
//! - **Due cohort**: messages whose current deadline falls in the period. Replied on time,
//!   replied late, overdue and still open; on-time rate (按期答复率) = on time / due, the office's
//!   count; and the inspectors' count from receipt (按期答复率（自受理起计）) = replied by
//!   `original_due_at` (the limit before extensions and pauses) / due.
//! - **Critical**: unanswered for more than three calendar months at the as-of time
//!   ([`crate::messages::critical_threshold`]), whatever the period.
//! - A transferred message counts for the department that holds it at the as-of time.

pub mod period;
pub mod rate;
pub mod sql;

use std::collections::BTreeMap;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::sla::Channel;

pub use period::Period;
pub use rate::{Change, CountChange, Precision, Rate, Rounding};

/// Which messages a figure covers: all, one department, one channel, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub department: Option<String>,
    pub channel: Option<Channel>,
}

impl Scope {
    /// The key reports are stored under: `all`, `department:zjj`, `channel:website_error`, or both joined by `;`.
    pub fn key(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.department {
            parts.push(format!("department:{d}"));
        }
        if let Some(c) = self.channel {
            parts.push(format!("channel:{}", c.as_str()));
        }
        if parts.is_empty() {
            "all".into()
        } else {
            parts.join(";")
        }
    }

    fn filter(&self) -> sql::Filter<'_> {
        sql::Filter {
            department: self.department.as_deref(),
            channel: self.channel.map(|c| c.as_str()),
        }
    }
}

/// The counts of one period and scope. Counts add up across groups; medians do not (kept per total).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Received in the period, invalid ones excluded.
    pub received: i64,
    /// Received in the period and marked invalid (not in `received`).
    pub invalid: i64,
    /// Of `received`, replied at the as-of time (办结).
    pub replied: i64,
    /// Of `replied`, answered on the local date of receipt (当日答复).
    pub same_day: i64,
    /// Sum of working days taken over `replied` (for the average).
    pub working_days_sum: i64,
    /// Median working days taken over `replied`, in hundredths; `None` with no replies or not computed for this group.
    pub median_working_days_hundredths: Option<i64>,
    /// Of `received`, not yet replied (open or paused).
    pub still_open: i64,
    /// Of `still_open`, paused waiting for the citizen.
    pub paused: i64,
    /// Of `still_open`, open past the deadline at the as-of time.
    pub open_overdue: i64,
    /// Deadline in the period, invalid ones excluded.
    pub due: i64,
    /// Of `due`, replied by the deadline.
    pub replied_on_time: i64,
    /// Of `due`, replied by the original limit counted from receipt (`original_due_at`, before
    /// extensions and pauses): what an inspector counts as on time.
    #[serde(default)]
    pub replied_on_time_original: i64,
    /// Of `due`, replied after the deadline.
    pub replied_late: i64,
    /// Of `due`, unanswered and past the deadline at the as-of time.
    pub due_overdue_open: i64,
    /// Unanswered more than three calendar months at the as-of time (any receipt date).
    pub critical: i64,
    /// Of `received`, website error reports found 属实 (the error was real).
    #[serde(default)]
    pub confirmed: i64,
    /// Of `received`, website error reports found 不属实.
    #[serde(default)]
    pub not_confirmed: i64,
    /// Messages the department returned to the office in the period as not its business.
    #[serde(default)]
    pub returned: i64,
    /// Of `returned`, returned within `[handling] return_within_working_days` of assignment.
    #[serde(default)]
    pub returned_on_time: i64,
    /// Messages the department (or the office on its behalf) transferred straight to another
    /// department in the period (转办), counted for the department they left.
    #[serde(default)]
    pub transferred: i64,
}

impl Figures {
    /// 办结率 = replied / received.
    pub fn completion_rate(&self) -> Rate {
        Rate::new(self.replied, self.received)
    }

    /// 按期答复率 = replied on time / due.
    pub fn on_time_rate(&self) -> Rate {
        Rate::new(self.replied_on_time, self.due)
    }

    /// 按期答复率（自受理起计）, the inspector's: replied by the original limit / due.
    pub fn inspector_on_time_rate(&self) -> Rate {
        Rate::new(self.replied_on_time_original, self.due)
    }

    /// 属实率 = confirmed / (confirmed + not confirmed): of the judged error reports, the real ones.
    pub fn confirmed_rate(&self) -> Rate {
        Rate::new(self.confirmed, self.confirmed + self.not_confirmed)
    }

    /// 当日答复率 = same-day replies / received.
    pub fn same_day_rate(&self) -> Rate {
        Rate::new(self.same_day, self.received)
    }

    /// Of `due`, neither replied nor overdue yet (deadline still ahead, or paused).
    pub fn due_pending(&self) -> i64 {
        self.due - self.replied_on_time - self.replied_late - self.due_overdue_open
    }

    /// Average working days to reply, in hundredths.
    pub fn average_working_days_hundredths(&self, rounding: Rounding) -> Option<i64> {
        rate::mean_hundredths(self.working_days_sum, self.replied, rounding)
    }

    fn add_received(&mut self, r: &sql::ReceivedRow) {
        self.received += r.received;
        self.invalid += r.invalid;
        self.replied += r.replied;
        self.same_day += r.same_day;
        self.working_days_sum += r.working_days_sum;
        self.still_open += r.received - r.replied;
        self.paused += r.paused;
        self.open_overdue += r.open_overdue;
        self.confirmed += r.confirmed;
        self.not_confirmed += r.not_confirmed;
    }

    fn add_due(&mut self, r: &sql::DueRow) {
        self.due += r.due;
        self.replied_on_time += r.replied_on_time;
        self.replied_on_time_original += r.replied_on_time_original;
        self.replied_late += r.replied_late;
        self.due_overdue_open += r.overdue_open;
    }
}

/// A late message named on a department's 核查清单.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueItem {
    pub id: i64,
    pub channel: String,
    pub category: String,
    /// Subject with ID-card and phone numbers masked.
    pub subject: String,
    pub site_name: Option<String>,
    pub received_at: i64,
    pub due_at: i64,
    /// `None`: still unanswered at the as-of time; `Some`: replied late.
    pub replied_at: Option<i64>,
}

/// One department's figures, its rank position and its late messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFigures {
    pub code: String,
    pub name: String,
    pub figures: Figures,
    pub overdue: Vec<OverdueItem>,
}

/// Figures of one value of a breakdown (a channel, a category, a site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedFigures {
    pub key: String,
    pub figures: Figures,
}

/// Everything one report needs from one period, from a handful of grouped queries.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub total: Figures,
    pub by_channel: Vec<KeyedFigures>,
    pub by_category: Vec<KeyedFigures>,
    /// Website-error channel only, by site name.
    pub by_site: Vec<KeyedFigures>,
    /// Ranked (see [`rank`]); every department in the directory that the scope covers.
    pub by_department: Vec<DepartmentFigures>,
}

/// Most late messages listed per report, oldest deadlines first (all are still counted).
pub const OVERDUE_LIST_LIMIT: i64 = 2_000;

/// The office's UTC offset at the start of the period, in seconds (the same-day test in SQL).
fn utc_offset(tz: Tz, at: i64) -> i64 {
    let t = DateTime::from_timestamp(at, 0).unwrap_or_default();
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// Totals of one period and scope.
pub fn figures(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: Tz,
) -> Result<Figures, AppError> {
    let bounds = period.bounds(tz);
    let filter = scope.filter();
    let mut total = totals(conn, bounds, scope, as_of, tz)?;
    total.critical = sql::critical(
        conn,
        crate::messages::critical_threshold(as_of, tz),
        &filter,
    )?
    .iter()
    .map(|r| r.critical)
    .sum();
    Ok(total)
}

/// Counts and median of one range, without the critical figure (comparisons).
pub fn totals(
    conn: &mut DbConnection,
    bounds: (i64, i64),
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: Tz,
) -> Result<Figures, AppError> {
    let mut total = counts(conn, bounds, scope, as_of, tz)?;
    let histogram = sql::working_days_histogram(conn, bounds, as_of.timestamp(), &scope.filter())?;
    total.median_working_days_hundredths = medians(&histogram).0;
    Ok(total)
}

/// Counts of one range: no median, no critical figure (the trend chart).
pub fn counts(
    conn: &mut DbConnection,
    bounds: (i64, i64),
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: Tz,
) -> Result<Figures, AppError> {
    let filter = scope.filter();
    let at = as_of.timestamp();
    let mut total = Figures::default();
    for r in sql::received(
        conn,
        bounds,
        sql::Grouping::Detail,
        at,
        utc_offset(tz, bounds.0),
        &filter,
    )? {
        total.add_received(&r);
    }
    for r in sql::due(conn, bounds, sql::Grouping::Detail, at, &filter)? {
        total.add_due(&r);
    }
    Ok(total)
}

/// Counts of consecutive ranges (`bounds[i]..bounds[i+1]`, ascending) in one pass per cohort:
/// the trend chart and the comparisons. No medians, no critical figure.
pub fn counts_by_range(
    conn: &mut DbConnection,
    bounds: &[i64],
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Figures>, AppError> {
    let n = bounds.len().saturating_sub(1);
    let mut out = vec![Figures::default(); n];
    if n == 0 {
        return Ok(out);
    }
    let filter = scope.filter();
    let at = as_of.timestamp();
    let grouping = sql::Grouping::Buckets(bounds);
    let whole = (bounds[0], bounds[n]);
    for r in sql::received(
        conn,
        whole,
        grouping,
        at,
        utc_offset(tz, bounds[0]),
        &filter,
    )? {
        if let Some(f) = usize::try_from(r.bucket).ok().and_then(|i| out.get_mut(i)) {
            f.add_received(&r);
        }
    }
    for r in sql::due(conn, whole, grouping, at, &filter)? {
        if let Some(f) = usize::try_from(r.bucket).ok().and_then(|i| out.get_mut(i)) {
            f.add_due(&r);
        }
    }
    Ok(out)
}

/// The overall median and each department's, from the working-days histogram.
fn medians(rows: &[sql::DaysRow]) -> (Option<i64>, BTreeMap<String, i64>) {
    let mut all: BTreeMap<i64, i64> = BTreeMap::new();
    let mut per: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for r in rows {
        *all.entry(r.days).or_default() += r.n;
        per.entry(r.department_code.clone())
            .or_default()
            .push((r.days, r.n));
    }
    let all: Vec<(i64, i64)> = all.into_iter().collect();
    let per = per
        .into_iter()
        .filter_map(|(code, h)| sql::median_hundredths(&h).map(|m| (code, m)))
        .collect();
    (sql::median_hundredths(&all), per)
}

/// Departments ranked by on-time rate, then completion rate, then volume (as printed under `rounding`).
pub fn by_department(
    conn: &mut DbConnection,
    period: &Period,
    as_of: DateTime<Utc>,
    tz: Tz,
    rounding: Rounding,
) -> Result<Vec<DepartmentFigures>, AppError> {
    Ok(snapshot(conn, period, &Scope::default(), as_of, tz, rounding)?.by_department)
}

/// All figures and breakdowns of one period and scope.
pub fn snapshot(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: Tz,
    rounding: Rounding,
) -> Result<Snapshot, AppError> {
    let bounds = period.bounds(tz);
    let filter = scope.filter();
    let at = as_of.timestamp();
    let received = sql::received(
        conn,
        bounds,
        sql::Grouping::Detail,
        at,
        utc_offset(tz, bounds.0),
        &filter,
    )?;
    let due = sql::due(conn, bounds, sql::Grouping::Detail, at, &filter)?;
    let critical = sql::critical(
        conn,
        crate::messages::critical_threshold(as_of, tz),
        &filter,
    )?;

    let mut total = Figures::default();
    let mut channels: BTreeMap<String, Figures> = BTreeMap::new();
    let mut categories: BTreeMap<String, Figures> = BTreeMap::new();
    let mut sites: BTreeMap<String, Figures> = BTreeMap::new();
    let mut departments: BTreeMap<String, Figures> = BTreeMap::new();
    let site_of = |channel: &str, site: &Option<String>| {
        (channel == Channel::WebsiteError.as_str()).then(|| site.clone().unwrap_or_default())
    };
    for r in &received {
        for f in [
            Some(&mut total),
            Some(channels.entry(r.channel.clone()).or_default()),
            Some(categories.entry(r.category.clone()).or_default()),
            Some(departments.entry(r.department_code.clone()).or_default()),
        ]
        .into_iter()
        .flatten()
        {
            f.add_received(r);
        }
        if let Some(site) = site_of(&r.channel, &r.site_name) {
            sites.entry(site).or_default().add_received(r);
        }
    }
    for r in &due {
        for f in [
            &mut total,
            channels.entry(r.channel.clone()).or_default(),
            categories.entry(r.category.clone()).or_default(),
            departments.entry(r.department_code.clone()).or_default(),
        ] {
            f.add_due(r);
        }
        if let Some(site) = site_of(&r.channel, &r.site_name) {
            sites.entry(site).or_default().add_due(r);
        }
    }
    for r in &critical {
        total.critical += r.critical;
        channels.entry(r.channel.clone()).or_default().critical += r.critical;
        categories.entry(r.category.clone()).or_default().critical += r.critical;
        departments
            .entry(r.department_code.clone())
            .or_default()
            .critical += r.critical;
        if let Some(site) = site_of(&r.channel, &r.site_name) {
            sites.entry(site).or_default().critical += r.critical;
        }
    }
    let (median, by_department) = medians(&sql::working_days_histogram(conn, bounds, at, &filter)?);
    total.median_working_days_hundredths = median;
    for (code, m) in by_department {
        departments
            .entry(code)
            .or_default()
            .median_working_days_hundredths = Some(m);
    }

    let mut late: BTreeMap<String, Vec<OverdueItem>> = BTreeMap::new();
    for r in sql::overdue(conn, bounds, at, OVERDUE_LIST_LIMIT, &filter)? {
        late.entry(r.department_code.clone())
            .or_default()
            .push(OverdueItem {
                id: r.id,
                channel: r.channel,
                category: r.category,
                // Reports leave the department: masked as for any outside reader.
                subject: crate::privacy::mask_text_of(
                    &r.subject,
                    &crate::privacy::Citizen {
                        name: r.citizen_name,
                        phone: r.citizen_phone,
                        email: r.citizen_email,
                    },
                ),
                site_name: r.site_name,
                received_at: r.received_at,
                due_at: r.due_at,
                replied_at: r.replied_at,
            });
    }

    for (code, h) in sql::handoffs_by_department(conn, bounds)? {
        if scope.department.as_ref().is_none_or(|s| *s == code) {
            for f in [&mut total, departments.entry(code).or_default()] {
                f.returned += h.returned;
                f.returned_on_time += h.returned_on_time;
                f.transferred += h.transferred;
            }
        }
    }

    let mut by_department = Vec::new();
    for d in directory::list_departments(conn)? {
        if scope.department.as_ref().is_some_and(|s| *s != d.code) {
            continue;
        }
        by_department.push(DepartmentFigures {
            figures: departments.remove(&d.code).unwrap_or_default(),
            overdue: late.remove(&d.code).unwrap_or_default(),
            code: d.code,
            name: d.name,
        });
    }
    rank(&mut by_department, rounding);

    let keyed = |m: BTreeMap<String, Figures>| {
        m.into_iter()
            .map(|(key, figures)| KeyedFigures { key, figures })
            .collect::<Vec<_>>()
    };
    let mut by_channel = keyed(channels);
    // Channels in their display order rather than alphabetically.
    by_channel.sort_by_key(|k| {
        Channel::ALL
            .iter()
            .position(|c| c.as_str() == k.key)
            .unwrap_or(usize::MAX)
    });
    let mut by_site = keyed(sites);
    by_site.sort_by(|a, b| {
        b.figures
            .received
            .cmp(&a.figures.received)
            .then(a.key.cmp(&b.key))
    });
    Ok(Snapshot {
        total,
        by_channel,
        by_category: keyed(categories),
        by_site,
        by_department,
    })
}

/// Orders departments: on-time rate, then completion rate (both as printed; undefined last),
/// then volume received, all descending; then code for a stable order.
pub fn rank(rows: &mut [DepartmentFigures], rounding: Rounding) {
    let key = |d: &DepartmentFigures| {
        let f = &d.figures;
        (
            std::cmp::Reverse(f.on_time_rate().basis_points(rounding).unwrap_or(-1)),
            std::cmp::Reverse(f.completion_rate().basis_points(rounding).unwrap_or(-1)),
            std::cmp::Reverse(f.received),
        )
    };
    rows.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.code.cmp(&b.code)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str, on_time: (i64, i64), replied: (i64, i64)) -> DepartmentFigures {
        DepartmentFigures {
            code: code.into(),
            name: code.into(),
            figures: Figures {
                replied_on_time: on_time.0,
                due: on_time.1,
                replied: replied.0,
                received: replied.1,
                ..Default::default()
            },
            overdue: vec![],
        }
    }

    #[test]
    fn departments_rank_by_on_time_then_completion_then_volume_with_undefined_last() {
        let mut rows = vec![
            dept("none", (0, 0), (0, 0)),
            dept("small", (9, 10), (9, 10)),
            dept("big", (90, 100), (90, 100)),
            dept("best", (10, 10), (5, 10)),
            dept("complete", (9, 10), (10, 10)),
        ];
        rank(&mut rows, Rounding::HalfUp);
        let order: Vec<&str> = rows.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(order, ["best", "complete", "big", "small", "none"]);
    }

    #[test]
    fn scope_keys_name_department_and_channel() {
        assert_eq!(Scope::default().key(), "all");
        let s = Scope {
            department: Some("zjj".into()),
            channel: Some(Channel::WebsiteError),
        };
        assert_eq!(s.key(), "department:zjj;channel:website_error");
    }
}
