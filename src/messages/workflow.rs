//! The message workflow: every state change, in one transaction with its event, using the one deadline rule of [`crate::sla::Timeline`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::auth::Principal;
use crate::config::{HandlingSettings, PausePolicy};
use crate::db::DbConnection;
use crate::directory::{self, DepartmentCode};
use crate::error::{is_unique_violation, AppError};
use crate::schema::messages;
use crate::sla::{Channel, SlaPolicy, Timeline};
use std::collections::HashMap;

use super::events::{self, Event, NewEventRow};
use super::handling::notice::CitizenStep;
use super::model::{self, MessageRow, NewMessageRow};
use super::{AfterStep, MessageForm, NewMessage, Status};

/// What became of one intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateOutcome {
    Created(i64),
    /// The channel's external id was stored before: nothing new stored.
    Existing(i64),
}

impl CreateOutcome {
    pub fn id(self) -> i64 {
        match self {
            CreateOutcome::Created(id) | CreateOutcome::Existing(id) => id,
        }
    }
}

/// A validated message with its deadline, ready to be stored.
#[derive(Debug, Clone)]
pub struct Pending {
    pub message: NewMessage,
    pub due_at: DateTime<Utc>,
    /// Who files it, as it appears in the history.
    pub actor: String,
    /// When it is filed (the time of its first events).
    pub filed_at: DateTime<Utc>,
}

fn new_row(p: &Pending) -> NewMessageRow<'_> {
    let msg = &p.message;
    let due = p.due_at.timestamp();
    NewMessageRow {
        channel: msg.channel.as_str(),
        external_id: msg.external_id.as_deref(),
        category: msg.category.as_str(),
        subject: &msg.subject,
        body: &msg.body,
        citizen_name: msg.citizen.name.as_deref(),
        citizen_phone: msg.citizen.phone.as_deref(),
        citizen_email: msg.citizen.email.as_deref(),
        site_name: msg.site.as_ref().map(|s| s.name.as_str()),
        site_url: msg.site.as_ref().map(|s| s.url.as_str()),
        department_code: msg.department.as_str(),
        status: Status::Open.as_str(),
        received_at: msg.received_at.timestamp(),
        due_at: due,
        original_due_at: due,
        updated_at: p.filed_at.timestamp(),
        assigned_at: p.filed_at.timestamp(),
    }
}

/// The workflow over the policy and the calendar.
#[derive(Clone)]
pub struct Workflow {
    pub timeline: Timeline,
    pub policy: Arc<SlaPolicy>,
    pub rules: Arc<HandlingSettings>,
    /// Runs in the transaction of every step (the escalation ladder re-arms or stops).
    pub after_step: Arc<dyn AfterStep>,
}

/// 409: the message's status does not allow `action`.
pub(super) fn conflict(row: &MessageRow, action: &str) -> AppError {
    AppError::Conflict(format!(
        "message {} is {}: cannot {action}",
        row.id,
        row.status()
    ))
}

impl Workflow {
    /// The deadline of a new message under the policy (422 naming the calendar's range when outside it).
    pub fn due_at(&self, msg: &NewMessage) -> Result<DateTime<Utc>, AppError> {
        let days = self
            .policy
            .working_days(msg.channel, msg.category)
            .map_err(|e| AppError::invalid("category", e.to_string()))?;
        self.timeline
            .due_at(msg.received_at, days)
            .map_err(|e| AppError::invalid("received_at", e.to_string()))
    }

