//! What `/healthz` reports (the database, the backlog of background work and the calendar's
//! coverage) and what `/readyz` decides: whether this instance should get traffic.

use serde::Serialize;

use crate::calendar::Coverage;
use crate::db::DbConnection;
use crate::error::AppError;

/// The answer of `/healthz`, a liveness probe: always 200 while the process serves; a database
/// that does not answer shows as `"status": "degraded"` (readiness, `/readyz`, decides traffic).
#[derive(Debug, Serialize)]
pub struct HealthReport {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: &'static str,
    /// `sqlite` or `postgres`, or `unreachable`.
    pub database: &'static str,
    /// Emails waiting in the escalation outbox (absent when the database does not answer).
    pub outbox: Option<crate::escalation::outbox::Backlog>,
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
        outbox: Some(crate::escalation::outbox::backlog(conn)?),
    })
}

/// What `/healthz` says when the database does not answer: the process still serves.
pub fn degraded(calendar: Coverage) -> HealthReport {
    HealthReport {
        calendar,
        status: "degraded",
        database: "unreachable",
        outbox: None,
    }
}

/// An undelivered email older than this means the delivery is stuck (the SMTP relay refuses or
/// is gone): alerts and reports are not leaving.
pub const OUTBOX_STUCK_SECS: i64 = 3600;

/// The official calendar should reach this far ahead; less is a warning, not unreadiness:
/// deadlines beyond it are provisional and the service goes on answering (件件有回音).
pub const CALENDAR_AHEAD_DAYS: i64 = 60;

/// One check of `/readyz`.
#[derive(Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// Whether a failure of this check makes the instance unready (or is only shown).
    pub required: bool,
    pub detail: String,
}

/// The answer of `/readyz`: ready when every required check passes.
#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<Check>,
}

/// Decides readiness on an open connection: migrations applied, outbox moving; the calendar's
/// reach is shown as a warning. (The database's reachability is this connection itself.)
pub fn readiness(
    conn: &mut DbConnection,
    calendar: &Coverage,
    now: i64,
) -> Result<Readiness, AppError> {
    let pending = crate::db::pending_migrations(conn)?;
    let backlog = crate::escalation::outbox::backlog(conn)?;
    let stuck_for = backlog.oldest_pending_at.map_or(0, |t| now - t);
    let days = calendar.official_days_left();
    let checks = vec![
        Check {
            name: "database",
            ok: true,
            required: true,
            detail: "reachable".into(),
        },
        Check {
            name: "migrations",
            ok: pending == 0,
            required: true,
            detail: format!("{pending} pending"),
        },
        Check {
            name: "outbox",
            ok: stuck_for <= OUTBOX_STUCK_SECS,
            required: true,
            detail: format!(
                "{} waiting, oldest for {} s",
                backlog.pending,
                stuck_for.max(0)
            ),
        },
        Check {
            name: "calendar",
            ok: days >= CALENDAR_AHEAD_DAYS,
            required: false,
            detail: format!(
                "official through {} ({days} days ahead)",
                calendar.official_through
            ),
        },
    ];
    Ok(Readiness {
        ready: checks.iter().all(|c| c.ok || !c.required),
        checks,
    })
}
