//! The gate holds until LINE accepts (issue #15): every path to a customer is asked again at
//! the moment it hands a message to LINE. Also the release path around it (issue #16): the
//! undo window, quiet hours without a new revision, and a wrong typed count that keeps
//! the form. Each test drives the real server; time moves only by the test clock.

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Client, StatusCode};

use crate::fake_line::{Endpoint, FakeLine, FakeLineConfig, FakeQuota, MONTHLY_LIMIT_MESSAGE};
use crate::helpers::*;
use crate::releases::{release, through_fake};

/// A marketer (mika, whose phone uid(1) is the paired tester), `reviewers` reviewers
/// (rei, ren, rin, ...), an admin (ada), `friends` friends tagged vip and a "VIP" segment.
pub(crate) struct Team {
    pub(crate) mika: Client,
    pub(crate) reviewers: Vec<(TestUser, Client)>,
    pub(crate) admin: Client,
}

pub(crate) async fn team(app: &TestApp, friends: u64, reviewers: usize) -> Team {
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=friends {
        csv.push_str(&format!("{},Friend {i},vip\n", uid(i)));
    }
    assert_eq!(
        app.import_csv(&mika, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    app.pair_phone(&mika, &uid(1)).await;
    app.post(&mika, "/segments", &[("name", "VIP"), ("tags_any", "vip")])
        .await;
    let mut list = Vec::new();
    for name in ["rei", "ren", "rin", "ryo"].into_iter().take(reviewers) {
        let u = app.create_user(name, "reviewer").await;
        let c = app.signed_in(&u).await;
        list.push((u, c));
    }
    let a = app.create_user("ada", "admin").await;
    Team {
        admin: app.signed_in(&a).await,
        mika,
        reviewers: list,
    }
}

/// A draft through the whole gate but the release itself: `kind` broadcast or segment
/// (the VIP segment), an optional send time (`YYYY-MM-DDTHH:MM` in Tokyo), approved by the
/// first `approvals` reviewers, test-sent and confirmed, previewed and acknowledged.
pub(crate) async fn ready_draft(
    app: &TestApp,
    t: &Team,
    kind: &str,
    text_body: &str,
    send_at: Option<&str>,
    approvals: usize,
) -> i64 {
    let mut form = draft_form("Winter sale", &[text_body]);
    form[0].1 = kind.into();
    if kind == "segment" {
        form.push(("segment_id".into(), "1".into()));
    }
    if let Some(at) = send_at {
        form.push(("send_at".into(), at.into()));
    }
    let r = app.post_owned(&t.mika, "/drafts", &form).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let draft: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;
    approve(app, t, draft, 1, approvals).await;
    app.confirmed_test_send(&t.mika, draft).await;
    preview(app, &t.mika, draft).await;
    draft
}

/// Approvals of `revision` by the reviewers numbered `from..to` (0 is rei).
async fn approve_by(app: &TestApp, t: &Team, draft: i64, revision: i64, from: usize, to: usize) {
    for (_, c) in &t.reviewers[from..to] {
        assert_eq!(
            app.review(c, draft, revision, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
}

async fn approve(app: &TestApp, t: &Team, draft: i64, revision: i64, how_many: usize) {
    for (_, c) in t.reviewers.iter().take(how_many) {
        assert_eq!(
            app.review(c, draft, revision, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
}

async fn preview(app: &TestApp, c: &Client, draft: i64) {
    let r = app.post(c, &format!("/drafts/{draft}/previews"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(c, &format!("{}/acknowledge", location(&r)), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn more_friends(app: &TestApp, c: &Client, from: u64, to: u64) {
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in from..=to {
        csv.push_str(&format!("{},Friend {i},vip\n", uid(i)));
    }
    assert_eq!(
        app.import_csv(c, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
}

/// Everyone the sandbox delivered a customer message (not a test) to.
pub(crate) async fn customers_reached(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id
         WHERE b.method <> 'push'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap()
}

pub(crate) async fn release_state(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM releases WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

async fn draft_state(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM drafts WHERE id = ?")
        .bind(id)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

// --- 1. Test sends reach staff phones only -----------------------------------------------

#[tokio::test]
async fn a_marketer_cannot_make_a_customer_a_tester_and_test_sends_reach_only_paired_staff_phones()
{
    let app = TestApp::spawn().await;
    let t = team(&app, 20, 2).await;
    // Turning a customer into a tester is an admin's act now.
    let r = app
        .post(&t.mika, "/testers", &[("user_id", &uid(5)), ("owner", "1")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A tester marked before testers were staff phones belongs to nobody: no test reaches it.
    sqlx::query("UPDATE friends SET is_tester = 1 WHERE user_id = ?")
        .bind(uid(7))
        .execute(app.pool())
        .await
        .unwrap();
    let draft = app.create_draft(&t.mika, "Sale", &["全品20%オフ"]).await;
    assert_eq!(
        app.test_send(&t.mika, draft).await.status(),
        StatusCode::SEE_OTHER
    );
    let pushed: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM sandbox_inbox ORDER BY user_id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(pushed, [uid(1)], "only mika's own phone");
    // The testers page says whose phone each tester is.
    let doc = html(app.get(&t.mika, "/testers").await).await;
    let rows = texts(&doc, "table.testers tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("mika") && r.contains("paired from their phone")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(&uid(7)) && r.contains("nobody")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_person_pairs_their_own_phone_from_line_and_an_admin_adds_one_with_every_admin_told() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 1).await;
    // rei pairs uid(2) by sending the code from LINE.
    let rei = &t.reviewers[0].1;
    let r = app.post(rei, "/testers/pair", &[]).await;
    let code = text(&html(r).await, "#pairing-code");
    // A customer typing something else pairs nothing; the code from the phone does.
    app.webhook(&chat_message(&uid(2), "こんにちは", "m1"))
        .await;
    app.webhook(&chat_message(
        &uid(2),
        &format!("コードは {} です", code.to_lowercase()),
        "m2",
    ))
    .await;
    let doc = html(app.get(rei, "/testers").await).await;
    assert!(text(&doc, "#pairing-state").contains("Your phone was paired"));
    assert!(text(&doc, "table.testers").contains("rei"));
    // The code works once.
    app.webhook(&chat_message(&uid(3), &code, "m3")).await;
    let owners: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT user_id, tester_user_id FROM friends WHERE is_tester = 1 ORDER BY user_id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(owners.len(), 2, "{owners:?}");
    assert!(owners.iter().all(|(u, _)| *u == uid(1) || *u == uid(2)));

    // An admin links a staff member's phone: audited, and the other admins are told.
    let second = app.create_user("abe", "admin").await;
    let abe = app.signed_in(&second).await;
    let owner = t.reviewers[0].0.id.to_string();
    let r = app
        .post(
            &t.admin,
            "/testers",
            &[("user_id", &uid(4)), ("owner", &owner)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.audit_actions()
            .await
            .contains(&"tester.added".to_string())
    );
    let inbox = html(app.get(&abe, "/notifications").await).await;
    assert!(
        text(&inbox, "#notifications").contains("An admin made Friend 4's phone (rei) a tester.")
    );
    // A stranger is refused at the field.
    let r = app
        .post(
            &t.admin,
            "/testers",
            &[("user_id", &uid(99)), ("owner", &owner)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("is not a friend of this account"));
}

#[tokio::test]
async fn no_more_testers_than_the_policy_allows_can_be_paired() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 1).await;
    app.set_policy("max_testers", 2).await;
    app.pair_phone(&t.mika, &uid(2)).await;
    app.pair_phone(&t.mika, &uid(3)).await;
    let doc = html(app.get(&t.mika, "/testers").await).await;
    assert!(
        text(&doc, "#pairing-state").contains("as many as the policy allows"),
        "{}",
        text(&doc, "#pairing-state")
    );
    assert_eq!(app.count("friends WHERE is_tester = 1").await, 2);
    assert!(text(&doc, ".lead").contains("2 of at most 2 testers"));
}

#[tokio::test]
async fn in_the_sandbox_the_simulated_phone_pairs_a_tester_the_same_way() {
    let app = TestApp::spawn().await;
    let t = team(&app, 5, 0).await;
    let r = app.post(&t.mika, "/testers/pair", &[]).await;
    let page = html(r).await;
    assert!(text(&page, "#my-phone").contains("simulated phone"));
    let code = text(&page, "#pairing-code");
    let r = app
        .post(
            &t.mika,
            "/sandbox/chat",
            &[("user_id", &uid(3)), ("text", &code)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT tester_user_id FROM friends WHERE user_id = ?")
            .bind(uid(3))
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(owner, Some(1));
}

#[tokio::test]
async fn a_double_click_on_test_send_sends_once() {
    let app = TestApp::spawn().await;
    let t = team(&app, 5, 0).await;
    app.pair_phone(&t.mika, &uid(2)).await;
    let draft = app.create_draft(&t.mika, "Sale", &["全品20%オフ"]).await;
    let click = app.test_send_token(&t.mika, draft).await;
    let path = format!("/drafts/{draft}/test-sends");
    let form = [("click", click.as_str())];
    let posts = (0..20).map(|_| app.post(&t.mika, &path, &form));
    for r in futures_util::future::join_all(posts).await {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.count("test_sends").await, 1);
    assert_eq!(app.count("sandbox_inbox").await, 2, "each phone once");
    // A new click (a new page) is a new test send.
    assert_eq!(
        app.test_send(&t.mika, draft).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("test_sends").await, 2);
}

// --- 2. The large-audience approval is judged on the number actually sent --------------

#[tokio::test]
async fn a_broadcast_that_drifted_to_the_large_audience_threshold_needs_the_extra_approval() {
    let app = TestApp::spawn().await;
    app.set_policy("large_audience_threshold", 100).await;
    let t = team(&app, 96, 3).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    // Four friends more: 4 % drift is within the policy, but 100 reach the threshold.
    more_friends(&app, &t.mika, 97, 100).await;
    let r = release(&app, &t.mika, draft, "100").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        text(&html(r).await, "#release-problem").contains("2 of 3 approvals"),
        "the extra approval is for the 100 actually sent"
    );
    approve_by(&app, &t, draft, 1, 2, 3).await;
    let r = release(&app, &t.mika, draft, "100").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

// --- 3. A scheduled release is asked again when it starts --------------------------------

#[tokio::test]
async fn a_scheduled_broadcast_whose_approver_was_disabled_is_held_at_its_send_time() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(
        &app,
        &t,
        "broadcast",
        "全品20%オフ",
        Some("2026-11-20T15:00"),
        2,
    )
    .await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    // Before the send time an admin disables rei.
    let rei = t.reviewers[0].0.id;
    let r = app
        .post(&t.admin, &format!("/admin/users/{rei}/disable"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap()); // 15:00 JST
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "held");
    assert_eq!(customers_reached(&app).await, 0, "nothing was sent");
    // The release page and the draft say why.
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    assert!(
        text(&doc, "#held-release").contains("1 of 2 approvals"),
        "{}",
        text(&doc, "#held-release")
    );
    let doc = app.draft_page(&t.mika, draft).await;
    assert!(text(&doc, "#release-note").contains("was held at its send time"));
    assert_eq!(draft_state(&app, draft).await, "in_review");
    // The author and the remaining approver are told.
    for c in [&t.mika, &t.reviewers[1].1] {
        let inbox = html(app.get(c, "/notifications").await).await;
        assert!(
            text(&inbox, "#notifications")
                .contains("“Winter sale” was held at its send time and nothing was sent"),
            "{}",
            text(&inbox, "#notifications")
        );
    }
    assert!(
        app.audit_actions()
            .await
            .contains(&"release.held".to_string())
    );
    // Fixed (another reviewer approves the same revision: no new revision, its test and
    // preview still count), it is released again, at its own time, which is now.
    let rin = app.create_user("rin", "reviewer").await;
    let rc = app.signed_in(&rin).await;
    assert_eq!(
        app.review(&rc, draft, 1, "approve", "").await.status(),
        StatusCode::SEE_OTHER
    );
    let r = release(&app, &t.mika, draft, "10").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#release-problem")
    );
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 2).await, "sent");
    assert_eq!(customers_reached(&app).await, 10);
}

#[tokio::test]
async fn a_held_release_can_be_fixed_and_released_again_or_cancelled() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 3).await;
    app.set_policy("release_hold_seconds", 60).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    // During the undo window the policy asks for three approvals.
    app.set_policy("required_approvals", 3).await;
    app.clock.advance(Duration::seconds(61));
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "held");
    let doc = html(app.get(&t.mika, &format!("/drafts/{draft}/release")).await).await;
    assert!(text(&doc, "#held-release").contains("2 of 3 approvals"));
    // A third approval of the same revision, and it goes again: approvals and tests count.
    approve_by(&app, &t, draft, 1, 2, 3).await;
    app.set_policy("release_hold_seconds", 0).await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 2).await, "sent");
    assert_eq!(customers_reached(&app).await, 10);

    // Another draft held the same way is cancelled instead.
    let second = ready_draft(&app, &t, "broadcast", "年末のお知らせ", None, 3).await;
    assert_eq!(
        release(&app, &t.mika, second, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    app.set_policy("required_approvals", 4).await;
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 3).await, "held");
    let r = app
        .post(&t.mika, &format!("/drafts/{second}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(release_state(&app, 3).await, "cancelled");
    assert_eq!(draft_state(&app, second).await, "cancelled");
    assert_eq!(customers_reached(&app).await, 10, "the held one never went");
}

#[tokio::test]
async fn a_scheduled_broadcast_confirmed_for_10_friends_is_held_when_20_follow_at_its_send_time() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(
        &app,
        &t,
        "broadcast",
        "全品20%オフ",
        Some("2026-11-20T15:00"),
        2,
    )
    .await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    more_friends(&app, &t.mika, 11, 20).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap());
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "held");
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    assert!(
        text(&doc, "#held-release").contains("The friend count changed from 10 to 20"),
        "{}",
        text(&doc, "#held-release")
    );
    assert_eq!(customers_reached(&app).await, 0);
}

#[tokio::test]
async fn a_broadcast_whose_friends_crossed_the_large_audience_threshold_is_held_at_its_send_time() {
    let app = TestApp::spawn().await;
    app.set_policy("large_audience_threshold", 100).await;
    let t = team(&app, 99, 2).await;
    let draft = ready_draft(
        &app,
        &t,
        "broadcast",
        "全品20%オフ",
        Some("2026-11-20T15:00"),
        2,
    )
    .await;
    assert_eq!(
        release(&app, &t.mika, draft, "99").await.status(),
        StatusCode::SEE_OTHER
    );
    // One more friend by send time: within the drift, but the send is now large.
    more_friends(&app, &t.mika, 100, 100).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap());
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "held");
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    assert!(
        text(&doc, "#held-release").contains("2 of 3 approvals"),
        "{}",
        text(&doc, "#held-release")
    );
    assert!(text(&doc, "#held-release").contains("large audience"));
    assert_eq!(customers_reached(&app).await, 0);
}

#[tokio::test]
async fn a_scheduled_release_reaching_quiet_hours_is_held_rather_than_sent_at_night() {
    let app = TestApp::spawn().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()); // 19:00 JST
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(
        &app,
        &t,
        "broadcast",
        "全品20%オフ",
        Some("2026-11-20T21:00"),
        2,
    )
    .await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    // The dispatcher was down at 21:00 and comes back at 23:00.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap());
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "held");
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    assert!(
        text(&doc, "#held-release")
            .contains("Quiet hours (22:00 to 08:00 Asia/Tokyo) are in force now")
    );
    assert_eq!(customers_reached(&app).await, 0);
}

// --- 4. Quota is reserved by every release not yet sent ---------------------------------

#[tokio::test]
async fn two_releases_for_the_same_minute_cannot_overcommit_the_monthly_quota() {
    let app = TestApp::spawn_with(|s| s.sandbox_monthly_limit = Some(1_000)).await;
    let t = team(&app, 600, 2).await;
    let first = ready_draft(
        &app,
        &t,
        "segment",
        "全品20%オフ",
        Some("2026-11-20T15:00"),
        2,
    )
    .await;
    assert_eq!(
        release(&app, &t.mika, first, "600").await.status(),
        StatusCode::SEE_OTHER
    );
    let second = ready_draft(
        &app,
        &t,
        "segment",
        "年末のお知らせ",
        Some("2026-11-20T15:00"),
        2,
    )
    .await;
    let page = html(app.get(&t.mika, &format!("/drafts/{second}/release")).await).await;
    assert!(
        text(&page, "#release-quota").contains("600 more are reserved by releases not yet sent"),
        "{}",
        text(&page, "#release-quota")
    );
    let r = release(&app, &t.mika, second, "600").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        text(&html(r).await, "#release-problem").contains("This send needs 600 messages but only")
    );
    assert_eq!(app.count("releases").await, 1);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 6, 0, 0).unwrap());
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "sent");
}

// --- 5. A partial release shows LINE's words; its correction reaches who received it -----

#[tokio::test]
async fn a_partly_refused_release_shows_lines_words_and_its_correction_reaches_exactly_who_received_it()
 {
    let ids: Vec<String> = (1..=1200).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig {
        quota: FakeQuota::Limited(10_000),
        ..FakeLineConfig::with_friends(ids)
    })
    .await;
    let app = through_fake(&fake).await;
    let t = team(&app, 1200, 2).await;
    let draft = ready_draft(&app, &t, "segment", "VIP only: everything 200 yen", None, 2).await;
    assert_eq!(
        release(&app, &t.mika, draft, "1200").await.status(),
        StatusCode::SEE_OTHER
    );
    // The first batch of 500 goes; then the month's messages run out elsewhere (another
    // tool sent from the account), so LINE refuses the second and the third is not tried.
    assert!(matches!(
        app.dispatch_one_step().await,
        sendgate::jobs::releases::Step::Sent { .. }
    ));
    fake.set_quota(FakeQuota::Limited(fake.quota_usage() + 10));
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "failed");
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    let failures = text(&doc, "#release-failures");
    assert!(
        failures.contains("Refused by LINE: 1 batches, 500 recipients"),
        "{failures}"
    );
    assert!(failures.contains(MONTHLY_LIMIT_MESSAGE), "{failures}");
    assert!(
        failures.contains("Not attempted after the send stopped: 1 batches, 200 recipients"),
        "{failures}"
    );
    let doc = app.draft_page(&t.mika, draft).await;
    assert!(text(&doc, "#release-note").contains(MONTHLY_LIMIT_MESSAGE));

    // The incident's recipients are the 500 LINE accepted.
    fake.set_quota(FakeQuota::Limited(10_000));
    let r = app
        .post(
            &t.mika,
            "/releases/1/report",
            &[
                (
                    "what_was_wrong",
                    "The price said 200 yen instead of 2,000 yen.",
                ),
                ("severity", "high"),
                ("noticed_by", "A customer"),
                ("noticed_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let csv = app
        .get(&t.mika, "/incidents/1/recipients.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1 + 500);
    let multicasts_to = |u: &str| {
        fake.delivered_to(u)
            .iter()
            .filter(|d| d.endpoint == Endpoint::Multicast)
            .count()
    };
    let accepted: Vec<String> = (1..=1200)
        .map(uid)
        .filter(|u| multicasts_to(u) == 1)
        .collect();
    assert_eq!(accepted.len(), 500);

    // The correction: refused while it repeats the mistake, then sent to exactly those 500.
    let r = app
        .post(&t.mika, "/incidents/1/correction", &[("language", "en")])
        .await;
    let correction: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    let doc = app.draft_page(&t.mika, correction).await;
    assert!(text(&doc, ".findings").contains("The correction repeats the mistake"));
    let bubbles = texts(&doc, ".phone .message-text");
    let apology = bubbles[0].replace("○○", "our VIP sale");
    let mut form = draft_form(
        "Correction: Winter sale",
        &[&apology, "VIP only: everything 2,000 yen"],
    );
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), "1".into()));
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{correction}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.post(&t.mika, &format!("/drafts/{correction}/submit"), &[])
        .await;
    approve(&app, &t, correction, 2, 1).await;
    app.confirmed_test_send(&t.mika, correction).await;
    preview(&app, &t.mika, correction).await;
    let doc = app.draft_page(&t.mika, correction).await;
    assert!(
        text(&doc, "#gate-preview").contains("500 recipients"),
        "{}",
        text(&doc, "#gate-preview")
    );
    let before = fake.requests_to(Endpoint::Multicast);
    assert_eq!(
        release(&app, &t.mika, correction, "500").await.status(),
        StatusCode::SEE_OTHER
    );
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 2).await, "sent");
    assert_eq!(fake.requests_to(Endpoint::Multicast), before + 1);
    for u in (1..=1200).map(uid) {
        let expected = if accepted.contains(&u) { 2 } else { 0 };
        assert_eq!(
            multicasts_to(&u),
            expected,
            "{u}: the correction reaches exactly who received the mistake"
        );
    }
}

