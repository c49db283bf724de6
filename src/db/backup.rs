//! Backups of the embedded SQLite database while the service runs, and restoring one after
//! checking it. PostgreSQL is backed up with its own tools (`pg_dump`, see the README).
//!
//! A backup is `VACUUM INTO`: SQLite copies the database as one read transaction sees it, so
//! the copy is consistent (every committed message, nothing half-written) while writers go on.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{sqlite_path, Backend, SQLITE_MIGRATIONS};

/// What a backup or a restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub messages: i64,
    /// Migrations applied in the copy.
    pub migrations: usize,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    match Backend::from_url(url)? {
        Backend::Postgres => anyhow::bail!(
            "backup and restore are for the embedded SQLite database: back up PostgreSQL with \
             pg_dump --format=custom and restore with pg_restore (see the README)"
        ),
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if path.is_empty() || path.starts_with(':') {
                anyhow::bail!("'{url}' is not a database file");
            }
            Ok(PathBuf::from(path))
        }
    }
}

fn open(path: &Path) -> anyhow::Result<SqliteConnection> {
    SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))
}

/// Checks that `path` is an intact huiyin database this version can run: SQLite's integrity
/// check passes and every migration in it is one this build knows.
pub fn check(path: &Path) -> anyhow::Result<BackupSummary> {
    if !path.is_file() {
        anyhow::bail!("{} is not a file", path.display());
    }
    let mut conn = open(path)?;
    let lines: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(&mut conn)
            .map_err(|e| anyhow::anyhow!("{} is not an SQLite database: {e}", path.display()))?;
    if lines.len() != 1 || lines[0].line != "ok" {
        let first = lines.first().map_or("no answer", |l| l.line.as_str());
        anyhow::bail!("{} fails SQLite's integrity check: {first}", path.display());
    }
    let applied: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut conn)
            .map_err(|_| anyhow::anyhow!("{} is not a huiyin database", path.display()))?;
    let known: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("embedded migrations: {e}"))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    if let Some(newer) = applied.iter().find(|v| !known.contains(&v.version)) {
        anyhow::bail!(
            "{} was written by a newer huiyin (migration {}): restore it with that version",
            path.display(),
            newer.version
        );
    }
    let messages = diesel::sql_query("SELECT COUNT(*) AS n FROM messages")
        .get_result::<Count>(&mut conn)?
        .n;
    Ok(BackupSummary {
        messages,
        migrations: applied.len(),
    })
}

/// Copies the database at `url` to `out` (which must not exist yet), while the service may run.
pub fn backup(url: &str, out: &Path) -> anyhow::Result<BackupSummary> {
    let source = sqlite_file(url)?;
    if out.exists() {
        anyhow::bail!("{} exists already: choose a new file", out.display());
    }
    let mut conn = open(&source)?;
    // The busy timeout lets the copy wait for a writer's commit instead of failing.
    conn.batch_execute("PRAGMA busy_timeout = 10000")?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(out.to_string_lossy().to_string())
        .execute(&mut conn)
        .map_err(|e| anyhow::anyhow!("backup to {} failed: {e}", out.display()))?;
    check(out)
}

/// Puts the checked backup `from` in place of the database at `url`. The service must be
/// stopped: the file is replaced whole (through a temporary file and a rename, so a failure
/// leaves the old database), and its write-ahead log is removed with it.
pub fn restore(url: &str, from: &Path) -> anyhow::Result<BackupSummary> {
    let target = sqlite_file(url)?;
    let summary = check(from)?;
    let staging = target.with_extension("restoring");
    std::fs::copy(from, &staging)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", staging.display()))?;
    std::fs::File::open(&staging)?.sync_all()?;
    if target.exists() {
        // Empty the old database's write-ahead log into it first, so the log left beside the
        // new file holds nothing that SQLite would apply to it.
        open(&target)?.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    std::fs::rename(&staging, &target)
        .map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", target.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    Ok(summary)
}
