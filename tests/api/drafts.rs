use reqwest::StatusCode;

use crate::helpers::*;

async fn marketer(app: &TestApp) -> reqwest::Client {
    let m = app.create_user("mika", "marketer").await;
    app.signed_in(&m).await
}

#[tokio::test]
async fn a_marketer_writes_a_three_message_draft() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app
        .create_draft(
            &client,
            "Winter sale",
            &["Hello!", "20% off everything", "See you"],
        )
        .await;
    let doc = app.draft_page(&client, id).await;
    assert_eq!(text(&doc, "h1"), "Winter sale");
    assert_eq!(
        texts(&doc, ".bubble-text"),
        ["Hello!", "20% off everything", "See you"]
    );
    assert!(text(&doc, ".meta").contains("revision 1"));
    assert!(text(&doc, ".irreversible").contains("There is no unsend API."));
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 0 of 2"));
    assert_eq!(app.audit_actions().await.last().unwrap(), "draft.created");
    let (hash, content): (String, String) =
        sqlx::query_as("SELECT content_hash, content FROM revisions WHERE draft_id = ?")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    let expected = sendgate::domain::revision::RevisionContent::from_json(&content)
        .unwrap()
        .content_hash();
    assert_eq!(hash, expected.as_str());
}

#[tokio::test]
async fn saving_without_a_change_writes_no_revision() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app.create_draft(&client, "Sale", &["Hello"]).await;
    let r = app.edit_draft(&client, id, 1, "Sale", &["Hello"]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = html(app.get(&client, &location(&r)).await).await;
    assert!(text(&doc, ".flash").contains("Nothing changed"));
    assert_eq!(app.count("revisions").await, 1);
    assert!(
        !app.audit_actions()
            .await
            .contains(&"draft.revised".to_string())
    );
}

#[tokio::test]
async fn an_edit_writes_a_new_revision_and_the_old_one_stays_as_it_was() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app
        .create_draft(&client, "Sale", &["Price 1,980 yen"])
        .await;
    let r = app
        .edit_draft(&client, id, 1, "Sale", &["Price 2,980 yen"])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(text(&app.draft_page(&client, id).await, ".meta").contains("revision 2"));
    let old = html(app.get(&client, &format!("/drafts/{id}/revisions/1")).await).await;
    assert_eq!(texts(&old, ".bubble-text"), ["Price 1,980 yen"]);
    // The database itself refuses to change a revision.
    let err = sqlx::query("UPDATE revisions SET content = '{}' WHERE draft_id = ? AND number = 1")
        .bind(id)
        .execute(app.pool())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("immutable"));
    assert_eq!(app.audit_actions().await.last().unwrap(), "draft.revised");
}

