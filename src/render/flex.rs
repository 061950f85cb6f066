//! Flex messages (カードタイプメッセージ): bubbles and carousels with their header, hero,
//! body and footer blocks, block styles, bubble sizes, and every component (box, text with
//! spans, image, icon, button, separator, filler, video with its alt content), laid out
//! with the sizes and spacings LINE uses.

use std::fmt::Write;

use serde_json::Value;

use super::{Out, color, length, str_of};
use crate::i18n::t;

/// Bubble widths by `size` (LINE's renderer, in CSS pixels).
fn bubble_width(size: &str) -> u32 {
    match size {
        "nano" => 120,
        "micro" => 160,
        "deca" => 220,
        "hecto" => 241,
        "kilo" => 260,
        "giga" => 500,
        _ => 300,
    }
}

/// Spacing, margin, padding, offset and corner keywords.
fn spacing_px(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "none" => "0px",
        "xs" => "2px",
        "sm" => "4px",
        "md" => "8px",
        "lg" => "12px",
        "xl" => "16px",
        "xxl" => "20px",
        _ => return None,
    })
}

fn font_px(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "xxs" => "11px",
        "xs" => "13px",
        "sm" => "14px",
        "md" => "16px",
        "lg" => "19px",
        "xl" => "22px",
        "xxl" => "29px",
        "3xl" => "35px",
        "4xl" => "48px",
        "5xl" => "74px",
        _ => return None,
    })
}

fn image_width(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "xxs" => "40px",
        "xs" => "60px",
        "sm" => "80px",
        "md" => "100px",
        "lg" => "120px",
        "xl" => "140px",
        "xxl" => "160px",
        "3xl" => "180px",
        "4xl" => "200px",
        "5xl" => "240px",
        "full" => "100%",
        _ => return None,
    })
}

fn border_px(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "none" => "0px",
        "light" => "0.5px",
        "normal" => "1px",
        "medium" => "2px",
        "semi-bold" => "3px",
        "bold" => "4px",
        _ => return None,
    })
}

/// A keyword of `table` or a checked length.
fn size(v: Option<&Value>, table: fn(&str) -> Option<&'static str>, percent: bool) -> Option<&str> {
    let s = v?.as_str()?;
    table(s).or_else(|| length(s, percent))
}

/// The layout of the box a component sits in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Vertical,
    Horizontal,
    Baseline,
}

impl Parent {
    fn of(layout: Option<&str>) -> Parent {
        match layout {
            Some("horizontal") => Parent::Horizontal,
            Some("baseline") => Parent::Baseline,
            _ => Parent::Vertical,
        }
    }

    fn is_row(self) -> bool {
        self != Parent::Vertical
    }
}

/// The declarations every component shares: flex, margin (or the parent's spacing),
/// position and offsets, gravity.
fn common(c: &Value, parent: Parent, spacing: Option<&str>, first: bool, css: &mut String) {
    let default_flex = if parent.is_row() { 1 } else { 0 };
    let kind = str_of(c, "type").unwrap_or("");
    // Fillers, separators and icons do not grow unless told; an image or button in a row does.
    let flex =
        c.get("flex")
            .and_then(Value::as_i64)
            .unwrap_or(if kind == "icon" || kind == "separator" {
                0
            } else {
                default_flex
            });
    if flex > 0 {
        let _ = write!(css, "flex:{flex} 0 0;min-width:0;");
    } else {
        css.push_str("flex:0 0 auto;");
    }
    let margin = size(c.get("margin"), spacing_px, false).or(if first { None } else { spacing });
    if let Some(m) = margin {
        let side = if parent.is_row() { "left" } else { "top" };
        let _ = write!(css, "margin-{side}:{m};");
    }
    if str_of(c, "position") == Some("absolute") {
        css.push_str("position:absolute;");
    } else if ["offsetTop", "offsetBottom", "offsetStart", "offsetEnd"]
        .iter()
        .any(|k| c.get(*k).is_some())
    {
        css.push_str("position:relative;");
    }
    for (key, side) in [
        ("offsetTop", "top"),
        ("offsetBottom", "bottom"),
        ("offsetStart", "left"),
        ("offsetEnd", "right"),
    ] {
        if let Some(v) = size(c.get(key), spacing_px, true) {
            let _ = write!(css, "{side}:{v};");
        }
    }
    if parent.is_row() {
        match str_of(c, "gravity") {
            Some("center") => css.push_str("align-self:center;"),
            Some("bottom") => css.push_str("align-self:flex-end;"),
            Some("top") => css.push_str("align-self:flex-start;"),
            _ => {}
        }
    }
}

