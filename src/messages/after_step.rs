//! What must happen in the same transaction as every workflow step, declared here and provided from above (the escalation engine re-arms its ladder), so that the workflow does not depend on the engine it drives.

use chrono::{DateTime, Utc};

use crate::db::DbConnection;
use crate::error::AppError;

use super::handling::notice::CitizenNotice;
use super::MessageRow;

/// A request that waits for an approver's decision (审批). Pause requests, when pausing needs
/// approval, join as a variant of their own.
#[derive(Debug, Clone, Copy)]
pub enum Approval<'a> {
    /// A clerk asked for `working_days` more working days.
    Extension {
        request_id: i64,
        working_days: u32,
        reason: &'a str,
        /// The department whose supervisors decide it ([`crate::auth::extension_approver`]).
        approver_department: &'a str,
    },
}

/// Called with the message as the step left it, inside the step's transaction: an error rolls
/// the step back.
pub trait AfterStep: Send + Sync {
    fn after_step(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        now: DateTime<Utc>,
    ) -> Result<(), AppError>;

    /// A request for `row` now waits for its approvers (told once, in the same transaction).
    fn approval_requested(
        &self,
        _conn: &mut DbConnection,
        _row: &MessageRow,
        _request: Approval<'_>,
        _now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// Tells the citizen of `row` (who gave an email address) of a step, once per
    /// `notice.key`; answers whether an email was queued.
    fn citizen_notice(
        &self,
        _conn: &mut DbConnection,
        _row: &MessageRow,
        _notice: &CitizenNotice<'_>,
        _now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        Ok(false)
    }
}
