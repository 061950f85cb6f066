//! Settings from command-line flags and `SENDGATE_*` environment variables. Every value
//! has a default that works on a fresh machine: a local SQLite file and the sandbox sender.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::Duration;

#[derive(Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: PathBuf,
    /// Mark the session cookie `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// The address people open, used in the printed setup URL. Defaults to `http://{bind}`.
    pub public_url: Option<String>,
    /// How long a session lives however active it is (idle sessions end sooner, by the
    /// policy's `session_idle_minutes`).
    pub session_absolute: Duration,
    /// Sessions one person may hold; signing in once more ends the oldest.
    pub max_sessions_per_user: i64,
    /// Failed sign-ins allowed in `login_window` for one account from one client address
    /// (the attacker's address is slowed, not the owner elsewhere) ...
    pub login_max_failures_per_account: i64,
    /// ... from one client address over all accounts ...
    pub login_max_failures_per_address: i64,
    /// ... and for one account from all addresses together (only many addresses can reach
    /// this; a password reset or a sign-in with the second factor clears it).
    pub login_max_failures_per_account_total: i64,
    pub login_window: Duration,
    /// Failed sign-ins written to the audit log one by one per minute; beyond that they are
    /// counted and summed up in one event.
    pub login_audit_per_minute: i64,
    /// Take the client address from the last `X-Forwarded-For` entry (set this when
    /// sendgate runs behind a reverse proxy, which must overwrite the header).
    pub trust_forwarded_for: bool,
    /// Where the audit key and the head file are (issue #18).
    pub audit: crate::db::seal::SealConfig,
    /// Allow an `http://` chat webhook on a loopback address (tests only; anything else
    /// must be https).
    pub allow_http_loopback_webhook: bool,
    /// The channel secret that signs LINE webhooks; without it the webhook refuses
    /// everything.
    pub line_channel_secret: Option<String>,
    /// The channel access token; without it sendgate uses the sandbox sender.
    pub line_channel_access_token: Option<String>,
    pub line_api_base: String,
    /// How long one call to LINE may take before it counts as timed out (and is retried
    /// with the same retry key).
    pub line_timeout: std::time::Duration,
    /// The sandbox's monthly message limit (`None`: unlimited).
    pub sandbox_monthly_limit: Option<i64>,
    /// Run the background dispatcher (tests switch it off and step it themselves).
    pub dispatcher: bool,
    /// The LINE Official Account's name, shown above the chat-bubble previews.
    pub account_name: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database", &self.database)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: PathBuf::from("data/sendgate.db"),
            secure_cookies: false,
            public_url: None,
            session_absolute: Duration::days(7),
            max_sessions_per_user: 10,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_max_failures_per_account_total: 50,
            login_window: Duration::minutes(15),
            login_audit_per_minute: 30,
            trust_forwarded_for: false,
            audit: crate::db::seal::SealConfig::default(),
            allow_http_loopback_webhook: false,
            line_channel_secret: None,
            line_channel_access_token: None,
            line_api_base: "https://api.line.me".to_string(),
            line_timeout: std::time::Duration::from_secs(20),
            sandbox_monthly_limit: Some(30_000),
            dispatcher: true,
            account_name: "LINE Official Account".to_string(),
        }
    }
}

impl Settings {
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }
}
