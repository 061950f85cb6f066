use reqwest::StatusCode;

use crate::helpers::*;

async fn marketer(app: &TestApp) -> reqwest::Client {
    let m = app.create_user("mika", "marketer").await;
    app.signed_in(&m).await
}

fn csv(rows: &[(u64, &str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from("user_id,display_name,tags,followed_at,attr:plan\n");
    for (n, name, tags, followed) in rows {
        s.push_str(&format!("{},{name},{tags},{followed},gold\n", uid(*n)));
    }
    s.into_bytes()
}

#[tokio::test]
async fn a_csv_import_adds_and_then_updates_friends() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let r = app
        .import_csv(
            &client,
            csv(&[
                (1, "佐藤 花子", "vip|tokyo", "2026-01-05"),
                (2, "Taro", "", ""),
            ]),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let doc = html(app.get(&client, "/friends").await).await;
    assert!(text(&doc, ".flash").contains("2 friends added, 0 updated"));
    assert!(text(&doc, "ul.stats").contains("2 total"));
    let r = app
        .import_csv(&client, csv(&[(1, "佐藤 花子 (VIP)", "vip", "2026-01-05")]))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = html(app.get(&client, "/friends?q=VIP").await).await;
    assert_eq!(
        texts(&doc, "table.friends tbody td:first-child"),
        ["佐藤 花子 (VIP)"]
    );
    assert_eq!(
        texts(&doc, "table.friends tbody td:nth-child(3)"),
        ["vip"],
        "tags are replaced"
    );
    assert_eq!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "friends.imported")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_csv_with_bad_rows_imports_nothing_and_names_every_bad_line() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let body = format!(
        "user_id,display_name,tags,followed_at\n{},Good,,\nU123,Short id,,\n{},Bad date,,someday\n{},Twice,,\n",
        uid(1),
        uid(2),
        uid(1)
    );
    let r = app.import_csv(&client, body.into_bytes()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(text(&doc, "#import .alert p").contains("Nothing was imported: 3 rows have problems"));
    let rows = texts(&doc, "ul.row-errors li");
    assert_eq!(rows.len(), 3);
    assert!(rows[0].starts_with("Line 3:") && rows[0].contains("not a LINE user id"));
    assert!(rows[1].starts_with("Line 4:") && rows[1].contains("followed_at"));
    assert!(rows[2].starts_with("Line 5:") && rows[2].contains("already appears on line 2"));
    assert_eq!(app.count("friends").await, 0);
}

#[tokio::test]
async fn shift_jis_and_bom_files_import_and_an_unknown_column_is_named() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let text_body = format!("user_id,display_name,tags\n{},山田 太郎,vip\n", uid(7));
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text_body);
    assert_eq!(
        app.import_csv(&client, sjis.into_owned()).await.status(),
        StatusCode::SEE_OTHER
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(format!("user_id,display_name\n{},BOM\n", uid(8)).as_bytes());
    assert_eq!(
        app.import_csv(&client, bom).await.status(),
        StatusCode::SEE_OTHER
    );
    let doc = html(app.get(&client, "/friends?q=山田").await).await;
    assert_eq!(
        texts(&doc, "table.friends tbody td:first-child"),
        ["山田 太郎"]
    );
    let r = app.import_csv(&client, b"user_id,nmae\n".to_vec()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, "#import .alert").contains("unknown column \"nmae\""));
}

