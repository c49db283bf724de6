//! Integration tests: the real server over HTTP, on SQLite and (when configured) PostgreSQL.

mod builder;
mod helpers;

mod backup;
mod calendar_continuity;
mod cli;
mod escalation;
mod handling;
mod handling_rules;
mod health;
mod inspection;
mod logs;
mod messages;
mod metrics;
mod migrations;
mod pause;
mod permissions;
mod privacy;
mod reports;
mod routes;
mod smtp;
mod stats;
mod undeliverable;
mod validation;
mod web;
