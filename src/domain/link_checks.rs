//! The link and media rows of the pre-send checks for every action and media URL
//! (issue #17), beside the text scan of [`crate::domain::checks`].
//!
//! Guards gate rule 5 for rich messages: a URI action may only open `https://`, `http://`
//! (which the text scan warns about, with the allow list), `line://` or `tel:` (LINE's own
//! list); `javascript:` or any other scheme is an error. Every image, video and audio URL
//! inside flex, imagemap and template messages must be `https://` (LINE refuses the
//! message otherwise), and one that is not stored in sendgate is a warning: its bytes can
//! change after approval.

use super::actions::{Target, inventory};
use super::checks::Finding;
use super::media::parse_media_url;
use super::message::Message;

pub mod codes {
    pub const LINK_SCHEME: &str = "link_scheme";
    pub const MEDIA_NOT_HTTPS: &str = "media_not_https";
    pub const MEDIA_EXTERNAL: &str = "media_external";
}

/// The schemes LINE lets a URI action open.
const URI_SCHEMES: [&str; 4] = ["https", "http", "line", "tel"];

/// The scheme of `uri`, lower-cased, when it has one.
pub fn scheme(uri: &str) -> Option<String> {
    let (scheme, _) = uri.trim_start().split_once(':')?;
    let ok = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then(|| scheme.to_ascii_lowercase())
}

/// Media paths whose `https://` rule [`Message::problems`] already reports.
fn checked_by_message(path: &str) -> bool {
    matches!(
        path,
        "originalContentUrl" | "previewImageUrl" | "baseUrl" | "sender.iconUrl"
    ) || (path.starts_with("quickReply.items[") && path.ends_with("].imageUrl"))
}

/// The findings for the actions and media of one message, located at `at` (`message 2`).
/// `media_base` is this server's public address: a URL counts as stored in sendgate only
/// when it is one of this server's own media URLs (another host with the same path shape
/// can serve anything). `None` recognises the path alone.
pub fn check_message(message: &Message, at: &str, media_base: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    let Message::Raw(json) = message else {
        // An image message's URLs: only whether they are stored in sendgate.
        if let Message::Image {
            original_content_url,
            preview_image_url,
        } = message
        {
            for url in [original_content_url, preview_image_url] {
                if is_https(url) {
                    external(url, at.to_string(), media_base, &mut out);
                }
            }
        }
        return out;
    };
    let inv = inventory(json);
    for action in &inv.actions {
        let Target::Uri { uri, desktop } = &action.target else {
            continue;
        };
        for (uri, path) in [
            (Some(uri), action.path.clone()),
            (desktop.as_ref(), format!("{}.altUri.desktop", action.path)),
        ] {
            let Some(uri) = uri else { continue };
            let location = Some(format!("{at} ({path})"));
            match scheme(uri) {
                Some(s) if URI_SCHEMES.contains(&s.as_str()) => {}
                Some(s) if s == "javascript" => out.push(Finding::error(
                    codes::LINK_SCHEME,
                    format!(
                        "The link {uri:?} runs a script (javascript:), which is never allowed; \
                         link to an https:// page."
                    ),
                    location,
                )),
                Some(s) => out.push(Finding::error(
                    codes::LINK_SCHEME,
                    format!(
                        "The link {uri:?} uses {s}:, which LINE does not open; use https://, \
                         line:// or tel:."
                    ),
                    location,
                )),
                None => out.push(Finding::error(
                    codes::LINK_SCHEME,
                    format!(
                        "The link {uri:?} has no scheme; write the full address with https://."
                    ),
                    location,
                )),
            }
        }
    }
    for media in &inv.media {
        let location = format!("{at} ({})", media.path);
        if !is_https(&media.url) {
            if !checked_by_message(&media.path) {
                out.push(Finding::error(
                    codes::MEDIA_NOT_HTTPS,
                    format!(
                        "{} must start with https://; LINE only fetches images and videos over HTTPS.",
                        media.path
                    ),
                    Some(location),
                ));
            }
            continue;
        }
        external(&media.url, location, media_base, &mut out);
    }
    out
}

fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
}

