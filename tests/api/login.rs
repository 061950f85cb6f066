use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn signing_in_with_the_right_password_opens_the_dashboard() {
    let app = TestApp::spawn().await;
    let user = app.create_user("taro", "marketer").await;
    let client = app.client();
    let r = app.login(&client, &user.username, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    let doc = html(app.get(&client, "/").await).await;
    assert_eq!(text(&doc, "h1"), "Dashboard");
    assert!(text(&doc, ".who").contains("taro"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_and_only_its_hash_is_stored() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("sendgate_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "not Secure unless configured");
    let token = cookie
        .trim_start_matches("sendgate_session=")
        .split(';')
        .next()
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(app.pool())
        .await
        .unwrap();
    assert_eq!(stored, [sendgate::services::auth::hash_token(token)]);
    assert!(!stored[0].contains(token));
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured() {
    let app = TestApp::spawn_with(|s| s.secure_cookies = true).await;
    app.create_user("taro", "marketer").await;
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let wrong_password = app.login(&app.client(), "taro", "not the password").await;
    let unknown_user = app.login(&app.client(), "jiro", "not the password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    let a = text(&html(wrong_password).await, ".alert");
    let b = text(&html(unknown_user).await, ".alert");
    assert_eq!(a, b);
    assert_eq!(a, "The user name or password is not right.");
    let actions = app.audit_actions().await;
    assert_eq!(
        actions.iter().filter(|a| *a == "login.failed").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in() {
    let app = TestApp::spawn().await;
    app.create_user("admin", "admin").await;
    let user = app.create_user("taro", "marketer").await;
    sendgate::services::users::disable(
        app.pool(),
        app.clock_now(),
        &sendgate::db::audit::Actor::cli(),
        user.id,
    )
    .await
    .unwrap();
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(text(&html(r).await, ".alert").contains("disabled"));
}

#[tokio::test]
async fn too_many_failed_sign_ins_for_an_account_are_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    for _ in 0..5 {
        let r = app.login(&app.client(), "taro", "guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the account is throttled.
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let message = text(&html(r).await, ".alert");
    assert!(
        message.contains("Too many failed sign-ins. Wait 15 minutes"),
        "{message}"
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"login.throttled".to_string())
    );

    app.clock.advance(Duration::minutes(15));
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the window has passed");
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_refused_across_accounts() {
    let app = TestApp::spawn_with(|s| s.login_max_failures_per_address = 4).await;
    app.create_user("taro", "marketer").await;
    for name in ["a1", "a2", "a3", "a4"] {
        app.login(&app.client(), name, "guess").await;
    }
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let user = app.create_user("taro", "marketer").await;
    let client = app.signed_in(&user).await;
    let r = app.post(&client, "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login");
    assert_redirects_to_login(&app.get(&client, "/").await);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    let actions = app.audit_actions().await;
    assert_eq!(actions[actions.len() - 2..], ["login", "logout"]);
}

/// Sends requests with an explicit cookie header, as an attacker holding a copied cookie
/// would.
async fn get_with_cookie(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn session_cookie(app: &TestApp, username: &str) -> String {
    let r = app.login(&app.client(), username, PASSWORD).await;
    r.headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_stolen_cookie_stops_working_after_logout() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let cookie = session_cookie(&app, "taro").await;
    assert_eq!(
        get_with_cookie(&app, &cookie, "/").await.status(),
        StatusCode::OK
    );
    let r = app
        .client()
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_redirects_to_login(&get_with_cookie(&app, &cookie, "/").await);
}

#[tokio::test]
async fn a_session_expires_after_eight_idle_hours() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let cookie = session_cookie(&app, "taro").await;
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        get_with_cookie(&app, &cookie, "/").await.status(),
        StatusCode::OK
    );
    // Activity moved the idle window: 7 more hours is still fine.
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        get_with_cookie(&app, &cookie, "/").await.status(),
        StatusCode::OK
    );
    app.clock.advance(Duration::hours(8));
    assert_redirects_to_login(&get_with_cookie(&app, &cookie, "/").await);
}

#[tokio::test]
async fn a_session_expires_after_seven_days_however_active() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let cookie = session_cookie(&app, "taro").await;
    for _ in 0..27 {
        app.clock.advance(Duration::hours(6));
        assert_eq!(
            get_with_cookie(&app, &cookie, "/").await.status(),
            StatusCode::OK
        );
    }
    app.clock.advance(Duration::hours(6)); // 168 hours
    assert_redirects_to_login(&get_with_cookie(&app, &cookie, "/").await);
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let user = app.create_user("taro", "marketer").await;
    let taro = app.signed_in(&user).await;
    let admin_client = app.signed_in(&admin).await;
    let r = app
        .post(
            &admin_client,
            &format!("/admin/users/{}/disable", user.id),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_redirects_to_login(&app.get(&taro, "/").await);
}

#[tokio::test]
async fn resetting_a_password_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let user = app.create_user("taro", "marketer").await;
    let taro = app.signed_in(&user).await;
    let admin_client = app.signed_in(&admin).await;
    let r = app
        .post(
            &admin_client,
            &format!("/admin/users/{}/password", user.id),
            &[("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_redirects_to_login(&app.get(&taro, "/").await);
    assert_eq!(
        app.login(&app.client(), "taro", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&app.client(), "taro", "a brand new passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn login_returns_to_a_local_page_but_never_to_another_site() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "admin").await;
    let client = app.client();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "taro"),
            ("password", PASSWORD),
            ("next", "/audit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/audit");
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[
            ("username", "taro"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/");
}
