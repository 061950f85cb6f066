//! The greeting message through the real LINE client against the fake LINE server
//! (issue #19): a signed follow is answered once with the active approved revision through
//! the reply API; a redelivery greets nobody again; an expired or refused reply token falls
//! back as the policy says (a push with its retry key, or not greeted); a reply LINE gave
//! no clear answer to is never followed by a push; a greeting whose approver was disabled
//! is held at send time with nothing sent; a re-follow is greeted only when the policy
//! says so.

use std::time::Duration as StdDuration;

use chrono::Duration;
use reqwest::StatusCode;

use crate::fake_line::{DEFAULT_TOKEN, Endpoint, FakeLine, FakeLineConfig};
use crate::greeting::*;
use crate::helpers::*;
use sendgate::jobs::greetings::GreetingStep;

/// The new friend of these tests.
fn friend() -> String {
    uid(9)
}

async fn app_with(fake: &FakeLine) -> TestApp {
    let base = fake.base_url();
    TestApp::spawn_with(move |s| {
        s.line_channel_access_token = Some(DEFAULT_TOKEN.into());
        s.line_api_base = base;
    })
    .await
}

/// The app through the fake, the team, and an active greeting (its gate green, activated).
async fn active_greeting(text: &str) -> (FakeLine, TestApp, Team, i64) {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1), friend()])).await;
    let app = app_with(&fake).await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, text).await;
    let r = activate(&app, &t.mika, draft).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "activated");
    (fake, app, t, draft)
}

