//! Database access: one connection type over SQLite and PostgreSQL, the pool, migrations, and the blocking-work helper.
//!
//! The backend is chosen from the URL scheme (`sqlite://`, `postgres://`); the
//! rest of the code base writes one set of diesel queries against
//! [`DbConnection`] and matches on it only where the SQL really differs.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

pub mod backup;

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The backends huiyin runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL that names neither backend.
#[derive(Debug, thiserror::Error)]
#[error("unsupported database URL scheme in '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
pub struct UnknownScheme(String);

impl Backend {
    /// Picks the backend from the URL scheme; anything else is rejected.
    pub fn from_url(url: &str) -> Result<Backend, UnknownScheme> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            // Only the scheme: the URL may hold a password.
            let scheme = url.split(':').next().unwrap_or_default();
            Err(UnknownScheme(format!("{scheme}:")))
        }
    }
}

/// The path part of a `sqlite://` URL (`sqlite://data/x.db`, `sqlite:///abs/x.db`, `sqlite::memory:`).
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens one connection of the backend the URL names, reporting that backend's own error.
pub fn establish(url: &str) -> Result<DbConnection, ConnectionError> {
    establish_with(url, DEFAULT_SQLITE_CACHE_MIB)
}

/// SQLite page cache per connection when not configured.
pub const DEFAULT_SQLITE_CACHE_MIB: u32 = 16;

/// Like [`establish`], with the SQLite page cache size per connection.
pub fn establish_with(url: &str, sqlite_cache_mib: u32) -> Result<DbConnection, ConnectionError> {
    match Backend::from_url(url).map_err(|e| ConnectionError::BadConnection(e.to_string()))? {
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url)?;
            // Custom plans: a generic plan made while a table was small (a seq scan) would
            // otherwise stay in the statement cache as the table grows.
            conn.batch_execute("SET TIME ZONE 'UTC'; SET plan_cache_mode = force_custom_plan")
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Postgresql(conn))
        }
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() && path != ":memory:" {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        ConnectionError::BadConnection(format!(
                            "cannot create the folder {} for the SQLite database: {e}",
                            dir.display()
                        ))
                    })?;
                }
            }
            let mut conn = diesel::SqliteConnection::establish(path)?;
            // WAL lets readers run beside the single writer; busy_timeout makes
            // writers queue instead of failing; synchronous=FULL makes every
            // commit durable before we answer (the ingest figure depends on it).
            // A page cache that holds the hot index pages keeps inserts into large
            // tables from re-reading them through the kernel on every statement.
            // busy_timeout comes first: the pool opens its connections while the migrations
            // hold the write lock, and setting the journal mode may wait for that lock.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -{};",
                u64::from(sqlite_cache_mib) * 1024
            ))
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// r2d2 manager that establishes the variant named by the URL.
#[derive(Debug)]
pub struct Manager {
    url: String,
    sqlite_cache_mib: u32,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        establish_with(&self.url, self.sqlite_cache_mib).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The pool and the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite has one writer at a time: writers queue here instead of
    /// failing with SQLITE_BUSY when a read transaction upgrades.
    write_lock: std::sync::Arc<std::sync::Mutex<()>>,
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

impl Db {
    /// Connects (checking the first connection, so a bad URL fails here with the backend's message).
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<Db> {
        Self::connect_with(url, pool_size, timeout, DEFAULT_SQLITE_CACHE_MIB)
    }

    /// Like [`Db::connect`], with the SQLite page cache size per connection.
    pub fn connect_with(
        url: &str,
        pool_size: u32,
        timeout: Duration,
        sqlite_cache_mib: u32,
    ) -> anyhow::Result<Db> {
        let backend = Backend::from_url(url)?;
        // Fail early with the backend's own error rather than r2d2's timeout.
        establish(url).map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .connection_timeout(timeout)
            .build(Manager {
                url: url.to_string(),
                sqlite_cache_mib,
            })?;
        Ok(Db {
            pool,
            backend,
            write_lock: Default::default(),
        })
    }

    /// Connections the pool holds, and of them idle.
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous callers (CLI, background tasks already off the async runtime).
    pub fn get(&self) -> Result<PooledConn, AppError> {
        self.pool
            .get()
            .map_err(|e| AppError::Unavailable(e.to_string()))
    }

    /// Applies the embedded migrations of this backend; returns how many ran.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.get()?;
        run_migrations(&mut conn)
    }

    /// Runs blocking database work off the async workers, keeping the tracing span.
    /// Pool exhaustion becomes 503, never a panic.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool
                .get()
                .map_err(|e| AppError::Unavailable(format!("database pool: {e}")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }
}

impl Db {
    /// Like [`Db::run`], for work that writes: on SQLite, writers take turns.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let lock = (self.backend == Backend::Sqlite).then(|| self.write_lock.clone());
        self.run(move |conn| {
            let _turn = lock
                .as_ref()
                .map(|l| l.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            f(conn)
        })
        .await
    }

    /// Synchronous variant of [`Db::write`] for the CLI and background threads.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.get()?;
        let _turn = (self.backend == Backend::Sqlite)
            .then(|| self.write_lock.lock().unwrap_or_else(|p| p.into_inner()));
        f(&mut conn)
    }
}

/// The id of the row the last INSERT on this SQLite connection stored. Inserts that must
/// report their id use it instead of RETURNING, which SQLite runs as a trigger and so
/// keeps a statement journal of every page the insert touches.
pub fn last_insert_rowid(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<i64> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "last_insert_rowid()",
    ))
    .get_result(conn)
}

/// Applies pending migrations on one connection.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
}

/// How many embedded migrations the database has not applied yet (0 when it is current).
pub fn pending_migrations(conn: &mut DbConnection) -> Result<usize, AppError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgresql(c) => c.pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    };
    pending.map_err(|e| AppError::Internal(anyhow::anyhow!("reading the migrations: {e}")))
}

/// Reverts every migration (used by the up–down–up test).
pub fn revert_all(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgresql(c) => c
            .revert_all_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    reverted.map_err(|e| anyhow::anyhow!("revert failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme_and_unknown_schemes_are_rejected() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgres://u@h/d").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://root:secret@h/d").unwrap_err();
        assert!(err.to_string().contains("mysql:"));
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn sqlite_paths_are_taken_from_the_url() {
        assert_eq!(sqlite_path("sqlite://data/h.db"), "data/h.db");
        assert_eq!(sqlite_path("sqlite:///tmp/h.db"), "/tmp/h.db");
        assert_eq!(sqlite_path("sqlite::memory:"), ":memory:");
    }
}