pub fn message(out: &mut Out, m: &Value) {
    match m.get("contents") {
        Some(c) if str_of(c, "type") == Some("carousel") => carousel(out, c),
        Some(c) => {
            out.push("<div class=\"lf\">");
            bubble(out, c, false);
            out.push("</div>");
        }
        None => {}
    }
}

fn carousel(out: &mut Out, c: &Value) {
    let bubbles = c.get("contents").and_then(Value::as_array);
    let n = bubbles.map_or(0, Vec::len);
    out.push("<div class=\"lf lf-carousel\" role=\"group\" aria-label=\"");
    out.text(&crate::i18n::tf("Carousel of {n} bubbles", &[&n]));
    out.push("\">");
    for b in bubbles.into_iter().flatten() {
        bubble(out, b, true);
    }
    out.push("</div>");
}

fn bubble(out: &mut Out, b: &Value, in_carousel: bool) {
    let size_kw = str_of(b, "size").unwrap_or("mega");
    let width = bubble_width(size_kw);
    let mut css = format!("width:{width}px;");
    if in_carousel {
        css.push_str("flex:0 0 auto;");
    }
    let classes = out.classes(&format!("lf-bubble lf-{size_kw}"), &css);
    let dir = if str_of(b, "direction") == Some("rtl") {
        " dir=\"rtl\""
    } else {
        ""
    };
    let title = out.tap_title(b.get("action"));
    let _ = write!(out.html, "<div {classes}{dir}{title}>");
    let styles = b.get("styles");
    let mut first_block = true;
    for block in ["header", "hero", "body", "footer"] {
        let Some(content) = b.get(block) else {
            continue;
        };
        let style = styles.and_then(|s| s.get(block));
        let mut css = String::new();
        if let Some(bg) = color(style.and_then(|s| s.get("backgroundColor"))) {
            let _ = write!(css, "background-color:{bg};");
        }
        if !first_block
            && style
                .and_then(|s| s.get("separator"))
                .and_then(Value::as_bool)
                == Some(true)
        {
            let sep = color(style.and_then(|s| s.get("separatorColor"))).unwrap_or("#e5e5e5");
            let _ = write!(css, "border-top:1px solid {sep};");
        }
        if block == "body" {
            // The body takes the height a carousel's tallest bubble leaves.
            css.push_str("flex:1 0 auto;");
        }
        let classes = out.classes(&format!("lf-block lf-{block}"), &css);
        let _ = write!(out.html, "<div {classes}>");
        if block == "hero" {
            component(out, content, Parent::Vertical, None, true);
        } else {
            let padding = if block == "footer" { "10px" } else { "20px" };
            flex_box(out, content, Parent::Vertical, None, true, Some(padding));
        }
        out.push("</div>");
        first_block = false;
    }
    out.push("</div>");
}

