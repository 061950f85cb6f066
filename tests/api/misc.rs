use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_ok_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let r = app.get(&app.client(), "/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/healthz", "/no-such-page"] {
        let r = app.get(&app.client(), path).await;
        let h = r.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    for path in [
        "/",
        "/admin/users",
        "/admin/policy",
        "/audit",
        "/admin/users/new",
    ] {
        let doc = html(app.get(&client, path).await).await;
        for script in doc.select(&scraper::Selector::parse("script").unwrap()) {
            assert!(script.value().attr("src").is_some(), "{path}");
            assert!(
                script.text().collect::<String>().trim().is_empty(),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_page_gets_the_not_found_page() {
    let app = TestApp::spawn().await;
    let r = app.get(&app.client(), "/no-such-page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(text(&html(r).await, "h1"), "Page not found");
}

#[tokio::test]
async fn a_missing_user_is_not_found_for_an_admin() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    assert_eq!(
        app.get(&client, "/admin/users/999").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_navigation_shows_only_what_the_role_may_use() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let reviewer = app.create_user("rei", "reviewer").await;
    let doc = html(app.get(&app.signed_in(&admin).await, "/").await).await;
    assert_eq!(
        texts(&doc, "header nav a"),
        [
            "Dashboard",
            "Drafts",
            "Images",
            "Scenarios",
            "Greeting message",
            "Incidents",
            "Friends",
            "Segments",
            "Testers",
            "Sandbox",
            "Users",
            "Release policy",
            "Audit log"
        ]
    );
    let doc = html(app.get(&app.signed_in(&reviewer).await, "/").await).await;
    assert_eq!(
        texts(&doc, "header nav a"),
        [
            "Dashboard",
            "Drafts",
            "Images",
            "Scenarios",
            "Greeting message",
            "Incidents",
            "Friends",
            "Segments",
            "Testers",
            "Sandbox"
        ]
    );
}

#[tokio::test]
async fn text_people_typed_is_escaped() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    app.post(
        &client,
        "/admin/users",
        &[
            ("username", "xss"),
            ("display_name", "<script>alert(1)</script>"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let body = app.get(&client, "/admin/users").await.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(
        body.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || body.contains("&lt;script&gt;")
    );
}

#[tokio::test]
async fn the_stylesheet_is_served() {
    let app = TestApp::spawn().await;
    let r = app.get(&app.client(), "/static/style.css").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn every_signed_in_page_says_when_nothing_leaves_the_machine() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    for path in [
        "/",
        "/drafts",
        "/friends",
        "/segments",
        "/testers",
        "/sandbox",
    ] {
        let doc = html(app.get(&client, path).await).await;
        assert!(
            text(&doc, ".sandbox-banner").contains("Sandbox: nothing leaves this machine"),
            "{path}"
        );
    }
}
