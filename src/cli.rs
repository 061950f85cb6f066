//! The `sendgate` command line: serve, migrate, manage users, verify and export the audit
//! trail.
//! Every command goes through the same services as the web app, so the CLI is audited too.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::seal::SealConfig;
use crate::db::{self, audit::Actor};
use crate::domain::roles::Roles;
use crate::error::AppError;
use crate::services::{self, audience::ImportError, audit::Verification, users::NewUserInput};
use crate::startup::{Application, open_database, shutdown_signal};

#[derive(Parser, Debug)]
#[command(
    name = "sendgate",
    version,
    about = "A pre-send review gate for LINE Official Account messages."
)]
pub struct Cli {
    /// The SQLite database file (created with its folder if missing) [default:
    /// data/sendgate.db, or sendgate-demo.db for `serve --demo`].
    #[arg(long, global = true, env = "SENDGATE_DATABASE")]
    pub database: Option<PathBuf>,

    /// The audit key (64 hex digits) that seals the audit log. Without it the key is read
    /// from the key file, which is created on first start.
    #[arg(
        long,
        global = true,
        env = "SENDGATE_AUDIT_KEY",
        hide_env_values = true
    )]
    pub audit_key: Option<String>,

    /// The audit key file [default: beside the database, DATABASE.audit-key].
    #[arg(long, global = true, env = "SENDGATE_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,

    /// The head file that records the audit log's newest event after every change
    /// [default: beside the database, DATABASE.audit-head]. Keep it where someone who can
    /// change the database cannot (another disk, an append-only mount).
    #[arg(long, global = true, env = "SENDGATE_AUDIT_HEAD")]
    pub audit_head: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default when no command is given).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Work with LINE friends.
    #[command(subcommand)]
    Friends(FriendsCommand),
}

#[derive(Subcommand, Debug)]
pub enum FriendsCommand {
    /// Import friends from a CSV file (user_id,display_name,tags,followed_at,attr:NAME...).
    /// A file with any bad row imports nothing.
    Import {
        /// The CSV file (UTF-8 with or without BOM, or Shift_JIS).
        file: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "SENDGATE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Mark the session cookie Secure (set this when sendgate is served over HTTPS).
    #[arg(long, env = "SENDGATE_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// The address people open, for the printed setup link (default http://BIND).
    #[arg(long, env = "SENDGATE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The LINE channel secret, to verify webhook signatures.
    #[arg(long, env = "SENDGATE_LINE_CHANNEL_SECRET", hide_env_values = true)]
    pub line_channel_secret: Option<String>,
    /// The LINE channel access token. Without it, messages go to the sandbox.
    #[arg(
        long,
        env = "SENDGATE_LINE_CHANNEL_ACCESS_TOKEN",
        hide_env_values = true
    )]
    pub line_channel_access_token: Option<String>,
    /// The LINE API base URL (point it at a fake for tests or staging).
    #[arg(
        long,
        env = "SENDGATE_LINE_API_BASE",
        default_value = "https://api.line.me"
    )]
    pub line_api_base: String,
    /// The sandbox's monthly message limit, or "none".
    #[arg(long, env = "SENDGATE_SANDBOX_MONTHLY_LIMIT", default_value = "30000")]
    pub sandbox_monthly_limit: String,
    /// Seed a Japanese demo account (people, 2,000 friends, drafts in every state) into an
    /// empty database, print the demo passwords once, and serve it. Uses sendgate-demo.db
    /// unless --database is given.
    #[arg(long)]
    pub demo: bool,
    /// The LINE Official Account's name, shown above message previews.
    #[arg(
        long,
        env = "SENDGATE_ACCOUNT_NAME",
        default_value = "LINE Official Account"
    )]
    pub account_name: String,
    /// Behind a reverse proxy: take each client's address from the last X-Forwarded-For
    /// entry (the proxy must set it), so sign-in throttling sees clients, not the proxy.
    #[arg(long, env = "SENDGATE_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
}