#[tokio::test]
async fn the_diff_shows_what_changed_word_by_word() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app
        .create_draft(&client, "Sale", &["Sale ends Sunday", "価格は1,980円"])
        .await;
    app.edit_draft(
        &client,
        id,
        1,
        "Winter sale",
        &["Sale ends Monday", "価格は2,980円", "New"],
    )
    .await;
    let doc = html(
        app.get(&client, &format!("/drafts/{id}/diff?from=1&to=2"))
            .await,
    )
    .await;
    assert_eq!(
        texts(&doc, ".msg-diff h3 .badge"),
        ["changed", "changed", "added"]
    );
    assert_eq!(texts(&doc, ".msg-diff:nth-of-type(1) del"), ["Sunday"]);
    assert_eq!(texts(&doc, "del"), ["Sale", "Sunday", "1"]);
    assert_eq!(texts(&doc, "ins"), ["Winter sale", "Monday", "2", "New"]);
    let missing = app
        .get(&client, &format!("/drafts/{id}/diff?from=1&to=9"))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn assert_refused(
    app: &TestApp,
    client: &reqwest::Client,
    form: Vec<(String, String)>,
    expected: &str,
) {
    let r = app.post_owned(client, "/drafts", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
    let doc = html(r).await;
    let errors = text(&doc, ".field-error");
    assert!(
        errors.contains(expected),
        "expected {expected:?} in {errors:?}"
    );
    assert!(text(&doc, ".alert").contains("Nothing was saved"));
    assert_eq!(app.count("drafts").await, 0, "{expected}");
}

#[tokio::test]
async fn bad_drafts_are_refused_with_a_message_at_the_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let long = "あ".repeat(5001);
    assert_refused(&app, &client, draft_form("Sale", &[&long]), "5,001").await;
    assert_refused(
        &app,
        &client,
        draft_form("Sale", &["1", "2", "3", "4", "5", "6"]),
        "1 to 5",
    )
    .await;
    assert_refused(&app, &client, draft_form("   ", &["Hello"]), "title").await;
    let mut image = draft_form("Sale", &[]);
    image.extend(message_fields(
        "image",
        "",
        "http://example.com/a.jpg",
        "https://example.com/p.jpg",
        "",
        "",
        "",
    ));
    assert_refused(&app, &client, image, "https").await;
    let mut raw = draft_form("Sale", &[]);
    raw.extend(message_fields(
        "raw",
        "",
        "",
        "",
        "",
        "",
        "{\"type\": \"flex\", ",
    ));
    assert_refused(&app, &client, raw, "JSON").await;
    let mut sticker = draft_form("Sale", &[]);
    sticker.extend(message_fields(
        "raw",
        "",
        "",
        "",
        "",
        "",
        r#"{"type":"sticker","packageId":"446","stickerId":"1988","colour":"red"}"#,
    ));
    assert_refused(&app, &client, sticker, "colour").await;
}

#[tokio::test]
async fn a_refused_save_keeps_everything_that_was_typed() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let mut form = draft_form("My title", &["First message", ""]);
    form.push(("send_at".into(), "2026-12-01T10:00".into()));
    let r = app.post_owned(&client, "/drafts", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert_eq!(text(&doc, "#text_0"), "First message");
    let title = doc
        .select(&scraper::Selector::parse("#title").unwrap())
        .next()
        .unwrap();
    assert_eq!(title.value().attr("value"), Some("My title"));
    let send_at = doc
        .select(&scraper::Selector::parse("#send_at").unwrap())
        .next()
        .unwrap();
    assert_eq!(send_at.value().attr("value"), Some("2026-12-01T10:00"));
    assert!(text(&doc, ".message-block:nth-of-type(2) .field-error").contains("Message 2"));
}

#[tokio::test]
async fn editor_buttons_add_move_and_remove_messages_without_saving() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let mut form = draft_form("Sale", &["one", "two"]);
    form.push(("action".into(), "down:0".into()));
    let doc = html(app.post_owned(&client, "/drafts", &form).await).await;
    assert_eq!(texts(&doc, "textarea.counted"), ["two", "one"]);
    let mut form = draft_form("Sale", &["one", "two"]);
    form.push(("action".into(), "add".into()));
    let doc = html(app.post_owned(&client, "/drafts", &form).await).await;
    assert_eq!(texts(&doc, "textarea.counted"), ["one", "two", ""]);
    let mut form = draft_form("Sale", &["one", "two"]);
    form.push(("action".into(), "remove:0".into()));
    let doc = html(app.post_owned(&client, "/drafts", &form).await).await;
    assert_eq!(texts(&doc, "textarea.counted"), ["two"]);
    assert_eq!(app.count("drafts").await, 0);
}

#[tokio::test]
async fn the_counter_counts_utf16_units_as_line_does() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let mut form = draft_form("Sale", &["😀あa"]);
    form.push(("action".into(), "add".into()));
    let doc = html(app.post_owned(&client, "/drafts", &form).await).await;
    assert_eq!(texts(&doc, ".counter .count")[0], "4");
}

