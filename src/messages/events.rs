//! The append-only history of a message: typed events, their storage, and the replay that rebuilds a message's state from them.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::schema::{message_events, messages};
use std::collections::HashMap;

/// One step in a message's life. Stored as JSON in `message_events.detail`,
/// with the tag also in `message_events.kind` for queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Received {
        channel: String,
        category: String,
        external_id: Option<String>,
        received_at: i64,
        due_at: i64,
        /// The department the message was first assigned to. Recorded here since
        /// the one creation event replaced a separate `assigned` event; older
        /// histories carry it in their `Assigned` event instead.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
    },
    /// A department assignment outside creation (histories written before the
    /// creation event carried the department).
    Assigned {
        department: String,
    },
    Transferred {
        from: String,
        to: String,
        reason: String,
    },
    Paused {
        reason: String,
    },
    Resumed {
        paused_working_days: u32,
        due_at: i64,
    },
    Extended {
        working_days: u32,
        reason: String,
        due_at: i64,
    },
    Replied {
        replied_at: i64,
        on_time: bool,
        working_days_taken: i32,
    },
    MarkedInvalid {
        reason: String,
    },
    Reopened {
        reason: String,
    },
    AlertSent {
        level: String,
        recipients: u32,
    },
    ExtensionRequested {
        request_id: i64,
        working_days: u32,
        reason: String,
    },
    ExtensionRefused {
        request_id: i64,
        reason: String,
    },
    /// A clerk asked to stop the clock (`[handling] pause = "with_approval"`).
    PauseRequested {
        request_id: i64,
        reason: String,
    },
    /// A supervisor refused a pause request (an approval is recorded as `Paused`).
    PauseRefused {
        request_id: i64,
        reason: String,
    },
    /// Sent back to the office as not the department's business.
    Returned {
        from: String,
        to: String,
        reason: String,
        /// Working days between assignment and return.
        working_days: i64,
        /// Later than the configured limit.
        late: bool,
    },
    Reassigned {
        from: String,
        to: String,
        reason: String,
        fresh_deadline: bool,
        due_at: i64,
    },
    VerdictRecorded {
        verdict: String,
        note: String,
        fixed_at: Option<i64>,
    },
    ReplySubmitted {
        submitted_at: i64,
    },
    ReviewAccepted,
    ReviewRejected {
        reason: String,
    },
    /// The citizen was told of a step (`step`: extended, transferred, returned, reassigned) and
    /// the deadline then in force; `emailed` when an email was queued to their address. The
    /// public tracking page reads these.
    CitizenNotified {
        step: String,
        due_at: i64,
        emailed: bool,
    },
    /// Figures recomputed because the official calendar for `years` replaced the provisional
    /// one; each pair is `[before, after]`, and only what changed is present.
    Recalculated {
        years: Vec<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<[i64; 2]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        original_due_at: Option<[i64; 2]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        working_days_taken: Option<[Option<i32>; 2]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_time: Option<[Option<bool>; 2]>,
    },
}