fn external(url: &str, location: String, media_base: Option<&str>, out: &mut Vec<Finding>) {
    let ours = media_base.is_none_or(|base| {
        url.strip_prefix(base.trim_end_matches('/'))
            .is_some_and(|rest| rest.starts_with("/media/"))
    });
    if (parse_media_url(url).is_none() || !ours) && !url.is_empty() {
        out.push(Finding::warning(
            codes::MEDIA_EXTERNAL,
            format!(
                "{url} is not stored in sendgate, so what it shows can change after approval; \
                 upload the image to sendgate to fix it to what the reviewers saw."
            ),
            Some(location),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::media::{MediaHash, Variant, media_url};
    use serde_json::json;

    fn raw(v: serde_json::Value) -> Message {
        Message::Raw(v)
    }

    fn buttons(actions: serde_json::Value) -> Message {
        raw(
            json!({"type": "template", "altText": "a", "template": {"type": "buttons", "text": "t", "actions": actions}}),
        )
    }

    #[test]
    fn schemes_are_read_case_insensitively() {
        assert_eq!(scheme("JavaScript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme("tel:0312345678").as_deref(), Some("tel"));
        assert_eq!(scheme("example.com/a").as_deref(), None);
        assert_eq!(scheme("line://ti/p/@abc").as_deref(), Some("line"));
    }

    #[test]
    fn a_javascript_link_is_an_error_and_line_and_tel_links_pass() {
        let f = check_message(
            &buttons(json!([
                {"type": "uri", "label": "x", "uri": "javascript:alert(1)"},
                {"type": "uri", "label": "y", "uri": "tel:0312345678"},
                {"type": "uri", "label": "z", "uri": "line://ti/p/@sendgate"},
                {"type": "uri", "label": "w", "uri": "ftp://a.example/f"},
                {"type": "uri", "label": "v", "uri": "https://a.example/", "altUri": {"desktop": "data:text/html,hi"}}
            ])),
            "message 1",
            None,
        );
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(
            f.iter()
                .all(|f| f.is_error() && f.code == codes::LINK_SCHEME)
        );
        assert_eq!(
            f[0].location.as_deref(),
            Some("message 1 (template.actions[0])")
        );
        assert!(f[0].message.contains("javascript:"), "{}", f[0].message);
        assert!(f[1].message.contains("uses ftp:"), "{}", f[1].message);
        assert_eq!(
            f[2].location.as_deref(),
            Some("message 1 (template.actions[4].altUri.desktop)")
        );
    }

    #[test]
    fn an_http_image_inside_flex_or_a_template_is_an_error() {
        let m = raw(
            json!({"type": "flex", "altText": "a", "contents": {"type": "bubble",
            "hero": {"type": "image", "url": "http://a.example/h.png"}}}),
        );
        let f = check_message(&m, "message 1", None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].is_error());
        assert_eq!(f[0].code, codes::MEDIA_NOT_HTTPS);
        assert_eq!(
            f[0].location.as_deref(),
            Some("message 1 (contents.hero.url)")
        );
        let t = raw(
            json!({"type": "template", "altText": "a", "template": {"type": "buttons", "text": "t",
            "thumbnailImageUrl": "http://a.example/t.png", "actions": []}}),
        );
        assert_eq!(check_message(&t, "m", None)[0].code, codes::MEDIA_NOT_HTTPS);
    }

    #[test]
    fn an_external_image_warns_that_it_can_change_and_a_stored_one_does_not() {
        let stored = media_url(
            "https://sendgate.example",
            &MediaHash::of(b"png"),
            Variant::Width(700),
        );
        let m = raw(
            json!({"type": "flex", "altText": "a", "contents": {"type": "bubble",
            "hero": {"type": "image", "url": stored},
            "body": {"type": "box", "layout": "vertical", "contents": [{"type": "image", "url": "https://cdn.example/x.png"}]}}}),
        );
        let f = check_message(&m, "message 1", None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, codes::MEDIA_EXTERNAL);
        assert!(!f[0].is_error());
        assert!(
            f[0].message
                .starts_with("https://cdn.example/x.png is not stored in sendgate")
        );
        let img = Message::Image {
            original_content_url: "https://cdn.example/a.png".into(),
            preview_image_url: "https://cdn.example/b.png".into(),
        };
        assert_eq!(check_message(&img, "message 1", None).len(), 2);
        // Knowing this server's address, only its own media URLs are stored in sendgate:
        // another host with the same path shape can serve anything.
        let lookalike = stored.replace("sendgate.example", "cdn.example");
        let m = raw(
            json!({"type": "flex", "altText": "a", "contents": {"type": "bubble",
            "hero": {"type": "image", "url": stored},
            "body": {"type": "box", "layout": "vertical", "contents": [{"type": "image", "url": lookalike}]}}}),
        );
        let f = check_message(&m, "message 1", Some("https://sendgate.example/"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.starts_with("https://cdn.example/media/"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn top_level_media_urls_are_left_to_the_message_limits() {
        let m = raw(
            json!({"type": "video", "originalContentUrl": "http://a.example/v.mp4", "previewImageUrl": "http://a.example/p.png"}),
        );
        assert!(check_message(&m, "message 1", None).is_empty());
    }
}
