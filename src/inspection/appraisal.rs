//! The annual appraisal's points for 找错 messages (国办秘函〔2019〕19号, 政府网站年度考核): for the messages of a year, as of a check date, 3 points off for each not finished, 2 for each finished more than one calendar month after receipt, and 3 when no reply was given in the two months before the date. An estimate: the inspector's own count decides.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::{MessageRow, Status};
use crate::schema::messages;
use crate::sla::Channel;

use super::{local, masked_subject, InspectionContext};

/// Points off per message not finished by the check date (未办结).
pub const UNFINISHED_POINTS: i64 = 3;
/// Points off per message finished more than one calendar month after receipt (超1个月办结).
pub const LATE_POINTS: i64 = 2;
/// Points off when no reply was given in the two months before the check date.
pub const NO_RECENT_REPLY_POINTS: i64 = 3;
/// The months looked back on for a recent reply.
const RECENT_MONTHS: u32 = 2;
/// No calendar month is shorter than this: a message finished sooner is never late.
const SHORTEST_MONTH_SECS: i64 = 28 * 86_400;

/// The estimate for one year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Appraisal {
    pub year: i32,
    /// Every deduction added up (a positive number of points off).
    pub points_deducted: i64,
    /// Not finished by the end of the check date: 3 points each.
    pub unfinished: Vec<AppraisalItem>,
    /// Finished more than one calendar month after receipt: 2 points each.
    pub late: Vec<AppraisalItem>,
    /// No reply in the two months before the check date (3 points).
    pub no_recent_reply: bool,
    /// The last reply before the end of the check date, if any.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_reply_at: Option<DateTime<FixedOffset>>,
    /// The deductions per site (the `site` of each 找错 report).
    pub by_site: Vec<PointsRow>,
    /// The deductions per department.
    pub by_department: Vec<PointsRow>,
}

/// One 找错 message behind a deduction.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppraisalItem {
    pub message_id: i64,
    pub department: String,
    pub site_name: Option<String>,
    /// Subject with names, ID-card and phone numbers masked.
    pub subject: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<FixedOffset>,
    /// Null: not finished by the end of the check date.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub replied_at: Option<DateTime<FixedOffset>>,
    /// Calendar days from receipt to the reply, or to the end of the check date.
    pub days: i64,
}

/// The deductions of one site or department.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PointsRow {
    pub key: String,
    pub unfinished: i64,
    pub late: i64,
    pub points: i64,
}

/// `t` plus `months` calendar months, at the same local wall time (end-of-month dates clamp).
fn months_after(t: i64, months: u32, tz: chrono_tz::Tz) -> i64 {
    let local = crate::messages::model::utc(t)
        .with_timezone(&tz)
        .naive_local();
    local
        .checked_add_months(Months::new(months))
        .and_then(|l| tz.from_local_datetime(&l).earliest())
        .map_or(t + i64::from(months) * 31 * 86_400, |l| l.timestamp())
}

/// Whether a message received at `received_at` and finished at `replied_at` took more than one
/// calendar month.
pub fn finished_late(received_at: i64, replied_at: i64, tz: chrono_tz::Tz) -> bool {
    replied_at > months_after(received_at, 1, tz)
}