    /// What every intake does with a filed form before storing it: every field checked, the
    /// caller's scope (staff file messages for their own department only), the deadline. The
    /// department's existence is checked where the message is stored.
    pub fn prepare(
        &self,
        form: MessageForm,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Pending, AppError> {
        let msg = form.parse(&self.policy, now)?;
        if who.role.needs_department() {
            who.require_see(msg.department.as_str())?;
        }
        self.pending(msg, &who.actor, now)
    }

    /// A checked message with its deadline, filed by `actor` at `now`.
    fn pending(
        &self,
        msg: NewMessage,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Pending, AppError> {
        Ok(Pending {
            due_at: self.due_at(&msg)?,
            message: msg,
            actor: actor.to_string(),
            filed_at: now,
        })
    }

    /// Stores a batch of validated messages in one transaction. A message whose
    /// channel and external id are already stored (or repeated earlier in the
    /// batch) is reported as existing and not stored again. The look-up of
    /// known external ids, the inserts and the events are each one statement
    /// per few hundred messages, which is what makes bulk import fast.
    #[tracing::instrument(name = "workflow.create_many", skip_all, fields(messages = batch.len()))]
    pub fn create_many(
        &self,
        conn: &mut DbConnection,
        batch: &[Pending],
    ) -> Result<Vec<CreateOutcome>, AppError> {
        conn.transaction(|conn| {
            let mut known: HashMap<(&'static str, String), i64> = HashMap::new();
            for channel in Channel::ALL {
                let ids: Vec<&str> = batch
                    .iter()
                    .filter(|p| p.message.channel == channel)
                    .filter_map(|p| p.message.external_id.as_deref())
                    .collect();
                for (ext, id) in model::existing_external_ids(conn, channel.as_str(), &ids)? {
                    known.insert((channel.as_str(), ext), id);
                }
            }
            // Which items to insert: new ones, the first of any repeated external id.
            let mut fresh: Vec<usize> = Vec::with_capacity(batch.len());
            let mut first_of: HashMap<(&str, &str), usize> = HashMap::new();
            for (i, p) in batch.iter().enumerate() {
                match p.message.external_id.as_deref() {
                    Some(ext) => {
                        let key = (p.message.channel.as_str(), ext);
                        if known.contains_key(&(key.0, ext.to_string()))
                            || first_of.contains_key(&key)
                        {
                            continue;
                        }
                        first_of.insert(key, i);
                        fresh.push(i);
                    }
                    None => fresh.push(i),
                }
            }
            // Stored in receipt order: the receipt-time and deadline indexes then take each
            // batch as one sweep across their pages instead of random inserts (an unordered
            // import file would otherwise touch a different page for nearly every row).
            fresh.sort_by_key(|&i| batch[i].message.received_at);
            let rows: Vec<NewMessageRow> = fresh.iter().map(|&i| new_row(&batch[i])).collect();
            let ids = model::insert_many(conn, &rows)?;
            let mut id_of = vec![0i64; batch.len()];
            // One creation event per message (receipt, deadline and department):
            // bulk imports write a third fewer rows than with a separate assignment event.
            let mut new_events = Vec::with_capacity(fresh.len());
            for (&i, &id) in fresh.iter().zip(&ids) {
                id_of[i] = id;
                let p = &batch[i];
                let at = p.filed_at.timestamp();
                new_events.push(NewEventRow::new(
                    id,
                    &p.actor,
                    at,
                    &Event::Received {
                        channel: p.message.channel.as_str().into(),
                        category: p.message.category.as_str().into(),
                        external_id: p.message.external_id.clone(),
                        received_at: p.message.received_at.timestamp(),
                        due_at: p.due_at.timestamp(),
                        department: Some(p.message.department.as_str().into()),
                    },
                ));
            }
            events::append(conn, &new_events)?;
            Ok(batch
                .iter()
                .enumerate()
                .map(|(i, p)| match p.message.external_id.as_deref() {
                    Some(ext) => {
                        let key = (p.message.channel.as_str(), ext);
                        match known.get(&(key.0, ext.to_string())) {
                            Some(id) => CreateOutcome::Existing(*id),
                            None if first_of.get(&key) == Some(&i) => {
                                CreateOutcome::Created(id_of[i])
                            }
                            None => {
                                CreateOutcome::Existing(first_of.get(&key).map_or(0, |&f| id_of[f]))
                            }
                        }
                    }
                    None => CreateOutcome::Created(id_of[i]),
                })
                .collect())
        })
    }

    /// Creates one message, idempotent on (channel, external id) even under concurrent requests.
    pub fn create(
        &self,
        conn: &mut DbConnection,
        msg: NewMessage,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome, AppError> {
        directory::find_department(conn, msg.department.as_str())?;
        let pending = self.pending(msg.clone(), actor, now)?;
        match self.create_many(conn, &[pending]) {
            Ok(mut v) => Ok(v.remove(0)),
            // A concurrent request stored the same external id between our look-up and insert.
            Err(AppError::Internal(e))
                if e.downcast_ref::<diesel::result::Error>()
                    .is_some_and(is_unique_violation) =>
            {
                let ext = msg.external_id.as_deref().unwrap_or_default();
                model::find_by_external_id(conn, msg.channel.as_str(), ext)?
                    .map(CreateOutcome::Existing)
                    .ok_or_else(|| AppError::Internal(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Loads a message the principal may act on, inside the caller's transaction.
    pub(super) fn load_for(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
    ) -> Result<MessageRow, AppError> {
        who.require_reader()?;
        let row = model::find(conn, id)?;
        who.require_see_message(id, &row.department_code)?;
        Ok(row)
    }

    /// Writes the changed columns, checking nobody changed the row meanwhile.
    pub(super) fn save(
        &self,
        conn: &mut DbConnection,
        before: &MessageRow,
        changes: MessageChanges,
        event: Event,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let n = diesel::update(messages::table.find(before.id))
            .filter(messages::updated_at.eq(before.updated_at))
            .filter(messages::status.eq(&before.status))
            .set((
                &changes,
                messages::updated_at.eq(before.updated_at.max(now.timestamp()) + 1),
            ))
            .execute(conn)?;
        if n == 0 {
            return Err(AppError::Conflict(format!(
                "message {} was changed by someone else meanwhile: reload and try again",
                before.id
            )));
        }
        events::append(
            conn,
            &[NewEventRow::new(before.id, actor, now.timestamp(), &event)],
        )?;
        let after = model::find(conn, before.id)?;
        // Every change of deadline, status or department re-arms or stops the escalation ladder.
        self.after_step.after_step(conn, &after, now)?;
        Ok(after)
    }

    /// Logs the answer. `replied_at` defaults to now; it may not precede receipt nor lie in the future.
    #[tracing::instrument(name = "workflow.reply", skip_all, fields(message.id = id))]
    pub fn reply(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        body: String,
        replied_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let mut row = self.load_for(conn, who, id)?;
            if !row.status().is_pending() {
                return Err(conflict(&row, "reply (reopen it first)"));
            }
            let replied_at = replied_at.unwrap_or(now);
            super::not_in_future("replied_at", replied_at, now)?;
            if replied_at.timestamp() < row.received_at {
                return Err(AppError::invalid(
                    "replied_at",
                    "replied_at is before the message was received",
                ));
            }
            if row.status() == Status::Paused {
                // Answering ends the wait for the citizen: the pause is closed first.
                row = self.resume_row(conn, &row, &who.actor, replied_at)?;
            }
            if self.needs_review(&row.channel) {
                return self.submit_for_review(conn, who, &row, body, replied_at, now);
            }
            let reply = Reply {
                body,
                by: who.actor.clone(),
                at: replied_at,
            };
            self.record_reply(conn, &row, reply, &who.actor, now)
        })
    }

    /// Closes a message with its answer: the reply, the working days taken and whether it
    /// met the deadline. Direct replies and accepted reviews both end here.
    pub(super) fn record_reply(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        reply: Reply,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let on_time = Timeline::is_on_time(model::utc(row.due_at), reply.at);
        let taken = self
            .timeline
            .working_days_taken(model::utc(row.received_at), reply.at)?;
        let taken = i32::try_from(taken).unwrap_or(i32::MAX);
        self.save(
            conn,
            row,
            MessageChanges {
                status: Some(Status::Replied.as_str()),
                replied_at: Some(Some(reply.at.timestamp())),
                reply_body: Some(Some(reply.body)),
                replied_by: Some(Some(reply.by)),
                working_days_taken: Some(Some(taken)),
                on_time: Some(Some(on_time)),
                review_pending: Some(false),
                ..Default::default()
            },
            Event::Replied {
                replied_at: reply.at.timestamp(),
                on_time,
                working_days_taken: taken,
            },
            actor,
            now,
        )
    }

    /// Moves the message to another department (the office's staff and the roles of
    /// `[handling] direct_transfer_roles`); the deadline stays (the ladder restarts for the new
    /// department), and the citizen is told.
    #[tracing::instrument(name = "workflow.transfer", skip_all, fields(message.id = id))]
    pub fn transfer(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        to: &DepartmentCode,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if !who.may_transfer(&row.department_code, &self.rules) {
                return Err(AppError::Forbidden(format!(
                    "the role '{}' does not transfer messages directly (handling.direct_transfer_roles): \
                     return it to the office with a reason, and the office reassigns it",
                    who.role
                )));
            }
            if !row.status().is_pending() {
                return Err(conflict(&row, "transfer"));
            }
            if row.department_code == to.as_str() {
                return Err(AppError::invalid(
                    "department",
                    format!("the message is already with department '{to}'"),
                ));
            }
            directory::find_department(conn, to.as_str())?;
            let after = self.save(
                conn,
                &row,
                MessageChanges {
                    department_code: Some(to.as_str().to_string()),
                    ..Default::default()
                },
                Event::Transferred {
                    from: row.department_code.clone(),
                    to: to.as_str().into(),
                    reason,
                },
                &who.actor,
                now,
            )?;
            let step = CitizenStep::Transferred {
                from: row.department_code.clone(),
                to: to.as_str().into(),
            };
            self.tell_citizen(conn, &after, step, now)?;
            Ok(after)
        })
    }

    /// May `who` stop the clock of a message of `department` directly: anyone handling it under
    /// `[handling] pause = "free"`, its supervisors and admins under `"with_approval"`.
    pub fn may_pause_directly(&self, who: &Principal, department: &str) -> bool {
        match self.rules.pause {
            PausePolicy::Free => true,
            PausePolicy::WithApproval => who.may_decide_pause(department),
            PausePolicy::Off => false,
        }
    }

    /// Does the policy let `who` ask for a pause on a message of `department`?
    pub fn may_request_pause(&self, who: &Principal, department: &str) -> bool {
        self.rules.pause == PausePolicy::WithApproval && who.may_request_pause(department)
    }

    /// Why a direct pause is refused under the policy (409 naming it), or `None` when allowed.
    fn pause_refusal(&self, who: &Principal, department: &str) -> Option<AppError> {
        if self.may_pause_directly(who, department) {
            return None;
        }
        match self.rules.pause {
            PausePolicy::Free => None,
            PausePolicy::Off => Some(AppError::Conflict(
                "pausing is off (handling.pause = \"off\"): the deadline runs from receipt".into(),
            )),
            PausePolicy::WithApproval => Some(AppError::Conflict(
                "pausing needs approval (handling.pause = \"with_approval\"): ask for a pause \
                 and a supervisor of the department decides"
                    .into(),
            )),
        }
    }

    /// Stops the clock while the citizen is asked for more information (only under
    /// `[handling] pause = "free"`; see [`Self::may_pause_directly`]).
    #[tracing::instrument(name = "workflow.pause", skip_all, fields(message.id = id))]
    pub fn pause(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if let Some(refusal) = self.pause_refusal(who, &row.department_code) {
                return Err(refusal);
            }
            if row.status() != Status::Open {
                return Err(conflict(&row, "pause"));
            }
            self.save(
                conn,
                &row,
                MessageChanges {
                    status: Some(Status::Paused.as_str()),
                    paused_at: Some(Some(now.timestamp())),
                    ..Default::default()
                },
                Event::Paused { reason },
                &who.actor,
                now,
            )
        })
    }

    fn resume_row(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let paused_at = model::utc(row.paused_at.unwrap_or(at.timestamp()));
        let (due, paused_days) = self.timeline.resume(
            model::utc(row.due_at),
            paused_at,
            at,
            self.rules.max_pause_working_days,
        )?;
        self.save(
            conn,
            row,
            MessageChanges {
                status: Some(Status::Open.as_str()),
                paused_at: Some(None),
                due_at: Some(due.timestamp()),
                ..Default::default()
            },
            Event::Resumed {
                paused_working_days: paused_days,
                due_at: due.timestamp(),
            },
            actor,
            at,
        )
    }

    /// Restarts the clock; the deadline moves by the working days spent paused.
    #[tracing::instrument(name = "workflow.resume", skip_all, fields(message.id = id))]
    pub fn resume(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if row.status() != Status::Paused {
                return Err(conflict(&row, "resume"));
            }
            self.resume_row(conn, &row, &who.actor, now)
        })
    }

    /// Marks spam, duplicates and out-of-scope messages: kept, but out of the statistics.
    #[tracing::instrument(name = "workflow.mark_invalid", skip_all, fields(message.id = id))]
    pub fn mark_invalid(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if row.status() == Status::Invalid {
                return Err(conflict(&row, "mark invalid"));
            }
            self.save(
                conn,
                &row,
                MessageChanges {
                    status: Some(Status::Invalid.as_str()),
                    paused_at: Some(None),
                    ..Default::default()
                },
                Event::MarkedInvalid { reason },
                &who.actor,
                now,
            )
        })
    }

    /// Opens a replied or invalid message again; its deadline is unchanged.
    #[tracing::instrument(name = "workflow.reopen", skip_all, fields(message.id = id))]
    pub fn reopen(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if row.status().is_pending() {
                return Err(conflict(&row, "reopen"));
            }
            self.save(
                conn,
                &row,
                MessageChanges {
                    status: Some(Status::Open.as_str()),
                    replied_at: Some(None),
                    reply_body: Some(None),
                    replied_by: Some(None),
                    working_days_taken: Some(None),
                    on_time: Some(None),
                    ..Default::default()
                },
                Event::Reopened { reason },
                &who.actor,
                now,
            )
        })
    }
}

/// An answer to a message: its text, who wrote it and when it counts as given.
pub(super) struct Reply {
    pub(super) body: String,
    pub(super) by: String,
    pub(super) at: DateTime<Utc>,
}

/// The columns a workflow step may change (`None` = leave as is).
#[derive(AsChangeset, Default)]
#[diesel(table_name = messages)]
pub(super) struct MessageChanges {
    pub(super) status: Option<&'static str>,
    pub(super) department_code: Option<String>,
    pub(super) due_at: Option<i64>,
    pub(super) paused_at: Option<Option<i64>>,
    pub(super) extended_days: Option<i32>,
    pub(super) replied_at: Option<Option<i64>>,
    pub(super) reply_body: Option<Option<String>>,
    pub(super) replied_by: Option<Option<String>>,
    pub(super) working_days_taken: Option<Option<i32>>,
    pub(super) on_time: Option<Option<bool>>,
    pub(super) assigned_at: Option<i64>,
    pub(super) returned_count: Option<i32>,
    pub(super) verdict: Option<Option<String>>,
    pub(super) review_pending: Option<bool>,
}
