use reqwest::StatusCode;

use crate::helpers::*;

/// Every admin page and action, with a form that would change something if allowed.
fn admin_routes(user_id: i64) -> Vec<(&'static str, String)> {
    vec![
        ("GET", "/admin/users".into()),
        ("GET", "/admin/users/new".into()),
        ("GET", format!("/admin/users/{user_id}")),
        ("GET", "/admin/policy".into()),
        ("GET", "/audit".into()),
        ("POST", "/admin/users".into()),
        ("POST", format!("/admin/users/{user_id}/name")),
        ("POST", format!("/admin/users/{user_id}/roles")),
        ("POST", format!("/admin/users/{user_id}/disable")),
        ("POST", format!("/admin/users/{user_id}/enable")),
        ("POST", format!("/admin/users/{user_id}/password")),
        ("POST", "/admin/policy".into()),
    ]
}

fn hostile_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("username", "intruder"),
        ("display_name", "Intruder"),
        ("password", "intruder password 123"),
        ("roles", "admin"),
        ("required_approvals", "1"),
        ("large_audience_threshold", "10000"),
        ("preview_max_age_hours", "24"),
        ("max_drift_percent", "5"),
        ("quiet_hours_start", "22:00"),
        ("quiet_hours_end", "08:00"),
        ("time_zone", "Asia/Tokyo"),
    ]
}

#[tokio::test]
async fn every_admin_route_is_forbidden_for_marketers_and_reviewers() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    for roles in ["marketer", "reviewer", "marketer,reviewer"] {
        let name = format!("u-{}", roles.replace(',', "-"));
        let user = app.create_user(&name, roles).await;
        let client = app.signed_in(&user).await;
        for (method, path) in admin_routes(admin.id) {
            let r = match method {
                "GET" => app.get(&client, &path).await,
                _ => app.post(&client, &path, &hostile_form()).await,
            };
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{roles} {method} {path}");
        }
    }
    // Nothing changed: no intruder, the admin still admin and active, policy untouched.
    assert_eq!(app.user_count().await, 4);
    let policy = sendgate::db::policy::get(app.pool()).await.unwrap();
    assert_eq!(policy.required_approvals, 2);
    let a = sendgate::db::users::find(app.pool(), admin.id)
        .await
        .unwrap()
        .unwrap();
    assert!(a.roles.admin && a.is_active() && a.display_name == "admin");
}

#[tokio::test]
async fn every_admin_route_redirects_to_login_when_signed_out() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.client();
    for (method, path) in admin_routes(admin.id) {
        let r = match method {
            "GET" => app.get(&client, &path).await,
            _ => app.post(&client, &path, &hostile_form()).await,
        };
        assert_redirects_to_login(&r);
    }
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn a_signed_out_visitor_returns_to_the_page_they_asked_for_after_signing_in() {
    let app = TestApp::spawn().await;
    app.create_user("admin", "admin").await;
    let client = app.client();
    let r = app.get(&client, "/audit?action=login").await;
    assert_eq!(location(&r), "/login?next=%2Faudit%3Faction%3Dlogin");
}

