//! Extensions (延期): a clerk asks for more working days, in time and within the total cap from
//! receipt (`config/sla.toml`), and the approver the setting names
//! ([`Principal::may_approve_extension`]: the office by default) approves or refuses the
//! request, or grants the days directly. The citizen is told of an approved extension.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{extension_approver, Approver, Principal};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::after_step::Approval;
use crate::messages::events::Event;
use crate::messages::handling::notice::CitizenStep;
use crate::messages::model::{self, utc, MessageRow};
use crate::messages::workflow::{conflict, MessageChanges};
use crate::messages::Workflow;
use crate::schema::extension_requests;
use crate::sla::WorkingDays;

/// The states of an extension request, as stored.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const APPROVED: &str = "approved";
    pub const REFUSED: &str = "refused";
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

/// The extension requests waiting for a decision on `department`'s pending messages (all
/// departments for `None`), oldest first, each with its message: the approvers' queue. With
/// `office_above = Some(n)`, requests of more than `n` working days on any department's
/// messages are listed too (the ones the office decides: the office's own dashboard).
pub fn pending_extension_requests(
    conn: &mut DbConnection,
    department: Option<&str>,
    office_above: Option<u32>,
    limit: i64,
) -> Result<Vec<(ExtensionRequest, MessageRow)>, AppError> {
    use crate::schema::messages;
    let mut q = extension_requests::table
        .inner_join(messages::table)
        .filter(extension_requests::status.eq(status::PENDING))
        .filter(messages::status.eq_any([
            crate::messages::Status::Open.as_str(),
            crate::messages::Status::Paused.as_str(),
        ]))
        .into_boxed();
    match (department, office_above) {
        (Some(d), Some(n)) => {
            let n = i32::try_from(n).unwrap_or(i32::MAX);
            q = q.filter(
                messages::department_code
                    .eq(d.to_string())
                    .or(extension_requests::working_days.gt(n)),
            );
        }
        (Some(d), None) => q = q.filter(messages::department_code.eq(d.to_string())),
        (None, _) => {}
    }
    Ok(
        q.order((extension_requests::requested_at, extension_requests::id))
            .limit(limit)
            .select((ExtensionRequest::as_select(), MessageRow::as_select()))
            .load(conn)?,
    )
}

/// Marks a message's pending extension requests approved by a direct grant.
fn close_pending_requests(
    conn: &mut DbConnection,
    message_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(
        extension_requests::table
            .filter(extension_requests::message_id.eq(message_id))
            .filter(extension_requests::status.eq(status::PENDING)),
    )
    .set((
        extension_requests::status.eq(status::APPROVED),
        extension_requests::decided_by.eq(actor),
        extension_requests::decided_at.eq(now.timestamp()),
        extension_requests::decision_reason.eq("直接批准延期"),
    ))
    .execute(conn)?;
    Ok(())
}

