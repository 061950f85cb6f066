//! Japanese and English (issue #6): the language a page is in (user choice > cookie >
//! Accept-Language > English), dates per language, the irreversibility warning and the
//! release button in both, the dashboard's next steps, and the LINE-like preview.

use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

/// A browser whose Accept-Language is `accept`.
fn browser(accept: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn signed_in_browser(app: &TestApp, user: &TestUser, accept: &str) -> Client {
    let client = browser(accept);
    let r = app.login(&client, &user.username, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

fn lang(doc: &scraper::Html) -> String {
    let sel = scraper::Selector::parse("html").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|h| h.value().attr("lang"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_browser_asking_for_japanese_gets_japanese_pages() {
    let app = TestApp::spawn().await;
    let ja = browser("ja-JP,ja;q=0.9,en;q=0.8");
    let doc = html(app.get(&ja, "/login").await).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "ログイン");
    assert_eq!(text(&doc, "label[for=password]"), "パスワード");

    let m = app.create_user("mika", "marketer").await;
    let client = signed_in_browser(&app, &m, "ja").await;
    let doc = html(app.get(&client, "/").await).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "ダッシュボード");
    assert!(texts(&doc, "nav a").contains(&"下書き".to_string()));
    assert_eq!(text(&doc, "a.skip"), "本文へ移動");
}

#[tokio::test]
async fn english_is_the_default_when_the_browser_does_not_ask_for_japanese() {
    let app = TestApp::spawn().await;
    for accept in ["en-US,en;q=0.9", "fr-FR,de;q=0.8", "en;q=0.9,ja;q=0.5"] {
        let doc = html(app.get(&browser(accept), "/login").await).await;
        assert_eq!(lang(&doc), "en", "{accept}");
        assert_eq!(text(&doc, "h1"), "Sign in", "{accept}");
    }
    let doc = html(app.get(&app.client(), "/login").await).await;
    assert_eq!(lang(&doc), "en");
}

#[tokio::test]
async fn the_header_switch_stores_the_choice_on_the_user_and_it_survives_a_new_session() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = signed_in_browser(&app, &m, "en").await;
    let doc = html(app.get(&client, "/drafts").await).await;
    assert_eq!(text(&doc, "h1"), "Drafts");

    let r = app
        .post(&client, "/language", &[("lang", "ja"), ("back", "/drafts")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/drafts");
    let doc = html(app.get(&client, "/drafts").await).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "下書き");
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.language_changed".to_string())
    );

    // A new browser that asks for English still gets the stored choice once signed in.
    let other = signed_in_browser(&app, &m, "en-US,en").await;
    let doc = html(app.get(&other, "/").await).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "ダッシュボード");

    // And switching back is kept too.
    app.post(&other, "/language", &[("lang", "en"), ("back", "/")])
        .await;
    let doc = html(app.get(&client, "/").await).await;
    assert_eq!(text(&doc, "h1"), "Dashboard");
}

#[tokio::test]
async fn a_signed_out_visitor_keeps_the_choice_in_a_cookie_and_off_site_backs_go_home() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = app
        .post(
            &client,
            "/language",
            &[("lang", "ja"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    let doc = html(app.get(&client, "/login").await).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "ログイン");
    assert!(
        !app.audit_actions()
            .await
            .contains(&"user.language_changed".to_string()),
        "nobody to store it on"
    );
    let r = app
        .post(&client, "/language", &[("lang", "klingon"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn dates_are_written_for_each_language_in_the_account_time_zone_with_its_offset() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let en = signed_in_browser(&app, &m, "en").await;
    app.create_draft(&en, "Winter sale", &["Hello"]).await;
    let doc = html(app.get(&en, "/drafts").await).await;
    assert_eq!(
        text(&doc, "table.drafts td.nowrap"),
        "20 Nov 2026 10:00 JST (+09:00)"
    );

    let m2 = app.create_user("miki", "marketer").await;
    let ja = signed_in_browser(&app, &m2, "ja").await;
    let doc = html(app.get(&ja, "/drafts").await).await;
    assert_eq!(
        text(&doc, "table.drafts td.nowrap"),
        "2026年11月20日 10:00 JST (+09:00)"
    );
}

#[tokio::test]
async fn the_irreversibility_warning_is_shown_exactly_in_both_languages() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let en = signed_in_browser(&app, &m, "en").await;
    let draft = app.create_draft(&en, "Winter sale", &["Hello"]).await;
    let doc = app.draft_page(&en, draft).await;
    let items = texts(&doc, ".irreversible li");
    assert_eq!(
        items,
        [
            "Broadcast (一斉配信), segment (セグメント配信), step (ステップ配信) and greeting messages cannot be retracted once sent. Neither can anything sent through the Messaging API or an external tool, which is how sendgate sends. There is no unsend API.",
            "Only one-to-one chat messages typed in LINE Official Account Manager can be unsent, within 1 hour of sending (24 hours before late October 2026). sendgate does not send those.",
            "What to do after a wrong send: confirm what was sent and to whom, tell the team, write a correction or apology, send it quickly to the same recipients.",
        ]
    );

    let ja = signed_in_browser(&app, &m, "ja").await;
    let doc = app.draft_page(&ja, draft).await;
    assert_eq!(
        text(&doc, "#irreversible-heading"),
        "送信したら取り消せません"
    );
    let items = texts(&doc, ".irreversible li");
    assert_eq!(items.len(), 3);
    assert!(items[0].contains("一斉配信、セグメント配信、ステップ配信、あいさつメッセージは、一度送信すると取り消せません。"));
    assert!(items[0].contains("送信を取り消すAPIはありません。"));
    assert!(items[1].contains("送信から1時間以内です（2026年10月下旬より前は24時間）。"));
    assert!(items[2].contains("同じ受信者にすぐ送ってください。"));
}

#[tokio::test]
async fn the_release_button_says_what_will_happen_in_japanese_too() {
    let app = TestApp::spawn().await;
    let (client, draft) = crate::releases::ready(&app, 3, false).await;
    app.post(&client, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    let page = html(app.get(&client, &format!("/drafts/{draft}/release")).await).await;
    assert_eq!(lang(&page), "ja");
    assert_eq!(
        text(&page, "form.release-form button"),
        "3人に今すぐ送信 — 取り消しできません"
    );
    assert!(text(&page, ".irreversible").contains("送信を取り消すAPIはありません。"));
}

#[tokio::test]
async fn the_dashboard_tells_each_person_what_needs_them_next() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let a = app.create_draft(&client, "Winter sale", &["Hello"]).await;
    let b = app.create_draft(&client, "Spring sale", &["Hi"]).await;
    app.create_draft(&client, "Autumn idea", &["Later"]).await;
    for d in [a, b] {
        app.post(&client, &format!("/drafts/{d}/submit"), &[]).await;
    }
    let doc = html(app.get(&client, "/").await).await;
    let steps = texts(&doc, "#next-steps li");
    assert!(
        steps.contains(&"Your draft “Winter sale” needs a test send".to_string()),
        "{steps:?}"
    );
    assert!(
        steps.contains(&"Your draft “Autumn idea” is not submitted for review yet".to_string()),
        "{steps:?}"
    );

    let r = app.create_user("rei", "reviewer").await;
    let reviewer = signed_in_browser(&app, &r, "en").await;
    let doc = html(app.get(&reviewer, "/").await).await;
    assert_eq!(
        texts(&doc, "#next-steps li"),
        ["2 drafts wait for your review"]
    );
    let reviewer_ja = signed_in_browser(&app, &r, "ja").await;
    let doc = html(app.get(&reviewer_ja, "/").await).await;
    assert_eq!(
        texts(&doc, "#next-steps li"),
        ["2件の下書きがあなたのレビューを待っています"]
    );
}

#[tokio::test]
async fn the_line_preview_shows_text_as_typed_escaped_with_the_account_name() {
    let app = TestApp::spawn_with(|s| s.account_name = "Sakura Cafe".into()).await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let typed = "<script>alert(1)</script>\n2行目 🎉";
    let draft = app.create_draft(&client, "Escapes", &[typed]).await;
    let r = app.get(&client, &format!("/drafts/{draft}")).await;
    let raw = r.text().await.unwrap();
    assert!(
        !raw.contains("<script>alert(1)"),
        "the message text is escaped"
    );
    let doc = scraper::Html::parse_document(&raw);
    let sel = scraper::Selector::parse(".bubble-text .message-text").unwrap();
    let shown: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    assert_eq!(shown, [typed], "line breaks and emoji as typed");
    assert_eq!(text(&doc, ".line-preview .account-name"), "Sakura Cafe");
    let doc = html(
        app.get(&client, &format!("/drafts/{draft}/revisions/1"))
            .await,
    )
    .await;
    assert_eq!(text(&doc, ".line-preview .account-name"), "Sakura Cafe");
}

#[tokio::test]
async fn stickers_show_a_labelled_card_and_flex_messages_are_drawn_as_line_draws_them() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let mut form = draft_form("Mixed", &[]);
    form.extend(message_fields("sticker", "", "", "", "446", "1988", ""));
    form.extend(message_fields(
        "raw",
        "",
        "",
        "",
        "",
        "",
        r#"{"type":"flex","altText":"Menu","contents":{"type":"bubble","body":{"type":"box","layout":"vertical","contents":[{"type":"text","text":"Hi"}]}}}"#,
    ));
    let r = app.post_owned(&client, "/drafts", &form).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let draft = location(&r);
    let doc = html(app.get(&client, &draft).await).await;
    assert!(text(&doc, ".lp-sticker").contains("Sticker: package 446, sticker 1988"));
    assert_eq!(
        text(&doc, ".line-preview .lf-bubble .lf-body .lf-text"),
        "Hi"
    );
    let ja = signed_in_browser(&app, &m, "ja").await;
    let doc = html(app.get(&ja, &draft).await).await;
    assert!(text(&doc, ".lp-sticker").contains("スタンプ: パッケージ446、スタンプ1988"));
    assert_eq!(
        text(&doc, ".line-preview .lf-bubble .lf-body .lf-text"),
        "Hi"
    );
}

#[tokio::test]
async fn the_sandbox_inbox_and_the_diff_show_the_same_line_preview() {
    let app = TestApp::spawn_with(|s| s.account_name = "Sakura Cafe".into()).await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    app.import_csv(
        &client,
        format!("user_id,display_name\n{},Phone\n", uid(1)).into_bytes(),
    )
    .await;
    app.pair_phone(&client, &uid(1)).await;
    let draft = app
        .create_draft(&client, "Winter sale", &["Hello 🎉"])
        .await;
    app.test_send(&client, draft).await;
    let doc = html(app.get(&client, "/sandbox").await).await;
    assert_eq!(
        text(&doc, ".delivery .line-preview .account-name"),
        "Sakura Cafe"
    );
    let bubbles = texts(&doc, ".delivery .bubble-text");
    assert_eq!(
        bubbles.last().map(String::as_str),
        Some("Hello 🎉"),
        "{bubbles:?}"
    );

    app.edit_draft(&client, draft, 1, "Winter sale", &["Hello again"])
        .await;
    let doc = html(
        app.get(&client, &format!("/drafts/{draft}/diff?from=1&to=2"))
            .await,
    )
    .await;
    assert_eq!(
        texts(&doc, ".diff-previews .bubble-text"),
        ["Hello 🎉", "Hello again"]
    );
}

#[tokio::test]
async fn error_pages_are_translated_too() {
    let app = TestApp::spawn().await;
    let r = app.create_user("rei", "reviewer").await;
    let client = signed_in_browser(&app, &r, "ja").await;
    let resp = app.get(&client, "/admin/users").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let doc = html(resp).await;
    assert_eq!(lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "この操作はできません");
    assert_eq!(
        text(&doc, ".error-page p:nth-of-type(2)"),
        "あなたのロールではこの操作はできません。"
    );
    let doc = html(app.get(&client, "/no/such/page").await).await;
    assert_eq!(text(&doc, "h1"), "ページが見つかりません");
}

#[tokio::test]
async fn the_live_segment_count_is_worded_in_the_page_language() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let en = signed_in_browser(&app, &m, "en").await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=3 {
        csv.push_str(&format!(
            "{},Friend {i},{}\n",
            uid(i),
            if i == 1 { "vip" } else { "" }
        ));
    }
    app.import_csv(&en, csv.into_bytes()).await;
    let body = |c: Client| {
        let url = app.url("/segments/count?name=x&tags_any=vip");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(body(en).await["text"], "1 of 3 friends match.");
    let ja = signed_in_browser(&app, &m, "ja").await;
    assert_eq!(body(ja).await["text"], "友だち3人中1人が該当します。");
}

#[tokio::test]
async fn reasons_the_domain_words_with_values_are_translated_with_their_values() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let draft = app.create_draft(&client, "Winter sale", &["Hello"]).await;
    let r = app.create_user("rei", "reviewer").await;
    let en = signed_in_browser(&app, &r, "en").await;
    let doc = app.draft_page(&en, draft).await;
    assert_eq!(
        text(&doc, "#review-refusal"),
        "This draft is not in review (it is a draft); reviews are taken after it is submitted and before it is released."
    );
    let ja = signed_in_browser(&app, &r, "ja").await;
    let doc = app.draft_page(&ja, draft).await;
    assert_eq!(
        text(&doc, "#review-refusal"),
        "この下書きはレビュー中ではありません（現在: 下書き）。レビューは、レビューに出された後、配信される前に行います。"
    );
}

/// The English words left in a page's `<main>`: runs of 4+ ASCII letters, except names
/// that are the same in both languages (LINE, JSON, user ids, codes shown as code).
pub fn english_words(doc: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse("main").unwrap();
    let skip =
        scraper::Selector::parse("code, pre, script, .bubble, .chat, .delivery, .message-text")
            .unwrap();
    let mut skipped = std::collections::HashSet::new();
    for el in doc.select(&skip) {
        for t in el.text() {
            skipped.insert(t as *const str);
        }
    }
    let mut words = Vec::new();
    for main in doc.select(&sel) {
        for t in main.text() {
            if skipped.contains(&(t as *const str)) {
                continue;
            }
            // Addresses (a message's links, where a tap leads) are never translated.
            let without_urls: Vec<&str> = t
                .split_whitespace()
                .filter(|token| !token.contains("://"))
                .collect();
            for w in without_urls
                .join(" ")
                .split(|c: char| !c.is_ascii_alphabetic())
            {
                if w.len() >= 4 && !words.iter().any(|x: &String| x == w) {
                    words.push(w.to_string());
                }
            }
        }
    }
    words
}

/// Names written the same in Japanese: products, the account, Shift_JIS, demo user names.
pub const NAMES: [&str; 11] = [
    "LINE",
    "Messaging",
    "Official",
    "Account",
    "Manager",
    "sendgate",
    "Shift",
    "kenta",
    "makoto",
    "misaki",
    "yuko",
];

#[tokio::test]
async fn the_japanese_demo_reads_in_japanese_for_every_demo_person() {
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let d = &seeded.drafts;
    let mut leftovers = Vec::new();
    for u in &seeded.users {
        let client = browser("ja");
        let r = app.login(&client, u.username, &u.password).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{} signs in", u.username);
        let mut pages = vec![
            "/".to_string(),
            "/drafts".to_string(),
            format!("/drafts/{}", d.ready),
            format!("/drafts/{}", d.changes_requested),
            format!("/drafts/{}", d.sent),
            format!("/drafts/{}", d.draft),
            format!("/drafts/{}", d.one_approval),
            format!("/drafts/{}", d.scheduled),
            "/testers".to_string(),
            "/sandbox".to_string(),
            "/greeting".to_string(),
            format!("/drafts/{}", seeded.greeting),
            format!("/greeting/{}/activate", seeded.greeting),
            "/friends".to_string(),
            "/segments".to_string(),
        ];
        if u.role == "marketer" {
            pages.push(format!("/drafts/{}/release", d.ready));
        }
        if u.role == "admin" {
            pages.push("/audit".to_string());
            pages.push("/admin/users".to_string());
            pages.push("/admin/policy".to_string());
        }
        for path in pages {
            let r = app.get(&client, &path).await;
            assert_eq!(r.status(), StatusCode::OK, "{} {path}", u.username);
            let doc = html(r).await;
            assert_eq!(lang(&doc), "ja", "{path}");
            // The audit log shows each event's recorded details as they are (JSON).
            if path == "/audit" {
                continue;
            }
            let words: Vec<String> = english_words(&doc)
                .into_iter()
                .filter(|w| !NAMES.contains(&w.as_str()))
                .collect();
            if !words.is_empty() {
                leftovers.push(format!("{} {path}: {}", u.username, words.join(" ")));
            }
        }
    }
    assert!(
        leftovers.is_empty(),
        "English left on Japanese pages:\n{}",
        leftovers.join("\n")
    );

    let misaki = browser("ja");
    let marketer = &seeded.users[0];
    app.login(&misaki, marketer.username, &marketer.password)
        .await;
    let dash = html(app.get(&misaki, "/").await).await;
    assert_eq!(text(&dash, "h1"), "ダッシュボード");
    let who = scraper::Selector::parse("span[title]").unwrap();
    assert!(
        dash.select(&who)
            .filter_map(|e| e.value().attr("title"))
            .any(|t| t.contains("マーケター")),
        "the role in the header tooltip is Japanese"
    );
    let drafts = html(app.get(&misaki, "/drafts").await).await;
    assert!(text(&drafts, "h1").contains("下書き"));
    let release = html(
        app.get(&misaki, &format!("/drafts/{}/release", d.ready))
            .await,
    )
    .await;
    assert!(
        text(&release, "#release-button").contains("取り消しできません"),
        "the release button is Japanese: {}",
        text(&release, "#release-button")
    );
    let segments = html(app.get(&misaki, "/segments").await).await;
    assert!(
        english_words(&segments).is_empty(),
        "the segment rules are described in Japanese: {:?}",
        english_words(&segments)
    );
    let friends = html(app.get(&misaki, "/friends").await).await;
    assert!(
        text(&friends, ".stats").starts_with("合計 2,000"),
        "{}",
        text(&friends, ".stats")
    );

    let admin = seeded.users.iter().find(|u| u.role == "admin").unwrap();
    let makoto = browser("ja");
    app.login(&makoto, admin.username, &admin.password).await;
    let audit = html(app.get(&makoto, "/audit").await).await;
    assert_eq!(text(&audit, "h1"), "監査ログ");
    let cells = texts(&audit, "tbody td:nth-child(4)");
    assert!(
        cells.iter().any(|c| c == "レビューに提出 draft.submitted"),
        "audit actions have a Japanese label and keep their code: {cells:?}"
    );
    assert!(
        texts(&audit, "tbody td:nth-child(2)")[0].contains("年"),
        "audit times are written the Japanese way"
    );
    let users = html(app.get(&makoto, "/admin/users").await).await;
    assert!(text(&users, "tbody").contains("レビュアー"));
}
