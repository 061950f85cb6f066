//! Issue #18, "an audit log that cannot be quietly rewritten or cut short": the keyed chain,
//! its head anchored outside the database, `sendgate audit verify` against every kind of
//! tampering, exports that verify on their own, the old chain sealed on first start, the
//! daily head in the chat webhook, and the audit page in words with its CSV.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use sendgate::domain::audit::{AuditKey, ChainedEvent, GENESIS_HASH};

use crate::audit::{sendgate, stdout};
use crate::helpers::*;

/// Signs in and out, fails a sign-in, creates and changes users: a log of several events.
async fn busy_log(app: &TestApp) {
    let admin = app.create_user("admin", "admin").await;
    let client = app.signed_in(&admin).await;
    app.login(&app.client(), "admin", "wrong password").await;
    let rei = app.create_user("rei", "reviewer").await;
    app.post(
        &client,
        &format!("/admin/users/{}/roles", rei.id),
        &[("roles", "admin"), ("roles", "reviewer")],
    )
    .await;
    app.post(&client, "/logout", &[]).await;
}

fn key_file(app: &TestApp) -> PathBuf {
    PathBuf::from(format!("{}.audit-key", app.db_path.display()))
}

fn head_file(app: &TestApp) -> PathBuf {
    PathBuf::from(format!("{}.audit-head", app.db_path.display()))
}

fn key(app: &TestApp) -> AuditKey {
    AuditKey::parse(&std::fs::read_to_string(key_file(app)).unwrap()).unwrap()
}

async fn events(app: &TestApp) -> Vec<ChainedEvent> {
    sqlx::query_as::<_, (i64, String, Option<i64>, String, String, String, String, String, String)>(
        "SELECT id, at, actor_id, actor_name, action, subject, details, prev_hash, hash FROM audit_events ORDER BY id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id, at, actor_id, actor_name, action, subject, details, prev_hash, hash)| ChainedEvent {
        id,
        at,
        actor_id,
        actor_name,
        action,
        subject,
        details,
        prev_hash,
        hash,
    })
    .collect()
}

async fn sql(app: &TestApp, statement: &str) {
    sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(app.pool())
        .await
        .unwrap();
}

/// Rewrites stored links and seals with `seal` from the first event on, and the head
/// record to match: what someone who can edit the database does to hide a change.
async fn rechain(app: &TestApp, seal: impl Fn(&ChainedEvent) -> String) {
    let mut prev = GENESIS_HASH.to_string();
    for mut e in events(app).await {
        e.prev_hash = prev.clone();
        e.hash = seal(&e);
        sqlx::query("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?")
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(e.id)
            .execute(app.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET last_id = ?, last_hash = ?")
            .bind(e.id)
            .bind(&e.hash)
            .execute(app.pool())
            .await
            .unwrap();
        prev = e.hash;
    }
}

/// `sendgate audit verify`: whether it said intact, and what it said.
fn verify(app: &TestApp) -> (Option<i32>, String) {
    let out = sendgate(app, &["audit", "verify"], None);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr)),
    )
}

fn assert_broken(app: &TestApp, expected: &str) {
    let (code, said) = verify(app);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(expected), "expected {expected:?} in: {said}");
}

#[tokio::test]
async fn the_key_lives_outside_the_database_in_a_private_file_and_seals_every_event() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let mode = std::fs::metadata(key_file(&app))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let key = key(&app);
    let events = events(&app).await;
    assert!(events.len() >= 5);
    for e in &events {
        assert_eq!(key.seal(e), e.hash, "event {} is sealed with the key", e.id);
        assert_ne!(e.legacy_hash(), e.hash);
    }
    // Every commit anchored its head in the head file; the last line is the newest event.
    let head = std::fs::read_to_string(head_file(&app)).unwrap();
    let last = head.lines().last().unwrap();
    let newest = events.last().unwrap();
    assert_eq!(last, format!("{} {}", newest.id, newest.hash));
    let (code, said) = verify(&app);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!(
        "audit log intact: {} events verified",
        events.len()
    )));
}

#[tokio::test]
async fn an_edited_event_is_named() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sql(
        &app,
        "UPDATE audit_events SET details = '{\"roles\":\"admin\"}' WHERE id = 3",
    )
    .await;
    assert_broken(&app, "event 3 was edited after it was written");
}

#[tokio::test]
async fn an_event_deleted_in_the_middle_is_named() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sql(&app, "DELETE FROM audit_events WHERE id = 3").await;
    assert_broken(&app, "event 4 does not follow event 2");
}

#[tokio::test]
async fn deleting_the_newest_events_and_moving_the_head_record_back_is_caught_by_the_head_file() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let events = events(&app).await;
    let keep = &events[events.len() - 3];
    sql(
        &app,
        &format!("DELETE FROM audit_events WHERE id > {}", keep.id),
    )
    .await;
    sql(
        &app,
        &format!(
            "UPDATE audit_head SET last_id = {}, last_hash = '{}'",
            keep.id, keep.hash
        ),
    )
    .await;
    assert_broken(
        &app,
        &format!(
            "the log ends at event {} but the head file recorded event",
            keep.id
        ),
    );
}

