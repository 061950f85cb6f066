//! Issue #18, signing in: throttling shared through the database, bounded signed-out
//! input, same-site return paths, two-factor sign-in, sessions a person can see, and the
//! headers on signed-in pages.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::*;

async fn statuses(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    password: &str,
    n: usize,
) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(app.login(client, name, password).await.status().as_u16());
    }
    out
}

#[tokio::test]
async fn an_attackers_failures_slow_their_address_and_not_the_owner_signing_in_elsewhere() {
    let app = TestApp::spawn().await;
    let root = app.create_user("root", "admin").await;
    let attacker = app.client_from(66);
    assert_eq!(
        statuses(&app, &attacker, "root", "guess", 5).await,
        [401; 5]
    );
    // The attacker's address waits, even with the right password...
    assert_eq!(
        app.login(&attacker, "root", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // ... while the owner at their own address signs in at once.
    let owner = app.client_from(7);
    assert_eq!(
        app.login(&owner, "root", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // A password reset (what the CLI and the admin page do) forgets the failures against
    // the account, so the new password works from everywhere at once.
    sendgate::services::users::reset_password(
        app.pool(),
        app.clock_now(),
        &sendgate::db::audit::Actor::cli(),
        root.id,
        "a brand new passphrase",
    )
    .await
    .unwrap();
    assert_eq!(
        app.login(&attacker, "root", "a brand new passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_password_reset_on_the_admin_page_lifts_the_backoff_for_the_owner() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let taro = app.create_user("taro", "marketer").await;
    let from = app.client_from(9);
    assert_eq!(statuses(&app, &from, "taro", "guess", 5).await, [401; 5]);
    assert_eq!(
        app.login(&from, "taro", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let admin_client = app.signed_in(&admin).await;
    let r = app
        .post(
            &admin_client,
            &format!("/admin/users/{}/password", taro.id),
            &[("password", "another long passphrase")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&from, "taro", "another long passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "the reset cleared the backoff for the owner's own address too"
    );
}

#[tokio::test]
async fn failed_sign_ins_count_on_a_second_server_and_after_a_restart() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    assert_eq!(
        statuses(&app, &app.client(), "taro", "guess", 5).await,
        [401; 5]
    );
    // Another process on the same database file, as after a restart: it knows.
    let second = app.spawn_sharing().await;
    let r = second.login(&second.client(), "taro", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(&html(r).await, ".alert").contains("Wait 15 minutes"));
}

#[tokio::test]
async fn parallel_wrong_passwords_are_counted_before_any_is_checked() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let attempts = (0..100).map(|_| {
        let client = app.client();
        let app = &app;
        async move { app.login(&client, "taro", "wrong").await.status() }
    });
    let results = futures_util::future::join_all(attempts).await;
    let checked = results
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = results
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 95), "{results:?}");
}

#[tokio::test]
async fn huge_signed_out_fields_are_refused_before_anything_is_stored_or_hashed() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let events_before = app.count("audit_events").await;
    let huge = "x".repeat(1_900_000);
    for _ in 0..20 {
        let r = app.login(&app.client(), &huge, "guess").await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(
        app.count("audit_events").await,
        events_before,
        "nothing was recorded"
    );

    // A long name that fits in the body limit is recorded cut short, with its length.
    let long = "y".repeat(10_000);
    let r = app.login(&app.client(), &long, "guess").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let page = r.text().await.unwrap();
    assert!(page.len() < 20_000, "the page does not echo the whole name");
    let (subject, details): (String, String) = sqlx::query_as(
        "SELECT subject, details FROM audit_events WHERE action = 'login.failed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert!(subject.len() < 80, "{subject}");
    assert!(details.len() < 300, "{details}");
    assert!(details.contains("\"username_length\":10000"), "{details}");
}

#[tokio::test]
async fn a_flood_of_failed_sign_ins_is_audited_at_a_bounded_rate_and_summed_up() {
    let app = TestApp::spawn_with(|s| {
        s.login_audit_per_minute = 10;
        s.login_max_failures_per_address = 1_000;
    })
    .await;
    let before = app.count("audit_events").await;
    for i in 0..40 {
        let r = app
            .login(&app.client(), &format!("nobody{i}"), "guess")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.count("audit_events").await - before,
        10,
        "ten a minute, no more"
    );
    app.clock.advance(Duration::minutes(1));
    app.login(&app.client(), "nobody", "guess").await;
    let (details,): (String,) =
        sqlx::query_as("SELECT details FROM audit_events WHERE action = 'login.failures_counted'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(details.contains("\"count\":30"), "{details}");
    assert_eq!(app.count("audit_events").await - before, 12);
}

#[tokio::test]
async fn sign_in_and_the_language_switch_only_return_to_paths_on_this_site() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "admin").await;
    for next in [
        "/%09/evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r\nSet-Cookie: x=y",
        "/\\evil.example/",
        "//evil.example/",
        "/%2F%2Fevil.example/",
        "/%5Cevil.example/",
        "https://evil.example/",
    ] {
        let r = app
            .client()
            .post(app.url("/login"))
            .form(&[("username", "taro"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
        let r = app
            .post(
                &app.client(),
                "/language",
                &[("lang", "ja"), ("back", next)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(&r), "/", "{next:?}");
    }
    // The login page never offers a foreign `next` either.
    let doc = html(
        app.get(&app.client(), "/login?next=%2F%09%2Fevil.example%2F")
            .await,
    )
    .await;
    let sel = scraper::Selector::parse("input[name=next]").unwrap();
    assert_eq!(
        doc.select(&sel).next().unwrap().value().attr("value"),
        Some("/")
    );
    // Local pages still work.
    let r = app
        .post(
            &app.client(),
            "/language",
            &[("lang", "en"), ("back", "/drafts?state=in_review")],
        )
        .await;
    assert_eq!(location(&r), "/drafts?state=in_review");
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_with_a_qr_code_and_asked_for_at_every_sign_in() {
    let app = TestApp::spawn().await;
    let hanako = app.create_user("hanako", "admin").await;
    let client = app.signed_in(&hanako).await;
    let doc = html(app.get(&client, "/account/two-factor").await).await;
    assert_eq!(
        text(&doc, "#two-factor-state"),
        "Two-factor sign-in is off."
    );
    app.post(&client, "/account/two-factor/start", &[]).await;
    let doc = html(app.get(&client, "/account/two-factor").await).await;
    assert_eq!(
        texts(&doc, ".qr svg").len(),
        1,
        "the QR code is drawn inline"
    );
    assert_eq!(text(&doc, "#totp-secret").replace(' ', "").len(), 32);
    // A wrong code is refused where it was typed.
    let r = app
        .post(&client, "/account/two-factor", &[("code", "000000")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, "#code-error").contains("That code is not right"));
    let codes = app.enrol_totp(&client, &hanako).await;
    assert!(codes.iter().all(|c| c.len() == 19), "{codes:?}");
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(app.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(
        codes.iter().all(|c| !stored.contains(c)),
        "only hashes are stored"
    );
    // Admins see who set it up.
    let doc = html(app.get(&client, "/admin/users").await).await;
    assert_eq!(text(&doc, "tbody tr td.two-factor"), "set up");

    // The password alone no longer signs in.
    let phone = app.client();
    let r = app.login(&phone, "hanako", PASSWORD).await;
    assert_eq!(location(&r), "/login/two-factor");
    assert!(
        !r.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("sendgate_session=")),
        "no session before the second factor"
    );
    assert_redirects_to_login(&app.get(&phone, "/").await);
    assert_eq!(
        app.get(&phone, "/login/two-factor").await.status(),
        StatusCode::OK
    );
    let r = app
        .post(&phone, "/login/two-factor", &[("code", "123456")])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let code = app.totp_code(hanako.id).await;
    let r = app
        .post(&phone, "/login/two-factor", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    assert_eq!(app.get(&phone, "/").await.status(), StatusCode::OK);

    // The same code cannot be used twice.
    let other = app.client();
    app.login(&other, "hanako", PASSWORD).await;
    let r = app
        .post(&other, "/login/two-factor", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A recovery code works once.
    let r = app
        .post(
            &other,
            "/login/two-factor",
            &[("code", &codes[0].to_uppercase())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let third = app.client();
    app.login(&third, "hanako", PASSWORD).await;
    let r = app
        .post(&third, "/login/two-factor", &[("code", &codes[0])])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let details: String = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'login' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert!(
        details.contains("\"second_factor\":\"recovery code\""),
        "{details}"
    );
    assert!(details.contains("\"recovery_codes_left\":9"), "{details}");
    assert!(
        app.audit_actions()
            .await
            .contains(&"two_factor.enrolled".to_string())
    );
}

#[tokio::test]
async fn a_few_wrong_codes_end_the_second_step_and_the_password_is_asked_again() {
    let app = TestApp::spawn_with(|s| s.login_max_failures_per_account = 100).await;
    let hanako = app.create_user("hanako", "marketer").await;
    let client = app.signed_in(&hanako).await;
    app.enrol_totp(&client, &hanako).await;
    let phone = app.client();
    app.login(&phone, "hanako", PASSWORD).await;
    for _ in 0..4 {
        let r = app
            .post(&phone, "/login/two-factor", &[("code", "000000")])
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app
        .post(&phone, "/login/two-factor", &[("code", "000000")])
        .await;
    assert_eq!(location(&r), "/login");
    let code = app.totp_code(hanako.id).await;
    let r = app
        .post(&phone, "/login/two-factor", &[("code", &code)])
        .await;
    assert_eq!(
        location(&r),
        "/login",
        "the challenge is over, even with a right code"
    );
}

#[tokio::test]
async fn a_successful_second_factor_clears_the_accounts_backoff_from_everywhere() {
    let app = TestApp::spawn_with(|s| s.login_max_failures_per_account_total = 3).await;
    let hanako = app.create_user("hanako", "marketer").await;
    let client = app.signed_in(&hanako).await;
    app.enrol_totp(&client, &hanako).await;
    // Failures from two other addresses, then the owner's third attempt locks the account
    // for everyone who comes after it...
    for n in [21, 22] {
        assert_eq!(
            app.login(&app.client_from(n), "hanako", "guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let owner = app.client_from(23);
    assert_eq!(
        location(&app.login(&owner, "hanako", PASSWORD).await),
        "/login/two-factor"
    );
    // ... until the owner completes the second factor, which clears it.
    let code = app.totp_code(hanako.id).await;
    let r = app
        .post(&owner, "/login/two-factor", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.clock.advance(Duration::seconds(30));
    let r = app.login(&app.client_from(24), "hanako", PASSWORD).await;
    assert_eq!(location(&r), "/login/two-factor");
}

#[tokio::test]
async fn without_the_second_factor_the_account_backoff_holds_for_everyone() {
    let app = TestApp::spawn_with(|s| s.login_max_failures_per_account_total = 3).await;
    app.create_user("hanako", "marketer").await;
    for n in [31, 32, 33] {
        assert_eq!(
            app.login(&app.client_from(n), "hanako", "guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&app.client_from(34), "hanako", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS,
        "many addresses together can slow an account"
    );
}

#[tokio::test]
async fn the_policy_can_require_two_factor_and_nothing_else_opens_until_it_is_set_up() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let mika = app.create_user("mika", "marketer").await;
    let rei = app.create_user("rei", "reviewer").await;
    let admin_client = app.signed_in(&admin).await;
    let mut form = policy_form(&app, &admin_client).await;
    form.push(("totp_required_for_releasers".into(), "on".into()));
    let r = app.post_owned(&admin_client, "/admin/policy", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let marketer = app.signed_in(&mika).await;
    let r = app.get(&marketer, "/drafts").await;
    assert_eq!(location(&r), "/account/two-factor");
    let doc = html(app.get(&marketer, "/account/two-factor").await).await;
    assert!(text(&doc, "#two-factor-required").contains("requires two-factor sign-in"));
    let r = app
        .post_owned(&marketer, "/drafts", &draft_form("Sale", &["hi"]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("drafts").await, 0);
    // A reviewer is not asked.
    let reviewer = app.signed_in(&rei).await;
    assert_eq!(app.get(&reviewer, "/drafts").await.status(), StatusCode::OK);

    app.enrol_totp(&marketer, &mika).await;
    assert_eq!(app.get(&marketer, "/drafts").await.status(), StatusCode::OK);
    let doc = html(app.get(&marketer, "/account/two-factor").await).await;
    assert!(
        texts(&doc, "#two-factor-off").is_empty(),
        "a required second factor cannot be turned off"
    );
}

/// The policy form as the admin page fills it.
pub async fn policy_form(app: &TestApp, client: &reqwest::Client) -> Vec<(String, String)> {
    let doc = html(app.get(client, "/admin/policy").await).await;
    let inputs =
        scraper::Selector::parse("form.card input, form.card textarea, form.card select").unwrap();
    let mut form = Vec::new();
    for e in doc.select(&inputs) {
        let Some(name) = e.value().attr("name") else {
            continue;
        };
        let value = match e.value().name() {
            "textarea" => e.text().collect::<String>(),
            "select" => {
                let sel = scraper::Selector::parse("option[selected]").unwrap();
                e.select(&sel)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_string()
            }
            _ if e.value().attr("type") == Some("checkbox") => {
                if e.value().attr("checked").is_none() {
                    continue;
                }
                e.value().attr("value").unwrap_or("on").to_string()
            }
            _ => e.value().attr("value").unwrap_or_default().to_string(),
        };
        form.push((name.to_string(), value));
    }
    form
}

#[tokio::test]
async fn a_person_sees_where_they_are_signed_in_and_signs_out_one_or_all_others() {
    let app = TestApp::spawn().await;
    let taro = app.create_user("taro", "marketer").await;
    let browser = |n: u8, agent: &str| {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 0, n]))
            .user_agent(agent)
            .build()
            .unwrap()
    };
    let laptop = browser(
        11,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    );
    let phone = browser(
        12,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    );
    let tablet = browser(
        13,
        "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    );
    for c in [&laptop, &phone, &tablet] {
        assert_eq!(
            app.login(c, "taro", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let r = app.get(&laptop, "/account/sessions").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
    let doc = html(r).await;
    let rows = texts(&doc, "#sessions tbody tr");
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter().any(|r| r.contains("Chrome on Windows")
            && r.contains("this browser")
            && r.contains("127.0.0.11")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Safari on iPhone") && r.contains("127.0.0.12")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains("Firefox on Linux")),
        "{rows:?}"
    );

    // Sign out the phone from the laptop.
    let sel = scraper::Selector::parse("#sessions tbody tr").unwrap();
    let form_sel = scraper::Selector::parse("form").unwrap();
    let phone_action = doc
        .select(&sel)
        .find(|r| r.text().collect::<String>().contains("iPhone"))
        .and_then(|r| r.select(&form_sel).next())
        .and_then(|f| f.value().attr("action"))
        .unwrap()
        .to_string();
    // Nobody else can end it.
    let someone = app.create_user("someone", "reviewer").await;
    let other = app.signed_in(&someone).await;
    assert_eq!(
        app.post(&other, &phone_action, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&phone, "/").await.status(), StatusCode::OK);
    assert_eq!(
        app.post(&laptop, &phone_action, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_redirects_to_login(&app.get(&phone, "/").await);

    let r = app.post(&laptop, "/account/sessions/end-others", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_redirects_to_login(&app.get(&tablet, "/").await);
    assert_eq!(app.get(&laptop, "/").await.status(), StatusCode::OK);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = ?")
        .bind(taro.id)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 1);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"session.ended".to_string()));
    assert!(actions.contains(&"session.ended_others".to_string()));
}

#[tokio::test]
async fn signing_in_beyond_the_cap_on_sessions_ends_the_oldest() {
    let app = TestApp::spawn_with(|s| s.max_sessions_per_user = 2).await;
    let taro = app.create_user("taro", "marketer").await;
    let first = app.signed_in(&taro).await;
    app.clock.advance(Duration::seconds(1));
    let second = app.signed_in(&taro).await;
    app.clock.advance(Duration::seconds(1));
    let third = app.signed_in(&taro).await;
    assert_redirects_to_login(&app.get(&first, "/").await);
    assert_eq!(app.get(&second, "/").await.status(), StatusCode::OK);
    assert_eq!(app.get(&third, "/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn idle_sessions_end_after_the_time_the_policy_sets() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let mut form = policy_form(&app, &client).await;
    for (k, v) in form.iter_mut() {
        if k == "session_idle_hours" {
            *v = "1".into();
        }
    }
    assert_eq!(
        app.post_owned(&client, "/admin/policy", &form)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(Duration::minutes(59));
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);
    app.clock.advance(Duration::minutes(60));
    assert_redirects_to_login(&app.get(&client, "/").await);
}

#[tokio::test]
async fn signed_in_pages_are_never_cached_and_https_deployments_send_hsts() {
    let app = TestApp::spawn_with(|s| s.secure_cookies = true).await;
    let taro = app.create_user("taro", "admin").await;
    let r = app.get(&app.client(), "/login").await;
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // The Secure cookie does not travel over the tests' plain HTTP: send it by hand.
    let r = app.login(&app.client(), "taro", PASSWORD).await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for path in [
        "/",
        "/audit",
        "/admin/users",
        "/audit.csv",
        "/account/sessions",
    ] {
        let r = app
            .client()
            .get(app.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    // Static files keep their own caching.
    let r = app
        .client()
        .get(app.url("/static/style.css"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");
    let _ = taro;

    let plain = TestApp::spawn().await;
    assert!(
        plain
            .get(&plain.client(), "/login")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}

/// Signs `name` in with the password on a fresh browser of `app` and answers the second
/// step with the code `phone_app` shows now; the answer to that code.
async fn sign_in_with_phone(
    app: &TestApp,
    name: &str,
    phone_app: &sendgate::domain::two_factor::TotpSecret,
) -> reqwest::Response {
    let browser = app.client();
    assert_eq!(
        location(&app.login(&browser, name, PASSWORD).await),
        "/login/two-factor"
    );
    app.post(
        &browser,
        "/login/two-factor",
        &[("code", &phone_app.code_at(app.clock_now().timestamp()))],
    )
    .await
}

#[tokio::test]
async fn the_database_holds_the_authenticator_secret_sealed_and_an_old_plain_one_is_sealed_at_start()
 {
    use sendgate::domain::two_factor::TotpSecret;
    let app = TestApp::spawn().await;
    let hanako = app.create_user("hanako", "admin").await;
    let client = app.signed_in(&hanako).await;
    app.post(&client, "/account/two-factor/start", &[]).await;
    // The key the page shows, as a phone's app would take it.
    let doc = html(app.get(&client, "/account/two-factor").await).await;
    let key = text(&doc, "#totp-secret").replace(' ', "");
    let phone_app = TotpSecret::parse(&key).expect("the page shows a whole key");
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT secret FROM user_totp WHERE user_id = ?")
            .bind(hanako.id)
            .fetch_one(app.pool())
            .await
            .unwrap()
    };
    let sealed = stored().await;
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(
        !sealed.contains(&key) && !sealed.contains(&key.to_lowercase()),
        "the database does not hold the key"
    );
    // Moved to another person's row, it does not open for them.
    let other = app.create_user("jiro", "admin").await;
    sqlx::query("INSERT INTO user_totp (user_id, secret, confirmed_at, last_step, created_at) SELECT ?, secret, created_at, 0, created_at FROM user_totp WHERE user_id = ?")
        .bind(other.id)
        .bind(hanako.id)
        .execute(app.pool())
        .await
        .unwrap();
    let r = sign_in_with_phone(&app, "jiro", &phone_app).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a moved secret opens for nobody"
    );

    // The first code from the phone turns it on.
    let r = app
        .post(
            &client,
            "/account/two-factor",
            &[("code", &phone_app.code_at(app.clock_now().timestamp()))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(stored().await, sealed, "confirming keeps the sealed secret");

    // A secret written in plain before secrets were sealed is sealed when a server starts,
    // and the phone's codes go on working.
    sqlx::query("UPDATE user_totp SET secret = ? WHERE user_id = ?")
        .bind(&key)
        .bind(hanako.id)
        .execute(app.pool())
        .await
        .unwrap();
    // Until then the running server does not take it: a plain secret could have been put
    // there by someone who can write to the database but not read the key.
    let r = sign_in_with_phone(&app, "hanako", &phone_app).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a plain secret signs nobody in"
    );
    let restarted = app.spawn_sharing().await;
    let resealed = stored().await;
    assert!(
        resealed.starts_with("v1:") && resealed != sealed,
        "{resealed}"
    );
    assert_eq!(
        app.audit_actions().await.last().map(String::as_str),
        Some("two_factor.secrets_sealed"),
        "the sealing is in the audit log"
    );
    restarted.clock.advance(chrono::Duration::seconds(60));
    let r = sign_in_with_phone(&restarted, "hanako", &phone_app).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
}