/// What the fake delivered to the new friend, by endpoint.
fn delivered(fake: &FakeLine) -> Vec<(Endpoint, String)> {
    fake.delivered_to(&friend())
        .into_iter()
        .map(|d| {
            (
                d.endpoint,
                d.messages[0]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_follow_event_greets_once_with_the_active_approved_revision_through_the_reply_api() {
    let (fake, app, _t, draft) = active_greeting("友だち追加ありがとうございます！").await;
    let (usage, pushes) = (fake.quota_usage(), fake.requests_to(Endpoint::Push));
    let token = fake.issue_reply_token(&friend());
    let r = app
        .webhook(&follow_event(&app, &friend(), "01FOLLOW", &token, false))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the webhook answers at once");
    assert!(
        fake.delivered_to(&friend()).is_empty(),
        "the reply goes out from the queue"
    );

    assert_eq!(greet_all(&app).await, [GreetingStep::Replied(1)]);
    assert_eq!(
        delivered(&fake),
        [(
            Endpoint::Reply,
            "友だち追加ありがとうございます！".to_string()
        )]
    );
    assert_eq!(fake.quota_usage(), usage, "a reply is free");
    assert_eq!(
        fake.requests_to(Endpoint::Push),
        pushes,
        "no push for the greeting"
    );
    let (state, activation, request_id, token_left): (String, i64, Option<String>, Option<String>) =
        sqlx::query_as("SELECT state, activation_id, request_id, reply_token FROM greeting_sends")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(state, "replied");
    let revision: (i64, i64) =
        sqlx::query_as("SELECT draft_id, revision_number FROM greeting_activations WHERE id = ?")
            .bind(activation)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(revision, (draft, 1));
    assert_eq!(
        request_id.as_deref(),
        Some(fake.delivered_to(&friend())[0].request_id.as_str()),
        "LINE's request id is recorded"
    );
    assert_eq!(token_left, None, "the used token is not kept");
    assert!(
        app.audit_actions()
            .await
            .contains(&"greeting.replied".to_string())
    );
    assert!(greet_all(&app).await.is_empty(), "nothing more to do");
}

#[tokio::test]
async fn a_redelivered_follow_greets_nobody_again() {
    let (fake, app, _t, _draft) = active_greeting("ようこそ！").await;
    let token = fake.issue_reply_token(&friend());
    let body = follow_event(&app, &friend(), "01REDELIVER", &token, false);
    app.webhook(&body).await;
    greet_all(&app).await;
    // LINE delivers the same event again (it did not see our 200), before and after the
    // greeting went out.
    let again = body.replace(r#""isRedelivery":false"#, r#""isRedelivery":true"#);
    assert_ne!(again, body);
    for _ in 0..2 {
        let r = app.webhook(&again).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(greet_all(&app).await.is_empty());
    }
    assert_eq!(delivered(&fake).len(), 1, "greeted once");
    assert_eq!(fake.requests_to(Endpoint::Reply), 1);
    assert_eq!(app.count("greeting_sends").await, 1);
}

#[tokio::test]
async fn an_expired_reply_token_is_recorded_as_not_greeted_by_default() {
    let (fake, app, t, _draft) = active_greeting("ようこそ！").await;
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01LATE", &token, false))
        .await;
    // The sender comes to it after the policy's 50 seconds.
    app.clock.advance(Duration::seconds(51));
    assert_eq!(greet_all(&app).await, [GreetingStep::NotGreeted(1)]);
    assert!(fake.delivered_to(&friend()).is_empty(), "nothing was sent");
    assert_eq!(
        fake.requests_to(Endpoint::Reply),
        0,
        "an old token is not even tried"
    );
    assert_eq!(
        outcomes(&app).await,
        [(friend(), "not_greeted".to_string())]
    );
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert!(
        text(&doc, ".greetings-sent").contains("older than the policy's reply deadline"),
        "{}",
        text(&doc, ".greetings-sent")
    );

    // LINE refusing a young token (it expired on LINE's side) is recorded the same way.
    fake.set_reply_token_lifetime(StdDuration::from_millis(20));
    let token = fake.issue_reply_token(&friend());
    tokio::time::sleep(StdDuration::from_millis(60)).await;
    app.webhook(&follow_event(&app, &friend(), "01REFUSED", &token, false))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::NotGreeted(2)]);
    assert_eq!(fake.requests_to(Endpoint::Reply), 1);
    let reason: String = sqlx::query_scalar("SELECT reason FROM greeting_sends WHERE id = 2")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(
        reason,
        "LINE would not take the reply token (Invalid reply token), and the policy records the friend as not greeted instead of pushing."
    );
    assert!(fake.delivered_to(&friend()).is_empty());
    assert_eq!(fake.requests_to(Endpoint::Push), 1, "the test send only");
}

#[tokio::test]
async fn an_expired_reply_token_falls_back_to_a_push_with_its_stored_retry_key_when_the_policy_says_so()
 {
    let (fake, app, _t, _draft) = active_greeting("ようこそ！").await;
    sqlx::query("UPDATE release_policy SET greeting_fallback = 'push'")
        .execute(app.pool())
        .await
        .unwrap();
    let usage = fake.quota_usage();
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01PUSH", &token, false))
        .await;
    app.clock.advance(Duration::seconds(51));
    // LINE is busy at the first push: it is retried with the same key.
    fake.fail_next(Endpoint::Push, 1, 500);
    let steps = greet_all(&app).await;
    assert_eq!(steps[0], GreetingStep::Retrying(1), "{steps:?}");
    app.clock.advance(Duration::seconds(5));
    assert_eq!(greet_all(&app).await, [GreetingStep::Pushed(1)]);
    assert_eq!(
        delivered(&fake),
        [(Endpoint::Push, "ようこそ！".to_string())]
    );
    assert_eq!(fake.quota_usage(), usage + 1, "a push uses quota");
    let key: String = sqlx::query_scalar("SELECT retry_key FROM greeting_sends WHERE id = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(
        fake.retry_key_accepted(&key.parse().unwrap()),
        "the key stored before the call is the one LINE took"
    );
    assert_eq!(outcomes(&app).await, [(friend(), "pushed".to_string())]);

    // A token LINE refuses is pushed the same way.
    let other = uid(10);
    fake.add_friend(&other);
    fake.set_reply_token_lifetime(StdDuration::from_millis(20));
    let token = fake.issue_reply_token(&other);
    tokio::time::sleep(StdDuration::from_millis(60)).await;
    app.webhook(&follow_event(&app, &other, "01PUSH2", &token, false))
        .await;
    assert_eq!(
        greet_all(&app).await,
        [GreetingStep::Retrying(2), GreetingStep::Pushed(2)]
    );
    let got = fake.delivered_to(&other);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].endpoint, Endpoint::Push);
}

#[tokio::test]
async fn a_reply_line_gave_no_clear_answer_to_is_never_followed_by_a_push() {
    let (fake, app, _t, _draft) = active_greeting("ようこそ！").await;
    sqlx::query("UPDATE release_policy SET greeting_fallback = 'push'")
        .execute(app.pool())
        .await
        .unwrap();
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01UNCLEAR", &token, false))
        .await;
    fake.fail_next(Endpoint::Reply, 1, 500);
    assert_eq!(greet_all(&app).await, [GreetingStep::Retrying(1)]);
    // By the retry the token is past the deadline: LINE may have delivered the first one.
    app.clock.advance(Duration::seconds(60));
    assert_eq!(greet_all(&app).await, [GreetingStep::Unknown(1)]);
    assert_eq!(fake.requests_to(Endpoint::Push), 1, "the test send only");
    assert_eq!(outcomes(&app).await, [(friend(), "unknown".to_string())]);
}

#[tokio::test]
async fn a_greeting_whose_approver_was_disabled_is_held_at_send_time_and_nothing_is_sent() {
    let (fake, app, t, draft) = active_greeting("ようこそ！").await;
    let r = app
        .post(
            &t.admin,
            &format!("/admin/users/{}/disable", t.rei_user.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01HELD", &token, false))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::Held(1)]);
    assert_eq!(fake.requests_to(Endpoint::Reply), 0, "nothing was sent");
    assert!(fake.delivered_to(&friend()).is_empty());
    let reasons: String = sqlx::query_scalar("SELECT hold_reasons FROM greeting_sends")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(reasons.contains("1 of 2 approvals"), "{reasons}");

    // The author and the admins are told, once; the page says it is held and why.
    let notes: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, event FROM notifications WHERE event = 'greeting_held'")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(
        notes.len(),
        3,
        "mika (author and activator), ren (approver), ada: {notes:?}"
    );
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert!(text(&doc, "#greeting-held").contains("1 of 2 approvals"));
    assert!(text(&doc, ".greetings-sent").contains("Held: nothing sent"));

    // The next friend is held too, without another notification.
    let other = uid(10);
    fake.add_friend(&other);
    let token = fake.issue_reply_token(&other);
    app.webhook(&follow_event(&app, &other, "01HELD2", &token, false))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::Held(2)]);
    assert_eq!(fake.requests_to(Endpoint::Reply), 0);
    assert_eq!(
        app.count("notifications WHERE event = 'greeting_held'")
            .await,
        3
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"greeting.activation_held".to_string())
    );

    // Fixed: another reviewer approves the revision, and it is activated again.
    let rin = app.create_user("rin", "reviewer").await;
    let rin = app.signed_in(&rin).await;
    assert_eq!(
        app.review(&rin, draft, 1, "approve", "").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        activate(&app, &t.mika, draft).await.status(),
        StatusCode::SEE_OTHER
    );
    let third = uid(11);
    fake.add_friend(&third);
    let token = fake.issue_reply_token(&third);
    app.webhook(&follow_event(&app, &third, "01AGAIN", &token, false))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::Replied(3)]);
    assert_eq!(fake.delivered_to(&third).len(), 1);
    assert!(
        fake.delivered_to(&friend()).is_empty(),
        "the held friends stay held"
    );
}

