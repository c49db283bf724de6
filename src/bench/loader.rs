//! Dataset loader for the scale benchmarks: writes generated messages straight into the database in multi-row batches, with deadlines and outcomes from the one timeline.
//!
//! It writes message rows only, not their event history: the benchmarked
//! queries (inbox, sweep, reports) read the `messages` table, and loading
//! ten million histories would dominate the set-up time.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;
use crate::messages::model::utc;
use crate::messages::Workflow;
use crate::schema::messages;
use crate::sla::{Category, Channel, Timeline, WorkingDays};

use super::generator::{Generated, Generator, Workload, DEPARTMENTS};

const BATCH: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = messages)]
struct Row {
    channel: &'static str,
    external_id: Option<String>,
    category: &'static str,
    subject: String,
    body: String,
    citizen_name: Option<String>,
    citizen_phone: Option<String>,
    site_name: Option<String>,
    site_url: Option<String>,
    department_code: &'static str,
    status: &'static str,
    received_at: i64,
    due_at: i64,
    original_due_at: i64,
    paused_at: Option<i64>,
    extended_days: i32,
    replied_at: Option<i64>,
    reply_body: Option<&'static str>,
    replied_by: Option<&'static str>,
    working_days_taken: Option<i32>,
    on_time: Option<bool>,
    updated_at: i64,
}

/// Adds the generator's departments that are missing.
pub fn ensure_departments(conn: &mut DbConnection, now: i64) -> Result<(), AppError> {
    let existing: Vec<String> = directory::list_departments(conn)?
        .into_iter()
        .map(|d| d.code)
        .collect();
    for (code, name) in DEPARTMENTS {
        if !existing.iter().any(|c| c == code) {
            let code =
                DepartmentCode::parse(code).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            directory::add_department(conn, &code, name, None, now)?;
        }
    }
    Ok(())
}

fn row(g: Generated, workflow: &Workflow, as_of: DateTime<Utc>) -> Result<Row, AppError> {
    let tl: &Timeline = &workflow.timeline;
    let line = g.line;
    let channel: Channel = line
        .channel
        .parse()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let category: Category = line
        .category
        .parse()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let days = workflow
        .policy
        .working_days(channel, category)
        .map_err(|e| AppError::Internal(e.into()))?;
    let original_due = tl.due_at(g.received_at, days)?;
    let mut due = original_due;
    if g.outcome.extension_days > 0 {
        let extra = WorkingDays::new(g.outcome.extension_days)
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        due = tl.extend(due, extra)?;
    }
    let replied_at = g
        .outcome
        .reply_after_hours
        .map(|h| g.received_at + Duration::hours(h))
        .filter(|t| *t <= as_of);
    let department = if g.outcome.transferred {
        DEPARTMENTS[(line.external_id.len() + line.subject.len()) % DEPARTMENTS.len()].0
    } else {
        line.department
    };
    let (status, paused_at) = match replied_at {
        Some(_) => ("replied", None),
        None if g.outcome.paused => (
            "paused",
            Some((g.received_at + Duration::hours(2)).min(as_of).timestamp()),
        ),
        None => ("open", None),
    };
    let (taken, on_time) = match replied_at {
        Some(at) => (
            Some(tl.working_days_taken(g.received_at, at)? as i32),
            Some(Timeline::is_on_time(due, at)),
        ),
        None => (None, None),
    };
    Ok(Row {
        channel: line.channel,
        external_id: Some(line.external_id),
        category: line.category,
        subject: line.subject,
        body: line.body,
        citizen_name: Some(line.citizen.name),
        citizen_phone: Some(line.citizen.phone),
        site_name: line.site.as_ref().map(|s| s.name.clone()),
        site_url: line.site.map(|s| s.url),
        department_code: department,
        status,
        received_at: g.received_at.timestamp(),
        due_at: due.timestamp(),
        original_due_at: original_due.timestamp(),
        paused_at,
        extended_days: g.outcome.extension_days as i32,
        replied_at: replied_at.map(|t| t.timestamp()),
        reply_body: replied_at
            .map(|_| "您好！您反映的问题已收悉，经核实已处理完毕。感谢您的监督。"),
        replied_by: replied_at.map(|_| "bench:loader"),
        working_days_taken: taken,
        on_time,
        updated_at: as_of.timestamp(),
    })
}

fn insert(conn: &mut DbConnection, rows: &[Row]) -> Result<(), AppError> {
    // Multi-row INSERT runs natively per backend (the multi-backend has no batch form for it).
    conn.transaction(|conn| {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(messages::table)
                .values(rows)
                .execute(c)?,
            DbConnection::Postgresql(c) => diesel::insert_into(messages::table)
                .values(rows)
                .execute(c)?,
        };
        Ok(())
    })
}

/// Loads `count` generated messages as of `as_of`; `progress` is called after each batch with the total so far.
pub fn load(
    conn: &mut DbConnection,
    workflow: &Workflow,
    workload: Workload,
    count: usize,
    as_of: DateTime<Utc>,
    mut progress: impl FnMut(usize),
) -> Result<usize, AppError> {
    ensure_departments(conn, as_of.timestamp())?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut done = 0;
    for g in Generator::new(workload).take(count) {
        if g.received_at > as_of {
            continue;
        }
        batch.push(row(g, workflow, as_of)?);
        if batch.len() == BATCH {
            insert(conn, &batch)?;
            done += batch.len();
            batch.clear();
            progress(done);
        }
    }
    if !batch.is_empty() {
        insert(conn, &batch)?;
        done += batch.len();
        progress(done);
    }
    Ok(done)
}

/// The newest receipt time the default workload produces (used as the dataset's "now").
pub fn default_as_of() -> DateTime<Utc> {
    utc(Workload::default()
        .to
        .and_hms_opt(23, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp())
}
