//! Incidents and corrections (issue #8): reporting a wrong send, the one-click correction
//! draft that reaches exactly the original recipients, its approval policy, the recipients
//! CSV, and the incident timeline.

use chrono::Duration;
use reqwest::{Client, StatusCode};

use crate::helpers::*;
use crate::releases::release;

/// Ten friends, the odd ones tagged vip (1 and 3 are testers), a "VIP" segment and a
/// second segment, a marketer (mika) and two reviewers (rei, ren), all signed in.
pub struct Team {
    pub mika: Client,
    pub rei: Client,
    pub ren: Client,
}

pub async fn team(app: &TestApp) -> Team {
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=10u64 {
        let tag = if i % 2 == 1 { "vip" } else { "regular" };
        csv.push_str(&format!("{},Friend {i},{tag}\n", uid(i)));
    }
    assert_eq!(
        app.import_csv(&mika, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    for t in [1, 3] {
        app.pair_phone(&mika, &uid(t)).await;
    }
    for (name, tag) in [("VIP", "vip"), ("Regular", "regular")] {
        app.post(&mika, "/segments", &[("name", name), ("tags_any", tag)])
            .await;
    }
    let rei = app.create_user("rei", "reviewer").await;
    let ren = app.create_user("ren", "reviewer").await;
    Team {
        rei: app.signed_in(&rei).await,
        ren: app.signed_in(&ren).await,
        mika,
    }
}

pub fn segment_form(title: &str, text: &str, segment: &str) -> Vec<(String, String)> {
    let mut form = draft_form(title, &[text]);
    form[0].1 = "segment".into();
    form.push(("segment_id".into(), segment.into()));
    form
}

/// Test send + confirmation, then preview + acknowledgement, of the current revision.
pub async fn test_and_preview(app: &TestApp, c: &Client, draft: i64) -> reqwest::Response {
    app.confirmed_test_send(c, draft).await;
    let r = app.post(c, &format!("/drafts/{draft}/previews"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview = location(&r);
    let ack = app.post(c, &format!("{preview}/acknowledge"), &[]).await;
    assert_eq!(ack.status(), StatusCode::SEE_OTHER);
    r
}

/// A segment send to the five vip friends, approved by rei and ren, released and sent.
/// Returns the draft id; its release is #1.
pub async fn sent_segment_release(app: &TestApp, t: &Team) -> i64 {
    let r = app
        .post_owned(
            &t.mika,
            "/drafts",
            &segment_form("VIP sale", "VIP only: everything 200 yen", "1"),
        )
        .await;
    let draft: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;
    for c in [&t.rei, &t.ren] {
        assert_eq!(
            app.review(c, draft, 1, "approve", "").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    test_and_preview(app, &t.mika, draft).await;
    let r = release(app, &t.mika, draft, "5").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "original release refused"
    );
    app.dispatch_all().await;
    draft
}

/// The user ids a release reached in the sandbox, sorted.
async fn reached(app: &TestApp, release_id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT i.user_id FROM sandbox_inbox i
         JOIN sandbox_batches b ON b.id = i.batch_id
         JOIN deliveries d ON d.retry_key = b.retry_key
         WHERE d.release_id = ? ORDER BY i.user_id",
    )
    .bind(release_id)
    .fetch_all(app.pool())
    .await
    .unwrap()
}

async fn report(app: &TestApp, c: &Client, release_id: i64) -> reqwest::Response {
    app.post(
        c,
        &format!("/releases/{release_id}/report"),
        &[
            (
                "what_was_wrong",
                "The price said 200 yen instead of 2,000 yen.",
            ),
            ("severity", "high"),
            ("noticed_by", "A customer, by phone"),
            ("noticed_at", ""),
        ],
    )
    .await
}

/// Reports the mistake on release 1 and makes the correction draft; returns its id.
async fn correction_draft(app: &TestApp, c: &Client) -> i64 {
    let r = report(app, c, 1).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/incidents/1");
    let r = app
        .post(c, "/incidents/1/correction", &[("language", "ja")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r).trim_start_matches("/drafts/").parse().unwrap()
}

/// Writes what customers should read where the correction's apology says ○○ and fixes the
/// price in the original message (a new revision, 2); returns the apology as saved.
async fn write_correction(app: &TestApp, c: &Client, correction: i64) -> String {
    let doc = app.draft_page(c, correction).await;
    let bubbles = texts(&doc, ".phone .message-text");
    let apology =
        bubbles[0]
            .replacen("○○", "VIPセール", 1)
            .replacen("○○", "価格が誤っていました", 1);
    assert!(!apology.contains("○○"), "{apology}");
    let mut form = segment_form("Correction: VIP sale", "", "1");
    form.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            "msg_kind"
                | "text"
                | "original_content_url"
                | "preview_image_url"
                | "package_id"
                | "sticker_id"
                | "raw_json"
        )
    });
    let fixed: Vec<String> = bubbles[1..]
        .iter()
        .map(|m| m.replace("200 yen", "2,000 yen"))
        .collect();
    for m in std::iter::once(&apology).chain(fixed.iter()) {
        form.extend(message_fields("text", m, "", "", "", "", ""));
    }
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(c, &format!("/drafts/{correction}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    apology
}

#[tokio::test]
async fn a_wrong_segment_send_is_reported_corrected_in_one_click_and_the_correction_reaches_exactly_the_same_people()
 {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let original = reached(&app, 1).await;
    assert_eq!(original.len(), 5);

    // Twenty minutes later a customer calls; the marketer reports it from the release page.
    app.clock.advance(Duration::minutes(20));
    let page = html(app.get(&t.mika, "/releases/1").await).await;
    assert_eq!(
        texts(&page, "#report-mistake"),
        ["Report a mistake in this message"]
    );
    let correction = correction_draft(&app, &t.mika).await;
    let inbox = html(app.get(&t.ren, "/notifications").await).await;
    assert!(
        text(&inbox, "#notifications")
            .contains("Incident (high): a mistake was reported in “VIP sale”.")
    );

    // The draft is ready with the apology text and the original message to fix.
    let doc = app.draft_page(&t.mika, correction).await;
    assert!(text(&doc, "#correction-banner").contains("went out 20 min ago"));
    assert!(text(&doc, "#correction-banner").contains("the same 5 recipients"));
    let bubbles = texts(&doc, ".phone .message-text");
    assert!(bubbles[0].starts_with("【お詫びと訂正】"), "{bubbles:?}");
    // The draft's title and the incident's note are the team's words, not the customers':
    // the apology says ○○ where the person writes what customers should read.
    assert!(bubbles[0].contains("「○○」"), "{bubbles:?}");
    assert!(!bubbles[0].contains("VIP sale"), "{bubbles:?}");
    assert!(!bubbles[0].contains("200 yen instead"), "{bubbles:?}");
    assert_eq!(bubbles[1], "VIP only: everything 200 yen");
    let bubbles = [
        bubbles[0]
            .replacen("○○", "VIPセール", 1)
            .replacen("○○", "価格が誤っていました", 1),
        bubbles[1].clone(),
    ];

    // The marketer fixes the price, keeping the audience, and submits.
    let mut form = segment_form("Correction: VIP sale", "", "1");
    form.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            "msg_kind"
                | "text"
                | "original_content_url"
                | "preview_image_url"
                | "package_id"
                | "sticker_id"
                | "raw_json"
        )
    });
    for m in [bubbles[0].as_str(), "VIP only: everything 2,000 yen"] {
        form.extend(message_fields("text", m, "", "", "", "", ""));
    }
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{correction}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.post(&t.mika, &format!("/drafts/{correction}/submit"), &[])
        .await;

    // It is pinned on the reviewers' dashboards until sent.
    let dash = html(app.get(&t.rei, "/").await).await;
    assert!(text(&dash, "#pinned-corrections").contains("Correction: VIP sale"));

    // A new vip friend arrives after the mistake: a re-evaluated segment would reach them.
    app.import_csv(
        &t.mika,
        format!("user_id,display_name,tags\n{},Newcomer,vip\n", uid(99)).into_bytes(),
    )
    .await;

    // One approval is enough for a correction (the default policy), test send confirmed.
    assert_eq!(
        app.review(&t.rei, correction, 2, "approve", "")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    test_and_preview(&app, &t.mika, correction).await;
    let doc = app.draft_page(&t.mika, correction).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 1 of 1"));
    app.clock.advance(Duration::minutes(15));
    let r = release(&app, &t.mika, correction, "5").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#release-problem")
    );
    app.dispatch_all().await;

    assert_eq!(
        reached(&app, 2).await,
        original,
        "exactly the original recipients"
    );
    let hashes: Vec<Option<String>> =
        sqlx::query_scalar("SELECT snapshot_hash FROM releases ORDER BY id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(hashes[0], hashes[1], "the same frozen snapshot");

    // The incident shows the whole timeline.
    let doc = html(app.get(&t.mika, "/incidents/1").await).await;
    assert!(text(&doc, "#timeline-sent").contains("20 Nov 2026 10:00 JST (+09:00)"));
    assert!(
        text(&doc, "#timeline-noticed")
            .contains("20 Nov 2026 10:20 JST (+09:00) (20 min after sending)")
    );
    let corrected = text(&doc, "#timeline-corrected");
    assert!(
        corrected.contains("20 Nov 2026 10:35 JST (+09:00)"),
        "{corrected}"
    );
    assert!(corrected.contains("15 min after noticing"), "{corrected}");
    assert!(corrected.contains("for 35 min"), "{corrected}");
    assert_eq!(text(&doc, "#incident-recipients"), "5");
    assert_eq!(
        texts(&doc, ".phone .message-text"),
        ["VIP only: everything 200 yen"],
        "the exact original message"
    );
    let dash = html(app.get(&t.rei, "/").await).await;
    assert!(
        texts(&dash, "#pinned-corrections").is_empty(),
        "unpinned once sent"
    );

    // Closing it records what will prevent it next time.
    let r = app
        .post(
            &t.mika,
            "/incidents/1/close",
            &[("closing_note", "Prices are checked against the price list.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = html(app.get(&t.ren, "/incidents").await).await;
    assert!(
        text(&list, "#closed-incidents").contains("Prices are checked against the price list.")
    );
    let actions = app.audit_actions().await;
    for a in [
        "incident.opened",
        "incident.correction_drafted",
        "incident.closed",
    ] {
        assert!(actions.contains(&a.to_string()), "{a}");
    }
}

#[tokio::test]
async fn a_correction_refuses_any_audience_but_the_original_recipients() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let correction = correction_draft(&app, &t.mika).await;

    // The kind is the draft's, whatever a form says: a "broadcast" without a segment is a
    // segment send without one, and is refused at the field.
    let mut broadcast = draft_form("Correction", &["Sorry"]);
    broadcast.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{correction}"), &broadcast)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("revisions WHERE draft_id = 2").await, 1);
    let mut other_segment = segment_form("Correction", "Sorry", "2");
    other_segment.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{correction}"), &other_segment)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        text(&html(r).await, "body").contains("must reach exactly the recipients of release #1")
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT current_revision FROM drafts WHERE id = ?")
            .bind(correction)
            .fetch_one(app.pool())
            .await
            .unwrap(),
        1,
        "nothing was saved"
    );

    // Its preview freezes the original snapshot even though the segment now matches more.
    app.import_csv(
        &t.mika,
        format!("user_id,display_name,tags\n{},Newcomer,vip\n", uid(99)).into_bytes(),
    )
    .await;
    app.post(&t.mika, &format!("/drafts/{correction}/previews"), &[])
        .await;
    let (count, hash): (i64, Option<String>) = sqlx::query_as(
        "SELECT recipient_count, snapshot_hash FROM previews WHERE draft_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(correction)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(count, 5);
    let original: Option<String> =
        sqlx::query_scalar("SELECT snapshot_hash FROM releases WHERE id = 1")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(hash, original);
    let new_friend: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM preview_recipients p JOIN previews v ON v.id = p.preview_id
         WHERE v.draft_id = ? AND p.user_id = ?",
    )
    .bind(correction)
    .bind(uid(99))
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(new_friend, 0);
}

#[tokio::test]
async fn the_author_cannot_approve_their_own_correction_even_with_the_one_approval_policy() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let both = app.create_user("sora", "marketer,reviewer").await;
    let sora = app.signed_in(&both).await;
    let correction = correction_draft(&app, &sora).await;
    app.post(&sora, &format!("/drafts/{correction}/submit"), &[])
        .await;
    write_correction(&app, &sora, correction).await;
    let r = app.review(&sora, correction, 2, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("reviews WHERE draft_id = 2").await, 0);
    test_and_preview(&app, &sora, correction).await;
    let r = release(&app, &sora, correction, "5").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, "#release-problem").contains("0 of 1 approvals"));
    // Another reviewer's single approval is enough.
    app.review(&t.rei, correction, 2, "approve", "").await;
    let r = release(&app, &sora, correction, "5").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#release-problem")
    );
}