#[tokio::test]
async fn the_cli_imports_a_csv_file() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("friends.csv");
    std::fs::write(
        &path,
        csv(&[(1, "A", "vip", "2026-01-01"), (2, "B", "", "2026-02-01")]),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sendgate"))
        .args([
            "--database",
            app.db_path.to_str().unwrap(),
            "friends",
            "import",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 added, 0 updated"));
    assert_eq!(app.count("friends").await, 2);
}

#[tokio::test]
async fn a_signed_follow_adds_a_friend_and_unfollow_blocks_them() {
    let app = TestApp::spawn().await;
    let r = app
        .webhook(&webhook_event("follow", &uid(1), "01F1", false))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.count("friends").await, 1);
    app.webhook(&webhook_event("unfollow", &uid(1), "01F2", false))
        .await;
    let blocked: bool = sqlx::query_scalar("SELECT blocked FROM friends")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(blocked);
    app.webhook(&webhook_event("follow", &uid(1), "01F3", false))
        .await;
    let blocked: bool = sqlx::query_scalar("SELECT blocked FROM friends")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(!blocked, "following again re-activates the friend");
}

#[tokio::test]
async fn a_webhook_with_a_wrong_missing_or_altered_signature_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let body = webhook_event("follow", &uid(1), "01F1", false);
    let send = |sig: Option<String>, body: String| {
        let mut req = app.client().post(app.url("/webhooks/line")).body(body);
        if let Some(s) = sig {
            req = req.header("x-line-signature", s);
        }
        req.send()
    };
    let wrong = sendgate::domain::audience::sign("another secret", body.as_bytes());
    assert_eq!(
        send(Some(wrong), body.clone()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(None, body.clone()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let good = sendgate::domain::audience::sign(CHANNEL_SECRET, body.as_bytes());
    let altered = body.replace(&uid(1), &uid(2));
    assert_eq!(
        send(Some(good), altered).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("friends").await, 0);
    assert_eq!(app.count("webhook_events").await, 0);
}

#[tokio::test]
async fn a_redelivered_event_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    app.webhook(&webhook_event("follow", &uid(1), "01F1", false))
        .await;
    app.webhook(&webhook_event("unfollow", &uid(1), "01F2", false))
        .await;
    // LINE redelivers the old follow: the friend stays blocked.
    let r = app
        .webhook(&webhook_event("follow", &uid(1), "01F1", true))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let blocked: bool = sqlx::query_scalar("SELECT blocked FROM friends")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert!(blocked);
    let followed = app
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "friend.followed")
        .count();
    assert_eq!(followed, 1);
}

#[tokio::test]
async fn unknown_webhook_events_are_accepted_and_ignored() {
    let app = TestApp::spawn().await;
    let r = app
        .webhook(&webhook_event("message", &uid(1), "01M", false))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.count("friends").await, 0);
    let r = app.webhook(r#"{"destination":"U0","events":[]}"#).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "LINE's verify call has no events"
    );
}

/// Ten friends with known tags, attributes and follow dates (the test clock is 2026-11-20).
async fn population(app: &TestApp, client: &reqwest::Client) {
    let mut s = String::from("user_id,display_name,tags,followed_at,attr:plan,attr:city\n");
    let rows = [
        (1, "vip|tokyo", "2026-11-01", "gold", "tokyo"),
        (2, "vip", "2026-10-01", "gold", ""),
        (3, "vip|churned", "2026-11-10", "silver", "osaka"),
        (4, "tokyo", "2025-01-01", "", "tokyo"),
        (5, "", "2026-11-19", "silver", ""),
        (6, "vip|tokyo", "2024-06-01", "gold", "tokyo"),
        (7, "churned", "2026-09-01", "", ""),
        (8, "vip", "2026-11-15", "", "osaka"),
        (9, "tokyo|vip", "2026-08-25", "silver", "tokyo"),
        (10, "vip", "2026-11-18", "gold", ""),
    ];
    for (n, tags, followed, plan, city) in rows {
        s.push_str(&format!(
            "{},Friend {n},{tags},{followed},{plan},{city}\n",
            uid(n)
        ));
    }
    assert_eq!(
        app.import_csv(client, s.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    // Friend 10 blocked the account: no segment ever includes them.
    app.webhook(&webhook_event("unfollow", &uid(10), "01U10", false))
        .await;
}

#[tokio::test]
async fn each_segment_rule_selects_exactly_the_expected_friends() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    population(&app, &client).await;
    let cases: [(&str, i64); 12] = [
        ("", 9),
        ("tags_any=vip", 6),
        ("tags_any=churned,tokyo", 6),
        ("tags_all=vip,tokyo", 3),
        ("tags_none=vip", 3),
        ("tags_any=vip&tags_none=churned", 5),
        ("attr_key=plan&attr_op=equals&attr_value=gold", 3),
        ("attr_key=plan&attr_op=not_equals&attr_value=gold", 6),
        ("attr_key=city&attr_op=exists&attr_value=", 6),
        ("followed_op=within_days&followed_value=30", 4),
        ("followed_op=before&followed_value=2026-01-01", 2),
        ("followed_op=after&followed_value=2026-11-01", 4),
    ];
    for (query, expected) in cases {
        assert_eq!(app.segment_count(&client, query).await, expected, "{query}");
    }
    let vip_recent = "tags_any=vip&tags_none=churned&followed_op=within_days&followed_value=90";
    assert_eq!(app.segment_count(&client, vip_recent).await, 4);
}

#[tokio::test]
async fn a_segment_needs_a_unique_name_and_consistent_rules() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let r = app
        .post(
            &client,
            "/segments",
            &[("name", "VIP"), ("tags_any", "vip")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &client,
            "/segments",
            &[("name", "VIP"), ("tags_any", "vip")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("already exists"));
    let r = app
        .post(
            &client,
            "/segments",
            &[("name", ""), ("tags_all", "vip"), ("tags_none", "vip")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors = texts(&html(r).await, ".field-error");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(app.count("segments").await, 1);
}

#[tokio::test]
async fn reviewers_cannot_change_the_audience() {
    let app = TestApp::spawn().await;
    let r = app.create_user("rei", "reviewer").await;
    let c = app.signed_in(&r).await;
    assert_eq!(
        app.import_csv(&c, csv(&[(1, "A", "", "")])).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&c, "/segments", &[("name", "X")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&c, "/testers", &[("user_id", &uid(1))])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&c, "/friends").await.status(),
        StatusCode::OK,
        "reviewers read everything"
    );
    assert_eq!(app.count("friends").await + app.count("segments").await, 0);
}

/// Creates a segment draft for segment `segment_id` and returns the draft id.
async fn segment_draft(
    app: &TestApp,
    client: &reqwest::Client,
    segment_id: i64,
    text_body: &str,
) -> i64 {
    let mut form = draft_form("VIP sale", &[text_body]);
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), segment_id.to_string()));
    let r = app.post_owned(client, "/drafts", &form).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    location(&r).trim_start_matches("/drafts/").parse().unwrap()
}

