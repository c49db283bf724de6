//! What `/healthz` reports: the database, the backlog of background work and the calendar's coverage.

use serde::Serialize;

use crate::calendar::Coverage;
use crate::db::DbConnection;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct HealthReport {
    pub status: &'static str,
    pub database: &'static str,
    /// Emails waiting in the escalation outbox.
    pub outbox: crate::escalation::outbox::Backlog,
    /// How far the official working-day calendar reaches (a warning `calendar.warn_days`
    /// before it ends; deadlines after it are provisional).
    pub calendar: Coverage,
}

/// Gathers the report on an open connection.
pub fn report(conn: &mut DbConnection, calendar: Coverage) -> Result<HealthReport, AppError> {
    Ok(HealthReport {
        calendar,
        status: "ok",
        database: match conn.backend() {
            crate::db::Backend::Sqlite => "sqlite",
            crate::db::Backend::Postgres => "postgres",
        },
        outbox: crate::escalation::outbox::backlog(conn)?,
    })
}
