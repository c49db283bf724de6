//! Storm control: when more alerts than the threshold wait for one recipient at once they are held, and on working days at the digest hour each recipient with held alerts gets one digest email listing those messages instead.

use chrono::Timelike;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::messages::model::{utc, MessageRow};
use crate::messages::Status;
use crate::schema::alert_outbox;

use super::ladder::Level;
use super::outbox::{self, status, Kind, OutboxEmail};
use super::render::{self, DigestItem};
use super::Environment;

/// Whether the recipient already has alerts waiting for the digest (new ones then join them).
pub fn has_held(conn: &mut DbConnection, recipient: &str) -> Result<bool, AppError> {
    // One index probe: a count would read every held alert, once per alert decided in a storm.
    Ok(alert_outbox::table
        .filter(alert_outbox::recipient_email.eq(recipient))
        .filter(alert_outbox::status.eq(status::HELD))
        .select(alert_outbox::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Holds every waiting alert of `recipient` for the digest when more than `threshold` wait.
pub fn hold_storm(
    conn: &mut DbConnection,
    recipient: &str,
    threshold: i64,
) -> Result<usize, AppError> {
    let waiting = || {
        alert_outbox::table
            .filter(alert_outbox::recipient_email.eq(recipient))
            .filter(alert_outbox::kind.eq(Kind::Alert.as_str()))
            .filter(alert_outbox::status.eq_any([status::PENDING, status::FAILED]))
    };
    // Reads at most threshold + 1 entries, however many wait.
    let over: Vec<i64> = waiting()
        .select(alert_outbox::id)
        .limit(threshold.saturating_add(1))
        .load(conn)?;
    if over.len() as i64 <= threshold {
        return Ok(0);
    }
    Ok(diesel::update(waiting())
        .set((
            alert_outbox::status.eq(status::HELD),
            alert_outbox::next_attempt_at.eq(None::<i64>),
        ))
        .execute(conn)?)
}

/// On a working day at or after the digest hour, turns each recipient's held alerts into one
/// digest email (at most one per recipient and day: the key holds the local date). Returns how
/// many digests were enqueued.
pub fn enqueue_due(conn: &mut DbConnection, st: &Environment, now: i64) -> Result<usize, AppError> {
    let tl = &st.timeline;
    let now_utc = utc(now);
    let date = tl.local_date(now_utc);
    let local_hour = now_utc.with_timezone(&tl.tz()).hour();
    let working = tl.calendar().is_workday(date).unwrap_or(false);
    if !working || local_hour < st.settings.escalation.digest_hour {
        return Ok(0);
    }
    let recipients: Vec<String> = alert_outbox::table
        .filter(alert_outbox::status.eq(status::HELD))
        .select(alert_outbox::recipient_email)
        .distinct()
        .load(conn)?;
    let mut enqueued = 0;
    for recipient in recipients {
        if conn.transaction(|conn| digest_for(conn, st, &recipient, &date.to_string(), now))? {
            enqueued += 1;
        }
    }
    Ok(enqueued)
}

fn digest_for(
    conn: &mut DbConnection,
    st: &Environment,
    recipient: &str,
    date: &str,
    now: i64,
) -> Result<bool, AppError> {
    let tl = &st.timeline;
    let held: Vec<(i64, Option<i64>, Option<String>)> = alert_outbox::table
        .filter(alert_outbox::recipient_email.eq(recipient))
        .filter(alert_outbox::status.eq(status::HELD))
        .order(alert_outbox::id)
        .select((
            alert_outbox::id,
            alert_outbox::message_id,
            alert_outbox::level,
        ))
        .load(conn)?;
    let ids: Vec<i64> = held.iter().filter_map(|h| h.1).collect();
    // A storm can hold tens of thousands of alerts for one person: more ids than one
    // statement may bind, so they are fetched in chunks.
    let rows: std::collections::HashMap<i64, MessageRow> =
        crate::messages::model::find_many(conn, &ids)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let mut names = super::recipients::Directory::default();
    let (mut overdue, mut due_soon) = (Vec::new(), Vec::new());
    let mut departments = std::collections::BTreeSet::new();
    let mut listed = std::collections::BTreeSet::new();
    // Highest level first, so a message held at two levels is listed once, at its worst.
    let mut ordered: Vec<&(i64, Option<i64>, Option<String>)> = held.iter().collect();
    ordered.sort_by_key(|h| std::cmp::Reverse(h.2.as_deref().and_then(Level::parse)));
    for (_, message_id, level) in ordered {
        let (Some(message_id), Some(level)) = (message_id, level.as_deref().and_then(Level::parse))
        else {
            continue;
        };
        let Some(row) = rows.get(message_id) else {
            continue;
        };
        if row.status() != Status::Open || !listed.insert(row.id) {
            continue;
        }
        departments.insert(row.department_code.clone());
        let department = names.department_name(conn, &row.department_code);
        let days = tl
            .working_days_overdue(utc(row.due_at), utc(now))
            .unwrap_or(0);
        let item = DigestItem::new(
            row,
            level,
            department,
            days,
            &st.settings.server.base_url,
            tl,
        );
        if level == Level::Reminder {
            due_soon.push(item);
        } else {
            overdue.push(item);
        }
    }
    let greeting = directory::find_staff_by_email(conn, recipient)?
        .map(|s| format!("{}同志", s.name))
        .unwrap_or_else(|| "您好".into());
    let (subject, body) = render::digest(
        date,
        &greeting,
        &overdue,
        &due_soon,
        &st.settings.office.name,
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("digest template: {e}")))?;
    let department = (departments.len() == 1)
        .then(|| departments.into_iter().next())
        .flatten();
    let Some(digest_id) = outbox::enqueue(
        conn,
        OutboxEmail {
            dedup_key: format!("digest:{recipient}:{date}"),
            kind: Kind::Digest,
            message_id: None,
            department,
            level: None,
            to: recipient.to_string(),
            cc: Vec::new(),
            subject,
            body,
            attachment: None,
        },
        now,
    )?
    else {
        // Today's digest went out already: the rest waits for tomorrow's.
        return Ok(false);
    };
    let held_ids: Vec<i64> = held.iter().map(|h| h.0).collect();
    // In chunks, under the backends' limits on bound parameters (a storm holds thousands).
    for chunk in held_ids.chunks(crate::messages::model::BIND_CHUNK) {
        diesel::update(alert_outbox::table.filter(alert_outbox::id.eq_any(chunk)))
            .set((
                alert_outbox::status.eq(status::DIGESTED),
                alert_outbox::digest_id.eq(Some(digest_id)),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

/// The alerts a digest covered, for their history events once it is sent.
pub fn covered(conn: &mut DbConnection, digest_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    let rows: Vec<(Option<i64>, Option<String>)> = alert_outbox::table
        .filter(alert_outbox::digest_id.eq(digest_id))
        .select((alert_outbox::message_id, alert_outbox::level))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, l)| Some((m?, l.unwrap_or_default())))
        .collect())
}
