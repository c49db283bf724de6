//! Inspection readiness (迎检自查): what the inspectors count, for a check date, before they do. The veto register of messages more than three calendar months without an answer at any time in the year before the date (单项否决「互动回应差」), and the annual appraisal's points for 找错 messages (国办秘函〔2019〕19号), and the on-time rate as the inspectors count it (from receipt) next to the office's.
//!
//! Both read the stored messages as they stood at the end of the check date: a reply given later
//! counts as no reply yet.

pub mod appraisal;
pub mod export;
pub mod veto;

use std::collections::BTreeMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::{InspectionSettings, Settings};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::MessageRow;
use crate::privacy::mask_text_of;
use crate::sla::Timeline;
use crate::stats::{self, Precision, Scope};

pub use appraisal::{Appraisal, PointsRow};
pub use veto::{VetoItem, VetoRegister};

/// What a self-check needs: the office's timeline (its time zone and local days) and the
/// `[inspection]` settings.
#[derive(Clone)]
pub struct InspectionContext {
    pub timeline: Timeline,
    pub rules: InspectionSettings,
    /// How the reports print rates (`[reports] rounding`, `decimals`).
    pub precision: Precision,
}

impl InspectionContext {
    pub fn from_settings(settings: &Settings, timeline: Timeline) -> InspectionContext {
        InspectionContext {
            timeline,
            rules: settings.inspection.clone(),
            precision: Precision::new(settings.reports.rounding, settings.reports.decimals),
        }
    }
}

/// The self-check (自查) for one date, within one department or the whole office.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelfCheck {
    /// The check date (检查日期); figures are as of the end of that local day.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The department the check is limited to, or null for the whole office.
    pub department: Option<String>,
    pub veto_register: VetoRegister,
    pub appraisal: Appraisal,
    /// The departments an inspector would name (被通报): any message on the register or any
    /// point deducted; those with register items first, then by points.
    pub named_departments: Vec<NamedDepartment>,
    /// 按期答复率 of the check date's year to date, as the inspectors count it and as the office does.
    pub on_time: OnTimeRates,
}

/// The two on-time rates of the messages whose deadline fell from 1 January of the check date's
/// year to the end of the check date (all channels, invalid ones excluded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OnTimeRates {
    /// First day counted (1 January of the check date's year).
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day counted (the check date).
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// 应答复.
    pub due: i64,
    /// Replied by the original limit counted from receipt (no extension, no pause).
    pub replied_on_time_original: i64,
    /// Replied by the deadline after approved extensions and pauses.
    pub replied_on_time: i64,
    /// 按期答复率（自受理起计）, the inspectors' count: `"92.61%"` or `"—"`.
    pub inspector_on_time_rate: String,
    /// 按期答复率 after approved extensions and pauses, the office's count.
    pub office_on_time_rate: String,
    /// The inspectors' rate in hundredths of a percent as printed (9261 = 92.61%), null when
    /// nothing was due.
    pub inspector_on_time_basis_points: Option<i64>,
    /// The office's rate in hundredths of a percent as printed.
    pub office_on_time_basis_points: Option<i64>,
}

/// The year-to-date on-time rates of `date` (see [`OnTimeRates`]).
fn on_time_rates(
    conn: &mut DbConnection,
    ctx: &InspectionContext,
    date: NaiveDate,
    as_of: DateTime<Utc>,
    department: Option<&str>,
) -> Result<OnTimeRates, AppError> {
    let from = NaiveDate::from_ymd_opt(chrono::Datelike::year(&date), 1, 1)
        .ok_or_else(|| AppError::invalid("date", "date out of range"))?;
    let start = ctx.timeline.start_of_local_day(from);
    let scope = Scope {
        department: department.map(str::to_string),
        channel: None,
    };
    let bounds = (start.timestamp(), as_of.timestamp());
    let f = stats::counts(conn, bounds, &scope, as_of, ctx.timeline.tz())?;
    Ok(OnTimeRates {
        from,
        to: date,
        due: f.due,
        replied_on_time_original: f.replied_on_time_original,
        replied_on_time: f.replied_on_time,
        inspector_on_time_rate: f.inspector_on_time_rate().format(ctx.precision),
        office_on_time_rate: f.on_time_rate().format(ctx.precision),
        inspector_on_time_basis_points: f.inspector_on_time_rate().basis_points(ctx.precision),
        office_on_time_basis_points: f.on_time_rate().basis_points(ctx.precision),
    })
}

