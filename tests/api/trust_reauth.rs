//! Issue #18, "a release asks again": releasing, activating a scenario and changing roles
//! or the policy need a proof of who is asking no older than the policy's
//! `reauth_minutes`; signing in is one. A stale proof gets the confirmation page, which
//! keeps everything that was typed; the action's audit event records the confirmation.

use chrono::Duration;
use reqwest::StatusCode;
use scraper::Selector;

use crate::helpers::*;
use crate::releases::{ready, release};
use crate::trust_login::policy_form;

/// The hidden fields and the action of the confirmation page.
fn confirmation_form(page: &scraper::Html) -> (String, Vec<(String, String)>) {
    let form = Selector::parse("main form").unwrap();
    let hidden = Selector::parse("input[type=hidden]").unwrap();
    let f = page.select(&form).next().expect("a confirmation form");
    let fields = f
        .select(&hidden)
        .map(|i| {
            (
                i.value().attr("name").unwrap().to_string(),
                i.value().attr("value").unwrap_or_default().to_string(),
            )
        })
        .collect();
    (f.value().attr("action").unwrap().to_string(), fields)
}

async fn releases(app: &TestApp) -> i64 {
    app.count("releases").await
}

#[tokio::test]
async fn a_release_with_a_fresh_sign_in_goes_through_and_records_the_proof() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    let r = release(&app, &client, draft, "3").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'release.created'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(
        details.contains("\"confirmed\":{\"by\":\"password\""),
        "{details}"
    );
    assert!(details.contains("\"just_now\":false"), "{details}");
}

#[tokio::test]
async fn a_release_with_a_stale_proof_asks_again_keeps_what_was_typed_and_then_goes_through() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    // The release page, opened while the proof was fresh, has no field for it...
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert!(texts(&page, "#reauth_secret").is_empty());
    let form = acknowledged_form(&page, "typed_phrase", "3");
    // ... and is sent eleven minutes later: the release asks who is there.
    app.clock.advance(Duration::minutes(11));
    let r = app
        .post_owned(&client, &format!("/drafts/{draft}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(text(&doc, "#reauth-message").contains("needs a fresh proof"));
    assert_eq!(releases(&app).await, 0, "nothing was released");
    let (action, mut fields) = confirmation_form(&doc);
    assert_eq!(action, format!("/drafts/{draft}/release"));
    assert!(
        fields.contains(&("typed_phrase".into(), "3".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("read_warning".into(), "on".into())),
        "{fields:?}"
    );
    // A release page opened now shows the field itself.
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert_eq!(texts(&page, "#reauth_secret").len(), 1);

    // A wrong password is refused and still nothing is released.
    let mut wrong = fields.clone();
    wrong.push(("reauth_secret".into(), "not my password".into()));
    let r = app.post_owned(&client, &action, &wrong).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text(&html(r).await, "#reauth-error"),
        "That password or code is not right."
    );
    assert_eq!(releases(&app).await, 0);

    fields.push(("reauth_secret".into(), PASSWORD.into()));
    let r = app.post_owned(&client, &action, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    assert_eq!(releases(&app).await, 1);
    let actions = app.audit_actions().await;
    let n = actions.len();
    assert_eq!(actions[n - 2..], ["session.confirmed", "release.created"]);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'release.created'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(
        details.contains("\"confirmed\":{\"by\":\"password\""),
        "{details}"
    );
    assert!(details.contains("\"just_now\":true"), "{details}");
}

#[tokio::test]
async fn a_proof_stays_fresh_for_the_policys_minutes_and_then_goes_stale() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    app.clock.advance(Duration::minutes(9));
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert!(
        texts(&page, "#reauth_secret").is_empty(),
        "fresh: nothing to type"
    );
    app.clock.advance(Duration::minutes(1));
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert_eq!(
        texts(&page, "#reauth_secret").len(),
        1,
        "ten minutes: asked again"
    );
}

#[tokio::test]
async fn an_admin_with_two_factor_re_proves_with_a_code_and_releases() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    let mika: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'mika'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE users SET is_admin = 1 WHERE id = ?")
        .bind(mika)
        .execute(app.pool())
        .await
        .unwrap();
    app.enrol_totp(
        &client,
        &TestUser {
            id: mika,
            username: "mika".into(),
        },
    )
    .await;
    app.clock.advance(Duration::minutes(30));
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert!(text(&page, "label[for=reauth_secret]").contains("6-digit code"));
    let mut form = acknowledged_form(&page, "typed_phrase", "3");
    form.retain(|(k, _)| k != "reauth_secret");
    form.push(("reauth_secret".into(), app.totp_code(mika).await));
    let r = app
        .post_owned(&client, &format!("/drafts/{draft}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'release.created'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(details.contains("\"by\":\"totp\""), "{details}");
}

