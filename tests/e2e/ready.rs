//! Drafts brought through the gate by the services themselves (no browser), for the
//! browser tests that start where the gate is already green (issue #16: the phone, the
//! accessibility scan).

use sendgate::db;
use sendgate::db::audit::Actor;
use sendgate::domain::message::MessageInput;
use sendgate::domain::review::Verdict;
use sendgate::services::drafts::{self, DraftInput};
use sendgate::services::{previews, releases, reviews, test_sends};

use crate::harness::*;

/// The people of a team: a marketer whose phone is the tester, two reviewers, an admin,
/// and `all`, who holds every role (to open every page in one session).
pub struct Team {
    pub marketer: i64,
    pub reviewers: [i64; 2],
    pub friends: usize,
}

pub async fn team(app: &App) -> Team {
    let admin = app.user("aki", "管理者 明", "admin").await;
    let marketer = app.user("mika", "佐藤 美香", "marketer").await;
    let rei = app.user("rei", "鈴木 玲", "reviewer").await;
    let ren = app.user("ren", "高橋 蓮", "reviewer").await;
    app.user("all", "全部 任せ", "admin,marketer,reviewer")
        .await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=6u64 {
        let tags = if i <= 3 { "vip" } else { "new" };
        csv.push_str(&format!("U{i:032x},お客様 {i},{tags}\n"));
    }
    app.friends(&csv).await;
    app.tester(&format!("U{:032x}", 1), marketer, (admin, "aki"))
        .await;
    app.segment((marketer, "mika"), "VIP", "vip").await;
    Team {
        marketer,
        reviewers: [rei, ren],
        friends: 6,
    }
}

/// How far a draft goes through the gate.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Submitted, one approval, a test sent but not confirmed.
    HalfWay,
    /// Two approvals, a confirmed test send, an acknowledged preview: ready to release.
    Ready,
}

/// A broadcast draft by the marketer, brought to `stage`; returns its id.
pub async fn draft(app: &App, t: &Team, title: &str, text: &str, stage: Stage) -> i64 {
    let pool = &app.state.pool;
    let now = app.now();
    let mika = Actor::user(t.marketer, "mika");
    let content = drafts::parse_input(
        pool,
        &DraftInput {
            kind: "broadcast".into(),
            title: title.into(),
            messages: vec![MessageInput::text(text)],
            ..DraftInput::default()
        },
    )
    .await
    .expect("valid draft");
    let id = drafts::create(pool, now, &mika, &content)
        .await
        .expect("draft created");
    drafts::submit(pool, now, &mika, id)
        .await
        .expect("submitted");
    let approvals = if stage == Stage::Ready { 2 } else { 1 };
    for reviewer in &t.reviewers[..approvals] {
        let row = db::users::find(pool, *reviewer)
            .await
            .unwrap()
            .expect("reviewer");
        reviews::record(pool, now, &row, id, 1, Verdict::Approve, "")
            .await
            .expect("approved");
    }
    let test = test_sends::send(&app.state, now, &mika, id, &format!("click-{id}"))
        .await
        .expect("test sent");
    if stage == Stage::Ready {
        test_sends::confirm(&app.state, now, &mika, id, test)
            .await
            .expect("test confirmed");
        let p = previews::take(&app.state, now, &mika, id)
            .await
            .expect("preview taken");
        previews::acknowledge(&app.state, now, &mika, id, p)
            .await
            .expect("preview acknowledged");
    }
    id
}

/// Releases a ready draft as the marketer; returns the release id.
pub async fn release(app: &App, t: &Team, id: i64) -> i64 {
    releases::release(
        &app.state,
        app.now(),
        &Actor::user(t.marketer, "mika"),
        id,
        &releases::ReleaseRequest {
            typed_phrase: t.friends.to_string(),
            read_warning: true,
            acknowledged_warnings: Vec::new(),
        },
    )
    .await
    .expect("release ran")
    .unwrap_or_else(|report| panic!("the gate was red: {report:?}"))
}

/// Customers (not testers) the sandbox delivered a message to.
pub async fn customers_reached(app: &App) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id
         WHERE b.method <> 'push'",
    )
    .fetch_one(&app.state.pool)
    .await
    .unwrap()
}

/// The top of the first element matching `css`, in page coordinates.
pub async fn top(p: &Person, css: &str) -> anyhow::Result<f64> {
    p.el(css).await?;
    let v = p
        .web
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return r.top + window.scrollY;",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(v.convert::<f64>()?)
}