#[tokio::test]
async fn a_save_based_on_an_old_revision_is_refused_and_the_text_kept() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app.create_draft(&client, "Sale", &["v1"]).await;
    app.edit_draft(&client, id, 1, "Sale", &["v2 from a colleague"])
        .await;
    let r = app.edit_draft(&client, id, 1, "Sale", &["my v2"]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let doc = html(r).await;
    assert!(
        text(&doc, ".alert").contains("Revision 2 was saved while you were editing revision 1")
    );
    assert_eq!(texts(&doc, "textarea.counted"), ["my v2"]);
    assert_eq!(app.count("revisions").await, 2);
}

#[tokio::test]
async fn an_edit_of_a_sent_draft_is_refused() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app.create_draft(&client, "Sale", &["Hello"]).await;
    sqlx::query("UPDATE drafts SET state = 'sent' WHERE id = ?")
        .bind(id)
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(
        app.get(&client, &format!("/drafts/{id}/edit"))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let r = app.edit_draft(&client, id, 1, "Sale", &["Changed"]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("can no longer be changed"));
    assert_eq!(app.count("revisions").await, 1);
    let doc = app.draft_page(&client, id).await;
    assert!(
        texts(&doc, ".actions a").is_empty(),
        "no Edit button on a sent draft"
    );
}

#[tokio::test]
async fn reviewers_and_admins_cannot_write_drafts() {
    let app = TestApp::spawn().await;
    let m = marketer(&app).await;
    let id = app.create_draft(&m, "Sale", &["Hello"]).await;
    for (name, roles) in [("rei", "reviewer"), ("adm", "admin")] {
        let u = app.create_user(name, roles).await;
        let c = app.signed_in(&u).await;
        assert_eq!(
            app.get(&c, "/drafts/new").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post_owned(&c, "/drafts", &draft_form("X", &["x"]))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.edit_draft(&c, id, 1, "X", &["x"]).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.post(&c, &format!("/drafts/{id}/submit"), &[])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(app.count("drafts").await, 1);
    assert_eq!(app.count("revisions").await, 1);
}

#[tokio::test]
async fn drafts_are_only_for_signed_in_people() {
    let app = TestApp::spawn().await;
    let m = marketer(&app).await;
    let id = app.create_draft(&m, "Sale", &["Hello"]).await;
    let anon = app.client();
    for path in [
        "/drafts".to_string(),
        format!("/drafts/{id}"),
        "/drafts/new".into(),
    ] {
        assert_redirects_to_login(&app.get(&anon, &path).await);
    }
    assert_redirects_to_login(
        &app.post_owned(&anon, "/drafts", &draft_form("X", &["x"]))
            .await,
    );
}

#[tokio::test]
async fn content_checks_show_leftover_placeholders_as_errors_and_http_links_as_warnings() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app
        .create_draft(
            &client,
            "Sale",
            &["○○様、こんにちは", "Details: http://example.com/sale"],
        )
        .await;
    let doc = app.draft_page(&client, id).await;
    assert!(
        text(&doc, "#gate-checks").contains("1 error, 1 warning"),
        "{}",
        text(&doc, "#gate-checks")
    );
    assert_eq!(texts(&doc, ".finding-error").len(), 1);
    assert!(text(&doc, ".finding-error").contains("○○"));
    assert!(text(&doc, ".finding-warning").contains("http://"));
}

#[tokio::test]
async fn the_list_filters_by_state_kind_and_author() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let n = app.create_user("nao", "marketer").await;
    let mc = app.signed_in(&m).await;
    let nc = app.signed_in(&n).await;
    let a = app.create_draft(&mc, "Mika one", &["x"]).await;
    app.create_draft(&mc, "Mika two", &["x"]).await;
    app.create_draft(&nc, "Nao one", &["x"]).await;
    app.post(&mc, &format!("/drafts/{a}/submit"), &[]).await;
    let titles = |doc: scraper::Html| texts(&doc, "table.drafts tbody td:first-child");
    let all = titles(html(app.get(&mc, "/drafts").await).await);
    assert_eq!(all.len(), 3);
    assert_eq!(
        titles(html(app.get(&mc, "/drafts?state=in_review").await).await),
        ["Mika one"]
    );
    let by_nao = titles(html(app.get(&mc, &format!("/drafts?author={}", n.id)).await).await);
    assert_eq!(by_nao, ["Nao one"]);
    assert!(titles(html(app.get(&mc, "/drafts?kind=segment").await).await) == ["No drafts match."]);
}