#[tokio::test]
async fn deleting_every_event_and_the_head_is_caught() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sql(&app, "DELETE FROM audit_events").await;
    sql(&app, "DELETE FROM audit_head").await;
    assert_broken(&app, "every event was deleted");
    // And with the seal record gone too, nothing starts on this database any more.
    sql(&app, "DELETE FROM audit_seal").await;
    let (code, said) = verify(&app);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("seal record is missing"), "{said}");
}

#[tokio::test]
async fn two_events_swapped_are_caught() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let e = events(&app).await;
    for (target, source) in [(&e[1], &e[2]), (&e[2], &e[1])] {
        sqlx::query(
            "UPDATE audit_events SET at = ?, actor_id = ?, actor_name = ?, action = ?, subject = ?,
             details = ?, prev_hash = ?, hash = ? WHERE id = ?",
        )
        .bind(&source.at)
        .bind(source.actor_id)
        .bind(&source.actor_name)
        .bind(&source.action)
        .bind(&source.subject)
        .bind(&source.details)
        .bind(&source.prev_hash)
        .bind(&source.hash)
        .bind(target.id)
        .execute(app.pool())
        .await
        .unwrap();
    }
    assert_broken(&app, "event 2 does not follow event 1");
}

#[tokio::test]
async fn an_inserted_event_is_caught() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let e = events(&app).await;
    let last = e.last().unwrap();
    // A forged grant of admin, linked to the real head, sealed with anything but the key.
    let mut forged = ChainedEvent {
        id: last.id + 1,
        at: last.at.clone(),
        actor_id: None,
        actor_name: "cli".into(),
        action: "user.roles_changed".into(),
        subject: "user:2".into(),
        details: r#"{"to":"admin"}"#.into(),
        prev_hash: last.hash.clone(),
        hash: String::new(),
    };
    forged.hash = forged.legacy_hash();
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_id, actor_name, action, subject, details, prev_hash, hash)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)",
    )
    .bind(forged.id)
    .bind(&forged.at)
    .bind(&forged.actor_name)
    .bind(&forged.action)
    .bind(&forged.subject)
    .bind(&forged.details)
    .bind(&forged.prev_hash)
    .bind(&forged.hash)
    .execute(app.pool())
    .await
    .unwrap();
    sql(
        &app,
        &format!(
            "UPDATE audit_head SET last_id = {}, last_hash = '{}'",
            forged.id, forged.hash
        ),
    )
    .await;
    assert_broken(&app, &format!("event {} was edited", forged.id));
}

#[tokio::test]
async fn an_edit_with_the_chain_recomputed_without_the_key_is_caught() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    sql(
        &app,
        "UPDATE audit_events SET actor_name = 'mallory' WHERE id = 4",
    )
    .await;
    rechain(&app, ChainedEvent::legacy_hash).await;
    assert_broken(&app, "event 1 was edited after it was written");
    // With a key of one's own it fails just the same.
    let other = AuditKey::from_bytes([9; 32]);
    rechain(&app, |e| other.seal(e)).await;
    assert_broken(&app, "event 1 was edited after it was written");
}

#[tokio::test]
async fn verify_with_another_key_says_so() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let out = Command::new(env!("CARGO_BIN_EXE_sendgate"))
        .args([
            "--database",
            app.db_path.to_str().unwrap(),
            "audit",
            "verify",
        ])
        .env("SENDGATE_AUDIT_KEY", "ab".repeat(32))
        .env_remove("SENDGATE_DATABASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(said.contains("was sealed with the audit key"), "{said}");
}

