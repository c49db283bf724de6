//! Recomputing stored figures when the calendar under them changes: an official notice
//! replaces a provisional (暂定) year, and every deadline, working-days figure and on-time
//! verdict that touched that year is worked out again from the message's own history.
//!
//! The history says how each figure was made (N working days from receipt, an extension of M,
//! a pause from one date to another, a fresh deadline on reassignment), so the recompute
//! replays those steps on the new calendar. The number of working days a deadline was given
//! is read off the old calendar (not the policy, which may have changed since), so a message
//! keeps the allowance it was given and only its calendar changes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::schema::{message_events, messages};
use crate::sla::{Timeline, WorkingDays};

use super::events::{self, Event, EventRow, NewEventRow};
use super::model::{self, utc, MessageRow, BIND_CHUNK};
use super::Workflow;

/// How the recompute appears in message histories.
pub const ACTOR: &str = "system:calendar";

/// Messages per transaction.
const BATCH: i64 = 500;

/// What one recompute did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recalculation {
    /// Messages whose figures touched the changed days.
    pub examined: usize,
    /// Messages whose figures changed (each got a `recalculated` event), in id order.
    pub changed: Vec<i64>,
}

/// The figures the calendar determines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    due_at: i64,
    original_due_at: i64,
    working_days_taken: Option<i32>,
    on_time: Option<bool>,
}

/// Recomputes every message with a deadline or reply at or after `since` (the first instant
/// the two timelines may disagree on), one transaction per batch. Run twice, the second run
/// changes nothing.
pub fn recalculate(
    conn: &mut DbConnection,
    old: &Timeline,
    workflow: &Workflow,
    since: DateTime<Utc>,
    years: &[i32],
    now: DateTime<Utc>,
) -> Result<Recalculation, AppError> {
    let since = since.timestamp();
    let mut report = Recalculation::default();
    let mut after_id = 0_i64;
    loop {
        let ids: Vec<i64> = messages::table
            .filter(messages::id.gt(after_id))
            .filter(
                messages::due_at
                    .ge(since)
                    .or(messages::original_due_at.ge(since))
                    .or(messages::replied_at.ge(since)),
            )
            .order(messages::id)
            .limit(BATCH)
            .select(messages::id)
            .load(conn)?;
        let Some(&last) = ids.last() else {
            return Ok(report);
        };
        after_id = last;
        report.examined += ids.len();
        let changed =
            conn.transaction(|conn| recalculate_batch(conn, &ids, old, workflow, years, now))?;
        report.changed.extend(changed);
    }
}

fn recalculate_batch(
    conn: &mut DbConnection,
    ids: &[i64],
    old: &Timeline,
    workflow: &Workflow,
    years: &[i32],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let new = &workflow.timeline;
    let mut rows = model::find_many(conn, ids)?;
    rows.sort_by_key(|r| r.id);
    let mut history: Vec<EventRow> = Vec::new();
    for chunk in ids.chunks(BIND_CHUNK) {
        history.extend(
            message_events::table
                .filter(message_events::message_id.eq_any(chunk))
                .order((message_events::message_id, message_events::id))
                .select(EventRow::as_select())
                .load(conn)?,
        );
    }
    let mut changed = Vec::new();
    let mut start = 0;
    for row in &rows {
        let end = start + history[start..].partition_point(|e| e.message_id == row.id);
        let events = &history[start..end];
        start = end;
        let before = Figures::of(row);
        let after = match replay(row, events, old, new) {
            Ok(f) => f,
            Err(e) => {
                // A figure the new calendar cannot compute stays as it was, and says why.
                tracing::warn!(message.id = row.id, error = %e, "deadline not recomputed");
                continue;
            }
        };
        if after == before {
            continue;
        }
        let n = diesel::update(messages::table.find(row.id))
            .filter(messages::updated_at.eq(row.updated_at))
            .set((
                messages::due_at.eq(after.due_at),
                messages::original_due_at.eq(after.original_due_at),
                messages::working_days_taken.eq(after.working_days_taken),
                messages::on_time.eq(after.on_time),
                messages::updated_at.eq(row.updated_at.max(now.timestamp()) + 1),
            ))
            .execute(conn)?;
        if n == 0 {
            // Changed by a workflow step since it was read: that step used the new calendar.
            continue;
        }
        let pair = |a: i64, b: i64| (a != b).then_some([a, b]);
        let event = Event::Recalculated {
            years: years.to_vec(),
            due_at: pair(before.due_at, after.due_at),
            original_due_at: pair(before.original_due_at, after.original_due_at),
            working_days_taken: (before.working_days_taken != after.working_days_taken)
                .then_some([before.working_days_taken, after.working_days_taken]),
            on_time: (before.on_time != after.on_time).then_some([before.on_time, after.on_time]),
        };
        events::append(
            conn,
            &[NewEventRow::new(row.id, ACTOR, now.timestamp(), &event)],
        )?;
        let after_row = model::find(conn, row.id)?;
        workflow.after_step.after_step(conn, &after_row, now)?;
        changed.push(row.id);
    }
    Ok(changed)
}

