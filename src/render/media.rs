//! Image, video, audio, location, sticker and coupon messages as LINE-like cards. LINE's
//! sticker and coupon artwork cannot be fetched from here, so those cards name the
//! sticker's package and id and the coupon's id instead.

use std::fmt::Write;

use serde_json::Value;

use super::{Out, str_of};
use crate::i18n::{t, tf};

pub fn image(out: &mut Out, m: &Value) {
    out.push("<div class=\"lp-image\">");
    let alt = t("Image message").to_string();
    // The chat shows the preview image; a tap opens the original.
    out.img(
        str_of(m, "previewImageUrl").unwrap_or(""),
        "lp-image-img",
        &alt,
    );
    out.push("</div>");
}

pub fn video(out: &mut Out, m: &Value) {
    let title = tf(
        "Video {url}",
        &[&str_of(m, "originalContentUrl").unwrap_or("")],
    );
    let _ = write!(
        out.html,
        "<div class=\"lp-image lp-video\" title=\"{}\">",
        super::escape(&title)
    );
    let alt = t("Video preview").to_string();
    out.img(
        str_of(m, "previewImageUrl").unwrap_or(""),
        "lp-image-img",
        &alt,
    );
    out.push("<span class=\"lp-play\" aria-hidden=\"true\">▶</span></div>");
}

pub fn audio(out: &mut Out, m: &Value) {
    let ms = m.get("duration").and_then(Value::as_u64).unwrap_or(0);
    let secs = ms / 1000;
    let title = tf(
        "Audio {url}",
        &[&str_of(m, "originalContentUrl").unwrap_or("")],
    );
    let _ = write!(
        out.html,
        "<div class=\"lp-bubble lp-audio\" title=\"{}\"><span class=\"lp-audio-play\" aria-hidden=\"true\">▶</span><span class=\"lp-audio-bar\"></span><span class=\"lp-audio-time\">{}:{:02}</span></div>",
        super::escape(&title),
        secs / 60,
        secs % 60
    );
}

pub fn location(out: &mut Out, m: &Value) {
    out.push("<div class=\"lp-card lp-location\"><div class=\"lp-map\" aria-hidden=\"true\">📍</div><p class=\"lp-card-title\">");
    out.text(str_of(m, "title").unwrap_or(""));
    out.push("</p><p class=\"lp-card-text\">");
    out.text(str_of(m, "address").unwrap_or(""));
    out.push("</p><p class=\"lp-card-meta\">");
    let lat = m.get("latitude").and_then(Value::as_f64).unwrap_or(0.0);
    let lon = m.get("longitude").and_then(Value::as_f64).unwrap_or(0.0);
    out.text(&format!("{lat:.6}, {lon:.6}"));
    out.push("</p></div>");
}

pub fn sticker(out: &mut Out, m: &Value) {
    out.push("<div class=\"lp-sticker\"><span aria-hidden=\"true\">🧸</span><span>");
    out.text(&tf(
        "Sticker: package {package}, sticker {sticker}",
        &[
            &str_of(m, "packageId").unwrap_or(""),
            &str_of(m, "stickerId").unwrap_or(""),
        ],
    ));
    out.push("</span></div>");
    super::note(
        out,
        t("LINE draws the sticker itself; its image cannot be shown here."),
    );
}

pub fn coupon(out: &mut Out, m: &Value) {
    out.push("<div class=\"lp-card lp-coupon\"><p class=\"lp-coupon-head\">");
    out.text(t("Coupon"));
    out.push("</p><p class=\"lp-card-title\">");
    out.text(&tf("Coupon {id}", &[&str_of(m, "couponId").unwrap_or("")]));
    out.push("</p>");
    if let Some(tag) = str_of(m, "deliveryTag") {
        out.push("<p class=\"lp-card-meta\">");
        out.text(&tf("Delivery tag: {tag}", &[&tag]));
        out.push("</p>");
    }
    out.push("<span class=\"lp-coupon-button\">");
    out.text(t("Use the coupon"));
    out.push("</span></div>");
    super::note(
        out,
        t("LINE fills in the coupon's title, image and terms from the coupon itself."),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn an_image_message_shows_its_preview_image() {
        let (doc, _) = render(&[
            json!({"type": "image", "originalContentUrl": "https://cdn.example/o.jpg", "previewImageUrl": "https://cdn.example/p.jpg"}),
        ]);
        assert_eq!(
            select(&doc, ".lp-image img")[0].value().attr("src"),
            Some("https://cdn.example/p.jpg")
        );
    }

    #[test]
    fn video_and_audio_messages_are_players() {
        let (doc, _) = render(&[
            json!({"type": "video", "originalContentUrl": "https://cdn.example/v.mp4", "previewImageUrl": "https://cdn.example/p.jpg"}),
            json!({"type": "audio", "originalContentUrl": "https://cdn.example/a.m4a", "duration": 83_000}),
        ]);
        assert_eq!(select(&doc, ".lp-video .lp-play").len(), 1);
        assert_eq!(text_of(&select(&doc, ".lp-audio-time")[0]), "1:23");
    }

    #[test]
    fn location_sticker_and_coupon_cards_say_what_they_are() {
        let (doc, _) = render(&[
            json!({"type": "location", "title": "渋谷店", "address": "東京都渋谷区1-2-3", "latitude": 35.658, "longitude": 139.7016}),
            json!({"type": "sticker", "packageId": "446", "stickerId": "1988"}),
            json!({"type": "coupon", "couponId": "01JABC", "deliveryTag": "spring"}),
        ]);
        assert_eq!(
            text_of(&select(&doc, ".lp-location .lp-card-title")[0]),
            "渋谷店"
        );
        assert_eq!(
            text_of(&select(&doc, ".lp-location .lp-card-meta")[0]),
            "35.658000, 139.701600"
        );
        assert!(text_of(&select(&doc, ".lp-sticker")[0]).contains("package 446, sticker 1988"));
        assert!(text_of(&select(&doc, ".lp-coupon")[0]).contains("01JABC"));
        assert!(text_of(&select(&doc, ".lp-coupon")[0]).contains("spring"));
    }
}
