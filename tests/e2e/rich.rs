//! Rich messages in a real browser (issue #17): a marketer uploads an image, builds a card
//! with it in the editor and sees the preview as LINE shows it; a reviewer sees a flex
//! carousel, a rich message (imagemap) with its tap areas and a template on the draft
//! page. Screenshots of each are saved for people to look at.

use anyhow::ensure;
use sendgate::db::audit::Actor;
use sendgate::domain::media::{MediaHash, Variant, media_url};
use sendgate::domain::message::MessageInput;
use sendgate::services::drafts::{self, DraftInput};

use crate::harness::*;

const PUBLIC: &str = "https://sendgate.example";

fn png(w: u32, h: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut img = image::RgbImage::from_pixel(w, h, image::Rgb(colour));
    // A darker band so the picture has something to show where areas are.
    for y in 0..h / 4 {
        for x in 0..w {
            img.put_pixel(
                x,
                y,
                image::Rgb([colour[0] / 2, colour[1] / 2, colour[2] / 2]),
            );
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A draft of a flex carousel, a rich message and a buttons template, made through the
/// services; returns its id.
async fn rich_draft(app: &App, marketer: i64) -> i64 {
    let actor = Actor::user(marketer, "mika");
    let map = png(1040, 700, [40, 140, 220]);
    let hash = match sendgate::services::media::upload(
        &app.state.pool,
        app.now(),
        &actor,
        "map.png",
        map.clone(),
    )
    .await
    .expect("upload")
    {
        sendgate::services::media::Uploaded::New(h)
        | sendgate::services::media::Uploaded::Existing(h) => h,
    };
    let hero = media_url(PUBLIC, &hash, Variant::Width(700));
    let bubble = |n: usize, colour: &str| {
        serde_json::json!({"type": "bubble", "size": "kilo",
            "hero": {"type": "image", "url": hero, "size": "full", "aspectRatio": "20:13", "aspectMode": "cover"},
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
                {"type": "text", "text": format!("春の新作 {n}"), "weight": "bold", "size": "xl"},
                {"type": "box", "layout": "baseline", "contents": [
                    {"type": "text", "text": "¥", "flex": 0, "size": "sm"},
                    {"type": "text", "text": "9,800", "size": "xxl", "weight": "bold", "color": colour}]},
                {"type": "text", "text": "軽くて歩きやすい、春の定番です。", "wrap": true, "size": "sm", "color": "#666666"}]},
            "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
                {"type": "button", "style": "primary", "height": "sm", "action": {"type": "uri", "label": "購入する", "uri": "https://shop.example/buy"}},
                {"type": "button", "style": "secondary", "height": "sm", "action": {"type": "postback", "label": "お気に入り", "data": "fav"}}]}})
    };
    let carousel = serde_json::json!({"type": "flex", "altText": "春の新作", "contents": {"type": "carousel",
        "contents": [bubble(1, "#e53935"), bubble(2, "#1e88e5"), bubble(3, "#43a047")]}});
    let imagemap = serde_json::json!({"type": "imagemap", "baseUrl": media_url(PUBLIC, &hash, Variant::Original),
        "altText": "春のセール", "baseSize": {"width": 1040, "height": 700}, "actions": [
            {"type": "uri", "linkUri": "https://shop.example/sale", "area": {"x": 0, "y": 0, "width": 520, "height": 700}},
            {"type": "message", "text": "クーポンをください", "area": {"x": 520, "y": 0, "width": 520, "height": 700}}]});
    let template = serde_json::json!({"type": "template", "altText": "ご予約", "template": {"type": "buttons",
        "thumbnailImageUrl": hero, "title": "ご予約", "text": "ご希望の日時をお選びください",
        "actions": [{"type": "datetimepicker", "label": "日時を選ぶ", "data": "reserve", "mode": "datetime"},
                    {"type": "uri", "label": "店舗の地図", "uri": "https://maps.example/shop"}]}});
    let raw = |v: serde_json::Value| MessageInput::raw(v.to_string());
    let content = drafts::parse_input(
        &app.state.pool,
        &DraftInput {
            kind: "broadcast".into(),
            title: "春のリッチメッセージ".into(),
            messages: vec![raw(carousel), raw(imagemap), raw(template)],
            ..DraftInput::default()
        },
    )
    .await
    .expect("valid rich draft");
    drafts::create(&app.state.pool, app.now(), &actor, &content)
        .await
        .expect("draft created")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rich_messages_look_like_line_in_the_editor_and_on_the_draft_page() {
    if !browser_available() {
        return;
    }
    let app = App::spawn_with(|s| s.public_url = Some(PUBLIC.into())).await;
    let marketer = app.user("mika", "佐藤 美香", "marketer").await;
    app.user("rei", "鈴木 玲", "reviewer").await;
    let draft = rich_draft(&app, marketer).await;
    let shots = screenshot_dir("rich_messages");
    let driver = Driver::start().await.expect("chromedriver starts");
    let m = Person::open_in(&driver, "marketer", &shots, (1280, 1000), "ja")
        .await
        .expect("marketer's browser");
    let r = Person::open_in(&driver, "reviewer", &shots, (1280, 1200), "ja")
        .await
        .expect("reviewer's browser");
    let file = shots.join("upload-hero.png");
    std::fs::write(&file, png(1400, 700, [250, 170, 60])).unwrap();
    let result = async {
        builds_a_card(&app, &m, &file).await?;
        reviews_rich_messages(&app, &r, draft).await
    }
    .await;
    if let Err(e) = result {
        fail(&[&m, &r], e).await;
    }
    quit(vec![m, r]).await;
}