impl Figures {
    fn of(row: &MessageRow) -> Figures {
        Figures {
            due_at: row.due_at,
            original_due_at: row.original_due_at,
            working_days_taken: row.working_days_taken,
            on_time: row.on_time,
        }
    }
}

/// The working days from the local date of `from` to that of `to` on `old`, as an allowance.
fn allowance(old: &Timeline, from: i64, to: i64) -> Result<WorkingDays, AppError> {
    let n = old.working_days_taken(utc(from), utc(to))?;
    let n = u32::try_from(n.max(1)).unwrap_or(1);
    WorkingDays::new(n).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// Replays the deadline-making steps of a history on `new`.
fn replay(
    row: &MessageRow,
    history: &[EventRow],
    old: &Timeline,
    new: &Timeline,
) -> Result<Figures, AppError> {
    let mut f = Figures::of(row);
    // The deadline as the history goes; a step's allowance is read off the old calendar.
    let mut due = row.original_due_at;
    let mut paused_at: Option<i64> = None;
    let mut replied: Option<i64> = None;
    for e in history {
        match e.event()? {
            Event::Received {
                received_at,
                due_at,
                ..
            } => {
                due = new
                    .due_at(utc(received_at), allowance(old, received_at, due_at)?)?
                    .timestamp();
                f.original_due_at = due;
            }
            Event::Extended { working_days, .. } => {
                if let Ok(days) = WorkingDays::new(working_days) {
                    due = new.extend(utc(due), days)?.timestamp();
                }
            }
            Event::Paused { .. } => paused_at = Some(e.at),
            Event::Resumed {
                paused_working_days,
                ..
            } => {
                // The cap in force at the resume is kept: never more days than were granted.
                let paused = paused_at.take().unwrap_or(e.at);
                due = new
                    .resume(utc(due), utc(paused), utc(e.at), paused_working_days)?
                    .0
                    .timestamp();
            }
            Event::Reassigned {
                fresh_deadline: true,
                due_at,
                ..
            } => {
                due = new
                    .due_at(utc(e.at), allowance(old, e.at, due_at)?)?
                    .timestamp();
            }
            Event::Replied { replied_at, .. } => replied = Some(replied_at),
            Event::Reopened { .. } => replied = None,
            _ => {}
        }
    }
    f.due_at = due;
    if let (Some(replied_at), Some(_)) = (replied, row.replied_at) {
        let taken = new.working_days_taken(utc(row.received_at), utc(replied_at))?;
        f.working_days_taken = Some(i32::try_from(taken).unwrap_or(i32::MAX));
        f.on_time = Some(Timeline::is_on_time(utc(due), utc(replied_at)));
    }
    Ok(f)
}
