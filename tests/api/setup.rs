use reqwest::StatusCode;

use crate::helpers::*;

fn setup_form<'a>(token: &'a str, password: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("username", "hanako"),
        ("display_name", "佐藤 花子"),
        ("password", password),
        ("password_confirm", password),
    ]
}

fn token_of(app: &TestApp) -> String {
    let url = app
        .setup_url
        .clone()
        .expect("a new database prints a setup URL");
    url.split("token=").nth(1).unwrap().to_string()
}

#[tokio::test]
async fn the_setup_page_opens_only_with_the_printed_token() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = token_of(&app);
    assert_eq!(
        app.get(&client, "/setup").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&client, "/setup?token=guess").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = app.get(&client, &format!("/setup?token={token}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc = html(r).await;
    assert_eq!(text(&doc, "h1"), "Set up sendgate");
}

#[tokio::test]
async fn setup_with_a_wrong_token_creates_nobody() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = app
        .post(&client, "/setup", &setup_form("guess", PASSWORD))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn setup_creates_the_first_admin_and_signs_them_in() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = token_of(&app);
    let r = app
        .post(&client, "/setup", &setup_form(&token, PASSWORD))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/users");
    let doc = html(app.get(&client, "/admin/users").await).await;
    assert!(text(&doc, ".flash").contains("Welcome"));
    assert!(texts(&doc, "tbody td").contains(&"hanako".to_string()));
    assert!(text(&doc, "tbody").contains("admin"));
    let actions = app.audit_actions().await;
    assert_eq!(actions, ["user.created", "setup.completed"]);
}

#[tokio::test]
async fn setup_is_gone_once_a_user_exists() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = token_of(&app);
    app.post(&client, "/setup", &setup_form(&token, PASSWORD))
        .await;
    let again = app.client();
    assert_eq!(
        app.get(&again, &format!("/setup?token={token}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut form = setup_form(&token, PASSWORD);
    form[1] = ("username", "mallory");
    assert_eq!(
        app.post(&again, "/setup", &form).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.user_count().await, 1);
}

#[tokio::test]
async fn setup_with_a_short_password_says_so_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = token_of(&app);
    let r = app
        .post(&client, "/setup", &setup_form(&token, "short"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(text(&doc, ".field-error").contains("at least 12 characters"));
    let username = doc
        .select(&scraper::Selector::parse("#username").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_string();
    assert_eq!(username, "hanako");
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn a_database_with_users_starts_with_setup_closed() {
    let app = TestApp::spawn().await;
    app.create_user("admin", "admin").await;
    let settings = sendgate::config::Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        database: app.db_path.clone(),
        ..Default::default()
    };
    let second = sendgate::startup::Application::build(settings, app.clock.clone())
        .await
        .unwrap();
    assert_eq!(second.setup_url(), None);
}