#[tokio::test]
async fn the_recipients_csv_matches_the_frozen_snapshot() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    report(&app, &t.mika, 1).await;
    let r = app.get(&t.rei, "/incidents/1/recipients.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a BOM so Excel reads UTF-8");
    let body = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "user_id,display_name");
    let snapshot: Vec<String> = sqlx::query_scalar(
        "SELECT p.user_id FROM preview_recipients p JOIN releases r ON r.preview_id = p.preview_id
         WHERE r.id = 1 ORDER BY p.user_id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    let expected: Vec<String> = snapshot
        .iter()
        .map(|u| {
            let n = u64::from_str_radix(&u[1..], 16).unwrap();
            format!("{u},Friend {n}")
        })
        .collect();
    assert_eq!(lines[1..], expected[..]);
    assert_eq!(expected.len(), 5);
}

#[tokio::test]
async fn a_report_without_a_description_is_refused_with_the_form_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let r = app
        .post(
            &t.mika,
            "/releases/1/report",
            &[
                ("what_was_wrong", " "),
                ("severity", "high"),
                ("noticed_by", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert_eq!(texts(&doc, ".field-error").len(), 2);
    assert_eq!(app.count("incidents").await, 0);
}

#[tokio::test]
async fn the_correction_editor_offers_no_audience_choice() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let correction = correction_draft(&app, &t.mika).await;
    let doc = html(
        app.get(&t.mika, &format!("/drafts/{correction}/edit"))
            .await,
    )
    .await;
    assert!(texts(&doc, "input[type=radio][name=kind]").is_empty());
    assert!(texts(&doc, "select[name=segment_id]").is_empty());
    assert!(
        text(&doc, "#fixed-audience").contains("exactly the recipients of the original message")
    );
    let hidden = |name: &str| {
        let sel = scraper::Selector::parse(&format!("#fixed-audience input[name={name}]")).unwrap();
        doc.select(&sel)
            .map(|e| e.value().attr("value").unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(hidden("kind"), ["segment"]);
    assert_eq!(hidden("segment_id"), ["1"]);
}

#[tokio::test]
async fn a_broadcast_correction_is_a_broadcast_and_shows_how_the_friend_count_moved() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    let draft = app
        .create_draft(&t.mika, "Winter sale", &["全品20%オフ"])
        .await;
    app.post(&t.mika, &format!("/drafts/{draft}/submit"), &[])
        .await;
    for c in [&t.rei, &t.ren] {
        app.review(c, draft, 1, "approve", "").await;
    }
    test_and_preview(&app, &t.mika, draft).await;
    assert_eq!(
        release(&app, &t.mika, draft, "10").await.status(),
        StatusCode::SEE_OTHER
    );
    app.dispatch_all().await;
    app.import_csv(
        &t.mika,
        format!("user_id,display_name\n{},A\n{},B\n", uid(20), uid(21)).into_bytes(),
    )
    .await;
    let correction = correction_draft(&app, &t.mika).await;
    let doc = html(app.get(&t.mika, "/incidents/1").await).await;
    assert!(
        text(&doc, "#friend-difference")
            .contains("12 friends today, +2 compared with the original send"),
        "{}",
        text(&doc, "#friend-difference")
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM drafts WHERE id = ?")
        .bind(correction)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(kind, "broadcast");
    let mut segment = segment_form("Correction", "Sorry", "1");
    segment.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{correction}"), &segment)
        .await;
    assert!(
        matches!(
            r.status(),
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "a broadcast's correction stays a broadcast: {}",
        r.status()
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM drafts WHERE id = ?")
        .bind(correction)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(kind, "broadcast");
}

#[tokio::test]
async fn admins_set_the_correction_approvals_and_the_apology_template_used_by_the_next_correction()
{
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    let admin = app.create_user("ada", "admin").await;
    let ada = app.signed_in(&admin).await;
    let doc = html(app.get(&ada, "/admin/policy").await).await;
    let sel = scraper::Selector::parse("input[name=correction_required_approvals]").unwrap();
    let value = doc.select(&sel).next().unwrap().value().attr("value");
    assert_eq!(value, Some("1"), "one approval by default");
    let r = app
        .post(
            &ada,
            "/admin/policy",
            &[
                ("required_approvals", "2"),
                ("correction_required_approvals", "2"),
                ("large_audience_threshold", "10000"),
                ("preview_max_age_hours", "24"),
                ("max_drift_percent", "5"),
                ("quiet_hours_start", "22:00"),
                ("quiet_hours_end", "08:00"),
                ("time_zone", "Asia/Tokyo"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &ada,
            "/admin/apology",
            &[
                ("apology_ja", "訂正：「{title}」{what_was_wrong}"),
                ("apology_en", "Correction of {title}"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let bad = app
        .post(
            &ada,
            "/admin/apology",
            &[("apology_ja", "{name}様"), ("apology_en", "Sorry")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(
            &t.mika,
            "/admin/apology",
            &[("apology_ja", "x"), ("apology_en", "y")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );

    let correction = correction_draft(&app, &t.mika).await;
    let doc = app.draft_page(&t.mika, correction).await;
    assert_eq!(texts(&doc, ".phone .message-text")[0], "訂正：「○○」○○");
    app.post(&t.mika, &format!("/drafts/{correction}/submit"), &[])
        .await;
    app.review(&t.rei, correction, 1, "approve", "").await;
    let doc = app.draft_page(&t.mika, correction).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 1 of 2"));
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"incident.template_changed".to_string()));
}

#[tokio::test]
async fn an_incident_closes_only_with_a_note_and_only_once() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    report(&app, &t.mika, 1).await;
    let r = app
        .post(&t.mika, "/incidents/1/close", &[("closing_note", "  ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, "#close-form .field-error").contains("prevent"));
    let r = app
        .post(
            &t.mika,
            "/incidents/1/close",
            &[("closing_note", "Two-person price check.")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(&t.mika, "/incidents/1/close", &[("closing_note", "Again")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = app
        .post(&t.mika, "/incidents/1/correction", &[("language", "ja")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "no correction from a closed incident"
    );
    let doc = html(app.get(&t.rei, "/incidents/1").await).await;
    assert_eq!(text(&doc, "#incident-state"), "closed");
    assert_eq!(text(&doc, "#closing-note"), "Two-person price check.");
}

#[tokio::test]
async fn a_report_with_a_noticed_time_before_the_send_or_unreadable_is_refused() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    for (at, why) in [
        ("2026-11-20T09:00", "before the message was sent"),
        ("yesterday", "Enter when it was noticed"),
    ] {
        let r = app
            .post(
                &t.mika,
                "/releases/1/report",
                &[
                    ("what_was_wrong", "Wrong price"),
                    ("severity", "medium"),
                    ("noticed_by", "Aki"),
                    ("noticed_at", at),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&html(r).await, ".field-error").contains(why), "{at}");
    }
    assert_eq!(app.count("incidents").await, 0);
}

/// `user` signed in again from a browser that asks for Japanese.
async fn japanese_browser(app: &TestApp, username: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("ja-JP,ja;q=0.9"),
    );
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let r = app.login(&client, username, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

#[tokio::test]
async fn a_japanese_browser_sees_the_incident_its_correction_and_the_notifications_in_japanese() {
    let app = TestApp::spawn().await;
    let t = team(&app).await;
    sent_segment_release(&app, &t).await;
    app.clock.advance(Duration::minutes(20));
    let mika = japanese_browser(&app, "mika").await;
    let rei = japanese_browser(&app, "rei").await;

    let page = html(app.get(&mika, "/releases/1").await).await;
    assert_eq!(
        texts(&page, "#report-mistake"),
        ["このメッセージの誤配信を報告"]
    );
    let form = html(app.get(&mika, "/releases/1/report").await).await;
    assert_eq!(text(&form, "h1"), "「VIP sale」の誤配信を報告");
    assert_eq!(
        text(&form, "#report-form button"),
        "インシデントを登録してチームに知らせる"
    );
    let r = app
        .post(
            &mika,
            "/releases/1/report",
            &[
                ("what_was_wrong", ""),
                ("severity", "high"),
                ("noticed_by", "お客様（電話）"),
                ("noticed_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").starts_with("誤りの内容を入力してください"));
    assert_eq!(report(&app, &mika, 1).await.status(), StatusCode::SEE_OTHER);

    let doc = html(app.get(&mika, "/incidents/1").await).await;
    assert_eq!(text(&doc, "h1"), "インシデント #1: 対応中");
    assert_eq!(text(&doc, "#incident-severity"), "高");
    assert_eq!(text(&doc, "#timeline-heading"), "経過");
    assert!(
        text(&doc, "#timeline-noticed")
            .ends_with("2026年11月20日 10:20 JST (+09:00) （送信から20分後）"),
        "{}",
        text(&doc, "#timeline-noticed")
    );
    assert_eq!(
        text(&doc, "#correction-form button"),
        "訂正配信の下書きを作成"
    );
    assert_eq!(text(&doc, "#close-form button"), "インシデントを完了にする");
    let list = html(app.get(&mika, "/incidents").await).await;
    assert_eq!(text(&list, "#open-incidents h2"), "対応中（1件）");

    let r = app
        .post(&mika, "/incidents/1/correction", &[("language", "ja")])
        .await;
    let correction: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    let draft = html(app.get(&mika, &format!("/drafts/{correction}")).await).await;
    let bubbles = texts(&draft, ".phone .message-text");
    assert!(
        bubbles[0].contains("2026年11月20日 10:00にお送りした「○○」"),
        "{bubbles:?}"
    );
    assert!(
        text(&draft, "#correction-banner").contains("誤配信から20分が経過しています"),
        "{}",
        text(&draft, "#correction-banner")
    );

    // Notifications are stored once, in English, and read in the reader's language.
    let inbox = html(app.get(&rei, "/notifications").await).await;
    assert_eq!(text(&inbox, "h1"), "通知");
    assert_eq!(
        text(&inbox, "form[action='/notifications/read'] button"),
        "すべて既読にする"
    );
    let items = texts(&inbox, "#notifications li button");
    assert!(
        items.contains(
            &"インシデント（重大度: 高）: 「VIP sale」の誤配信が報告されました。".to_string()
        ),
        "{items:?}"
    );
    assert!(
        items.contains(
            &"「VIP sale」がレビューに出され、あなたのレビューを待っています。".to_string()
        ),
        "{items:?}"
    );
    let mine = texts(
        &html(app.get(&mika, "/notifications").await).await,
        "#notifications li button",
    );
    assert!(
        mine.contains(&"「VIP sale」を送信しました。".to_string()),
        "{mine:?}"
    );
    let english = texts(
        &html(app.get(&t.rei, "/notifications").await).await,
        "#notifications li button",
    );
    assert!(
        english.contains(&"Incident (high): a mistake was reported in “VIP sale”.".to_string()),
        "{english:?}"
    );
}
