//! The greeting message behind the gate (issue #19), in sandbox mode: a greeting draft goes
//! through the same rules as a release and is activated with the account's name typed;
//! the active one keeps being sent while a new revision waits; deactivation is one audited
//! click; a greeting is never released and has no audience preview; the policy's greeting
//! settings; the sandbox's new friend; and the demo's. The same flows through the real
//! LINE client are in `greeting_line.rs`.

use chrono::{TimeZone, Utc};
use reqwest::{Client, StatusCode};
use scraper::Html;

use crate::helpers::*;

/// The account's name a person types to activate (the default setting).
pub const ACCOUNT_NAME: &str = "LINE Official Account";

/// A marketer (mika, whose phone uid(1) is the paired tester), two reviewers (rei, ren)
/// and an admin (ada), all signed in.
pub struct Team {
    pub mika: Client,
    pub mika_user: TestUser,
    pub rei: Client,
    pub rei_user: TestUser,
    pub ren: Client,
    pub admin: Client,
}

pub async fn team(app: &TestApp) -> Team {
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let csv = format!("user_id,display_name\n{},みかのスマホ\n", uid(1));
    assert_eq!(
        app.import_csv(&mika, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    app.pair_phone(&mika, &uid(1)).await;
    let rei_user = app.create_user("rei", "reviewer").await;
    let ren = app.create_user("ren", "reviewer").await;
    let ada = app.create_user("ada", "admin").await;
    Team {
        rei: app.signed_in(&rei_user).await,
        rei_user,
        ren: app.signed_in(&ren).await,
        admin: app.signed_in(&ada).await,
        mika,
        mika_user: m,
    }
}

/// A new greeting draft from the greeting page; returns its id.
pub async fn write_greeting(app: &TestApp, t: &Team, title: &str, text: &str) -> i64 {
    let r = app
        .post(&t.mika, "/greeting", &[("title", title), ("text", text)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the greeting draft was saved"
    );
    location(&r).trim_start_matches("/drafts/").parse().unwrap()
}

/// Both reviewers approve revision `revision`.
pub async fn approve(app: &TestApp, t: &Team, draft: i64, revision: i64) {
    for c in [&t.rei, &t.ren] {
        let r = app.review(c, draft, revision, "approve", "").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
}

/// A greeting written, submitted, approved by both reviewers and test-sent and confirmed:
/// its gate is green but for the typed name.
pub async fn green_greeting(app: &TestApp, t: &Team, text: &str) -> i64 {
    let draft = write_greeting(app, t, "友だち追加のあいさつ", text).await;
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;
    approve(app, t, draft, 1).await;
    app.confirmed_test_send(&t.mika, draft).await;
    draft
}

pub async fn activation_page(app: &TestApp, client: &Client, draft: i64) -> Html {
    let r = app
        .get(client, &format!("/greeting/{draft}/activate"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    html(r).await
}

/// Activates as a careful person does: every warning acknowledged, the warning read, the
/// account's name typed.
pub async fn activate(app: &TestApp, client: &Client, draft: i64) -> reqwest::Response {
    let page = activation_page(app, client, draft).await;
    let form = acknowledged_form(&page, "typed_name", ACCOUNT_NAME);
    app.post_owned(client, &format!("/greeting/{draft}/activate"), &form)
        .await
}

/// The active greeting: (draft, revision).
pub async fn active(app: &TestApp) -> Option<(i64, i64)> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT draft_id, revision_number FROM greeting_activations WHERE ended_at IS NULL",
    )
    .fetch_optional(app.pool())
    .await
    .unwrap()
}

/// A signed LINE follow event for `user` with `token`, at the app's clock.
pub fn follow_event(
    app: &TestApp,
    user: &str,
    event_id: &str,
    token: &str,
    unblocked: bool,
) -> String {
    serde_json::json!({
        "destination": "U00000000000000000000000000000000",
        "events": [{
            "type": "follow",
            "mode": "active",
            "timestamp": app.clock_now().timestamp_millis(),
            "webhookEventId": event_id,
            "deliveryContext": { "isRedelivery": false },
            "source": { "type": "user", "userId": user },
            "replyToken": token,
            "follow": { "isUnblocked": unblocked }
        }]
    })
    .to_string()
}

/// Runs the greeting sender until nothing is due now; returns its steps.
pub async fn greet_all(app: &TestApp) -> Vec<sendgate::jobs::greetings::GreetingStep> {
    let mut steps = Vec::new();
    loop {
        let step = sendgate::jobs::greetings::send_next(&app.state)
            .await
            .expect("greeting step");
        if step == sendgate::jobs::greetings::GreetingStep::Idle {
            return steps;
        }
        steps.push(step);
        assert!(steps.len() < 100, "the greeting sender does not settle");
    }
}

/// Each greeting's friend and outcome, oldest first.
pub async fn outcomes(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as::<_, (String, String)>("SELECT user_id, state FROM greeting_sends ORDER BY id")
        .fetch_all(app.pool())
        .await
        .unwrap()
}

/// The texts the sandbox delivered to `user`, by method, oldest first.
async fn sandbox_inbox(app: &TestApp, user: &str) -> Vec<(String, String)> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT b.method, b.messages FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id
         WHERE i.user_id = ? ORDER BY b.id",
    )
    .bind(user)
    .fetch_all(app.pool())
    .await
    .unwrap()
}

/// A new friend added from the sandbox's simulated phone.
async fn sandbox_follow(app: &TestApp, client: &Client, user: &str) {
    let r = app
        .post(client, "/sandbox/follow", &[("user_id", user)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/sandbox?user={user}"));
}

#[tokio::test]
async fn an_unapproved_or_untested_greeting_cannot_be_activated() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = write_greeting(&app, &t, "Welcome", "友だち追加ありがとうございます！").await;
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;

    // Not approved, not tested: the page offers no form, and a forged post is refused.
    let page = activation_page(&app, &t.mika, draft).await;
    assert!(texts(&page, "#activate-button").is_empty());
    let missing = texts(&page, "#activation-checks li.missing");
    assert!(
        missing.iter().any(|m| m.starts_with("Approvals")),
        "{missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.starts_with("Test send")),
        "{missing:?}"
    );
    let forged = [("typed_name", ACCOUNT_NAME), ("read_warning", "on")];
    let r = app
        .post(&t.mika, &format!("/greeting/{draft}/activate"), &forged)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let doc = html(r).await;
    assert!(text(&doc, "#activation-problem").contains("Not activated."));

    // Approved but untested: still refused.
    approve(&app, &t, draft, 1).await;
    let r = app
        .post(&t.mika, &format!("/greeting/{draft}/activate"), &forged)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        text(&html(r).await, "#activation-problem").contains("Test send"),
        "the refusal names the test send"
    );

    // One approval and the test: refused on the approvals.
    let other = write_greeting(&app, &t, "Other", "ようこそ！").await;
    app.post(&t.mika, &format!("/drafts/{other}/submit"), &[])
        .await;
    app.review(&t.rei, other, 1, "approve", "").await;
    app.confirmed_test_send(&t.mika, other).await;
    let r = app
        .post(&t.mika, &format!("/greeting/{other}/activate"), &forged)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "#activation-problem").contains("1 of 2 approvals"));

    assert_eq!(app.count("greeting_activations").await, 0);
    assert_eq!(active(&app).await, None);
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert_eq!(texts(&doc, "#no-active-greeting").len(), 1);
}

