//! The sweep: finds the messages whose `next_escalation_at` has come (an index range scan), decides which ladder levels fire, writes their alerts to the outbox and moves `next_escalation_at` on, all in one transaction per batch.

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::auth::Role;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::handling::review;
use crate::messages::model::{utc, MessageRow};
use crate::messages::Status;
use crate::schema::messages;

use super::alerts::{addressees, write_alerts};
use super::ladder::Level;
use super::outbox::{self, Kind, OutboxEmail};
use super::recipients::Directory;
use super::render;
use super::Environment;
use super::{digest, undeliverable};

/// What one sweep transaction did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    pub evaluated: usize,
    pub alerts: usize,
    /// Alerts held as undeliverable (nobody holds the addressed roles), per level.
    pub undeliverable: std::collections::BTreeMap<&'static str, usize>,
    /// Messages that could not be evaluated (logged with their ids).
    pub failed: usize,
}

/// When a message whose evaluation failed is tried again.
const RETRY_FAILED_SECS: i64 = 3600;

/// Evaluates one batch of messages due for escalation at `now`. On PostgreSQL the batch is
/// locked with `FOR UPDATE SKIP LOCKED`, so instances sweeping at once take disjoint batches.
pub fn sweep_batch(
    conn: &mut DbConnection,
    st: &Environment,
    now: i64,
) -> Result<BatchOutcome, AppError> {
    conn.transaction(|conn| {
        let due = || {
            messages::table
                .filter(messages::next_escalation_at.le(now))
                .order((messages::next_escalation_at, messages::id))
                .limit(st.settings.escalation.batch_size)
        };
        let rows: Vec<MessageRow> = match conn {
            DbConnection::Postgresql(c) => due()
                .select(MessageRow::as_select())
                .for_update()
                .skip_locked()
                .load(c)?,
            DbConnection::Sqlite(c) => due().select(MessageRow::as_select()).load(c)?,
        };
        let mut dir = Directory::default();
        let mut outcome = BatchOutcome {
            evaluated: rows.len(),
            ..Default::default()
        };
        let mut touched = BTreeSet::new();
        for row in &rows {
            // Each message in its own savepoint: one that cannot be evaluated (its figures
            // outside the calendar, a recipient that cannot be read) is logged and retried
            // later, and the rest of the batch goes on.
            let _span = tracing::debug_span!("escalation.evaluate", message.id = row.id).entered();
            let evaluated = conn.transaction(|conn| {
                let mut fired = Vec::new();
                let mut held = Vec::new();
                let next = if row.status() == Status::Open && row.review_pending {
                    // The department has answered: the reviewers are alerted instead.
                    let (sent, next) = review_overdue(conn, st, &mut dir, row, now)?;
                    fired.push(("review", sent));
                    next
                } else if row.status() == Status::Open {
                    let plan = st
                        .ladder
                        .plan(&st.timeline, row.received_at, row.due_at, now);
                    for level in plan.fire {
                        match decide(conn, st, &mut dir, row, level, now, &mut touched)? {
                            Decided::Alerts(n) => fired.push((level.as_str(), n)),
                            Decided::Undeliverable(true) => held.push(level.as_str()),
                            Decided::Undeliverable(false) => {}
                        }
                    }
                    plan.next_at
                } else {
                    // Paused, replied or invalid: nothing until a workflow step reschedules it.
                    None
                };
                Ok::<_, AppError>((fired, held, next))
            });
            let next = match evaluated {
                Ok((fired, held, next)) => {
                    for level in held {
                        *outcome.undeliverable.entry(level).or_default() += 1;
                    }
                    for (level, n) in fired {
                        outcome.alerts += n;
                        crate::metrics::get()
                            .alerts
                            .with_label_values(&[level])
                            .inc_by(n as u64);
                    }
                    next
                }
                Err(e) => {
                    tracing::warn!(message.id = row.id, error = %e, "escalation of one message failed; retried in an hour");
                    outcome.failed += 1;
                    Some(now + RETRY_FAILED_SECS)
                }
            };
            diesel::update(messages::table.find(row.id))
                .set(messages::next_escalation_at.eq(next))
                .execute(conn)?;
        }
        for recipient in &touched {
            digest::hold_storm(conn, recipient, st.settings.escalation.digest_threshold)?;
        }
        Ok(outcome)
    })
}

