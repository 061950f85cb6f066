use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;

use crate::helpers::*;

pub fn sendgate(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendgate"))
        .args(["--database", app.db_path.to_str().unwrap()])
        .args(args)
        .env_remove("SENDGATE_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sendgate binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Signs in and out, fails a sign-in, creates and changes users: a realistic log.
async fn busy_log(app: &TestApp) {
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    app.login(&app.client(), "admin", "wrong password").await;
    app.post(
        &client,
        "/admin/users",
        &[
            ("username", "rei"),
            ("password", PASSWORD),
            ("roles", "reviewer"),
        ],
    )
    .await;
    app.post(&client, "/logout", &[]).await;
}

#[tokio::test]
async fn sign_ins_failures_sign_outs_and_user_changes_are_all_audited_in_order() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    assert_eq!(
        app.audit_actions().await,
        [
            "user.created",
            "login",
            "login.failed",
            "user.created",
            "logout"
        ]
    );
}

#[tokio::test]
async fn the_audit_page_lists_newest_first_and_filters_by_actor_and_action() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let admin = app.create_user("auditor", "admin").await;
    let client = app.signed_in(&admin).await;
    let doc = html(app.get(&client, "/audit").await).await;
    let actions = texts(&doc, "tbody td:nth-child(4)");
    assert_eq!(actions[0], "login");
    assert_eq!(actions[1], "user.created");
    assert_eq!(actions.len(), 7);

    let doc = html(app.get(&client, "/audit?action=login").await).await;
    let actions = texts(&doc, "tbody td:nth-child(4)");
    assert_eq!(
        actions,
        ["login", "login.failed", "login"],
        "a prefix includes sub-actions"
    );

    let doc = html(app.get(&client, "/audit?actor=cli").await).await;
    let actors = texts(&doc, "tbody td:nth-child(3)");
    assert_eq!(actors, ["cli", "cli"]);
}

#[tokio::test]
async fn the_audit_page_pages_through_long_logs() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    for _ in 0..60 {
        app.login(&app.client(), "nobody", "x").await;
        app.clock.advance(chrono::Duration::minutes(1));
    }
    let client = app.signed_in(&admin).await;
    let doc = html(app.get(&client, "/audit").await).await;
    assert_eq!(texts(&doc, "tbody tr").len(), 50);
    let next = doc
        .select(&scraper::Selector::parse("a.button").unwrap())
        .find(|a| a.text().collect::<String>().contains("Older"))
        .unwrap()
        .value()
        .attr("href")
        .unwrap()
        .to_string();
    let doc = html(app.get(&client, &next).await).await;
    // 1 user.created + 60 failures (some throttled) + 1 login = 62 events; 12 remain.
    assert_eq!(texts(&doc, "tbody tr").len(), 12);
}

#[tokio::test]
async fn audit_verify_passes_on_an_intact_log() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let out = sendgate(&app, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(stdout(&out).trim(), "audit log intact: 5 events verified");
}

