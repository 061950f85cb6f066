//! The first day in a browser (issue #16): an empty database at 23:00 in Tokyo, inside
//! quiet hours, to a first message sent at 08:00 the next morning, with no admin detour
//! and no re-approval. The admin signs up on the setup page and adds a marketer and two
//! reviewers from the dashboard's first-day path; the marketer follows the rest of the path
//! (friends from the sample CSV, their tester phone paired through the sandbox, a segment,
//! a draft), the reviewers approve, the marketer test-sends, previews and releases: the
//! release page offers "when quiet hours end (08:00)" with the same typed count, and the
//! release waits, scheduled, with no new revision. When the clock passes 08:00 the
//! dispatcher sends it, the sandbox shows it, and the approvals were never reset. Every
//! page visited is Japanese: its visible text has no English word but a few names.

use std::time::Duration;

use anyhow::{Context, ensure};
use chrono::{TimeZone, Utc};

use crate::harness::*;

const TEXT: &str = "はじめての配信です。今週末は全品10%オフでお待ちしています。";

/// 2026-11-20 23:00 in Tokyo: inside the default quiet hours (22:00-08:00).
fn at_23_jst() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()
}

/// 08:01 the next morning in Tokyo: quiet hours are over.
fn at_0801_jst() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 23, 1, 0).unwrap()
}

/// The LINE user id of the sample CSV's first friend: the marketer's own phone.
const PHONE: &str = "U0000000000000000000000000000a001";

/// ASCII words allowed on a Japanese page: product and platform names, the time zone,
/// the language switch's "English", file encodings (UTF-8, BOM, Shift_JIS), a date's format (YYYY-MM-DD), the time zone's name (Asia/Tokyo), LINE's JSON, "PC版LINE", and what a person typed or LINE assigned (user
/// names, ids, codes).
const ALLOWED: &[&str] = &[
    "English",
    "sendgate",
    "UTF",
    "BOM",
    "Shift",
    "JIS",
    "YYYY",
    "MM",
    "DD",
    "JSON",
    "Asia",
    "Tokyo",
    "PC",
    "LINE",
    "JST",
    "CSV",
    "ID",
    "URL",
    "API",
    "VIP",
    "OK",
    "hana",
    "mika",
    "rei",
    "ren",
    "Official",
    "Account",
    "Manager",
    "Messaging",
    "Developers",
    "Console",
    "Webhook",
];