/// Event kinds that queries name (the `kind` column); [`Event::kind`] gives every kind.
pub mod kind {
    pub const RECEIVED: &str = "received";
    pub const ASSIGNED: &str = "assigned";
    pub const ALERT_SENT: &str = "alert_sent";
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Received { .. } => kind::RECEIVED,
            Event::Assigned { .. } => kind::ASSIGNED,
            Event::Transferred { .. } => "transferred",
            Event::Paused { .. } => "paused",
            Event::Resumed { .. } => "resumed",
            Event::Extended { .. } => "extended",
            Event::Replied { .. } => "replied",
            Event::MarkedInvalid { .. } => "marked_invalid",
            Event::Reopened { .. } => "reopened",
            Event::AlertSent { .. } => kind::ALERT_SENT,
            Event::ExtensionRequested { .. } => "extension_requested",
            Event::ExtensionRefused { .. } => "extension_refused",
            Event::PauseRequested { .. } => "pause_requested",
            Event::PauseRefused { .. } => "pause_refused",
            Event::Returned { .. } => "returned",
            Event::Reassigned { .. } => "reassigned",
            Event::VerdictRecorded { .. } => "verdict_recorded",
            Event::ReplySubmitted { .. } => "reply_submitted",
            Event::ReviewAccepted => "review_accepted",
            Event::ReviewRejected { .. } => "review_rejected",
            Event::Recalculated { .. } => "recalculated",
            Event::CitizenNotified { .. } => "citizen_notified",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Event::Received { .. } => "收到留言",
            Event::Assigned { .. } => "分派",
            Event::Transferred { .. } => "转办",
            Event::Paused { .. } => "暂停计时（待群众补充材料）",
            Event::Resumed { .. } => "恢复计时",
            Event::Extended { .. } => "延期",
            Event::Replied { .. } => "答复",
            Event::MarkedInvalid { .. } => "标记为无效留言",
            Event::Reopened { .. } => "重新办理",
            Event::AlertSent { .. } => "发送督办提醒",
            Event::ExtensionRequested { .. } => "申请延期",
            Event::ExtensionRefused { .. } => "不同意延期",
            Event::PauseRequested { .. } => "申请暂停计时",
            Event::PauseRefused { .. } => "不同意暂停计时",
            Event::Returned { .. } => "退回（非本单位职责）",
            Event::Reassigned { .. } => "重新交办",
            Event::VerdictRecorded { .. } => "核实结论",
            Event::ReplySubmitted { .. } => "提交答复待审核",
            Event::ReviewAccepted => "审核通过",
            Event::ReviewRejected { .. } => "审核退回",
            Event::Recalculated { .. } => "按正式放假安排重新计算",
            Event::CitizenNotified { .. } => "告知留言人",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = message_events)]
pub struct EventRow {
    pub id: i64,
    pub message_id: i64,
    pub kind: String,
    pub actor: String,
    pub at: i64,
    pub detail: String,
}

impl EventRow {
    pub fn event(&self) -> Result<Event, AppError> {
        serde_json::from_str(&self.detail)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("event {} unreadable: {e}", self.id)))
    }
}

#[derive(Insertable)]
#[diesel(table_name = message_events)]
pub struct NewEventRow {
    pub message_id: i64,
    pub kind: &'static str,
    pub actor: String,
    pub at: i64,
    pub detail: String,
}

impl NewEventRow {
    pub fn new(message_id: i64, actor: &str, at: i64, event: &Event) -> NewEventRow {
        NewEventRow {
            message_id,
            kind: event.kind(),
            actor: actor.to_string(),
            at,
            // Serialising a plain enum of strings and integers cannot fail.
            detail: serde_json::to_string(event).unwrap_or_else(|_| "{}".into()),
        }
    }
}

/// Appends events (never updates or deletes: the table's triggers refuse).
pub fn append(conn: &mut DbConnection, rows: &[NewEventRow]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    // Multi-row INSERT does not go through the multi-backend's query builder,
    // so each backend runs natively: PostgreSQL one multi-row statement, SQLite a
    // prepared single-row insert per event (in-process, and without the statement
    // journal a multi-row statement keeps).
    match conn {
        DbConnection::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(message_events::table)
                    .values(row)
                    .execute(c)?;
            }
        }
        DbConnection::Postgresql(c) => {
            diesel::insert_into(message_events::table)
                .values(rows)
                .execute(c)?;
        }
    }
    Ok(())
}

