//! The state every API handler and page shares: the database, the workflow, the settings, the clock, the intake queue, the token cache, the calendar reloader and the ladder. Loaded once per process by [`AppState::load`].

use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenCache;
use crate::calendar::Coverage;
use crate::calendar_reload::{CalendarReloader, Reloaded};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::escalation::Ladder;
use crate::intake::IngestQueue;
use crate::messages::Workflow;
use crate::sla::{SlaPolicy, Timeline};

/// Shared state of every request (the pages add their own `web::WebState`; the worker has its
/// own `worker::Environment`, built by `startup` from the same parts).
pub struct AppState {
    pub db: Db,
    pub workflow: Workflow,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Group commit for single-message creation.
    pub ingest: IngestQueue,
    /// Recently used API tokens.
    pub tokens: TokenCache,
    /// Installs new calendar files while running (SIGHUP, the worker, the admin page).
    pub calendar: Arc<CalendarReloader>,
    /// The escalation ladder (`escalation.ladder`).
    pub ladder: Arc<Ladder>,
}

impl AppState {
    /// Loads calendar and policy, connects and migrates the database.
    pub fn load(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        let tz = settings.timezone()?;
        let today = clock.now().with_timezone(&tz).date_naive();
        let calendar = CalendarReloader::load(&settings.calendar.dir, today)?;
        let coverage = Coverage::of(&calendar, today, settings.calendar.warn_days);
        if let Some(warning) = coverage.warning() {
            tracing::warn!("{warning}");
        }
        let policy = SlaPolicy::load(&settings.sla.policy)?;
        let ladder = Ladder::load(&settings.escalation.ladder)?;
        let timeline = Timeline::new(Arc::new(calendar), tz);
        let db = Db::connect_with(
            settings.database.url.expose(),
            settings.database.pool_size,
            Duration::from_secs(settings.database.pool_timeout_secs),
            settings.database.sqlite_cache_mib,
        )?;
        let applied = db.migrate()?;
        if applied > 0 {
            tracing::info!(migrations.applied = applied, "database migrated");
        }
        let workflow = Workflow {
            timeline,
            policy: Arc::new(policy),
            rules: Arc::new(settings.handling.clone()),
            after_step: Arc::new(crate::escalation::Rearm {
                base_url: settings.server.base_url.clone(),
                office: settings.office.name.clone(),
            }),
        };
        let reloader = CalendarReloader::new(&settings.calendar.dir);
        reloader.on_start(&db, &workflow, clock.now())?;
        let ingest = IngestQueue::start(db.clone(), workflow.clone())?;
        Ok(AppState {
            db,
            workflow,
            settings: Arc::new(settings),
            clock,
            ingest,
            tokens: Default::default(),
            ladder: Arc::new(ladder),
            calendar: Arc::new(reloader),
        })
    }

    /// Reads the calendar files again and installs them, recomputing what a new official
    /// year changes (SIGHUP, the admin page's button, `POST /api/v1/calendar/reload`).
    pub fn reload_calendar(&self) -> anyhow::Result<Reloaded> {
        self.calendar
            .reload(&self.db, &self.workflow, self.clock.now())
    }

    /// The calendar's coverage today, for `/healthz` and the admin page.
    pub fn calendar_coverage(&self) -> Coverage {
        let tl = &self.workflow.timeline;
        Coverage::of(
            &tl.calendar(),
            tl.local_date(self.clock.now()),
            self.settings.calendar.warn_days,
        )
    }
}
