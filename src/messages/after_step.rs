//! What must happen in the same transaction as every workflow step, declared here and provided from above (the escalation engine re-arms its ladder), so that the workflow does not depend on the engine it drives.

use chrono::{DateTime, Utc};

use crate::db::DbConnection;
use crate::error::AppError;

use super::MessageRow;

/// Called with the message as the step left it, inside the step's transaction: an error rolls
/// the step back.
pub trait AfterStep: Send + Sync {
    fn after_step(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        now: DateTime<Utc>,
    ) -> Result<(), AppError>;
}