async fn take_preview(app: &TestApp, client: &reqwest::Client, draft: i64) -> String {
    let r = app
        .post(client, &format!("/drafts/{draft}/previews"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

#[tokio::test]
async fn a_marketer_previews_a_segment_acknowledges_it_and_an_edit_turns_the_gate_red() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    population(&app, &client).await;
    for n in [1, 2] {
        app.pair_phone(&client, &uid(n)).await;
    }
    let r = app
        .post(
            &client,
            "/segments",
            &[
                ("name", "VIP recent"),
                ("tags_any", "vip"),
                ("tags_none", "churned"),
                ("followed_op", "within_days"),
                ("followed_value", "90"),
            ],
        )
        .await;
    let segment: i64 = location(&r)
        .trim_start_matches("/segments/")
        .parse()
        .unwrap();
    let doc = html(app.get(&client, &format!("/segments/{segment}")).await).await;
    assert!(text(&doc, "#live-count").contains("4 of 9 friends match"));

    let draft = segment_draft(&app, &client, segment, "VIP only: 30% off").await;
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, "#gate-preview").contains("Take an audience preview"));
    let preview = take_preview(&app, &client, draft).await;
    let doc = html(app.get(&client, &preview).await).await;
    assert!(text(&doc, "#recipient-count").contains("4 recipients"));
    assert!(text(&doc, "#recipient-count").contains("44.4% of 9 friends"));
    assert_eq!(texts(&doc, "ul.sample li").len(), 4);
    assert!(text(&doc, "#quota").contains("uses 4 of the 30,000 messages left"));
    let ack = doc
        .select(&scraper::Selector::parse("form[action$=acknowledge]").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("action")
        .unwrap()
        .to_string();
    assert_eq!(
        app.post(&client, &ack, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, "#gate-preview").contains("4 recipients, acknowledged by mika"));
    assert!(
        doc.select(&scraper::Selector::parse("#gate-preview.ok").unwrap())
            .next()
            .is_some()
    );

    // Editing the draft makes a new revision: the preview no longer counts.
    let mut form = draft_form("VIP sale", &["VIP only: 35% off"]);
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), segment.to_string()));
    form.push(("base_revision".into(), "1".into()));
    app.post_owned(&client, &format!("/drafts/{draft}"), &form)
        .await;
    let doc = app.draft_page(&client, draft).await;
    assert!(
        doc.select(&scraper::Selector::parse("#gate-preview.missing").unwrap())
            .next()
            .is_some()
    );
    // And the old preview cannot be acknowledged any more.
    let r = app.post(&client, &ack, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"preview.taken".to_string())
            && actions.contains(&"preview.acknowledged".to_string())
    );
}