async fn builds_a_card(app: &App, m: &Person, file: &std::path::Path) -> anyhow::Result<()> {
    m.sign_in(app, "mika").await?;
    m.goto(app, "/media").await?;
    m.el("#file")
        .await?
        .send_keys(file.to_string_lossy())
        .await?;
    m.submit("#upload-form button[type=submit]").await?;
    ensure!(m.exists(".media-item img").await?, "the upload is listed");
    m.shot("01-images").await?;
    let hash = MediaHash::of(&std::fs::read(file)?).to_string();

    m.goto(app, "/drafts/new").await?;
    m.type_into("#title", "春の新作カード").await?;
    m.click("#msg_kind_0 option[value=card]").await?;
    m.click(&format!("#card_image_0 option[value='{hash}']"))
        .await?;
    m.type_into("#card_title_0", "春の新作スニーカー").await?;
    m.type_into("#card_text_0", "軽くて歩きやすい、春の定番。")
        .await?;
    m.type_into("#cbl_0_1", "購入する").await?;
    m.type_into("#cbv_0_1", "https://shop.example/buy").await?;
    m.submit("#preview-button").await?;
    let src = m
        .attr(".editor-preview .lf-hero img", "src")
        .await?
        .unwrap_or_default();
    ensure!(
        src.ends_with(&format!("/media/{hash}/700")),
        "the card shows the upload: {src}"
    );
    let loaded: bool = m
        .web
        .execute(
            "return document.querySelector('.editor-preview .lf-hero img').naturalWidth === 700;",
            vec![],
        )
        .await?
        .convert()?;
    ensure!(loaded, "the stored image loads in the browser");
    ensure!(m.text(".editor-preview .lf-footer .lf-button").await? == "購入する");
    m.shot("02-editor-card-preview").await?;
    m.submit("button[value=save]").await?;
    m.wait_for_path(|p| p.starts_with("/drafts/") && !p.ends_with("/new"))
        .await?;
    m.shot("03-draft-card").await?;
    Ok(())
}

async fn reviews_rich_messages(app: &App, r: &Person, draft: i64) -> anyhow::Result<()> {
    r.sign_in(app, "rei").await?;
    r.goto(app, &format!("/drafts/{draft}")).await?;
    let bubbles = r.all(".line-preview .lf-carousel > .lf-bubble").await?;
    ensure!(bubbles.len() == 3, "three bubbles, found {}", bubbles.len());
    // A kilo bubble is 260 CSS pixels wide, as on a phone.
    let rect = bubbles[0].rect().await?;
    ensure!(
        (rect.width - 260.0).abs() < 1.0,
        "bubble width {}",
        rect.width
    );
    let areas = r.all(".line-preview .lp-imagemap .lp-area").await?;
    ensure!(areas.len() == 2, "two tap areas");
    let (a, b) = (areas[0].rect().await?, areas[1].rect().await?);
    ensure!(
        (a.width - b.width).abs() < 1.0 && a.x < b.x,
        "the areas split the image in two"
    );
    ensure!(
        r.exists(".line-preview .lt-card .lt-action").await?,
        "the template's buttons"
    );
    let rows = r.all("#action-list tbody tr").await?;
    ensure!(
        rows.len() == 10,
        "every action listed, found {}",
        rows.len()
    );
    r.el(".line-preview .lf-carousel")
        .await?
        .scroll_into_view()
        .await?;
    r.shot("04-flex-carousel").await?;
    r.el(".line-preview .lp-imagemap")
        .await?
        .scroll_into_view()
        .await?;
    r.shot("05-imagemap").await?;
    r.el(".line-preview .lt-card")
        .await?
        .scroll_into_view()
        .await?;
    r.shot("06-template").await?;
    r.el("#action-list").await?.scroll_into_view().await?;
    r.shot("07-where-every-tap-leads").await?;
    Ok(())
}