#[tokio::test]
async fn a_correction_of_five_messages_says_which_one_did_not_fit_beside_the_apology() {
    let app = TestApp::spawn().await;
    let t = team(&app, 5, 2).await;
    let mut form = draft_form("Five", &["one", "two", "three", "four", "five"]);
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), "1".into()));
    let r = app.post_owned(&t.mika, "/drafts", &form).await;
    let draft: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;
    approve(&app, &t, draft, 1, 2).await;
    app.confirmed_test_send(&t.mika, draft).await;
    preview(&app, &t.mika, draft).await;
    release(&app, &t.mika, draft, "5").await;
    app.dispatch_all().await;
    app.post(
        &t.mika,
        "/releases/1/report",
        &[
            ("what_was_wrong", "Wrong date"),
            ("severity", "low"),
            ("noticed_by", "Rei"),
            ("noticed_at", ""),
        ],
    )
    .await;
    let r = app
        .post(&t.mika, "/incidents/1/correction", &[("language", "en")])
        .await;
    let to = location(&r);
    let doc = html(app.get(&t.mika, &to).await).await;
    assert!(
        text(&doc, ".flash").contains("the original's message 5 did not fit beside the apology"),
        "{}",
        text(&doc, ".flash")
    );
    let bubbles = texts(&doc, ".phone .message-text");
    assert_eq!(bubbles.len(), 5);
    assert!(
        !bubbles[0].contains("Wrong date"),
        "the incident's note is internal"
    );
    assert!(
        !bubbles[0].contains("Five"),
        "the draft's title is internal"
    );
}