fn component(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    match str_of(c, "type") {
        Some("box") => flex_box(out, c, parent, spacing, first, None),
        Some("text") => flex_text(out, c, parent, spacing, first),
        Some("image") => flex_image(out, c, parent, spacing, first),
        Some("icon") => icon(out, c, parent, spacing, first),
        Some("button") => button(out, c, parent, spacing, first),
        Some("separator") => separator(out, c, parent, spacing, first),
        Some("filler") => {
            let mut css = String::new();
            common(c, parent, spacing, first, &mut css);
            if c.get("flex").is_none() {
                css.push_str("flex:1 0 0;");
            }
            let classes = out.classes("lf-filler", &css);
            let _ = write!(out.html, "<div {classes}></div>");
        }
        Some("video") => video(out, c, parent, spacing, first),
        Some("span") | None => {}
        Some(other) => {
            let _ = write!(out.html, "<div class=\"lf-unknown\">");
            out.text(other);
            out.push("</div>");
        }
    }
}

fn flex_box(
    out: &mut Out,
    b: &Value,
    parent: Parent,
    spacing: Option<&str>,
    first: bool,
    default_padding: Option<&str>,
) {
    let layout = Parent::of(str_of(b, "layout"));
    let mut css = String::new();
    common(b, parent, spacing, first, &mut css);
    css.push_str(match layout {
        Parent::Vertical => "display:flex;flex-direction:column;",
        Parent::Horizontal => "display:flex;flex-direction:row;",
        Parent::Baseline => "display:flex;flex-direction:row;align-items:baseline;",
    });
    let padding_all = size(b.get("paddingAll"), spacing_px, true).or(default_padding);
    if let Some(p) = padding_all {
        let _ = write!(css, "padding:{p};");
    }
    for (key, side) in [
        ("paddingTop", "top"),
        ("paddingBottom", "bottom"),
        ("paddingStart", "left"),
        ("paddingEnd", "right"),
    ] {
        if let Some(p) = size(b.get(key), spacing_px, true) {
            let _ = write!(css, "padding-{side}:{p};");
        }
    }
    if let Some(bg) = color(b.get("backgroundColor")) {
        let _ = write!(css, "background-color:{bg};");
    }
    if let Some(g) = b.get("background")
        && str_of(g, "type") == Some("linearGradient")
        && let (Some(start), Some(end)) = (color(g.get("startColor")), color(g.get("endColor")))
    {
        let angle = str_of(g, "angle")
            .filter(|a| {
                a.strip_suffix("deg").is_some_and(|n| {
                    !n.is_empty()
                        && n.len() < 8
                        && n.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                })
            })
            .unwrap_or("0deg");
        match color(g.get("centerColor")) {
            Some(center) => {
                let at = str_of(g, "centerPosition")
                    .and_then(|p| length(p, true).filter(|p| p.ends_with('%')))
                    .unwrap_or("50%");
                let _ = write!(
                    css,
                    "background:linear-gradient({angle},{start} 0%,{center} {at},{end} 100%);"
                );
            }
            None => {
                let _ = write!(css, "background:linear-gradient({angle},{start},{end});");
            }
        }
    }
    if let Some(w) = size(b.get("borderWidth"), border_px, false) {
        let bc = color(b.get("borderColor")).unwrap_or("#000000");
        let _ = write!(css, "border:{w} solid {bc};");
    } else if let Some(bc) = color(b.get("borderColor")) {
        let _ = write!(css, "border:1px solid {bc};");
    }
    if let Some(r) = size(b.get("cornerRadius"), spacing_px, false) {
        let _ = write!(css, "border-radius:{r};overflow:hidden;");
    }
    for (key, prop) in [
        ("width", "width"),
        ("maxWidth", "max-width"),
        ("height", "height"),
        ("maxHeight", "max-height"),
    ] {
        if let Some(v) = b
            .get(key)
            .and_then(Value::as_str)
            .and_then(|v| length(v, true))
        {
            let _ = write!(css, "{prop}:{v};");
            if key == "width" {
                css.push_str("flex-grow:0;");
            }
        }
    }
    if let Some(j) = str_of(b, "justifyContent").filter(|j| {
        matches!(
            *j,
            "center"
                | "flex-start"
                | "flex-end"
                | "space-between"
                | "space-around"
                | "space-evenly"
        )
    }) {
        let _ = write!(css, "justify-content:{j};");
    }
    if let Some(a) =
        str_of(b, "alignItems").filter(|a| matches!(*a, "center" | "flex-start" | "flex-end"))
    {
        let _ = write!(css, "align-items:{a};");
    }
    // Absolutely placed children are placed within this box.
    css.push_str("position:relative;");
    let title = out.tap_title(b.get("action"));
    let tappable = if title.is_empty() { "" } else { " lf-tappable" };
    let classes = out.classes(
        &format!(
            "lf-box lf-{}{tappable}",
            match layout {
                Parent::Vertical => "vertical",
                Parent::Horizontal => "horizontal",
                Parent::Baseline => "baseline",
            }
        ),
        &css,
    );
    let _ = write!(out.html, "<div {classes}{title}>");
    let child_spacing = size(b.get("spacing"), spacing_px, false);
    for (i, child) in b
        .get("contents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        component(out, child, layout, child_spacing, i == 0);
    }
    out.push("</div>");
}

