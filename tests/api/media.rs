//! Images stored in sendgate and the card and rich message builders (issue #17): uploads,
//! the public immutable URLs LINE fetches, permissions, and the "done when" of the issue:
//! a marketer builds a card and a rich message from uploaded images and sees them as LINE
//! shows them, a reviewer sees the same with every link listed, the sandbox inbox shows
//! them, and one changed pixel makes a new revision.

use std::io::Cursor;

use reqwest::{Client, StatusCode};

use crate::helpers::*;

pub const PUBLIC: &str = "https://sendgate.example";

pub async fn app() -> TestApp {
    TestApp::spawn_with(|s| s.public_url = Some(PUBLIC.into())).await
}

/// A PNG of one colour, `w` × `h`, with pixel (0, 0) set to `first`.
pub fn png(w: u32, h: u32, first: [u8; 3]) -> Vec<u8> {
    let mut img = image::RgbImage::from_pixel(w, h, image::Rgb([240, 180, 60]));
    img.put_pixel(0, 0, image::Rgb(first));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

pub async fn upload(
    app: &TestApp,
    client: &Client,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("image/png")
        .unwrap();
    client
        .post(app.url("/media"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

/// Uploads an image and returns its hash (from the redirect's fragment).
pub async fn uploaded(app: &TestApp, client: &Client, name: &str, bytes: Vec<u8>) -> String {
    let r = upload(app, client, name, bytes).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    location(&r).rsplit_once("#m-").unwrap().1.to_string()
}

/// Every field of one editor message block, as a browser submits it: the builders' rows
/// included, so the arrays of all blocks stay aligned.
#[derive(Default, Clone)]
pub struct Block {
    pub kind: &'static str,
    pub text: String,
    pub raw: String,
    pub image_media: String,
    pub card_image: String,
    pub card_title: String,
    pub card_text: String,
    pub buttons: Vec<(&'static str, &'static str, &'static str)>,
    pub im_image: String,
    pub im_alt: String,
    pub im_layout: &'static str,
    pub areas: Vec<(&'static str, &'static str)>,
}

impl Block {
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut f: Vec<(&str, String)> = vec![
            ("msg_kind", self.kind.to_string()),
            ("text", self.text.clone()),
            ("original_content_url", String::new()),
            ("preview_image_url", String::new()),
            ("package_id", String::new()),
            ("sticker_id", String::new()),
            ("raw_json", self.raw.clone()),
            ("image_media", self.image_media.clone()),
            ("card_image", self.card_image.clone()),
            ("card_image_url", String::new()),
            ("card_title", self.card_title.clone()),
            ("card_text", self.card_text.clone()),
            ("card_alt_text", String::new()),
        ];
        for k in 0..3 {
            let (label, kind, value) = self.buttons.get(k).copied().unwrap_or(("", "uri", ""));
            f.push(("card_b_label", label.into()));
            f.push(("card_b_kind", kind.into()));
            f.push(("card_b_value", value.into()));
        }
        f.push(("im_image", self.im_image.clone()));
        f.push(("im_alt_text", self.im_alt.clone()));
        f.push(("im_layout", self.im_layout.to_string()));
        for k in 0..6 {
            let (kind, value) = self.areas.get(k).copied().unwrap_or(("uri", ""));
            for name in ["im_x", "im_y", "im_w", "im_h"] {
                f.push((name, String::new()));
            }
            f.push(("im_kind", kind.into()));
            f.push(("im_value", value.into()));
        }
        f.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

pub fn card(image: &str) -> Block {
    Block {
        kind: "card",
        card_image: image.into(),
        card_title: "春の新作".into(),
        card_text: "本日から販売します".into(),
        buttons: vec![
            ("詳しく見る", "uri", "https://shop.example/spring"),
            ("質問する", "message", "質問があります"),
        ],
        ..Block::default()
    }
}

pub fn rich(image: &str) -> Block {
    Block {
        kind: "imagemap",
        im_image: image.into(),
        im_alt: "春のセール".into(),
        im_layout: "columns2",
        areas: vec![
            ("uri", "https://shop.example/sale"),
            ("message", "クーポン"),
        ],
        ..Block::default()
    }
}

pub fn editor_form(title: &str, blocks: &[Block], action: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("kind".to_string(), "broadcast".to_string()),
        ("title".to_string(), title.to_string()),
        ("action".to_string(), action.to_string()),
    ];
    for b in blocks {
        form.extend(b.fields());
    }
    form
}

fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn an_upload_is_served_by_its_hash_to_anyone_with_immutable_caching_and_line_sizes() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let bytes = png(2080, 1040, [1, 2, 3]);
    let hash = uploaded(&app, &client, "sale.png", bytes.clone()).await;
    assert_eq!(hash, hex_sha256(&bytes));
    assert!(
        app.audit_actions()
            .await
            .contains(&"media.uploaded".to_string())
    );

    // LINE fetches without a session.
    let anonymous = app.client();
    let r = app.get(&anonymous, &format!("/media/{hash}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    for (variant, w, h) in [
        ("240", 240, 120),
        ("300", 300, 150),
        ("460", 460, 230),
        ("700", 700, 350),
        ("1040", 1040, 520),
        ("preview", 240, 120),
    ] {
        let r = app
            .get(&anonymous, &format!("/media/{hash}/{variant}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{variant}");
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (w, h), "{variant}");
    }
    assert_eq!(
        app.get(&anonymous, &format!("/media/{hash}/999"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&anonymous, &format!("/media/{}", "0".repeat(64)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The same bytes again change nothing.
    let r = upload(&app, &client, "again.png", bytes).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("media").await, 1);
    // The library shows it with its public address.
    let doc = html(app.get(&client, "/media").await).await;
    assert!(texts(&doc, "code.url").contains(&format!("{PUBLIC}/media/{hash}")));
}

fn hex_sha256(bytes: &[u8]) -> String {
    sendgate::domain::media::MediaHash::of(bytes).to_string()
}

#[tokio::test]
async fn reviewers_see_the_library_but_only_marketers_upload() {
    let app = app().await;
    let r = app.create_user("rei", "reviewer").await;
    let reviewer = app.signed_in(&r).await;
    let resp = upload(&app, &reviewer, "x.png", png(10, 10, [0, 0, 0])).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("media").await, 0);
    let doc = html(app.get(&reviewer, "/media").await).await;
    assert!(select_count(&doc, "#upload-form") == 0);
    assert_redirects_to_login(&app.get(&app.client(), "/media").await);
}

fn select_count(doc: &scraper::Html, selector: &str) -> usize {
    doc.select(&scraper::Selector::parse(selector).unwrap())
        .count()
}

#[tokio::test]
async fn a_file_that_is_not_a_jpeg_or_png_is_refused_where_it_was_chosen() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let r = upload(
        &app,
        &client,
        "anim.gif",
        b"GIF89a\x01\x00\x01\x00".to_vec(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let doc = html(r).await;
    assert!(
        text(&doc, "#file-error").contains("not a JPEG or PNG"),
        "{}",
        text(&doc, "#file-error")
    );
    let mut cut = png(40, 40, [9, 9, 9]);
    cut.truncate(60);
    let r = upload(&app, &client, "cut.png", cut).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("media").await, 0);
    let ja = signed_in_browser_ja(&app, &m).await;
    let r = upload(&app, &ja, "anim.gif", b"GIF89a".to_vec()).await;
    assert!(text(&html(r).await, "#file-error").contains("JPEGまたはPNGの画像ではありません"));
}

async fn signed_in_browser_ja(app: &TestApp, user: &TestUser) -> Client {
    let client = app.signed_in(user).await;
    let r = app
        .post(&client, "/language", &[("lang", "ja"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

#[tokio::test]
async fn a_marketer_builds_a_card_and_a_rich_message_from_uploads_and_a_reviewer_sees_the_same_with_every_link()
 {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let hero = uploaded(&app, &client, "hero.png", png(1400, 700, [5, 5, 5])).await;
    let map = uploaded(&app, &client, "map.png", png(1040, 1040, [6, 6, 6])).await;
    let photo = Block {
        kind: "image",
        image_media: hero.clone(),
        ..Block::default()
    };
    let blocks = [card(&hero), rich(&map), photo];

    // The editor's preview, before saving, as LINE shows it.
    let r = app
        .post_owned(&client, "/drafts", &editor_form("春", &blocks, "preview"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc = html(r).await;
    assert_eq!(
        attrs(&doc, ".editor-preview .lf-bubble .lf-hero img", "src"),
        [format!("/media/{hero}/700")]
    );
    assert_eq!(
        texts(&doc, ".editor-preview .lf-body .lf-text")[0],
        "春の新作"
    );
    assert_eq!(
        texts(&doc, ".editor-preview .lf-footer .lf-button"),
        ["詳しく見る", "質問する"]
    );
    assert_eq!(
        attrs(&doc, ".editor-preview .lp-imagemap img", "src"),
        [format!("/media/{map}/700")]
    );
    assert_eq!(
        select_count(&doc, ".editor-preview .lp-imagemap .lp-area"),
        2
    );
    assert_eq!(app.count("drafts").await, 0, "a preview saves nothing");

    let r = app
        .post_owned(&client, "/drafts", &editor_form("春", &blocks, "save"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let draft = location(&r);

    // The saved JSON is standard LINE JSON naming the stored images.
    let stored: String = sqlx::query_scalar("SELECT content FROM revisions")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let content: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        content["messages"][0]["contents"]["hero"]["url"],
        format!("{PUBLIC}/media/{hero}/700")
    );
    assert_eq!(
        content["messages"][1]["baseUrl"],
        format!("{PUBLIC}/media/{map}")
    );
    assert_eq!(
        content["messages"][1]["baseSize"],
        serde_json::json!({"width": 1040, "height": 1040})
    );
    assert_eq!(
        content["messages"][2]["originalContentUrl"],
        format!("{PUBLIC}/media/{hero}")
    );
    assert_eq!(
        content["messages"][2]["previewImageUrl"],
        format!("{PUBLIC}/media/{hero}/preview")
    );

    let rv = app.create_user("rei", "reviewer").await;
    let reviewer = app.signed_in(&rv).await;
    let doc = html(app.get(&reviewer, &draft).await).await;
    assert_eq!(
        attrs(&doc, ".line-preview .lf-hero img", "src"),
        [format!("/media/{hero}/700")]
    );
    assert_eq!(select_count(&doc, ".line-preview .lp-imagemap .lp-area"), 2);
    let leads = texts(&doc, "#action-list td:last-child");
    for want in [
        "Opens https://shop.example/spring",
        "Sends “質問があります” to the chat",
        "Opens https://shop.example/sale",
        "Sends “クーポン” to the chat",
    ] {
        assert!(leads.iter().any(|l| l == want), "{want} in {leads:?}");
    }
    assert_eq!(select_count(&doc, "#media-list tr.media-stored"), 4);
    assert_eq!(select_count(&doc, "#media-list tr.media-external"), 0);
    // Stored images raise no warning that they can change.
    assert!(
        !texts(&doc, ".finding")
            .iter()
            .any(|f| f.contains("not stored in sendgate"))
    );

    // Editing opens the builders again with the same choices.
    let doc = html(app.get(&client, &format!("{draft}/edit")).await).await;
    assert_eq!(
        attrs(&doc, "select[name=msg_kind] option[selected]", "value"),
        ["card", "imagemap", "image"]
    );
    assert_eq!(
        attrs(&doc, "select[name=image_media] option[selected]", "value"),
        std::slice::from_ref(&hero)
    );
    assert_eq!(
        attrs(&doc, "select[name=card_image] option[selected]", "value")[0],
        hero
    );
    assert_eq!(
        attrs(&doc, "select[name=im_layout] option[selected]", "value")[1],
        "columns2"
    );
}

#[tokio::test]
async fn changing_one_pixel_of_an_uploaded_image_makes_a_new_revision() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let a = uploaded(&app, &client, "a.png", png(800, 400, [10, 10, 10])).await;
    let b = uploaded(&app, &client, "a-fixed.png", png(800, 400, [10, 10, 11])).await;
    assert_ne!(a, b, "one pixel makes another hash");
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("画像", &[card(&a)], "save"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();

    let save = |image: String, base: i64| {
        let mut form = editor_form("画像", &[card(&image)], "save");
        form.push(("base_revision".into(), base.to_string()));
        form
    };
    // The same image again: nothing changed.
    let r = app
        .post_owned(&client, &format!("/drafts/{id}"), &save(a.clone(), 1))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("revisions").await, 1);
    // The image with one pixel changed: a new revision with another content hash.
    let r = app
        .post_owned(&client, &format!("/drafts/{id}"), &save(b.clone(), 1))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT content_hash FROM revisions ORDER BY number")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(hashes.len(), 2);
    assert_ne!(hashes[0], hashes[1]);
}

#[tokio::test]
async fn the_sandbox_inbox_shows_the_stored_images() {
    let app = app().await;
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    app.import_csv(
        &client,
        format!("user_id,display_name\n{},Phone\n", uid(1)).into_bytes(),
    )
    .await;
    app.pair_phone(&client, &uid(1)).await;
    let hero = uploaded(&app, &client, "hero.png", png(700, 700, [1, 1, 1])).await;
    let map = uploaded(&app, &client, "map.png", png(1040, 520, [2, 2, 2])).await;
    let r = app
        .post_owned(
            &client,
            "/drafts",
            &editor_form("受信箱", &[card(&hero), rich(&map)], "save"),
        )
        .await;
    let draft: i64 = location(&r).trim_start_matches("/drafts/").parse().unwrap();
    let r = app.test_send(&client, draft).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = html(app.get(&client, "/sandbox").await).await;
    let heroes = attrs(&doc, ".delivery .lf-hero img", "src");
    assert_eq!(heroes, [format!("/media/{hero}/700")]);
    assert_eq!(
        attrs(&doc, ".delivery .lp-imagemap img", "src"),
        [format!("/media/{map}/700")]
    );
    let r = app.get(&client, &heroes[0]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
}
