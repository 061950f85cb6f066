//! The release path as issue #16 asks it to read: the editor's live preview (a form post
//! that renders the unsaved messages with the same renderer, nothing stored), the typed
//! phrase shown bold and quoted in the page's language, what goes out placed before the
//! buttons in the page, and the undo window on the dashboard with its one-click cancel.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::releases::release;
use crate::send_gate::{customers_reached, ready_draft, release_state, team};

/// The editor's fields for one text message, as the editor's script sends them.
fn live_form(text: &str) -> Vec<(String, String)> {
    draft_form("Winter sale", &[text])
}

async fn live_preview(
    app: &TestApp,
    client: &reqwest::Client,
    form: &[(String, String)],
) -> reqwest::Response {
    app.post_owned(client, "/drafts/live-preview", form).await
}

#[tokio::test]
async fn the_live_preview_renders_the_unsaved_text_escaped_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let typed = "冬のセール <script>alert(1)</script> & <b>太字</b>";
    let r = live_preview(&app, &mika, &live_form(typed)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(
        !body.contains("<script>alert(1)</script>") && !body.contains("<b>太字</b>"),
        "the typed markup is escaped: {body}"
    );
    let doc = scraper::Html::parse_fragment(&body);
    let bubble = text(&doc, ".line-preview .lp-bubble");
    assert_eq!(bubble, typed, "the bubble shows exactly what was typed");
    assert!(!text(&doc, ".line-preview .account-name").is_empty());
    // Two messages: two bubbles, in order.
    let mut form = draft_form("Winter sale", &["一通目", "二通目"]);
    form.push(("action".into(), "save".into()));
    let doc = scraper::Html::parse_fragment(
        &live_preview(&app, &mika, &form).await.text().await.unwrap(),
    );
    assert_eq!(texts(&doc, ".lp-bubble"), ["一通目", "二通目"]);
    // Nothing was stored, whatever the form's button said.
    assert_eq!(app.count("drafts").await, 0);
    assert_eq!(app.count("revisions").await, 0);
    // No message yet: the page's hint instead of bubbles.
    let doc = scraper::Html::parse_fragment(
        &live_preview(&app, &mika, &live_form(""))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(texts(&doc, ".lp-bubble").is_empty());
    assert_eq!(texts(&doc, "p.muted").len(), 1);
}

#[tokio::test]
async fn the_live_preview_needs_a_signed_in_writer_a_same_site_form_and_a_bounded_body() {
    let app = TestApp::spawn().await;
    // Signed out: to the sign-in page, nothing rendered.
    let r = live_preview(&app, &app.client(), &live_form("こんにちは")).await;
    assert_redirects_to_login(&r);
    // A reviewer does not write drafts.
    let rei = app.create_user("rei", "reviewer").await;
    let rei = app.signed_in(&rei).await;
    let r = live_preview(&app, &rei, &live_form("こんにちは")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // From another site: refused like every other form.
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let r = mika
        .post(app.url("/drafts/live-preview"))
        .header("sec-fetch-site", "cross-site")
        .form(&live_form("こんにちは"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The body is bounded.
    let huge = "あ".repeat(600 * 1024);
    let r = live_preview(&app, &mika, &live_form(&huge)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The same post from this site works.
    let r = live_preview(&app, &mika, &live_form("こんにちは")).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_editor_offers_the_live_preview_and_still_works_without_it() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let mika = app.signed_in(&m).await;
    let doc = html(app.get(&mika, "/drafts/new").await).await;
    let form = scraper::Selector::parse("form.editor").unwrap();
    let form = doc.select(&form).next().expect("the editor form");
    assert_eq!(
        form.value().attr("data-live-preview"),
        Some("/drafts/live-preview")
    );
    assert_eq!(texts(&doc, "#editor-preview-body").len(), 1);
    // Without script: the preview button renders the same bubbles in the full page.
    let mut fields = live_form("ボタンで見るプレビュー");
    fields.push(("action".into(), "preview".into()));
    let doc = html(app.post_owned(&mika, "/drafts", &fields).await).await;
    assert_eq!(
        text(&doc, "#editor-preview-body .lp-bubble"),
        "ボタンで見るプレビュー"
    );
    assert_eq!(app.count("drafts").await, 0);
}

#[tokio::test]
async fn the_typed_count_is_bold_and_quoted_in_the_page_language_and_a_wrong_one_keeps_the_form() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    let r = app
        .post(&t.mika, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = html(app.get(&t.mika, &format!("/drafts/{draft}/release")).await).await;
    assert_eq!(
        text(&page, "label[for=typed_phrase] strong.phrase"),
        "「10」"
    );
    let form = acknowledged_form(&page, "typed_phrase", "100");
    let r = app
        .post_owned(&t.mika, &format!("/drafts/{draft}/release"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = html(r).await;
    let typed = scraper::Selector::parse("#typed_phrase").unwrap();
    let typed = page.select(&typed).next().expect("the typed field stays");
    assert_eq!(typed.value().attr("value"), Some("100"));
    assert_eq!(typed.value().attr("aria-invalid"), Some("true"));
    assert_eq!(
        typed.value().attr("aria-describedby"),
        Some("typed-phrase-error")
    );
    assert!(!text(&page, "#typed-phrase-error").is_empty());
    let read = scraper::Selector::parse("input[name=read_warning][checked]").unwrap();
    assert_eq!(page.select(&read).count(), 1, "the checkbox stays ticked");
    assert_eq!(text(&page, "strong.phrase"), "「10」");
    // The irreversible button has its own style, unlike "Save draft".
    let button = scraper::Selector::parse("#release-button.send").unwrap();
    assert_eq!(page.select(&button).count(), 1);
}

/// The position of the first match of `needle` in the page's markup.
fn at(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle} is not on the page"))
}

#[tokio::test]
async fn what_goes_out_comes_before_the_buttons_in_the_page() {
    let app = TestApp::spawn().await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 1).await;
    // The reviewer who has not approved yet: the messages come before Approve.
    let body = app
        .get(&t.reviewers[1].1, &format!("/drafts/{draft}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(at(&body, "class=\"line-preview\"") < at(&body, "value=\"approve\""));
    assert!(at(&body, "class=\"line-preview\"") < at(&body, "id=\"test-sends\""));
    // The release page: the messages and the recipients before the send button.
    let draft = ready_draft(&app, &t, "broadcast", "年末のお知らせ", None, 2).await;
    let body = app
        .get(&t.mika, &format!("/drafts/{draft}/release"))
        .await
        .text()
        .await
        .unwrap();
    assert!(at(&body, "class=\"line-preview\"") < at(&body, "id=\"release-button\""));
    assert!(at(&body, "id=\"release-recipients\"") < at(&body, "id=\"release-button\""));
}

#[tokio::test]
async fn the_dashboard_shows_a_release_in_its_undo_window_and_cancels_it_in_one_click() {
    let app = TestApp::spawn().await;
    app.set_policy("release_hold_seconds", 60).await;
    let t = team(&app, 10, 2).await;
    let draft = ready_draft(&app, &t, "broadcast", "全品20%オフ", None, 2).await;
    let doc = html(app.get(&t.mika, "/").await).await;
    assert!(
        texts(&doc, "#undo-windows").is_empty(),
        "nothing released yet"
    );
    let r = release(&app, &t.mika, draft, "10").await;
    assert_eq!(location(&r), "/releases/1");
    app.clock.advance(Duration::seconds(20));
    let doc = html(app.get(&t.mika, "/").await).await;
    assert_eq!(text(&doc, "#undo-release-1 .countdown-seconds"), "40");
    assert!(text(&doc, "#undo-release-1").contains("Sending starts in 40 seconds"));
    assert!(text(&doc, "#undo-release-1").contains("Winter sale"));
    assert_eq!(texts(&doc, "#cancel-release-1"), ["Cancel this release"]);
    let form = scraper::Selector::parse("#undo-release-1 form").unwrap();
    let action = doc
        .select(&form)
        .next()
        .and_then(|f| f.value().attr("action"))
        .unwrap()
        .to_string();
    assert_eq!(
        action,
        format!("/drafts/{draft}/cancel"),
        "the progress page's cancel"
    );
    // A reviewer sees it too, without the button (cancelling is a marketer's).
    let doc = html(app.get(&t.reviewers[0].1, "/").await).await;
    assert_eq!(text(&doc, "#undo-release-1 .countdown-seconds"), "40");
    assert!(texts(&doc, "#cancel-release-1").is_empty());
    // In Japanese.
    app.post(&t.mika, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    let doc = html(app.get(&t.mika, "/").await).await;
    assert_eq!(text(&doc, "#undo-windows-heading"), "まだ取り消せる配信");
    assert!(!text(&doc, "#cancel-release-1").contains("Cancel"));
    // One click cancels it: nothing is sent, and the dashboard no longer lists it.
    let r = app.post(&t.mika, &action, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(release_state(&app, 1).await, "cancelled");
    app.clock.advance(Duration::seconds(120));
    app.dispatch_all().await;
    assert_eq!(customers_reached(&app).await, 0);
    let doc = html(app.get(&t.mika, "/").await).await;
    assert!(texts(&doc, "#undo-windows").is_empty());
}

#[tokio::test]
async fn a_wrong_account_name_keeps_the_greeting_activation_form_with_the_name_quoted() {
    let app = TestApp::spawn().await;
    let t = crate::greeting::team(&app).await;
    let draft = crate::greeting::green_greeting(&app, &t, "友だち追加ありがとうございます！").await;
    let r = app
        .post(&t.mika, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = crate::greeting::activation_page(&app, &t.mika, draft).await;
    let phrase = text(&page, "label[for=typed_name] strong.phrase");
    assert!(
        phrase.starts_with('「') && phrase.ends_with('」') && phrase.chars().count() > 2,
        "the account's name, quoted 「…」: {phrase}"
    );
    assert_eq!(texts(&page, "button#activate-button.send").len(), 1);
    let wrong = acknowledged_form(&page, "typed_name", "別のアカウント");
    let r = app
        .post_owned(&t.mika, &format!("/greeting/{draft}/activate"), &wrong)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = html(r).await;
    let field = scraper::Selector::parse("#typed_name").unwrap();
    let field = page.select(&field).next().expect("the typed field stays");
    assert_eq!(field.value().attr("value"), Some("別のアカウント"));
    assert_eq!(field.value().attr("aria-invalid"), Some("true"));
    assert!(!text(&page, "#typed-name-error").is_empty());
    let ticked = scraper::Selector::parse("input[name=read_warning][checked]").unwrap();
    assert_eq!(page.select(&ticked).count(), 1, "the checkbox stays ticked");
    assert_eq!(text(&page, "strong.phrase"), phrase);
}