#[tokio::test]
async fn an_export_verifies_on_its_own_against_the_key_and_any_change_to_it_is_caught() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("audit.jsonl");
    let out = sendgate(
        &app,
        &["audit", "export", "--output", export.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = events(&app).await.len();
    assert!(stdout(&out).contains(&format!("exported {n} events")));
    assert_eq!(
        std::fs::metadata(&export).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(
        text.lines().count(),
        n + 2,
        "a header, the events, a closing line"
    );

    // Offline: only the export and the key, no database.
    let key = std::fs::read_to_string(key_file(&app)).unwrap();
    let offline = |file: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_sendgate"))
            .args([
                "--database",
                "/nonexistent/nowhere.db",
                "audit",
                "verify",
                "--export",
            ])
            .arg(file)
            .env("SENDGATE_AUDIT_KEY", key.trim())
            .env_remove("SENDGATE_DATABASE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, said) = offline(&export);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("audit log intact: {n} events verified")));

    let lines: Vec<&str> = text.lines().collect();
    let write = |name: &str, lines: &[String]| {
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let own: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    // An edited event.
    let mut edited = own.clone();
    edited[3] = edited[3].replace("\"admin\"", "\"mallory\"");
    assert_ne!(edited[3], own[3]);
    let (code, said) = offline(&write("edited.jsonl", &edited));
    assert_eq!(code, Some(1));
    assert!(said.contains("event 3 was edited"), "{said}");
    // The newest events removed, the closing line kept.
    let mut cut = own.clone();
    cut.remove(n);
    let (code, said) = offline(&write("cut.jsonl", &cut));
    assert_eq!(code, Some(1));
    assert!(said.contains("closing line does not match"), "{said}");
    // Cut short: no closing line.
    let (code, said) = offline(&write("short.jsonl", &own[..n]));
    assert_eq!(code, Some(1));
    assert!(said.contains("cut short"), "{said}");
    // A line taken out of the middle.
    let mut holed = own.clone();
    holed.remove(2);
    let (code, said) = offline(&write("holed.jsonl", &holed));
    assert_eq!(code, Some(1));
    assert!(said.contains("does not follow"), "{said}");
}

#[tokio::test]
async fn an_old_unkeyed_chain_is_sealed_with_the_key_on_first_start_and_that_is_audited() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    // Make it a database from before issue #18: plain SHA-256 links, no seal, no key.
    rechain(&app, ChainedEvent::legacy_hash).await;
    sql(&app, "DELETE FROM audit_seal").await;
    std::fs::remove_file(key_file(&app)).unwrap();
    std::fs::remove_file(head_file(&app)).unwrap();
    let old = events(&app).await.len();

    let restarted = app.spawn_sharing().await;
    let events = events(&restarted).await;
    assert_eq!(events.len(), old + 1);
    let sealed = events.last().unwrap();
    assert_eq!(sealed.action, "audit.sealed");
    assert!(
        sealed.details.contains(&format!("\"events\":{old}")),
        "{}",
        sealed.details
    );
    assert!(
        sealed.details.contains("\"previous_chain\":\"intact\""),
        "{}",
        sealed.details
    );
    let key = key(&restarted);
    assert!(events.iter().all(|e| key.seal(e) == e.hash));
    let (code, said) = verify(&restarted);
    assert_eq!(code, Some(0), "{said}");
}

#[tokio::test]
async fn an_old_chain_that_was_already_broken_is_sealed_with_the_break_on_record() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    rechain(&app, ChainedEvent::legacy_hash).await;
    sql(&app, "UPDATE audit_events SET details = '{}' WHERE id = 2").await;
    sql(&app, "DELETE FROM audit_seal").await;
    std::fs::remove_file(key_file(&app)).unwrap();
    std::fs::remove_file(head_file(&app)).unwrap();
    let restarted = app.spawn_sharing().await;
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_events WHERE action = 'audit.sealed'")
            .fetch_one(restarted.pool())
            .await
            .unwrap();
    assert!(details.contains("event 2 was edited"), "{details}");
}

#[tokio::test]
async fn the_chain_head_goes_to_the_chat_webhook_once_a_day() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let chat = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&chat)
        .await;
    let admin = app.create_user("chief", "admin").await;
    let client = app.signed_in(&admin).await;
    let url = format!("{}/hook", chat.uri());
    let r = app
        .post(
            &client,
            "/admin/notifications",
            &[("webhook_url", url.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    assert!(
        sendgate::jobs::notifier::anchor_audit_head(&app.state)
            .await
            .unwrap()
    );
    assert!(
        !sendgate::jobs::notifier::anchor_audit_head(&app.state)
            .await
            .unwrap(),
        "once a day"
    );
    while sendgate::jobs::notifier::deliver_one(&app.state)
        .await
        .unwrap()
        != sendgate::jobs::notifier::NotifyStep::Idle
    {}
    let received = chat.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let body: serde_json::Value = received[0].body_json().unwrap();
    let (id, hash): (i64, String) = sqlx::query_as("SELECT last_id, last_hash FROM audit_head")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("Audit log head: {id} events, newest seal {hash}")),
        "{text}"
    );
    app.clock.advance(chrono::Duration::hours(24));
    assert!(
        sendgate::jobs::notifier::anchor_audit_head(&app.state)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_audit_page_tells_each_change_in_words_and_downloads_it_as_csv() {
    let app = TestApp::spawn().await;
    busy_log(&app).await;
    let auditor = app.create_user("auditor", "admin").await;
    let client = app.signed_in(&auditor).await;
    let doc = html(app.get(&client, "/audit?action=user.roles_changed").await).await;
    let details = text(&doc, "tbody td.details > ul");
    assert!(
        details.contains("Changed from reviewer to admin, reviewer"),
        "{details}"
    );
    assert!(details.contains("User name: rei"), "{details}");
    assert!(!details.contains('{'), "no raw JSON: {details}");

    let r = app
        .get(&client, "/audit.csv?action=user.roles_changed")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = r.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "id,at,actor,action,subject,details,hash");
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[1].contains("user.roles_changed"));
    assert!(lines[1].contains("Changed from reviewer to admin, reviewer"));

    // Reviewers and marketers cannot read it.
    let m = app.create_user("mika", "marketer").await;
    let marketer = app.signed_in(&m).await;
    assert_eq!(
        app.get(&marketer, "/audit.csv").await.status(),
        StatusCode::FORBIDDEN
    );
}
