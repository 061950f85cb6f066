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
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Failed sign-ins allowed per account, and per client address, in `login_window`.
    pub login_max_failures_per_account: usize,
    pub login_max_failures_per_address: usize,
    pub login_window: Duration,
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
            session_idle: Duration::hours(8),
            session_absolute: Duration::days(7),
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_window: Duration::minutes(15),
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
