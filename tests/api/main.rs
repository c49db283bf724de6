//! Integration tests: the real server over HTTP, on SQLite and (when configured) PostgreSQL.

mod helpers;

mod calendar_continuity;
mod cli;
mod escalation;
mod handling;
mod health;
mod inspection;
mod messages;
mod migrations;
mod privacy;
mod reports;
mod smtp;
mod stats;
mod validation;
mod web;
