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
        "あなたの役割ではこの操作はできません。"
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

/// Names written the same in Japanese: products, the account, Shift_JIS, demo user names,
/// the language switch's "English", LINE's JSON field names and a CSV column.
pub const NAMES: [&str; 20] = [
    "English",
    "Flex",
    "altText",
    "JSON",
    "tags",
    "Google",
    "Authenticator",
    "Microsoft",
    "Shift_JIS",
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
            .any(|t| t.contains("配信担当者")),
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
    assert_eq!(text(&audit, "h1"), "操作履歴");
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
    assert!(text(&users, "tbody").contains("確認者"));
}

/// The English words a Japanese user can see on a whole page: the text of `<body>` and the
/// words in `title`, `placeholder`, `aria-label` and `alt`, except what the team typed
/// themselves (message bubbles, code, user data in `own`), addresses, emails and hashes.
/// Acronyms written the same in Japanese (LINE, CSV, URL, ID, JSON, JST…) pass.
pub fn visible_english(
    doc: &scraper::Html,
    own: &std::collections::HashSet<String>,
) -> Vec<String> {
    let skip = scraper::Selector::parse(
        "code, pre, script, style, template, noscript, .bubble, .chat, .delivery, .message-text, .line-preview, .lp-bubble, textarea, option.own",
    )
    .unwrap();
    let mut skipped = std::collections::HashSet::new();
    for el in doc.select(&skip) {
        for t in el.text() {
            skipped.insert(t as *const str);
        }
    }
    let body = scraper::Selector::parse("body").unwrap();
    let with_attrs =
        scraper::Selector::parse("[title], [placeholder], [aria-label], [alt]").unwrap();
    let mut chunks: Vec<String> = Vec::new();
    for b in doc.select(&body) {
        for t in b.text() {
            if !skipped.contains(&(t as *const str)) {
                chunks.push(t.to_string());
            }
        }
    }
    for el in doc.select(&with_attrs) {
        for a in ["title", "placeholder", "aria-label", "alt"] {
            if let Some(v) = el.value().attr(a) {
                chunks.push(v.to_string());
            }
        }
    }
    let mut words: Vec<String> = Vec::new();
    for chunk in chunks {
        // 「Flex Message」 is how LINE names it, for Japanese users too.
        let chunk = chunk.replace("Flex Message", "");
        // Tokens are runs of ASCII: Japanese text has no spaces between words.
        for token in chunk.split(|c: char| c.is_whitespace() || !c.is_ascii()) {
            // Addresses, emails, codes (draft.created, user_id, attr:NAME, Asia/Tokyo,
            // https://), ids and fingerprints (U0123…, 3cbb9eea) are written the same in
            // Japanese.
            let inner = token.trim_matches(|c: char| c.is_ascii_punctuation());
            let code = inner.contains(['.', '_', '/', ':', '@', '='])
                || token.ends_with("://")
                || (inner.chars().any(|c| c.is_ascii_digit())
                    && inner.chars().any(|c| c.is_ascii_alphabetic()));
            let token = inner;
            if token.is_empty() || code || own.contains(token) {
                continue;
            }
            for w in token.split(|c: char| !c.is_ascii_alphabetic()) {
                let acronym = w.len() <= 5 && w.chars().all(|c| c.is_ascii_uppercase());
                let hex = w.len() >= 6 && w.chars().all(|c| c.is_ascii_hexdigit());
                if w.len() >= 3
                    && !acronym
                    && !hex
                    && !NAMES.contains(&w)
                    && !own.contains(w)
                    && !words.iter().any(|x| x == w)
                {
                    words.push(w.to_string());
                }
            }
        }
    }
    words
}

