//! LINE's statistics of a sent release through the whole app (issue #19): a release's
//! multicasts share its unit name through the real dispatcher, the reader stores LINE's
//! figures and the release page, the incident page (timeline and correction) show them,
//! the sandbox makes plausible figures for the demo, refreshes are asked for by marketers
//! and reviewers, and past the month's 1,000 unit names a release goes without one.

use chrono::Duration;
use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use sendgate::delivery::{Reply, ReplyError};
use sendgate::jobs::insights::{self as insight_reader, ReadStep};
use serde_json::json;

use crate::fake_line::{Endpoint, FakeBubble, FakeClick, FakeInsight, FakeLine, FakeLineConfig};
use crate::helpers::*;
use crate::releases::{ready_with_text, release, through_fake};

const SALE: &str = "VIP sale: 30% off until Sunday https://shop.example/sale";

/// The release's stored unit name, if any.
async fn unit_of(app: &TestApp, release: i64) -> Option<String> {
    sqlx::query_scalar("SELECT aggregation_unit FROM releases WHERE id = ?")
        .bind(release)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

/// A new browser signed in as a user `ready` made.
async fn signed_in_as(app: &TestApp, username: &str) -> Client {
    app.signed_in(&TestUser {
        id: 0,
        username: username.into(),
    })
    .await
}

async fn read(app: &TestApp) -> ReadStep {
    insight_reader::read_one(&app.state)
        .await
        .expect("reader step")
}

/// A segment release to `n` vip friends, released and sent; returns the marketer.
async fn sent_segment(app: &TestApp, n: u64) -> Client {
    let (client, draft) = ready_with_text(app, n, true, SALE).await;
    let phrase = sendgate::i18n::format_number(n as i64);
    let r = release(app, &client, draft, &phrase).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "release refused");
    app.dispatch_all().await;
    client
}