#[tokio::test]
async fn wrong_proofs_are_throttled_like_sign_ins() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready(&app, 3, false).await;
    app.clock.advance(Duration::minutes(11));
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    let mut form = acknowledged_form(&page, "typed_phrase", "3");
    form.retain(|(k, _)| k != "reauth_secret");
    form.push(("reauth_secret".into(), "guess".into()));
    for _ in 0..5 {
        let r = app
            .post_owned(&client, &format!("/drafts/{draft}/release"), &form)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    form.pop();
    form.push(("reauth_secret".into(), PASSWORD.into()));
    let r = app
        .post_owned(&client, &format!("/drafts/{draft}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(releases(&app).await, 0);
}

#[tokio::test]
async fn changing_roles_or_the_policy_asks_again_when_the_proof_is_stale() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let rei = app.create_user("rei", "reviewer").await;
    let client = app.signed_in(&admin).await;
    app.clock.advance(Duration::minutes(15));

    let roles = format!("/admin/users/{}/roles", rei.id);
    let r = app
        .post(
            &client,
            &roles,
            &[("roles", "admin"), ("roles", "reviewer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let is_admin: bool = sqlx::query_scalar("SELECT is_admin FROM users WHERE id = ?")
        .bind(rei.id)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(!is_admin, "the roles did not change");
    let (action, mut fields) = confirmation_form(&html(r).await);
    assert_eq!(action, roles);
    assert_eq!(
        fields,
        [
            ("roles".to_string(), "admin".to_string()),
            ("roles".into(), "reviewer".into())
        ]
    );
    fields.push(("reauth_secret".into(), PASSWORD.into()));
    assert_eq!(
        app.post_owned(&client, &action, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'user.roles_changed'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(details.contains("\"confirmed\""), "{details}");

    // Now fresh: the policy saves without asking; later it asks again.
    let form = policy_form(&app, &client).await;
    assert_eq!(
        app.post_owned(&client, "/admin/policy", &form)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(Duration::minutes(10));
    let mut form = policy_form(&app, &client).await;
    for (k, v) in form.iter_mut() {
        if k == "required_approvals" {
            *v = "3".into();
        }
    }
    let r = app.post_owned(&client, "/admin/policy", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, mut fields) = confirmation_form(&html(r).await);
    assert!(fields.contains(&("required_approvals".into(), "3".into())));
    fields.push(("reauth_secret".into(), PASSWORD.into()));
    assert_eq!(
        app.post_owned(&client, "/admin/policy", &fields)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let required: i64 = sqlx::query_scalar("SELECT required_approvals FROM release_policy")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(required, 3);
}

#[tokio::test]
async fn the_policy_sets_how_long_a_proof_lasts() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let mut form = policy_form(&app, &client).await;
    for (k, v) in form.iter_mut() {
        if k == "reauth_minutes" {
            *v = "60".into();
        }
    }
    assert_eq!(
        app.post_owned(&client, "/admin/policy", &form)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(Duration::minutes(45));
    let form = policy_form(&app, &client).await;
    assert_eq!(
        app.post_owned(&client, "/admin/policy", &form)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let mut bad = policy_form(&app, &client).await;
    for (k, v) in bad.iter_mut() {
        if k == "reauth_minutes" {
            *v = "0".into();
        }
    }
    let r = app.post_owned(&client, "/admin/policy", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("from 1 to 1440"));
}

#[tokio::test]
async fn activating_a_scenario_asks_again_when_the_proof_is_stale() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let r = app
        .post(
            &client,
            "/scenarios",
            &[("name", "Welcome"), ("trigger", "first_add")],
        )
        .await;
    let activate = format!("{}/activate", location(&r));
    app.clock.advance(Duration::minutes(11));
    let r = app
        .post(
            &client,
            &activate,
            &[("typed_name", "Welcome"), ("read_warning", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (action, mut fields) = confirmation_form(&html(r).await);
    assert_eq!(action, activate);
    fields.push(("reauth_secret".into(), PASSWORD.into()));
    // Confirmed, the activation itself is asked, and refuses: the scenario has no steps.
    let r = app.post_owned(&client, &action, &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        app.audit_actions()
            .await
            .contains(&"session.confirmed".to_string())
    );
}
