//! Every action and every media URL inside a LINE message object, found once.
//!
//! Guards "every action made visible" (issue #17): reviewers see a list of what each tap
//! does (a URI, a postback, a message, a date picker, the camera, the location, the
//! clipboard, a rich menu switch), and the link and media checks of
//! [`crate::domain::link_checks`] run over the same list, so what is checked is exactly
//! what is shown.

use serde_json::Value;

/// What one tap does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Opens a URI (`uri` actions, imagemap `linkUri`, a video's external link).
    Uri {
        uri: String,
        desktop: Option<String>,
    },
    /// Sends `data` to the account's webhook; `text` is what the chat shows, if anything.
    Postback {
        data: String,
        text: Option<String>,
    },
    /// The person sends this text.
    Message {
        text: String,
    },
    /// Opens a date / time picker; the choice goes to the webhook with `data`.
    DatetimePicker {
        mode: String,
        data: String,
    },
    Camera,
    CameraRoll,
    Location,
    /// Copies this text.
    Clipboard {
        text: String,
    },
    /// Switches the rich menu to this alias.
    RichMenuSwitch {
        alias: String,
        data: String,
    },
    /// An action type LINE does not have (the schema refuses it).
    Unknown {
        kind: String,
    },
}

/// One action, where it sits and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The JSON path inside the message object, such as `contents.footer.contents[0].action`.
    pub path: String,
    /// The `type` as LINE writes it (`uri`, `postback`, ...).
    pub kind: String,
    pub label: Option<String>,
    pub target: Target,
}

/// What a media URL holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    /// An imagemap's base URL: LINE appends `/{width}`.
    ImagemapBase,
}

/// One media URL: an image, a video or audio file, an icon or an imagemap base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub path: String,
    pub kind: MediaKind,
    pub url: String,
}

/// Everything tappable and everything fetched in one message object, in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    pub actions: Vec<Action>,
    pub media: Vec<Media>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Appends an object key to a JSON path written into one buffer
/// (`contents.body.contents[0].text`); the caller truncates back to the length it had.
pub(crate) fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Appends an array index to a JSON path written into one buffer.
pub(crate) fn push_index(path: &mut String, i: usize) {
    use std::fmt::Write as _;
    let _ = write!(path, "[{i}]");
}

/// The action object `v`, found at `path`.
pub fn action(v: &Value, path: String) -> Option<Action> {
    let kind = v.get("type").and_then(Value::as_str)?.to_string();
    let s = |key: &str| text(v, key).unwrap_or_default();
    let target = match kind.as_str() {
        // Imagemap actions name their URI `linkUri`.
        "uri" => Target::Uri {
            uri: text(v, "uri")
                .or_else(|| text(v, "linkUri"))
                .unwrap_or_default(),
            desktop: v.get("altUri").and_then(|a| text(a, "desktop")),
        },
        "postback" => Target::Postback {
            data: s("data"),
            text: text(v, "displayText").or_else(|| text(v, "text")),
        },
        "message" => Target::Message { text: s("text") },
        "datetimepicker" => Target::DatetimePicker {
            mode: s("mode"),
            data: s("data"),
        },
        "camera" => Target::Camera,
        "cameraRoll" => Target::CameraRoll,
        "location" => Target::Location,
        "clipboard" => Target::Clipboard {
            text: s("clipboardText"),
        },
        "richmenuswitch" => Target::RichMenuSwitch {
            alias: s("richMenuAliasId"),
            data: s("data"),
        },
        other => Target::Unknown {
            kind: other.to_string(),
        },
    };
    Some(Action {
        path,
        label: text(v, "label"),
        kind,
        target,
    })
}

/// Finds every action and media URL of `message` (a LINE message object).
pub fn inventory(message: &Value) -> Inventory {
    let mut out = Inventory::default();
    let message_type = message.get("type").and_then(Value::as_str).unwrap_or("");
    walk(message, &mut String::new(), None, message_type, &mut out);
    out
}

