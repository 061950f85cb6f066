//! All SQL lives under this module, one file per table family. Functions take any
//! executor, so the same query runs on the pool or inside a service's transaction.
//!
//! SQLite runs in WAL mode with foreign keys on and a busy timeout; every write
//! transaction starts with `BEGIN IMMEDIATE` ([`begin_write`]) so two writers queue instead
//! of failing halfway with `SQLITE_BUSY` on upgrade.

pub mod audit;
pub mod drafts;
pub mod friends;
pub mod incidents;
pub mod notifications;
pub mod policy;
pub mod previews;
pub mod releases;
pub mod reviews;
pub mod sandbox;
pub mod scenarios;
pub mod segments;
pub mod sessions;
pub mod test_sends;
pub mod users;
pub mod webhooks;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub type Tx = Transaction<'static, Sqlite>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed, with its folder) the database file.
pub async fn connect(path: &Path) -> anyhow::Result<SqlitePool> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    Ok(pool)
}

pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Starts a write transaction that holds SQLite's write lock from its first statement.
pub async fn begin_write(pool: &SqlitePool) -> Result<Tx, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// True when the error is a UNIQUE constraint failure (a name already taken, a double
/// submit).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
