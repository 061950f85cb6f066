use reqwest::StatusCode;

use crate::fake_line::{DEFAULT_TOKEN, Endpoint, FakeLine, FakeLineConfig, FakeQuota};
use crate::helpers::*;

/// `n` friends tagged vip (1 and 2 are testers), a marketer, two approvals (three from
/// 10,000 recipients on, the large-audience rule), a confirmed test send and an
/// acknowledged preview: everything but the release itself.
pub async fn ready(app: &TestApp, n: u64, segment: bool) -> (reqwest::Client, i64) {
    let text = if segment {
        "VIP only: 30% off"
    } else {
        "全品20%オフ"
    };
    ready_with_text(app, n, segment, text).await
}

/// [`ready`] with the message text of the draft.
pub async fn ready_with_text(
    app: &TestApp,
    n: u64,
    segment: bool,
    text: &str,
) -> (reqwest::Client, i64) {
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=n {
        csv.push_str(&format!("{},Friend {i},vip\n", uid(i)));
    }
    assert_eq!(
        app.import_csv(&client, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    for t in [1, 2] {
        app.pair_phone(&client, &uid(t)).await;
    }
    let draft = if segment {
        app.post(
            &client,
            "/segments",
            &[("name", "VIP"), ("tags_any", "vip")],
        )
        .await;
        let mut form = draft_form("VIP sale", &[text]);
        form[0].1 = "segment".into();
        form.push(("segment_id".into(), "1".into()));
        let r = app.post_owned(&client, "/drafts", &form).await;
        location(&r).trim_start_matches("/drafts/").parse().unwrap()
    } else {
        app.create_draft(&client, "Winter sale", &[text]).await
    };
    app.post(&client, &format!("/drafts/{draft}/submit"), &[])
        .await;
    let reviewers = if n >= 10_000 { 3 } else { 2 };
    for name in ["rei", "ren", "rin"].into_iter().take(reviewers) {
        let u = app.create_user(name, "reviewer").await;
        let c = app.signed_in(&u).await;
        assert_eq!(
            app.review(&c, draft, 1, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    app.test_send(&client, draft).await;
    app.post(
        &client,
        &format!("/drafts/{draft}/test-sends/1/confirm"),
        &[],
    )
    .await;
    let r = app
        .post(&client, &format!("/drafts/{draft}/previews"), &[])
        .await;
    app.post(&client, &format!("{}/acknowledge", location(&r)), &[])
        .await;
    (client, draft)
}

/// Releases as a person would: ticks every warning box on the release page, reads the
/// warning, types the phrase.
pub async fn release(
    app: &TestApp,
    client: &reqwest::Client,
    draft: i64,
    phrase: &str,
) -> reqwest::Response {
    let page = html(app.get(client, &format!("/drafts/{draft}/release")).await).await;
    let form = acknowledged_form(&page, "typed_phrase", phrase);
    app.post_owned(client, &format!("/drafts/{draft}/release"), &form)
        .await
}

async fn broadcast_inbox(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id WHERE b.method = 'broadcast'")
        .fetch_one(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_ready_broadcast_is_released_sent_once_to_everyone_and_frozen() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert!(text(&page, ".irreversible").contains("There is no unsend API."));
    assert_eq!(text(&page, "#release-recipients"), "3");
    assert_eq!(
        text(&page, "form.release-form button"),
        "Send to 3 friends now — cannot be retracted"
    );
    let r = release(&app, &client, draft, "3").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#release-problem")
    );
    assert_eq!(location(&r), "/releases/1");
    assert_eq!(
        broadcast_inbox(&app).await,
        0,
        "nothing is sent before the dispatcher runs"
    );
    app.dispatch_all().await;
    assert_eq!(broadcast_inbox(&app).await, 3);
    let doc = html(app.get(&client, "/releases/1").await).await;
    assert_eq!(text(&doc, "#release-state"), "sent");
    assert!(text(&doc, "#release-progress").contains("1 of 1 batches sent, 3 recipients reached"));
    // Sent drafts are read-only.
    assert_eq!(
        app.edit_draft(&client, draft, 1, "Winter sale", &["late fix"])
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        release(&app, &client, draft, "3").await.status(),
        StatusCode::CONFLICT
    );
    app.dispatch_all().await;
    assert_eq!(broadcast_inbox(&app).await, 3, "released once, sent once");
    let actions = app.audit_actions().await;
    for a in ["release.created", "release.started", "release.sent"] {
        assert!(actions.contains(&a.to_string()), "{a}");
    }
}

#[tokio::test]
async fn a_release_is_refused_while_any_gate_item_is_missing_and_nothing_is_sent() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    app.import_csv(&client, format!("user_id\n{}\n", uid(1)).into_bytes())
        .await;
    let draft = app.create_draft(&client, "Sale", &["Hello"]).await;
    app.post(&client, &format!("/drafts/{draft}/submit"), &[])
        .await;
    let r = release(&app, &client, draft, "1").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let why = text(&html(r).await, "#release-problem");
    for item in ["Approvals:", "Test send:", "Audience preview:"] {
        assert!(why.contains(item), "{item} missing from {why}");
    }
    app.dispatch_all().await;
    assert_eq!(app.count("releases").await, 0);
    assert_eq!(app.count("sandbox_batches").await, 0);
}

#[tokio::test]
async fn a_wrong_confirmation_phrase_releases_nothing() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    let r = release(&app, &client, draft, "30").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "#release-problem").contains("Type 3 to confirm"));
    assert_eq!(app.count("releases").await, 0);
}

#[tokio::test]
async fn two_release_posts_at_once_make_exactly_one_release() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    let other = app
        .signed_in(&TestUser {
            id: 0,
            username: "mika".into(),
        })
        .await;
    let (a, b) = tokio::join!(
        release(&app, &client, draft, "3"),
        release(&app, &other, draft, "3")
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    assert_eq!(app.count("releases").await, 1);
    assert_eq!(app.count("deliveries").await, 1);
}

#[tokio::test]
async fn a_scheduled_release_can_be_cancelled_before_it_starts() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    // Reschedule for tomorrow 10:00 Tokyo: a new revision needs the gate again, so set the
    // time on the stored release directly after releasing.
    release(&app, &client, draft, "3").await;
    sqlx::query("UPDATE releases SET send_at = '2026-11-21T01:00:00+00:00'")
        .execute(app.pool())
        .await
        .unwrap();
    let r = app
        .post(&client, &format!("/drafts/{draft}/cancel"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.clock.advance(chrono::Duration::days(2));
    app.dispatch_all().await;
    assert_eq!(broadcast_inbox(&app).await, 0);
    let state: String = sqlx::query_scalar("SELECT state FROM releases")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(state, "cancelled");
}

pub async fn through_fake(fake: &FakeLine) -> TestApp {
    let base = fake.base_url();
    TestApp::spawn_with(move |s| {
        s.line_channel_access_token = Some(DEFAULT_TOKEN.into());
        s.line_api_base = base;
    })
    .await
}

#[tokio::test]
async fn a_500_on_batch_3_of_5_is_retried_with_its_key_and_everyone_gets_it_exactly_once() {
    let ids: Vec<String> = (1..=2500).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    let app = through_fake(&fake).await;
    let (client, draft) = ready(&app, 2500, true).await;
    assert_eq!(
        release(&app, &client, draft, "2,500").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count("deliveries").await,
        5,
        "2,500 recipients in batches of at most 500"
    );
    app.dispatch_one_step().await; // batch 1
    app.dispatch_one_step().await; // batch 2
    fake.fail_next(Endpoint::Multicast, 1, 500);
    assert_eq!(
        app.dispatch_one_step().await,
        sendgate::jobs::releases::Step::Retrying { release_id: 1 },
        "batch 3 got the 500"
    );
    app.dispatch_all().await; // batches 4 and 5; batch 3 waits for its backoff
    assert_eq!(fake.users_reached(), 2000);
    app.clock.advance(chrono::Duration::minutes(5));
    app.dispatch_all().await; // batch 3 again, same key
    assert_eq!(fake.users_reached(), 2500);
    assert_eq!(
        fake.retry_keys_seen().len(),
        6 + 2,
        "five batches, one of them twice, plus the two test sends"
    );
    assert!(
        fake.users_reached_more_than_once()
            .iter()
            .all(|u| u == &uid(1) || u == &uid(2)),
        "only the testers got the test too"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM releases")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(state, "sent");
}

#[tokio::test]
async fn a_release_the_quota_can_no_longer_cover_is_held_at_its_send_time() {
    let ids: Vec<String> = (1..=10).map(uid).collect();
    let config = FakeLineConfig {
        quota: FakeQuota::Limited(1000),
        ..FakeLineConfig::with_friends(ids)
    };
    let fake = FakeLine::start(config).await;
    let app = through_fake(&fake).await;
    let (client, draft) = ready(&app, 10, true).await;
    assert_eq!(
        release(&app, &client, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    fake.set_quota(FakeQuota::Limited(5));
    app.dispatch_all().await;
    let doc = html(app.get(&client, "/releases/1").await).await;
    assert_eq!(text(&doc, "#release-state"), "held");
    assert!(
        text(&doc, "#held-release")
            .contains("This send needs 10 messages but only 3 are left this month"),
        "{}",
        text(&doc, "#held-release")
    );
    assert_eq!(
        fake.requests_to(Endpoint::Multicast),
        0,
        "nothing was handed to LINE"
    );
    assert_eq!(fake.users_reached(), 2, "only the two testers' test sends");
}

#[tokio::test]
async fn a_sent_draft_is_duplicated_into_a_new_draft_that_needs_the_whole_gate_again() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    release(&app, &client, draft, "3").await;
    app.dispatch_all().await;
    let r = app
        .post(&client, &format!("/drafts/{draft}/duplicate"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let copy: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    assert_ne!(copy, draft);
    let doc = app.draft_page(&client, copy).await;
    assert_eq!(text(&doc, "h1"), "Copy of Winter sale");
    assert_eq!(texts(&doc, ".bubble-text"), ["全品20%オフ"]);
    assert_eq!(text(&doc, ".meta .state"), "Draft");
    assert!(
        text(&doc, "#gate-summary")
            .starts_with("Not ready to release. Missing: Approvals, Test send, Audience preview")
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"draft.duplicated".to_string())
    );
}

#[tokio::test]
async fn a_batch_line_took_but_answered_too_late_is_retried_gets_409_and_counts_as_sent() {
    let ids: Vec<String> = (1..=700).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    let base = fake.base_url();
    let app = TestApp::spawn_with(move |s| {
        s.line_channel_access_token = Some(DEFAULT_TOKEN.into());
        s.line_api_base = base;
        s.line_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let (client, draft) = ready(&app, 700, true).await;
    assert_eq!(
        release(&app, &client, draft, "700").await.status(),
        StatusCode::SEE_OTHER
    );
    fake.delay_next_response(Endpoint::Multicast, std::time::Duration::from_secs(2));
    assert_eq!(
        app.dispatch_one_step().await,
        sendgate::jobs::releases::Step::Retrying { release_id: 1 },
        "the answer never came in time"
    );
    assert_eq!(fake.users_reached(), 500, "but LINE took batch 1");
    app.dispatch_all().await; // batch 2; batch 1 waits for its backoff
    app.clock.advance(chrono::Duration::minutes(5));
    app.dispatch_all().await; // batch 1 again with its key: 409
    assert_eq!(fake.conflicts(), 1);
    assert_eq!(fake.users_reached(), 700);
    assert!(
        fake.users_reached_more_than_once()
            .iter()
            .all(|u| u == &uid(1) || u == &uid(2)),
        "nobody but the testers (their test send) got anything twice"
    );
    let doc = html(app.get(&client, "/releases/1").await).await;
    assert_eq!(text(&doc, "#release-state"), "sent");
}
