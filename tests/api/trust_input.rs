//! Issue #18, bounded input and outbound calls: caps with clear 422s on free text, a cap on
//! segment conditions with every saved segment still working, CSV exports that Excel
//! cannot run and imports that refuse an unclosed quote, and the chat webhook's rules.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::incidents::{sent_segment_release, team};

async fn marketer(app: &TestApp) -> reqwest::Client {
    let m = app.create_user("mika", "marketer").await;
    app.signed_in(&m).await
}

#[tokio::test]
async fn a_segment_saved_with_a_thousand_tags_never_breaks_a_page_or_a_preview() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=4u64 {
        csv.push_str(&format!("{},Friend {i},vip|t0|t1\n", uid(i)));
    }
    app.import_csv(&client, csv.into_bytes()).await;
    app.pair_phone(&client, &uid(1)).await;
    // Saved before the cap existed: 1,000 "has all of" tags, two of which friends hold.
    let tags: Vec<String> = (0..1000).map(|i| format!("t{i}")).collect();
    let big = serde_json::json!({ "tags_all": tags[..2], "tags_any": tags, "tags_none": (0..1000).map(|i| format!("n{i}")).collect::<Vec<_>>() });
    sqlx::query(
        "INSERT INTO segments (name, rules, created_by, created_at, updated_at) VALUES ('Huge', ?, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
    )
    .bind(big.to_string())
    .execute(app.pool())
    .await
    .unwrap();
    let all = serde_json::json!({ "tags_all": tags });
    sqlx::query(
        "INSERT INTO segments (name, rules, created_by, created_at, updated_at) VALUES ('All', ?, 1, '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
    )
    .bind(all.to_string())
    .execute(app.pool())
    .await
    .unwrap();
    let r = app.get(&client, "/segments").await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc = html(r).await;
    let listing = text(&doc, "main");
    assert!(listing.contains("Huge"), "{listing}");
    assert_eq!(
        app.get(&client, "/segments/1").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&client, "/segments/2").await.status(),
        StatusCode::OK
    );
    // Counted right: the four friends hold t0 and t1, nobody holds all 1,000.
    let rules: String = sqlx::query_scalar("SELECT rules FROM segments WHERE id = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let rules: sendgate::domain::audience::SegmentRules = serde_json::from_str(&rules).unwrap();
    let n = sendgate::db::friends::segment_count(app.pool(), &rules, Default::default())
        .await
        .unwrap();
    assert_eq!(n, 4);
    // A draft to it previews.
    let mut form = draft_form("To everyone huge", &["hello"]);
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), "1".into()));
    let r = app.post_owned(&client, "/drafts", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let draft = location(&r);
    assert_eq!(app.get(&client, &draft).await.status(), StatusCode::OK);
    let r = app.post(&client, &format!("{draft}/previews"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&client, &location(&r)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_segment_with_too_many_conditions_or_too_long_a_tag_is_refused_where_it_was_typed() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let many: Vec<String> = (0..60).map(|i| format!("tag{i}")).collect();
    let r = app
        .post(
            &client,
            "/segments",
            &[
                ("name", "Many"),
                ("tags_all", &many.join(", ")),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(
        text(&doc, "#conditions-error").contains("at most 50 conditions"),
        "{}",
        text(&doc, ".alert")
    );
    let long = "長".repeat(101);
    let r = app
        .post(
            &client,
            "/segments",
            &[("name", "Long"), ("tags_any", &long), ("action", "save")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("at most 100 characters"));
    let r = app
        .post(
            &client,
            "/segments",
            &[
                ("name", "Value"),
                ("attr_key", "plan"),
                ("attr_op", "equals"),
                ("attr_value", &"v".repeat(501)),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("segments").await, 0);
}

#[tokio::test]
async fn incident_notes_and_apology_templates_have_length_caps() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let r = app
        .post(
            &t.mika,
            "/releases/1/report",
            &[
                ("what_was_wrong", "The price was wrong."),
                ("severity", "high"),
                ("noticed_by", &"a".repeat(201)),
                ("noticed_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("at most 200 characters"));
    assert_eq!(app.count("incidents").await, 0);
    let r = app
        .post(
            &t.mika,
            "/releases/1/report",
            &[
                ("what_was_wrong", "The price was wrong."),
                ("severity", "high"),
                ("noticed_by", "A customer"),
                ("noticed_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &t.mika,
            "/incidents/1/close",
            &[("closing_note", &"x".repeat(2_001))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let closed: Option<String> = sqlx::query_scalar("SELECT closed_at FROM incidents WHERE id = 1")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(closed.is_none());

    let admin = app.create_user("chief", "admin").await;
    let chief = app.signed_in(&admin).await;
    let r = app
        .post(
            &chief,
            "/admin/apology",
            &[
                ("apology_ja", &"お".repeat(5_001)),
                ("apology_en", "Sorry about {title}."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at most 5,000 characters"));
}

#[tokio::test]
async fn the_recipients_csv_keeps_names_that_excel_would_run_as_formulas_as_text() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    // Names as LINE could send them (the import trims, a profile need not).
    for (n, name) in [
        (1u64, " =HYPERLINK(\"https://evil.example\",\"Click\")"),
        (3, "\t=cmd|' /C calc'!A0"),
        (5, "＝1+1"),
        (7, "@SUM(A1)"),
    ] {
        sqlx::query("UPDATE friends SET display_name = ? WHERE user_id = ?")
            .bind(name)
            .bind(uid(n))
            .execute(app.pool())
            .await
            .unwrap();
    }
    sent_segment_release(&app, &t).await;
    app.post(
        &t.mika,
        "/releases/1/report",
        &[
            ("what_was_wrong", "Wrong price."),
            ("severity", "high"),
            ("noticed_by", "A customer"),
            ("noticed_at", ""),
        ],
    )
    .await;
    let r = app.get(&t.rei, "/incidents/1/recipients.csv").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let names: Vec<String> = csv
        .records()
        .map(|r| r.unwrap().get(1).unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"' =HYPERLINK(\"https://evil.example\",\"Click\")".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"'\t=cmd|' /C calc'!A0".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"'＝1+1".to_string()), "{names:?}");
    assert!(names.contains(&"'@SUM(A1)".to_string()), "{names:?}");
    assert!(
        names.contains(&"Friend 9".to_string()),
        "plain names stay as they are"
    );
}

#[tokio::test]
async fn an_import_with_an_unclosed_quote_is_refused_with_its_line_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let csv = format!(
        "user_id,display_name\n{},Sato\n{},\"Tanaka\n{},Suzuki\n",
        uid(1),
        uid(2),
        uid(3)
    );
    let r = app.import_csv(&client, csv.into_bytes()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = text(&html(r).await, "main");
    assert!(
        said.contains("Line 3: a quoted value starts on this line and is never closed"),
        "{said}"
    );
    assert_eq!(app.count("friends").await, 0);
    // A quote that closes later still may not pull rows into a name.
    let csv = format!(
        "user_id,display_name\n{},\"Tanaka\n{},Suzuki\"\n",
        uid(1),
        uid(2)
    );
    let r = app.import_csv(&client, csv.into_bytes()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, "main").contains("line break"));
    assert_eq!(app.count("friends").await, 0);
}

#[tokio::test]
async fn the_chat_webhook_must_be_https_and_plain_http_only_on_loopback_when_allowed() {
    let app = TestApp::spawn_with(|s| s.allow_http_loopback_webhook = false).await;
    let admin = app.create_user("chief", "admin").await;
    let client = app.signed_in(&admin).await;
    for url in [
        "http://hooks.example.com/x",
        "http://127.0.0.1:9/x",
        "https://user:pw@hooks.example.com/x",
    ] {
        let r = app
            .post(&client, "/admin/notifications", &[("webhook_url", url)])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
    }
    let r = app
        .post(
            &client,
            "/admin/notifications",
            &[("webhook_url", "https://hooks.example.com/x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_chat_webhook_is_not_redirected_and_an_answer_is_kept_only_as_a_short_excerpt() {
    let app = TestApp::spawn().await;
    let chat = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/moved"))
        .respond_with(
            wiremock::ResponseTemplate::new(302)
                .insert_header("location", format!("{}/elsewhere", chat.uri())),
        )
        .mount(&chat)
        .await;
    wiremock::Mock::given(wiremock::matchers::path("/elsewhere"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&chat)
        .await;
    wiremock::Mock::given(wiremock::matchers::path("/chatty"))
        .respond_with(
            wiremock::ResponseTemplate::new(500)
                .set_body_string(format!("oops {}", "x".repeat(50_000))),
        )
        .mount(&chat)
        .await;
    let admin = app.create_user("chief", "admin").await;
    let client = app.signed_in(&admin).await;
    for (path, expected) in [("/moved", "302"), ("/chatty", "500")] {
        let url = format!("{}{path}", chat.uri());
        let r = app
            .post(
                &client,
                "/admin/notifications",
                &[("webhook_url", url.as_str()), ("event", "draft_submitted")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let m = app
            .create_user(&format!("m{}", &path[1..]), "marketer")
            .await;
        let mc = app.signed_in(&m).await;
        let d = app.create_draft(&mc, "Sale", &["hi"]).await;
        app.post(&mc, &format!("/drafts/{d}/submit"), &[]).await;
        sendgate::jobs::notifier::deliver_one(&app.state)
            .await
            .unwrap();
        let error: String = sqlx::query_scalar("SELECT last_error FROM notification_settings")
            .fetch_one(app.pool())
            .await
            .unwrap();
        assert!(error.contains(expected), "{error}");
        assert!(error.chars().count() < 300, "{error}");
    }
    let requests = chat.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| r.url.path() != "/elsewhere"),
        "the redirect was not followed"
    );
}
