//! The greeting message under a burst of new friends (issue #19): an active greeting (set
//! up through the services: written, approved by two reviewers, test-sent and confirmed,
//! activated), then `SENDGATE_BENCH_FOLLOWS` (default 1,000) signed follow webhooks over
//! real HTTP, each with a reply token the fake LINE server issued, and the greeting sender
//! answering them all through the real LINE client against the fake. Measures:
//!
//! - how long the webhook takes to answer one follow (it only queues the greeting);
//! - one greeting sender step (claim, the send-time gate, the reply, the outcome);
//! - the whole burst answered, as greetings per second (LINE wants each reply within
//!   about a minute of its follow).
//!
//! Run with `cargo bench --bench greetings`.

#[path = "../tests/fake_line/mod.rs"]
mod fake_line;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use sendgate::clock::FixedClock;
use sendgate::config::Settings;
use sendgate::db::audit::Actor;
use sendgate::domain::review::Verdict;
use sendgate::domain::roles::Roles;
use sendgate::jobs::greetings::{self, GreetingStep};
use sendgate::services::{audience, drafts, greeting, reviews, test_sends, testers, users};
use sendgate::startup::Application;

const SECRET: &str = "bench-channel-secret";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99 / 100).min(v.len() - 1)]
}

fn fail(what: &'static str) -> impl Fn(sendgate::error::AppError) -> anyhow::Error {
    move |e| anyhow::anyhow!("{what}: {e:?}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::var("SENDGATE_BENCH_FOLLOWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let fake = fake_line::FakeLine::start(fake_line::FakeLineConfig::for_benchmarks()).await;
    fake.set_rate_limits(false);
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        bind: "127.0.0.1:0".parse()?,
        database: dir.path().join("bench.db"),
        dispatcher: false,
        line_channel_access_token: Some(fake_line::DEFAULT_TOKEN.into()),
        line_channel_secret: Some(SECRET.into()),
        line_api_base: fake.base_url(),
        ..Settings::default()
    };
    // 2026-11-20 10:00 in Tokyo.
    let start = chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let clock = Arc::new(FixedClock::new(start));
    let app = Application::build(settings, clock.clone()).await?;
    let state = app.state().clone();
    let url = format!("http://{}/webhooks/line", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let pool = state.pool.clone();

    let mut ids = Vec::new();
    for (name, roles) in [
        ("mika", "marketer"),
        ("rei", "reviewer"),
        ("ren", "reviewer"),
        ("ada", "admin"),
    ] {
        ids.push(
            users::create(
                &pool,
                start,
                &Actor::cli(),
                &users::NewUserInput {
                    username: name.into(),
                    display_name: name.into(),
                    password: "benchmark password".into(),
                    roles: Roles::parse_list(roles).map_err(anyhow::Error::msg)?,
                },
            )
            .await
            .map_err(fail("a user"))?,
        );
    }
    let mika = Actor::user(ids[0], "mika");
    let tester = format!("U{:032x}", 1);
    audience::import_csv(
        &pool,
        start,
        &mika,
        format!("user_id,display_name\n{tester},Phone\n").into_bytes(),
        chrono_tz::Asia::Tokyo,
    )
    .await
    .map_err(|e| anyhow::anyhow!("import: {e:?}"))?;
    testers::add_by_admin(&pool, start, &Actor::user(ids[3], "ada"), &tester, ids[0])
        .await
        .map_err(fail("the tester"))?;
    let draft = greeting::create_draft(
        &pool,
        start,
        &mika,
        "Welcome",
        "友だち追加ありがとうございます！",
    )
    .await
    .map_err(fail("the greeting"))?;
    drafts::submit(&pool, start, &mika, draft)
        .await
        .map_err(fail("submit"))?;
    for id in [ids[1], ids[2]] {
        let row = sendgate::db::users::find(&pool, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("reviewer"))?;
        reviews::record(&pool, start, &row, draft, 1, Verdict::Approve, "")
            .await
            .map_err(fail("approve"))?;
    }
    let test = test_sends::send(&state, start, &mika, draft, "bench-click")
        .await
        .map_err(fail("test send"))?;
    test_sends::confirm(&state, start, &mika, draft, test)
        .await
        .map_err(fail("confirm"))?;
    greeting::activate(
        &state,
        start,
        &mika,
        draft,
        &greeting::ActivationRequest {
            typed_name: state.settings.account_name.clone(),
            read_warning: true,
            acknowledged_warnings: Vec::new(),
        },
    )
    .await
    .map_err(fail("activate"))?
    .map_err(|r| anyhow::anyhow!("activation refused: {:?}", r.failing().collect::<Vec<_>>()))?;

    println!("sendgate greeting benchmark: {n} new friends follow at once");
    let client = reqwest::Client::new();
    let mut webhook = Vec::new();
    for i in 0..n {
        let user = format!("U{:032x}", 0x9000_0000 + i);
        let token = fake.issue_reply_token(&user);
        let body = serde_json::json!({
            "destination": "U00000000000000000000000000000000",
            "events": [{
                "type": "follow", "mode": "active",
                "timestamp": start.timestamp_millis(),
                "webhookEventId": format!("01BENCH{i:08}"),
                "deliveryContext": { "isRedelivery": false },
                "source": { "type": "user", "userId": user },
                "replyToken": token,
                "follow": { "isUnblocked": false }
            }]
        })
        .to_string();
        let signature = sendgate::domain::audience::sign(SECRET, body.as_bytes());
        let t = Instant::now();
        let r = client
            .post(&url)
            .header("x-line-signature", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        webhook.push(t.elapsed());
        anyhow::ensure!(r.status().is_success(), "webhook answered {}", r.status());
    }
    println!(
        "  webhook, one follow queued: median {:.2} ms, p99 {:.2} ms",
        median(webhook.clone()).as_secs_f64() * 1e3,
        p99(webhook).as_secs_f64() * 1e3
    );

    let mut steps = Vec::new();
    let burst = Instant::now();
    let mut replied = 0;
    loop {
        let t = Instant::now();
        match greetings::send_next(&state).await? {
            GreetingStep::Idle => break,
            GreetingStep::Replied(_) => replied += 1,
            other => anyhow::bail!("a greeting was not replied: {other:?}"),
        }
        steps.push(t.elapsed());
    }
    let total = burst.elapsed();
    anyhow::ensure!(replied == n, "{replied} of {n} replied");
    anyhow::ensure!(
        fake.requests_to(fake_line::Endpoint::Reply) == n,
        "the fake took {} replies",
        fake.requests_to(fake_line::Endpoint::Reply)
    );
    println!(
        "  one greeting (claim, send-time gate, reply, outcome): median {:.2} ms, p99 {:.2} ms",
        median(steps.clone()).as_secs_f64() * 1e3,
        p99(steps).as_secs_f64() * 1e3
    );
    println!(
        "  {n} greetings answered in {:.2} s ({:.0} per second)",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    Ok(())
}