/// The words of what the team typed into the demo (titles, names, tags, comments, user
/// names): shown as typed in either language.
async fn own_words(app: &TestApp) -> std::collections::HashSet<String> {
    // Each sign-in is audited as "login", shown beside its Japanese name.
    let mut out = std::collections::HashSet::from(["login".to_string()]);
    for q in [
        "SELECT username FROM users",
        "SELECT display_name FROM users",
        "SELECT COALESCE(display_name, '') FROM friends",
        "SELECT name FROM segments",
        "SELECT COALESCE(json_extract(content, '$.title'), '') FROM revisions",
        "SELECT body FROM reviews",
        "SELECT name FROM tags",
        // The audit log shows each action's code beside its name.
        "SELECT action FROM audit_events",
        "SELECT name FROM scenarios",
    ] {
        let Ok(rows) = sqlx::query_scalar::<_, String>(q)
            .fetch_all(app.pool())
            .await
        else {
            continue;
        };
        for r in rows {
            for token in r.split_whitespace() {
                out.insert(token.to_string());
                for w in token.split(|c: char| !c.is_ascii_alphabetic()) {
                    if !w.is_empty() {
                        out.insert(w.to_string());
                    }
                }
            }
        }
    }
    out
}

/// A same-origin page link worth following from `doc` (no downloads, static files, sign-out).
fn page_links(doc: &scraper::Html) -> Vec<String> {
    let sel = scraper::Selector::parse("a[href]").unwrap();
    let mut out = Vec::new();
    for a in doc.select(&sel) {
        let href = a.value().attr("href").unwrap_or_default();
        let href = href.split('#').next().unwrap_or_default();
        if !href.starts_with('/') || href.starts_with("//") || a.value().attr("download").is_some()
        {
            continue;
        }
        let path = href.split('?').next().unwrap_or_default();
        if path.starts_with("/static")
            || path.starts_with("/assets")
            || path.starts_with("/media/")
            || path.ends_with(".csv")
            || path.ends_with(".png")
            || path.ends_with(".json")
            || path == "/logout"
        {
            continue;
        }
        out.push(href.to_string());
    }
    out
}

/// The shape of a path, its numbers and query values replaced, so a list of 2,000 friends
/// is crawled a few pages deep and not all of it.
fn path_shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let p: String = p
        .split('/')
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let keys: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    format!("{p}?{}", keys.join("&"))
}

/// Every page reachable by links from the dashboard, breadth first, at most `limit` pages
/// and three pages of each shape; each with its status and document.
async fn crawl(
    app: &TestApp,
    client: &Client,
    limit: usize,
) -> Vec<(String, StatusCode, scraper::Html)> {
    let mut queue = std::collections::VecDeque::from(["/".to_string()]);
    let mut seen = std::collections::HashSet::from(["/".to_string()]);
    let mut shapes: std::collections::HashMap<String, usize> = Default::default();
    let mut out = Vec::new();
    while let Some(path) = queue.pop_front() {
        if out.len() >= limit {
            break;
        }
        let r = app.get(client, &path).await;
        let status = r.status();
        let is_html = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            continue;
        }
        let doc = html(r).await;
        for link in page_links(&doc) {
            let shape = path_shape(&link);
            let n = shapes.entry(shape).or_default();
            if *n < 3 && seen.insert(link.clone()) {
                *n += 1;
                queue.push_back(link);
            }
        }
        out.push((path, status, doc));
    }
    out
}

/// Internal and engineering words a LINE marketing team does not use
/// (/work/shared/reference/line-glossary-ja.md): allowed only inside a `<details>` section.
pub const BANNED_TERMS: [&str; 14] = [
    "ゲートチェックリスト",
    "リビジョン",
    "内容ハッシュ",
    "ハッシュ",
    "スナップショット",
    "バッチ",
    "マルチキャスト",
    "ブロードキャスト",
    "レビュアー",
    "マーケター",
    "ドラフト",
    "クォータ",
    "ロール",
    "プッシュ",
];

/// The banned terms in the text of a page outside `<details>` and outside what the team
/// typed (message bubbles).
pub fn banned_terms(doc: &scraper::Html) -> Vec<&'static str> {
    let skip = scraper::Selector::parse(
        "details, script, style, .bubble, .chat, .delivery, .message-text, .line-preview, textarea",
    )
    .unwrap();
    let mut skipped = std::collections::HashSet::new();
    for el in doc.select(&skip) {
        for t in el.text() {
            skipped.insert(t as *const str);
        }
    }
    let body = scraper::Selector::parse("body").unwrap();
    let mut text = String::new();
    for b in doc.select(&body) {
        for t in b.text() {
            if !skipped.contains(&(t as *const str)) {
                text.push_str(t);
            }
        }
    }
    // 「カメラロール」 is where photos are, not a role.
    let text = text.replace("カメラロール", "");
    BANNED_TERMS
        .into_iter()
        .filter(|term| text.contains(term))
        .collect()
}