// --- 6. Steps respect quiet hours: see scenarios.rs -------------------------------------

// --- 7. A draft's kind never changes ------------------------------------------------------

#[tokio::test]
async fn a_broadcast_stays_a_broadcast_whatever_the_form_says() {
    let app = TestApp::spawn().await;
    let t = team(&app, 5, 0).await;
    let draft = app.create_draft(&t.mika, "Sale", &["Hello"]).await;
    let mut form = draft_form("Sale", &["Hello again"]);
    form[0].1 = "step".into();
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT json_extract(content, '$.kind') FROM revisions WHERE draft_id = ? ORDER BY number",
    )
    .bind(draft)
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(kinds, ["broadcast", "broadcast"]);
    let doc = html(app.get(&t.mika, &format!("/drafts/{draft}/edit")).await).await;
    assert!(texts(&doc, "input[type=radio][name=kind]").is_empty());
    assert!(text(&doc, "#fixed-kind").contains("Broadcast"));
}

// --- 8. The test label never pushes a valid draft over LINE's limits -------------------

#[tokio::test]
async fn a_valid_draft_of_4990_characters_passes_its_test_send_through_line() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1)])).await;
    let app = through_fake(&fake).await;
    let t = team(&app, 1, 0).await;
    let long = "あ".repeat(4_990);
    let draft = app.create_draft(&t.mika, "Long", &[&long]).await;
    app.test_send(&t.mika, draft).await;
    let doc = app.draft_page(&t.mika, draft).await;
    assert_eq!(
        texts(&doc, ".result-accepted").len(),
        1,
        "{}",
        text(&doc, "#test-sends")
    );
    // Five such messages leave no room in any text: the label becomes the sender's name.
    let five = vec![long.as_str(); 5];
    let draft = app.create_draft(&t.mika, "Five long", &five).await;
    app.test_send(&t.mika, draft).await;
    let doc = app.draft_page(&t.mika, draft).await;
    assert_eq!(
        texts(&doc, ".result-accepted").len(),
        1,
        "{}",
        text(&doc, "#test-sends")
    );
    let got = fake.delivered_to(&uid(1));
    let last = got.last().unwrap();
    assert_eq!(last.messages.as_array().unwrap().len(), 5);
    assert_eq!(
        last.messages[0]["text"],
        long.as_str(),
        "the text is untouched"
    );
    assert!(
        last.messages[0]["sender"]["name"]
            .as_str()
            .unwrap()
            .starts_with("[TEST]")
    );
}