async fn report_incident(app: &TestApp, c: &Client, release: i64) {
    let r = app
        .post(
            c,
            &format!("/releases/{release}/report"),
            &[
                ("what_was_wrong", "The sale ends on Saturday, not Sunday."),
                ("severity", "high"),
                ("noticed_by", "A colleague"),
                ("noticed_at", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

fn figures_for_the_fake() -> FakeInsight {
    FakeInsight {
        unique_impression: 812,
        unique_click: 133,
        messages: vec![FakeBubble {
            seq: 1,
            impression: 1_020,
            unique_impression: 812,
        }],
        clicks: vec![
            FakeClick {
                seq: 1,
                url: "https://shop.example/sale".into(),
                click: 170,
                unique_click: 133,
            },
            FakeClick {
                seq: 1,
                url: "https://shop.example/terms".into(),
                click: 12,
                unique_click: 9,
            },
        ],
    }
}

#[tokio::test]
async fn a_releases_multicasts_share_its_unit_name_through_the_dispatcher() {
    let ids: Vec<String> = (1..=1201).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    fake.set_now(start_time());
    let app = through_fake(&fake).await;
    sent_segment(&app, 1201).await;

    let tag: String = sqlx::query_scalar("SELECT unit_tag FROM installation")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let unit = unit_of(&app, 1).await.expect("the release has a unit name");
    assert_eq!(unit, format!("sg_{tag}_r1"));
    let multicasts: Vec<_> = fake
        .accepted_requests()
        .into_iter()
        .filter(|r| r.endpoint == Endpoint::Multicast)
        .collect();
    assert_eq!(multicasts.len(), 3, "500 + 500 + 201");
    for m in &multicasts {
        assert_eq!(m.custom_aggregation_units, vec![unit.clone()]);
    }
    assert_eq!(multicasts.iter().map(|m| m.delivered).sum::<u64>(), 1201);
    assert!(
        fake.accepted_requests()
            .iter()
            .filter(|r| r.endpoint == Endpoint::Push)
            .all(|r| r.custom_aggregation_units.is_empty()),
        "test sends are not counted under the release's unit"
    );
    assert_eq!(fake.unit_names_this_month(), 1);
    assert_eq!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "release.unit_named")
            .count(),
        1,
        "named once, with the first batch"
    );
}

#[tokio::test]
async fn a_retried_batch_keeps_the_unit_name_of_its_release() {
    let ids: Vec<String> = (1..=600).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    let app = through_fake(&fake).await;
    fake.fail_next(Endpoint::Multicast, 1, 500);
    let (client, draft) = ready_with_text(&app, 600, true, SALE).await;
    release(&app, &client, draft, "600").await;
    app.dispatch_all().await;
    app.clock.advance(Duration::minutes(5));
    app.dispatch_all().await;
    let unit = unit_of(&app, 1).await.unwrap();
    let multicasts: Vec<_> = fake
        .accepted_requests()
        .into_iter()
        .filter(|r| r.endpoint == Endpoint::Multicast)
        .collect();
    assert_eq!(multicasts.len(), 2);
    assert!(
        multicasts
            .iter()
            .all(|m| m.custom_aggregation_units == [unit.clone()])
    );
    assert_eq!(
        fake.requests_to(Endpoint::Multicast),
        3,
        "one failed attempt"
    );
}

#[tokio::test]
async fn the_incident_page_shows_the_statistics_the_fake_reports() {
    let ids: Vec<String> = (1..=1201).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    fake.set_now(start_time());
    let app = through_fake(&fake).await;
    let mika = sent_segment(&app, 1201).await;
    let unit = unit_of(&app, 1).await.unwrap();
    fake.set_unit_insight(&unit, figures_for_the_fake());

    // Forty minutes in, a colleague notices; nothing is due from LINE yet.
    app.clock.advance(Duration::minutes(40));
    assert_eq!(read(&app).await, ReadStep::Idle);
    report_incident(&app, &mika, 1).await;
    let doc = html(app.get(&mika, "/incidents/1").await).await;
    assert!(text(&doc, "#insights-none-yet").contains("1 hour, 6 hours, 24 hours"));

    // An hour after the send the reader takes LINE's figures.
    app.clock.advance(Duration::minutes(25));
    assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
    assert_eq!(
        read(&app).await,
        ReadStep::Idle,
        "one reading per schedule point"
    );
    assert_eq!(fake.requests_to(Endpoint::InsightAggregation), 1);

    let doc = html(app.get(&mika, "/incidents/1").await).await;
    assert_eq!(text(&doc, "#insight-opened"), "812 (open rate 68%)");
    assert_eq!(text(&doc, "#insight-clicked"), "133 (click rate 11%)");
    assert_eq!(
        text(&doc, "#insight-delivered"),
        "1,201",
        "the per-unit statistics have no delivered count: sendgate's"
    );
    assert!(text(&doc, "#insight-figures").contains("Sent to (handed to LINE)"));
    assert_eq!(
        texts(&doc, "#insight-bubbles tbody td"),
        ["Message 1", "1,020", "812"]
    );
    assert_eq!(
        texts(&doc, "#insight-links tbody td"),
        [
            "https://shop.example/sale",
            "Message 1",
            "133",
            "170",
            "https://shop.example/terms",
            "Message 1",
            "—",
            "—",
        ],
        "under 20 people is hidden, as LINE shows it"
    );
    assert!(text(&doc, "#insights-read-at").contains("20 Nov 2026 11:05 JST"));
    assert!(text(&doc, "#insights-notes").contains("LINE hides figures under 20 people"));
    assert!(text(&doc, "#insights-notes").contains(&unit));
    assert_eq!(
        texts(&doc, "#incident-timeline li.timeline-insight strong"),
        [
            "Opened by 812 (LINE statistics)",
            "Link https://shop.example/sale clicked by 133 (LINE statistics)",
        ]
    );
    assert_eq!(
        text(&doc, "#correction-opened"),
        "812 of the 1,201 recipients had opened the wrong message by 20 Nov 2026 11:05 JST (+09:00) (LINE statistics)."
    );

    // The next reading shows more people; the timeline says so as it arrives.
    fake.set_unit_insight(
        &unit,
        FakeInsight {
            unique_impression: 901,
            ..figures_for_the_fake()
        },
    );
    app.clock.advance(Duration::hours(5));
    assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
    let doc = html(app.get(&mika, "/incidents/1").await).await;
    assert_eq!(
        texts(&doc, "#incident-timeline li.timeline-insight strong"),
        [
            "Opened by 812 (LINE statistics)",
            "Link https://shop.example/sale clicked by 133 (LINE statistics)",
            "Opened by 901 (LINE statistics)",
        ]
    );
    assert!(text(&doc, "#insight-history").contains("Readings so far (2)"));

    // The correction draft says how many had opened the wrong message.
    let r = app
        .post(&mika, "/incidents/1/correction", &[("language", "en")])
        .await;
    let draft: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    let page = app.draft_page(&mika, draft).await;
    assert!(
        text(&page, "#correction-opened").starts_with("901 of the 1,201 recipients had opened"),
        "{}",
        text(&page, "#correction-banner")
    );

    // The release page shows the same figures.
    let page = html(app.get(&mika, "/releases/1").await).await;
    assert_eq!(text(&page, "#insight-opened"), "901 (open rate 75%)");
}

#[tokio::test]
async fn a_broadcast_is_read_by_its_request_id_with_lines_delivered_count() {
    let ids: Vec<String> = (1..=40).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    let app = through_fake(&fake).await;
    let (client, draft) = ready_with_text(&app, 40, false, SALE).await;
    release(&app, &client, draft, "40").await;
    app.dispatch_all().await;
    assert_eq!(
        unit_of(&app, 1).await,
        None,
        "a broadcast carries no unit name"
    );
    let request_id: String =
        sqlx::query_scalar("SELECT request_id FROM deliveries WHERE release_id = 1")
            .fetch_one(app.pool())
            .await
            .unwrap();
    fake.set_request_insight(
        &request_id,
        FakeInsight {
            unique_impression: 31,
            unique_click: 22,
            clicks: vec![FakeClick {
                seq: 1,
                url: "https://shop.example/sale".into(),
                click: 25,
                unique_click: 22,
            }],
            ..FakeInsight::default()
        },
    );
    app.clock.advance(Duration::hours(1));
    assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
    assert_eq!(fake.requests_to(Endpoint::InsightMessageEvent), 1);
    let page = html(app.get(&client, "/releases/1").await).await;
    assert!(text(&page, "#insight-figures").contains("Delivered"));
    assert_eq!(text(&page, "#insight-delivered"), "40", "LINE's own count");
    assert_eq!(text(&page, "#insight-opened"), "31 (open rate 78%)");
    assert!(text(&page, "#insights-notes").contains("LINE's statistics lag"));
}

#[tokio::test]
async fn a_failed_reading_is_shown_and_retried_a_quarter_hour_later() {
    let ids: Vec<String> = (1..=30).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(ids)).await;
    fake.set_now(start_time());
    let app = through_fake(&fake).await;
    let mika = sent_segment(&app, 30).await;
    fake.fail_next(Endpoint::InsightAggregation, 1, 500);
    app.clock.advance(Duration::hours(1));
    assert_eq!(read(&app).await, ReadStep::Failed { release_id: 1 });
    let page = html(app.get(&mika, "/releases/1").await).await;
    assert!(text(&page, "#insights-failure").contains("Internal server error"));
    app.clock.advance(Duration::minutes(10));
    assert_eq!(read(&app).await, ReadStep::Idle);
    app.clock.advance(Duration::minutes(5));
    assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
    let page = html(app.get(&mika, "/releases/1").await).await;
    assert!(text(&page, "#insights-failure").is_empty());
    assert_eq!(text(&page, "#insight-opened"), "—", "nobody counted yet");
}

#[tokio::test]
async fn the_sandboxs_figures_appear_on_the_release_page_and_grow() {
    let app = TestApp::spawn().await;
    let mika = sent_segment(&app, 300).await;
    assert!(unit_of(&app, 1).await.is_some());
    let units: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT aggregation_unit FROM sandbox_batches WHERE method = 'multicast'",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        units,
        vec![unit_of(&app, 1).await],
        "the sandbox counts it under the unit"
    );

    let page = html(app.get(&mika, "/releases/1").await).await;
    assert!(text(&page, "#insights-none-yet").contains("No figures from LINE yet"));
    let mut opened = Vec::new();
    for hours in [1, 5, 18] {
        app.clock.advance(Duration::hours(hours));
        assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
        // A new sign-in each time: a session ends after 8 idle hours.
        let mika = signed_in_as(&app, "mika").await;
        let page = html(app.get(&mika, "/releases/1").await).await;
        let n: i64 = text(&page, "#insight-opened")
            .split_whitespace()
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("a number of people: {}", text(&page, "#insights")));
        opened.push(n);
        let links = texts(&page, "#insight-links tbody tr");
        assert_eq!(links.len(), 1);
        assert!(
            links[0].starts_with("https://shop.example/sale"),
            "{links:?}"
        );
    }
    assert!(
        opened[0] < opened[1] && opened[1] < opened[2] && opened[2] < 300,
        "more people open it as time passes: {opened:?}"
    );
    let mika = signed_in_as(&app, "mika").await;
    let page = html(app.get(&mika, "/releases/1").await).await;
    let clicked = texts(&page, "#insight-links td.clicked");
    assert!(
        clicked[0].parse::<i64>().is_ok(),
        "a day in, the link's clicks show: {clicked:?}"
    );
}