/// Font declarations shared by text and span.
fn font(c: &Value, css: &mut String) {
    if let Some(s) = size(c.get("size"), font_px, false) {
        let _ = write!(css, "font-size:{s};");
    }
    if let Some(col) = color(c.get("color")) {
        let _ = write!(css, "color:{col};");
    }
    if str_of(c, "weight") == Some("bold") {
        css.push_str("font-weight:700;");
    }
    if str_of(c, "style") == Some("italic") {
        css.push_str("font-style:italic;");
    }
    match str_of(c, "decoration") {
        Some("underline") => css.push_str("text-decoration:underline;"),
        Some("line-through") => css.push_str("text-decoration:line-through;"),
        _ => {}
    }
}

fn flex_text(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    font(c, &mut css);
    match str_of(c, "align") {
        Some("center") => css.push_str("text-align:center;"),
        Some("end") => css.push_str("text-align:end;"),
        _ => {}
    }
    let wrap = c.get("wrap").and_then(Value::as_bool) == Some(true);
    let max_lines = c.get("maxLines").and_then(Value::as_u64).filter(|n| *n > 0);
    if !wrap {
        // LINE cuts an unwrapped text at the bubble's edge with an ellipsis.
        css.push_str("white-space:nowrap;overflow:hidden;text-overflow:ellipsis;");
    } else if let Some(n) = max_lines {
        let _ = write!(
            css,
            "white-space:pre-wrap;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:{n};overflow:hidden;"
        );
    } else {
        css.push_str("white-space:pre-wrap;");
    }
    if let Some(ls) = c
        .get("lineSpacing")
        .and_then(Value::as_str)
        .and_then(|v| length(v, false))
    {
        let _ = write!(css, "line-height:calc(1.4em + {ls});");
    }
    let title = out.tap_title(c.get("action"));
    let classes = out.classes("lf-text", &css);
    let _ = write!(out.html, "<p {classes}{title}>");
    match c
        .get("contents")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
    {
        Some(spans) => {
            for span in spans {
                let mut css = String::new();
                font(span, &mut css);
                let classes = out.classes("lf-span", &css);
                let _ = write!(out.html, "<span {classes}>");
                out.text(str_of(span, "text").unwrap_or(""));
                out.push("</span>");
            }
        }
        None => out.text(str_of(c, "text").unwrap_or("")),
    }
    out.push("</p>");
}

/// `w:h` as a CSS aspect ratio, when valid.
fn aspect(c: &Value, default: &str) -> String {
    let ratio = str_of(c, "aspectRatio").unwrap_or(default);
    match ratio.split_once(':') {
        Some((w, h))
            if w.parse::<f64>().is_ok_and(|w| w > 0.0)
                && h.parse::<f64>().is_ok_and(|h| h > 0.0) =>
        {
            format!(
                "{} / {}",
                w.parse::<f64>().unwrap(),
                h.parse::<f64>().unwrap()
            )
        }
        _ => "1 / 1".to_string(),
    }
}