#[tokio::test]
async fn activation_needs_the_warning_read_and_the_accounts_name_typed() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "友だち追加ありがとうございます！").await;
    let page = activation_page(&app, &t.mika, draft).await;
    assert_eq!(texts(&page, "#activate-button").len(), 1);
    assert!(text(&page, ".irreversible").contains("cannot be retracted"));
    assert!(text(&page, "label[for=typed_name]").contains(ACCOUNT_NAME));
    assert!(text(&page, "#turn-off-oam-greeting").contains("nobody is greeted twice"));

    let wrong = acknowledged_form(&page, "typed_name", "Another account");
    let r = app
        .post_owned(&t.mika, &format!("/greeting/{draft}/activate"), &wrong)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let doc = html(r).await;
    assert_eq!(
        text(&doc, "#typed-name-error"),
        format!("Type {ACCOUNT_NAME} to confirm.")
    );
    let unread = [("typed_name", ACCOUNT_NAME)];
    let r = app
        .post(&t.mika, &format!("/greeting/{draft}/activate"), &unread)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(active(&app).await, None, "nothing was activated");

    // A reviewer may read the page but not activate.
    let r = app
        .post_owned(
            &t.rei,
            &format!("/greeting/{draft}/activate"),
            &acknowledged_form(&page, "typed_name", ACCOUNT_NAME),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let dash = html(app.get(&t.mika, "/").await).await;
    assert!(
        text(&dash, "main").contains("is ready to be activated"),
        "the dashboard tells the author: {}",
        text(&dash, "main")
    );
    let r = activate(&app, &t.mika, draft).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/greeting");
    let dash = html(app.get(&t.mika, "/").await).await;
    assert!(!text(&dash, "main").contains("is ready to be activated"));
    // Activating the active revision again is refused, and its page offers no form.
    let page = activation_page(&app, &t.mika, draft).await;
    assert!(texts(&page, "#activate-button").is_empty());
    assert!(text(&page, "#activation-problem").contains("already the active greeting"));
    assert_eq!(active(&app).await, Some((draft, 1)));
    assert!(
        app.audit_actions()
            .await
            .contains(&"greeting.activated".to_string())
    );
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert_eq!(text(&doc, "#active-revision"), "Revision 1");
    assert!(text(&doc, "#active-greeting .bubble-text").contains("友だち追加ありがとうございます"));
    assert!(
        text(&doc, "#turn-off-oam-greeting").contains("turn that one off"),
        "the page tells the admin to turn off LINE's own greeting"
    );
}

