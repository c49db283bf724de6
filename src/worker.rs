//! The background worker: each round installs calendar files changed since the last round, runs the escalation sweep, queues last month's report on the first working day of a month, and delivers the outbox. `startup` starts it in `huiyin serve`; `huiyin escalate --once` runs one round.

use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::calendar_reload::CalendarReloader;
use crate::error::AppError;
use crate::escalation::{self, DeliveryReport, SweepReport};
use crate::messages::model::utc;
use crate::messages::Workflow;
use crate::reports::{self, ReportContext};

/// What the worker needs besides the escalation engine's own environment.
pub struct Environment {
    pub escalation: Arc<escalation::Environment>,
    /// For the calendar reload's recompute (the timeline and the step that re-arms the ladder).
    pub workflow: Workflow,
    pub calendar: Arc<CalendarReloader>,
    pub reports: ReportContext,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sweep: SweepReport,
    /// Monthly report emails queued.
    pub reports: usize,
    pub delivery: DeliveryReport,
}

/// One round: calendar files, sweep, monthly report, delivery. The steps are independent: a
/// failure of one is logged and counted in `sweep.failures`, and the outbox is delivered either
/// way; only a failed delivery makes the round an error.
pub async fn run_once(env: &Arc<Environment>) -> Result<Round, AppError> {
    let span = tracing::info_span!("worker.round");
    async {
        reload_calendar(env).await;
        let started = std::time::Instant::now();
        let mut sweep = escalation::sweep_once(&env.escalation).await?;
        let m = crate::metrics::get();
        m.sweep_seconds.observe(started.elapsed().as_secs_f64());
        let reports = match enqueue_monthly_report(env).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "monthly report email not enqueued this round");
                sweep.failures += 1;
                0
            }
        };
        let delivery = escalation::deliver_once(&env.escalation).await?;
        for (result, n) in [
            ("sent", delivery.sent),
            ("failed", delivery.failed),
            ("lost", delivery.lost),
        ] {
            m.deliveries.with_label_values(&[result]).inc_by(n as u64);
        }
        Ok(Round {
            sweep,
            reports,
            delivery,
        })
    }
    .instrument(span)
    .await
}

/// A calendar file installed since the last round is picked up here (a cheap directory
/// listing when nothing changed).
async fn reload_calendar(env: &Arc<Environment>) {
    let e = env.clone();
    let reload = tokio::task::spawn_blocking(move || {
        let esc = &e.escalation;
        e.calendar
            .reload_if_changed(&esc.db, &e.workflow, esc.clock.now())
    })
    .await;
    if let Ok(Err(e)) = reload {
        tracing::warn!(error = %e, "calendar files changed but were not installed");
    }
}

/// Last month's report to the leaders, on the first working day of the month (once: the
/// outbox key holds the month).
async fn enqueue_monthly_report(env: &Arc<Environment>) -> Result<usize, AppError> {
    let now = env.escalation.clock.now().timestamp();
    let e = env.clone();
    env.escalation
        .db
        .write(move |conn| reports::email::enqueue_monthly(conn, &e.reports, utc(now)))
        .await
}

/// Runs [`run_once`] every `escalation.sweep_interval_secs` until the runtime stops.
pub fn spawn(env: Arc<Environment>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = Duration::from_secs(env.escalation.settings.escalation.sweep_interval_secs);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&env).await {
                Ok(r)
                    if r.sweep.alerts + r.sweep.digests + r.delivery.sent + r.delivery.failed
                        > 0 =>
                {
                    tracing::info!(
                        sweep.evaluated = r.sweep.evaluated,
                        sweep.alerts = r.sweep.alerts,
                        sweep.digests = r.sweep.digests,
                        delivery.sent = r.delivery.sent,
                        delivery.failed = r.delivery.failed,
                        "escalation round"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "escalation round failed; retrying next tick"),
            }
        }
    })
}
