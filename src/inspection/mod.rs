//! Inspection readiness (迎检自查): what the inspectors count, for a check date, before they do. The veto register of messages more than three calendar months without an answer at any time in the year before the date (单项否决「互动回应差」), and the annual appraisal's points for 找错 messages (国办秘函〔2019〕19号).
//!
//! Both read the stored messages as they stood at the end of the check date: a reply given later
//! counts as no reply yet.

pub mod appraisal;
pub mod veto;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::InspectionSettings;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::MessageRow;
use crate::privacy::mask_text_of;
use crate::sla::Timeline;

pub use appraisal::{Appraisal, PointsRow};
pub use veto::{VetoItem, VetoRegister};

/// What a self-check needs: the office's timeline (its time zone and local days) and the
/// `[inspection]` settings.
#[derive(Clone)]
pub struct InspectionContext {
    pub timeline: Timeline,
    pub rules: InspectionSettings,
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
    Ok(SelfCheck {
        date,
        department: department.map(str::to_string),
        veto_register: veto::register(conn, ctx, date, as_of, department)?,
        appraisal: appraisal::estimate(conn, ctx, year, date, as_of, department)?,
    })
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
