//! LINE messages as LINE shows them: server-rendered HTML and CSS from the message JSON.
//!
//! Guards "reviewers approve what customers will see" (issue #17): the editor, the draft,
//! revision, release, diff and incident pages and the sandbox inbox all show a message set
//! through [`chat`], so every page shows the same thing, and it is what the phone shows:
//! flex bubbles and carousels with their components, imagemaps with their tap areas,
//! templates, coupons, video, audio, location and sticker cards, quick replies, the sender,
//! LINE emoji at their `$`, textV2 placeholders as what they become, and each message's
//! `altText` where the notification and the chat list show it.
//!
//! Pure code, no I/O: one module per message family. Every text is escaped; every value
//! that reaches CSS (colours, lengths, angles) is checked against a strict pattern first,
//! and the CSS goes out as classes in one `<style>` (the page's Content-Security-Policy
//! allows it by its hash, see `web::render_csp`), never as `style` attributes.

mod flex;
mod imagemap;
mod media;
mod template;
mod text;

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt::Write;

use serde_json::Value;

use crate::domain::actions::{Action, Target};
use crate::i18n::{t, tf};

/// What the renderer needs besides the messages.
#[derive(Debug, Clone, Default)]
pub struct RenderContext {
    /// The LINE Official Account's name, shown above the bubbles unless `sender` says
    /// otherwise.
    pub account_name: String,
    /// `SENDGATE_PUBLIC_URL`: images stored in sendgate are shown from this server's own
    /// path, whatever the public address is.
    pub public_url: String,
}

/// A rendered message set: the HTML and the CSS its classes need (may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub css: String,
}

/// The HTML being written and the CSS rules it needs, each rule once.
pub(crate) struct Out<'c> {
    pub html: String,
    css: String,
    seen: HashSet<u64>,
    pub ctx: &'c RenderContext,
}

impl<'c> Out<'c> {
    fn new(ctx: &'c RenderContext) -> Self {
        Out {
            html: String::with_capacity(4096),
            css: String::new(),
            seen: HashSet::new(),
            ctx,
        }
    }

    pub fn push(&mut self, s: &str) {
        self.html.push_str(s);
    }

    /// Escaped text.
    pub fn text(&mut self, s: &str) {
        escape_into(&mut self.html, s);
    }

    /// A class for these CSS declarations (already checked values only), named by their
    /// hash so the same declarations share one rule on a page.
    pub fn class(&mut self, declarations: &str) -> String {
        let h = fnv(declarations);
        let name = format!("x{h:012x}");
        if self.seen.insert(h) {
            let _ = write!(self.css, ".{name}{{{declarations}}}");
        }
        name
    }

    /// `class="base x…"` with the declarations, or just the base class when there are none.
    pub fn classes(&mut self, base: &str, declarations: &str) -> String {
        if declarations.is_empty() {
            format!("class=\"{base}\"")
        } else {
            let c = self.class(declarations);
            format!("class=\"{base} {c}\"")
        }
    }

    /// An `<img>` of `url` (shown from this server when it is a stored image), or a
    /// placeholder when the URL is not a web address.
    pub fn img(&mut self, url: &str, class: &str, alt: &str) {
        match display_url(&self.ctx.public_url, url) {
            Some(src) => {
                let _ = write!(
                    self.html,
                    "<img class=\"{class}\" src=\"{}\" alt=\"{}\" loading=\"lazy\" referrerpolicy=\"no-referrer\">",
                    escape(&src),
                    escape(alt)
                );
            }
            None => {
                let _ = write!(
                    self.html,
                    "<span class=\"{class} lp-broken\" role=\"img\" aria-label=\"{}\">{}</span>",
                    escape(alt),
                    escape(t("Image not shown: not an https:// address"))
                );
            }
        }
    }

    /// `title="…"` saying where a tap on this leads (empty when there is no action).
    pub fn tap_title(&self, action: Option<&Value>) -> String {
        action
            .and_then(action_of)
            .map(|a| format!(" title=\"{}\"", escape(&describe(&a))))
            .unwrap_or_default()
    }
}

