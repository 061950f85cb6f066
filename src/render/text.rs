//! Text and textV2 messages: the speech bubble, LINE emoji at their `$`, links as LINE
//! underlines them, and textV2 `{placeholders}` as what they become (a mention, an emoji).

use std::fmt::Write;

use serde_json::Value;

use super::{Out, escape, str_of};
use crate::domain::checks::find_urls;
use crate::domain::line_schema::text_v2_placeholders;
use crate::i18n::{t, tf};

/// Text with links marked as LINE shows them (blue, underlined).
fn linked_text(out: &mut Out, text: &str) {
    let mut rest = text;
    for url in find_urls(text) {
        let Some(at) = rest.find(url) else { continue };
        out.text(&rest[..at]);
        out.push("<span class=\"lp-link\">");
        out.text(url);
        out.push("</span>");
        rest = &rest[at + url.len()..];
    }
    out.text(rest);
}

fn emoji_chip(out: &mut Out, product: &str, emoji: &str) {
    let label = tf("LINE emoji {product} / {emoji}", &[&product, &emoji]);
    let _ = write!(
        out.html,
        "<span class=\"lp-emoji\" role=\"img\" title=\"{0}\" aria-label=\"{0}\">☺</span>",
        escape(&label)
    );
}

pub fn text(out: &mut Out, m: &Value) {
    let text = str_of(m, "text").unwrap_or("");
    out.push("<div class=\"lp-bubble lp-text bubble-text\"><p class=\"message-text\">");
    // Each emoji stands where its index (in UTF-16 units) has a `$`.
    let emojis: Vec<(usize, &str, &str)> = m
        .get("emojis")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e.get("index")?.as_u64()? as usize,
                str_of(e, "productId").unwrap_or(""),
                str_of(e, "emojiId").unwrap_or(""),
            ))
        })
        .collect();
    if emojis.is_empty() {
        linked_text(out, text);
    } else {
        let mut unit = 0;
        let mut run = String::new();
        for c in text.chars() {
            match emojis.iter().find(|(i, ..)| *i == unit) {
                Some((_, product, id)) if c == '$' => {
                    linked_text(out, &run);
                    run.clear();
                    emoji_chip(out, product, id);
                }
                _ => run.push(c),
            }
            unit += c.len_utf16();
        }
        linked_text(out, &run);
    }
    out.push("</p></div>");
}

pub fn text_v2(out: &mut Out, m: &Value) {
    let text = str_of(m, "text").unwrap_or("");
    let subs = m.get("substitution").and_then(Value::as_object);
    out.push("<div class=\"lp-bubble lp-text lp-text-v2 bubble-text\"><p class=\"message-text\">");
    let names = text_v2_placeholders(text);
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut plain = String::new();
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("{{") || rest.starts_with("}}") {
            plain.push(rest.as_bytes()[0] as char);
            i += 2;
            continue;
        }
        if rest.starts_with('{')
            && let Some(end) = rest.find('}')
            && names.contains(&&rest[1..end])
        {
            linked_text(out, &plain);
            plain.clear();
            let name = &rest[1..end];
            substitution(out, name, subs.and_then(|s| s.get(name)));
            i += end + 1;
            continue;
        }
        let c = rest.chars().next().expect("not at the end");
        plain.push(c);
        i += c.len_utf8();
    }
    linked_text(out, &plain);
    out.push("</p></div>");
    if !names.is_empty() {
        out.push("<ul class=\"lp-subs\">");
        for name in names {
            out.push("<li><code>{");
            out.text(name);
            out.push("}</code> → ");
            out.text(&substitution_meaning(subs.and_then(|s| s.get(name))));
            out.push("</li>");
        }
        out.push("</ul>");
    }
}

