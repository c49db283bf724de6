//! Bulk intake: JSON lines in, a per-line result out (created, existing, rejected with the reason). Shared by the API and the CLI.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::messages::{CreateOutcome, MessageForm, NewMessage};
use crate::startup::AppState;

/// Lines stored per transaction: large enough to amortise the commit, small
/// enough that other writers wait only briefly.
const CHUNK: usize = 2_000;

/// Result of one import line.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportLine {
    /// 1-based line number.
    pub line: usize,
    /// created, existing or rejected.
    pub status: String,
    pub id: Option<i64>,
    pub error: Option<String>,
    pub field: Option<String>,
}

/// Summary and per-line results of an import.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub existing: usize,
    pub rejected: usize,
    pub results: Vec<ImportLine>,
}

fn rejected(line: usize, err: AppError) -> ImportLine {
    let field = match &err {
        AppError::Invalid { field, .. } | AppError::BadRequest { field, .. } => field.clone(),
        _ => None,
    };
    ImportLine {
        line,
        status: "rejected".into(),
        id: None,
        error: Some(err.to_string()),
        field,
    }
}

/// Validates every line, then stores the good ones in chunks. A rejected line
/// stores nothing; a stored chunk is whole or absent.
pub fn import_lines(
    conn: &mut DbConnection,
    state: &AppState,
    who: &Principal,
    body: &[u8],
) -> Result<ImportReport, AppError> {
    let now = state.clock.now();
    let known: HashSet<String> = directory::list_departments(conn)?
        .into_iter()
        .map(|d| d.code)
        .collect();
    let mut results: Vec<ImportLine> = Vec::new();
    let mut pending: Vec<(usize, (NewMessage, chrono::DateTime<chrono::Utc>))> = Vec::new();
    for (index, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|_| AppError::bad_request(None, "line is not valid UTF-8"))
            .and_then(|text| {
                serde_json::from_str::<MessageForm>(text)
                    .map_err(|e| AppError::bad_request(None, format!("invalid JSON: {e}")))
            })
            .and_then(|form| form.parse(&state.workflow.policy, now))
            .and_then(|msg| {
                if !known.contains(msg.department.as_str()) {
                    return Err(AppError::invalid(
                        "department",
                        format!("unknown department '{}'", msg.department),
                    ));
                }
                if who.role.needs_department() {
                    who.require_see(msg.department.as_str())?;
                }
                let due = state.workflow.due_at(&msg)?;
                Ok((msg, due))
            });
        match parsed {
            Ok(item) => pending.push((line, item)),
            Err(e) => results.push(rejected(line, e)),
        }
    }
    for chunk in pending.chunks(CHUNK) {
        let batch: Vec<_> = chunk.iter().map(|(_, item)| item.clone()).collect();
        let outcomes = state.workflow.create_many(conn, &batch, &who.actor, now)?;
        for ((line, _), outcome) in chunk.iter().zip(outcomes) {
            let (status, id) = match outcome {
                CreateOutcome::Created(id) => ("created", id),
                CreateOutcome::Existing(id) => ("existing", id),
            };
            results.push(ImportLine {
                line: *line,
                status: status.into(),
                id: Some(id),
                error: None,
                field: None,
            });
        }
    }
    results.sort_by_key(|r| r.line);
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    Ok(ImportReport {
        created: count("created"),
        existing: count("existing"),
        rejected: count("rejected"),
        results,
    })
}