fn walk(
    v: &Value,
    path: &mut String,
    parent_type: Option<&str>,
    message_type: &str,
    out: &mut Inventory,
) {
    // One path buffer for the whole walk: each step appends its part and takes it off again,
    // so a path is copied only for what is found.
    let len = path.len();
    match v {
        Value::Object(obj) => {
            let own_type = obj.get("type").and_then(Value::as_str);
            let top = path.is_empty();
            for (key, value) in obj {
                push_key(path, key);
                match (key.as_str(), value) {
                    ("action" | "defaultAction", Value::Object(_)) => {
                        out.actions.extend(action(value, path.clone()));
                    }
                    ("actions", Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            out.actions.extend(action(item, format!("{path}[{i}]")));
                        }
                    }
                    ("externalLink", Value::Object(link)) => {
                        if let Some(uri) = link.get("linkUri").and_then(Value::as_str) {
                            out.actions.push(Action {
                                path: path.clone(),
                                kind: "uri".into(),
                                label: text(value, "label"),
                                target: Target::Uri {
                                    uri: uri.to_string(),
                                    desktop: None,
                                },
                            });
                        }
                    }
                    (_, Value::String(url)) => {
                        if let Some(kind) = media_kind(key, own_type, top, message_type) {
                            out.media.push(Media {
                                path: path.clone(),
                                kind,
                                url: url.clone(),
                            });
                        }
                    }
                    _ => walk(value, path, own_type.or(parent_type), message_type, out),
                }
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push_index(path, i);
                walk(item, path, parent_type, message_type, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Whether the string at `key` of an object of `own_type` is a media URL, and of what.
fn media_kind(
    key: &str,
    own_type: Option<&str>,
    top_level: bool,
    message_type: &str,
) -> Option<MediaKind> {
    match key {
        "baseUrl" if top_level => Some(MediaKind::ImagemapBase),
        "originalContentUrl" if top_level && message_type == "video" => Some(MediaKind::Video),
        "originalContentUrl" if top_level && message_type == "audio" => Some(MediaKind::Audio),
        // An imagemap's video object.
        "originalContentUrl" if !top_level => Some(MediaKind::Video),
        "originalContentUrl" | "previewImageUrl" | "thumbnailImageUrl" | "imageUrl" | "iconUrl"
        | "previewUrl" => Some(MediaKind::Image),
        "url" => match own_type {
            Some("image" | "icon") => Some(MediaKind::Image),
            Some("video") => Some(MediaKind::Video),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_action_type_is_found_with_its_path_and_target() {
        let m = json!({"type": "template", "altText": "a", "template": {"type": "buttons", "text": "t",
        "defaultAction": {"type": "uri", "label": "Open", "uri": "https://a.example/", "altUri": {"desktop": "https://a.example/pc"}},
        "actions": [
            {"type": "postback", "label": "Buy", "data": "buy=1", "displayText": "買います"},
            {"type": "message", "label": "Yes", "text": "はい"},
            {"type": "datetimepicker", "label": "When", "data": "d", "mode": "date"},
            {"type": "camera", "label": "Camera"},
            {"type": "cameraRoll", "label": "Roll"},
            {"type": "location", "label": "Where"},
            {"type": "clipboard", "label": "Copy", "clipboardText": "SALE2026"},
            {"type": "richmenuswitch", "label": "Menu", "richMenuAliasId": "b", "data": "m"}
        ]}});
        let inv = inventory(&m);
        let kinds: Vec<&str> = inv.actions.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "uri",
                "postback",
                "message",
                "datetimepicker",
                "camera",
                "cameraRoll",
                "location",
                "clipboard",
                "richmenuswitch"
            ]
        );
        let uri = inv.actions.iter().find(|a| a.kind == "uri").unwrap();
        assert_eq!(uri.path, "template.defaultAction");
        assert_eq!(
            uri.target,
            Target::Uri {
                uri: "https://a.example/".into(),
                desktop: Some("https://a.example/pc".into())
            }
        );
        assert_eq!(inv.actions[1].path, "template.actions[0]");
        assert_eq!(
            inv.actions[1].target,
            Target::Postback {
                data: "buy=1".into(),
                text: Some("買います".into())
            }
        );
        assert_eq!(
            inv.actions[7].target,
            Target::Clipboard {
                text: "SALE2026".into()
            }
        );
    }

    #[test]
    fn imagemap_links_video_links_and_quick_replies_are_actions() {
        let m = json!({"type": "imagemap", "baseUrl": "https://a.example/im", "altText": "a",
            "baseSize": {"width": 1040, "height": 1040},
            "video": {"originalContentUrl": "https://a.example/v.mp4", "previewImageUrl": "https://a.example/p.jpg",
                "area": {"x": 0, "y": 0, "width": 1040, "height": 500},
                "externalLink": {"linkUri": "https://a.example/more", "label": "More"}},
            "actions": [{"type": "uri", "linkUri": "https://a.example/1", "area": {"x": 0, "y": 0, "width": 1, "height": 1}}],
            "quickReply": {"items": [{"type": "action", "imageUrl": "https://a.example/q.png", "action": {"type": "message", "label": "Hi", "text": "Hi"}}]}});
        let inv = inventory(&m);
        let paths: Vec<&str> = inv.actions.iter().map(|a| a.path.as_str()).collect();
        assert!(paths.contains(&"actions[0]"), "{paths:?}");
        assert!(paths.contains(&"video.externalLink"), "{paths:?}");
        assert!(paths.contains(&"quickReply.items[0].action"), "{paths:?}");
        let media: Vec<(&str, MediaKind)> = inv
            .media
            .iter()
            .map(|m| (m.path.as_str(), m.kind))
            .collect();
        assert!(media.contains(&("baseUrl", MediaKind::ImagemapBase)));
        assert!(media.contains(&("video.originalContentUrl", MediaKind::Video)));
        assert!(media.contains(&("video.previewImageUrl", MediaKind::Image)));
        assert!(media.contains(&("quickReply.items[0].imageUrl", MediaKind::Image)));
    }

    #[test]
    fn flex_images_icons_videos_and_template_thumbnails_are_media() {
        let m = json!({"type": "flex", "altText": "a", "contents": {"type": "bubble",
            "hero": {"type": "image", "url": "https://a.example/h.png"},
            "body": {"type": "box", "layout": "baseline", "contents": [
                {"type": "icon", "url": "https://a.example/i.png"},
                {"type": "text", "text": "url is not media here"},
                {"type": "video", "url": "https://a.example/v.mp4", "previewUrl": "https://a.example/v.png",
                 "altContent": {"type": "image", "url": "https://a.example/alt.png"}}]}}});
        let inv = inventory(&m);
        let urls: Vec<(&str, MediaKind)> =
            inv.media.iter().map(|m| (m.url.as_str(), m.kind)).collect();
        assert_eq!(urls.len(), 5, "{urls:?}");
        assert!(urls.contains(&("https://a.example/v.mp4", MediaKind::Video)));
        assert!(urls.contains(&("https://a.example/alt.png", MediaKind::Image)));
        let t = json!({"type": "template", "altText": "a", "template": {"type": "image_carousel", "columns": [
            {"imageUrl": "https://a.example/c.png", "action": {"type": "uri", "uri": "https://a.example"}}]}});
        let inv = inventory(&t);
        assert_eq!(inv.media[0].path, "template.columns[0].imageUrl");
        assert_eq!(inv.actions[0].path, "template.columns[0].action");
        let v = json!({"type": "video", "originalContentUrl": "https://a.example/v.mp4", "previewImageUrl": "https://a.example/p.png"});
        assert_eq!(inventory(&v).media[0].kind, MediaKind::Video);
        let a = json!({"type": "audio", "originalContentUrl": "https://a.example/a.m4a", "duration": 1});
        assert_eq!(inventory(&a).media[0].kind, MediaKind::Audio);
    }
}