#[tokio::test]
async fn after_a_crash_a_reply_in_flight_is_never_pushed_and_a_push_is_resent_with_its_key() {
    let (fake, app, _t, _draft) = active_greeting("ようこそ！").await;
    sqlx::query("UPDATE release_policy SET greeting_fallback = 'push'")
        .execute(app.pool())
        .await
        .unwrap();
    // A reply was handed to LINE when the process died: nobody knows whether it arrived.
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01CRASH", &token, false))
        .await;
    sqlx::query("UPDATE greeting_sends SET state = 'sending', method = 'reply', attempts = 1")
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(
        sendgate::jobs::greetings::resume(&app.state).await.unwrap(),
        1
    );
    app.clock.advance(Duration::seconds(55));
    assert_eq!(greet_all(&app).await, [GreetingStep::Unknown(1)]);
    assert_eq!(fake.requests_to(Endpoint::Reply), 0);
    assert_eq!(fake.requests_to(Endpoint::Push), 1, "the test send only");

    // A push LINE took, but whose answer was never recorded: resent with the same key,
    // LINE answers "already accepted", and the friend has it once.
    let other = uid(10);
    fake.add_friend(&other);
    app.webhook(&follow_event(&app, &other, "01CRASH2", "", false))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::Pushed(2)]);
    sqlx::query("UPDATE greeting_sends SET state = 'sending', finished_at = NULL WHERE id = 2")
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(
        sendgate::jobs::greetings::resume(&app.state).await.unwrap(),
        1
    );
    assert_eq!(greet_all(&app).await, [GreetingStep::Pushed(2)]);
    assert_eq!(fake.delivered_to(&other).len(), 1, "greeted once");
    assert_eq!(fake.conflicts(), 1, "LINE recognised the stored retry key");
}

#[tokio::test]
async fn a_re_follow_is_not_greeted_unless_the_policy_says_so() {
    let (fake, app, t, _draft) = active_greeting("ようこそ！").await;
    let token = fake.issue_reply_token(&friend());
    app.webhook(&follow_event(&app, &friend(), "01BACK", &token, true))
        .await;
    assert!(
        greet_all(&app).await.is_empty(),
        "nothing was queued to send"
    );
    assert_eq!(
        outcomes(&app).await,
        [(friend(), "not_greeted".to_string())]
    );
    assert_eq!(fake.requests_to(Endpoint::Reply), 0);
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert!(text(&doc, ".greetings-sent").contains("A re-follow after a block"));
    assert!(text(&doc, ".greetings-sent").contains("(unblocked)"));

    app.set_policy("greet_refollows", 1).await;
    let token = fake.issue_reply_token(&friend());
    app.clock.advance(Duration::seconds(1));
    app.webhook(&follow_event(&app, &friend(), "01BACK2", &token, true))
        .await;
    assert_eq!(greet_all(&app).await, [GreetingStep::Replied(2)]);
    assert_eq!(
        delivered(&fake),
        [(Endpoint::Reply, "ようこそ！".to_string())]
    );
}