#[tokio::test]
async fn the_snapshot_does_not_change_when_friends_change_later() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    population(&app, &client).await;
    app.post(
        &client,
        "/segments",
        &[("name", "VIP"), ("tags_any", "vip")],
    )
    .await;
    let draft = segment_draft(&app, &client, 1, "Hello VIP").await;
    take_preview(&app, &client, draft).await;
    let before: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM preview_recipients ORDER BY user_id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    let hash: String = sqlx::query_scalar("SELECT snapshot_hash FROM previews")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(before.len(), 6);
    // A new VIP follows and an old one blocks the account.
    app.import_csv(
        &client,
        format!("user_id,tags\n{},vip\n", uid(11)).into_bytes(),
    )
    .await;
    app.webhook(&webhook_event("unfollow", &uid(1), "01X", false))
        .await;
    let after: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM preview_recipients ORDER BY user_id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(before, after);
    let mut hasher = sendgate::domain::audience::SnapshotHasher::new();
    for u in &after {
        hasher.add(u);
    }
    assert_eq!(hasher.finish(), hash);
}

#[tokio::test]
async fn broadcast_drift_turns_the_preview_gate_red() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    let mut s = String::from("user_id\n");
    for n in 1..=100 {
        s.push_str(&format!("{}\n", uid(n)));
    }
    app.import_csv(&client, s.into_bytes()).await;
    let draft = app.create_draft(&client, "Everyone", &["Hello all"]).await;
    let preview = take_preview(&app, &client, draft).await;
    app.post(&client, &format!("{preview}/acknowledge"), &[])
        .await;
    let gate = |doc: &scraper::Html| text(doc, "#gate-preview");
    assert!(gate(&app.draft_page(&client, draft).await).contains("100 recipients"));
    for n in 101..=105 {
        app.webhook(&webhook_event("follow", &uid(n), &format!("01E{n}"), false))
            .await;
    }
    assert!(
        gate(&app.draft_page(&client, draft).await).contains("acknowledged"),
        "5% is allowed"
    );
    app.webhook(&webhook_event("follow", &uid(106), "01E106", false))
        .await;
    let doc = app.draft_page(&client, draft).await;
    assert!(
        gate(&doc).contains("changed from 100 to 106"),
        "{}",
        gate(&doc)
    );
}

#[tokio::test]
async fn an_old_preview_expires_after_the_policy_age() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    app.import_csv(&client, csv(&[(1, "A", "", "")])).await;
    let draft = app.create_draft(&client, "Everyone", &["Hello"]).await;
    let preview = take_preview(&app, &client, draft).await;
    app.post(&client, &format!("{preview}/acknowledge"), &[])
        .await;
    app.clock.advance(chrono::Duration::hours(25));
    // The session expired too; sign in again.
    let m = TestUser {
        id: 0,
        username: "mika".into(),
    };
    let client = app.signed_in(&m).await;
    let doc = app.draft_page(&client, draft).await;
    assert!(text(&doc, "#gate-preview").contains("older than the policy allows"));
}

#[tokio::test]
async fn an_empty_audience_and_a_segment_over_half_of_all_friends_are_flagged() {
    let app = TestApp::spawn().await;
    let client = marketer(&app).await;
    population(&app, &client).await;
    app.post(
        &client,
        "/segments",
        &[("name", "Nobody"), ("tags_any", "no-such-tag")],
    )
    .await;
    app.post(
        &client,
        "/segments",
        &[("name", "Most"), ("tags_none", "churned")],
    )
    .await;
    let empty = segment_draft(&app, &client, 1, "Hi").await;
    take_preview(&app, &client, empty).await;
    let doc = app.draft_page(&client, empty).await;
    assert!(text(&doc, ".finding-error").contains("The audience is empty"));
    let most = segment_draft(&app, &client, 2, "Hi").await;
    take_preview(&app, &client, most).await;
    let doc = app.draft_page(&client, most).await;
    assert!(text(&doc, ".finding-warning").contains("more than half"));
}
