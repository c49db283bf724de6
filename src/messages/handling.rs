//! Handling rules from the regulations: extension requests decided by a supervisor, returns of misrouted messages to the office and their reassignment, 属实/不属实 verdicts on website error reports, and review of replies.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Principal, Role};
use crate::config::ReviewedReplyTime;
use crate::db::DbConnection;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;
use crate::schema::{extension_requests, reply_submissions};
use crate::sla::{Channel, Timeline, WorkingDays};

use super::events::Event;
use super::model::{utc, MessageRow};
use super::workflow::MessageChanges;
use super::{Status, Workflow};

/// The outcome of checking a website error report (属实 / 不属实).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 属实: the error is real (say what was fixed and when).
    Confirmed,
    /// 不属实: not an error (say why).
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Confirmed => "属实",
            Verdict::Rejected => "不属实",
        }
    }
}

/// What the department found when it checked a website error report.
#[derive(Debug, Clone)]
pub struct Finding {
    pub verdict: Verdict,
    /// What was fixed (属实) or why it is not an error (不属实).
    pub note: String,
    /// When it was fixed (属实 only; default now).
    pub fixed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = extension_requests)]
pub struct ExtensionRequest {
    pub id: i64,
    pub message_id: i64,
    pub working_days: i32,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: i64,
    /// pending, approved or refused.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = extension_requests)]
struct NewExtensionRequest<'a> {
    message_id: i64,
    working_days: i32,
    reason: &'a str,
    requested_by: &'a str,
    requested_at: i64,
    status: &'a str,
}

/// The extension requests of a message, oldest first.
pub fn extension_requests_of(
    conn: &mut DbConnection,
    message_id: i64,
) -> Result<Vec<ExtensionRequest>, AppError> {
    Ok(extension_requests::table
        .filter(extension_requests::message_id.eq(message_id))
        .order(extension_requests::id)
        .select(ExtensionRequest::as_select())
        .load(conn)?)
}

/// A reply submitted for review.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = reply_submissions)]
pub struct Submission {
    pub id: i64,
    pub message_id: i64,
    pub body: String,
    pub submitted_by: String,
    pub submitted_at: i64,
    /// pending, accepted or rejected.
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub reason: Option<String>,
}

/// The reply submissions of a message, oldest first.
pub fn submissions_of(
    conn: &mut DbConnection,
    message_id: i64,
) -> Result<Vec<Submission>, AppError> {
    Ok(reply_submissions::table
        .filter(reply_submissions::message_id.eq(message_id))
        .order(reply_submissions::id)
        .select(Submission::as_select())
        .load(conn)?)
}

/// Marks a message's pending extension requests approved by a direct grant.
pub(super) fn close_pending_requests(
    conn: &mut DbConnection,
    message_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(
        extension_requests::table
            .filter(extension_requests::message_id.eq(message_id))
            .filter(extension_requests::status.eq("pending")),
    )
    .set((
        extension_requests::status.eq("approved"),
        extension_requests::decided_by.eq(actor),
        extension_requests::decided_at.eq(now.timestamp()),
        extension_requests::decision_reason.eq("直接批准延期"),
    ))
    .execute(conn)?;
    Ok(())
}

fn pending_conflict(row: &MessageRow, action: &str) -> AppError {
    AppError::Conflict(format!(
        "message {} is {}: cannot {action}",
        row.id,
        row.status()
    ))
}

impl Workflow {
    /// Extensions are asked for in time: before the due time, or `lead` working days before the due date.
    pub(super) fn check_extension_in_time(
        &self,
        row: &MessageRow,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let lead = self.rules.extension_lead_working_days;
        let due = utc(row.due_at);
        let in_time = if lead == 0 {
            now <= due
        } else {
            let tl = &self.timeline;
            let left = tl
                .calendar()
                .working_days_between(tl.local_date(now), tl.local_date(due))?;
            now <= due && left >= i64::from(lead)
        };
        if in_time {
            return Ok(());
        }
        Err(AppError::invalid(
            "working_days",
            if lead == 0 {
                "an extension must be asked for before the deadline: asking after it counts as a late reply".to_string()
            } else {
                format!("an extension must be asked for at least {lead} working day(s) before the due date")
            },
        ))
    }

    /// The total extension stays within the cap.
    pub(super) fn check_extension_cap(
        &self,
        row: &MessageRow,
        days: WorkingDays,
    ) -> Result<(), AppError> {
        let cap = self.rules.max_extension_working_days;
        let total = row.extended_days as u32 + days.get();
        if total > cap {
            return Err(AppError::invalid(
                "working_days",
                format!(
                    "extensions may total at most {cap} working days; this message has {} already",
                    row.extended_days
                ),
            ));
        }
        Ok(())
    }

