//! Messages as LINE shows them on every page that shows them (issue #17), LINE's schema
//! at save, the link and media checks of every action, and the preview CSS under the
//! page's Content-Security-Policy.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::media::{Block, app, editor_form};

fn raw(json: serde_json::Value) -> Block {
    Block {
        kind: "raw",
        raw: json.to_string(),
        ..Block::default()
    }
}

fn count(doc: &scraper::Html, selector: &str) -> usize {
    doc.select(&scraper::Selector::parse(selector).unwrap())
        .count()
}

fn rich_template() -> serde_json::Value {
    serde_json::json!({"type": "template", "altText": "春のご案内", "template": {"type": "buttons",
    "thumbnailImageUrl": "https://cdn.example/t.jpg", "title": "春のご案内", "text": "ご希望をお選びください",
    "actions": [
        {"type": "uri", "label": "公式サイト", "uri": "https://shop.example/"},
        {"type": "uri", "label": "古いページ", "uri": "http://old.example/"},
        {"type": "uri", "label": "危ない", "uri": "javascript:alert(1)"},
        {"type": "postback", "label": "予約", "data": "reserve=1", "displayText": "予約します"}
    ]}})
}

#[tokio::test]
async fn an_invalid_flex_message_is_refused_at_save_with_its_json_path() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let flex = serde_json::json!({"type": "flex", "altText": "メニュー", "contents": {"type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": [{"type": "box", "contents": []}, {"type": "text", "text": "a", "size": "huge"}]}}});
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("壊れたFlex", &[raw(flex.clone())], "save"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    let errors = texts(&doc, ".message-block .field-error");
    assert!(
        errors.iter().any(|e| e == "Message 1: contents.body.contents[0].layout is missing; LINE's message format requires it."),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("contents.body.contents[1].size is \"huge\"")),
        "{errors:?}"
    );
    assert_eq!(app.count("drafts").await, 0);
    // What was typed is still there.
    assert!(text(&doc, "textarea[name=raw_json]").contains("\"huge\""));

    // In Japanese, with the path kept.
    let r = app
        .post(&client, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("壊れたFlex", &[raw(flex)], "save"),
        )
        .await;
    let errors = texts(&html(r).await, ".message-block .field-error");
    assert!(
        errors.iter().any(|e| e == "メッセージ1: contents.body.contents[0].layoutがありません。LINEのメッセージ形式では必須です。"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_reviewer_sees_every_action_and_the_link_checks_apply_to_all_of_them() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let flex_http_image = serde_json::json!({"type": "flex", "altText": "画像", "contents": {"type": "bubble",
        "hero": {"type": "image", "url": "http://cdn.example/h.png", "size": "full"},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "action": {"type": "datetimepicker", "label": "日付", "data": "d", "mode": "date"}},
            {"type": "button", "action": {"type": "clipboard", "label": "コピー", "clipboardText": "SPRING"}},
            {"type": "button", "action": {"type": "camera", "label": "カメラ"}}]}}});
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form(
                "リンク",
                &[raw(rich_template()), raw(flex_http_image)],
                "save",
            ),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let draft = location(&r);
    let rv = app.create_user("rei", "reviewer").await;
    let reviewer = app.signed_in(&rv).await;
    let doc = html(app.get(&reviewer, &draft).await).await;

    // The template as LINE draws it, with where each button leads.
    assert_eq!(texts(&doc, ".line-preview .lt-title"), ["春のご案内"]);
    assert_eq!(count(&doc, ".line-preview .lt-action"), 4);
    let rows = texts(&doc, "#action-list tbody tr");
    assert_eq!(rows.len(), 7, "{rows:?}");
    let leads = texts(&doc, "#action-list td:last-child");
    for want in [
        "Opens https://shop.example/",
        "Opens http://old.example/",
        "Opens javascript:alert(1)",
        "Sends “予約します” to the chat and data “reserve=1” to the account's system",
        "Opens a date picker; sends the choice with data “d”",
        "Copies “SPRING”",
        "Opens the camera",
    ] {
        assert!(leads.iter().any(|l| l == want), "{want} in {leads:?}");
    }
    assert_eq!(count(&doc, "#action-list td.level-error"), 1);
    assert_eq!(count(&doc, "#action-list td.level-warning"), 1);

    // The checks: javascript: and the http:// image are errors, http:// links warn, and
    // images outside sendgate warn that they can change.
    let findings = texts(&doc, ".findings .finding");
    let has = |level: &str, needle: &str| {
        findings
            .iter()
            .any(|f| f.to_lowercase().starts_with(level) && f.contains(needle))
    };
    assert!(has("error", "runs a script (javascript:)"), "{findings:?}");
    assert!(
        has("error", "contents.hero.url must start with https://"),
        "{findings:?}"
    );
    assert!(
        has("warning", "Links to http://old.example/"),
        "{findings:?}"
    );
    assert!(
        has(
            "warning",
            "https://cdn.example/t.jpg is not stored in sendgate"
        ),
        "{findings:?}"
    );
    // The release is blocked by those errors.
    assert!(
        text(&doc, "#gate-checks").contains("2 errors"),
        "{}",
        text(&doc, "#gate-checks")
    );

    // The release page shows the same message and list.
    let doc = html(app.get(&client, &format!("{draft}/release")).await).await;
    assert_eq!(count(&doc, ".line-preview .lt-card"), 1);
    assert_eq!(count(&doc, "#action-list tbody tr"), 7);
}