#[tokio::test]
async fn audit_verify_names_an_edited_event() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sqlx::query("UPDATE audit_events SET details = '{\"roles\":\"admin\"}' WHERE id = 4")
        .execute(app.pool())
        .await
        .unwrap();
    let out = sendgate(&app, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("event 4 was edited"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn audit_verify_names_where_an_event_was_deleted() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sqlx::query("DELETE FROM audit_events WHERE id = 3")
        .execute(app.pool())
        .await
        .unwrap();
    let out = sendgate(&app, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("event 4 does not follow event 2"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn audit_verify_notices_the_newest_event_deleted() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sqlx::query("DELETE FROM audit_events WHERE id = 5")
        .execute(app.pool())
        .await
        .unwrap();
    let out = sendgate(&app, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("newest events were deleted"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn the_cli_manages_users_and_is_audited() {
    let app = TestApp::spawn().await;
    let out = sendgate(
        &app,
        &[
            "user",
            "add",
            "--username",
            "Hanako",
            "--roles",
            "admin,reviewer",
            "--display-name",
            "佐藤 花子",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("created user hanako"));
    // The trailing newline from stdin is not part of the password.
    assert_eq!(
        app.login(&app.client(), "hanako", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let out = sendgate(
        &app,
        &[
            "user",
            "set-roles",
            "--username",
            "hanako",
            "--roles",
            "reviewer",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "the last admin cannot be removed from the CLI either"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("last active admin"));

    let out = sendgate(
        &app,
        &[
            "user",
            "add",
            "--username",
            "taro",
            "--roles",
            "markter",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role \"markter\""));

    sendgate(
        &app,
        &[
            "user",
            "add",
            "--username",
            "taro",
            "--roles",
            "marketer",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    let out = sendgate(&app, &["user", "disable", "--username", "taro"], None);
    assert!(out.status.success());
    let out = sendgate(
        &app,
        &[
            "user",
            "reset-password",
            "--username",
            "taro",
            "--password-stdin",
        ],
        Some("another long password"),
    );
    assert!(out.status.success());
    let out = sendgate(&app, &["user", "list"], None);
    let listing = stdout(&out);
    assert!(listing.lines().any(|l| l.starts_with("hanako")
        && l.contains("admin, reviewer")
        && l.ends_with("active")));
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("taro") && l.ends_with("disabled"))
    );

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"user.disabled".to_string()));
    assert!(actions.contains(&"user.password_reset".to_string()));
    let actor: String =
        sqlx::query_scalar("SELECT actor_name FROM audit_events WHERE action = 'user.disabled'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(actor, "cli");
}

#[tokio::test]
async fn every_cli_command_has_help() {
    let app = TestApp::spawn().await;
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "set-roles", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["user", "reset-password", "--help"],
        vec!["user", "list", "--help"],
        vec!["audit", "verify", "--help"],
    ] {
        let out = sendgate(&app, &args, None);
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage:"), "{args:?}");
    }
}

#[tokio::test]
async fn the_audit_filter_offers_each_recorded_action_once_in_order() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let admin = app.create_user("auditor", "admin").await;
    let client = app.signed_in(&admin).await;
    let doc = html(app.get(&client, "/audit").await).await;
    let sel = scraper::Selector::parse("#action option").unwrap();
    let offered: Vec<String> = doc
        .select(&sel)
        .filter_map(|o| o.value().attr("value"))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    let mut expected = app.audit_actions().await;
    expected.sort();
    expected.dedup();
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(offered, expected);
}

#[tokio::test]
async fn the_audit_log_reads_each_change_in_japanese_and_keeps_the_recorded_json_in_details() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    app.post(&client, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    let r = app
        .post(
            &client,
            "/admin/policy",
            &[
                ("required_approvals", "3"),
                ("large_audience_threshold", "29999"),
                ("preview_max_age_hours", "1"),
                ("max_drift_percent", "10"),
                ("quiet_hours_start", "22:00"),
                ("quiet_hours_end", "08:00"),
                ("time_zone", "Asia/Tokyo"),
                ("link_allow_list", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let m = app.create_user("mika", "marketer").await;
    let marketer = app.signed_in(&m).await;
    app.create_draft(&marketer, "Winter sale", &["Hello"]).await;

    let doc = html(app.get(&client, "/audit?action=policy.changed").await).await;
    let lines = texts(&doc, "tbody td.details > ul li");
    assert!(
        lines.contains(&"必要な承認数：2 → 3".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with("→ 29,999")),
        "numbers with separators: {lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains('{') && !l.contains('"')),
        "no JSON among the changes: {lines:?}"
    );
    assert_eq!(text(&doc, "tbody td.details details summary"), "詳細");
    let raw = text(&doc, "tbody td.details details pre.raw-json");
    assert!(raw.contains("\"required_approvals\""), "{raw}");

    // A fingerprint is for auditors: inside 詳細, not among the changes.
    let doc = html(app.get(&client, "/audit?action=draft.created").await).await;
    let changes = text(&doc, "tbody td.details > ul");
    assert!(changes.contains("Winter sale"), "{changes}");
    assert!(!changes.contains("確認コード"), "{changes}");
    assert!(
        text(&doc, "tbody td.details details").contains("確認コード（内容の指紋）"),
        "{}",
        text(&doc, "tbody td.details details")
    );

    // In English the same change reads in English.
    app.post(&client, "/language", &[("lang", "en"), ("back", "/")])
        .await;
    let doc = html(app.get(&client, "/audit?action=policy.changed").await).await;
    let lines = texts(&doc, "tbody td.details > ul li");
    assert!(
        lines.contains(&"Required approvals: 2 → 3".to_string()),
        "{lines:?}"
    );
    assert_eq!(text(&doc, "tbody td.details details summary"), "Details");
}