/// Counts of a thousand or more written without separators ("29999人") in visible text,
/// outside code, `<details>` and what the team typed; years ("2026年") and ids ("#1234")
/// are not counts.
pub fn unseparated_numbers(doc: &scraper::Html) -> Vec<String> {
    let skip = scraper::Selector::parse(
        "details, code, pre, script, style, .bubble, .chat, .delivery, .message-text, .line-preview, textarea, time, .nowrap",
    )
    .unwrap();
    let mut skipped = std::collections::HashSet::new();
    for el in doc.select(&skip) {
        for t in el.text() {
            skipped.insert(t as *const str);
        }
    }
    let body = scraper::Selector::parse("body").unwrap();
    let mut found = Vec::new();
    for b in doc.select(&body) {
        for t in b.text() {
            if skipped.contains(&(t as *const str)) {
                continue;
            }
            let chars: Vec<char> = t.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if !chars[i].is_ascii_digit() {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let before = start.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i).copied();
                let number: String = chars[start..i].iter().collect();
                let is_year = after == Some('年') || (number.len() == 4 && after == Some('-'));
                let is_id = matches!(before, Some('#' | ',' | '.' | ':' | '-' | '/' | 'U' | '_'));
                let in_word = before.is_some_and(|c| c.is_ascii_alphabetic())
                    || after.is_some_and(|c| c.is_ascii_alphabetic() || c == ',');
                if number.len() >= 4 && !is_year && !is_id && !in_word {
                    found.push(number);
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn every_page_a_japanese_demo_user_can_reach_reads_in_japanese() {
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let own = own_words(&app).await;
    let mut leftovers = Vec::new();
    let mut visited = 0;
    for u in &seeded.users {
        let client = browser("ja");
        let r = app.login(&client, u.username, &u.password).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{} signs in", u.username);
        let pages = crawl(&app, &client, 400).await;
        visited += pages.len();
        for (path, status, doc) in pages {
            if status.is_server_error() {
                leftovers.push(format!("{} {path}: status {status}", u.username));
            }
            if lang(&doc) != "ja" {
                leftovers.push(format!("{} {path}: lang {}", u.username, lang(&doc)));
            }
            let words = visible_english(&doc, &own);
            if !words.is_empty() {
                leftovers.push(format!("{} {path}: {}", u.username, words.join(" ")));
            }
            let terms = banned_terms(&doc);
            if !terms.is_empty() {
                leftovers.push(format!(
                    "{} {path}: internal terms outside 詳細: {}",
                    u.username,
                    terms.join(" ")
                ));
            }
            let numbers = unseparated_numbers(&doc);
            if !numbers.is_empty() {
                leftovers.push(format!(
                    "{} {path}: numbers without separators: {}",
                    u.username,
                    numbers.join(" ")
                ));
            }
        }
    }
    eprintln!("crawled {visited} pages");
    assert!(visited > 60, "the crawl reached only {visited} pages");
    assert!(
        leftovers.is_empty(),
        "{} pages show English to a Japanese user:\n{}",
        leftovers.len(),
        leftovers.join("\n")
    );
}

/// What a form answered, as the person sees it: the page it rendered, or the page its
/// redirect leads to (where the flash is shown).
async fn outcome(
    app: &TestApp,
    client: &Client,
    r: reqwest::Response,
) -> (StatusCode, scraper::Html) {
    if r.status() == StatusCode::SEE_OTHER {
        let to = location(&r);
        let next = app.get(client, &to).await;
        (next.status(), html(next).await)
    } else {
        (r.status(), html(r).await)
    }
}

/// A demo person signed in from a browser asking for Japanese.
async fn demo_sign_in(app: &TestApp, seeded: &sendgate::demo::Demo, name: &str) -> Client {
    let u = seeded.users.iter().find(|u| u.username == name).unwrap();
    let client = browser("ja");
    let r = app.login(&client, u.username, &u.password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{name} signs in");
    client
}

/// Fails naming every outcome (what was done, its status, its page) that answered with a
/// server error, an English word beyond what the account itself holds (`own`), or an
/// internal term outside 詳細.
fn assert_reads_in_japanese(
    seen: &[(String, StatusCode, scraper::Html)],
    own: &std::collections::HashSet<String>,
) {
    let mut leftovers = Vec::new();
    for (what, status, doc) in seen {
        if status.is_server_error() {
            leftovers.push(format!("{what}: status {status}"));
        }
        let words = visible_english(doc, own);
        if !words.is_empty() {
            leftovers.push(format!("{what}: {}", words.join(" ")));
        }
        let terms = banned_terms(doc);
        if !terms.is_empty() {
            leftovers.push(format!(
                "{what}: internal terms outside 詳細: {}",
                terms.join(" ")
            ));
        }
    }
    assert!(
        leftovers.is_empty(),
        "English a Japanese user meets after a form:\n{}",
        leftovers.join("\n")
    );
}

#[tokio::test]
async fn every_flash_field_error_and_refusal_a_japanese_demo_user_meets_reads_in_japanese() {
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let d = &seeded.drafts;
    let mut own = own_words(&app).await;
    // What the forms below type, shown back as typed.
    for typed in ["nickname", "Uxyz", "not", "host", "short"] {
        own.insert(typed.to_string());
    }
    let misaki = demo_sign_in(&app, &seeded, "misaki").await;
    let kenta = demo_sign_in(&app, &seeded, "kenta").await;
    let makoto = demo_sign_in(&app, &seeded, "makoto").await;
    let mut seen: Vec<(String, StatusCode, scraper::Html)> = Vec::new();
    let title = "年末年始の営業時間のお知らせ";

    // The marketer saves a new revision, saves it unchanged, and saves it without a title.
    let r = app
        .edit_draft(&misaki, d.draft, 1, title, &["12月30日から休業します。"])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the edit is saved");
    let (s, doc) = outcome(&app, &misaki, r).await;
    assert!(
        text(&doc, ".flash").contains("第2版"),
        "{}",
        text(&doc, ".flash")
    );
    seen.push(("save flash".into(), s, doc));
    let r = app
        .edit_draft(&misaki, d.draft, 2, title, &["12月30日から休業します。"])
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("unchanged save flash".into(), s, doc));
    let r = app.edit_draft(&misaki, d.draft, 2, "", &[""]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    seen.push(("draft field errors".into(), r.status(), html(r).await));
    let r = app
        .post(&misaki, &format!("/drafts/{}/submit", d.draft), &[])
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("submit flash".into(), s, doc));
    // A test send to the marketer's phone, and its diff against the first revision.
    let r = app.test_send(&misaki, d.draft).await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("test send flash".into(), s, doc));
    let r = app
        .get(&misaki, &format!("/drafts/{}/diff?from=1&to=2", d.draft))
        .await;
    seen.push(("diff".into(), r.status(), html(r).await));

    // A wrong typed count keeps the form and says what to type.
    let page = html(
        app.get(&misaki, &format!("/drafts/{}/release", d.ready))
            .await,
    )
    .await;
    let form = acknowledged_form(&page, "typed_phrase", "1");
    let r = app
        .post_owned(&misaki, &format!("/drafts/{}/release", d.ready), &form)
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let doc = html(r).await;
    assert!(
        text(&doc, "body").contains("と入力してください"),
        "the refusal says what to type in Japanese: {}",
        text(&doc, "main")
    );
    seen.push(("wrong typed count".into(), StatusCode::OK, doc));
    // Releasing a draft whose gate is not green.
    let page = html(
        app.get(&misaki, &format!("/drafts/{}/release", d.changes_requested))
            .await,
    )
    .await;
    let form = acknowledged_form(&page, "typed_phrase", "1");
    let r = app
        .post_owned(
            &misaki,
            &format!("/drafts/{}/release", d.changes_requested),
            &form,
        )
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("release refused by the gate".into(), s, doc));
    // Cancelling the scheduled release.
    let r = app
        .post(&misaki, &format!("/drafts/{}/cancel", d.scheduled), &[])
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("cancel flash".into(), s, doc));

    // Segments: no name and contradicting tags, then a name already taken, then a good one.
    let r = app
        .post(
            &misaki,
            "/segments",
            &[("name", ""), ("tags_all", "VIP"), ("tags_none", "VIP")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    seen.push(("segment field errors".into(), r.status(), html(r).await));
    let r = app
        .post(
            &misaki,
            "/segments",
            &[("name", "VIP会員"), ("tags_any", "VIP")],
        )
        .await;
    seen.push(("segment name taken".into(), r.status(), html(r).await));
    let r = app
        .post(
            &misaki,
            "/segments",
            &[("name", "新しいセグメント"), ("tags_any", "VIP")],
        )
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("segment saved".into(), s, doc));
    // A CSV with a bad header and a bad row.
    let r = app
        .import_csv(&misaki, b"user_id,nickname\nUxyz,a\n".to_vec())
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("bad csv header".into(), s, doc));
    let r = app
        .import_csv(&misaki, b"user_id,display_name\nUxyz,a\n".to_vec())
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("bad csv row".into(), s, doc));
    // A marketer may not review.
    let r = app.review(&misaki, d.one_approval, 1, "approve", "").await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("marketer reviews".into(), s, doc));

    // The reviewer approves twice, and reviews an old revision.
    let r = app.review(&kenta, d.draft, 2, "approve", "").await;
    let (s, doc) = outcome(&app, &kenta, r).await;
    seen.push(("approval flash".into(), s, doc));
    let r = app.review(&kenta, d.draft, 2, "approve", "").await;
    let (s, doc) = outcome(&app, &kenta, r).await;
    seen.push(("second approval".into(), s, doc));
    let r = app.review(&kenta, d.draft, 1, "approve", "").await;
    let (s, doc) = outcome(&app, &kenta, r).await;
    seen.push(("approval of an old revision".into(), s, doc));
    let r = app.review(&kenta, d.draft, 2, "request_changes", "").await;
    let (s, doc) = outcome(&app, &kenta, r).await;
    seen.push(("request changes without a comment".into(), s, doc));

    // The admin: bad policy values, a bad new user, a name already taken.
    let r = app
        .post(
            &makoto,
            "/admin/policy",
            &[
                ("required_approvals", "9"),
                ("correction_required_approvals", "0"),
                ("large_audience_threshold", "x"),
                ("preview_max_age_hours", "500"),
                ("max_drift_percent", "200"),
                ("quiet_hours_start", "25:00"),
                ("quiet_hours_end", "8"),
                ("time_zone", "Mars/Olympus"),
                ("link_allow_list", "not a host"),
                ("max_testers", "0"),
                ("release_hold_seconds", "-1"),
                ("reauth_minutes", "0"),
                ("session_idle_hours", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(
        texts(&doc, ".field-error").len() >= 8,
        "{:?}",
        texts(&doc, ".field-error")
    );
    seen.push(("policy field errors".into(), StatusCode::OK, doc));
    let r = app
        .post(
            &makoto,
            "/admin/users",
            &[
                ("username", "a b"),
                ("display_name", ""),
                ("password", "short"),
            ],
        )
        .await;
    seen.push(("user field errors".into(), r.status(), html(r).await));
    let r = app
        .post(
            &makoto,
            "/admin/users",
            &[
                ("username", "kenta"),
                ("display_name", "健太"),
                ("password", "long enough password here"),
                ("roles", "reviewer"),
            ],
        )
        .await;
    seen.push(("user name taken".into(), r.status(), html(r).await));
    // The audit log of all of it.
    let r = app.get(&makoto, "/audit").await;
    seen.push(("audit log".into(), r.status(), html(r).await));

    // A wrong password.
    let anonymous = browser("ja");
    let r = app.login(&anonymous, "misaki", "wrong password").await;
    let (s, doc) = outcome(&app, &anonymous, r).await;
    seen.push(("wrong password".into(), s, doc));

    assert_reads_in_japanese(&seen, &own);
}

#[tokio::test]
async fn the_incident_two_factor_session_and_setup_forms_answer_in_japanese_too() {
    // Setup first, on the empty database: a wrong confirmation and a short password.
    let app = TestApp::spawn().await;
    let token = app
        .setup_url
        .clone()
        .expect("a new database prints a setup URL")
        .split("token=")
        .nth(1)
        .unwrap()
        .to_string();
    let anonymous = browser("ja");
    let mut seen: Vec<(String, StatusCode, scraper::Html)> = Vec::new();
    let setup = |password: &'static str, confirm: &'static str| {
        let (app, client, token) = (&app, &anonymous, token.clone());
        async move {
            app.post(
                client,
                "/setup",
                &[
                    ("token", token.as_str()),
                    ("username", "hanako"),
                    ("display_name", "佐藤 花子"),
                    ("password", password),
                    ("password_confirm", confirm),
                ],
            )
            .await
        }
    };
    let r = setup("long enough password", "another long password").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    seen.push(("setup passwords differ".into(), r.status(), html(r).await));
    let r = setup("short", "short").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    seen.push(("setup password too short".into(), r.status(), html(r).await));
    let r = app.get(&anonymous, "/setup?token=guess").await;
    seen.push(("setup without the token".into(), r.status(), html(r).await));

    // Then the demo: its marketer reports on yesterday's sent release and turns on
    // two-factor sign-in; its admin saves empty apology templates.
    let app = TestApp::spawn().await;
    let seeded = sendgate::demo::seed(&app.state)
        .await
        .expect("the demo seeds")
        .expect("an empty database gets the demo");
    let mut own = own_words(&app).await;
    // What the forms below type, shown back as typed.
    for typed in ["hanako", "enormous", "yesterday", "abc"] {
        own.insert(typed.to_string());
    }
    let misaki = demo_sign_in(&app, &seeded, "misaki").await;
    let makoto = demo_sign_in(&app, &seeded, "makoto").await;
    let release: i64 = sqlx::query_scalar("SELECT id FROM releases WHERE draft_id = ?")
        .bind(seeded.drafts.sent)
        .fetch_one(app.pool())
        .await
        .unwrap();

    let report =
        |what: &'static str, severity: &'static str, by: &'static str, at: &'static str| {
            let (app, client) = (&app, &misaki);
            async move {
                app.post(
                    client,
                    &format!("/releases/{release}/report"),
                    &[
                        ("what_was_wrong", what),
                        ("severity", severity),
                        ("noticed_by", by),
                        ("noticed_at", at),
                    ],
                )
                .await
            }
        };
    let r = report("", "enormous", "", "yesterday").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(
        !texts(&doc, ".field-error").is_empty(),
        "the report form names its fields: {}",
        text(&doc, "main")
    );
    seen.push(("incident report field errors".into(), StatusCode::OK, doc));
    let r = report(
        "価格が1桁違っていました。",
        "high",
        "お客様からのお電話",
        "",
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the incident is opened");
    let (s, doc) = outcome(&app, &misaki, r).await;
    assert!(
        !text(&doc, ".flash").is_empty(),
        "a flash says what happened"
    );
    seen.push(("incident reported".into(), s, doc));
    let r = app
        .post(
            &misaki,
            &format!("/incidents/{}/close", seeded.incident),
            &[("closing_note", "")],
        )
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("incident closed without a note".into(), s, doc));

    let r = app.post(&misaki, "/account/two-factor/start", &[]).await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("two-factor started".into(), s, doc));
    let r = app
        .post(&misaki, "/account/two-factor", &[("code", "000000")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    seen.push(("two-factor wrong code".into(), r.status(), html(r).await));
    let r = app
        .post(&misaki, "/account/two-factor", &[("code", "abc")])
        .await;
    seen.push((
        "two-factor code not digits".into(),
        r.status(),
        html(r).await,
    ));

    let r = app.post(&misaki, "/account/sessions/end-others", &[]).await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("other sessions ended".into(), s, doc));
    let r = app
        .post(&misaki, "/account/sessions/nothing-like-a-handle/end", &[])
        .await;
    let (s, doc) = outcome(&app, &misaki, r).await;
    seen.push(("ending an unknown session".into(), s, doc));

    let r = app
        .post(
            &makoto,
            "/admin/apology",
            &[("apology_ja", ""), ("apology_en", "")],
        )
        .await;
    let (s, doc) = outcome(&app, &makoto, r).await;
    seen.push(("empty apology templates".into(), s, doc));

    assert_reads_in_japanese(&seen, &own);
}
