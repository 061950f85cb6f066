//! What keeps the audit chain honest from outside the database (issue #18): the audit key
//! and the head file.
//!
//! - The key seals every event (`domain::audit::AuditKey`). It comes from
//!   `SENDGATE_AUDIT_KEY`, or from a file beside the database created with mode 0600 on
//!   first start. Someone who can edit the database but not read this key cannot produce a
//!   chain that verifies.
//! - The head file gets one line, `<event id> <seal>`, each time a transaction that
//!   appended an event commits, so deleting the newest events, or all of them, leaves the
//!   chain behind its anchor.
//!
//! Both reach [`crate::db::audit::append`] through the connection: [`attach`] runs on every
//! pooled connection, stores the seal in SQLite's per-connection client data, and installs
//! a commit hook that writes the head line as the transaction commits (and a rollback hook
//! that forgets it), so no caller of `append` has to pass a key or remember to anchor.

use std::ffi::{CStr, c_void};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rand::RngCore;
use sqlx::SqliteConnection;

use crate::domain::audit::{Anchor, AuditKey};
use crate::domain::two_factor::SecretSeal;

/// The key and where heads are anchored, for one database.
#[derive(Debug)]
pub struct Seal {
    key: AuditKey,
    head_file: PathBuf,
    /// Two-factor secrets are sealed under a key derived from this one.
    secrets: SecretSeal,
}

/// Where the audit key and the head file are, as configured.
#[derive(Debug, Clone, Default)]
pub struct SealConfig {
    /// The key itself (`SENDGATE_AUDIT_KEY`), 64 hex digits; otherwise the key file.
    pub key: Option<String>,
    /// The key file (default: beside the database, `<database>.audit-key`).
    pub key_file: Option<PathBuf>,
    /// The head file (default: beside the database, `<database>.audit-head`).
    pub head_file: Option<PathBuf>,
}

fn beside(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

impl SealConfig {
    pub fn key_file(&self, database: &Path) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| beside(database, ".audit-key"))
    }

    pub fn head_file(&self, database: &Path) -> PathBuf {
        self.head_file
            .clone()
            .unwrap_or_else(|| beside(database, ".audit-head"))
    }

    /// The key as configured, without creating one: for reading an export elsewhere.
    pub fn read_key(&self, database: &Path) -> anyhow::Result<AuditKey> {
        if let Some(text) = &self.key {
            return AuditKey::parse(text)
                .map_err(|e| anyhow::anyhow!("SENDGATE_AUDIT_KEY is not usable: {e}"));
        }
        let path = self.key_file(database);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the audit key {}: {e} (set SENDGATE_AUDIT_KEY or --audit-key-file)",
                path.display()
            )
        })?;
        AuditKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

impl Seal {
    /// The seal of `database`: the configured key, or the key file, created with a fresh
    /// random key (mode 0600) when it does not exist yet.
    pub fn open(database: &Path, config: &SealConfig) -> anyhow::Result<Seal> {
        let key = match &config.key {
            Some(_) => config.read_key(database)?,
            None => read_or_create_key_file(&config.key_file(database))?,
        };
        Ok(Seal::new(key, config.head_file(database)))
    }

    /// A seal with a given key and head file (tests, benches).
    pub fn new(key: AuditKey, head_file: PathBuf) -> Seal {
        Seal {
            secrets: SecretSeal::new(&key),
            key,
            head_file,
        }
    }

    pub fn key(&self) -> &AuditKey {
        &self.key
    }

    /// What seals the two-factor secrets in the database.
    pub fn secrets(&self) -> &SecretSeal {
        &self.secrets
    }

    pub fn head_file(&self) -> &Path {
        &self.head_file
    }