pub(super) fn estimate(
    conn: &mut DbConnection,
    ctx: &InspectionContext,
    year: i32,
    date: NaiveDate,
    as_of: DateTime<Utc>,
    department: Option<&str>,
) -> Result<Appraisal, AppError> {
    let tl = &ctx.timeline;
    let tz = tl.tz();
    let bad_year = || AppError::invalid("year", format!("year {year} is out of range"));
    let from = tl
        .start_of_local_day(NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad_year)?)
        .timestamp();
    let to = tl
        .start_of_local_day(NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or_else(bad_year)?)
        .timestamp();
    let as_of = as_of.timestamp();
    let website = Channel::WebsiteError.as_str();
    let mut q = messages::table
        .filter(messages::channel.eq(website))
        .filter(messages::received_at.ge(from))
        .filter(messages::received_at.lt(to.min(as_of)))
        .filter(messages::status.ne(Status::Invalid.as_str()))
        .filter(
            messages::replied_at
                .is_null()
                .or(messages::replied_at.ge(as_of))
                .or(messages::replied_at
                    .gt((messages::received_at + SHORTEST_MONTH_SECS).nullable())),
        )
        .order((messages::received_at, messages::id))
        .select(MessageRow::as_select())
        .into_boxed();
    if let Some(d) = department {
        q = q.filter(messages::department_code.eq(d.to_string()));
    }
    let rows: Vec<MessageRow> = q.load(conn)?;
    let item = |r: &MessageRow, until: i64| AppraisalItem {
        message_id: r.id,
        department: r.department_code.clone(),
        site_name: r.site_name.clone(),
        subject: masked_subject(r),
        received_at: local(tz, r.received_at),
        replied_at: r.replied_at.filter(|t| *t < as_of).map(|t| local(tz, t)),
        days: (until - r.received_at).div_euclid(86_400),
    };
    let (mut unfinished, mut late) = (Vec::new(), Vec::new());
    for r in &rows {
        match r.replied_at.filter(|t| *t < as_of) {
            None => unfinished.push(item(r, as_of)),
            Some(t) if finished_late(r.received_at, t, tz) => late.push(item(r, t)),
            Some(_) => {}
        }
    }
    let last_reply_at = last_reply(conn, as_of, department)?;
    let recent_since = date
        .checked_sub_months(Months::new(RECENT_MONTHS))
        .map(|d| tl.start_of_local_day(d).timestamp())
        .unwrap_or(i64::MIN);
    let no_recent_reply = last_reply_at.is_none_or(|t| t < recent_since);
    let points_deducted = UNFINISHED_POINTS * unfinished.len() as i64
        + LATE_POINTS * late.len() as i64
        + if no_recent_reply {
            NO_RECENT_REPLY_POINTS
        } else {
            0
        };
    Ok(Appraisal {
        year,
        points_deducted,
        by_site: rows_by(&unfinished, &late, |i| {
            i.site_name
                .clone()
                .unwrap_or_else(|| "（未注明网站）".into())
        }),
        by_department: rows_by(&unfinished, &late, |i| i.department.clone()),
        unfinished,
        late,
        no_recent_reply,
        last_reply_at: last_reply_at.map(|t| local(tz, t)),
    })
}

/// The latest reply to a 找错 message before `as_of`.
fn last_reply(
    conn: &mut DbConnection,
    as_of: i64,
    department: Option<&str>,
) -> Result<Option<i64>, AppError> {
    let mut q = messages::table
        .filter(messages::channel.eq(Channel::WebsiteError.as_str()))
        .filter(messages::replied_at.lt(as_of))
        .select(diesel::dsl::max(messages::replied_at))
        .into_boxed();
    if let Some(d) = department {
        q = q.filter(messages::department_code.eq(d.to_string()));
    }
    Ok(q.first::<Option<i64>>(conn)?)
}

/// The deductions grouped by `key`, most points first.
fn rows_by(
    unfinished: &[AppraisalItem],
    late: &[AppraisalItem],
    key: impl Fn(&AppraisalItem) -> String,
) -> Vec<PointsRow> {
    let mut rows: BTreeMap<String, PointsRow> = BTreeMap::new();
    for (items, points, unfinished) in [
        (unfinished, UNFINISHED_POINTS, true),
        (late, LATE_POINTS, false),
    ] {
        for i in items {
            let k = key(i);
            let row = rows.entry(k.clone()).or_insert_with(|| PointsRow {
                key: k,
                ..Default::default()
            });
            if unfinished {
                row.unfinished += 1;
            } else {
                row.late += 1;
            }
            row.points += points;
        }
    }
    let mut rows: Vec<PointsRow> = rows.into_values().collect();
    rows.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.key.cmp(&b.key)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn one_calendar_month_is_counted_on_the_wall_clock() {
        let tz = chrono_tz::Asia::Shanghai;
        let r = at("2026-03-10T09:00:00+08:00");
        assert!(!finished_late(r, at("2026-04-10T09:00:00+08:00"), tz));
        assert!(finished_late(r, at("2026-04-10T09:00:01+08:00"), tz));
        // Finished after 32 days: late.
        assert!(finished_late(r, at("2026-04-11T10:00:00+08:00"), tz));
        // 01-31 plus one month clamps to 02-28.
        let end = at("2026-01-31T12:00:00+08:00");
        assert!(finished_late(end, at("2026-03-01T08:00:00+08:00"), tz));
        assert!(!finished_late(end, at("2026-02-28T12:00:00+08:00"), tz));
    }

    #[test]
    fn deductions_are_grouped_with_the_most_points_first() {
        let item = |site: &str| AppraisalItem {
            message_id: 1,
            department: "zjj".into(),
            site_name: Some(site.into()),
            subject: String::new(),
            received_at: DateTime::parse_from_rfc3339("2026-03-10T09:00:00+08:00").unwrap(),
            replied_at: None,
            days: 40,
        };
        let rows = rows_by(&[item("b")], &[item("a"), item("b")], |i| {
            i.site_name.clone().unwrap()
        });
        assert_eq!(
            rows,
            vec![
                PointsRow {
                    key: "b".into(),
                    unfinished: 1,
                    late: 1,
                    points: 5
                },
                PointsRow {
                    key: "a".into(),
                    unfinished: 0,
                    late: 1,
                    points: 2
                },
            ]
        );
    }
}