/// One department an inspector would name, with what it would be named for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct NamedDepartment {
    pub department: String,
    /// Its messages on the veto register.
    pub veto_items: i64,
    /// Its 找错 messages not finished (3 points each).
    pub unfinished: i64,
    /// Its 找错 messages finished more than one calendar month after receipt (2 points each).
    pub late: i64,
    /// Points it costs (the office-wide 3 points for no recent reply are nobody's).
    pub points: i64,
}

/// The self-check of `date` (the appraisal of `year`, by default the date's year).
pub fn self_check(
    conn: &mut DbConnection,
    ctx: &InspectionContext,
    date: NaiveDate,
    year: Option<i32>,
    department: Option<&str>,
) -> Result<SelfCheck, AppError> {
    let as_of = end_of_day(&ctx.timeline, date)?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&date));
    let veto_register = veto::register(conn, ctx, date, as_of, department)?;
    let appraisal = appraisal::estimate(conn, ctx, year, date, as_of, department)?;
    let on_time = on_time_rates(conn, ctx, date, as_of, department)?;
    Ok(SelfCheck {
        on_time,
        date,
        department: department.map(str::to_string),
        named_departments: named_departments(&veto_register, &appraisal),
        veto_register,
        appraisal,
    })
}

/// The departments behind the register's items and the appraisal's deductions.
fn named_departments(register: &VetoRegister, appraisal: &Appraisal) -> Vec<NamedDepartment> {
    fn entry<'a>(
        named: &'a mut BTreeMap<String, NamedDepartment>,
        code: &str,
    ) -> &'a mut NamedDepartment {
        named
            .entry(code.to_string())
            .or_insert_with(|| NamedDepartment {
                department: code.to_string(),
                ..Default::default()
            })
    }
    let mut named = BTreeMap::new();
    for item in &register.items {
        entry(&mut named, &item.department).veto_items += 1;
    }
    for row in &appraisal.by_department {
        let d = entry(&mut named, &row.key);
        d.unfinished = row.unfinished;
        d.late = row.late;
        d.points = row.points;
    }
    let mut named: Vec<NamedDepartment> = named.into_values().collect();
    named.sort_by(|a, b| {
        b.veto_items
            .cmp(&a.veto_items)
            .then(b.points.cmp(&a.points))
            .then_with(|| a.department.cmp(&b.department))
    });
    named
}

/// The first instant after the local day `date`: figures "as of `date`" count what happened
/// before it.
fn end_of_day(tl: &Timeline, date: NaiveDate) -> Result<DateTime<Utc>, AppError> {
    let next = date
        .checked_add_days(Days::new(1))
        .ok_or_else(|| AppError::invalid("date", "date out of range"))?;
    Ok(tl.start_of_local_day(next))
}

/// An instant as the office reads it (RFC 3339 with the local offset).
fn local(tz: Tz, secs: i64) -> DateTime<FixedOffset> {
    crate::messages::model::utc(secs)
        .with_timezone(&tz)
        .fixed_offset()
}

/// The subject as anyone outside the department may read it.
fn masked_subject(row: &MessageRow) -> String {
    mask_text_of(&row.subject, &row.citizen())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments_with_register_items_are_named_first_then_by_points() {
        let at = DateTime::parse_from_rfc3339("2026-01-10T09:00:00+08:00").unwrap();
        let item = |department: &str| VetoItem {
            message_id: 1,
            department: department.into(),
            channel: "mayor_mailbox".into(),
            category: "consultation".into(),
            subject: String::new(),
            site_name: None,
            received_at: at,
            crossed_at: at,
            replied_at: None,
        };
        let register = VetoRegister {
            since: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            at_risk: true,
            items: vec![item("jyj"), item("zjj"), item("jyj")],
        };
        let row = |key: &str, unfinished, late| PointsRow {
            key: key.into(),
            unfinished,
            late,
            points: 3 * unfinished + 2 * late,
        };
        let appraisal = Appraisal {
            year: 2026,
            points_deducted: 0,
            unfinished: Vec::new(),
            late: Vec::new(),
            no_recent_reply: false,
            last_reply_at: None,
            by_site: Vec::new(),
            by_department: vec![row("rsj", 3, 0), row("zjj", 0, 1)],
        };
        let named: Vec<(String, i64, i64)> = named_departments(&register, &appraisal)
            .into_iter()
            .map(|d| (d.department, d.veto_items, d.points))
            .collect();
        assert_eq!(
            named,
            [
                ("jyj".to_string(), 2, 0),
                ("zjj".to_string(), 1, 2),
                ("rsj".to_string(), 0, 9)
            ]
        );
    }
}
