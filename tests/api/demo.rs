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

#[tokio::test]
async fn the_demo_has_an_active_step_scenario_and_an_incident_with_its_correction() {
    let app = TestApp::spawn_with(|s| s.account_name = demo::account_name(&s.account_name)).await;
    let seeded = demo::seed(&app.state).await.unwrap().unwrap();

    // The account has a Japanese name, shown above the chat previews.
    assert_eq!(app.state.settings.account_name, "さくらカフェ");
    assert_eq!(
        demo::account_name("うめ書店"),
        "うめ書店",
        "a given name is kept"
    );

    // A step scenario, active, with its three steps live.
    let (state, steps): (String, i64) = sqlx::query_as(
        "SELECT s.state, (SELECT COUNT(*) FROM scenario_steps t WHERE t.scenario_id = s.id) FROM scenarios s WHERE s.id = ?",
    )
    .bind(seeded.scenario)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(state, "active");
    assert_eq!(steps, 3);

    // The incident on yesterday's wrong send has its correction draft.
    let correction: Option<i64> =
        sqlx::query_scalar("SELECT correction_draft_id FROM incidents WHERE id = ?")
            .bind(seeded.incident)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(correction, Some(seeded.correction));

    // Seen by the marketer: the scenario page says it is active, the incident page links
    // its correction.
    let marketer = &seeded.users[0];
    let client = app.client();
    app.login(&client, marketer.username, &marketer.password)
        .await;
    let page = html(
        app.get(&client, &format!("/scenarios/{}", seeded.scenario))
            .await,
    )
    .await;
    assert!(
        text(&page, "main").contains("新規友だちウェルカムシナリオ"),
        "{}",
        text(&page, "main")
    );
    let incident = html(
        app.get(&client, &format!("/incidents/{}", seeded.incident))
            .await,
    )
    .await;
    let links = incident
        .select(&scraper::Selector::parse("a[href]").unwrap())
        .filter_map(|a| a.value().attr("href"))
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert!(
        links.contains(&format!("/drafts/{}", seeded.correction)),
        "{links:?}"
    );
}

#[test]
fn a_reused_demo_database_says_how_to_reset_a_password() {
    let message = demo::reused_message("sendgate-demo.db");
    assert!(message.contains("already has users"), "{message}");
    assert!(
        message.contains(
            "sendgate --database sendgate-demo.db user reset-password --username misaki --generate"
        ),
        "{message}"
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

#[tokio::test]
async fn reset_password_generate_prints_a_new_password_that_signs_in_and_is_audited() {
    use crate::audit::{sendgate, stdout};
    let app = TestApp::spawn().await;
    app.create_user("misaki", "marketer").await;
    let out = sendgate(
        &app,
        &[
            "user",
            "reset-password",
            "--username",
            "misaki",
            "--generate",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = stdout(&out);
    let password = printed
        .rsplit("(shown only now): ")
        .next()
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(password.chars().count(), 16, "{printed}");
    assert_eq!(
        app.login(&app.client(), "misaki", &password).await.status(),
        StatusCode::SEE_OTHER,
        "the printed password signs in"
    );
    assert_eq!(
        app.login(&app.client(), "misaki", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old one no longer does"
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.password_reset".to_string())
    );
    // Neither way given, or both: refused with usage, nothing changed.
    let out = sendgate(
        &app,
        &["user", "reset-password", "--username", "misaki"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}
