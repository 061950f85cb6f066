//! Imagemap messages (リッチメッセージ): the base image with each tap area drawn over it,
//! numbered, saying where it leads, and a video area where there is one.

use std::fmt::Write;

use serde_json::Value;

use super::{Out, escape, str_of};
use crate::i18n::t;

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `x / total` as a CSS percentage, clamped to the image.
fn pct(x: i64, total: i64) -> String {
    let p = (x.max(0) as f64 * 100.0 / total.max(1) as f64).min(100.0);
    format!("{p:.3}%")
}

pub fn message(out: &mut Out, m: &Value) {
    let base = str_of(m, "baseUrl").unwrap_or("");
    let size = m.get("baseSize");
    let width = size.map_or(1040, |s| int(s, "width")).max(1);
    let height = size.map_or(1040, |s| int(s, "height")).max(1);
    let css = format!("aspect-ratio:{width} / {height};");
    let classes = out.classes("lp-imagemap", &css);
    let _ = write!(out.html, "<div {classes}>");
    // LINE picks the width for the phone; 700 is what a phone's chat shows sharply.
    let alt = str_of(m, "altText").unwrap_or("").to_string();
    out.img(
        &format!("{}/700", base.trim_end_matches('/')),
        "lp-imagemap-img",
        &alt,
    );
    let area = |out: &mut Out, a: &Value, class: &str, label: String, title: String| {
        let css = format!(
            "left:{};top:{};width:{};height:{};",
            pct(int(a, "x"), width),
            pct(int(a, "y"), height),
            pct(int(a, "width"), width),
            pct(int(a, "height"), height)
        );
        let classes = out.classes(class, &css);
        let _ = write!(
            out.html,
            "<span {classes} title=\"{}\"><span class=\"lp-area-label\">{}</span></span>",
            escape(&title),
            escape(&label)
        );
    };
    if let Some(video) = m.get("video")
        && let Some(a) = video.get("area")
    {
        let title = crate::i18n::tf(
            "Video {url}",
            &[&str_of(video, "originalContentUrl").unwrap_or("")],
        );
        area(out, a, "lp-area lp-area-video", "▶".to_string(), title);
    }
    for (i, action) in m
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(a) = action.get("area") else {
            continue;
        };
        let title = super::action_of(action)
            .map(|a| super::describe(&a))
            .unwrap_or_default();
        area(out, a, "lp-area", (i + 1).to_string(), title);
    }
    out.push("</div>");
    if m.get("video").is_some() {
        super::note(
            out,
            t("The video plays in its area; the image shows before and after."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn an_imagemap_draws_each_tap_area_over_its_base_image() {
        let base = format!("https://sendgate.example/media/{}", "b".repeat(64));
        let m = json!({"type": "imagemap", "baseUrl": base, "altText": "春のセール", "baseSize": {"width": 1040, "height": 520},
        "actions": [
            {"type": "uri", "linkUri": "https://shop.example/a", "area": {"x": 0, "y": 0, "width": 520, "height": 520}},
            {"type": "message", "text": "クーポンをください", "area": {"x": 520, "y": 0, "width": 520, "height": 260}}
        ]});
        let (doc, r) = render(&[m]);
        let img = &select(&doc, ".lp-imagemap img")[0];
        // A stored image is shown from this server, at the 700 width.
        assert_eq!(
            img.value().attr("src"),
            Some(format!("/media/{}/700", "b".repeat(64)).as_str())
        );
        assert_eq!(img.value().attr("alt"), Some("春のセール"));
        let areas = select(&doc, ".lp-imagemap .lp-area");
        assert_eq!(areas.len(), 2);
        assert_eq!(
            areas[0].value().attr("title"),
            Some("Opens https://shop.example/a")
        );
        assert_eq!(text_of(&areas[1]), "2");
        let s = styles(&areas[1], &r.css);
        assert!(
            s.contains("left:50.000%;top:0.000%;width:50.000%;height:50.000%"),
            "{s}"
        );
        assert!(
            styles(&select(&doc, ".lp-imagemap")[0], &r.css).contains("aspect-ratio:1040 / 520")
        );
    }

    #[test]
    fn an_imagemap_video_has_its_own_area() {
        let m = json!({"type": "imagemap", "baseUrl": "https://cdn.example/im", "altText": "a", "baseSize": {"width": 1040, "height": 1040},
            "video": {"originalContentUrl": "https://cdn.example/v.mp4", "previewImageUrl": "https://cdn.example/p.png",
                "area": {"x": 0, "y": 0, "width": 1040, "height": 585}}, "actions": []});
        let (doc, _) = render(&[m]);
        let v = &select(&doc, ".lp-area-video")[0];
        assert_eq!(
            v.value().attr("title"),
            Some("Video https://cdn.example/v.mp4")
        );
        assert_eq!(
            select(&doc, ".lp-imagemap img")[0].value().attr("src"),
            Some("https://cdn.example/im/700")
        );
    }
}
