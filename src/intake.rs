//! Intake: the group-commit queue behind single-message creation, and bulk import of JSON lines with a per-line result (created, existing, rejected with the reason), shared by the API and the CLI.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::db::{Db, DbConnection};
use crate::directory;
use crate::error::AppError;
use crate::messages::model::{self, MessageRow};
use crate::messages::{CreateOutcome, MessageForm, Pending, Workflow};
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
    let mut pending: Vec<(usize, Pending)> = Vec::new();
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
                Ok(Pending {
                    due_at: state.workflow.due_at(&msg)?,
                    message: msg,
                    actor: who.actor.clone(),
                    filed_at: now,
                })
            });
        match parsed {
            Ok(item) => pending.push((line, item)),
            Err(e) => results.push(rejected(line, e)),
        }
    }
    for chunk in pending.chunks(CHUNK) {
        let batch: Vec<_> = chunk.iter().map(|(_, item)| item.clone()).collect();
        let outcomes = state.workflow.create_many(conn, &batch)?;
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

/// Group commit for single-message intake: concurrent creates are queued and
/// stored by one writer thread in shared transactions, so a burst of requests
/// costs one durable commit per batch instead of one per message. Each caller
/// still gets its answer only after its batch has committed.
#[derive(Clone)]
pub struct IngestQueue {
    tx: std::sync::mpsc::SyncSender<Job>,
}

struct Job {
    pending: Pending,
    reply: tokio::sync::oneshot::Sender<Result<(CreateOutcome, MessageRow), AppError>>,
}

/// Most messages committed together.
const GROUP: usize = 256;

impl IngestQueue {
    /// Starts the writer thread; it ends when the last queue handle is dropped.
    pub fn start(db: Db, workflow: Workflow) -> std::io::Result<IngestQueue> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(GROUP * 4);
        std::thread::Builder::new()
            .name("huiyin-ingest".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < GROUP {
                        match rx.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    store_group(&db, &workflow, jobs);
                }
            })?;
        Ok(IngestQueue { tx })
    }

    /// Stores one message (idempotent on channel and external id); returns once it is durable.
    pub async fn create(&self, pending: Pending) -> Result<(CreateOutcome, MessageRow), AppError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let tx = self.tx.clone();
        // The bounded queue pushes back on a flood instead of growing without limit.
        tokio::task::spawn_blocking(move || tx.send(Job { pending, reply }).map_err(|_| ()))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("ingest queue: {e}")))?
            .map_err(|_| AppError::Unavailable("the ingest writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Unavailable("the ingest writer has stopped".into()))?
    }
}

fn store_group(db: &Db, workflow: &Workflow, jobs: Vec<Job>) {
    let result = db.write_blocking(|conn| {
        // Unknown departments are answered one by one and kept out of the shared transaction.
        let known: HashSet<String> = directory::list_departments(conn)?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let (good, bad): (Vec<Job>, Vec<Job>) = jobs
            .into_iter()
            .partition(|j| known.contains(j.pending.message.department.as_str()));
        for job in bad {
            let code = job.pending.message.department.to_string();
            let _ = job.reply.send(Err(AppError::invalid(
                "department",
                format!("unknown department '{code}'"),
            )));
        }
        if good.is_empty() {
            return Ok(Vec::new());
        }
        let batch: Vec<Pending> = good.iter().map(|j| j.pending.clone()).collect();
        match workflow.create_many(conn, &batch) {
            Ok(outcomes) => {
                let rows =
                    model::find_many(conn, &outcomes.iter().map(|o| o.id()).collect::<Vec<_>>())?;
                for (job, outcome) in good.into_iter().zip(outcomes) {
                    let row = rows
                        .iter()
                        .find(|r| r.id == outcome.id())
                        .cloned()
                        .ok_or_else(|| {
                            AppError::Internal(anyhow::anyhow!("stored message vanished"))
                        });
                    let _ = job.reply.send(row.map(|r| (outcome, r)));
                }
                Ok(Vec::new())
            }
            // The shared transaction failed (for example another instance stored the
            // same external id meanwhile): store each message on its own.
            Err(_) => Ok(good),
        }
    });
    let leftovers = match result {
        Ok(left) => left,
        Err(e) => {
            tracing::error!(error.cause_chain = ?e, "ingest group failed");
            return;
        }
    };
    for job in leftovers {
        let answer = db.write_blocking(|conn| {
            let p = &job.pending;
            let outcome = workflow.create(conn, p.message.clone(), &p.actor, p.filed_at)?;
            Ok((outcome, model::find(conn, outcome.id())?))
        });
        let _ = job.reply.send(answer);
    }
}
