//! The veto register (单项否决「互动回应差」): every valid consultation-type message that, at any time in the year before the check date, was more than three calendar months without an answer — still unanswered, or answered after more than three months. One such message fails the whole site.

use chrono::{DateTime, FixedOffset, Months, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::{critical_from, critical_threshold, MessageRow, Status};
use crate::schema::messages;

use super::{local, masked_subject, InspectionContext};

/// No three calendar months are shorter than this (February, March, April of a common year:
/// 89 days), so a reply sooner than this after receipt can never be on the register.
const SHORTEST_THREE_MONTHS_SECS: i64 = 89 * 86_400;

/// The register for one check date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VetoRegister {
    /// The year looked back on: from this local day through the check date.
    #[schema(value_type = String, format = Date)]
    pub since: NaiveDate,
    /// Any message on the register puts the site at risk of 不合格 (单项否决).
    pub at_risk: bool,
    pub items: Vec<VetoItem>,
}

/// One message on the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VetoItem {
    pub message_id: i64,
    pub department: String,
    pub channel: String,
    pub category: String,
    /// Subject with names, ID-card and phone numbers masked.
    pub subject: String,
    pub site_name: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: DateTime<FixedOffset>,
    /// When it had been three calendar months without an answer (超过三个月未答复之时).
    #[schema(value_type = String, format = DateTime)]
    pub crossed_at: DateTime<FixedOffset>,
    /// When it was answered, or null: still unanswered at the end of the check date.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub replied_at: Option<DateTime<FixedOffset>>,
}

/// Whether a message received at `received_at` and answered at `replied_at` (None: not yet)
/// was more than three calendar months without an answer at some instant of `[since, as_of)`.
pub fn on_register(
    received_at: i64,
    replied_at: Option<i64>,
    since: i64,
    as_of: i64,
    tz: chrono_tz::Tz,
) -> Option<i64> {
    let crossed = critical_from(received_at, tz);
    let unanswered_until = replied_at.filter(|r| *r < as_of).unwrap_or(i64::MAX);
    (crossed < as_of && unanswered_until > crossed && unanswered_until > since).then_some(crossed)
}

pub(super) fn register(
    conn: &mut DbConnection,
    ctx: &InspectionContext,
    date: NaiveDate,
    as_of: DateTime<Utc>,
    department: Option<&str>,
) -> Result<VetoRegister, AppError> {
    let tl = &ctx.timeline;
    let tz = tl.tz();
    let since_date = date
        .checked_sub_months(Months::new(12))
        .ok_or_else(|| AppError::invalid("date", "date out of range"))?;
    let since = tl.start_of_local_day(since_date).timestamp();
    let as_of_secs = as_of.timestamp();
    // Candidates in SQL (received three months before the end of the date, answered late or
    // not at all), the exact calendar-month rule in Rust.
    let mut q = messages::table
        .filter(messages::received_at.lt(critical_threshold(as_of, tz)))
        .filter(messages::status.ne(Status::Invalid.as_str()))
        .filter(messages::channel.eq_any(&ctx.rules.veto_channels))
        .filter(messages::category.eq_any(&ctx.rules.veto_categories))
        .filter(
            messages::replied_at
                .is_null()
                .or(messages::replied_at.gt(since).and(
                    messages::replied_at
                        .gt((messages::received_at + SHORTEST_THREE_MONTHS_SECS).nullable()),
                )),
        )
        .order((messages::received_at, messages::id))
        .select(MessageRow::as_select())
        .into_boxed();
    if let Some(d) = department {
        q = q.filter(messages::department_code.eq(d.to_string()));
    }
    let rows: Vec<MessageRow> = q.load(conn)?;
    let items: Vec<VetoItem> = rows
        .iter()
        .filter_map(|r| {
            let crossed = on_register(r.received_at, r.replied_at, since, as_of_secs, tz)?;
            Some(VetoItem {
                message_id: r.id,
                department: r.department_code.clone(),
                channel: r.channel.clone(),
                category: r.category.clone(),
                subject: masked_subject(r),
                site_name: r.site_name.clone(),
                received_at: local(tz, r.received_at),
                crossed_at: local(tz, crossed),
                replied_at: r
                    .replied_at
                    .filter(|t| *t < as_of_secs)
                    .map(|t| local(tz, t)),
            })
        })
        .collect();
    Ok(VetoRegister {
        since: since_date,
        at_risk: !items.is_empty(),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn day_end(d: &str) -> i64 {
        at(&format!("{d}T00:00:00+08:00")) + 86_400
    }

    #[test]
    fn a_reply_after_four_months_stays_on_the_register_for_a_year() {
        let tz = chrono_tz::Asia::Shanghai;
        let received = at("2026-01-10T09:00:00+08:00");
        let replied = Some(at("2026-05-20T10:00:00+08:00"));
        let check = |d: &str, since: &str| {
            on_register(
                received,
                replied,
                at(&format!("{since}T00:00:00+08:00")),
                day_end(d),
                tz,
            )
        };
        assert_eq!(check("2026-04-05", "2025-04-05"), None);
        assert_eq!(
            check("2026-06-01", "2025-06-01"),
            Some(at("2026-04-10T09:00:01+08:00"))
        );
        assert!(check("2027-05-01", "2026-05-01").is_some());
        assert_eq!(check("2027-06-01", "2026-06-01"), None);
    }

    #[test]
    fn an_unanswered_message_is_on_it_from_the_day_it_crosses_three_months() {
        let tz = chrono_tz::Asia::Shanghai;
        let received = at("2025-11-30T15:00:00+08:00");
        let since = |d: &str| at(&format!("{d}T00:00:00+08:00"));
        // Three months before 02-28 is 11-28: the line (now minus three calendar months)
        // passes 11-30 only at 03-01 00:00.
        assert_eq!(
            on_register(
                received,
                None,
                since("2025-02-28"),
                day_end("2026-02-28"),
                tz
            ),
            None
        );
        assert_eq!(
            on_register(
                received,
                None,
                since("2025-03-01"),
                day_end("2026-03-01"),
                tz
            ),
            Some(at("2026-03-01T00:00:00+08:00"))
        );
        // A reply on time keeps it off, whatever the date.
        let on_time = Some(at("2025-12-05T10:00:00+08:00"));
        assert_eq!(
            on_register(
                received,
                on_time,
                since("2025-06-01"),
                day_end("2026-06-01"),
                tz
            ),
            None
        );
    }
}