// --- 9. Webhook events are applied by their timestamp ------------------------------------

fn event_at(kind: &str, user: &str, id: &str, at_ms: i64) -> String {
    let mut body: serde_json::Value =
        serde_json::from_str(&webhook_event(kind, user, id, false)).unwrap();
    body["events"][0]["timestamp"] = serde_json::json!(at_ms);
    body.to_string()
}

#[tokio::test]
async fn an_older_follow_never_overrides_a_newer_unfollow_even_for_a_user_first_seen_by_unfollow() {
    let app = TestApp::spawn().await;
    let t = 1_763_600_000_000i64;
    let blocked = |n: u64| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, bool>("SELECT blocked FROM friends WHERE user_id = ?")
                .bind(uid(n))
                .fetch_one(app.pool())
                .await
                .unwrap()
        }
    };
    app.webhook(&event_at("follow", &uid(1), "e1", t - 120_000))
        .await;
    app.webhook(&event_at("unfollow", &uid(1), "e2", t)).await;
    // A follow stamped a minute before the unfollow arrives late.
    app.webhook(&event_at("follow", &uid(1), "e3", t - 60_000))
        .await;
    assert!(blocked(1).await, "the newer unfollow stands");
    // A user first seen by an unfollow; an older follow arrives after it.
    app.webhook(&event_at("unfollow", &uid(2), "e4", t)).await;
    app.webhook(&event_at("follow", &uid(2), "e5", t - 60_000))
        .await;
    assert!(blocked(2).await);
    // A newer follow does apply.
    app.webhook(&event_at("follow", &uid(2), "e6", t + 60_000))
        .await;
    assert!(!blocked(2).await);
}