/// The reply waiting for review of `row`: once it has waited `[handling]
/// review_within_working_days`, one email to each of the office's supervisors (the leaders
/// when the office has none), keyed by the submission so it is sent once. Returns how many
/// were new and when to look again (`None` once alerted).
fn review_overdue(
    conn: &mut DbConnection,
    st: &Environment,
    dir: &mut Directory,
    row: &MessageRow,
    now: i64,
) -> Result<(usize, Option<i64>), AppError> {
    let Some(submission) = review::submissions_of(conn, row.id)?
        .into_iter()
        .rev()
        .find(|s| s.status == review::status::PENDING)
    else {
        return Ok((0, None));
    };
    let handling = &st.settings.handling;
    let tl = &st.timeline;
    // 09:00 of the first working day after the limit has passed.
    let limit_at = tl
        .working_days_after_at_hour(
            utc(submission.submitted_at),
            handling.review_within_working_days + 1,
            9,
        )
        .map_err(|e| AppError::invalid("submitted_at", e.to_string()))?
        .timestamp();
    if now < limit_at {
        return Ok((0, Some(limit_at)));
    }
    let office = &handling.office_department;
    let mut to = dir.people(conn, &[Role::Supervisor], office)?;
    if to.is_empty() {
        to = dir.people(conn, &[Role::Leader], office)?;
    }
    let department_name = dir.department_name(conn, &row.department_code);
    let subject = format!(
        "【待审核超时】留言 #{}（{}）的答复已等待审核超过{}个工作日",
        row.id, department_name, handling.review_within_working_days
    );
    let mut new = 0;
    for person in &to {
        let body = format!(
            "{}同志：\n\n{}于{}提交的留言 #{}（{}）答复，已等待审核超过{}个工作日。\n\
             等待审核期间不计承办部门逾期，请尽快审核：{}/messages/{}\n\n{}",
            person.name,
            department_name,
            tl.format_local(utc(submission.submitted_at)),
            row.id,
            render::masked_subject(row),
            handling.review_within_working_days,
            st.settings.server.base_url.trim_end_matches('/'),
            row.id,
            st.settings.office.name,
        );
        let email = OutboxEmail {
            dedup_key: format!("review:{}:{}:{}", row.id, submission.id, person.email),
            kind: Kind::Report,
            message_id: Some(row.id),
            department: Some(office.clone()),
            level: None,
            to: person.email.clone(),
            cc: Vec::new(),
            subject: subject.clone(),
            body,
            attachment: None,
        };
        if outbox::insert_unique(conn, &email, outbox::status::PENDING, now, false)?.is_some() {
            new += 1;
        }
    }
    Ok((new, None))
}

/// Decides one level for one message: its alerts, or, when nobody holds the addressed roles,
/// one row held as undeliverable (counted per level, logged once per sweep).
fn decide(
    conn: &mut DbConnection,
    st: &Environment,
    dir: &mut Directory,
    row: &MessageRow,
    level: Level,
    now: i64,
    touched: &mut BTreeSet<String>,
) -> Result<Decided, AppError> {
    let Some(rung) = st.ladder.rung(level) else {
        return Ok(Decided::Alerts(0));
    };
    match addressees(conn, dir, rung, &row.department_code)? {
        Some((to, cc)) => Ok(Decided::Alerts(write_alerts(
            conn, st, dir, row, rung, &to, &cc, now, touched,
        )?)),
        None => Ok(Decided::Undeliverable(undeliverable::hold(
            conn, row, rung, now,
        )?)),
    }
}

/// What [`decide`] did for one level.
enum Decided {
    /// This many new alerts.
    Alerts(usize),
    /// Nobody to address: whether a new undeliverable row was written.
    Undeliverable(bool),
}