#[tokio::test]
async fn an_admin_creates_a_marketer_and_two_reviewers() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    for (name, role) in [
        ("mika", "marketer"),
        ("rei", "reviewer"),
        ("ren", "reviewer"),
    ] {
        let r = app
            .post(
                &client,
                "/admin/users",
                &[
                    ("username", name),
                    ("display_name", name),
                    ("password", PASSWORD),
                    ("roles", role),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{name}");
        assert_eq!(location(&r), "/admin/users", "back to the users list");
        let list = html(app.get(&client, "/admin/users").await).await;
        assert!(
            text(&list, ".flash").contains(&format!("Created {name}.")),
            "the list says who was created: {}",
            text(&list, ".flash")
        );
    }
    let doc = html(app.get(&client, "/admin/users").await).await;
    let rows = texts(&doc, "tbody tr");
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .any(|r| r.contains("mika") && r.contains("marketer"))
    );
    assert_eq!(rows.iter().filter(|r| r.contains("reviewer")).count(), 2);
    // Each new person can sign in with their role.
    let mika = app.client();
    assert_eq!(
        app.login(&mika, "mika", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let created = app
        .audit_actions()
        .await
        .into_iter()
        .filter(|a| a == "user.created")
        .count();
    assert_eq!(created, 4);
}

#[tokio::test]
async fn a_user_can_hold_several_roles() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            "/admin/users",
            &[
                ("username", "both"),
                ("password", PASSWORD),
                ("roles", "marketer"),
                ("roles", "reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = sendgate::db::users::find_by_username(app.pool(), "both")
        .await
        .unwrap()
        .unwrap();
    assert!(u.roles.marketer && u.roles.reviewer && !u.roles.admin);
}

#[tokio::test]
async fn creating_a_user_with_bad_input_shows_every_problem_and_creates_nobody() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            "/admin/users",
            &[
                ("username", "a b"),
                ("password", "short"),
                ("roles", "reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    let errors = texts(&doc, ".field-error");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("letters a-z"));
    assert!(errors[1].contains("at least 12 characters"));
    // The reviewer box stays ticked.
    assert_eq!(
        doc.select(&scraper::Selector::parse("input[value=reviewer][checked]").unwrap())
            .count(),
        1
    );
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn a_taken_user_name_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            "/admin/users",
            &[("username", "Admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("\"admin\" is already taken"));
}

#[tokio::test]
async fn the_last_active_admin_cannot_lose_the_admin_role() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            &format!("/admin/users/{}/roles", admin.id),
            &[("roles", "reviewer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("last active admin"));
    let a = sendgate::db::users::find(app.pool(), admin.id)
        .await
        .unwrap()
        .unwrap();
    assert!(a.roles.admin && !a.roles.reviewer);
    assert!(
        !app.audit_actions()
            .await
            .contains(&"user.roles_changed".to_string())
    );
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_disabled() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    // A disabled second admin does not count.
    let other = app.create_user("old-admin", "admin").await;
    sendgate::services::users::disable(
        app.pool(),
        app.clock_now(),
        &sendgate::db::audit::Actor::cli(),
        other.id,
    )
    .await
    .unwrap();
    let client = app.signed_in(&admin).await;
    let r = app
        .post(&client, &format!("/admin/users/{}/disable", admin.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("last active admin"));
    assert_eq!(
        app.get(&client, "/admin/users").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_a_second_admin_the_first_can_step_down() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    app.create_user("admin2", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            &format!("/admin/users/{}/roles", admin.id),
            &[("roles", "reviewer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Now a reviewer, the same session is refused the admin pages.
    assert_eq!(
        app.get(&client, "/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn disabled_accounts_can_be_enabled_again() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let user = app.create_user("taro", "marketer").await;
    let client = app.signed_in(&admin).await;
    app.post(&client, &format!("/admin/users/{}/disable", user.id), &[])
        .await;
    let r = app
        .post(&client, &format!("/admin/users/{}/enable", user.id), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&app.client(), "taro", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"user.disabled".to_string()));
    assert!(actions.contains(&"user.enabled".to_string()));
}

#[tokio::test]
async fn an_admin_changes_the_policy_and_the_change_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let doc = html(app.get(&client, "/admin/policy").await).await;
    let value = |id: &str| {
        doc.select(&scraper::Selector::parse(&format!("#{id}")).unwrap())
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_string()
    };
    assert_eq!(value("required_approvals"), "2");
    assert_eq!(value("time_zone"), "Asia/Tokyo");
    let r = app
        .post(
            &client,
            "/admin/policy",
            &[
                ("required_approvals", "3"),
                ("large_audience_threshold", "50000"),
                ("preview_max_age_hours", "12"),
                ("max_drift_percent", "5"),
                ("quiet_hours_start", "21:00"),
                ("quiet_hours_end", "09:00"),
                ("time_zone", "Asia/Tokyo"),
                ("link_allow_list", "shop.example.co.jp"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p = sendgate::db::policy::get(app.pool()).await.unwrap();
    assert_eq!(p.required_approvals, 3);
    assert_eq!(p.large_audience_threshold, 50_000);
    assert_eq!(p.preview_max_age_minutes, 720);
    assert_eq!(p.link_allow_list, ["shop.example.co.jp"]);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'policy.changed'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    let d: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(d["required_approvals"]["from"], "2");
    assert_eq!(d["required_approvals"]["to"], "3");
    assert!(
        d.get("max_drift_percent").is_none(),
        "unchanged values are not listed"
    );
}

#[tokio::test]
async fn out_of_range_policy_values_are_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let r = app
        .post(
            &client,
            "/admin/policy",
            &[
                ("required_approvals", "9"),
                ("large_audience_threshold", "10000"),
                ("preview_max_age_hours", "24"),
                ("max_drift_percent", "5"),
                ("quiet_hours_start", "22:00"),
                ("quiet_hours_end", "08:00"),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    let errors = texts(&doc, ".field-error");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("from 1 to 5"));
    assert!(errors[1].contains("IANA time zone"));
    assert_eq!(
        sendgate::db::policy::get(app.pool())
            .await
            .unwrap()
            .required_approvals,
        2
    );
    assert!(
        !app.audit_actions()
            .await
            .contains(&"policy.changed".to_string())
    );
}
