//! Alerts nobody can receive: when no active staff holds the roles a ladder level addresses,
//! the sweep keeps one outbox row per message and level as `undeliverable` (with the reason)
//! instead of dropping it, and each sweep delivers those whose roles are held again. The
//! start-up check names the levels addressed to roles nobody holds.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::messages::{MessageRow, Status};
use crate::schema::{alert_outbox, messages};

use super::alerts::{addressees, epoch, write_alerts};
use super::ladder::{Ladder, Level, Rung};
use super::outbox::{self, status, Kind, OutboxEmail};
use super::recipients::Directory;
use super::{digest, render, Environment};

/// Undeliverable rows looked at per sweep (the oldest first).
const RETRY_BATCH: i64 = 500;

/// Why the rung's alerts reach nobody, as shown on `GET /api/v1/alerts` and the admin page.
pub fn reason(rung: &Rung) -> String {
    let roles: Vec<&str> = rung.to.iter().chain(&rung.cc).map(|r| r.as_str()).collect();
    format!("no active staff with role {}", roles.join(" or "))
}

/// Holds the alert of `rung` for `row` as undeliverable; true when the row is new (a message
/// already held at this level and deadline is not counted again).
pub(super) fn hold(
    conn: &mut DbConnection,
    row: &MessageRow,
    rung: &Rung,
    now: i64,
) -> Result<bool, AppError> {
    let level = rung.level;
    let email = OutboxEmail {
        dedup_key: format!(
            "alert:{}:{}:{}:undeliverable",
            row.id,
            level.as_str(),
            epoch(level, &row.department_code, row.due_at)
        ),
        kind: Kind::Alert,
        message_id: Some(row.id),
        department: Some(row.department_code.clone()),
        level: Some(level.as_str().into()),
        to: String::new(),
        cc: Vec::new(),
        subject: format!("【{}】{}", level.label_zh(), render::masked_subject(row)),
        body: String::new(),
        attachment: None,
    };
    let Some(id) = outbox::insert_unique(conn, &email, status::UNDELIVERABLE, now, true)? else {
        return Ok(false);
    };
    diesel::update(alert_outbox::table.find(id))
        .set((
            alert_outbox::last_error.eq(Some(reason(rung))),
            alert_outbox::next_attempt_at.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Logs the sweep's new undeliverable alerts once, with the count per level.
pub fn warn(per_level: &BTreeMap<&'static str, usize>, ladder: &Ladder) {
    if per_level.is_empty() {
        return;
    }
    let counts: Vec<String> = per_level
        .iter()
        .map(|(level, n)| {
            let why = Level::parse(level)
                .and_then(|l| ladder.rung(l))
                .map(reason)
                .unwrap_or_default();
            format!("{level}={n} ({why})")
        })
        .collect();
    tracing::warn!(
        alerts.undeliverable = per_level.values().sum::<usize>(),
        levels = %counts.join(", "),
        "alerts held as undeliverable: nobody holds the addressed role"
    );
}

/// Delivers the undeliverable alerts whose roles someone now holds (as alerts of their own,
/// once: the row becomes `resolved`), and cancels those of messages no longer open. Returns
/// how many alerts were written.
pub fn retry(conn: &mut DbConnection, st: &Environment, now: i64) -> Result<usize, AppError> {
    conn.transaction(|conn| {
        let held: Vec<(i64, Option<i64>, Option<String>)> = alert_outbox::table
            .filter(alert_outbox::status.eq(status::UNDELIVERABLE))
            .order(alert_outbox::id)
            .limit(RETRY_BATCH)
            .select((
                alert_outbox::id,
                alert_outbox::message_id,
                alert_outbox::level,
            ))
            .load(conn)?;
        let mut dir = Directory::default();
        let mut touched = BTreeSet::new();
        let mut written = 0;
        for (id, message_id, level) in held {
            let rung = level
                .as_deref()
                .and_then(Level::parse)
                .and_then(|l| st.ladder.rung(l));
            let row: Option<MessageRow> = match message_id {
                Some(m) => messages::table
                    .find(m)
                    .select(MessageRow::as_select())
                    .first(conn)
                    .optional()?,
                None => None,
            };
            let (Some(rung), Some(row)) = (rung, row.filter(|r| r.status() == Status::Open)) else {
                // The level was switched off or the message is no longer open.
                set_status(conn, id, status::CANCELLED)?;
                continue;
            };
            let Some((to, cc)) = addressees(conn, &mut dir, rung, &row.department_code)? else {
                continue;
            };
            written += write_alerts(conn, st, &mut dir, &row, rung, &to, &cc, now, &mut touched)?;
            set_status(conn, id, status::RESOLVED)?;
        }
        for recipient in &touched {
            digest::hold_storm(conn, recipient, st.settings.escalation.digest_threshold)?;
        }
        Ok(written)
    })
}

fn set_status(conn: &mut DbConnection, id: i64, to: &str) -> Result<(), AppError> {
    diesel::update(alert_outbox::table.find(id))
        .set(alert_outbox::status.eq(to))
        .execute(conn)?;
    Ok(())
}

/// The start-up check: one warning per ladder level whose alerts nobody could receive today
/// (no active staff holds any of its roles, in any department).
pub fn check_configuration(conn: &mut DbConnection, ladder: &Ladder) -> Result<usize, AppError> {
    let mut warned = 0;
    for rung in &ladder.rungs {
        let roles: Vec<_> = rung.to.iter().chain(&rung.cc).copied().collect();
        if directory::staff_with_roles(conn, &roles)?.is_empty() {
            tracing::warn!(
                level = rung.level.as_str(),
                "escalation level '{}' ({}) is addressed to roles nobody holds: {}; its alerts will be held as undeliverable until someone does",
                rung.level.as_str(),
                rung.level.label_zh(),
                reason(rung)
            );
            warned += 1;
        }
    }
    Ok(warned)
}