impl ServeArgs {
    /// The serve defaults with the environment applied, for `sendgate` with no command.
    fn from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::parse_from(["sendgate"]).serve
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// Comma separated: admin, marketer, reviewer.
        #[arg(long, default_value = "")]
        roles: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Replace a user's roles.
    SetRoles {
        #[arg(long)]
        username: String,
        /// Comma separated: admin, marketer, reviewer (empty for none).
        #[arg(long)]
        roles: String,
    },
    /// Disable a user and end their sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Set a new password and end the user's sessions: read from standard input
    /// (--password-stdin), or generated and printed once (--generate).
    #[command(group(clap::ArgGroup::new("new_password").required(true).args(["password_stdin", "generate"])))]
    ResetPassword {
        #[arg(long)]
        username: String,
        /// Read the new password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Generate a new password and print it (once: it is not stored anywhere readable).
        #[arg(long)]
        generate: bool,
    },
    /// List users with their roles and status.
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the sealed chain against the audit key, the database's head record and the
    /// head file; exit 0 when intact, 1 naming the first event that fails and what failed.
    Verify {
        /// Verify an export file on its own (against the audit key) instead of the
        /// database.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
    },
    /// Write the whole audit log as JSON Lines (one event per line, with a sealed closing
    /// line) to FILE, or to standard output.
    Export {
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Prints a verification's outcome; exit 0 when intact, 1 when broken.
fn report(outcome: Verification, key: &crate::domain::audit::AuditKey) -> anyhow::Result<ExitCode> {
    match outcome {
        Verification::Intact { events } => {
            println!("audit log intact: {events} events verified");
            eprintln!("(sealed with audit key {})", key.id());
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken(b) => {
            println!("audit log BROKEN: {b}");
            Ok(ExitCode::from(1))
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    // One trailing newline comes from `echo` or a terminal, not from the password.
    let s = s.strip_suffix('\n').unwrap_or(&s);
    let s = s.strip_suffix('\r').unwrap_or(s);
    Ok(s.to_string())
}

fn describe(e: AppError) -> String {
    match e {
        AppError::Invalid(errors) => errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("\n"),
        AppError::Conflict(why) | AppError::Forbidden(why) => why,
        AppError::NotFound => "not found".into(),
        other => format!("{other:#}"),
    }
}

/// Seeds the demo into an empty database and prints its people once, or says it reuses them.
async fn seed_demo(app: &Application) -> anyhow::Result<()> {
    let state = app.state();
    match crate::demo::seed(state).await? {
        Some(demo) => {
            // The demo created the first admin, so first-run setup is closed.
            *state.setup_token.lock().expect("setup lock") = None;
            println!();
            println!(
                "Demo account “{}” seeded in {}: {} friends, 3 segments, drafts in every state, an active step scenario, an active greeting message, and yesterday's wrong send with its incident and correction draft.",
                state.settings.account_name,
                state.settings.database.display(),
                crate::demo::FRIENDS
            );
            println!("Sign in as one of these people (the passwords are shown only now):");
            println!();
            print!(
                "{}",
                crate::demo::credentials_table(&demo.users, &state.settings.public_url())
            );
            println!();
        }
        None => print!(
            "{}",
            crate::demo::reused_message(&state.settings.database.display().to_string())
        ),
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::from_env()));
    let demo = matches!(&command, Command::Serve(args) if args.demo);
    let database = cli.database.unwrap_or_else(|| {
        PathBuf::from(if demo {
            "sendgate-demo.db"
        } else {
            "data/sendgate.db"
        })
    });
    let seal_config = SealConfig {
        key: cli.audit_key.filter(|k| !k.trim().is_empty()),
        key_file: cli.audit_key_file,
        head_file: cli.audit_head,
    };
    let open = || open_database(&database, &seal_config, SystemClock.now());
    match command {
        Command::Serve(args) => {
            let settings = Settings {
                bind: args.bind,
                database,
                secure_cookies: args.secure_cookies,
                public_url: args.public_url,
                line_channel_secret: args.line_channel_secret.filter(|s| !s.is_empty()),
                line_channel_access_token: args.line_channel_access_token.filter(|s| !s.is_empty()),
                line_api_base: args.line_api_base,
                // The demo's account has a Japanese name unless one is given.
                account_name: if args.demo {
                    crate::demo::account_name(&args.account_name)
                } else {
                    args.account_name
                },
                trust_forwarded_for: args.trust_forwarded_for,
                audit: seal_config.clone(),
                sandbox_monthly_limit: match args.sandbox_monthly_limit.trim() {
                    "none" | "" => None,
                    n => Some(n.parse().map_err(|_| {
                        anyhow::anyhow!(
                            "SENDGATE_SANDBOX_MONTHLY_LIMIT must be a number or \"none\""
                        )
                    })?),
                },
                ..Settings::default()
            };
            let app = Application::build(settings, Arc::new(SystemClock)).await?;
            if args.demo {
                seed_demo(&app).await?;
            }
            println!("sendgate is listening on http://{}", app.addr());
            println!(
                "Audit log: sealed with key {}; its head is appended to {}",
                app.state().seal.key().id(),
                app.state().seal.head_file().display()
            );
            if app.state().provider.name() == "sandbox" {
                println!(
                    "Sandbox mode: messages are recorded at /sandbox and nothing leaves this machine."
                );
            }
            if let Some(url) = app.setup_url() {
                println!();
                println!("No user exists yet. Open this one-time link to create the first admin:");
                println!();
                println!("    {url}");
                println!();
            }
            app.run_until(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open().await?;
            println!("migrations applied to {}", database.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => {
            let (pool, _) = open().await?;
            let now = SystemClock.now();
            let actor = Actor::cli();
            let result: Result<String, AppError> = async {
                match cmd {
                    UserCommand::Add {
                        username,
                        roles,
                        display_name,
                        password_stdin: _,
                    } => {
                        let roles =
                            Roles::parse_list(&roles).map_err(|e| AppError::invalid("roles", e))?;
                        let input = NewUserInput {
                            username: username.clone(),
                            display_name: display_name.unwrap_or_default(),
                            password: read_password()?,
                            roles,
                        };
                        let id = services::users::create(&pool, now, &actor, &input).await?;
                        Ok(format!(
                            "created user {} (id {id}) with roles: {roles}",
                            username.trim().to_lowercase()
                        ))
                    }
                    UserCommand::SetRoles { username, roles } => {
                        let roles =
                            Roles::parse_list(&roles).map_err(|e| AppError::invalid("roles", e))?;
                        let user = services::users::find_by_username(&pool, &username).await?;
                        services::users::set_roles(&pool, now, &actor, user.id, roles).await?;
                        Ok(format!("{}: roles are now {roles}", user.username))
                    }
                    UserCommand::Disable { username } => {
                        let user = services::users::find_by_username(&pool, &username).await?;
                        services::users::disable(&pool, now, &actor, user.id).await?;
                        Ok(format!(
                            "{} is disabled and signed out everywhere",
                            user.username
                        ))
                    }
                    UserCommand::Enable { username } => {
                        let user = services::users::find_by_username(&pool, &username).await?;
                        services::users::enable(&pool, now, &actor, user.id).await?;
                        Ok(format!("{} is enabled", user.username))
                    }
                    UserCommand::ResetPassword {
                        username,
                        password_stdin: _,
                        generate,
                    } => {
                        let user = services::users::find_by_username(&pool, &username).await?;
                        let password = if generate {
                            services::passwords::generate()
                        } else {
                            read_password()?
                        };
                        services::users::reset_password(&pool, now, &actor, user.id, &password)
                            .await?;
                        if generate {
                            Ok(format!(
                                "{}: password reset; all sessions ended. The new password (shown only now): {password}",
                                user.username
                            ))
                        } else {
                            Ok(format!(
                                "{}: password reset; all sessions ended",
                                user.username
                            ))
                        }
                    }
                    UserCommand::List => {
                        let users = db::users::list(&pool).await?;
                        let mut out = format!(
                            "{:<24} {:<24} {:<28} status",
                            "username", "display name", "roles"
                        );
                        for u in users {
                            out.push_str(&format!(
                                "\n{:<24} {:<24} {:<28} {}",
                                u.username,
                                u.display_name,
                                u.roles.to_string(),
                                if u.is_active() { "active" } else { "disabled" }
                            ));
                        }
                        Ok(out)
                    }
                }
            }
            .await;
            match result {
                Ok(message) => {
                    println!("{message}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {}", describe(e));
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Friends(FriendsCommand::Import { file }) => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let (pool, _) = open().await?;
            let tz = db::policy::get(&pool).await?.time_zone;
            let started = std::time::Instant::now();
            match services::audience::import_csv(&pool, SystemClock.now(), &Actor::cli(), bytes, tz)
                .await
            {
                Ok(r) => {
                    println!(
                        "imported {} rows in {:.1} s: {} added, {} updated",
                        r.rows,
                        started.elapsed().as_secs_f64(),
                        r.added,
                        r.updated
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::File(why)) => {
                    eprintln!("error: {why}");
                    Ok(ExitCode::from(2))
                }
                Err(ImportError::Rows { errors, total }) => {
                    eprintln!("error: nothing was imported: {total} bad rows");
                    for e in errors {
                        eprintln!("  line {}: {}", e.line, e.reason);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(ImportError::Internal(e)) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Command::Audit(AuditCommand::Verify { export: Some(file) }) => {
            let key = seal_config.read_key(&database)?;
            let reader = std::fs::File::open(&file)
                .map(std::io::BufReader::new)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            report(services::audit::verify_export(reader, &key)?, &key)
        }
        Command::Audit(AuditCommand::Verify { export: None }) => {
            let (pool, seal) = open().await?;
            report(services::audit::verify(&pool, &seal).await?, seal.key())
        }
        Command::Audit(AuditCommand::Export { output }) => {
            let (pool, seal) = open().await?;
            let now = SystemClock.now();
            let count = match &output {
                Some(path) => {
                    let mut options = std::fs::OpenOptions::new();
                    options.write(true).create(true).truncate(true);
                    // The log holds personal data: only its owner may read the file.
                    #[cfg(unix)]
                    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                    let file = options
                        .open(path)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    services::audit::export(&pool, &seal, now, &mut out).await?
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout());
                    services::audit::export(&pool, &seal, now, &mut out).await?
                }
            };
            if let Some(path) = output {
                println!(
                    "exported {count} events to {} (audit key {})",
                    path.display(),
                    seal.key().id()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
