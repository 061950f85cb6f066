use reqwest::StatusCode;

use crate::helpers::*;

async fn create_user_from(
    app: &TestApp,
    client: &reqwest::Client,
    headers: &[(&str, &str)],
) -> StatusCode {
    let mut req = client.post(app.url("/admin/users")).form(&[
        ("username", "mallory"),
        ("password", PASSWORD),
        ("roles", "admin"),
    ]);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let status = create_user_from(
        &app,
        &client,
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_without_fetch_metadata_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let status = create_user_from(&app, &client, &[("origin", "https://evil.example")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn a_cross_site_logout_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user("taro", "marketer").await;
    let client = app.signed_in(&user).await;
    let r = client
        .post(app.url("/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(text(&html(r).await, "h1").contains("Request refused"));
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_same_origin_post_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    let origin = app.address.clone();
    let status = create_user_from(
        &app,
        &client,
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", origin.as_str()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.user_count().await, 2);
}

#[tokio::test]
async fn a_cross_site_login_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user("taro", "marketer").await;
    let r = app
        .client()
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "taro"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
