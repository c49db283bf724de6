//! The escalation engine (督办): the ladder of reminders and overdue alerts, the sweep that decides them, the outbox that delivers them once, and the daily digest that replaces storms. The `worker` module runs it in the background.
//!
//! Flow: a workflow step calls [`reschedule`] in its transaction (cancels the message's
//! undelivered alerts and asks for a re-evaluation); [`sweep_once`] evaluates the messages whose
//! `next_escalation_at` has come, writes alerts to the outbox and moves `next_escalation_at` on;
//! [`deliver_once`] claims due outbox rows, sends them and records the result. See
//! `docs/escalation.md` for the guarantees.

mod alerts;
mod approvals;
mod citizen;
pub mod digest;
pub mod ladder;
pub mod outbox;
mod recipients;
pub mod render;
pub mod sweep;
pub mod undeliverable;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use tracing::Instrument;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{Db, DbConnection};
use crate::error::AppError;
use crate::mail::Mailer;
use crate::messages::after_step::Approval;
use crate::messages::events::{self, Event, NewEventRow};
use crate::messages::{AfterStep, MessageRow, Status};
use crate::schema::messages;
use crate::sla::Timeline;

pub use ladder::{Ladder, Level};
pub use outbox::{enqueue, Kind, OutboxEmail};

/// How the engine appears in message histories.
pub const SYSTEM_ACTOR: &str = "system:escalation";

/// Most sweep or delivery rounds in one call (a bound, not a expected figure).
const MAX_ROUNDS: usize = 10_000;

/// What the engine needs, built once by the application (crates.io's jobs take a similar
/// `Environment`): the database, the calendar, the ladder, the clock, and the settings it reads
/// (`escalation`, `smtp`, the links' base URL and the office's name).
pub struct Environment {
    pub db: Db,
    pub timeline: Timeline,
    pub ladder: Arc<Ladder>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
}

/// The workflow's [`AfterStep`]: every step re-arms or stops the message's ladder, and a
/// request waiting for approval emails its approvers.
pub struct Rearm {
    /// The links' base URL (`server.base_url`).
    pub base_url: String,
    /// The office's name, signing the emails (`office.name`).
    pub office: String,
}

impl AfterStep for Rearm {
    fn after_step(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        reschedule(conn, row, now)
    }

    fn approval_requested(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        request: Approval<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        approvals::notify(conn, self, row, request, now)
    }

    fn citizen_notice(
        &self,
        conn: &mut DbConnection,
        row: &MessageRow,
        notice: &crate::messages::handling::notice::CitizenNotice<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        citizen::notify(conn, &self.office, row, notice, now)
    }
}

/// Called by every workflow step, inside its transaction, with the row as it now is: cancels the
/// message's undelivered alerts and, if the message is open, asks the next sweep to evaluate it
/// again (so an extension, a resume or a transfer re-arms the ladder, and a reply, pause or
/// invalidation stops it). The sweep re-decides what still applies; an alert whose key comes
/// back is revived rather than duplicated.
pub fn reschedule(
    conn: &mut DbConnection,
    row: &MessageRow,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    outbox::cancel_for_message(conn, row.id)?;
    let next = (row.status() == Status::Open).then_some(now.timestamp());
    diesel::update(messages::table.find(row.id))
        .set(messages::next_escalation_at.eq(next))
        .execute(conn)?;
    Ok(())
}

/// What a sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub evaluated: usize,
    pub alerts: usize,
    /// Alerts newly held as undeliverable (nobody holds the addressed role).
    pub undeliverable: usize,
    pub digests: usize,
    /// Steps that failed this round (each logged once, with the message id where there is one).
    pub failures: usize,
}

/// Evaluates every message whose escalation time has come at `state.clock`, batch by batch,
/// then enqueues the digests that are due.
///
/// The steps are independent: a failure of one (a batch, the digests) is logged and counted,
/// and the others still run; the worker delivers the outbox either way.
#[tracing::instrument(name = "escalation.sweep", skip_all)]
pub async fn sweep_once(state: &Arc<Environment>) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    let now = state.clock.now().timestamp();
    // First the alerts held as undeliverable whose roles someone now holds.
    let st = state.clone();
    match state
        .db
        .write(move |conn| undeliverable::retry(conn, &st, now))
        .await
    {
        Ok(n) => report.alerts += n,
        Err(e) => {
            tracing::warn!(error = %e, "undeliverable alerts not retried this round");
            report.failures += 1;
        }
    }
    let mut held = std::collections::BTreeMap::new();
    for _ in 0..MAX_ROUNDS {
        let st = state.clone();
        let batch = state
            .db
            .write(move |conn| sweep::sweep_batch(conn, &st, now))
            .await;
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "escalation sweep batch failed; the other steps go on");
                report.failures += 1;
                break;
            }
        };
        report.evaluated += batch.evaluated;
        report.alerts += batch.alerts;
        report.failures += batch.failed;
        for (level, n) in batch.undeliverable {
            *held.entry(level).or_default() += n;
            report.undeliverable += n;
        }
        if (batch.evaluated as i64) < state.settings.escalation.batch_size {
            break;
        }
    }
    undeliverable::warn(&held, &state.ladder);
    let st = state.clone();
    match state
        .db
        .write(move |conn| digest::enqueue_due(conn, &st, now))
        .await
    {
        Ok(n) => report.digests = n,
        Err(e) => {
            tracing::warn!(error = %e, "digests not enqueued this round");
            report.failures += 1;
        }
    }
    Ok(report)
}