/// FNV-1a, for class names (not security).
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h & 0xffff_ffff_ffff
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Where a page loads `url` from: this server's own path for a stored image, the URL itself
/// for any other `https://` or `http://` address, nothing otherwise.
pub fn display_url(public_url: &str, url: &str) -> Option<String> {
    if !public_url.is_empty()
        && let Some(path) = crate::domain::media::local_path(public_url, url)
    {
        return Some(path);
    }
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

/// `#RRGGBB` or `#RRGGBBAA`, as LINE takes colours.
pub(crate) fn color(v: Option<&Value>) -> Option<&str> {
    let s = v?.as_str()?;
    let hex = s.strip_prefix('#')?;
    (matches!(hex.len(), 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(s)
}

/// A checked number followed by `px` or `%`.
pub(crate) fn length(s: &str, percent: bool) -> Option<&str> {
    let number = |n: &str| {
        !n.is_empty()
            && n.len() < 12
            && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && n.parse::<f64>().is_ok()
    };
    if let Some(n) = s.strip_suffix("px") {
        return number(n).then_some(s);
    }
    if percent && let Some(n) = s.strip_suffix('%') {
        return number(n).then_some(s);
    }
    None
}

pub(crate) fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// The action object `v` as the domain reads it.
pub(crate) fn action_of(v: &Value) -> Option<Action> {
    crate::domain::actions::action(v, String::new())
}

/// Where a tap leads, in the person's language: "Opens https://…", "Sends “Yes”".
pub fn describe(action: &Action) -> String {
    match &action.target {
        Target::Uri { uri, desktop } => match desktop {
            Some(d) => tf("Opens {uri} (on a computer: {desktop})", &[uri, d]),
            None => tf("Opens {uri}", &[uri]),
        },
        Target::Postback { data, text } => match text {
            Some(text) if !text.is_empty() => tf(
                "Sends “{text}” to the chat and data “{data}” to the account's system",
                &[text, data],
            ),
            _ => tf("Sends data “{data}” to the account's system", &[data]),
        },
        Target::Message { text } => tf("Sends “{text}” to the chat", &[text]),
        Target::DatetimePicker { mode, data } => tf(
            "Opens a {mode} picker; sends the choice with data “{data}”",
            &[
                &t(match mode.as_str() {
                    "time" => "time",
                    "datetime" => "date and time",
                    _ => "date",
                }),
                data,
            ],
        ),
        Target::Camera => t("Opens the camera").to_string(),
        Target::CameraRoll => t("Opens the camera roll").to_string(),
        Target::Location => t("Opens the location picker").to_string(),
        Target::Clipboard { text } => tf("Copies “{text}”", &[text]),
        Target::RichMenuSwitch { alias, data } => tf(
            "Switches the rich menu to “{alias}” (data “{data}”)",
            &[alias, data],
        ),
        Target::Unknown { kind } => tf("Unknown action “{kind}”", &[kind]),
    }
}

/// What the notification and the chat list show for one message.
pub fn notification_text(m: &Value) -> String {
    let s = |k: &str| str_of(m, k).unwrap_or("").to_string();
    match str_of(m, "type").unwrap_or("") {
        "text" | "textV2" => s("text"),
        "flex" | "template" | "imagemap" => s("altText"),
        "image" => t("Sent a photo.").to_string(),
        "video" => t("Sent a video.").to_string(),
        "audio" => t("Sent an audio message.").to_string(),
        "sticker" => t("Sent a sticker.").to_string(),
        "location" => tf("Sent a location: {title}", &[&s("title")]),
        "coupon" => t("Sent a coupon.").to_string(),
        _ => String::new(),
    }
}

/// The message set as a LINE chat: each message under the sender's name and icon, quick
/// replies under the last one, and the notification each one makes above it all.
pub fn chat<V: Borrow<Value>>(messages: &[V], ctx: &RenderContext) -> Rendered {
    let messages: Vec<&Value> = messages.iter().map(Borrow::borrow).collect();
    let mut out = Out::new(ctx);
    out.push("<div class=\"lp\">");
    // The notification and the chat list show the text (or altText) of each message.
    out.push("<div class=\"lp-notification\" role=\"note\"><p class=\"lp-notification-head\">");
    out.text(t("Notification and chat list"));
    out.push("</p><ul>");
    for m in messages.iter().copied() {
        let note = notification_text(m);
        let alt = matches!(str_of(m, "type"), Some("flex" | "template" | "imagemap"));
        out.push(if alt { "<li class=\"lp-alt\">" } else { "<li>" });
        out.push("<strong>");
        out.text(&sender_name(m, ctx));
        out.push("</strong> ");
        out.text(&note);
        if alt {
            out.push(" <span class=\"lp-alt-label\">(altText)</span>");
        }
        out.push("</li>");
    }
    out.push("</ul></div><div class=\"lp-room phone\" role=\"list\">");
    for m in messages.iter().copied() {
        message(&mut out, m);
    }
    if let Some(items) = messages
        .last()
        .and_then(|m| m.get("quickReply"))
        .and_then(|q| q.get("items"))
        .and_then(Value::as_array)
    {
        quick_reply(&mut out, items);
    }
    out.push("</div></div>");
    Rendered {
        html: out.html,
        css: out.css,
    }
}

fn sender_name(m: &Value, ctx: &RenderContext) -> String {
    m.get("sender")
        .and_then(|s| str_of(s, "name"))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| ctx.account_name.clone())
}

/// One message in its row: the sender's icon and name, then the message itself.
fn message(out: &mut Out, m: &Value) {
    let kind = str_of(m, "type").unwrap_or("");
    let _ = write!(
        out.html,
        "<div class=\"lp-row lp-row-{}\" role=\"listitem\">",
        escape(kind)
    );
    out.push("<div class=\"lp-avatar\">");
    if let Some(icon) = m.get("sender").and_then(|s| str_of(s, "iconUrl")) {
        let alt = t("Sender icon").to_string();
        out.img(icon, "lp-avatar-img", &alt);
    }
    out.push("</div><div class=\"lp-col\"><p class=\"lp-name\">");
    let name = sender_name(m, out.ctx);
    out.text(&name);
    if m.get("sender").is_some() {
        out.push(" <span class=\"lp-sender-note\">");
        out.text(t("(sender changed for this message)"));
        out.push("</span>");
    }
    out.push("</p>");
    match kind {
        "text" => text::text(out, m),
        "textV2" => text::text_v2(out, m),
        "flex" => flex::message(out, m),
        "imagemap" => imagemap::message(out, m),
        "template" => template::message(out, m),
        "image" => media::image(out, m),
        "video" => media::video(out, m),
        "audio" => media::audio(out, m),
        "location" => media::location(out, m),
        "sticker" => media::sticker(out, m),
        "coupon" => media::coupon(out, m),
        other => {
            out.push("<p class=\"lp-bubble lp-unknown\">");
            out.text(&tf("{kind} message", &[&other]));
            out.push("</p>");
        }
    }
    out.push("</div></div>");
}

fn quick_reply(out: &mut Out, items: &[Value]) {
    out.push("<div class=\"lp-quick\" role=\"group\" aria-label=\"");
    out.text(t("Quick reply"));
    out.push("\">");
    for item in items {
        let action = item.get("action");
        let title = out.tap_title(action);
        let _ = write!(out.html, "<span class=\"lp-quick-item\"{title}>");
        if let Some(icon) = str_of(item, "imageUrl") {
            out.img(icon, "lp-quick-icon", "");
        } else if let Some(kind) = action.and_then(|a| str_of(a, "type")) {
            // LINE draws its own icon for these.
            let glyph = match kind {
                "camera" => "📷",
                "cameraRoll" => "🖼",
                "location" => "📍",
                _ => "",
            };
            if !glyph.is_empty() {
                let _ = write!(out.html, "<span aria-hidden=\"true\">{glyph}</span>");
            }
        }
        let label = action.and_then(|a| str_of(a, "label")).unwrap_or("");
        out.text(label);
        out.push("</span>");
    }
    out.push("</div>");
}

/// A label under a message that only LINE's servers can draw (a sticker's image, an emoji).
pub(crate) fn note(out: &mut Out, text: &str) {
    out.push("<p class=\"lp-note\">");
    out.text(text);
    out.push("</p>");
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn ctx() -> RenderContext {
        RenderContext {
            account_name: "サンプル商店".into(),
            public_url: "https://sendgate.example".into(),
        }
    }

    pub fn render(messages: &[Value]) -> (scraper::Html, Rendered) {
        let r = chat(messages, &ctx());
        (scraper::Html::parse_fragment(&r.html), r)
    }

    pub fn select<'a>(doc: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
        doc.select(&scraper::Selector::parse(css).unwrap())
            .collect()
    }

    pub fn text_of(e: &scraper::ElementRef) -> String {
        e.text().collect::<String>()
    }

    /// The declarations of the classes of `e` in `css`.
    pub fn styles(e: &scraper::ElementRef, css: &str) -> String {
        let mut out = String::new();
        for class in e.value().classes() {
            if let Some(start) = css.find(&format!(".{class}{{")) {
                let rest = &css[start + class.len() + 2..];
                out.push_str(&rest[..rest.find('}').unwrap()]);
                out.push(';');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn every_text_is_escaped() {
        let (doc, r) = render(&[json!({"type": "text", "text": "<script>alert('x')</script>"})]);
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert_eq!(
            text_of(&select(&doc, ".lp-text")[0]),
            "<script>alert('x')</script>"
        );
    }

    #[test]
    fn the_sender_replaces_the_account_name_and_icon() {
        let (doc, _) = render(&[
            json!({"type": "text", "text": "a", "sender": {"name": "店長", "iconUrl": "https://cdn.example/i.png"}}),
            json!({"type": "text", "text": "b"}),
        ]);
        let names = select(&doc, ".lp-name");
        assert!(text_of(&names[0]).starts_with("店長"));
        assert_eq!(text_of(&names[1]), "サンプル商店");
        let icon = select(&doc, ".lp-avatar-img");
        assert_eq!(icon.len(), 1);
        assert_eq!(
            icon[0].value().attr("src"),
            Some("https://cdn.example/i.png")
        );
    }

    #[test]
    fn quick_replies_show_under_the_last_message_with_where_they_lead() {
        let (doc, _) = render(&[
            json!({"type": "text", "text": "どれにしますか？", "quickReply": {"items": [
                {"type": "action", "action": {"type": "message", "label": "はい", "text": "はい"}},
                {"type": "action", "imageUrl": "https://cdn.example/q.png", "action": {"type": "uri", "label": "見る", "uri": "https://shop.example/"}},
                {"type": "action", "action": {"type": "camera", "label": "カメラ"}}
            ]}}),
        ]);
        let items = select(&doc, ".lp-room > .lp-quick .lp-quick-item");
        assert_eq!(items.len(), 3);
        assert_eq!(text_of(&items[0]), "はい");
        assert_eq!(
            items[0].value().attr("title"),
            Some("Sends “はい” to the chat")
        );
        assert_eq!(
            items[1].value().attr("title"),
            Some("Opens https://shop.example/")
        );
        assert_eq!(select(&doc, ".lp-quick-icon").len(), 1);
        assert!(text_of(&items[2]).contains("📷"));
    }

    #[test]
    fn the_notification_shows_text_and_each_rich_messages_alt_text() {
        let (doc, _) = render(&[
            json!({"type": "text", "text": "こんにちは"}),
            json!({"type": "flex", "altText": "新商品のお知らせ", "contents": {"type": "bubble"}}),
            json!({"type": "sticker", "packageId": "446", "stickerId": "1988"}),
        ]);
        let items = select(&doc, ".lp-notification li");
        assert_eq!(items.len(), 3);
        assert!(text_of(&items[0]).ends_with("こんにちは"));
        assert!(text_of(&items[1]).contains("新商品のお知らせ"));
        assert_eq!(select(&doc, ".lp-notification li.lp-alt").len(), 1);
        assert!(text_of(&items[2]).contains("Sent a sticker."));
    }

    #[test]
    fn stored_images_are_shown_from_this_server_and_scripts_never_as_images() {
        let ctx = test_support::ctx();
        assert_eq!(
            display_url(
                &ctx.public_url,
                &format!("https://sendgate.example/media/{}/700", "a".repeat(64))
            ),
            Some(format!("/media/{}/700", "a".repeat(64)))
        );
        assert_eq!(display_url(&ctx.public_url, "javascript:alert(1)"), None);
        assert_eq!(
            display_url(&ctx.public_url, "https://cdn.example/x.png").as_deref(),
            Some("https://cdn.example/x.png")
        );
    }

    #[test]
    fn css_values_are_checked_before_they_reach_a_rule() {
        assert_eq!(color(Some(&json!("#ff0000"))), Some("#ff0000"));
        assert_eq!(color(Some(&json!("#ff000080"))), Some("#ff000080"));
        assert_eq!(color(Some(&json!("red;}body{x"))), None);
        assert_eq!(length("12px", false), Some("12px"));
        assert_eq!(length("5%", true), Some("5%"));
        assert_eq!(length("5%", false), None);
        assert_eq!(length("1px;color:red", true), None);
    }
}
