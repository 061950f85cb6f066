use reqwest::StatusCode;

use crate::helpers::*;

/// A marketer with two testers and a draft; returns (marketer, draft id).
async fn setup(app: &TestApp) -> (reqwest::Client, i64) {
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let csv = format!(
        "user_id,display_name\n{},Phone A\n{},Phone B\n{},Customer\n",
        uid(1),
        uid(2),
        uid(3)
    );
    assert_eq!(
        app.import_csv(&client, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    for n in [1, 2] {
        app.pair_phone(&client, &uid(n)).await;
    }
    let draft = app
        .create_draft(&client, "Winter sale", &["全品20%オフ"])
        .await;
    (client, draft)
}

async fn inbox(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT i.user_id, b.messages FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id ORDER BY i.user_id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_test_send_reaches_every_tester_and_nobody_else_labelled_as_a_test() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    let r = app.test_send(&client, draft).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = inbox(&app).await;
    assert_eq!(
        got.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>(),
        [uid(1), uid(2)]
    );
    let messages: serde_json::Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(messages[0]["text"], "[TEST] Winter sale (revision 1)");
    assert_eq!(messages[1]["text"], "全品20%オフ");
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, ".flash").contains("Test sent to 2 testers"));
    assert_eq!(texts(&doc, ".result-accepted").len(), 2);
    let sandbox = html(app.get(&client, "/sandbox").await).await;
    assert!(text(&sandbox, ".delivery").contains("[TEST] Winter sale"));
    assert!(
        app.audit_actions()
            .await
            .contains(&"test_send.delivered".to_string())
    );
}

#[tokio::test]
async fn a_reviewers_confirmation_turns_the_test_send_item_green_and_names_them() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    let doc = app.draft_page(&client, draft).await;
    assert!(
        doc.select(&scraper::Selector::parse("#gate-test-send.missing").unwrap())
            .next()
            .is_some()
    );
    let rei = app.create_user("rei", "reviewer").await;
    let rc = app.signed_in(&rei).await;
    let r = app
        .post(&rc, &format!("/drafts/{draft}/test-sends/1/confirm"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, "#gate-test-send").contains("confirmed by rei"));
    assert!(
        doc.select(&scraper::Selector::parse("#gate-test-send.ok").unwrap())
            .next()
            .is_some()
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"test_send.confirmed".to_string())
    );
}

#[tokio::test]
async fn an_edit_makes_an_earlier_test_send_stop_counting() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    app.post(
        &client,
        &format!("/drafts/{draft}/test-sends/1/confirm"),
        &[],
    )
    .await;
    app.edit_draft(&client, draft, 1, "Winter sale", &["全品30%オフ"])
        .await;
    let doc = app.draft_page(&client, draft).await;
    assert!(
        doc.select(&scraper::Selector::parse("#gate-test-send.missing").unwrap())
            .next()
            .is_some()
    );
    app.test_send(&client, draft).await;
    let r = app
        .post(
            &client,
            &format!("/drafts/{draft}/test-sends/1/confirm"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "test 1 was of revision 1");
    let doc = app.draft_page(&client, draft).await;
    assert!(
        doc.select(&scraper::Selector::parse("#gate-test-send.missing").unwrap())
            .next()
            .is_some(),
        "the old confirmation does not carry over"
    );
}

#[tokio::test]
async fn confirming_a_test_of_an_old_revision_is_refused() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    app.edit_draft(&client, draft, 1, "Winter sale", &["changed"])
        .await;
    let r = app
        .post(
            &client,
            &format!("/drafts/{draft}/test-sends/1/confirm"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "p").contains("now at revision 2"));
}

#[tokio::test]
async fn a_test_send_without_testers_is_refused_with_what_to_do() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let draft = app.create_draft(&client, "Sale", &["Hello"]).await;
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, "#test-sends").contains("No staff phone is paired as a tester yet"));
    // A post made anyway (an old tab, a script) is refused by the test-send gate.
    let r = app
        .post(
            &client,
            &format!("/drafts/{draft}/test-sends"),
            &[("click", "an-old-tab")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "p").contains("pair your own LINE account"));
    assert_eq!(app.count("test_sends").await, 0);
}

#[tokio::test]
async fn a_tester_the_quota_cannot_reach_is_reported_with_lines_message() {
    let app = TestApp::spawn_with(|s| s.sandbox_monthly_limit = Some(1)).await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    let doc = app.draft_page(&client, draft).await;
    assert_eq!(texts(&doc, ".result-accepted").len(), 1);
    assert!(text(&doc, ".result-failed").contains("You have reached your monthly limit."));
    assert_eq!(inbox(&app).await.len(), 1);
}

#[tokio::test]
async fn admins_can_neither_test_send_nor_confirm() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    let a = app.create_user("root", "admin").await;
    let ac = app.signed_in(&a).await;
    assert_eq!(
        app.post(
            &ac,
            &format!("/drafts/{draft}/test-sends"),
            &[("click", "admin-click")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&ac, &format!("/drafts/{draft}/test-sends/1/confirm"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("test_sends").await, 1);
}

#[tokio::test]
async fn a_draft_becomes_ready_only_when_every_gate_item_is_green() {
    let app = TestApp::spawn().await;
    let (client, draft) = setup(&app).await;
    let summary = |doc: &scraper::Html| text(doc, "#gate-summary");
    let doc = app.draft_page(&client, draft).await;
    assert_eq!(
        summary(&doc),
        "Not ready to release. Missing: Approvals, Test send, Audience preview."
    );
    app.post(&client, &format!("/drafts/{draft}/submit"), &[])
        .await;
    for name in ["rei", "ren"] {
        let u = app.create_user(name, "reviewer").await;
        let c = app.signed_in(&u).await;
        assert_eq!(
            app.review(&c, draft, 1, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    app.test_send(&client, draft).await;
    app.post(
        &client,
        &format!("/drafts/{draft}/test-sends/1/confirm"),
        &[],
    )
    .await;
    let r = app
        .post(&client, &format!("/drafts/{draft}/previews"), &[])
        .await;
    app.post(&client, &format!("{}/acknowledge", location(&r)), &[])
        .await;
    let doc = app.draft_page(&client, draft).await;
    assert_eq!(summary(&doc), "Every gate item is green for this revision.");
    // Any edit takes it back to not ready.
    app.edit_draft(&client, draft, 1, "Winter sale", &["全品25%オフ"])
        .await;
    let doc = app.draft_page(&client, draft).await;
    assert!(
        summary(&doc)
            .starts_with("Not ready to release. Missing: Approvals, Test send, Audience preview")
    );
}
