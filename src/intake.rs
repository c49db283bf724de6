//! Intake: the group-commit queue behind single-message creation, and bulk import of JSON lines with a per-line result (created, existing, rejected with the reason), shared by the API and the CLI.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::db::Db;
use crate::directory::KnownDepartments;
use crate::error::AppError;
use crate::messages::model::{self, MessageRow};
use crate::messages::{CreateOutcome, MessageForm, Pending, Workflow};

/// Lines stored per transaction: large enough to amortise the commit, small
/// enough that other writers wait only briefly.
const CHUNK: usize = 10_000;

/// Result of one import line.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportLine {
    /// 1-based line number.
    pub line: usize,
    /// created, existing, rejected (invalid, not stored) or failed (valid, but its chunk could not be written).
    pub status: String,
    pub id: Option<i64>,
    pub error: Option<String>,
    pub field: Option<String>,
    /// For a stored line: its deadline falls in a provisional (暂定) calendar year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_provisional: Option<bool>,
}

/// Summary and per-line results of an import.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub existing: usize,
    pub rejected: usize,
    /// Valid lines whose chunk could not be written: not stored, to be sent again.
    pub failed: usize,
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
        deadline_provisional: None,
    }
}

/// Checks one line: UTF-8, JSON, then what every intake checks ([`Workflow::prepare`]) and the department.
fn parse_line(
    workflow: &Workflow,
    who: &Principal,
    known: &KnownDepartments,
    raw: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Pending, AppError> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| AppError::bad_request(None, "line is not valid UTF-8"))?;
    let form = serde_json::from_str::<MessageForm>(text)
        .map_err(|e| AppError::bad_request(None, format!("invalid JSON: {e}")))?;
    let pending = workflow.prepare(form, who, now)?;
    known.check(pending.message.department.as_str())?;
    Ok(pending)
}

/// Counts of an import.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportCounts {
    pub created: usize,
    pub existing: usize,
    pub rejected: usize,
    pub failed: usize,
}

/// Hands the results gathered so far to `on_line`, in line order, and counts them.
fn emit(
    results: &mut Vec<ImportLine>,
    counts: &mut ImportCounts,
    on_line: &mut impl FnMut(ImportLine),
) {
    results.sort_by_key(|r| r.line);
    for r in results.drain(..) {
        match r.status.as_str() {
            "created" => counts.created += 1,
            "existing" => counts.existing += 1,
            "failed" => counts.failed += 1,
            _ => counts.rejected += 1,
        }
        on_line(r);
    }
}

