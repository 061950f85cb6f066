//! Sign-in under a flood (issue #18): the server's memory stays under 200 MB while 200
//! sign-ins arrive at once, because only a few argon2 checks (about 19 MB each) run at a
//! time and throttled attempts are refused before any is checked.
//!
//! A driver, not a micro-benchmark:
//!
//! 1. builds the release binary (`cargo build --release --bin sendgate`),
//! 2. creates 200 users in a fresh SQLite file through the library,
//! 3. starts `target/release/sendgate serve` as a child process, so its memory is measured
//!    alone from `/proc/<pid>/status` (VmHWM is the peak resident set),
//! 4. sends four floods, each all at once from its own client connections, and prints per
//!    flood the answers, the median and worst latency, and the server's peak memory:
//!    - 200 right passwords of 200 users, each from its own address (127.0.0.x): every
//!      one is checked;
//!    - 200 wrong passwords of 200 unknown names from 200 addresses: every one is checked
//!      against the dummy hash, the most argon2 work a flood can cause;
//!    - 200 wrong passwords for one account from one address: counted before checking, so
//!      only 5 are checked and the rest are refused at once;
//!    - 20 sign-ins with a 2 MB user name: refused by the body limit (413, or the
//!      connection closed before the client finished sending); the database file does
//!      not grow.
//!
//! Run with `cargo bench --bench signin`. `SENDGATE_BENCH_BINARY` reuses a built binary.
//! All traffic goes to 127.0.0.0/8.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use sendgate::db::audit::Actor;
use sendgate::db::seal::SealConfig;
use sendgate::domain::roles::Roles;
use sendgate::services::users::{self, NewUserInput};

const USERS: usize = 200;
const FLOOD: usize = 200;
const PASSWORD: &str = "bench password, long enough";
const LIMIT_MB: f64 = 200.0;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn build_release_binary() -> PathBuf {
    if let Some(binary) = std::env::var_os("SENDGATE_BENCH_BINARY") {
        return PathBuf::from(binary);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "sendgate"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the release build failed");
    target_dir().join("release").join("sendgate")
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn peak_mb(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(binary: &Path, database: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .arg("--database")
        .arg(database)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .env_remove("SENDGATE_AUDIT_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/healthz", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer /healthz");
}

/// A client of its own, connecting from 127.0.0.`n`.
fn client_from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::from([127, 0, 0, n]))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

struct Outcome {
    statuses: Vec<(u16, usize)>,
    median: Duration,
    worst: Duration,
    wall: Duration,
}

/// Sends every sign-in at once; one client (connection) per sign-in.
async fn flood(server: &Server, attempts: Vec<(reqwest::Client, String, String)>) -> Outcome {
    let started = Instant::now();
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|(client, name, password)| {
            let url = format!("{}/login", server.base);
            tokio::spawn(async move {
                let t = Instant::now();
                let status = client
                    .post(url)
                    .form(&[("username", name.as_str()), ("password", password.as_str())])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                (status, t.elapsed())
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let wall = started.elapsed();
    let mut times: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    times.sort();
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    for (s, _) in &results {
        match statuses.iter_mut().find(|(k, _)| k == s) {
            Some((_, n)) => *n += 1,
            None => statuses.push((*s, 1)),
        }
    }
    statuses.sort();
    Outcome {
        statuses,
        median: times[times.len() / 2],
        worst: *times.last().unwrap(),
        wall,
    }
}

fn report(name: &str, o: &Outcome, peak: f64) {
    let answers = o
        .statuses
        .iter()
        // 0: the server refused and closed the connection before the client finished
        // sending (a body over the limit is not read to its end).
        .map(|(s, n)| match s {
            0 => format!("{n}×closed"),
            s => format!("{n}×{s}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{name:<44} {answers:<22} median {:>6.0} ms  worst {:>6.0} ms  all in {:>5.1} s  peak memory {peak:>6.1} MB {}",
        o.median.as_secs_f64() * 1000.0,
        o.worst.as_secs_f64() * 1000.0,
        o.wall.as_secs_f64(),
        if peak < LIMIT_MB {
            "(under 200 MB)"
        } else {
            "(OVER 200 MB)"
        }
    );
}

fn database_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = build_release_binary();
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("signin.db");
    let seeding = Instant::now();
    {
        let (pool, _) =
            sendgate::startup::open_database(&database, &SealConfig::default(), Utc::now()).await?;
        for i in 0..USERS {
            users::create(
                &pool,
                Utc::now(),
                &Actor::cli(),
                &NewUserInput {
                    username: format!("user{i:03}"),
                    display_name: String::new(),
                    password: PASSWORD.into(),
                    roles: Roles::parse_list("reviewer").unwrap(),
                },
            )
            .await?;
        }
        pool.close().await;
    }
    println!(
        "{USERS} users created in {:.1} s; server: {}",
        seeding.elapsed().as_secs_f64(),
        binary.display()
    );
    let server = start(&binary, &database).await;
    println!("idle server: peak memory {:.1} MB", server.peak_mb());

    let right = (0..FLOOD)
        .map(|i| {
            (
                client_from(2 + i as u8),
                format!("user{i:03}"),
                PASSWORD.to_string(),
            )
        })
        .collect();
    let o = flood(&server, right).await;
    report(
        "200 right passwords, 200 users, 200 addresses",
        &o,
        server.peak_mb(),
    );

    let unknown = (0..FLOOD)
        .map(|i| {
            (
                client_from(2 + i as u8),
                format!("nobody{i:03}"),
                "wrong".to_string(),
            )
        })
        .collect();
    let o = flood(&server, unknown).await;
    report("200 unknown names, 200 addresses", &o, server.peak_mb());

    let one = (0..FLOOD)
        .map(|_| (client_from(250), "user000".to_string(), "wrong".to_string()))
        .collect();
    let o = flood(&server, one).await;
    report(
        "200 wrong passwords, one account, one address",
        &o,
        server.peak_mb(),
    );

    let before = database_bytes(&database);
    let huge = "x".repeat(2_000_000);
    let big = (0..20)
        .map(|i| {
            (
                client_from(240 + (i % 5) as u8),
                huge.clone(),
                "guess".to_string(),
            )
        })
        .collect();
    let o = flood(&server, big).await;
    report("20 sign-ins with a 2 MB user name", &o, server.peak_mb());
    println!(
        "database grew by {} KB during the 2 MB flood",
        (database_bytes(&database).saturating_sub(before)) / 1024
    );
    let peak = server.peak_mb();
    println!(
        "peak memory over every flood: {peak:.1} MB (limit {LIMIT_MB} MB): {}",
        if peak < LIMIT_MB { "ok" } else { "TOO HIGH" }
    );
    Ok(())
}
