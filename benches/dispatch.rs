//! Dispatch at scale (issue: delivery). A 1,000,000-recipient segment release goes through
//! the real dispatcher (its workers, pacing and retry keys) and the real LINE client to the
//! fake LINE server over HTTP on loopback. Measures:
//!
//! - recipients per second with the fake enforcing no rate limit (target: at least 50,000/s),
//! - the same release with the fake enforcing multicast's 200 requests per second (target:
//!   no more than 5 % over the 10 s that limit allows for 2,000 requests),
//! - the process's resident memory while sending (target: flat; the snapshot is read one
//!   batch at a time, never loaded whole).
//!
//! Run with `cargo bench --bench dispatch` (`SENDGATE_BENCH_RECIPIENTS` changes the size,
//! `SENDGATE_BENCH_RUNS` the runs per mode). The release rows are written directly, with the
//! approvals, test send and acknowledged preview the send-time gate asks for when the
//! dispatcher starts the release; the gate and the sending are the app's own.

#[path = "../tests/fake_line/mod.rs"]
mod fake_line;
#[path = "support/gate_facts.rs"]
mod gate_facts;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use sendgate::clock::{Clock, SystemClock};
use sendgate::config::Settings;
use sendgate::db::{self, audit::Actor};
use sendgate::domain::audience::SegmentInput;
use sendgate::domain::roles::Roles;
use sendgate::services::{audience, drafts, users};
use sendgate::startup::Application;
use sqlx::SqlitePool;

use fake_line::{DEFAULT_TOKEN, FakeLine, FakeLineConfig};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A segment draft and a release of it to `n` recipients, in the state the release
/// service leaves it: a frozen snapshot and one delivery row per 500 ids, each with its
/// retry key. Scheduled in the far future, so the dispatcher leaves it until `start`.
async fn seed_release(
    pool: &SqlitePool,
    actor: &Actor,
    user: i64,
    reviewers: [i64; 2],
    segment: i64,
    n: u64,
) -> anyhow::Result<i64> {
    let now = Utc::now();
    let input = drafts::DraftInput {
        kind: "segment".into(),
        title: "冬のセール".into(),
        segment_id: Some(segment),
        messages: vec![sendgate::domain::message::MessageInput::text(
            "冬のセール開催中！全品20%オフ",
        )],
        ..Default::default()
    };
    let content = drafts::parse_input(pool, &input).await.map_err(err)?;
    let draft = drafts::create(pool, now, actor, &content)
        .await
        .map_err(err)?;
    let hash = content.content_hash().to_string();
    let n = n as i64;
    let mut tx = db::begin_write(pool).await?;
    let preview: i64 = sqlx::query_scalar(
        "INSERT INTO previews (draft_id, revision_number, content_hash, kind, recipient_count,
                               friend_count, snapshot_hash, sample, taken_by, taken_at)
         VALUES (?, 1, ?, 'segment', ?, ?, 'bench', '[]', ?, ?) RETURNING id",
    )
    .bind(draft)
    .bind(&hash)
    .bind(n)
    .bind(n)
    .bind(user)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
         INSERT INTO preview_recipients (preview_id, user_id)
         SELECT ?, printf('U%032x', n) FROM i",
    )
    .bind(n)
    .bind(preview)
    .execute(&mut *tx)
    .await?;
    let release = db::releases::insert(
        &mut *tx,
        &db::releases::NewRelease {
            draft_id: draft,
            revision_number: 1,
            content_hash: &hash,
            kind: "segment",
            preview_id: Some(preview),
            snapshot_hash: Some("bench"),
            recipients: n,
            approvers: "[]",
            released_by: user,
            typed_phrase: "bench",
            send_at: now + chrono::Duration::days(365),
            acknowledged_warnings: "[]",
            timing: "at",
        },
        now,
    )
    .await?;
    // What the send-time gate asks when the dispatcher starts it: two approvals by
    // reviewers who did not write it, a confirmed test send, the preview acknowledged.
    gate_facts::approve_and_test(&mut tx, draft, &hash, user, reviewers, now).await?;
    sqlx::query("UPDATE previews SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?")
        .bind(user)
        .bind(now)
        .bind(preview)
        .execute(&mut *tx)
        .await?;
    db::drafts::set_state(&mut *tx, draft, "scheduled", now).await?;
    let mut seq = 0;
    let mut first = 1;
    while first <= n {
        let last = (first + 499).min(n);
        seq += 1;
        db::releases::insert_delivery(
            &mut *tx,
            release,
            seq,
            "multicast",
            Some(&format!("U{first:032x}")),
            Some(&format!("U{last:032x}")),
            last - first + 1,
            &uuid::Uuid::new_v4().to_string(),
        )
        .await?;
        first = last + 1;
    }
    tx.commit().await?;
    Ok(release)
}

