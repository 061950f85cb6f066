//! Building and running the application: open and migrate the database and make sure its
//! audit chain is sealed with the key, decide whether first-run setup is open, bind the
//! listener, serve until shutdown, and run the housekeeping tasks beside the server.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::seal::{Seal, SealConfig};
use crate::delivery::DeliveryProvider;
use crate::delivery::line::LineClient;
use crate::delivery::pacing::Pacer;
use crate::delivery::sandbox::Sandbox;
use crate::jobs::releases as dispatcher;
use crate::services::{audit, auth, passwords, setup};
use crate::state::AppState;
use crate::{db, web};

/// Opens the database for any command: the audit seal (creating the key file on first
/// start), the pool with the seal on every connection, the migrations, the one-time
/// sealing of an old unkeyed audit chain, and of two-factor secrets stored in plain.
pub async fn open_database(
    database: &std::path::Path,
    seal: &SealConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(sqlx::SqlitePool, Arc<Seal>)> {
    let seal = Arc::new(Seal::open(database, seal)?);
    let pool = db::connect(database, seal.clone()).await?;
    db::migrate(&pool).await?;
    if let audit::Sealing::Sealed { events, broken } = audit::seal_chain(&pool, &seal, now).await? {
        match broken {
            None => tracing::info!(events, "the audit log was sealed with the audit key"),
            Some(why) => tracing::warn!(
                events,
                %why,
                "the audit log was sealed with the audit key, but it was already broken before; the audit.sealed event records where"
            ),
        }
    }
    let sealed = crate::services::two_factor::seal_plain_secrets(&pool, seal.secrets(), now)
        .await
        .map_err(|e| anyhow::anyhow!("sealing the two-factor secrets: {e:?}"))?;
    if sealed > 0 {
        tracing::info!(sealed, "two-factor secrets stored in plain were sealed");
    }
    Ok((pool, seal))
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    addr: SocketAddr,
}

impl Application {
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let (pool, seal) = open_database(&settings.database, &settings.audit, clock.now()).await?;
        let setup_token = if db::users::count(&pool).await? == 0 {
            Some(setup::new_setup_token())
        } else {
            None
        };
        let dummy_hash = passwords::hash(setup::new_setup_token()).await?;
        let listener = TcpListener::bind(settings.bind).await?;
        let addr = listener.local_addr()?;
        let mut settings = settings;
        settings.bind = addr;
        let provider: Arc<dyn DeliveryProvider> = match &settings.line_channel_access_token {
            Some(token) => Arc::new(LineClient::new(
                &settings.line_api_base,
                token.clone(),
                settings.line_timeout,
            )?),
            None => Arc::new(Sandbox::new(
                pool.clone(),
                clock.clone(),
                settings.sandbox_monthly_limit,
            )),
        };
        let state = AppState {
            pacer: Arc::new(Pacer::new(provider.rate_limits())),
            quota: Arc::default(),
            provider,
            dummy_hash: dummy_hash.into(),
            seal,
            pool,
            clock,
            settings: Arc::new(settings),
            setup_token: Arc::new(Mutex::new(setup_token)),
        };
        Ok(Self {
            listener,
            state,
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The one-time URL that creates the first admin, while no user exists.
    pub fn setup_url(&self) -> Option<String> {
        self.state
            .setup_token
            .lock()
            .expect("setup lock")
            .as_ref()
            .map(|token| format!("{}/setup?token={token}", self.state.settings.public_url()))
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sweeper = tokio::spawn(sweep_sessions(self.state.clone()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let dispatcher = self
            .state
            .settings
            .dispatcher
            .then(|| tokio::spawn(dispatcher::run(self.state.clone(), stopped.clone())));
        // The greeting sender, the chat webhook sender and the statistics reader run under
        // the same switch as the dispatcher.
        let greeter = self.state.settings.dispatcher.then(|| {
            tokio::spawn(crate::jobs::greetings::run(
                self.state.clone(),
                stopped.clone(),
            ))
        });
        let notifier = self.state.settings.dispatcher.then(|| {
            tokio::spawn(crate::jobs::notifier::run(
                self.state.clone(),
                stopped.clone(),
            ))
        });
        let insight_reader = self
            .state
            .settings
            .dispatcher
            .then(|| tokio::spawn(crate::jobs::insights::run(self.state.clone(), stopped)));
        let app = web::router(self.state.clone());
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        // Let the batch in flight finish and be recorded before the pool closes.
        let _ = stop.send(true);
        if let Some(d) = dispatcher {
            let _ = d.await;
        }
        if let Some(g) = greeter {
            let _ = g.await;
        }
        if let Some(n) = notifier {
            let _ = n.await;
        }
        if let Some(r) = insight_reader {
            let _ = r.await;
        }
        sweeper.abort();
        self.state.pool.close().await;
        Ok(())
    }
}

async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match auth::sweep(&state).await {
            Ok(n) if n > 0 => {
                tracing::info!(removed = n, "expired sessions and sign-in counts removed")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not sweep expired sessions"),
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