#[tokio::test]
async fn editing_the_active_greeting_keeps_the_old_one_until_the_new_one_is_activated() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "友だち追加ありがとうございます！（第1版）").await;
    assert_eq!(
        activate(&app, &t.mika, draft).await.status(),
        StatusCode::SEE_OTHER
    );

    // Revision 2 is written and even refused by a reviewer: revision 1 keeps being sent.
    let mut form = draft_form("Welcome", &["友だち追加ありがとうございます！（第2版）"]);
    form[0].1 = "greeting".into();
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.review(
        &t.rei,
        draft,
        2,
        "request_changes",
        "絵文字を入れてください",
    )
    .await;
    assert_eq!(active(&app).await, Some((draft, 1)));
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert!(
        text(&doc, "#newer-revision").contains(
            "Until it passes the gate and is activated, new friends keep receiving revision 1."
        ),
        "{}",
        text(&doc, "#newer-revision")
    );
    let page = app.draft_page(&t.mika, draft).await;
    assert!(text(&page, "#active-greeting-note").contains(
        "Revision 1 is the active greeting message and keeps being sent until revision 2"
    ),);
    assert!(
        texts(&page, "#activate-link").is_empty(),
        "revision 2 is not green"
    );

    sandbox_follow(&app, &t.mika, &uid(50)).await;
    greet_all(&app).await;
    let inbox = sandbox_inbox(&app, &uid(50)).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].0, "reply");
    assert!(inbox[0].1.contains("（第1版）"), "{}", inbox[0].1);

    // Revision 2 passes the gate and is activated: from then on it is sent.
    for c in [&t.rei, &t.ren] {
        app.review(c, draft, 2, "approve", "").await;
    }
    app.confirmed_test_send(&t.mika, draft).await;
    assert_eq!(
        activate(&app, &t.mika, draft).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(active(&app).await, Some((draft, 2)));
    assert_eq!(
        app.count("greeting_activations").await,
        2,
        "one active, one replaced"
    );
    sandbox_follow(&app, &t.mika, &uid(51)).await;
    greet_all(&app).await;
    let inbox = sandbox_inbox(&app, &uid(51)).await;
    assert!(inbox[0].1.contains("（第2版）"), "{}", inbox[0].1);
    assert_eq!(
        sandbox_inbox(&app, &uid(50)).await.len(),
        1,
        "nobody greeted twice"
    );
}

