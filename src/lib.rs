//! huiyin (回音): every citizen message gets an answer on time (件件有回音).
//!
//! Layout: `calendar` (working days), `sla` (policy and the deadline rule),
//! `messages` (workflow and history), `directory` (departments, staff, tokens),
//! `intake` (bulk import), `mail`, `api` (JSON over HTTP), `web` (the pages), `db`, `config`,
//! `startup` (the application builder), `cli`.

pub mod api;
pub mod auth;
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
pub mod intake;
pub mod mail;
pub mod messages;
pub mod privacy;
pub mod reports;
pub mod schema;
pub mod sla;
pub mod startup;
pub mod stats;
pub mod telemetry;
pub mod web;
pub mod worker;
