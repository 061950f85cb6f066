//! `serve --demo`: the demo account is seeded through the services into an empty
//! database, has a draft in every state, and each demo person can sign in.

use reqwest::StatusCode;
use sendgate::demo;

use crate::helpers::*;

async fn state_of(app: &TestApp, draft: i64) -> String {
    sqlx::query_scalar("SELECT state FROM drafts WHERE id = ?")
        .bind(draft)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

async fn verdicts(app: &TestApp, draft: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT verdict FROM reviews WHERE draft_id = ? ORDER BY id")
        .bind(draft)
        .fetch_all(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_seeds_a_japanese_account_with_drafts_in_every_state() {
    let app = TestApp::spawn().await;
    let seeded = demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let d = &seeded.drafts;

    assert_eq!(app.count("friends").await, demo::FRIENDS as i64);
    assert_eq!(app.count("segments").await, 3);
    let testers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM friends WHERE is_tester = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(testers, 2);

    assert_eq!(state_of(&app, d.draft).await, "draft");
    assert_eq!(state_of(&app, d.one_approval).await, "in_review");
    assert_eq!(verdicts(&app, d.one_approval).await, ["approve"]);
    assert_eq!(state_of(&app, d.changes_requested).await, "in_review");
    assert_eq!(
        verdicts(&app, d.changes_requested).await,
        ["request_changes"]
    );
    assert_eq!(state_of(&app, d.ready).await, "in_review");
    assert_eq!(state_of(&app, d.scheduled).await, "scheduled");
    assert_eq!(state_of(&app, d.sent).await, "sent");
    assert!(
        app.count("sandbox_inbox").await > 10,
        "the sent draft reached its segment in the sandbox"
    );

    // Every demo person signs in with the printed password.
    for u in &seeded.users {
        let client = app.client();
        let r = app.login(&client, u.username, &u.password).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{} signs in", u.username);
    }
    let marketer = &seeded.users[0];
    assert_eq!(marketer.role, "marketer");
    let client = app.client();
    app.login(&client, marketer.username, &marketer.password)
        .await;
    let page = app.draft_page(&client, d.ready).await;
    assert_eq!(
        texts(&page, "#gate-summary.gate-ready").len(),
        1,
        "the ready draft's gate is green: {}",
        text(&page, ".checklist")
    );
    let sandbox = html(app.get(&client, "/sandbox").await).await;
    assert!(text(&sandbox, ".delivery").contains("お久しぶり"));

    // The demo's changes are audited and the chain is intact.
    assert!(matches!(
        sendgate::services::audit::verify(app.pool(), &app.state.seal)
            .await
            .unwrap(),
        sendgate::services::audit::Verification::Intact { .. }
    ));
    assert!(
        demo::seed(&app.state).await.unwrap().is_none(),
        "a database with users is reused, not seeded again"
    );
}

#[test]
fn the_demo_credentials_table_names_every_person_with_their_password_and_url() {
    let users = vec![demo::DemoUser {
        role: "reviewer",
        username: "kenta",
        display_name: "鈴木 健太",
        password: "abcdefghijkmnpqr".into(),
    }];
    let table = demo::credentials_table(&users, "http://127.0.0.1:8080");
    let row = table.lines().nth(1).unwrap();
    for part in [
        "reviewer",
        "kenta",
        "abcdefghijkmnpqr",
        "http://127.0.0.1:8080/login",
    ] {
        assert!(row.contains(part), "{row}");
    }
}
