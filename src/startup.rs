//! Application builder: loads the state (calendar, policy, database), binds the listener, starts the HTTP server and, when `escalation.worker` is on, the background worker and the SIGHUP calendar reload (tests start exactly this).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};

use crate::api::AppState;
use crate::clock::Clock;
use crate::config::Settings;
use crate::escalation;
use crate::reports::ReportContext;
use crate::web::WebState;
use crate::worker;

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    /// The private `/metrics` address (`[metrics] listen`), when there is one.
    metrics_port: Option<u16>,
    server: Server,
    state: web::Data<AppState>,
    worker: Arc<worker::Environment>,
}

impl Application {
    /// Builds everything from settings; binds the listen address (port 0 = any free port).
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(settings.listen_addr()?)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.listen))?;
        let state = web::Data::new(
            tokio::task::spawn_blocking(move || AppState::load(settings, clock)).await??,
        );
        let ladder = state.ladder.clone();
        let checked = state
            .db
            .run(move |conn| escalation::undeliverable::check_configuration(conn, &ladder))
            .await;
        if let Err(e) = checked {
            tracing::warn!(error = %e, "escalation ladder's recipients not checked");
        }
        let pages = web::Data::new(WebState::from_settings(&state.settings.web));
        Self::with_state(listener, state, pages)
    }

    /// Starts the server over an existing state: the HTTP server, then the worker and the
    /// SIGHUP reload when `escalation.worker` is on (`huiyin escalate --once` from cron instead).
    pub fn with_state(
        listener: TcpListener,
        state: web::Data<AppState>,
        pages: web::Data<WebState>,
    ) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        pages.warn_if_random_key();
        let workers = match state.settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let max_body = state.settings.server.max_body_bytes;
        let max_import = state.settings.server.max_import_bytes;
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::from_fn(crate::api::access_log::log))
                .app_data(data.clone())
                .app_data(pages.clone())
                .app_data(web::PayloadConfig::new(max_import))
                .configure(|cfg| crate::api::configure(cfg, max_body))
                .configure(crate::web::configure)
                .default_service(web::to(crate::web::not_found))
        })
        .workers(workers)
        .listen(listener)?
        .run();
        let metrics_port = match (
            &state.settings.metrics.listen,
            state.settings.metrics.enabled,
        ) {
            (Some(addr), true) if !addr.is_empty() => Some(serve_metrics(addr, state.clone())?),
            _ => None,
        };
        let worker = Arc::new(worker_environment(&state));
        if state.settings.escalation.worker {
            worker::spawn(worker.clone());
            spawn_reload_on_sighup(state.clone());
        }
        Ok(Application {
            port,
            metrics_port,
            server,
            state,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the private `/metrics` address, when `[metrics] listen` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub fn worker(&self) -> Arc<worker::Environment> {
        self.worker.clone()
    }

    /// Runs until the server stops (Ctrl-C or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Serves `/metrics` alone, without a token, on the private address `addr` (one worker thread:
/// a scrape every few seconds); answers the bound port.
fn serve_metrics(addr: &str, state: web::Data<AppState>) -> anyhow::Result<u16> {
    let listener = TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on metrics.listen = {addr}: {e}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(crate::api::metrics::open_metrics))
    })
    .workers(1)
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(port)
}

/// The worker's environment, from the same parts as the HTTP state (one database pool, one
/// timeline whose calendar a reload replaces for both).
pub fn worker_environment(state: &AppState) -> worker::Environment {
    worker::Environment {
        escalation: Arc::new(escalation::Environment {
            db: state.db.clone(),
            timeline: state.workflow.timeline.clone(),
            ladder: state.ladder.clone(),
            clock: state.clock.clone(),
            settings: state.settings.clone(),
        }),
        workflow: state.workflow.clone(),
        calendar: state.calendar.clone(),
        reports: ReportContext::from_settings(&state.settings, state.workflow.timeline.clone()),
    }
}

/// `kill -HUP` installs new calendar files (the worker also notices them within a sweep
/// interval; this is for the impatient).
#[cfg(unix)]
fn spawn_reload_on_sighup(state: web::Data<AppState>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; calendar reloads come from the worker and the admin page only");
        return;
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            let st = state.clone();
            match tokio::task::spawn_blocking(move || st.reload_calendar()).await {
                Ok(Ok(r)) => tracing::info!(
                    calendar.years = ?r.installed_years,
                    messages.changed = r.changed.len(),
                    "SIGHUP: calendar files reloaded"
                ),
                Ok(Err(e)) => tracing::warn!(error = %e, "SIGHUP: calendar files not installed"),
                Err(e) => tracing::warn!(error = %e, "SIGHUP: calendar reload failed"),
            }
        }
    });
}

#[cfg(not(unix))]
fn spawn_reload_on_sighup(_state: web::Data<AppState>) {}
