//! Application builder: loads the calendar and policy, connects and migrates the database, binds the listener and starts the HTTP server (tests start exactly this).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};

use crate::calendar::Coverage;
use crate::calendar_reload::CalendarReloader;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::intake::IngestQueue;
use crate::messages::Workflow;
use crate::sla::{SlaPolicy, Timeline};

/// Shared state of every request and background task.
pub struct AppState {
    pub db: Db,
    pub workflow: Workflow,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Group commit for single-message creation.
    pub ingest: IngestQueue,
    /// Recently used API tokens.
    pub tokens: crate::auth::TokenCache,
    /// Installs new calendar files while running (SIGHUP, the worker, the admin page).
    pub calendar: Arc<crate::calendar_reload::CalendarReloader>,
    /// The escalation ladder (`escalation.ladder`).
    pub ladder: Arc<crate::escalation::Ladder>,
    /// Web pages: the session key and the login throttle.
    pub web: crate::web::WebState,
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
        let ladder = crate::escalation::Ladder::load(&settings.escalation.ladder)?;
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
        let reloader = CalendarReloader::new(&settings.calendar.dir);
        reloader.on_start(&db, &timeline, clock.now())?;
        let workflow = Workflow {
            timeline,
            policy: Arc::new(policy),
            rules: Arc::new(settings.handling.clone()),
        };
        let ingest = IngestQueue::start(db.clone(), workflow.clone())?;
        let web = crate::web::WebState::from_settings(&settings.web);
        Ok(AppState {
            web,
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
    pub fn reload_calendar(&self) -> anyhow::Result<crate::calendar_reload::Reloaded> {
        self.calendar
            .reload(&self.db, &self.workflow.timeline, self.clock.now())
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

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Builds everything from settings; binds the listen address (port 0 = any free port).
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.listen_addr()?)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.listen))?;
        let state = web::Data::new(
            tokio::task::spawn_blocking(move || AppState::load(settings, clock)).await??,
        );
        Self::with_state(listener, state)
    }

    /// Starts the server over an existing state (used by `build` and by tests that need two instances).
    pub fn with_state(
        listener: TcpListener,
        state: web::Data<AppState>,
    ) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        state.web.warn_if_random_key();
        let workers = match state.settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let max_body = state.settings.server.max_body_bytes;
        let max_import = state.settings.server.max_import_bytes;
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::Logger::new("%m %U %s %Dms").exclude("/healthz"))
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(max_import))
                .configure(|cfg| crate::api::configure(cfg, max_body))
                .configure(crate::web::configure)
        })
        .workers(workers)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Runs until the server stops (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
