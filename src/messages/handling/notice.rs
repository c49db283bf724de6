//! Telling the citizen (告知留言人): an approved extension, a transfer, a return to the office and
//! a reassignment are emailed to the citizen's address when one was given, through the outbox
//! (the escalation engine writes the email, [`AfterStep::citizen_notice`]), and recorded in the
//! history as [`Event::CitizenNotified`], which the public tracking page can read later.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::events::{self, Event, NewEventRow};
use crate::messages::model::{utc, MessageRow};
use crate::messages::Workflow;

/// The step the citizen is told of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitizenStep {
    /// The deadline moved by an approved (or directly granted) extension.
    Extended,
    /// Moved from one department to another (转办).
    Transferred { from: String, to: String },
    /// Sent back to the office as not the department's business (退回).
    Returned { from: String },
    /// The office assigned it to a department (重新交办).
    Reassigned { to: String },
}

impl CitizenStep {
    /// Machine name, stored in the event.
    pub fn as_str(&self) -> &'static str {
        match self {
            CitizenStep::Extended => "extended",
            CitizenStep::Transferred { .. } => "transferred",
            CitizenStep::Returned { .. } => "returned",
            CitizenStep::Reassigned { .. } => "reassigned",
        }
    }
}

/// What the citizen is told, with the dates in the office's calendar.
#[derive(Debug, Clone)]
pub struct CitizenNotice<'a> {
    pub step: &'a CitizenStep,
    /// The local date of receipt.
    pub received_on: NaiveDate,
    /// The local date of the deadline now in force.
    pub due_on: NaiveDate,
    /// Unique per step of this message (so the email is queued once).
    pub key: String,
}

impl Workflow {
    /// Tells the citizen of `step` (the message as the step left it), inside the step's
    /// transaction: one email when `[handling] notify_citizen` is on and an address was given,
    /// and the event either way.
    pub(crate) fn tell_citizen(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        step: CitizenStep,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let has_address = row
            .citizen_email
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty());
        let emailed = if self.rules.notify_citizen && has_address {
            let notice = CitizenNotice {
                step: &step,
                received_on: self.timeline.local_date(utc(row.received_at)),
                due_on: self.timeline.local_date(utc(row.due_at)),
                key: format!("citizen:{}:{}:{}", step.as_str(), row.id, row.updated_at),
            };
            self.after_step.citizen_notice(conn, row, &notice, now)?
        } else {
            false
        };
        let event = Event::CitizenNotified {
            step: step.as_str().to_string(),
            due_at: row.due_at,
            emailed,
        };
        events::append(
            conn,
            &[NewEventRow::new(row.id, "system", now.timestamp(), &event)],
        )
    }
}