/// What a delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
    /// Claims found taken over by another instance (the batch stopped there; that instance
    /// delivers the rest).
    pub lost: usize,
}

/// Sends every outbox row due at `state.clock` (claimed with a lease), recording each result.
/// Before each send the row's lease is renewed under its claim token; a claim found lost stops
/// the batch (the rest of it is another instance's, or will be once its lease runs out).
#[tracing::instrument(name = "escalation.deliver", skip_all)]
pub async fn deliver_once(state: &Arc<Environment>) -> Result<DeliveryReport, AppError> {
    let mailer = Mailer::from_settings(&state.settings.smtp)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("mailer: {e}")))?;
    let cfg = &state.settings.escalation;
    let backoff = outbox::Backoff {
        base_secs: cfg.retry_base_secs,
        max_secs: cfg.retry_max_secs,
        max_attempts: cfg.max_attempts,
    };
    let (batch, lease) = (cfg.delivery_batch, cfg.lease_secs);
    let mut report = DeliveryReport::default();
    let mut first_error: Option<String> = None;
    for _ in 0..MAX_ROUNDS {
        let now = state.clock.now().timestamp();
        let claimed = state
            .db
            .write(move |conn| outbox::claim(conn, now, batch, lease))
            .await?;
        if claimed.is_empty() {
            break;
        }
        for row in claimed {
            let (id, attempts) = (row.id, row.attempts);
            let now = state.clock.now().timestamp();
            let mine = state
                .db
                .write(move |conn| outbox::renew(conn, id, attempts, now, lease))
                .await?;
            if !mine {
                tracing::warn!(
                    outbox.id = id,
                    outbox.attempts = attempts,
                    "delivery claim taken over by another instance; batch stopped"
                );
                report.lost += 1;
                break;
            }
            let span = tracing::debug_span!(
                "escalation.send",
                outbox.id = id,
                message.id = row.message_id
            );
            let result = mailer
                .send_keyed(&row.email(), &row.dedup_key)
                .instrument(span)
                .await;
            let now = state.clock.now().timestamp();
            match result {
                Ok(()) => {
                    let recorded = state
                        .db
                        .write(move |conn| record_sent(conn, &row, now))
                        .await?;
                    if !recorded {
                        // Sent, but the send outlasted its lease and another instance took the
                        // row over: it may go out twice (same Message-ID). Stop here.
                        tracing::warn!(
                            outbox.id = id,
                            outbox.attempts = attempts,
                            "email sent after its delivery claim was lost; batch stopped"
                        );
                        report.lost += 1;
                        break;
                    }
                    report.sent += 1;
                }
                Err(e) => {
                    // A citizen's address is personal data: an SMTP answer or an address error
                    // that repeats it is logged without it.
                    let logged = if row.dedup_key.starts_with("citizen:") {
                        e.to_string()
                            .replace(&row.recipient_email, "[citizen email]")
                    } else {
                        e.to_string()
                    };
                    // One warning per delivery round below: a relay that is down would
                    // otherwise fill the log with a line per queued email.
                    tracing::debug!(outbox.id = row.id, outbox.attempts = row.attempts, error = %logged, "email not delivered");
                    let error = e.to_string();
                    first_error.get_or_insert_with(|| logged.clone());
                    state
                        .db
                        .write(move |conn| outbox::mark_failed(conn, &row, &error, now, backoff))
                        .await?;
                    report.failed += 1;
                }
            }
        }
    }
    if let Some(error) = first_error {
        tracing::warn!(
            failed = report.failed,
            sent = report.sent,
            first_error = %error,
            "emails not delivered; each is retried with back-off (see GET /api/v1/alerts)"
        );
    }
    Ok(report)
}

/// Marks the row sent and writes the `alert_sent` events of the messages it was about; false
/// (nothing written) when the claim token no longer matches.
fn record_sent(
    conn: &mut DbConnection,
    row: &outbox::OutboxRow,
    now: i64,
) -> Result<bool, AppError> {
    conn.transaction(|conn| {
        if !outbox::mark_sent(conn, row.id, row.attempts, now)? {
            return Ok(false);
        }
        let about: Vec<(i64, String, u32)> = match (row.kind.as_str(), row.message_id) {
            ("alert", Some(m)) => vec![(
                m,
                row.level.clone().unwrap_or_default(),
                1 + row.cc().len() as u32,
            )],
            ("digest", _) => digest::covered(conn, row.id)?
                .into_iter()
                .map(|(m, level)| (m, level, 1))
                .collect(),
            _ => Vec::new(),
        };
        let rows: Vec<NewEventRow> = about
            .into_iter()
            .map(|(m, level, recipients)| {
                NewEventRow::new(
                    m,
                    SYSTEM_ACTOR,
                    now,
                    &Event::AlertSent { level, recipients },
                )
            })
            .collect();
        events::append(conn, &rows)?;
        Ok(true)
    })
}
