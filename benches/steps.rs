//! Step scenarios at scale (issue #7). With 1,000,000 friends in an active scenario of 5
//! steps (entered over the last 30 days), measures:
//!
//! - finding and queuing the due (friend, step) pairs for one minute (target: median under
//!   100 ms), over 30 ordinary minutes, and separately the minute when a day-N step fires
//!   for a whole day's followers at once;
//! - sending 100,000 due messages to the fake LINE server over real HTTP, rate limits off
//!   (target: under 10 s).
//!
//! Run with `cargo bench --bench steps` (`SENDGATE_BENCH_FRIENDS` changes the size).
//! The scenario is made live directly in SQL (with the approvals and test sends the
//! send-time gate asks each step for): the activation gate is tested in tests/api.

#[path = "../tests/fake_line/mod.rs"]
mod fake_line;
#[path = "support/gate_facts.rs"]
mod gate_facts;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use sendgate::clock::FixedClock;
use sendgate::config::Settings;
use sendgate::db::audit::Actor;
use sendgate::domain::roles::Roles;
use sendgate::jobs::steps::{self as step_dispatcher, StepSend};
use sendgate::services::scenarios::{self, StepInput};
use sendgate::services::users;
use sendgate::startup::Application;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: i64 = std::env::var("SENDGATE_BENCH_FRIENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let fake = fake_line::FakeLine::start(fake_line::FakeLineConfig::for_benchmarks()).await;
    fake.set_rate_limits(false);
    let dir = tempfile::tempdir()?;
    let base = fake.base_url();
    let settings = Settings {
        bind: "127.0.0.1:0".parse()?,
        database: dir.path().join("bench.db"),
        dispatcher: false,
        line_channel_access_token: Some(fake_line::DEFAULT_TOKEN.into()),
        line_api_base: base,
        ..Settings::default()
    };
    // 2026-11-20 09:30 in Tokyo.
    let start = chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let clock = Arc::new(FixedClock::new(start));
    let app = Application::build(settings, clock.clone()).await?;
    let state = app.state().clone();
    let pool = state.pool.clone();
    let t0 = start.timestamp();

    println!("sendgate step benchmark: {n} friends in a 5-step scenario");
    let t = Instant::now();
    let span = 30 * 86_400;
    sqlx::query(
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
         INSERT INTO friends (user_id, followed_at, updated_at)
         SELECT 'U' || printf('%032x', i), ?2 - (i * ?3) / ?1, '2026-11-20T00:00:00Z' FROM k",
    )
    .bind(n)
    .bind(t0)
    .bind(span)
    .execute(&pool)
    .await?;
    println!("  setup: {n} friends in {:.1} s", t.elapsed().as_secs_f64());

    let marketer = users::create(
        &pool,
        start,
        &Actor::cli(),
        &users::NewUserInput {
            username: "bench".into(),
            display_name: "Bench".into(),
            password: "benchmark password".into(),
            roles: Roles::parse_list("marketer").map_err(anyhow::Error::msg)?,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = Actor::user(marketer, "bench");
    let scenario = scenarios::create(&state, start, &actor, "Welcome", "first_add")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (days, minutes, at) in [
        ("0", "0", ""),
        ("1", "", "10:00"),
        ("3", "", "12:00"),
        ("7", "", "19:00"),
        ("14", "", "20:00"),
    ] {
        scenarios::add_step(
            &state,
            start,
            &actor,
            scenario,
            &StepInput {
                delay_days: days.into(),
                delay_minutes: minutes.into(),
                delay_at: at.into(),
                title: format!("Day {days}"),
                text: format!("Welcome, day {days}"),
                segment_id: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // What the send-time gate asks of each step when it is handed to LINE: two approvals
    // by reviewers who did not write it and a confirmed test send of its revision.
    let mut reviewers = Vec::new();
    for name in ["rei", "ren"] {
        reviewers.push(
            users::create(
                &pool,
                start,
                &Actor::cli(),
                &users::NewUserInput {
                    username: name.into(),
                    display_name: name.into(),
                    password: "benchmark password".into(),
                    roles: Roles::parse_list("reviewer").map_err(anyhow::Error::msg)?,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    let step_drafts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT r.draft_id, r.content_hash FROM scenario_steps s
         JOIN revisions r ON r.draft_id = s.draft_id AND r.number = 1 WHERE s.scenario_id = ?",
    )
    .bind(scenario)
    .fetch_all(&pool)
    .await?;
    let mut conn = pool.acquire().await?;
    for (draft, hash) in &step_drafts {
        gate_facts::approve_and_test(
            &mut conn,
            *draft,
            hash,
            marketer,
            [reviewers[0], reviewers[1]],
            start,
        )
        .await?;
    }
    drop(conn);
    // Live as if activated a month ago, everyone entered when they followed (Tokyo has no
    // daylight saving, so the local day is a fixed offset).
    sqlx::query("UPDATE scenarios SET state = 'active' WHERE id = ?")
        .bind(scenario)
        .execute(&pool)
        .await?;
    sqlx::query(
        "UPDATE scenario_steps SET live_revision = 1, scanned_until = ? WHERE scenario_id = ?",
    )
    .bind(t0 - 60)
    .bind(scenario)
    .execute(&pool)
    .await?;
    let t = Instant::now();
    sqlx::query(
        "INSERT INTO scenario_enrollments (scenario_id, friend_id, round, enrolled_at, local_day)
         SELECT ?, id, 1, followed_at, (followed_at + 32400) / 86400 FROM friends",
    )
    .bind(scenario)
    .execute(&pool)
    .await?;
    println!(
        "  setup: {n} enrollments in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // 30 ordinary minutes, 09:30 to 09:59 JST.
    let mut times = Vec::new();
    let mut queued = 0;
    for _ in 0..30 {
        let t = Instant::now();
        queued += step_dispatcher::queue_due(&state).await?;
        times.push(t.elapsed());
        clock.advance(chrono::Duration::minutes(1));
    }
    println!(
        "  due pairs for one minute: median {:.1} ms over 30 minutes, {queued} pairs queued [target < 100 ms]",
        median(times).as_secs_f64() * 1e3
    );
    // 10:00 JST: day 1 fires for everyone who followed yesterday.
    let t = Instant::now();
    let peak = step_dispatcher::queue_due(&state).await?;
    println!(
        "  due pairs at 10:00 JST (day 1 for a whole day's followers): {:.1} ms, {peak} pairs queued",
        t.elapsed().as_secs_f64() * 1e3
    );

    // 100,000 due messages: the rows as the dispatcher writes them, 500 per minute.
    let already: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM step_deliveries WHERE state = 'pending'")
            .fetch_one(&pool)
            .await?;
    let extra = (100_000 - already).max(0);
    let step: i64 =
        sqlx::query_scalar("SELECT id FROM scenario_steps WHERE scenario_id = ? AND position = 5")
            .bind(scenario)
            .fetch_one(&pool)
            .await?;
    let now = clock_now(&clock);
    sqlx::query(
        "INSERT INTO step_deliveries (step_id, friend_id, round, due_at, revision_number, retry_key, state)
         SELECT ?1, id, 1, ?2 - (id % 200) * 60, 1, lower(hex(randomblob(16))), 'pending'
         FROM friends WHERE id <= ?3",
    )
    .bind(step)
    .bind(now)
    .bind(extra)
    .execute(&pool)
    .await?;
    // What one multicast of 500 costs at the provider alone (fake LINE over HTTP).
    let mut provider = Vec::new();
    for _ in 0..10 {
        let batch = sendgate::delivery::Batch {
            audience: sendgate::delivery::Audience::Multicast {
                to: (1..=500)
                    .map(|i| format!("U{:032x}", 2_000_000 + i))
                    .collect(),
            },
            messages: vec![serde_json::json!({ "type": "text", "text": "probe" })],
            notification_disabled: false,
            retry_key: uuid::Uuid::new_v4(),
            aggregation_unit: None,
        };
        let t = Instant::now();
        state.provider.send(&batch).await?;
        provider.push(t.elapsed());
    }
    println!(
        "  one multicast of 500 at the fake LINE server alone: median {:.1} ms",
        median(provider).as_secs_f64() * 1e3
    );
    let t = Instant::now();
    step_dispatcher::queue_due(&state).await?;
    println!(
        "  queue_due with nothing new due: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let mut sent = 0usize;
    let mut calls = 0;
    loop {
        // The rows are queued; each step here claims one group and sends it.
        match step_dispatcher::send_next(&state).await? {
            StepSend::Idle => break,
            StepSend::Sent { recipients, .. } => {
                sent += recipients;
                calls += 1;
            }
            other => anyhow::bail!("unexpected {other:?}"),
        }
    }
    let took = t.elapsed();
    println!(
        "  sending {sent} due messages in {calls} calls to the fake LINE server: {:.2} s [target < 10 s]; LINE counted {} deliveries",
        took.as_secs_f64(),
        fake.total_deliveries()
    );
    Ok(())
}

fn clock_now(clock: &FixedClock) -> i64 {
    use sendgate::clock::Clock;
    clock.now().timestamp()
}