// --- 10. The same messages to an overlapping audience within 7 days warn ----------------

#[tokio::test]
async fn the_same_messages_sent_to_an_overlapping_audience_this_week_warn_with_the_earlier_release_linked()
 {
    let app = TestApp::spawn().await;
    let t = team(&app, 5, 2).await;
    let first = ready_draft(&app, &t, "segment", "年末セール開催中", None, 2).await;
    release(&app, &t.mika, first, "5").await;
    app.dispatch_all().await;
    let again = ready_draft(&app, &t, "segment", "年末セール開催中", None, 2).await;
    let doc = app.draft_page(&t.mika, again).await;
    let findings = text(&doc, ".findings");
    assert!(
        findings.contains("The same messages went to an overlapping audience"),
        "{findings}"
    );
    let link = doc
        .select(&scraper::Selector::parse(".findings a").unwrap())
        .next()
        .and_then(|a| a.value().attr("href"))
        .map(str::to_string);
    assert_eq!(link.as_deref(), Some("/releases/1"));
    // It must be acknowledged to release.
    let page = html(app.get(&t.mika, &format!("/drafts/{again}/release")).await).await;
    let mut form = acknowledged_form(&page, "typed_phrase", "5");
    form.retain(|(k, _)| k != "ack");
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{again}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "#release-problem").contains("must be acknowledged"));
    // Other messages, or a week later, do not warn.
    let other = ready_draft(&app, &t, "segment", "新年のご挨拶", None, 2).await;
    assert!(!text(&app.draft_page(&t.mika, other).await, ".findings").contains("same messages"));
    app.clock.advance(Duration::days(8));
    let mio = app.create_user("mio", "marketer").await;
    let mio = app.signed_in(&mio).await;
    assert!(!text(&app.draft_page(&mio, again).await, ".findings").contains("same messages"));
}