    /// Appends one head line. Called from the commit hook, on SQLite's thread: plain file
    /// I/O, nothing that touches the connection.
    fn anchor(&self, id: i64, hash: &str) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.head_file)?;
        // One short write with O_APPEND: lines from several processes never interleave.
        file.write_all(Anchor::line_text(id, hash).as_bytes())
    }

    /// The head file's length now (0 when there is none yet).
    pub fn head_file_len(&self) -> std::io::Result<u64> {
        match std::fs::metadata(&self.head_file) {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// The anchors in the first `len` bytes of the head file, in file order, read as the
    /// iterator goes.
    pub fn anchors_up_to(
        &self,
        len: u64,
    ) -> std::io::Result<impl Iterator<Item = Result<Anchor, crate::domain::audit::ChainBreak>>>
    {
        use std::io::{BufRead, Read};
        let file = match std::fs::File::open(&self.head_file) {
            Ok(f) => Some(std::io::BufReader::new(f.take(len))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        Ok(file
            .into_iter()
            .flat_map(|f| f.lines())
            .enumerate()
            .map(|(i, line)| {
                let n = i as u64 + 1;
                match line {
                    Ok(text) => Anchor::parse_line(&text, n),
                    Err(_) => Err(crate::domain::audit::ChainBreak::AnchorUnreadable { line: n }),
                }
            }))
    }

    /// The newest anchor written, if any (the last readable line of the head file).
    pub fn last_anchor(&self) -> std::io::Result<Option<Anchor>> {
        Ok(self
            .anchors_up_to(self.head_file_len()?)?
            .filter_map(Result::ok)
            .last())
    }
}

fn read_or_create_key_file(path: &Path) -> anyhow::Result<AuditKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return AuditKey::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(anyhow::anyhow!(
                "cannot read the audit key {}: {e}",
                path.display()
            ));
        }
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = AuditKey::from_bytes(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
            file.sync_all()?;
            tracing::info!(file = %path.display(), key_id = %key.id(), "created the audit key");
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create_key_file(path),
        Err(e) => Err(anyhow::anyhow!(
            "cannot create the audit key {}: {e}",
            path.display()
        )),
    }
}

/// What one connection knows of the seal: the seal, and the head its open transaction
/// appended (written to the head file when it commits).
struct ConnectionSeal {
    seal: Arc<Seal>,
    pending: Mutex<Option<(i64, String)>>,
}

const CLIENT_DATA: &CStr = c"sendgate.audit_seal";

unsafe extern "C" fn drop_connection_seal(data: *mut c_void) {
    // SAFETY: `data` is the pointer `attach` made with `Arc::into_raw`; SQLite calls this
    // once, when the connection closes or the client data is replaced.
    drop(unsafe { Arc::from_raw(data as *const ConnectionSeal) });
}

/// Runs on every new pooled connection: the seal for `append`, and the hooks that anchor.
pub(crate) async fn attach(
    conn: &mut SqliteConnection,
    seal: Arc<Seal>,
) -> Result<(), sqlx::Error> {
    let state = Arc::new(ConnectionSeal {
        seal,
        pending: Mutex::new(None),
    });
    let mut handle = conn.lock_handle().await?;
    let on_commit = state.clone();
    handle.set_commit_hook(move || {
        let Some((id, hash)) = on_commit.pending.lock().expect("seal lock").take() else {
            return true;
        };
        match on_commit.seal.anchor(id, &hash) {
            Ok(()) => true,
            Err(e) => {
                // Refusing the commit keeps "every change is anchored" true; the request
                // fails and nothing of it is written.
                tracing::error!(error = %e, file = %on_commit.seal.head_file.display(), "cannot write the audit head file; the change was rolled back");
                false
            }
        }
    });
    let on_rollback = state.clone();
    handle.set_rollback_hook(move || {
        on_rollback.pending.lock().expect("seal lock").take();
    });
    let raw = Arc::into_raw(state) as *mut c_void;
    // SAFETY: the handle is locked away from its worker thread while it lives; the name is
    // a static C string; on failure SQLite calls the destructor on `raw` itself.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_set_clientdata(
            handle.as_raw_handle().as_ptr(),
            CLIENT_DATA.as_ptr(),
            raw,
            Some(drop_connection_seal),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Configuration(
            format!("sqlite3_set_clientdata failed with code {rc}").into(),
        ));
    }
    Ok(())
}

/// The seal attached to one connection, as `append` uses it.
pub(crate) struct Sealer(Arc<ConnectionSeal>);

impl Sealer {
    pub(crate) fn key(&self) -> &AuditKey {
        &self.0.seal.key
    }

    /// Remembers the head this transaction writes, for the commit hook (`None` forgets it).
    pub(crate) fn set_pending(&self, head: Option<(i64, String)>) {
        *self.0.pending.lock().expect("seal lock") = head;
    }
}

/// The seal attached to this connection.
pub(crate) async fn sealer(conn: &mut SqliteConnection) -> Result<Sealer, sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked; the pointer, when set, came from `Arc::into_raw` in
    // `attach` and stays valid until the connection closes, which cannot happen while we
    // hold its lock. Taking one more strong count gives us our own reference.
    unsafe {
        let data = libsqlite3_sys::sqlite3_get_clientdata(
            handle.as_raw_handle().as_ptr(),
            CLIENT_DATA.as_ptr(),
        ) as *const ConnectionSeal;
        if data.is_null() {
            return Err(sqlx::Error::Configuration(
                "this database connection has no audit key attached (open it with db::connect)"
                    .into(),
            ));
        }
        Arc::increment_strong_count(data);
        Ok(Sealer(Arc::from_raw(data)))
    }
}