/// A browser that asks for Japanese.
fn japanese() -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("ja"));
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_statistics_read_in_line_official_account_managers_words_in_japanese() {
    let app = TestApp::spawn().await;
    sent_segment(&app, 300).await;
    app.clock.advance(Duration::hours(24));
    read(&app).await;
    let ja = japanese();
    let r = app.login(&ja, "mika", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = html(app.get(&ja, "/releases/1").await).await;
    assert_eq!(text(&page, "#insights-heading"), "LINEの統計情報");
    let labels = texts(&page, "#insight-figures dt");
    assert_eq!(
        labels,
        ["送信数（LINEに渡した人数）", "開封数", "クリック数"]
    );
    assert!(text(&page, "#insight-opened").contains("開封率"));
    assert!(text(&page, "#insights-notes").contains("20人未満"));
    assert_eq!(
        text(&page, "#insights-refresh button"),
        "LINEから最新の数値を取得"
    );
    let english = english_words(&text(&page, "#insights"));
    assert!(english.is_empty(), "English left: {english:?}");
}

#[tokio::test]
async fn marketers_and_reviewers_ask_for_fresh_figures_and_the_reader_takes_them() {
    let app = TestApp::spawn().await;
    let mika = sent_segment(&app, 300).await;
    let rei = signed_in_as(&app, "rei").await;
    let admin = app.create_user("aki", "admin").await;
    let aki = app.signed_in(&admin).await;

    // Not due yet: only a refresh reads now.
    app.clock.advance(Duration::minutes(10));
    assert_eq!(read(&app).await, ReadStep::Idle);
    let form = [("back", "/releases/1")];
    let r = app.post(&aki, "/releases/1/insights/refresh", &form).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "admins read, they do not ask"
    );
    let page = html(app.get(&aki, "/releases/1").await).await;
    assert!(
        texts(&page, "#insights-refresh").is_empty(),
        "no button for them"
    );

    let r = app.post(&rei, "/releases/1/insights/refresh", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/releases/1#insights");
    let page = html(app.get(&mika, "/releases/1").await).await;
    assert!(text(&page, "#insights-refresh-pending").contains("Fresh figures were asked of LINE"));
    let again = app.post(&mika, "/releases/1/insights/refresh", &form).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "insights.refresh_requested")
            .count(),
        1,
        "one request waits; the second click adds none"
    );

    assert_eq!(read(&app).await, ReadStep::Read { release_id: 1 });
    let trigger: String = sqlx::query_scalar("SELECT trigger FROM insight_readings")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(trigger, "refresh");
    let page = html(app.get(&mika, "/releases/1").await).await;
    assert!(texts(&page, "#insights-refresh-pending").is_empty());
    assert!(text(&page, "#insights-read-at").contains("Read from LINE at"));
    assert_eq!(texts(&page, "#insights-refresh button").len(), 1);

    // From the incident page the form comes back there; elsewhere is refused.
    let r = app
        .post(
            &mika,
            "/releases/1/insights/refresh",
            &[("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&r), "/releases/1#insights");
}

#[tokio::test]
async fn a_release_not_sent_yet_has_no_statistics_to_refresh() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready_with_text(&app, 30, true, SALE).await;
    release(&app, &client, draft, "30").await;
    let page = html(app.get(&client, "/releases/1").await).await;
    assert!(text(&page, "#insights-unavailable").contains("once the message was sent"));
    let r = app
        .post(&client, "/releases/1/insights/refresh", &[("back", "")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn past_the_months_1000_unit_names_a_release_goes_without_one_and_says_so() {
    let app = TestApp::spawn().await;
    let (client, draft) = ready_with_text(&app, 30, true, SALE).await;
    // A thousand releases this month already used their names (cancelled copies of this
    // draft's revision stand in for them).
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
         INSERT INTO releases (draft_id, revision_number, content_hash, kind, recipients, approvers,
                               released_by, typed_phrase, send_at, state, created_at,
                               aggregation_unit, aggregation_unit_decided_at)
         SELECT d.id, 1, 'h', 'segment', 1, '[]', d.author_id, '1', ?1, 'cancelled', ?1,
                'other_' || i, ?1
         FROM n, drafts d WHERE d.id = ?2",
    )
    .bind(start_time() - Duration::days(2))
    .bind(draft)
    .execute(app.pool())
    .await
    .unwrap();
    let r = release(&app, &client, draft, "30").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.dispatch_all().await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM releases WHERE state = 'sent'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(unit_of(&app, id).await, None);
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_batches WHERE method = 'multicast' AND aggregation_unit IS NULL",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(sent, 1, "sent all the same, without a unit name");
    assert!(
        app.audit_actions()
            .await
            .contains(&"release.unit_limit_reached".to_string())
    );
    let page = html(app.get(&client, &format!("/releases/{id}")).await).await;
    assert!(
        text(&page, "#insights-unavailable").contains("this month's 1,000 unit names"),
        "{}",
        text(&page, "#insights")
    );
    assert!(texts(&page, "#insights-refresh").is_empty());
    app.clock.advance(Duration::hours(2));
    assert_eq!(read(&app).await, ReadStep::Idle, "nothing to read it by");
}

#[tokio::test]
async fn the_sandbox_replies_once_within_a_minute_into_the_friends_inbox_for_free() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    app.import_csv(
        &client,
        format!("user_id,display_name\n{},New friend\n", uid(7)).into_bytes(),
    )
    .await;
    let provider = &app.state.provider;
    let token =
        sendgate::delivery::sandbox::issue_reply_token(app.pool(), &uid(7), app.clock_now())
            .await
            .unwrap();
    let greeting = |token: &str| Reply {
        reply_token: token.into(),
        messages: vec![json!({"type": "text", "text": "友だち追加ありがとうございます！"})],
        notification_disabled: false,
    };

    let replied = provider.reply(&greeting(&token)).await.expect("replied");
    assert_eq!(replied.message_ids.len(), 1);
    let again = provider.reply(&greeting(&token)).await.unwrap_err();
    assert!(matches!(again, ReplyError::TokenUnusable(_)), "{again:?}");

    let late = sendgate::delivery::sandbox::issue_reply_token(app.pool(), &uid(7), app.clock_now())
        .await
        .unwrap();
    app.clock.advance(Duration::seconds(61));
    assert!(matches!(
        provider.reply(&greeting(&late)).await,
        Err(ReplyError::TokenUnusable(_))
    ));

    let inbox = html(app.get(&client, &format!("/sandbox?user={}", uid(7))).await).await;
    assert_eq!(texts(&inbox, ".delivery").len(), 1, "greeted once");
    assert!(text(&inbox, ".delivery").contains("友だち追加ありがとうございます"));
    assert!(text(&inbox, ".delivery").contains("reply"));
    assert_eq!(provider.quota().await.unwrap().used, 0, "replies are free");
}

#[tokio::test]
async fn the_demos_incident_shows_how_many_opened_the_wrong_message_and_clicked_its_link() {
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let marketer = &seeded.users[0];
    let client = app.client();
    app.login(&client, marketer.username, &marketer.password)
        .await;
    let doc = html(
        app.get(&client, &format!("/incidents/{}", seeded.incident))
            .await,
    )
    .await;
    let opened: i64 = text(&doc, "#insight-opened")
        .split_whitespace()
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .expect("the demo shows how many opened it");
    assert!(opened >= 20);
    let clicked = texts(&doc, "#insight-links td.clicked");
    assert!(
        clicked
            .first()
            .is_some_and(|c| c.replace(',', "").parse::<i64>().is_ok()),
        "and how many clicked its link: {clicked:?}"
    );
    let timeline = texts(&doc, "#incident-timeline li.timeline-insight strong");
    assert!(
        timeline.iter().any(|t| t.starts_with("Opened by")),
        "{timeline:?}"
    );
    assert!(
        timeline.iter().any(|t| t.contains("clicked by")),
        "{timeline:?}"
    );
    assert!(text(&doc, "#correction-opened").contains("had opened the wrong message"));
    assert_eq!(
        text(&doc, "#timeline-corrected"),
        "Correction sent not yet",
        "a correction draft alone has no minutes to show"
    );

    // In Japanese, the incident, its release and its correction read in Japanese.
    let ja = japanese();
    app.login(&ja, marketer.username, &marketer.password).await;
    let release: i64 = sqlx::query_scalar("SELECT release_id FROM incidents WHERE id = ?")
        .bind(seeded.incident)
        .fetch_one(app.pool())
        .await
        .unwrap();
    for path in [
        format!("/incidents/{}", seeded.incident),
        format!("/releases/{release}"),
        format!("/drafts/{}", seeded.correction),
    ] {
        let doc = html(app.get(&ja, &path).await).await;
        let english = english_words(&text(&doc, "main"));
        assert!(english.is_empty(), "{path}: English left: {english:?}");
    }
    let doc = html(
        app.get(&ja, &format!("/incidents/{}", seeded.incident))
            .await,
    )
    .await;
    assert!(
        texts(&doc, "#incident-timeline li.timeline-insight strong")
            .iter()
            .any(|t| t.ends_with("人が開封（LINEの統計情報）"))
    );
    let doc = html(
        app.get(&ja, &format!("/drafts/{}", seeded.correction))
            .await,
    )
    .await;
    assert!(text(&doc, "#correction-opened").contains("誤ったメッセージを開封していました"));
}

/// Latin words of four letters or more, leaving out URLs, unit names, hashes and names
/// written the same in Japanese.
fn english_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| !w.contains("://") && !w.contains("sg_") && !w.contains(".example"))
        .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 4)
        .filter(|w| {
            ![
                "LINE",
                "JST",
                "Official",
                "Account",
                "Manager",
                "Messaging",
                "sendgate",
            ]
            .contains(w)
        })
        .filter(|w| !w.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string)
        .collect()
}