/// What a placeholder becomes, in words.
fn substitution_meaning(sub: Option<&Value>) -> String {
    let Some(sub) = sub else {
        return t("nothing: no substitution is given (LINE refuses the message)").to_string();
    };
    match str_of(sub, "type") {
        Some("mention") => match sub.get("mentionee").and_then(|m| str_of(m, "type")) {
            Some("all") => t("a mention of everyone (@All)").to_string(),
            _ => tf(
                "a mention of the user {user} (LINE shows their name)",
                &[&sub
                    .get("mentionee")
                    .and_then(|m| str_of(m, "userId"))
                    .unwrap_or("?")],
            ),
        },
        Some("emoji") => tf(
            "LINE emoji {product} / {emoji}",
            &[
                &str_of(sub, "productId").unwrap_or(""),
                &str_of(sub, "emojiId").unwrap_or(""),
            ],
        ),
        _ => t("an unknown substitution").to_string(),
    }
}

fn substitution(out: &mut Out, name: &str, sub: Option<&Value>) {
    match sub.and_then(|s| str_of(s, "type")) {
        Some("mention") => {
            let all = sub
                .and_then(|s| s.get("mentionee"))
                .and_then(|m| str_of(m, "type"))
                == Some("all");
            let shown = if all {
                "@All".to_string()
            } else {
                format!("@{}", t("(their LINE name)"))
            };
            let _ = write!(
                out.html,
                "<span class=\"lp-mention\" title=\"{{{}}}\">{}</span>",
                escape(name),
                escape(&shown)
            );
        }
        Some("emoji") => {
            let s = sub.expect("typed");
            emoji_chip(
                out,
                str_of(s, "productId").unwrap_or(""),
                str_of(s, "emojiId").unwrap_or(""),
            );
        }
        _ => {
            let _ = write!(
                out.html,
                "<span class=\"lp-missing\" title=\"{}\">{{{}}}</span>",
                escape(t("No substitution: LINE refuses this message")),
                escape(name)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use serde_json::json;

    #[test]
    fn a_text_message_is_a_bubble_with_its_line_breaks_and_links() {
        let (doc, _) = render(&[
            json!({"type": "text", "text": "セール開催中\n詳しくは https://shop.example/sale まで"}),
        ]);
        let bubble = select(&doc, ".lp-text");
        assert_eq!(bubble.len(), 1);
        assert!(text_of(&bubble[0]).contains("セール開催中\n詳しくは"));
        let links = select(&doc, ".lp-text .lp-link");
        assert_eq!(text_of(&links[0]), "https://shop.example/sale");
    }

    #[test]
    fn line_emoji_stand_at_their_dollar_signs() {
        let (doc, _) = render(
            &[json!({"type": "text", "text": "😀$ と $ と $", "emojis": [
            {"index": 2, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "001"},
            {"index": 6, "productId": "5ac1bfd5040ab15980c9b435", "emojiId": "002"}]})],
        );
        let chips = select(&doc, ".lp-text .lp-emoji");
        assert_eq!(chips.len(), 2);
        assert_eq!(
            chips[1].value().attr("title"),
            Some("LINE emoji 5ac1bfd5040ab15980c9b435 / 002")
        );
        // The third `$` has no emoji, so it stays a dollar sign.
        assert!(text_of(&select(&doc, ".lp-text")[0]).ends_with("と $"));
    }

    #[test]
    fn text_v2_placeholders_show_what_they_become() {
        let (doc, _) = render(&[
            json!({"type": "textV2", "text": "{user1}さん {{こんにちは}} {emoji1} {nope}", "substitution": {
            "user1": {"type": "mention", "mentionee": {"type": "user", "userId": "U0123456789abcdef0123456789abcdef"}},
            "emoji1": {"type": "emoji", "productId": "p", "emojiId": "001"}}}),
        ]);
        assert_eq!(select(&doc, ".lp-text-v2 .lp-mention").len(), 1);
        assert_eq!(select(&doc, ".lp-text-v2 .lp-emoji").len(), 1);
        assert_eq!(
            text_of(&select(&doc, ".lp-text-v2 .lp-missing")[0]),
            "{nope}"
        );
        assert!(text_of(&select(&doc, ".lp-text-v2")[0]).contains("{こんにちは}"));
        let legend = select(&doc, ".lp-subs li");
        assert_eq!(legend.len(), 3);
        assert!(text_of(&legend[0]).contains("U0123456789abcdef0123456789abcdef"));
        assert!(text_of(&legend[2]).contains("LINE refuses"));
    }
}