// --- 11. Contributors never approve: see reviews.rs ---------------------------------------

// --- Issue #16: the release path as a team lives it --------------------------------------

#[tokio::test]
async fn a_release_at_23_00_is_scheduled_for_08_00_without_a_new_revision_and_can_be_cancelled() {
    let app = TestApp::spawn().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 13, 30, 0).unwrap()); // 22:30 JST
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()); // 23:00 JST
    let page = html(app.get(&t.mika, &format!("/drafts/{draft}/release")).await).await;
    assert!(
        text(&page, "#release-when").contains("2026-11-21 08:00")
            || text(&page, "#release-when").contains("21 Nov 2026 08:00"),
        "{}",
        text(&page, "#release-when")
    );
    assert!(text(&page, "#release-button").contains("Schedule for"));
    let r = release(&app, &t.mika, draft, "10").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#release-problem")
    );
    assert_eq!(app.count("revisions").await, 1, "no new revision");
    let send_at: String = sqlx::query_scalar("SELECT send_at FROM releases WHERE id = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(send_at.starts_with("2026-11-20T23:00:00"), "{send_at}");
    app.dispatch_all().await;
    assert_eq!(customers_reached(&app).await, 0, "not at night");
    let r = app
        .post(&t.mika, &format!("/drafts/{draft}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(release_state(&app, 1).await, "cancelled");
}

#[tokio::test]
async fn a_release_made_at_night_goes_out_when_quiet_hours_end() {
    let app = TestApp::spawn().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()); // 23:00 JST
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap()); // 08:00 JST
    app.dispatch_all().await;
    assert_eq!(release_state(&app, 1).await, "sent");
    assert_eq!(customers_reached(&app).await, 10);
}

