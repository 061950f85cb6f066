//! All SQL lives under this module, one file per table family. Functions take any
//! executor, so the same query runs on the pool or inside a service's transaction.
//!
//! SQLite runs in WAL mode with foreign keys on and a busy timeout; every write
//! transaction starts with `BEGIN IMMEDIATE` ([`begin_write`]) so two writers queue instead
//! of failing halfway with `SQLITE_BUSY` on upgrade.

pub mod audit;
pub mod drafts;
pub mod first_day;
pub mod friends;
pub mod gate;
pub mod greetings;
pub mod incidents;
pub mod insights;
pub mod media;
pub mod notifications;
pub mod policy;
pub mod previews;
pub mod releases;
pub mod reviews;
pub mod sandbox;
pub mod scenarios;
pub mod seal;
pub mod segments;
pub mod sessions;
pub mod test_sends;
pub mod testers;
pub mod throttle;
pub mod two_factor;
pub mod users;
pub mod webhooks;

use std::os::raw::c_int;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

pub type Tx = Transaction<'static, Sqlite>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed, with its folder) the database file. Every connection carries
/// the audit seal, so each event appended through it is sealed and anchored.
pub async fn connect(path: &Path, seal: Arc<seal::Seal>) -> anyhow::Result<SqlitePool> {
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
        .max_connections(connections())
        // sqlx pings a connection on every checkout by default: one more hand-off to the
        // connection's thread per query. A SQLite connection is a file handle in this
        // process; it cannot drop silently the way a network connection can.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            let seal = seal.clone();
            Box::pin(async move {
                keep_plans_across_bindings(conn).await?;
                seal::attach(conn, seal).await
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// How many connections the pool opens: two per core, at least four and at most 32.
///
/// Each SQLite connection in sqlx runs its statements on a thread of its own, and the work
/// there is CPU work (the database is in the page cache). More connection threads than the
/// cores can run only queue on the CPU, where a request waits for a scheduler time slice at
/// each of its queries, instead of on the pool, where it waits its turn. In the page
/// benchmark on 2 cores, 4 connections kept the dashboard's p99 at 19–20.5 ms where 8 gave
/// 21–26 ms in interleaved runs (and 2 starved the pool: 22–25 ms); each connection's page
/// cache is memory too.
fn connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cores * 2).unwrap_or(u32::MAX).clamp(4, 32)
}

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for
/// one connection.
///
/// Without it SQLite (3.51) plans `LIMIT ?` with the bound number as a constant and marks
/// the statement to be prepared again whenever that parameter is bound, which sqlx does on
/// every execution: every list query was parsed and planned anew each time. In a `perf`
/// profile of the page benchmark that re-preparing was a fifth of the server's CPU on the
/// dashboard. With the guarantee a cached statement keeps its plan whatever is bound.
async fn keep_plans_across_bindings(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    set_stable_plans(conn, 1).await.map(|_| ())
}

/// Sets (1), clears (0) or only reads (-1) the guarantee; returns whether it is on.
async fn set_stable_plans(conn: &mut SqliteConnection, value: c_int) -> Result<bool, sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut now_on: c_int = 0;
    // SAFETY: the connection's handle is locked away from its worker thread while it lives,
    // and SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an int* as its two arguments
    // (https://sqlite.org/c3ref/c_dbconfig_defensive.html).
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            value,
            &mut now_on as *mut c_int,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Configuration(
            format!("sqlite3_db_config(ENABLE_QPSG) failed with code {rc}").into(),
        ));
    }
    Ok(now_on == 1)
}

pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Starts a write transaction that holds SQLite's write lock from its first statement.
pub async fn begin_write(pool: &SqlitePool) -> Result<Tx, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// `(draft id, revision number)` pairs as a JSON array of pairs, for
/// `JOIN json_each(?) j ON x.draft_id = j.value ->> 0 AND x.revision_number = j.value ->> 1`.
pub fn json_revisions(revisions: impl IntoIterator<Item = (i64, i64)>) -> String {
    serde_json::Value::from(
        revisions
            .into_iter()
            .map(|(d, r)| vec![d, r])
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// A JSON column that SQLite built for a read (`json_group_array(json_object(...))`), as
/// row types; a mismatch with the row type is a bug, reported as a decode error of that
/// query rather than a panic.
pub(crate) fn from_json<'a, T: serde::Deserialize<'a>>(json: &'a str) -> Result<T, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// True when the error is a UNIQUE constraint failure (a name already taken, a double
/// submit).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A seal with a fixed key and a head file in `dir`, for unit tests.
#[cfg(test)]
pub(crate) fn test_seal(dir: &Path) -> Arc<seal::Seal> {
    Arc::new(seal::Seal::new(
        crate::domain::audit::AuditKey::from_bytes([1; 32]),
        dir.join("audit-head"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_pooled_connection_keeps_its_query_plans_whatever_is_bound() {
        let dir = tempfile::tempdir().unwrap();
        let pool = connect(&dir.path().join("t.db"), test_seal(dir.path()))
            .await
            .unwrap();
        let mut a = pool.acquire().await.unwrap();
        let mut b = pool.acquire().await.unwrap();
        for conn in [&mut a, &mut b] {
            assert!(set_stable_plans(conn, -1).await.unwrap());
        }
        // The reading is real: clearing it reads back as off.
        assert!(!set_stable_plans(&mut a, 0).await.unwrap());
    }

    #[test]
    fn revision_lists_are_json_arrays_of_pairs() {
        assert_eq!(json_revisions([(3, 2), (7, 1)]), "[[3,2],[7,1]]");
        assert_eq!(json_revisions([]), "[]");
    }
}
