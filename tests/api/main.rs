//! Integration tests: the real server over HTTP, on SQLite and (when configured) PostgreSQL.

mod helpers;

mod cli;
mod health;
mod messages;
mod migrations;
mod reports;
mod stats;
mod validation;