#[tokio::test]
async fn an_immediate_release_waits_out_the_undo_window_and_can_be_cancelled_within_it() {
    let app = TestApp::spawn().await;
    app.set_policy("release_hold_seconds", 60).await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    let r = release(&app, &t.mika, draft, "10").await;
    assert_eq!(location(&r), "/releases/1");
    app.clock.advance(Duration::seconds(30));
    app.dispatch_all().await;
    assert_eq!(
        customers_reached(&app).await,
        0,
        "still inside the undo window"
    );
    let doc = html(app.get(&t.mika, "/releases/1").await).await;
    assert_eq!(text(&doc, "#countdown"), "30");
    assert!(text(&doc, "#undo-window").contains("Sending starts in 30 seconds"));
    assert_eq!(texts(&doc, "#cancel-release"), ["Cancel this release"]);
    // The draft page shows the same countdown, with its own cancel button.
    let doc = app.draft_page(&t.mika, draft).await;
    assert!(text(&doc, "#draft-scheduled").contains("Sending starts in 30 seconds"));
    assert_eq!(
        texts(&doc, "#draft-scheduled #cancel-release"),
        ["Cancel this release"]
    );
    let r = app
        .post(&t.mika, &format!("/drafts/{draft}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.clock.advance(Duration::seconds(60));
    app.dispatch_all().await;
    assert_eq!(
        customers_reached(&app).await,
        0,
        "cancelled within the window"
    );

    let second = ready_draft(&app, &t, "broadcast", "年末のお知らせ", None, 2).await;
    release(&app, &t.mika, second, "10").await;
    app.clock.advance(Duration::seconds(61));
    app.dispatch_all().await;
    assert_eq!(
        customers_reached(&app).await,
        10,
        "sent once the window passed"
    );
}

#[tokio::test]
async fn a_wrong_typed_count_keeps_the_form_and_shows_the_error_beside_the_field() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    let page = html(app.get(&t.mika, &format!("/drafts/{draft}/release")).await).await;
    assert_eq!(text(&page, "strong.phrase"), "“10”");
    let form = acknowledged_form(&page, "typed_phrase", "100");
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let doc = html(r).await;
    assert_eq!(text(&doc, "#typed-phrase-error"), "Type 10 to confirm.");
    let typed = doc
        .select(&scraper::Selector::parse("#typed_phrase").unwrap())
        .next()
        .unwrap();
    assert_eq!(typed.value().attr("value"), Some("100"));
    assert!(typed.value().attr("aria-invalid").is_some());
    assert_eq!(
        doc.select(&scraper::Selector::parse("input[name=read_warning][checked]").unwrap())
            .count(),
        1
    );
    assert_eq!(app.count("releases").await, 0);
}
