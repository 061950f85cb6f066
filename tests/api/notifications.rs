//! Notifications (issue #8): in-app notifications reach the people concerned and nobody
//! else, with the unread count in the header; the outgoing chat webhook is posted in the
//! background, retried with backoff, and a dead receiver never holds up a release.

use chrono::Duration;
use reqwest::{Client, StatusCode};
use sendgate::jobs::notifier::{NotifyStep, deliver_one};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;
use crate::incidents::{sent_segment_release, team};

async fn notification_texts(app: &TestApp, c: &Client) -> Vec<String> {
    texts(
        &html(app.get(c, "/notifications").await).await,
        "#notifications li button",
    )
}

async fn unread_badge(app: &TestApp, c: &Client) -> String {
    text(&html(app.get(c, "/").await).await, "#unread-count")
}

/// Signs in an admin and points the chat webhook at `url` for `events`.
async fn configure_webhook(app: &TestApp, url: &str, events: &[&str]) -> Client {
    let admin = app.create_user("ada", "admin").await;
    let c = app.signed_in(&admin).await;
    let mut form = vec![("webhook_url".to_string(), url.to_string())];
    form.extend(events.iter().map(|e| ("event".to_string(), e.to_string())));
    let r = app.post_owned(&c, "/admin/notifications", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

#[tokio::test]
async fn notifications_reach_the_people_concerned_and_nobody_else() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("ada", "admin").await;
    let ada = app.signed_in(&admin).await;
    let s = ReviewSetup::new(&app).await;

    // Submitting tells the reviewers, not the author or the admin.
    let for_review = "“Winter sale” was submitted and waits for your review.";
    assert_eq!(notification_texts(&app, &s.a).await, [for_review]);
    assert_eq!(notification_texts(&app, &s.b).await, [for_review]);
    assert!(notification_texts(&app, &s.marketer).await.is_empty());
    assert!(notification_texts(&app, &ada).await.is_empty());
    assert_eq!(unread_badge(&app, &s.a).await, "1");
    assert_eq!(unread_badge(&app, &s.marketer).await, "");

    // A verdict tells the author only.
    app.review(&s.a, s.draft, 1, "request_changes", "Say until when.")
        .await;
    assert_eq!(
        notification_texts(&app, &s.marketer).await,
        ["rei asked for changes on “Winter sale”."],
        "the author is told who asked for changes"
    );
    assert_eq!(notification_texts(&app, &s.b).await, [for_review]);

    // A change under review tells the reviewers again, not the person who changed it.
    app.edit_draft(&s.marketer, s.draft, 1, "Winter sale", &["Until 12/25."])
        .await;
    let changed =
        "“Winter sale” was changed in review (revision 2); earlier approvals no longer count.";
    assert_eq!(notification_texts(&app, &s.b).await, [changed, for_review]);
    assert_eq!(notification_texts(&app, &s.marketer).await.len(), 1);
    app.review(&s.b, s.draft, 2, "approve", "").await;
    assert_eq!(
        notification_texts(&app, &s.marketer).await[0],
        "ren approved “Winter sale”.",
        "the author is told who approved"
    );
    assert!(notification_texts(&app, &ada).await.is_empty());
}

#[tokio::test]
async fn opening_a_notification_marks_it_read_and_nobody_can_open_anothers() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let id: i64 = sqlx::query_scalar(
        "SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'rei'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    let r = app
        .post(&s.b, &format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "ren cannot open rei's");
    assert_eq!(unread_badge(&app, &s.a).await, "1");
    let r = app
        .post(&s.a, &format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(location(&r), format!("/drafts/{}", s.draft));
    assert_eq!(unread_badge(&app, &s.a).await, "");
    assert_eq!(unread_badge(&app, &s.b).await, "1");
    app.post(&s.b, "/notifications/read", &[]).await;
    assert_eq!(unread_badge(&app, &s.b).await, "");
}

#[tokio::test]
async fn the_chat_webhook_is_delivered_to_a_local_receiver_for_the_events_switched_on() {
    let app = TestApp::spawn().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    configure_webhook(
        &app,
        &format!("{}/hook", receiver.uri()),
        &["draft_submitted"],
    )
    .await;
    let s = ReviewSetup::new(&app).await;
    // Approvals are switched off: only the submission is queued.
    app.review(&s.a, s.draft, 1, "approve", "").await;
    assert_eq!(app.count("webhook_outbox").await, 1);
    assert!(receiver.received_requests().await.unwrap().is_empty());

    assert!(matches!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Posted(_)
    ));
    assert_eq!(deliver_one(&app.state).await.unwrap(), NotifyStep::Idle);
    let requests = receiver.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: serde_json::Value = requests[0].body_json().unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with("[sendgate] “Winter sale” was submitted and waits for your review. http"),
        "{text}"
    );
    assert!(text.ends_with(&format!("/drafts/{}", s.draft)), "{text}");
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "Slack-compatible: text only"
    );
}