    /// Moves the deadline by `days` working days and records why (the checks are the caller's).
    pub(super) fn apply_extension(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        days: WorkingDays,
        reason: String,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let due = self.timeline.extend(utc(row.due_at), days)?;
        self.save(
            conn,
            row,
            MessageChanges {
                due_at: Some(due.timestamp()),
                extended_days: Some(row.extended_days + days.get() as i32),
                ..Default::default()
            },
            Event::Extended {
                working_days: days.get(),
                reason,
                due_at: due.timestamp(),
            },
            actor,
            now,
        )
    }

    /// A clerk (or supervisor) asks for more working days, in time and within the cap.
    pub fn request_extension(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        days: WorkingDays,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<ExtensionRequest, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if !row.status().is_pending() {
                return Err(pending_conflict(&row, "ask for an extension"));
            }
            self.check_extension_in_time(&row, now)?;
            self.check_extension_cap(&row, days)?;
            let open = extension_requests::table
                .filter(extension_requests::message_id.eq(id))
                .filter(extension_requests::status.eq("pending"))
                .count()
                .get_result::<i64>(conn)?;
            if open > 0 {
                return Err(AppError::Conflict(
                    "an extension request for this message is waiting for a decision".into(),
                ));
            }
            let request_id: i64 = diesel::insert_into(extension_requests::table)
                .values(NewExtensionRequest {
                    message_id: id,
                    working_days: days.get() as i32,
                    reason: &reason,
                    requested_by: &who.actor,
                    requested_at: now.timestamp(),
                    status: "pending",
                })
                .returning(extension_requests::id)
                .get_result(conn)?;
            self.save(
                conn,
                &row,
                MessageChanges::default(),
                Event::ExtensionRequested {
                    request_id,
                    working_days: days.get(),
                    reason,
                },
                &who.actor,
                now,
            )?;
            Ok(extension_requests::table
                .find(request_id)
                .select(ExtensionRequest::as_select())
                .first(conn)?)
        })
    }

    /// A supervisor of the department (or an admin) approves or refuses a pending request.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per part of the decision"
    )]
    pub fn decide_extension(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        request_id: i64,
        approve: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        who.require_role(
            &[Role::Supervisor, Role::Admin],
            "deciding an extension request",
        )?;
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            let request: ExtensionRequest = extension_requests::table
                .find(request_id)
                .filter(extension_requests::message_id.eq(id))
                .select(ExtensionRequest::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::NotFound(format!("no extension request {request_id} on message {id}"))
                })?;
            if request.status != "pending" {
                return Err(AppError::Conflict(format!(
                    "extension request {request_id} is {} already",
                    request.status
                )));
            }
            let status = if approve { "approved" } else { "refused" };
            let n = diesel::update(extension_requests::table.find(request_id))
                .filter(extension_requests::status.eq("pending"))
                .set((
                    extension_requests::status.eq(status),
                    extension_requests::decided_by.eq(&who.actor),
                    extension_requests::decided_at.eq(now.timestamp()),
                    extension_requests::decision_reason.eq(reason.as_deref()),
                ))
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::Conflict(format!(
                    "extension request {request_id} was decided meanwhile"
                )));
            }
            if !approve {
                return self.save(
                    conn,
                    &row,
                    MessageChanges::default(),
                    Event::ExtensionRefused {
                        request_id,
                        reason: reason.unwrap_or_default(),
                    },
                    &who.actor,
                    now,
                );
            }
            if !row.status().is_pending() {
                return Err(pending_conflict(&row, "extend"));
            }
            let days = WorkingDays::try_from(i64::from(request.working_days))
                .map_err(|e| AppError::invalid("working_days", e))?;
            // The request was in time; the cap is checked again in case another extension came first.
            self.check_extension_cap(&row, days)?;
            self.apply_extension(conn, &row, days, request.reason, &who.actor, now)
        })
    }

    /// The department sends a message that is not its business back to the office, with a reason.
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
                return Err(pending_conflict(&row, "return"));
            }
            if row.department_code == office {
                return Err(AppError::Conflict(
                    "the message is with the office already".into(),
                ));
            }
            directory::find_department(conn, &office)?;
            let tl = &self.timeline;
            let taken = tl
                .calendar()
                .working_days_between(tl.local_date(utc(row.assigned_at)), tl.local_date(now))?;
            let late = taken > i64::from(self.rules.return_within_working_days);
            self.save(
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
            )
        })
    }

    /// Whether `who` assigns messages for the office: its own staff, leaders and admins.
    pub fn may_assign(&self, who: &Principal) -> bool {
        who.sees_all()
            || who
                .department
                .as_ref()
                .is_some_and(|d| d.as_str() == self.rules.office_department)
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
            let row = super::model::find(conn, id)?;
            if !row.status().is_pending() {
                return Err(pending_conflict(&row, "reassign"));
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
            self.save(
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
            )
        })
    }

    /// Records 属实 or 不属实 on a website error report.
    pub fn record_verdict(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        finding: Finding,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let Finding {
            verdict,
            note,
            fixed_at,
        } = finding;
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if row.channel != Channel::WebsiteError.as_str() {
                return Err(AppError::invalid(
                    "verdict",
                    "verdicts are recorded on website_error reports only",
                ));
            }
            if row.status() == Status::Invalid {
                return Err(pending_conflict(&row, "record a verdict"));
            }
            let fixed_at = match verdict {
                Verdict::Confirmed => {
                    let at = fixed_at.unwrap_or(now);
                    super::not_in_future("fixed_at", at, now)?;
                    Some(at.timestamp())
                }
                Verdict::Rejected => None,
            };
            self.save(
                conn,
                &row,
                MessageChanges {
                    verdict: Some(Some(verdict.as_str().into())),
                    ..Default::default()
                },
                Event::VerdictRecorded {
                    verdict: verdict.as_str().into(),
                    note,
                    fixed_at,
                },
                &who.actor,
                now,
            )
        })
    }

    /// Whether replies on this channel wait for a reviewer.
    pub fn needs_review(&self, channel: &str) -> bool {
        self.rules.review_channels.iter().any(|c| c == channel)
    }

    /// Stores a reply for review instead of closing the message.
    pub(super) fn submit_for_review(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        row: &MessageRow,
        body: String,
        submitted_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        if row.review_pending {
            return Err(AppError::Conflict(format!(
                "message {} has a reply waiting for review",
                row.id
            )));
        }
        diesel::insert_into(reply_submissions::table)
            .values((
                reply_submissions::message_id.eq(row.id),
                reply_submissions::body.eq(&body),
                reply_submissions::submitted_by.eq(&who.actor),
                reply_submissions::submitted_at.eq(submitted_at.timestamp()),
                reply_submissions::status.eq("pending"),
            ))
            .execute(conn)?;
        self.save(
            conn,
            row,
            MessageChanges {
                review_pending: Some(true),
                ..Default::default()
            },
            Event::ReplySubmitted {
                submitted_at: submitted_at.timestamp(),
            },
            &who.actor,
            now,
        )
    }

    /// A reviewer (supervisor of the office, leader or admin) accepts the submitted reply, or rejects it with a reason.
    pub fn review(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        accept: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let office = &self.rules.office_department;
        let reviewer = who.sees_all()
            || (who.role == Role::Supervisor
                && who
                    .department
                    .as_ref()
                    .is_some_and(|d| d.as_str() == office));
        if !reviewer {
            return Err(AppError::Forbidden(
                "replies are reviewed by a supervisor of the office or a leader".into(),
            ));
        }
        conn.transaction(|conn| {
            let row = super::model::find(conn, id)?;
            let submission: Option<Submission> = reply_submissions::table
                .filter(reply_submissions::message_id.eq(id))
                .filter(reply_submissions::status.eq("pending"))
                .select(Submission::as_select())
                .first(conn)
                .optional()?;
            let Some(submission) = submission.filter(|_| row.review_pending) else {
                return Err(AppError::Conflict(format!(
                    "message {id} has no reply waiting for review"
                )));
            };
            let decision = if accept { "accepted" } else { "rejected" };
            diesel::update(reply_submissions::table.find(submission.id))
                .set((
                    reply_submissions::status.eq(decision),
                    reply_submissions::reviewed_by.eq(&who.actor),
                    reply_submissions::reviewed_at.eq(now.timestamp()),
                    reply_submissions::reason.eq(reason.as_deref()),
                ))
                .execute(conn)?;
            if !accept {
                let reason = reason
                    .filter(|r| !r.trim().is_empty())
                    .ok_or_else(|| AppError::invalid("reason", "say why the reply is rejected"))?;
                return self.save(
                    conn,
                    &row,
                    MessageChanges {
                        review_pending: Some(false),
                        ..Default::default()
                    },
                    Event::ReviewRejected { reason },
                    &who.actor,
                    now,
                );
            }
            let submitted_at = submission.submitted_at;
            let replied_at = match self.rules.reviewed_reply_time {
                ReviewedReplyTime::Submission => utc(submitted_at),
                ReviewedReplyTime::Acceptance => now,
            };
            let on_time = Timeline::is_on_time(utc(row.due_at), replied_at);
            let taken = self
                .timeline
                .working_days_taken(utc(row.received_at), replied_at)?;
            let taken = i32::try_from(taken).unwrap_or(i32::MAX);
            let row = self.save(
                conn,
                &row,
                MessageChanges {
                    status: Some(Status::Replied.as_str()),
                    replied_at: Some(Some(replied_at.timestamp())),
                    reply_body: Some(Some(submission.body)),
                    replied_by: Some(Some(submission.submitted_by)),
                    working_days_taken: Some(Some(taken)),
                    on_time: Some(Some(on_time)),
                    review_pending: Some(false),
                    ..Default::default()
                },
                Event::ReviewAccepted,
                &who.actor,
                now,
            )?;
            super::events::append(
                conn,
                &[super::events::NewEventRow::new(
                    id,
                    &who.actor,
                    now.timestamp(),
                    &Event::Replied {
                        replied_at: replied_at.timestamp(),
                        on_time,
                        working_days_taken: taken,
                    },
                )],
            )?;
            Ok(row)
        })
    }
}
