//! The crash test: the real `sendgate` binary is killed with SIGKILL in the middle of a
//! 20,000-recipient segment release while LINE (the fake, in this process) has taken a
//! batch but not yet answered. Started again, it finishes the release, and every
//! recipient has exactly one message.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::fake_line::{DEFAULT_TOKEN, Endpoint, FakeLine, FakeLineConfig};
use crate::helpers::*;
use crate::releases::{ready, release, through_fake};

/// The app as its own process: `sendgate serve` on the test's database, sending to the fake.
struct AppProcess {
    child: Child,
}

impl AppProcess {
    fn start(database: &Path, fake: &FakeLine, log: &Path) -> AppProcess {
        let child = Command::new(env!("CARGO_BIN_EXE_sendgate"))
            .arg("serve")
            .env("SENDGATE_DATABASE", database)
            .env("SENDGATE_BIND", "127.0.0.1:0")
            .env("SENDGATE_LINE_CHANNEL_ACCESS_TOKEN", DEFAULT_TOKEN)
            .env("SENDGATE_LINE_API_BASE", fake.base_url())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log file"))
            .spawn()
            .expect("the sendgate binary starts");
        AppProcess { child }
    }

    /// SIGKILL: no shutdown hook, no batch allowed to finish.
    fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for(what: &str, log: &Path, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done().await {
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {what}; app log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_killed_mid_send_resumes_after_restart_and_everyone_gets_it_exactly_once() {
    const N: u64 = 20_000;
    let ids: Vec<String> = (1..=N).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    // Everything up to the release, through the web as people would, in this process
    // (its dispatcher is off); the app process below does the sending.
    let app = through_fake(&fake).await;
    let (client, draft) = ready(&app, N, true).await;
    assert_eq!(
        release(&app, &client, draft, "20,000").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("deliveries").await, 40);
    let testers = 2; // their test send already reached them
    let log = app.db_path.with_extension("log");
    // The app process sends by the real clock, and its send-time gate holds a release in
    // quiet hours (22:00-08:00 Tokyo): with none, the test does not depend on the hour.
    sqlx::query("UPDATE release_policy SET quiet_hours_start = '00:00', quiet_hours_end = '00:00'")
        .execute(app.pool())
        .await
        .unwrap();

    let first = AppProcess::start(&app.db_path, &fake, &log);
    wait_for("ten batches to go out", &log, async || {
        fake.users_reached() >= testers + 10 * 500
    })
    .await;
    // The next batch is taken by LINE, but its answer is held back: the kill lands
    // after LINE accepted it and before sendgate recorded it.
    let reached = fake.users_reached();
    fake.delay_next_response(Endpoint::Multicast, Duration::from_secs(30));
    wait_for("LINE to take one more batch", &log, async || {
        fake.users_reached() >= reached + 500
    })
    .await;
    first.kill();
    let state: String = sqlx::query_scalar("SELECT state FROM releases")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(state, "sending", "killed mid-release");
    assert!(
        fake.users_reached() < N as usize,
        "the kill came before the end"
    );

    let _second = AppProcess::start(&app.db_path, &fake, &log);
    wait_for("the release to finish", &log, async || {
        let state: String = sqlx::query_scalar("SELECT state FROM releases")
            .fetch_one(app.pool())
            .await
            .unwrap();
        state != "sending"
    })
    .await;

    assert_eq!(fake.users_reached(), N as usize, "nobody was skipped");
    let twice = fake.users_reached_more_than_once();
    assert_eq!(
        twice,
        vec![uid(1), uid(2)],
        "only the testers got two messages: the test send and the release"
    );
    assert!(
        fake.conflicts() >= 1,
        "the batch LINE took before the kill was resent with its key and answered 409"
    );
    // The app process swept the sessions it found expired by its own (real) clock, so
    // look at the result with a fresh sign-in.
    let viewer = app.create_user("vera", "reviewer").await;
    let viewer = app.signed_in(&viewer).await;
    let page = app.get(&viewer, "/releases/1").await;
    assert_eq!(page.status(), StatusCode::OK);
    let doc = html(page).await;
    assert_eq!(text(&doc, "#release-state"), "sent");
    assert!(
        text(&doc, "#release-batches").starts_with("40 of 40 batches sent"),
        "{}",
        text(&doc, "#release-batches")
    );
}