impl Workflow {
    /// Extensions are asked for in time: before the due time, or `lead` working days before the due date.
    fn check_extension_in_time(
        &self,
        row: &MessageRow,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let lead = self.rules.extension_lead_working_days;
        let due = utc(row.due_at);
        let in_time = if lead == 0 {
            now <= due
        } else {
            now <= due && self.timeline.working_days_between(now, due)? >= i64::from(lead)
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

    /// The handling time from receipt (the category's limit plus every extension) stays within
    /// the total cap of its channel and category (`config/sla.toml`), named when refused.
    fn check_extension_cap(&self, row: &MessageRow, days: WorkingDays) -> Result<(), AppError> {
        let internal = |e: crate::sla::PolicyError| AppError::Internal(e.into());
        let channel: crate::sla::Channel = row.channel.parse().map_err(internal)?;
        let category: crate::sla::Category = row.category.parse().map_err(internal)?;
        let limit = self
            .policy
            .working_days(channel, category)
            .map_err(internal)?;
        let cap = self.policy.total_cap(channel, category).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("no total cap for {channel}.{category}"))
        })?;
        let granted = limit.get() + u32::try_from(row.extended_days).unwrap_or(0);
        cap.check(granted, days)
            .map_err(|e| AppError::invalid("working_days", e.to_string()))
    }

    /// Loads a message for a decision on an extension of `days`: its department's readers, or
    /// the approver the setting names (the office decides on messages it does not otherwise see).
    fn load_for_decision(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        days: Option<u32>,
    ) -> Result<MessageRow, AppError> {
        who.require_reader()?;
        let row = model::find(conn, id)?;
        let approver =
            days.is_some_and(|d| who.may_approve_extension(&row.department_code, d, &self.rules));
        if !approver {
            who.require_see_message(id, &row.department_code)?;
        }
        Ok(row)
    }

    /// Moves the deadline by `days` working days and records why (the checks are the caller's).
    fn apply_extension(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        days: WorkingDays,
        reason: String,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        let due = self.timeline.extend(utc(row.due_at), days)?;
        let after = self.save(
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
        )?;
        self.tell_citizen(conn, &after, CitizenStep::Extended, now)?;
        Ok(after)
    }

    /// Grants more working days directly (the approver the setting names, and admins).
    #[tracing::instrument(name = "workflow.extend", skip_all, fields(message.id = id))]
    pub fn extend(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        days: WorkingDays,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for_decision(conn, who, id, Some(days.get()))?;
            who.require_extension_approver(&row.department_code, days.get(), &self.rules)?;
            if !row.status().is_pending() {
                return Err(conflict(&row, "extend"));
            }
            self.check_extension_in_time(&row, now)?;
            self.check_extension_cap(&row, days)?;
            // A grant answers any request waiting for a decision.
            close_pending_requests(conn, row.id, &who.actor, now)?;
            self.apply_extension(conn, &row, days, reason, &who.actor, now)
        })
    }

    /// A clerk of the department asks for more working days, in time and within the cap.
    #[tracing::instrument(name = "workflow.request_extension", skip_all, fields(message.id = id))]
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
            who.require(
                who.may_request_extension(&row.department_code, &self.rules),
                "extensions are asked for by a clerk of the department (a supervisor who approves them grants one directly)",
            )?;
            if !row.status().is_pending() {
                return Err(conflict(&row, "ask for an extension"));
            }
            self.check_extension_in_time(&row, now)?;
            self.check_extension_cap(&row, days)?;
            let open = extension_requests::table
                .filter(extension_requests::message_id.eq(id))
                .filter(extension_requests::status.eq(status::PENDING))
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
                    status: status::PENDING,
                })
                .returning(extension_requests::id)
                .get_result(conn)?;
            let after = self.save(
                conn,
                &row,
                MessageChanges::default(),
                Event::ExtensionRequested {
                    request_id,
                    working_days: days.get(),
                    reason: reason.clone(),
                },
                &who.actor,
                now,
            )?;
            let approver_department = match extension_approver(days.get(), &self.rules) {
                Approver::Office => self.rules.office_department.as_str(),
                Approver::Department => row.department_code.as_str(),
            };
            self.after_step.approval_requested(
                conn,
                &after,
                Approval::Extension {
                    request_id,
                    working_days: days.get(),
                    reason: &reason,
                    approver_department,
                },
                now,
            )?;
            Ok(extension_requests::table
                .find(request_id)
                .select(ExtensionRequest::as_select())
                .first(conn)?)
        })
    }

    /// The approver the setting names (or an admin) approves or refuses a pending request.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per part of the decision"
    )]
    #[tracing::instrument(name = "workflow.decide_extension", skip_all, fields(message.id = id))]
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
        conn.transaction(|conn| {
            let days = extension_requests::table
                .find(request_id)
                .filter(extension_requests::message_id.eq(id))
                .select(extension_requests::working_days)
                .first::<i32>(conn)
                .optional()?
                .and_then(|d| u32::try_from(d).ok());
            let row = self.load_for_decision(conn, who, id, days)?;
            let request: ExtensionRequest = extension_requests::table
                .find(request_id)
                .filter(extension_requests::message_id.eq(id))
                .select(ExtensionRequest::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::NotFound(format!("no extension request {request_id} on message {id}"))
                })?;
            let days = u32::try_from(request.working_days).unwrap_or(0);
            who.require_extension_approver(&row.department_code, days, &self.rules)?;
            if request.requested_by == who.actor {
                return Err(AppError::Forbidden(
                    "an extension request is decided by someone other than its requester".into(),
                ));
            }
            if request.status != status::PENDING {
                return Err(AppError::Conflict(format!(
                    "extension request {request_id} is {} already",
                    request.status
                )));
            }
            let decision = if approve {
                status::APPROVED
            } else {
                status::REFUSED
            };
            let n = diesel::update(extension_requests::table.find(request_id))
                .filter(extension_requests::status.eq(status::PENDING))
                .set((
                    extension_requests::status.eq(decision),
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
                return Err(conflict(&row, "extend"));
            }
            let days = WorkingDays::try_from(i64::from(request.working_days))
                .map_err(|e| AppError::invalid("working_days", e))?;
            // The request was in time; the cap is checked again in case another extension came first.
            self.check_extension_cap(&row, days)?;
            self.apply_extension(conn, &row, days, request.reason, &who.actor, now)
        })
    }
}
