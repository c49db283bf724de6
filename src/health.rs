//! What `/healthz` reports: the database and the backlog of background work.

use serde::Serialize;

use crate::db::DbConnection;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct HealthReport {
    pub status: &'static str,
    pub database: &'static str,
    /// Emails waiting in the escalation outbox.
    pub outbox: crate::escalation::outbox::Backlog,
}

/// Gathers the report on an open connection.
pub fn report(conn: &mut DbConnection) -> Result<HealthReport, AppError> {
    Ok(HealthReport {
        status: "ok",
        database: match conn.backend() {
            crate::db::Backend::Sqlite => "sqlite",
            crate::db::Backend::Postgres => "postgres",
        },
        outbox: crate::escalation::outbox::backlog(conn)?,
    })
}
