//! Review of replies (审核): on the channels that need it, a reply is stored for review and
//! counts only once a reviewer accepts it; a rejected one goes back to the department.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::config::ReviewedReplyTime;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::events::{self, Event, NewEventRow};
use crate::messages::model::{self, utc, MessageRow};
use crate::messages::workflow::{MessageChanges, Reply};
use crate::messages::Workflow;
use crate::schema::reply_submissions;

/// The states of a reply submission, as stored.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const ACCEPTED: &str = "accepted";
    pub const REJECTED: &str = "rejected";
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

impl Workflow {
    /// Whether replies on this channel wait for a reviewer.
    pub fn needs_review(&self, channel: &str) -> bool {
        self.rules.review_channels.iter().any(|c| c == channel)
    }

    /// Stores a reply for review instead of closing the message.
    pub(in crate::messages) fn submit_for_review(
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
                reply_submissions::status.eq(status::PENDING),
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
    #[tracing::instrument(name = "workflow.review", skip_all, fields(message.id = id))]
    pub fn review(
        &self,
        conn: &mut DbConnection,
        who: &Principal,
        id: i64,
        accept: bool,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<MessageRow, AppError> {
        who.require(
            who.may_review(&self.rules.office_department),
            "replies are reviewed by a supervisor of the office or a leader",
        )?;
        conn.transaction(|conn| {
            let row = model::find(conn, id)?;
            let submission: Option<Submission> = reply_submissions::table
                .filter(reply_submissions::message_id.eq(id))
                .filter(reply_submissions::status.eq(status::PENDING))
                .select(Submission::as_select())
                .first(conn)
                .optional()?;
            let Some(submission) = submission.filter(|_| row.review_pending) else {
                return Err(AppError::Conflict(format!(
                    "message {id} has no reply waiting for review"
                )));
            };
            let decision = if accept {
                status::ACCEPTED
            } else {
                status::REJECTED
            };
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
            let replied_at = match self.rules.reviewed_reply_time {
                ReviewedReplyTime::Submission => utc(submission.submitted_at),
                ReviewedReplyTime::Acceptance => now,
            };
            // The acceptance first, then the reply it lets count: the history reads in that order.
            events::append(
                conn,
                &[NewEventRow::new(
                    id,
                    &who.actor,
                    now.timestamp(),
                    &Event::ReviewAccepted,
                )],
            )?;
            let reply = Reply {
                body: submission.body,
                by: submission.submitted_by,
                at: replied_at,
            };
            self.record_reply(conn, &row, reply, &who.actor, now)
        })
    }
}