fn flex_image(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    let width = size(c.get("size"), image_width, true).unwrap_or("100px");
    let _ = write!(css, "width:100%;max-width:{width};");
    match str_of(c, "align") {
        Some("start") => css.push_str("margin-right:auto;"),
        Some("end") => css.push_str("margin-left:auto;"),
        _ => css.push_str("margin-left:auto;margin-right:auto;"),
    }
    if let Some(bg) = color(c.get("backgroundColor")) {
        let _ = write!(css, "background-color:{bg};");
    }
    let _ = write!(css, "aspect-ratio:{};", aspect(c, "1:1"));
    let title = out.tap_title(c.get("action"));
    let classes = out.classes("lf-image", &css);
    let _ = write!(out.html, "<div {classes}{title}>");
    let fit = if str_of(c, "aspectMode") == Some("cover") {
        "lf-cover"
    } else {
        "lf-fit"
    };
    let alt = t("Image in the card").to_string();
    out.img(str_of(c, "url").unwrap_or(""), fit, &alt);
    out.push("</div>");
}

fn icon(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    let h = size(c.get("size"), font_px, false).unwrap_or("16px");
    let _ = write!(css, "height:{h};aspect-ratio:{};", aspect(c, "1:1"));
    let classes = out.classes("lf-icon", &css);
    let _ = write!(out.html, "<span {classes}>");
    out.img(str_of(c, "url").unwrap_or(""), "lf-fit", "");
    out.push("</span>");
}

fn button(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    let style = str_of(c, "style").unwrap_or("link");
    let custom = color(c.get("color"));
    match style {
        "primary" => {
            let _ = write!(
                css,
                "background-color:{};color:#ffffff;",
                custom.unwrap_or("#17c950")
            );
        }
        "secondary" => {
            let _ = write!(
                css,
                "background-color:{};color:#111111;",
                custom.unwrap_or("#dcdfe5")
            );
        }
        _ => {
            let _ = write!(css, "color:{};", custom.unwrap_or("#42659a"));
        }
    }
    let height = if str_of(c, "height") == Some("sm") {
        40
    } else {
        52
    };
    let _ = write!(css, "min-height:{height}px;");
    let title = out.tap_title(c.get("action"));
    let style_class = match style {
        "primary" => "lf-primary",
        "secondary" => "lf-secondary",
        _ => "lf-link",
    };
    let classes = out.classes(&format!("lf-button {style_class}"), &css);
    let _ = write!(out.html, "<span {classes}{title}>");
    let label = c
        .get("action")
        .and_then(|a| str_of(a, "label"))
        .unwrap_or("");
    out.text(label);
    out.push("</span>");
}

fn separator(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    let col = color(c.get("color")).unwrap_or("#e5e5e5");
    if parent.is_row() {
        let _ = write!(css, "border-left:1px solid {col};align-self:stretch;");
    } else {
        let _ = write!(css, "border-top:1px solid {col};");
    }
    let classes = out.classes("lf-separator", &css);
    let _ = write!(out.html, "<div {classes} role=\"separator\"></div>");
}

