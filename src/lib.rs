//! huiyin (回音): every citizen message gets an answer on time (件件有回音).
//!
//! Layers, from the top; a module imports only from its own layer or below:
//! - `cli` (the command line, with the calendar tools in `cli::calendar`) → `startup` (the
//!   application builder: HTTP server, worker, SIGHUP reload);
//! - the edges: `api` (JSON over HTTP; its `AppState` and the bearer-token extractor), `web`
//!   (the pages over the API layer's state), `worker` (the background rounds), `demo` (sample
//!   data), `bench` (load-test tooling, `--features bench`);
//! - the domain: `reports` (monthly reports and their email), `escalation` (ladder, sweep,
//!   outbox, digests), `intake` (group commit and bulk import), `calendar_reload` (installing
//!   new calendar files), `health`, `stats` (the figures), `messages` (workflow, handling rules,
//!   history), `directory` (departments, staff, tokens);
//! - the foundations: `auth` (principal, permissions, tokens, passwords), `config`, `org`
//!   (department codes and roles, below both), `sla` (policy and
//!   the deadline rule on a `Timeline`), `calendar` (working days), `db`, `mail`, `privacy`,
//!   `clock`, `error`, `schema`, `telemetry`.
//!
//! The domain gets small contexts (`escalation::Environment`, `reports::ReportContext`, a `Db`
//! and a `Workflow`), never the HTTP state; the workflow reaches the escalation engine only
//! through its `messages::AfterStep` hook.

pub mod api;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod calendar;
pub mod calendar_reload;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod escalation;
pub mod health;
pub mod inspection;
pub mod intake;
pub mod mail;
pub mod messages;
pub mod metrics;
pub mod org;
pub mod privacy;
pub mod reports;
pub mod schema;
pub mod sla;
pub mod spreadsheet;
pub mod startup;
pub mod stats;
pub mod telemetry;
pub mod web;
pub mod worker;