/// Imports JSON lines from any reader, chunk by chunk: each chunk of valid
/// lines is stored in one transaction (whole or not at all), and the writer
/// is released between chunks so other work goes on during a long import.
/// `on_line` receives the result of every non-blank line, in order.
pub fn import_stream(
    db: &Db,
    workflow: &Workflow,
    who: &Principal,
    reader: impl std::io::BufRead,
    now: chrono::DateTime<chrono::Utc>,
    mut on_line: impl FnMut(ImportLine),
) -> Result<ImportCounts, AppError> {
    let known = KnownDepartments::load(&mut *db.get()?)?;
    let mut counts = ImportCounts::default();
    let mut results: Vec<ImportLine> = Vec::with_capacity(CHUNK);
    let mut pending: Vec<(usize, Pending)> = Vec::with_capacity(CHUNK);
    let mut flush = |results: &mut Vec<ImportLine>,
                     pending: &mut Vec<(usize, Pending)>|
     -> Result<(), AppError> {
        let batch: Vec<Pending> = pending.iter().map(|(_, p)| p.clone()).collect();
        let written = db.write_blocking(|conn| {
            let outcomes = workflow.create_many(conn, &batch)?;
            // The stored messages behind repeats, read in the chunk's transaction.
            let repeats: Vec<i64> = outcomes
                .iter()
                .filter_map(|o| match o {
                    CreateOutcome::Existing(id) => Some(*id),
                    CreateOutcome::Created(_) => None,
                })
                .collect();
            let stored: HashMap<i64, MessageRow> = model::find_many(conn, &repeats)?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            Ok((outcomes, stored))
        });
        let (outcomes, stored) = match written {
            Ok(w) => w,
            Err(e) => {
                // Nothing of the chunk was stored: say so for each of its lines, and go on.
                let (first, last) = (pending[0].0, pending[pending.len() - 1].0);
                tracing::error!(error.cause_chain = ?e, import.first_line = first, import.last_line = last,
                    "import chunk failed");
                for (line, _) in pending.drain(..) {
                    results.push(ImportLine {
                        line,
                        status: "failed".into(),
                        id: None,
                        error: Some(format!(
                            "not stored: writing lines {first} to {last} failed ({e}); none of them was stored, send them again"
                        )),
                        field: None,
                        deadline_provisional: None,
                    });
                }
                emit(results, &mut counts, &mut on_line);
                return Ok(());
            }
        };
        // Outside the chunk's transaction: the next chunk's duplicate check is planned afresh.
        if let Err(e) = model::refresh_statistics(&mut *db.get()?) {
            tracing::warn!(error.cause_chain = ?e, "refreshing the statistics after an import chunk failed");
        }
        // A repeat is answered like a single create's: only to its sender, never another's id.
        for ((line, p), outcome) in pending.drain(..).zip(outcomes) {
            let (status, id) = match outcome {
                CreateOutcome::Created(id) => ("created", id),
                CreateOutcome::Existing(id) => {
                    let answer = stored
                        .get(&id)
                        .ok_or_else(|| AppError::Conflict(format!("message {id} vanished")))
                        .and_then(|row| {
                            who.answer_repeat(&row.department_code, p.message.same_as(row))
                        });
                    if let Err(e) = answer {
                        results.push(rejected(line, e));
                        continue;
                    }
                    ("existing", id)
                }
            };
            results.push(ImportLine {
                line,
                status: status.into(),
                id: Some(id),
                error: None,
                field: None,
                deadline_provisional: (status == "created")
                    .then(|| workflow.timeline.is_provisional(p.due_at)),
            });
        }
        emit(results, &mut counts, &mut on_line);
        Ok(())
    };
    for (index, raw) in reader.split(b'\n').enumerate() {
        let raw =
            raw.map_err(|e| AppError::bad_request(None, format!("cannot read the input: {e}")))?;
        let raw = raw.strip_suffix(b"\r").unwrap_or(&raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_line(workflow, who, &known, raw, now) {
            Ok(p) => pending.push((index + 1, p)),
            Err(e) => results.push(rejected(index + 1, e)),
        }
        if pending.len() == CHUNK {
            flush(&mut results, &mut pending)?;
        }
    }
    flush(&mut results, &mut pending)?;
    Ok(counts)
}

/// Imports a JSON-lines body and answers every line (the API's import).
pub fn import_lines(
    db: &Db,
    workflow: &Workflow,
    who: &Principal,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ImportReport, AppError> {
    let mut results = Vec::new();
    let counts = import_stream(db, workflow, who, body, now, |r| results.push(r))?;
    Ok(ImportReport {
        created: counts.created,
        existing: counts.existing,
        rejected: counts.rejected,
        failed: counts.failed,
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
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        // SQLite has one writer at a time. PostgreSQL commits several transactions at once,
        // so a few writers keep batches flowing while others wait for their commit's fsync.
        let writers = match db.backend() {
            crate::db::Backend::Sqlite => 1,
            crate::db::Backend::Postgres => 4,
        };
        for n in 0..writers {
            let (db, workflow, rx) = (db.clone(), workflow.clone(), rx.clone());
            std::thread::Builder::new()
                .name(format!("huiyin-ingest-{n}"))
                .spawn(move || loop {
                    let jobs = {
                        let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
                        let Ok(first) = rx.recv() else { break };
                        let mut jobs = vec![first];
                        while jobs.len() < GROUP {
                            match rx.try_recv() {
                                Ok(job) => jobs.push(job),
                                Err(_) => break,
                            }
                        }
                        jobs
                    };
                    let m = crate::metrics::get();
                    m.intake_queue.sub(jobs.len() as i64);
                    m.intake_batch.observe(jobs.len() as f64);
                    store_group(&db, &workflow, jobs);
                })?;
        }
        Ok(IngestQueue { tx })
    }

    /// Stores one message (idempotent on channel and external id); returns once it is durable.
    pub async fn create(&self, pending: Pending) -> Result<(CreateOutcome, MessageRow), AppError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let tx = self.tx.clone();
        // The bounded queue pushes back on a flood instead of growing without limit.
        crate::metrics::get().intake_queue.inc();
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
        let known = KnownDepartments::load(conn)?;
        let mut good = Vec::with_capacity(jobs.len());
        for job in jobs {
            match known.check(job.pending.message.department.as_str()) {
                Ok(()) => good.push(job),
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                }
            }
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