#[tokio::test]
async fn deactivating_is_one_audited_click_and_a_queued_friend_is_then_not_greeted() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "ようこそ！").await;
    activate(&app, &t.mika, draft).await;
    sandbox_follow(&app, &t.mika, &uid(60)).await;

    let r = app.post(&t.rei, "/greeting/deactivate", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a reviewer cannot");
    let r = app.post(&t.mika, "/greeting/deactivate", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(active(&app).await, None);
    assert!(
        app.audit_actions()
            .await
            .contains(&"greeting.deactivated".to_string())
    );
    greet_all(&app).await;
    assert_eq!(outcomes(&app).await, [(uid(60), "not_greeted".to_string())]);
    assert!(sandbox_inbox(&app, &uid(60)).await.is_empty());
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert!(text(&doc, "#recent-greetings").contains("No greeting message was active any more"));

    // With no greeting active a new friend queues nothing.
    sandbox_follow(&app, &t.mika, &uid(61)).await;
    assert_eq!(app.count("greeting_sends").await, 1);
    let r = app.post(&t.mika, "/greeting/deactivate", &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_greeting_is_never_released_has_no_preview_and_keeps_its_kind() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "ようこそ！").await;
    let r = app.get(&t.mika, &format!("/drafts/{draft}/release")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "main").contains("A greeting message is not released"));
    let r = app
        .post(
            &t.mika,
            &format!("/drafts/{draft}/release"),
            &[("typed_phrase", "0"), ("read_warning", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("releases").await, 0);
    let r = app
        .post(&t.mika, &format!("/drafts/{draft}/previews"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("previews").await, 0);

    // The draft page leads to the activation, not to a release or a preview.
    let page = app.draft_page(&t.mika, draft).await;
    assert!(texts(&page, "#release-link").is_empty());
    assert!(texts(&page, "#gate-preview").is_empty());
    assert_eq!(texts(&page, "#activate-link").len(), 1);
    assert!(text(&page, "#gate-summary").contains("activate it on the greeting page"));

    // Whatever the form says, the kind stays; a segment or a send time is refused.
    let mut form = draft_form("Welcome", &["ようこそ！！"]);
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kind: String = sqlx::query_scalar("SELECT kind FROM drafts WHERE id = ?")
        .bind(draft)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(kind, "greeting");
    let mut form = draft_form("Welcome", &["ようこそ！！！"]);
    form[0].1 = "greeting".into();
    form.push(("base_revision".into(), "2".into()));
    form.push(("send_at".into(), "2026-12-01T10:00".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&html(r).await, ".field-error").contains("it has no send time"),
        "the send time is refused where it was typed"
    );
    let edit = html(app.get(&t.mika, &format!("/drafts/{draft}/edit")).await).await;
    assert!(
        texts(&edit, "#send_at").is_empty(),
        "the editor offers no send time"
    );
    assert!(text(&edit, "#fixed-audience").contains("each new friend"));
}

#[tokio::test]
async fn a_bad_new_greeting_is_shown_again_with_its_problems() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let r = app
        .post(&t.mika, "/greeting", &[("title", ""), ("text", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(text(&doc, "#new-greeting .alert").contains("Give the draft a title."));
    assert_eq!(app.count("drafts").await, 0);
    let r = app
        .post(&t.rei, "/greeting", &[("title", "x"), ("text", "y")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_release_policy_decides_re_follows_the_fallback_and_the_deadline() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let doc = html(app.get(&t.admin, "/admin/policy").await).await;
    let mut form: Vec<(String, String)> = Vec::new();
    for sel in ["input", "textarea"] {
        let s = scraper::Selector::parse(&format!("form {sel}[name]")).unwrap();
        for e in doc.select(&s) {
            // A browser posts a checkbox only when it is ticked (the two-factor roles).
            let unticked = matches!(e.value().attr("type"), Some("checkbox" | "radio"))
                && e.value().attr("checked").is_none();
            if unticked {
                continue;
            }
            let name = e.value().attr("name").unwrap().to_string();
            let value = if sel == "textarea" {
                e.text().collect()
            } else {
                e.value().attr("value").unwrap_or_default().to_string()
            };
            form.push((name, value));
        }
    }
    let selected = |name: &str| {
        let s = scraper::Selector::parse(&format!("select[name={name}] option[selected]")).unwrap();
        doc.select(&s)
            .next()
            .and_then(|o| o.value().attr("value"))
            .unwrap()
            .to_string()
    };
    assert_eq!(selected("greet_refollows"), "no");
    assert_eq!(selected("greeting_fallback"), "not_greeted");
    assert!(form.contains(&("greeting_reply_deadline_seconds".into(), "50".into())));
    form.push(("held_messages".into(), selected("held_messages")));
    form.retain(|(k, _)| k != "greeting_reply_deadline_seconds");

    let mut bad = form.clone();
    bad.push(("greet_refollows".into(), "yes".into()));
    bad.push(("greeting_fallback".into(), "push".into()));
    bad.push(("greeting_reply_deadline_seconds".into(), "90".into()));
    let r = app.post_owned(&t.admin, "/admin/policy", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&html(r).await, "#reply-deadline-error"),
        "The reply deadline must be a whole number from 5 to 60."
    );

    form.push(("greet_refollows".into(), "yes".into()));
    form.push(("greeting_fallback".into(), "push".into()));
    form.push(("greeting_reply_deadline_seconds".into(), "20".into()));
    let r = app.post_owned(&t.admin, "/admin/policy", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (refollows, fallback, deadline): (i64, String, i64) = sqlx::query_as(
        "SELECT greet_refollows, greeting_fallback, greeting_reply_deadline_seconds FROM release_policy",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!((refollows, fallback.as_str(), deadline), (1, "push", 20));
    assert!(
        app.audit_actions()
            .await
            .contains(&"policy.changed".to_string())
    );
    // Every page reads the policy with the session: the greeting page says what it does.
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    let how = text(&doc, "main");
    assert!(
        how.contains("A friend who unblocks the account gets it again"),
        "{how}"
    );
    assert!(how.contains("within 20 seconds of the follow, the greeting is pushed instead"));
    assert!(how.contains("Quiet hours do not apply"));
    let policy = html(app.get(&t.admin, "/admin/policy").await).await;
    assert!(text(&policy, "#greeting-policy").contains("quiet hours do not apply"));
}

#[tokio::test]
async fn a_sandbox_friend_is_greeted_in_quiet_hours_with_a_free_reply_and_the_page_shows_it() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "友だち追加ありがとうございます！").await;
    activate(&app, &t.mika, draft).await;
    // 23:30 in Tokyo: quiet hours, which a greeting does not wait for.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap());
    let token =
        sendgate::delivery::sandbox::issue_reply_token(app.pool(), &uid(70), app.clock_now())
            .await
            .unwrap();
    let r = app
        .webhook(&follow_event(&app, &uid(70), "ev-70", &token, false))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let used_before: i64 = sendgate::delivery::DeliveryProvider::quota(app.state.provider.as_ref())
        .await
        .unwrap()
        .used;
    assert_eq!(
        greet_all(&app).await,
        [sendgate::jobs::greetings::GreetingStep::Replied(1)]
    );
    let inbox = sandbox_inbox(&app, &uid(70)).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].0, "reply");
    let used_after = sendgate::delivery::DeliveryProvider::quota(app.state.provider.as_ref())
        .await
        .unwrap()
        .used;
    assert_eq!(used_after, used_before, "a reply uses no quota");

    // Sessions end after 8 idle hours: sign in again to read the page.
    let mika = app.signed_in(&t.mika_user).await;
    let doc = html(app.get(&mika, "/greeting").await).await;
    assert_eq!(texts(&doc, ".greetings-sent tr.greeting-replied").len(), 1);
    assert!(text(&doc, ".greetings-sent").contains("Greeted by reply"));
    assert!(text(&doc, ".greetings-sent").contains(&uid(70)));
}

#[tokio::test]
async fn the_demos_sandbox_friend_receives_the_greeting() {
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    assert_eq!(active(&app).await, Some((seeded.greeting, 1)));
    let marketer = &seeded.users[0];
    let client = app.client();
    app.login(&client, marketer.username, &marketer.password)
        .await;
    let sandbox = html(app.get(&client, "/sandbox").await).await;
    let new_friend = {
        let s = scraper::Selector::parse("#follow-user").unwrap();
        sandbox
            .select(&s)
            .next()
            .and_then(|i| i.value().attr("value"))
            .expect("the sandbox offers a new friend")
            .to_string()
    };
    sandbox_follow(&app, &client, &new_friend).await;
    greet_all(&app).await;
    let doc = html(
        app.get(&client, &format!("/sandbox?user={new_friend}"))
            .await,
    )
    .await;
    let bubbles = text(&doc, ".delivery .bubble-text");
    assert!(
        bubbles.contains("友だち追加ありがとうございます"),
        "the demo's greeting is in the new friend's sandbox inbox: {bubbles}"
    );
    let greeting = html(app.get(&client, "/greeting").await).await;
    assert_eq!(
        texts(&greeting, ".greetings-sent tr.greeting-replied").len(),
        1
    );
}

#[tokio::test]
async fn the_greeting_pages_read_in_japanese_with_every_outcome() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = green_greeting(&app, &t, "友だち追加ありがとうございます！").await;
    activate(&app, &t.mika, draft).await;
    sandbox_follow(&app, &t.mika, &uid(80)).await;
    let r = app
        .post(
            &t.mika,
            "/sandbox/follow",
            &[("user_id", &uid(81)), ("unblocked", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    greet_all(&app).await;
    app.post(
        &t.admin,
        &format!("/admin/users/{}/disable", t.rei_user.id),
        &[],
    )
    .await;
    sandbox_follow(&app, &t.mika, &uid(82)).await;
    greet_all(&app).await;
    assert_eq!(
        outcomes(&app).await,
        [
            (uid(80), "replied".to_string()),
            (uid(81), "not_greeted".to_string()),
            (uid(82), "held".to_string())
        ]
    );
    let r = app
        .post(
            &t.mika,
            "/language",
            &[("lang", "ja"), ("back", "/greeting")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for path in [
        "/greeting".to_string(),
        format!("/drafts/{draft}"),
        format!("/greeting/{draft}/activate"),
        "/sandbox".to_string(),
        "/notifications".to_string(),
    ] {
        let doc = html(app.get(&t.mika, &path).await).await;
        let words: Vec<String> = crate::i18n::english_words(&doc)
            .into_iter()
            // The people's names are user names here.
            .filter(|w| {
                !crate::i18n::NAMES.contains(&w.as_str()) && !["mika", "ren"].contains(&w.as_str())
            })
            .collect();
        assert!(words.is_empty(), "English left on {path}: {words:?}");
    }
    let doc = html(app.get(&t.mika, "/greeting").await).await;
    assert_eq!(text(&doc, "h1"), "あいさつメッセージ");
    let sent = text(&doc, ".greetings-sent");
    for outcome in [
        "応答メッセージで送信済み",
        "未送信",
        "保留: 送信なし",
        "ブロック解除による再追加",
    ] {
        assert!(sent.contains(outcome), "{outcome} in {sent}");
    }
    assert!(text(&doc, "#turn-off-oam-greeting").contains("トークルーム管理"));
    assert!(text(&doc, "#greeting-held").contains("承認"));
}
