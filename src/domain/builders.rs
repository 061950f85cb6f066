//! The card builder (カードタイプメッセージ: a Flex bubble with a hero image, a title, a
//! text and up to three buttons) and the rich message builder (リッチメッセージ: an
//! imagemap of one uploaded image with rectangular tap areas), for the common cases that
//! need no hand-written JSON (issue #17).
//!
//! Each builder writes standard LINE JSON into the draft, checked like any other message
//! object, and reads it back: a message whose JSON is exactly what a builder makes opens in
//! that builder again; anything else opens in the JSON editor.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::FieldError;
use super::line_schema::IMAGEMAP_BASE_WIDTH;
use super::media::{CARD_IMAGE_WIDTH, Size, Variant, parse_media_url};

/// At most this many buttons on a card.
pub const CARD_BUTTONS: usize = 3;
/// At most this many tap areas in the rich message builder (LINE allows 50 in JSON).
pub const IMAGEMAP_AREAS: usize = 6;

/// An image a builder uses: the URL without a size (`{public}/media/{hash}` for an upload,
/// or any other https URL) and its pixel size when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub base_url: String,
    pub size: Option<Size>,
}

/// One button of a card, as the form submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ButtonInput {
    pub label: String,
    /// `uri` (a link) or `message` (the person sends this text).
    pub kind: String,
    pub value: String,
}

/// One tap area of a rich message, in pixels of the 1040-wide base image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AreaInput {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    /// `uri` or `message`.
    pub kind: String,
    pub value: String,
}

/// The preset layouts of the rich message builder (as LINE Official Account Manager offers).
pub const LAYOUTS: [(&str, &str); 7] = [
    ("full", "One area (the whole image)"),
    ("columns2", "Two side by side"),
    ("rows2", "Two, one above the other"),
    ("rows3", "Three rows"),
    ("grid4", "Four (2 × 2)"),
    ("grid6", "Six (3 × 2)"),
    ("custom", "My own areas (coordinates)"),
];

/// The rectangles of a preset layout on a 1040 × `height` image.
pub fn layout_areas(layout: &str, height: u32) -> Option<Vec<(u32, u32, u32, u32)>> {
    let w = IMAGEMAP_BASE_WIDTH as u32;
    let split = |total: u32, n: u32| -> Vec<(u32, u32)> {
        (0..n)
            .map(|i| {
                let start = total * i / n;
                let end = total * (i + 1) / n;
                (start, end - start)
            })
            .collect()
    };
    let grid = |cols: u32, rows: u32| {
        let mut out = Vec::new();
        for (y, h) in split(height, rows) {
            for (x, cw) in split(w, cols) {
                out.push((x, y, cw, h));
            }
        }
        out
    };
    Some(match layout {
        "full" => grid(1, 1),
        "columns2" => grid(2, 1),
        "rows2" => grid(1, 2),
        "rows3" => grid(1, 3),
        "grid4" => grid(2, 2),
        "grid6" => grid(3, 2),
        _ => return None,
    })
}