#[tokio::test]
async fn submitting_twice_is_refused_and_withdrawing_returns_to_draft() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let id = app.create_draft(&client, "Sale", &["Hello"]).await;
    assert_eq!(
        app.post(&client, &format!("/drafts/{id}/submit"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let again = app
        .post(&client, &format!("/drafts/{id}/submit"), &[])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(text(&html(again).await, "p").contains("already in review"));
    assert_eq!(
        app.post(&client, &format!("/drafts/{id}/withdraw"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let doc = app.draft_page(&client, id).await;
    assert_eq!(text(&doc, ".meta .state"), "Draft");
    let actions = app.audit_actions().await;
    assert_eq!(
        actions[actions.len() - 2..],
        ["draft.submitted", "draft.withdrawn"]
    );
}

#[tokio::test]
async fn the_dashboard_reads_each_of_several_drafts_in_review_at_its_own_gate() {
    let app = TestApp::spawn().await;
    // "Winter sale": approved twice, tested, previewed: ready.
    let (client, _) = crate::releases::ready(&app, 3, false).await;
    // "Spring sale": submitted, nothing else.
    let spring = app.create_draft(&client, "Spring sale", &["Hi"]).await;
    app.post(&client, &format!("/drafts/{spring}/submit"), &[])
        .await;
    // "Autumn sale": tested and previewed, not approved yet.
    let autumn = app.create_draft(&client, "Autumn sale", &["Later"]).await;
    app.post(&client, &format!("/drafts/{autumn}/submit"), &[])
        .await;
    app.test_send(&client, autumn).await;
    app.post(
        &client,
        &format!("/drafts/{autumn}/test-sends/2/confirm"),
        &[],
    )
    .await;
    let r = app
        .post(&client, &format!("/drafts/{autumn}/previews"), &[])
        .await;
    app.post(&client, &format!("{}/acknowledge", location(&r)), &[])
        .await;

    let doc = html(app.get(&client, "/").await).await;
    let mut steps = texts(&doc, "#next-steps li");
    steps.sort();
    assert_eq!(
        steps,
        [
            "Your draft “Autumn sale” has 0 of 2 approvals",
            "Your draft “Spring sale” needs a test send",
            "Your draft “Winter sale” is ready to release",
        ]
    );
}

#[tokio::test]
async fn a_reviewer_with_many_drafts_waiting_sees_the_oldest_ten_and_that_there_are_more() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    for i in 1..=11 {
        let d = app
            .create_draft(&client, &format!("Sale {i}"), &["Hello"])
            .await;
        app.post(&client, &format!("/drafts/{d}/submit"), &[]).await;
    }
    let r = app.create_user("rei", "reviewer").await;
    let reviewer = app.signed_in(&r).await;
    let doc = html(app.get(&reviewer, "/").await).await;
    assert_eq!(
        texts(&doc, "#next-steps li"),
        ["More than 10 drafts wait for your review"]
    );
    assert_eq!(
        text(&doc, "#waiting-for-review h2"),
        "Waiting for your review (10+)"
    );
    let titles = texts(&doc, "#waiting-for-review .draft-lines li a");
    assert!(titles.iter().any(|t| t == "Sale 1"), "{titles:?}");
    assert!(!titles.iter().any(|t| t == "Sale 11"), "{titles:?}");
    let all = doc
        .select(
            &scraper::Selector::parse("#waiting-for-review a[href='/drafts?state=in_review']")
                .unwrap(),
        )
        .count();
    assert_eq!(all, 1);
}