/// The history of one message, oldest first.
pub fn history(conn: &mut DbConnection, message_id: i64) -> Result<Vec<EventRow>, AppError> {
    Ok(message_events::table
        .filter(message_events::message_id.eq(message_id))
        .order(message_events::id)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The workflow state that the events determine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplayedState {
    pub status: String,
    pub department: String,
    pub due_at: i64,
    pub extended_days: u32,
    pub replied_at: Option<i64>,
    pub on_time: Option<bool>,
}

/// Rebuilds the state of a message from its history alone.
pub fn replay(events: &[Event]) -> ReplayedState {
    let mut s = ReplayedState::default();
    for e in events {
        match e {
            Event::Received {
                due_at, department, ..
            } => {
                s.status = "open".into();
                s.due_at = *due_at;
                if let Some(d) = department {
                    s.department = d.clone();
                }
            }
            Event::Assigned { department } => s.department = department.clone(),
            Event::Transferred { to, .. } => s.department = to.clone(),
            Event::Paused { .. } => s.status = "paused".into(),
            Event::Resumed { due_at, .. } => {
                s.status = "open".into();
                s.due_at = *due_at;
            }
            Event::Extended {
                working_days,
                due_at,
                ..
            } => {
                s.extended_days += working_days;
                s.due_at = *due_at;
            }
            Event::Replied {
                replied_at,
                on_time,
                ..
            } => {
                s.status = "replied".into();
                s.replied_at = Some(*replied_at);
                s.on_time = Some(*on_time);
            }
            Event::MarkedInvalid { .. } => s.status = "invalid".into(),
            Event::Reopened { .. } => {
                s.status = "open".into();
                s.replied_at = None;
                s.on_time = None;
            }
            Event::Returned { to, .. } => s.department = to.clone(),
            Event::Reassigned { to, due_at, .. } => {
                s.department = to.clone();
                s.due_at = *due_at;
            }
            Event::Recalculated {
                due_at, on_time, ..
            } => {
                if let Some([_, after]) = due_at {
                    s.due_at = *after;
                }
                if let Some([_, after]) = on_time {
                    s.on_time = *after;
                }
            }
            Event::AlertSent { .. }
            | Event::CitizenNotified { .. }
            | Event::ExtensionRequested { .. }
            | Event::ExtensionRefused { .. }
            | Event::PauseRequested { .. }
            | Event::PauseRefused { .. }
            | Event::VerdictRecorded { .. }
            | Event::ReplySubmitted { .. }
            | Event::ReviewAccepted
            | Event::ReviewRejected { .. } => {}
        }
    }
    s
}
/// Pending messages of a department each actor has acted on (paused, transferred in, requested an extension…).
pub fn pending_handled_by_actor(
    conn: &mut DbConnection,
    department: &str,
) -> Result<HashMap<String, i64>, AppError> {
    let rows: Vec<(String, i64)> = message_events::table
        .inner_join(messages::table)
        .filter(messages::department_code.eq(department))
        .filter(
            messages::status.eq_any([super::Status::Open.as_str(), super::Status::Paused.as_str()]),
        )
        .filter(message_events::kind.ne_all([kind::RECEIVED, kind::ASSIGNED, kind::ALERT_SENT]))
        .select((message_events::actor, message_events::message_id))
        .distinct()
        .load(conn)?;
    let mut out = HashMap::new();
    for (actor, _) in rows {
        *out.entry(actor).or_insert(0) += 1;
    }
    Ok(out)
}

/// An `alert_sent` event, with the subject it was about.
#[derive(Debug, Clone)]
pub struct AlertLine {
    pub message_id: i64,
    pub subject: String,
    /// The message's citizen contact, to mask where the subject repeats it.
    pub citizen: crate::privacy::Citizen,
    pub at: i64,
    pub detail: String,
}

/// The alerts sent in `[start, end)` about a department's messages, newest first (at most 100).
pub fn alerts_sent(
    conn: &mut DbConnection,
    department: &str,
    (start, end): (i64, i64),
) -> Result<Vec<AlertLine>, AppError> {
    type Line = (
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        String,
    );
    let rows: Vec<Line> = message_events::table
        .inner_join(messages::table)
        .filter(messages::department_code.eq(department))
        .filter(message_events::kind.eq(kind::ALERT_SENT))
        .filter(message_events::at.ge(start))
        .filter(message_events::at.lt(end))
        .order(message_events::id.desc())
        .limit(100)
        .select((
            message_events::message_id,
            messages::subject,
            messages::citizen_name,
            messages::citizen_phone,
            messages::citizen_email,
            message_events::at,
            message_events::detail,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(message_id, subject, name, phone, email, at, detail)| AlertLine {
                message_id,
                subject,
                citizen: crate::privacy::Citizen { name, phone, email },
                at,
                detail,
            },
        )
        .collect())
}