/// Lets the release go now and waits for the dispatcher to finish it. Returns the time
/// taken and the resident memory seen while it ran (min, max).
async fn send(pool: &SqlitePool, release: i64) -> anyhow::Result<(Duration, f64, f64)> {
    sqlx::query("UPDATE releases SET send_at = ? WHERE id = ?")
        .bind(Utc::now())
        .bind(release)
        .execute(pool)
        .await?;
    let started = Instant::now();
    let (mut low, mut high) = (f64::MAX, 0f64);
    loop {
        let state: String = sqlx::query_scalar("SELECT state FROM releases WHERE id = ?")
            .bind(release)
            .fetch_one(pool)
            .await?;
        let rss = rss_mb("VmRSS:");
        low = low.min(rss);
        high = high.max(rss);
        match state.as_str() {
            "sent" => return Ok((started.elapsed(), low, high)),
            "failed" => anyhow::bail!("release {release} failed"),
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::var("SENDGATE_BENCH_RECIPIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("SENDGATE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let fake = FakeLine::start(FakeLineConfig::for_benchmarks()).await;
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        bind: "127.0.0.1:0".parse()?,
        database: dir.path().join("bench.db"),
        line_channel_access_token: Some(DEFAULT_TOKEN.into()),
        line_api_base: fake.base_url(),
        dispatcher: true,
        ..Settings::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let app = Application::build(settings, clock.clone()).await?;
    let pool = app.state().pool.clone();
    let now = clock.now();
    let user = users::create(
        &pool,
        now,
        &Actor::cli(),
        &users::NewUserInput {
            username: "bench".into(),
            display_name: "Bench".into(),
            password: "benchmark password".into(),
            roles: Roles::parse_list("marketer").map_err(err)?,
        },
    )
    .await
    .map_err(err)?;
    let actor = Actor::user(user, "bench");
    let mut reviewers = [0; 2];
    for (i, name) in ["rei", "ren"].into_iter().enumerate() {
        reviewers[i] = users::create(
            &pool,
            now,
            &Actor::cli(),
            &users::NewUserInput {
                username: name.into(),
                display_name: name.into(),
                password: "benchmark password".into(),
                roles: Roles::parse_list("reviewer").map_err(err)?,
            },
        )
        .await
        .map_err(err)?;
    }
    // The benchmark runs whatever the hour: no quiet hours in its account.
    sqlx::query("UPDATE release_policy SET quiet_hours_start = '00:00', quiet_hours_end = '00:00'")
        .execute(&pool)
        .await?;
    let segment = audience::save_segment(
        &pool,
        now,
        &actor,
        None,
        &SegmentInput {
            name: "VIP".into(),
            tags_any: "vip".into(),
            ..Default::default()
        },
    )
    .await
    .map_err(err)?;
    tokio::spawn(app.run_until(std::future::pending()));

    println!(
        "sendgate dispatch benchmark: {n} recipients in {} multicast batches, {runs} runs per mode",
        n.div_ceil(500)
    );
    for (label, limits) in [
        ("fake without rate limit", false),
        ("fake at 200 multicast/s", true),
    ] {
        fake.set_rate_limits(limits);
        let mut times = Vec::new();
        for run in 0..runs {
            let release = seed_release(&pool, &actor, user, reviewers, segment, n).await?;
            // Let the fake's bucket fill again between runs, as a quiet account's would.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let before = rss_mb("VmRSS:");
            let (took, low, high) = send(&pool, release).await?;
            println!(
                "  {label}, run {}: {:.2} s, {:.0} recipients/s; RSS {before:.0} MB before, {low:.0}-{high:.0} MB while sending",
                run + 1,
                took.as_secs_f64(),
                n as f64 / took.as_secs_f64()
            );
            times.push(took.as_secs_f64());
        }
        let m = median(times);
        println!(
            "  {label}: median {m:.2} s = {:.0} recipients/s",
            n as f64 / m
        );
    }
    println!(
        "  requests to the fake: {}, 429s answered: {}",
        fake.requests_to(fake_line::Endpoint::Multicast),
        fake.rate_limited()
    );
    println!(
        "  peak RSS of the whole process: {:.0} MB",
        rss_mb("VmHWM:")
    );
    Ok(())
}
