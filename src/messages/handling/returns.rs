//! Returns (退回) and reassignment (重新交办): a department sends a message that is not its
//! business back to the office within the set working days, and the office assigns it on; the
//! citizen is told of both.

use chrono::{DateTime, Utc};

use crate::auth::{Principal, Role};
use crate::db::DbConnection;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;
use crate::messages::events::Event;
use crate::messages::handling::notice::CitizenStep;
use crate::messages::model::{self, utc, MessageRow};
use crate::messages::workflow::{conflict, MessageChanges};
use crate::messages::Workflow;
use crate::sla::Channel;
use diesel::Connection;

impl Workflow {
    /// The department sends a message that is not its business back to the office, with a reason.
    #[tracing::instrument(name = "workflow.return_to_office", skip_all, fields(message.id = id))]
    pub fn return_to_office(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        who.require_role(
            &[Role::Clerk, Role::Supervisor, Role::Admin],
            "returning a message",
        )?;
        let office = self.rules.office_department.clone();
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if !row.status().is_pending() {
                return Err(conflict(&row, "return"));
            }
            if row.department_code == office {
                return Err(AppError::Conflict(
                    "the message is with the office already".into(),
                ));
            }
            directory::find_department(conn, &office)?;
            let taken = self
                .timeline
                .working_days_between(utc(row.assigned_at), now)?;
            let late = taken > i64::from(self.rules.return_within_working_days);
            let after = self.save(
                conn,
                &row,
                MessageChanges {
                    department_code: Some(office.clone()),
                    returned_count: Some(row.returned_count + 1),
                    assigned_at: Some(now.timestamp()),
                    ..Default::default()
                },
                Event::Returned {
                    from: row.department_code.clone(),
                    to: office.clone(),
                    reason,
                    working_days: taken,
                    late,
                },
                &who.actor,
                now,
            )?;
            let step = CitizenStep::Returned {
                from: row.department_code.clone(),
            };
            self.tell_citizen(conn, &after, step, now)?;
            Ok(after)
        })
    }

    /// Whether `who` assigns messages for the office ([`Principal::may_assign`]).
    pub fn may_assign(&self, who: &Principal) -> bool {
        who.may_assign(&self.rules.office_department)
    }

    /// Whether the message waits for the office to assign it (returned to the office, or never assigned):
    /// the state in which [`Workflow::reassign`] accepts it.
    pub fn awaits_assignment(&self, row: &MessageRow) -> bool {
        row.status().is_pending() && row.department_code == self.rules.office_department
    }

    /// The office assigns a returned (or unassigned) message to a department. The deadline stays unless a fresh one is granted.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per part of the decision"
    )]
    #[tracing::instrument(name = "workflow.reassign", skip_all, fields(message.id = id))]
    pub fn reassign(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        to: &DepartmentCode,
        reason: String,
        fresh_deadline: bool,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let office = self.rules.office_department.clone();
        if !self.may_assign(who) {
            return Err(AppError::Forbidden(
                "only the office assigns messages".into(),
            ));
        }
        conn.transaction(|conn| {
            let row = model::find(conn, id)?;
            if !row.status().is_pending() {
                return Err(conflict(&row, "reassign"));
            }
            if row.department_code != office {
                return Err(AppError::Conflict(format!(
                    "message {id} is with department '{}', not the office: use transfer",
                    row.department_code
                )));
            }
            if to.as_str() == office {
                return Err(AppError::invalid(
                    "department",
                    "choose the department that should answer",
                ));
            }
            directory::find_department(conn, to.as_str())?;
            let due = if fresh_deadline {
                let channel: Channel = row
                    .channel
                    .parse()
                    .map_err(|e: crate::sla::PolicyError| AppError::Internal(e.into()))?;
                let category = row
                    .category
                    .parse()
                    .map_err(|e: crate::sla::PolicyError| AppError::Internal(e.into()))?;
                let days = self
                    .policy
                    .working_days(channel, category)
                    .map_err(|e| AppError::Internal(e.into()))?;
                self.timeline.due_at(now, days)?.timestamp()
            } else {
                row.due_at
            };
            let after = self.save(
                conn,
                &row,
                MessageChanges {
                    department_code: Some(to.as_str().to_string()),
                    assigned_at: Some(now.timestamp()),
                    due_at: Some(due),
                    ..Default::default()
                },
                Event::Reassigned {
                    from: row.department_code.clone(),
                    to: to.as_str().into(),
                    reason,
                    fresh_deadline,
                    due_at: due,
                },
                &who.actor,
                now,
            )?;
            let step = CitizenStep::Reassigned {
                to: to.as_str().into(),
            };
            self.tell_citizen(conn, &after, step, now)?;
            Ok(after)
        })
    }
}