/// The English words on the page shown now (visible text only), outside [`ALLOWED`].
/// Text in `<code>` is left out: it is what is typed or stored literally (CSV column
/// names, user ids, hashes), the same in every language.
async fn english_words(p: &Person) -> anyhow::Result<Vec<String>> {
    let text = p
        .web
        .execute(
            "const b = document.body.cloneNode(true); \
             b.querySelectorAll('code, kbd, pre, script, style').forEach(e => e.remove()); \
             document.documentElement.appendChild(b); \
             const t = b.innerText; b.remove(); return t;",
            vec![],
        )
        .await?
        .convert::<String>()?;
    let mut found = Vec::new();
    for token in text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_') {
        // Ids, hashes, codes and unit names (sg_…_r1) mix digits or underscores in; only
        // words of letters are words.
        for word in token.split('-') {
            if word.len() < 2 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if token.starts_with("SG-") || (token.starts_with('U') && token.len() == 33) {
                continue;
            }
            if ALLOWED.contains(&word) {
                continue;
            }
            // The word with what surrounds it, to find it on the page.
            let at = text.find(token).unwrap_or(0);
            let around: String = text[text.floor_char_boundary(at.saturating_sub(40))..]
                .chars()
                .take(80)
                .collect();
            found.push(format!("{word} (in “{}”)", around.replace('\n', " ")));
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// The page shown now is Japanese and has no English word; saves its screenshot.
async fn visited(p: &Person, shot: &str) -> anyhow::Result<()> {
    let lang = p.attr("html", "lang").await?;
    let path = p.path().await?;
    ensure!(
        lang.as_deref() == Some("ja"),
        "{}: {path} is in {lang:?}, not Japanese",
        p.name
    );
    p.shot(shot).await?;
    let words = english_words(p).await?;
    ensure!(
        words.is_empty(),
        "{}: English on the Japanese page {path}: {words:?}",
        p.name
    );
    Ok(())
}

async fn count(app: &App, sql: &'static str, bind: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_database_reaches_a_first_send_at_2300_jst_without_an_admin_detour_or_reapproval()
{
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    app.clock.set(at_23_jst());
    let token = app
        .state
        .setup_token
        .lock()
        .unwrap()
        .clone()
        .expect("an empty database offers setup");
    let shots = screenshot_dir("first_day");
    let driver = Driver::start().await.expect("chromedriver starts");
    let size = (1280, 1000);
    let open = |name| Person::open_in(&driver, name, &shots, size, "ja");
    let admin = open("admin").await.expect("admin's browser");
    let marketer = open("marketer").await.expect("marketer's browser");
    let a = open("reviewer-a").await.expect("reviewer A's browser");
    let b = open("reviewer-b").await.expect("reviewer B's browser");
    if let Err(e) = first_day(&app, &token, &admin, &marketer, &a, &b).await {
        fail(&[&admin, &marketer, &a, &b], e).await;
    }
    quit(vec![admin, marketer, a, b]).await;
}

async fn first_day(
    app: &App,
    token: &str,
    admin: &Person,
    m: &Person,
    a: &Person,
    b: &Person,
) -> anyhow::Result<()> {
    // The admin signs up on the setup page of the empty database.
    admin.goto(app, &format!("/setup?token={token}")).await?;
    visited(admin, "01-setup").await?;
    admin.type_into("#username", "hana").await?;
    admin.type_into("#display_name", "山田 花").await?;
    admin.type_into("#password", PASSWORD).await?;
    admin.type_into("#password_confirm", PASSWORD).await?;
    admin
        .submit("form[action='/setup'] button[type=submit]")
        .await?;

    // The dashboard shows the path; the admin's part is the people.
    admin.goto(app, "/").await?;
    ensure!(
        admin.exists("#first-day").await?,
        "the empty dashboard shows the first day"
    );
    ensure!(
        admin
            .has_class("#first-day li[data-step=friends]", "next")
            .await?,
        "friends come first"
    );
    visited(admin, "02-first-day-empty").await?;
    for (username, name, role) in [
        ("mika", "佐藤 美香", "marketer"),
        ("rei", "鈴木 玲", "reviewer"),
        ("ren", "高橋 蓮", "reviewer"),
    ] {
        admin.goto(app, "/").await?;
        admin
            .submit("#first-day li[data-step=reviewers] a.step-link")
            .await?;
        ensure!(admin.path().await? == "/admin/users/new");
        admin.type_into("#username", username).await?;
        admin.type_into("#display_name", name).await?;
        admin.type_into("#password", PASSWORD).await?;
        admin
            .click(&format!("input[name=roles][value={role}]"))
            .await?;
        if admin.exists("#reauth_secret").await? {
            admin.type_into("#reauth_secret", PASSWORD).await?;
        }
        admin
            .submit("form[action='/admin/users'] button[type=submit]")
            .await?;
        ensure!(
            admin.path().await? == "/admin/users",
            "creating a user returns to the users list"
        );
        ensure!(admin.exists(".flash").await?, "with a message saying so");
    }
    visited(admin, "03-users-created").await?;
    admin.goto(app, "/").await?;
    ensure!(
        admin
            .has_class("#first-day li[data-step=reviewers]", "done")
            .await?,
        "two reviewers: done"
    );

    // The marketer follows the path: friends from the sample CSV.
    m.sign_in(app, "mika").await?;
    visited(m, "04-marketer-first-day").await?;
    m.submit("#first-day li[data-step=friends] a.step-link")
        .await?;
    ensure!(m.path().await? == "/friends");
    let csv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/friends.csv");
    m.el("#file")
        .await?
        .send_keys(csv.to_str().context("path")?)
        .await?;
    m.submit("form[action='/friends/import'] button[type=submit]")
        .await?;
    visited(m, "05-friends-imported").await?;
    ensure!(
        count(app, "SELECT COUNT(*) FROM friends WHERE ? = 1", 1).await == 10,
        "the sample CSV's ten friends arrived"
    );

    // Their tester phone: a pairing code, sent from the sandbox's simulated phone.
    m.goto(app, "/").await?;
    ensure!(
        m.has_class("#first-day li[data-step=friends]", "done")
            .await?
    );
    m.submit("#first-day li[data-step=tester] a.step-link")
        .await?;
    m.submit("#pair-phone").await?;
    let code = m.text("#pairing-code").await?;
    ensure!(code.starts_with("SG-"), "a pairing code, not {code:?}");
    visited(m, "06-pairing-code").await?;
    m.goto(app, "/sandbox").await?;
    m.type_into("#chat-user", PHONE).await?;
    m.type_into("#chat-text", &code).await?;
    m.submit("form[action='/sandbox/chat'] button[type=submit]")
        .await?;
    visited(m, "07-code-sent-from-the-sandbox-phone").await?;

    // A segment of the VIP friends.
    m.goto(app, "/").await?;
    ensure!(
        m.has_class("#first-day li[data-step=tester]", "done")
            .await?,
        "the phone is paired"
    );
    m.submit("#first-day li[data-step=segment] a.step-link")
        .await?;
    m.type_into("#name", "VIP会員").await?;
    m.type_into("#tags_any", "VIP").await?;
    m.submit("button[name=action][value=save]").await?;
    ensure!(m.exists(".flash").await?, "saving a segment says so");
    visited(m, "08-segment-saved").await?;
    let segment: i64 = m
        .path()
        .await?
        .trim_start_matches("/segments/")
        .parse()
        .context("the saved segment's page")?;

    // A first draft, to that segment, submitted.
    m.goto(app, "/").await?;
    m.submit("#first-day li[data-step=draft] a.step-link")
        .await?;
    m.type_into("#title", "週末セールのお知らせ").await?;
    m.click("input[name=kind][value=segment]").await?;
    m.click(&format!("#segment_id option[value='{segment}']"))
        .await?;
    m.type_into("textarea[name=text]", TEXT).await?;
    visited(m, "09-editor").await?;
    m.submit("button[name=action][value=save]").await?;
    let draft_path = m.path().await?;
    let draft: i64 = draft_path
        .trim_start_matches("/drafts/")
        .parse()
        .with_context(|| format!("saving went to {draft_path}"))?;
    m.submit(&format!("form[action='{draft_path}/submit'] button"))
        .await?;
    visited(m, "10-submitted").await?;

    // Two reviewers approve.
    for (n, r, who) in [(11, a, "rei"), (12, b, "ren")] {
        r.sign_in(app, who).await?;
        r.goto(app, &draft_path).await?;
        r.submit("button[name=verdict][value=approve]").await?;
        visited(r, &format!("{n}-approved-by-{who}")).await?;
    }

    // Test send to the paired phone, confirmed; the audience previewed and acknowledged.
    m.reload().await?;
    m.submit(&format!("form[action='{draft_path}/test-sends'] button"))
        .await?;
    ensure!(m.exists("#test-sends .result-accepted").await?);
    m.submit(&format!(
        "#test-sends form[action^='{draft_path}/test-sends/'][action$='/confirm'] button"
    ))
    .await?;
    visited(m, "13-test-confirmed").await?;
    m.submit("#gate-preview form button").await?;
    ensure!(
        m.attr("#recipient-count", "data-count").await?.as_deref() == Some("2"),
        "the sample CSV has two VIP friends"
    );
    visited(m, "14-preview").await?;
    m.submit("form[action$='/acknowledge'] button").await?;
    ensure!(
        m.has_class("#gate-summary", "gate-ready").await?,
        "the gate is green"
    );
    visited(m, "15-ready").await?;

    // Release at 23:00: the page offers the end of quiet hours, 08:00, same typed count.
    m.submit("#release-link").await?;
    let when = m.text("#release-when").await?;
    ensure!(
        when.contains("08:00"),
        "inside quiet hours the release page offers 08:00: {when:?}"
    );
    let recipients = m.text("#release-recipients").await?;
    ensure!(recipients == "2", "two recipients, not {recipients}");
    for ack in m.all("input[name=ack]").await? {
        ack.click().await?;
    }
    m.click("input[name=read_warning]").await?;
    m.type_into("#typed_phrase", &recipients).await?;
    if m.exists("#reauth_secret").await? {
        m.type_into("#reauth_secret", PASSWORD).await?;
    }
    visited(m, "16-release-in-quiet-hours").await?;
    m.submit("form.release-form button[type=submit]").await?;
    let release_path = m.path().await?;
    ensure!(
        release_path.starts_with("/releases/"),
        "releasing opens the progress page, not {release_path}"
    );
    let release: i64 = release_path.trim_start_matches("/releases/").parse()?;
    m.el("#release-state.state-scheduled").await?;
    visited(m, "17-scheduled-for-0800").await?;
    ensure!(
        count(
            app,
            "SELECT current_revision FROM drafts WHERE id = ?",
            draft
        )
        .await
            == 1,
        "no new revision"
    );
    let approvals = "SELECT COUNT(*) FROM reviews WHERE draft_id = ? AND revision_number = 1 AND verdict = 'approve'";
    ensure!(count(app, approvals, draft).await == 2);
    // Nothing goes out during the night.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ensure!(
        count(app, "SELECT COUNT(*) FROM sandbox_inbox i JOIN sandbox_batches s ON s.id = i.batch_id WHERE s.method <> 'push' AND ? = 1", 1).await == 0,
        "nothing is sent in quiet hours"
    );

    // 08:01: the dispatcher sends it.
    app.clock.set(at_0801_jst());
    let mut state = String::new();
    for _ in 0..100 {
        state = sqlx::query_scalar("SELECT state FROM releases WHERE id = ?")
            .bind(release)
            .fetch_one(&app.state.pool)
            .await?;
        if state == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(
        state == "sent",
        "the release was sent after 08:00, not {state}"
    );
    // A night passed: the marketer signs in again and sees it sent and in the sandbox.
    m.sign_in(app, "mika").await?;
    m.goto(app, &release_path).await?;
    m.el("#release-state.state-sent").await?;
    visited(m, "18-sent-at-0800").await?;
    m.goto(app, "/sandbox?user=U0000000000000000000000000000a009")
        .await?;
    let mut got = 0;
    for d in m.all(".delivery").await? {
        if d.text().await?.contains(TEXT) {
            got += 1;
        }
    }
    ensure!(
        got == 1,
        "the VIP friend received it once in the sandbox, got {got}"
    );
    visited(m, "19-sandbox").await?;
    ensure!(
        count(app, approvals, draft).await == 2,
        "the approvals were never reset"
    );
    ensure!(
        count(
            app,
            "SELECT current_revision FROM drafts WHERE id = ?",
            draft
        )
        .await
            == 1
    );
    // The path has served its purpose.
    m.goto(app, "/").await?;
    ensure!(!m.exists("#first-day").await?, "the first day is over");
    visited(m, "20-dashboard-after-the-first-send").await?;
    Ok(())
}