fn action(kind: &str, label: Option<&str>, value: &str, imagemap: bool) -> Value {
    let mut a = match (kind, imagemap) {
        ("message", _) => json!({"type": "message", "text": value}),
        (_, true) => json!({"type": "uri", "linkUri": value}),
        (_, false) => json!({"type": "uri", "uri": value}),
    };
    if let Some(label) = label {
        a["label"] = json!(label);
    }
    a
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

/// `w:h` reduced, for an aspect ratio LINE takes (the height at most three times the width).
fn ratio(size: Size) -> String {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let height = size.height.min(size.width.saturating_mul(3)).max(1);
    let g = gcd(size.width.max(1), height);
    format!("{}:{}", size.width.max(1) / g, height / g)
}

/// The card as a flex message. Errors name the builder's fields (`card_title`, ...).
pub fn card_message(
    title: &str,
    text: &str,
    alt_text: &str,
    image: Option<&ImageRef>,
    buttons: &[ButtonInput],
) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = title.trim();
    if title.is_empty() {
        errors.push(error("card_title", "Give the card a title."));
    }
    let mut footer = Vec::new();
    for (i, b) in buttons.iter().enumerate().take(CARD_BUTTONS) {
        let (label, value) = (b.label.trim(), b.value.trim());
        match (label.is_empty(), value.is_empty()) {
            (true, true) => continue,
            (false, true) => errors.push(error(
                "card_buttons",
                format!("Button {} has a label but no link or message.", i + 1),
            )),
            (true, false) => errors.push(error(
                "card_buttons",
                format!("Button {} has a link or message but no label.", i + 1),
            )),
            (false, false) => footer.push(json!({
                "type": "button",
                "style": if footer.is_empty() { "primary" } else { "secondary" },
                "height": "sm",
                "action": action(&b.kind, Some(label), value, false),
            })),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut body =
        vec![json!({"type": "text", "text": title, "weight": "bold", "size": "xl", "wrap": true})];
    if !text.trim().is_empty() {
        body.push(json!({"type": "text", "text": text.trim(), "size": "sm", "color": "#666666", "wrap": true}));
    }
    let mut bubble = json!({
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": body},
    });
    if let Some(image) = image {
        let (url, size) = match (parse_media_url(&image.base_url), image.size) {
            // An upload: the card width, at the upload's own aspect ratio.
            (Some(_), Some(size)) => (
                format!(
                    "{}/{}",
                    image.base_url,
                    Variant::Width(CARD_IMAGE_WIDTH).segment()
                ),
                Size {
                    width: CARD_IMAGE_WIDTH,
                    height: size.height_at(CARD_IMAGE_WIDTH),
                },
            ),
            _ => (
                image.base_url.clone(),
                image.size.unwrap_or(Size {
                    width: 20,
                    height: 13,
                }),
            ),
        };
        bubble["hero"] = json!({"type": "image", "url": url, "size": "full",
            "aspectRatio": ratio(size), "aspectMode": "cover"});
    }
    if !footer.is_empty() {
        bubble["footer"] =
            json!({"type": "box", "layout": "vertical", "spacing": "sm", "contents": footer});
    }
    let alt = if alt_text.trim().is_empty() {
        title
    } else {
        alt_text.trim()
    };
    Ok(json!({"type": "flex", "altText": alt, "contents": bubble}))
}

/// What the card builder shows for a message it made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFields {
    /// The upload's hash, when the image is stored in sendgate.
    pub image_hash: String,
    /// Any other image URL.
    pub image_url: String,
    pub title: String,
    pub text: String,
    pub alt_text: String,
    pub buttons: Vec<ButtonInput>,
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The card builder's fields for `message`, when the card builder made it exactly.
pub fn card_fields(message: &Value) -> Option<CardFields> {
    if s(message, "/type") != "flex" || s(message, "/contents/type") != "bubble" {
        return None;
    }
    let body = message.pointer("/contents/body/contents")?.as_array()?;
    let title = body.first().map(|t| s(t, "/text"))?.to_string();
    let text = body.get(1).map(|t| s(t, "/text")).unwrap_or("").to_string();
    let buttons: Vec<ButtonInput> = message
        .pointer("/contents/footer/contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|b| {
            let kind = s(b, "/action/type").to_string();
            ButtonInput {
                label: s(b, "/action/label").to_string(),
                value: if kind == "message" {
                    s(b, "/action/text").to_string()
                } else {
                    s(b, "/action/uri").to_string()
                },
                kind,
            }
        })
        .collect();
    let (image, image_hash, image_url) = match message.pointer("/contents/hero") {
        None => (None, String::new(), String::new()),
        Some(hero) => {
            let url = s(hero, "/url");
            let (w, h) = s(hero, "/aspectRatio").split_once(':')?;
            let size = Size {
                width: w.parse().ok()?,
                height: h.parse().ok()?,
            };
            match parse_media_url(url) {
                Some((hash, Variant::Width(CARD_IMAGE_WIDTH))) => {
                    let base = url.rsplit_once('/')?.0.to_string();
                    let size = Size {
                        width: size.width * 1000,
                        height: size.height * 1000,
                    };
                    (
                        Some(ImageRef {
                            base_url: base,
                            size: Some(size),
                        }),
                        hash.to_string(),
                        String::new(),
                    )
                }
                _ => (
                    Some(ImageRef {
                        base_url: url.to_string(),
                        size: Some(size),
                    }),
                    String::new(),
                    url.to_string(),
                ),
            }
        }
    };
    let alt = s(message, "/altText").to_string();
    let again = card_message(&title, &text, &alt, image.as_ref(), &buttons).ok()?;
    (again == *message).then(|| CardFields {
        image_hash,
        image_url,
        alt_text: if alt == title { String::new() } else { alt },
        title,
        text,
        buttons,
    })
}

/// The rich message as an imagemap of an uploaded image. Errors name the builder's fields.
pub fn imagemap_message(
    image: Option<&ImageRef>,
    alt_text: &str,
    layout: &str,
    areas: &[AreaInput],
) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let size = match image.and_then(|i| i.size.map(|s| (i, s))) {
        Some((i, s)) if parse_media_url(&i.base_url).is_some() => Some((i, s)),
        _ => {
            errors.push(error(
                "im_image",
                "Choose an uploaded image for the rich message (upload it under Images first).",
            ));
            None
        }
    };
    if alt_text.trim().is_empty() {
        errors.push(error(
            "im_alt_text",
            "Write the text the notification and the chat list show (altText).",
        ));
    }
    let Some((image, size)) = size else {
        return Err(errors);
    };
    let height = size.height_at(IMAGEMAP_BASE_WIDTH as u32);
    let rects: Vec<Option<(u32, u32, u32, u32)>> = match layout_areas(layout, height) {
        Some(r) => r.into_iter().map(Some).collect(),
        None => areas
            .iter()
            .map(|a| {
                let n = |v: &str| v.trim().parse::<u32>().ok();
                Some((n(&a.x)?, n(&a.y)?, n(&a.width)?, n(&a.height)?))
            })
            .collect(),
    };
    let mut actions = Vec::new();
    for (i, rect) in rects.iter().enumerate().take(IMAGEMAP_AREAS) {
        let value = areas.get(i).map(|a| a.value.trim()).unwrap_or("");
        let kind = areas.get(i).map(|a| a.kind.as_str()).unwrap_or("uri");
        let custom_blank = layout_areas(layout, height).is_none()
            && areas.get(i).is_none_or(|a| {
                [&a.x, &a.y, &a.width, &a.height, &a.value]
                    .iter()
                    .all(|f| f.trim().is_empty())
            });
        if custom_blank {
            continue;
        }
        let Some((x, y, w, h)) = *rect else {
            errors.push(error(
                "im_areas",
                format!(
                    "Area {}: enter x, y, width and height as whole pixels.",
                    i + 1
                ),
            ));
            continue;
        };
        if w == 0 || h == 0 || x + w > IMAGEMAP_BASE_WIDTH as u32 || y + h > height {
            errors.push(error(
                "im_areas",
                format!(
                    "Area {} is not inside the image (1040 × {height} pixels).",
                    i + 1
                ),
            ));
            continue;
        }
        if value.is_empty() {
            errors.push(error(
                "im_areas",
                format!("Area {} needs a link or a message.", i + 1),
            ));
            continue;
        }
        let mut a = action(kind, None, value, true);
        a["area"] = json!({"x": x, "y": y, "width": w, "height": h});
        actions.push(a);
    }
    if actions.is_empty() && errors.is_empty() {
        errors.push(error(
            "im_areas",
            "Give at least one area a link or a message.",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(json!({
        "type": "imagemap",
        "baseUrl": image.base_url,
        "altText": alt_text.trim(),
        "baseSize": {"width": IMAGEMAP_BASE_WIDTH, "height": height},
        "actions": actions,
    }))
}

/// What the rich message builder shows for a message it made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagemapFields {
    pub image_hash: String,
    pub alt_text: String,
    pub layout: String,
    pub areas: Vec<AreaInput>,
}

/// The rich message builder's fields for `message`, when the builder made it exactly.
pub fn imagemap_fields(message: &Value) -> Option<ImagemapFields> {
    if s(message, "/type") != "imagemap" || message.get("video").is_some() {
        return None;
    }
    let base = s(message, "/baseUrl");
    let (hash, Variant::Original) = parse_media_url(base)? else {
        return None;
    };
    let height = message.pointer("/baseSize/height")?.as_u64()? as u32;
    let areas: Vec<AreaInput> = message
        .get("actions")?
        .as_array()?
        .iter()
        .map(|a| {
            let n = |k: &str| {
                a.pointer(&format!("/area/{k}"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .to_string()
            };
            let kind = s(a, "/type").to_string();
            AreaInput {
                x: n("x"),
                y: n("y"),
                width: n("width"),
                height: n("height"),
                value: if kind == "message" {
                    s(a, "/text").to_string()
                } else {
                    s(a, "/linkUri").to_string()
                },
                kind,
            }
        })
        .collect();
    if areas.len() > IMAGEMAP_AREAS {
        return None;
    }
    let image = ImageRef {
        base_url: base.to_string(),
        size: Some(Size {
            width: IMAGEMAP_BASE_WIDTH as u32,
            height,
        }),
    };
    let alt = s(message, "/altText");
    let layout = LAYOUTS
        .iter()
        .map(|(l, _)| *l)
        .find(|l| {
            layout_areas(l, height).is_some_and(|r| r.len() == areas.len())
                && imagemap_message(Some(&image), alt, l, &areas).ok().as_ref() == Some(message)
        })
        .unwrap_or("custom");
    (imagemap_message(Some(&image), alt, layout, &areas).ok()? == *message).then(|| {
        ImagemapFields {
            image_hash: hash.to_string(),
            alt_text: alt.to_string(),
            layout: layout.to_string(),
            areas,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::media::{MediaHash, media_url};
    use crate::domain::message::Message;

    fn upload(w: u32, h: u32) -> ImageRef {
        ImageRef {
            base_url: media_url(
                "https://sendgate.example",
                &MediaHash::of(b"img"),
                Variant::Original,
            ),
            size: Some(Size {
                width: w,
                height: h,
            }),
        }
    }

    fn link(label: &str, uri: &str) -> ButtonInput {
        ButtonInput {
            label: label.into(),
            kind: "uri".into(),
            value: uri.into(),
        }
    }

    #[test]
    fn a_card_is_a_standard_flex_bubble_that_line_accepts_and_reads_back() {
        let image = upload(1400, 700);
        let buttons = [
            link("購入する", "https://shop.example/buy"),
            ButtonInput {
                label: "質問".into(),
                kind: "message".into(),
                value: "質問があります".into(),
            },
        ];
        let m = card_message("春の新作", "本日から販売", "", Some(&image), &buttons).unwrap();
        assert_eq!(m["altText"], "春の新作");
        assert_eq!(
            m["contents"]["hero"]["url"],
            format!("{}/700", image.base_url)
        );
        assert_eq!(m["contents"]["hero"]["aspectRatio"], "2:1");
        assert_eq!(m["contents"]["footer"]["contents"][0]["style"], "primary");
        assert_eq!(
            m["contents"]["footer"]["contents"][1]["action"]["type"],
            "message"
        );
        // Valid for LINE's schema and the checks.
        Message::from_line_json(m.clone()).unwrap();
        let back = card_fields(&m).unwrap();
        assert_eq!(back.title, "春の新作");
        assert_eq!(back.image_hash, MediaHash::of(b"img").as_str());
        assert_eq!(back.buttons.len(), 2);
        // A hand-edited card is not the builder's any more.
        let mut edited = m.clone();
        edited["contents"]["size"] = json!("kilo");
        assert!(card_fields(&edited).is_none());
    }

    #[test]
    fn a_card_needs_a_title_and_whole_buttons() {
        let e = card_message(
            " ",
            "",
            "",
            None,
            &[ButtonInput {
                label: "a".into(),
                ..Default::default()
            }],
        )
        .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].field, "card_title");
        assert!(e[1].message.starts_with("Button 1 has a label but no link"));
        let m = card_message("t", "", "alt", None, &[]).unwrap();
        assert!(m["contents"].get("hero").is_none() && m["contents"].get("footer").is_none());
        assert_eq!(card_fields(&m).unwrap().alt_text, "alt");
    }

    #[test]
    fn layouts_split_the_image_into_whole_pixel_areas() {
        assert_eq!(layout_areas("full", 520).unwrap(), [(0, 0, 1040, 520)]);
        let six = layout_areas("grid6", 701).unwrap();
        assert_eq!(six.len(), 6);
        assert_eq!(six[0], (0, 0, 346, 350));
        assert_eq!(six[5], (693, 350, 347, 351));
        assert!(layout_areas("custom", 100).is_none());
    }

    #[test]
    fn a_rich_message_is_an_imagemap_of_an_upload_with_its_areas() {
        let image = upload(2080, 1040);
        let areas = vec![
            AreaInput {
                kind: "uri".into(),
                value: "https://shop.example/a".into(),
                ..Default::default()
            },
            AreaInput {
                kind: "message".into(),
                value: "クーポン".into(),
                ..Default::default()
            },
        ];
        let m = imagemap_message(Some(&image), "春のセール", "columns2", &areas).unwrap();
        assert_eq!(m["baseSize"], json!({"width": 1040, "height": 520}));
        assert_eq!(
            m["actions"][1]["area"],
            json!({"x": 520, "y": 0, "width": 520, "height": 520})
        );
        assert_eq!(m["actions"][0]["linkUri"], "https://shop.example/a");
        Message::from_line_json(m.clone()).unwrap();
        let back = imagemap_fields(&m).unwrap();
        assert_eq!(back.layout, "columns2");
        assert_eq!(back.areas[1].value, "クーポン");
        let custom = vec![AreaInput {
            x: "10".into(),
            y: "10".into(),
            width: "100".into(),
            height: "100".into(),
            kind: "uri".into(),
            value: "https://a.example".into(),
        }];
        let m = imagemap_message(Some(&image), "a", "custom", &custom).unwrap();
        assert_eq!(imagemap_fields(&m).unwrap().layout, "custom");
    }

    #[test]
    fn a_rich_message_needs_an_upload_alt_text_and_areas_inside_the_image() {
        let e = imagemap_message(None, "", "full", &[]).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["im_image", "im_alt_text"]
        );
        let external = ImageRef {
            base_url: "https://cdn.example/im".into(),
            size: Some(Size {
                width: 1040,
                height: 1040,
            }),
        };
        assert!(imagemap_message(Some(&external), "a", "full", &[]).is_err());
        let image = upload(1040, 1040);
        let e = imagemap_message(Some(&image), "a", "full", &[]).unwrap_err();
        assert_eq!(e[0].message, "Area 1 needs a link or a message.");
        let outside = vec![AreaInput {
            x: "1000".into(),
            y: "0".into(),
            width: "100".into(),
            height: "10".into(),
            kind: "uri".into(),
            value: "https://a.example".into(),
        }];
        let e = imagemap_message(Some(&image), "a", "custom", &outside).unwrap_err();
        assert!(
            e[0].message.starts_with("Area 1 is not inside the image"),
            "{e:?}"
        );
    }
}