#[tokio::test]
async fn a_failing_webhook_is_retried_with_backoff_and_its_last_error_is_shown() {
    let app = TestApp::spawn().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let ada = configure_webhook(&app, &receiver.uri(), &["draft_submitted"]).await;
    ReviewSetup::new(&app).await;

    assert!(matches!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Retrying(_)
    ));
    assert_eq!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Idle,
        "not due again before its backoff"
    );
    let page = html(app.get(&ada, "/admin/notifications").await).await;
    assert!(text(&page, "#webhook-last-error").contains("the receiver answered 500"));
    assert_eq!(text(&page, "#webhook-pending"), "1");

    app.clock.advance(Duration::seconds(2));
    assert!(matches!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Retrying(_)
    ));
    app.clock.advance(Duration::seconds(3));
    assert_eq!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Idle,
        "the second wait is longer"
    );
    app.clock.advance(Duration::seconds(1));
    assert!(matches!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Posted(_)
    ));
    assert_eq!(receiver.received_requests().await.unwrap().len(), 3);
    let page = html(app.get(&ada, "/admin/notifications").await).await;
    assert_eq!(text(&page, "#webhook-sent"), "1");
    assert_eq!(text(&page, "#webhook-pending"), "0");
}

#[tokio::test]
async fn a_dead_webhook_receiver_does_not_hold_up_a_release() {
    let app = TestApp::spawn().await;
    // A port nothing listens on any more.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    configure_webhook(
        &app,
        &format!("http://{dead}/hook"),
        &[
            "release_scheduled",
            "release_sent",
            "draft_submitted",
            "approved",
            "test_send",
        ],
    )
    .await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let state: String = sqlx::query_scalar("SELECT state FROM releases WHERE id = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(state, "sent", "the release went out with the receiver dead");
    let queued = app.count("webhook_outbox WHERE state = 'pending'").await;
    assert!(queued >= 4, "{queued} chat messages wait for the notifier");

    // The notifier, in the background, records the failure and keeps them for later.
    assert!(matches!(
        deliver_one(&app.state).await.unwrap(),
        NotifyStep::Retrying(_)
    ));
    let error: Option<String> = sqlx::query_scalar("SELECT last_error FROM notification_settings")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(error.unwrap().starts_with("could not post"));
    assert_eq!(
        app.count("webhook_outbox WHERE state = 'pending'").await,
        queued
    );
}

#[tokio::test]
async fn only_admins_configure_the_webhook_and_a_bad_url_is_refused() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let r = app
        .post(
            &mika,
            "/admin/notifications",
            &[("webhook_url", "https://x.example/h")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let admin = app.create_user("ada", "admin").await;
    let ada = app.signed_in(&admin).await;
    let r = app
        .post(&ada, "/admin/notifications", &[("webhook_url", "ftp://x")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let url: String = sqlx::query_scalar("SELECT webhook_url FROM notification_settings")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(url, "");
}