fn video(out: &mut Out, c: &Value, parent: Parent, spacing: Option<&str>, first: bool) {
    let mut css = String::new();
    common(c, parent, spacing, first, &mut css);
    let _ = write!(css, "aspect-ratio:{};", aspect(c, "16:9"));
    let classes = out.classes("lf-video", &css);
    let title = crate::i18n::tf("Video {url}", &[&str_of(c, "url").unwrap_or("")]);
    let _ = write!(
        out.html,
        "<div {classes} title=\"{}\">",
        super::escape(&title)
    );
    let alt = t("Video preview").to_string();
    out.img(str_of(c, "previewUrl").unwrap_or(""), "lf-cover", &alt);
    out.push("<span class=\"lp-play\" aria-hidden=\"true\">▶</span></div>");
    if let Some(alt) = c.get("altContent") {
        out.push("<details class=\"lf-alt-content\"><summary>");
        out.text(t("Shown instead where the video cannot play"));
        out.push("</summary>");
        component(out, alt, Parent::Vertical, None, true);
        out.push("</details>");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use serde_json::{Value, json};

    fn flex(contents: Value) -> Value {
        json!({"type": "flex", "altText": "カード", "contents": contents})
    }

    fn body(contents: Value) -> Value {
        flex(
            json!({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": contents}}),
        )
    }

    #[test]
    fn a_bubble_has_its_blocks_in_order_with_block_styles_and_its_size() {
        let m = flex(json!({"type": "bubble", "size": "kilo",
            "styles": {"footer": {"separator": true, "separatorColor": "#ff0000", "backgroundColor": "#eeeeee"}},
            "header": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "見出し"}]},
            "hero": {"type": "image", "url": "https://cdn.example/h.png", "size": "full", "aspectRatio": "20:13", "aspectMode": "cover"},
            "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "本文"}]},
            "footer": {"type": "box", "layout": "vertical", "contents": [{"type": "button", "action": {"type": "uri", "label": "見る", "uri": "https://shop.example/"}}]}}));
        let (doc, r) = render(&[m]);
        let blocks: Vec<String> = select(&doc, ".lf-bubble > .lf-block")
            .iter()
            .map(|b| {
                b.value()
                    .classes()
                    .find(|c| c.starts_with("lf-") && *c != "lf-block")
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(blocks, ["lf-header", "lf-hero", "lf-body", "lf-footer"]);
        let bubble = &select(&doc, ".lf-bubble")[0];
        assert!(styles(bubble, &r.css).contains("width:260px"));
        let footer = &select(&doc, ".lf-footer")[0];
        let s = styles(footer, &r.css);
        assert!(
            s.contains("border-top:1px solid #ff0000") && s.contains("background-color:#eeeeee"),
            "{s}"
        );
        let hero = &select(&doc, ".lf-hero .lf-image")[0];
        let s = styles(hero, &r.css);
        assert!(
            s.contains("aspect-ratio:20 / 13") && s.contains("max-width:100%"),
            "{s}"
        );
        assert_eq!(select(&doc, ".lf-hero img.lf-cover").len(), 1);
    }

    #[test]
    fn bubble_sizes_follow_line() {
        for (size, px) in [
            ("nano", 120),
            ("micro", 160),
            ("deca", 220),
            ("hecto", 241),
            ("mega", 300),
            ("giga", 500),
        ] {
            let (doc, r) = render(&[flex(json!({"type": "bubble", "size": size}))]);
            assert!(
                styles(&select(&doc, ".lf-bubble")[0], &r.css).contains(&format!("width:{px}px")),
                "{size}"
            );
        }
    }

    #[test]
    fn a_carousel_shows_its_bubbles_side_by_side() {
        let b = json!({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "x"}]}});
        let (doc, _) = render(&[flex(
            json!({"type": "carousel", "contents": [b.clone(), b.clone(), b]}),
        )]);
        assert_eq!(select(&doc, ".lf-carousel > .lf-bubble").len(), 3);
        assert_eq!(
            select(&doc, ".lf-carousel")[0].value().attr("aria-label"),
            Some("Carousel of 3 bubbles")
        );
    }

    #[test]
    fn boxes_lay_out_with_spacing_margin_padding_flex_position_background_radius_and_border() {
        let m = body(
            json!([{"type": "box", "layout": "horizontal", "spacing": "md", "paddingAll": "12px",
            "paddingStart": "5%", "backgroundColor": "#00ff00", "cornerRadius": "lg", "borderWidth": "semi-bold", "borderColor": "#123456",
            "justifyContent": "space-between", "alignItems": "center",
            "background": {"type": "linearGradient", "angle": "90deg", "startColor": "#000000", "endColor": "#ffffff"},
            "contents": [
                {"type": "text", "text": "a", "flex": 2},
                {"type": "text", "text": "b", "margin": "xxl"},
                {"type": "box", "layout": "baseline", "contents": [], "position": "absolute", "offsetTop": "4px", "offsetEnd": "md"}
            ]}]),
        );
        let (doc, r) = render(&[m]);
        let b = &select(&doc, ".lf-body .lf-box.lf-horizontal")[0];
        let s = styles(b, &r.css);
        for want in [
            "flex-direction:row",
            "padding:12px",
            "padding-left:5%",
            "background-color:#00ff00",
            "border-radius:12px",
            "border:3px solid #123456",
            "justify-content:space-between",
            "align-items:center",
            "linear-gradient(90deg,#000000,#ffffff)",
        ] {
            assert!(s.contains(want), "{want} in {s}");
        }
        let texts = select(&doc, ".lf-horizontal > .lf-text");
        assert!(styles(&texts[0], &r.css).contains("flex:2 0 0"));
        assert!(!styles(&texts[0], &r.css).contains("margin-left"));
        assert!(styles(&texts[1], &r.css).contains("margin-left:20px"));
        let abs = &select(&doc, ".lf-baseline")[0];
        let s = styles(abs, &r.css);
        assert!(
            s.contains("position:absolute") && s.contains("top:4px") && s.contains("right:8px"),
            "{s}"
        );
    }

    #[test]
    fn text_has_sizes_weights_colors_wrapping_max_lines_and_spans() {
        let m = body(json!([
            {"type": "text", "text": "大きい", "size": "xxl", "weight": "bold", "color": "#ff5551", "align": "center"},
            {"type": "text", "text": "折り返す長い文章", "wrap": true, "maxLines": 2, "style": "italic", "decoration": "underline"},
            {"type": "text", "text": "一行", "size": "13px"},
            {"type": "text", "contents": [{"type": "span", "text": "赤", "color": "#ff0000"}, {"type": "span", "text": "太字", "weight": "bold", "decoration": "line-through"}]}
        ]));
        let (doc, r) = render(&[m]);
        let t = select(&doc, ".lf-text");
        let s0 = styles(&t[0], &r.css);
        assert!(
            s0.contains("font-size:29px")
                && s0.contains("font-weight:700")
                && s0.contains("color:#ff5551")
                && s0.contains("text-align:center"),
            "{s0}"
        );
        let s1 = styles(&t[1], &r.css);
        assert!(
            s1.contains("-webkit-line-clamp:2")
                && s1.contains("font-style:italic")
                && s1.contains("text-decoration:underline"),
            "{s1}"
        );
        let s2 = styles(&t[2], &r.css);
        assert!(
            s2.contains("white-space:nowrap") && s2.contains("font-size:13px"),
            "{s2}"
        );
        let spans = select(&doc, ".lf-text .lf-span");
        assert_eq!(spans.len(), 2);
        assert_eq!(text_of(&t[3]), "赤太字");
        assert!(styles(&spans[1], &r.css).contains("text-decoration:line-through"));
    }

    #[test]
    fn images_and_icons_have_their_size_aspect_and_mode() {
        let m = body(json!([
            {"type": "image", "url": "https://cdn.example/a.png", "size": "sm", "aspectRatio": "4:3", "aspectMode": "fit", "align": "start", "backgroundColor": "#cccccc"},
            {"type": "box", "layout": "baseline", "contents": [{"type": "icon", "url": "https://cdn.example/star.png", "size": "lg", "aspectRatio": "2:1"}, {"type": "text", "text": "4.0"}]}
        ]));
        let (doc, r) = render(&[m]);
        let img = &select(&doc, ".lf-image")[0];
        let s = styles(img, &r.css);
        assert!(
            s.contains("max-width:80px")
                && s.contains("aspect-ratio:4 / 3")
                && s.contains("margin-right:auto")
                && s.contains("background-color:#cccccc"),
            "{s}"
        );
        assert_eq!(
            select(&doc, ".lf-image img.lf-fit")[0].value().attr("src"),
            Some("https://cdn.example/a.png")
        );
        let icon = &select(&doc, ".lf-baseline .lf-icon")[0];
        let s = styles(icon, &r.css);
        assert!(
            s.contains("height:19px")
                && s.contains("aspect-ratio:2 / 1")
                && s.contains("flex:0 0 auto"),
            "{s}"
        );
    }

    #[test]
    fn buttons_have_their_style_height_and_where_they_lead() {
        let m = body(json!([
            {"type": "button", "style": "primary", "action": {"type": "uri", "label": "購入する", "uri": "https://shop.example/buy"}},
            {"type": "button", "style": "secondary", "height": "sm", "color": "#aabbcc", "action": {"type": "postback", "label": "あとで", "data": "later"}},
            {"type": "button", "action": {"type": "message", "label": "質問", "text": "質問があります"}}
        ]));
        let (doc, r) = render(&[m]);
        let b = select(&doc, ".lf-button");
        assert_eq!(text_of(&b[0]), "購入する");
        assert!(b[0].value().classes().any(|c| c == "lf-primary"));
        assert!(styles(&b[0], &r.css).contains("background-color:#17c950"));
        assert!(styles(&b[0], &r.css).contains("min-height:52px"));
        assert_eq!(
            b[0].value().attr("title"),
            Some("Opens https://shop.example/buy")
        );
        assert!(styles(&b[1], &r.css).contains("background-color:#aabbcc"));
        assert!(styles(&b[1], &r.css).contains("min-height:40px"));
        assert!(b[2].value().classes().any(|c| c == "lf-link"));
        assert_eq!(
            b[2].value().attr("title"),
            Some("Sends “質問があります” to the chat")
        );
    }

    #[test]
    fn separators_fillers_and_videos_with_their_alt_content() {
        let m = flex(
            json!({"type": "bubble", "hero": {"type": "video", "url": "https://cdn.example/v.mp4", "previewUrl": "https://cdn.example/v.png",
            "aspectRatio": "16:9", "altContent": {"type": "image", "url": "https://cdn.example/alt.png", "size": "full"}},
            "body": {"type": "box", "layout": "horizontal", "contents": [
                {"type": "text", "text": "a"}, {"type": "separator", "color": "#00ff00"}, {"type": "filler"}, {"type": "text", "text": "b"}]}}),
        );
        let (doc, r) = render(&[m]);
        let sep = &select(&doc, ".lf-separator")[0];
        assert!(styles(sep, &r.css).contains("border-left:1px solid #00ff00"));
        assert!(styles(&select(&doc, ".lf-filler")[0], &r.css).contains("flex:1 0 0"));
        let video = &select(&doc, ".lf-hero .lf-video")[0];
        assert_eq!(
            video.value().attr("title"),
            Some("Video https://cdn.example/v.mp4")
        );
        assert_eq!(
            select(&doc, ".lf-video img")[0].value().attr("src"),
            Some("https://cdn.example/v.png")
        );
        assert_eq!(
            select(&doc, ".lf-hero details.lf-alt-content .lf-image img")[0]
                .value()
                .attr("src"),
            Some("https://cdn.example/alt.png")
        );
    }

    #[test]
    fn css_injection_through_values_is_impossible() {
        let m = body(
            json!([{"type": "text", "text": "x", "color": "red}body{display:none", "size": "1px;}*{x"}]),
        );
        let (_, r) = render(&[m]);
        assert!(
            !r.css.contains("body{") && !r.css.contains("*{"),
            "{}",
            r.css
        );
    }
}
