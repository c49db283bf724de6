//! Verdicts on website error reports (属实 / 不属实): the department says whether the error is
//! real, and when it was fixed.

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::events::Event;
use crate::messages::workflow::{conflict, MessageChanges};
use crate::messages::{MessageRow, Status, Workflow};
use crate::sla::Channel;

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
    pub const fn as_str(self) -> &'static str {
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

impl Workflow {
    /// Records 属实 or 不属实 on a website error report.
    #[tracing::instrument(name = "workflow.record_verdict", skip_all, fields(message.id = id))]
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
                return Err(conflict(&row, "record a verdict"));
            }
            let fixed_at = match verdict {
                Verdict::Confirmed => {
                    let at = fixed_at.unwrap_or(now);
                    crate::messages::not_in_future("fixed_at", at, now)?;
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
}
