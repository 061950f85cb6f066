//! Template messages: buttons, confirm, carousel and image carousel, as LINE draws them
//! (thumbnail, title, text, then the action buttons stacked or side by side).

use std::fmt::Write;

use serde_json::Value;

use super::{Out, color, str_of};
use crate::i18n::t;

pub fn message(out: &mut Out, m: &Value) {
    let Some(tpl) = m.get("template") else { return };
    let ratio = str_of(tpl, "imageAspectRatio").unwrap_or("rectangle");
    let fit = str_of(tpl, "imageSize").unwrap_or("cover");
    match str_of(tpl, "type") {
        Some("buttons") => {
            out.push("<div class=\"lt\">");
            column(out, tpl, ratio, fit);
            out.push("</div>");
        }
        Some("confirm") => {
            out.push("<div class=\"lt\"><div class=\"lt-card lt-confirm\"><p class=\"lt-text\">");
            out.text(str_of(tpl, "text").unwrap_or(""));
            out.push("</p><div class=\"lt-actions lt-row\">");
            actions(out, tpl.get("actions"));
            out.push("</div></div></div>");
        }
        Some("carousel") => {
            out.push("<div class=\"lt lt-carousel\">");
            for c in tpl
                .get("columns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                column(out, c, ratio, fit);
            }
            out.push("</div>");
        }
        Some("image_carousel") => {
            out.push("<div class=\"lt lt-carousel\">");
            for c in tpl
                .get("columns")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let title = out.tap_title(c.get("action"));
                let _ = write!(out.html, "<div class=\"lt-image-column\"{title}>");
                let alt = t("Image in the card").to_string();
                out.img(str_of(c, "imageUrl").unwrap_or(""), "lt-square", &alt);
                if let Some(label) = c.get("action").and_then(|a| str_of(a, "label")) {
                    out.push("<span class=\"lt-image-label\">");
                    out.text(label);
                    out.push("</span>");
                }
                out.push("</div>");
            }
            out.push("</div>");
        }
        _ => {}
    }
}

/// A buttons template or one carousel column.
fn column(out: &mut Out, c: &Value, ratio: &str, fit: &str) {
    let title = out.tap_title(c.get("defaultAction"));
    let _ = write!(out.html, "<div class=\"lt-card\"{title}>");
    if let Some(url) = str_of(c, "thumbnailImageUrl") {
        let mut css = String::from(if ratio == "square" {
            "aspect-ratio:1 / 1;"
        } else {
            "aspect-ratio:1.51 / 1;"
        });
        if let Some(bg) = color(c.get("imageBackgroundColor")) {
            let _ = write!(css, "background-color:{bg};");
        }
        let classes = out.classes("lt-thumb", &css);
        let _ = write!(out.html, "<div {classes}>");
        let alt = t("Image in the card").to_string();
        out.img(
            url,
            if fit == "contain" {
                "lf-fit"
            } else {
                "lf-cover"
            },
            &alt,
        );
        out.push("</div>");
    }
    if let Some(title) = str_of(c, "title") {
        out.push("<p class=\"lt-title\">");
        out.text(title);
        out.push("</p>");
    }
    out.push("<p class=\"lt-text\">");
    out.text(str_of(c, "text").unwrap_or(""));
    out.push("</p><div class=\"lt-actions\">");
    actions(out, c.get("actions"));
    out.push("</div></div>");
}

fn actions(out: &mut Out, actions: Option<&Value>) {
    for a in actions.and_then(Value::as_array).into_iter().flatten() {
        let title = out.tap_title(Some(a));
        let _ = write!(out.html, "<span class=\"lt-action\"{title}>");
        out.text(str_of(a, "label").unwrap_or(""));
        out.push("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn a_buttons_template_has_thumbnail_title_text_and_actions() {
        let m = json!({"type": "template", "altText": "新メニュー", "template": {"type": "buttons",
            "thumbnailImageUrl": "https://cdn.example/t.jpg", "imageAspectRatio": "square", "imageSize": "contain", "imageBackgroundColor": "#FFEEDD",
            "title": "新メニュー", "text": "今週から販売開始",
            "defaultAction": {"type": "uri", "label": "詳細", "uri": "https://shop.example/menu"},
            "actions": [{"type": "postback", "label": "予約する", "data": "reserve"}, {"type": "uri", "label": "地図", "uri": "https://maps.example/"}]}});
        let (doc, r) = render(&[m]);
        let card = &select(&doc, ".lt > .lt-card")[0];
        assert_eq!(
            card.value().attr("title"),
            Some("Opens https://shop.example/menu")
        );
        let thumb = &select(&doc, ".lt-thumb")[0];
        let s = styles(thumb, &r.css);
        assert!(
            s.contains("aspect-ratio:1 / 1") && s.contains("background-color:#FFEEDD"),
            "{s}"
        );
        assert_eq!(select(&doc, ".lt-thumb img.lf-fit").len(), 1);
        assert_eq!(text_of(&select(&doc, ".lt-title")[0]), "新メニュー");
        let actions = select(&doc, ".lt-action");
        assert_eq!(actions.len(), 2);
        assert_eq!(
            actions[0].value().attr("title"),
            Some("Sends data “reserve” to the account's system")
        );
    }

    #[test]
    fn a_confirm_template_has_two_buttons_side_by_side() {
        let m = json!({"type": "template", "altText": "確認", "template": {"type": "confirm", "text": "参加しますか？",
            "actions": [{"type": "message", "label": "はい", "text": "はい"}, {"type": "message", "label": "いいえ", "text": "いいえ"}]}});
        let (doc, _) = render(&[m]);
        assert_eq!(select(&doc, ".lt-confirm .lt-row .lt-action").len(), 2);
        assert_eq!(
            text_of(&select(&doc, ".lt-confirm .lt-text")[0]),
            "参加しますか？"
        );
    }

    #[test]
    fn carousel_and_image_carousel_templates_show_every_column() {
        let col = json!({"thumbnailImageUrl": "https://cdn.example/c.jpg", "title": "A", "text": "a", "actions": [{"type": "message", "label": "選ぶ", "text": "A"}]});
        let m = json!({"type": "template", "altText": "c", "template": {"type": "carousel", "columns": [col.clone(), col]}});
        let (doc, _) = render(&[m]);
        assert_eq!(select(&doc, ".lt-carousel > .lt-card").len(), 2);
        let m = json!({"type": "template", "altText": "c", "template": {"type": "image_carousel", "columns": [
            {"imageUrl": "https://cdn.example/1.jpg", "action": {"type": "uri", "label": "見る", "uri": "https://shop.example/1"}}]}});
        let (doc, _) = render(&[m]);
        let col = &select(&doc, ".lt-image-column")[0];
        assert_eq!(
            col.value().attr("title"),
            Some("Opens https://shop.example/1")
        );
        assert_eq!(text_of(&select(&doc, ".lt-image-label")[0]), "見る");
    }
}
