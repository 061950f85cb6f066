//! Audience at scale (issue: audience and the audience preview). With 1,000,000 friends and
//! a segment of two tag conditions and a follow-date condition, measures:
//!
//! - importing the 1,000,000-row CSV (target: under 60 s),
//! - the segment's live count (target: median under 150 ms),
//! - a full audience preview with its frozen snapshot (target: under 2 s),
//! - the process's peak resident memory (target: under 300 MB).
//!
//! Run with `cargo bench --bench audience` (`SENDGATE_BENCH_FRIENDS` changes the size).
//! Everything runs against a real SQLite file through the same services the app uses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sendgate::clock::{Clock, SystemClock};
use sendgate::config::Settings;
use sendgate::db::{self, audit::Actor};
use sendgate::domain::audience::SegmentInput;
use sendgate::domain::roles::Roles;
use sendgate::services::{audience, drafts, previews, users};
use sendgate::startup::Application;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
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

/// Resets the kernel's peak-RSS mark, so the next phase is measured on its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A deterministic population: 10 % vip, 5 % churned, 30 % tokyo, follow dates spread
/// over two years.
fn csv(n: u64, now: i64) -> Vec<u8> {
    let mut s = String::with_capacity(n as usize * 80);
    s.push_str("user_id,display_name,tags,followed_at,attr:plan\n");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut tags = Vec::new();
        if x.is_multiple_of(10) {
            tags.push("vip");
        }
        if (x >> 8).is_multiple_of(20) {
            tags.push("churned");
        }
        if (x >> 16) % 10 < 3 {
            tags.push("tokyo");
        }
        let followed = now - ((x >> 24) % (730 * 86_400)) as i64;
        let at = chrono::DateTime::from_timestamp(followed, 0)
            .unwrap()
            .to_rfc3339();
        s.push_str(&format!(
            "U{i:032x},Friend {i},{},{at},{}\n",
            tags.join("|"),
            if x.is_multiple_of(3) { "gold" } else { "free" }
        ));
    }
    s.into_bytes()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::var("SENDGATE_BENCH_FRIENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        bind: "127.0.0.1:0".parse()?,
        database: dir.path().join("bench.db"),
        ..Settings::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let app = Application::build(settings, clock.clone()).await?;
    let state = app.state().clone();
    let pool = state.pool.clone();
    let now = clock.now();
    let tz = db::policy::get(&pool).await?.time_zone;

    println!("sendgate audience benchmark: {n} friends");
    let file = csv(n, now.timestamp());
    println!("  CSV size: {:.1} MB", file.len() as f64 / 1e6);
    let t = Instant::now();
    let report = audience::import_csv(&pool, now, &Actor::cli(), file, tz)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let import = t.elapsed();
    println!(
        "  import: {:.1} s for {} rows ({} added) [target < 60 s]",
        import.as_secs_f64(),
        report.rows,
        report.added
    );
    println!("  peak RSS during the import: {:.0} MB", peak_rss_mb());
    reset_peak_rss();

    let marketer = users::create(
        &pool,
        now,
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
    let input = SegmentInput {
        name: "VIP recent".into(),
        tags_any: "vip".into(),
        tags_none: "churned".into(),
        followed_op: "within_days".into(),
        followed_value: "90".into(),
        ..Default::default()
    };
    let segment = audience::save_segment(&pool, now, &actor, None, &input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rules = input.parse_rules().map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let mut counts = Vec::new();
    let mut matched = 0;
    for _ in 0..30 {
        let t = Instant::now();
        matched =
            db::friends::segment_count(&pool, &rules, rules.follow_window(clock.now(), tz)).await?;
        counts.push(t.elapsed());
    }
    println!(
        "  live count (vip, not churned, followed in 90 days): median {:.1} ms over 30 runs, {matched} match [target < 150 ms]",
        median(counts).as_secs_f64() * 1e3
    );

    let draft_input = drafts::DraftInput {
        kind: "segment".into(),
        title: "VIP sale".into(),
        segment_id: Some(segment),
        messages: vec![sendgate::domain::message::MessageInput::text(
            "VIP only: 30% off",
        )],
        ..Default::default()
    };
    let content = drafts::parse_input(&pool, &draft_input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let draft = drafts::create(&pool, now, &actor, &content)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut takes = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        previews::take(&state, clock.now(), &actor, draft)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        takes.push(t.elapsed());
    }
    println!(
        "  full preview with snapshot of {matched} recipients: median {:.2} s over 5 runs [target < 2 s]",
        median(takes).as_secs_f64()
    );
    println!(
        "  peak RSS during counts and previews: {:.0} MB [target < 300 MB]",
        peak_rss_mb()
    );
    Ok(())
}