#[tokio::test]
async fn the_preview_css_is_allowed_by_its_hash_in_the_pages_policy_and_nowhere_inline() {
    use base64::Engine;
    use sha2::Digest;
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let flex = serde_json::json!({"type": "flex", "altText": "色", "contents": {"type": "bubble",
        "body": {"type": "box", "layout": "vertical", "backgroundColor": "#ffeedd", "contents": [{"type": "text", "text": "赤", "color": "#ff0000"}]}}});
    let r = app
        .post_owned(&client, "/drafts", &editor_form("色", &[raw(flex)], "save"))
        .await;
    let draft = location(&r);
    let r = app.get(&client, &draft).await;
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let body = r.text().await.unwrap();
    assert!(!body.contains(" style=\""), "no inline style attributes");
    let start = body.find("<style>").expect("a preview stylesheet") + "<style>".len();
    let css = &body[start..start + body[start..].find("</style>").unwrap()];
    assert!(
        css.contains("color:#ff0000") && css.contains("background-color:#ffeedd"),
        "{css}"
    );
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css.as_bytes()));
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{hash}'")),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    // Pages without rich messages keep the plain policy.
    let r = app.get(&client, "/drafts").await;
    assert!(
        !r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sha256-")
    );
}

#[tokio::test]
async fn the_diff_shows_a_changed_rich_message_before_and_after_with_the_changed_paths() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let bubble = |text: &str| {
        serde_json::json!({"type": "flex", "altText": "お知らせ", "contents": {"type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": text}]}}})
    };
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("差分", &[raw(bubble("旧価格 1,980円"))], "save"),
        )
        .await;
    let draft = location(&r);
    let mut form = editor_form("差分", &[raw(bubble("新価格 980円"))], "save");
    form.push(("base_revision".into(), "1".into()));
    let r = app.post_owned(&client, &draft, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = html(app.get(&client, &format!("{draft}/diff?from=1&to=2")).await).await;
    assert_eq!(
        texts(&doc, ".changed-paths code"),
        ["contents.body.contents[0].text"]
    );
    assert_eq!(
        texts(&doc, ".rich-diff .lf-text"),
        ["旧価格 1,980円", "新価格 980円"]
    );
}

#[tokio::test]
async fn text_v2_emoji_quick_replies_and_the_sender_show_as_line_shows_them() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let v2 = serde_json::json!({"type": "textV2", "text": "{everyone} 本日限定です {star}", "substitution": {
        "everyone": {"type": "mention", "mentionee": {"type": "all"}},
        "star": {"type": "emoji", "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"}},
        "sender": {"name": "店長", "iconUrl": "https://cdn.example/me.png"},
        "quickReply": {"items": [{"type": "action", "action": {"type": "message", "label": "行きます", "text": "行きます"}}]}});
    let r = app
        .post_owned(&client, "/drafts", &editor_form("v2", &[raw(v2)], "save"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let doc = html(app.get(&client, &location(&r)).await).await;
    assert_eq!(texts(&doc, ".line-preview .lp-mention"), ["@All"]);
    assert_eq!(count(&doc, ".line-preview .lp-text-v2 .lp-emoji"), 1);
    assert!(texts(&doc, ".line-preview .lp-name")[0].starts_with("店長"));
    assert_eq!(texts(&doc, ".line-preview .lp-quick-item"), ["行きます"]);
    // A textV2 placeholder without its substitution is refused at save.
    let bad =
        serde_json::json!({"type": "textV2", "text": "こんにちは {name}", "substitution": {}});
    let r = app
        .post_owned(&client, "/drafts", &editor_form("v2", &[raw(bad)], "save"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // And an emoji index that is not on a `$`.
    let bad = serde_json::json!({"type": "text", "text": "ab$", "emojis": [{"index": 1, "productId": "p", "emojiId": "001"}]});
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("emoji", &[raw(bad)], "save"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        texts(&html(r).await, ".field-error")
            .iter()
            .any(|e| e.contains("emojis[0].index is 1"))
    );
}
