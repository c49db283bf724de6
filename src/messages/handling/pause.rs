//! Pause requests (暂停计时申请) under `[handling] pause = "with_approval"`: a clerk of the
//! department asks with a reason, and a supervisor of the department (or an admin) approves,
//! pausing the message from the approval time, or refuses with a reason.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::events::Event;
use crate::messages::workflow::{conflict, MessageChanges};
use crate::messages::{Status, Workflow};
use crate::schema::pause_requests;

use super::extension::status;

/// Why a caller who is not the department's supervisor may not decide.
const DECIDE_REFUSAL: &str =
    "pause requests are decided by a supervisor of the department or an admin";

#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = pause_requests)]
pub struct PauseRequest {
    pub id: i64,
    pub message_id: i64,
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
#[diesel(table_name = pause_requests)]
struct NewPauseRequest<'a> {
    message_id: i64,
    reason: &'a str,
    requested_by: &'a str,
    requested_at: i64,
    status: &'a str,
}

/// The pause requests of a message, oldest first.
pub fn pause_requests_of(
    conn: &mut DbConnection,
    message_id: i64,
) -> Result<Vec<PauseRequest>, AppError> {
    Ok(pause_requests::table
        .filter(pause_requests::message_id.eq(message_id))
        .order(pause_requests::id)
        .select(PauseRequest::as_select())
        .load(conn)?)
}

impl Workflow {
    /// A clerk of the department asks to stop the clock (only under `pause = "with_approval"`).
    #[tracing::instrument(name = "workflow.request_pause", skip_all, fields(message.id = id))]
    pub fn request_pause(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<PauseRequest, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            if self.rules.pause != crate::config::PausePolicy::WithApproval {
                return Err(AppError::Conflict(format!(
                    "pause requests exist only with handling.pause = \"with_approval\" (it is \"{}\")",
                    self.rules.pause.as_str()
                )));
            }
            who.require(
                who.may_request_pause(&row.department_code),
                "pauses are asked for by a clerk of the department (a supervisor pauses directly)",
            )?;
            if row.status() != Status::Open {
                return Err(conflict(&row, "ask for a pause"));
            }
            let open = pause_requests::table
                .filter(pause_requests::message_id.eq(id))
                .filter(pause_requests::status.eq(status::PENDING))
                .count()
                .get_result::<i64>(conn)?;
            if open > 0 {
                return Err(AppError::Conflict(
                    "a pause request for this message is waiting for a decision".into(),
                ));
            }
            let request_id: i64 = diesel::insert_into(pause_requests::table)
                .values(NewPauseRequest {
                    message_id: id,
                    reason: &reason,
                    requested_by: &who.actor,
                    requested_at: now.timestamp(),
                    status: status::PENDING,
                })
                .returning(pause_requests::id)
                .get_result(conn)?;
            self.save(
                conn,
                &row,
                MessageChanges::default(),
                Event::PauseRequested { request_id, reason },
                &who.actor,
                now,
            )?;
            Ok(pause_requests::table
                .find(request_id)
                .select(PauseRequest::as_select())
                .first(conn)?)
        })
    }

    /// A supervisor of the department (or an admin) approves a pending request, pausing the
    /// message from now, or refuses it with a reason.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per part of the decision"
    )]
    #[tracing::instrument(name = "workflow.decide_pause", skip_all, fields(message.id = id))]
    pub fn decide_pause(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        request_id: i64,
        approve: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<crate::messages::MessageRow, AppError> {
        conn.transaction(|conn| {
            let row = self.load_for(conn, who, id)?;
            who.require(who.may_decide_pause(&row.department_code), DECIDE_REFUSAL)?;
            let request: PauseRequest = pause_requests::table
                .find(request_id)
                .filter(pause_requests::message_id.eq(id))
                .select(PauseRequest::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::NotFound(format!("no pause request {request_id} on message {id}"))
                })?;
            if request.status != status::PENDING {
                return Err(AppError::Conflict(format!(
                    "pause request {request_id} is {} already",
                    request.status
                )));
            }
            if approve && row.status() != Status::Open {
                return Err(conflict(&row, "pause"));
            }
            let decision = if approve {
                status::APPROVED
            } else {
                status::REFUSED
            };
            let n = diesel::update(pause_requests::table.find(request_id))
                .filter(pause_requests::status.eq(status::PENDING))
                .set((
                    pause_requests::status.eq(decision),
                    pause_requests::decided_by.eq(&who.actor),
                    pause_requests::decided_at.eq(now.timestamp()),
                    pause_requests::decision_reason.eq(reason.as_deref()),
                ))
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::Conflict(format!(
                    "pause request {request_id} was decided meanwhile"
                )));
            }
            if !approve {
                return self.save(
                    conn,
                    &row,
                    MessageChanges::default(),
                    Event::PauseRefused {
                        request_id,
                        reason: reason.unwrap_or_default(),
                    },
                    &who.actor,
                    now,
                );
            }
            // Paused from the approval: the days waiting for the decision still count.
            self.save(
                conn,
                &row,
                MessageChanges {
                    status: Some(Status::Paused.as_str()),
                    paused_at: Some(Some(now.timestamp())),
                    ..Default::default()
                },
                Event::Paused {
                    reason: request.reason,
                },
                &who.actor,
                now,
            )
        })
    }
}
