//! The LINE message objects a draft can hold, parsed once from what a form submits.
//!
//! Guards the limit row of the pre-send checks (DESIGN section 5: 1 to 5 message objects,
//! text not empty and at most 5,000 UTF-16 units, image URLs https and at most 2,000
//! characters) and the other cheap, certain limits of `reference/line-platform.md`
//! section 6.2. A [`Message`] made by [`Message::parse`] passed these rules; the checks
//! re-run them before release ([`Message::problems`]), and LINE's validate endpoint has
//! the final word.
//!
//! Text, image and sticker messages have typed forms. Every other LINE message object
//! (flex, template, imagemap, video, audio, location, textV2, coupon, or a text, image or
//! sticker with extra properties such as `quickReply`) is kept as [`Message::Raw`] JSON,
//! validated by type. A raw object with exactly the shape of a typed form is turned into
//! that form, so one message has one representation and one hash.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::FieldError;
use super::builders::{self, AreaInput, ButtonInput};
use super::line_schema;
use super::media::{Variant, parse_media_url};

/// At most this many message objects go out in one send.
pub const MAX_MESSAGES: usize = 5;
/// Text messages: at most this many UTF-16 code units.
pub const MAX_TEXT_UTF16: usize = 5_000;
/// Media and icon URLs: at most this many characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// `quickReply.items`: at most this many.
pub const MAX_QUICK_REPLY_ITEMS: usize = 13;
/// `emojis` in a text message: at most this many.
pub const MAX_TEXT_EMOJIS: usize = 20;
/// `altText` of a template message.
pub const MAX_TEMPLATE_ALT_TEXT: usize = 400;
/// `altText` of flex and imagemap messages. The reference lists 400 (from a legacy SDK);
/// LINE's current documentation allows 1,500. Above 1,500 is certainly refused, so that is
/// the error; [`LEGACY_ALT_TEXT_LIMIT`] is where the checks start to warn.
pub const MAX_ALT_TEXT: usize = 1_500;
/// The older `altText` limit the reference lists for flex and imagemap messages.
pub const LEGACY_ALT_TEXT_LIMIT: usize = 400;
/// `actions` of an imagemap message.
pub const MAX_IMAGEMAP_ACTIONS: usize = 50;
/// Bubbles in a flex carousel.
pub const MAX_FLEX_CAROUSEL_BUBBLES: usize = 12;
/// Columns in a template carousel or image carousel.
pub const MAX_TEMPLATE_COLUMNS: usize = 10;
/// `title` and `address` of a location message.
pub const MAX_LOCATION_FIELD: usize = 100;
/// `sender.name`.
pub const MAX_SENDER_NAME: usize = 20;
/// `trackingId` of a video message.
pub const MAX_TRACKING_ID: usize = 100;
/// `deliveryTag` of a coupon message.
pub const MAX_COUPON_DELIVERY_TAG: usize = 30;

/// Every `type` a LINE message object can have.
pub const LINE_MESSAGE_TYPES: [&str; 11] = [
    "text", "textV2", "sticker", "image", "video", "audio", "location", "imagemap", "template",
    "flex", "coupon",
];

const TEMPLATE_TYPES: [&str; 4] = ["buttons", "confirm", "carousel", "image_carousel"];
const STICKER_FIELDS: [&str; 6] = [
    "type",
    "packageId",
    "stickerId",
    "quoteToken",
    "quickReply",
    "sender",
];

/// One LINE message object.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Text {
        text: String,
    },
    Image {
        original_content_url: String,
        preview_image_url: String,
    },
    Sticker {
        package_id: String,
        sticker_id: String,
    },
    /// Any other LINE message object, as the JSON the Messaging API takes. Always an object
    /// whose `"type"` is a string; never exactly the shape of a typed form.
    Raw(Value),
}

/// The kinds of message a form can submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Text,
    Image,
    Sticker,
    /// The card builder (a flex bubble), see [`super::builders`].
    Card,
    /// The rich message builder (an imagemap), see [`super::builders`].
    Imagemap,
    Raw,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Text,
        MessageKind::Image,
        MessageKind::Sticker,
        MessageKind::Card,
        MessageKind::Imagemap,
        MessageKind::Raw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::Sticker => "sticker",
            MessageKind::Card => "card",
            MessageKind::Imagemap => "imagemap",
            MessageKind::Raw => "raw",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Some(MessageKind::Text),
            "image" => Some(MessageKind::Image),
            "sticker" => Some(MessageKind::Sticker),
            "card" => Some(MessageKind::Card),
            "imagemap" => Some(MessageKind::Imagemap),
            "raw" | "json" => Some(MessageKind::Raw),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Text => "Text",
            MessageKind::Image => "Image",
            MessageKind::Sticker => "Sticker",
            MessageKind::Card => "Card (built here)",
            MessageKind::Imagemap => "Rich message (built here)",
            MessageKind::Raw => "Other (LINE JSON)",
        }
    }
}

/// The raw strings a form submits for one message: the kind tag and the fields of that
/// kind. Fields of other kinds are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct MessageInput {
    /// `text`, `image`, `sticker` or `raw`.
    pub kind: String,
    pub text: String,
    pub original_content_url: String,
    pub preview_image_url: String,
    pub package_id: String,
    pub sticker_id: String,
    /// A LINE message object as JSON, for `raw`.
    pub raw_json: String,
    /// An image message of an upload: its hash (the URLs are filled in from it).
    pub image_media: String,
    /// The card builder (`card`): an uploaded image's hash, or another image URL.
    pub card_image: String,
    pub card_image_url: String,
    pub card_title: String,
    pub card_text: String,
    pub card_alt_text: String,
    pub card_buttons: Vec<ButtonInput>,
    /// The rich message builder (`imagemap`): an uploaded image's hash.
    pub im_image: String,
    pub im_alt_text: String,
    pub im_layout: String,
    pub im_areas: Vec<AreaInput>,
}

impl MessageInput {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            kind: "text".into(),
            text: text.into(),
            ..Self::default()
        }
    }

    pub fn image(
        original_content_url: impl Into<String>,
        preview_image_url: impl Into<String>,
    ) -> Self {
        Self {
            kind: "image".into(),
            original_content_url: original_content_url.into(),
            preview_image_url: preview_image_url.into(),
            ..Self::default()
        }
    }

    pub fn sticker(package_id: impl Into<String>, sticker_id: impl Into<String>) -> Self {
        Self {
            kind: "sticker".into(),
            package_id: package_id.into(),
            sticker_id: sticker_id.into(),
            ..Self::default()
        }
    }

    pub fn raw(raw_json: impl Into<String>) -> Self {
        Self {
            kind: "raw".into(),
            raw_json: raw_json.into(),
            ..Self::default()
        }
    }

    /// The form fields that show `message` again, for editing it as a new revision.
    pub fn from_message(message: &Message) -> Self {
        match message {
            Message::Text { text } => Self::text(text.clone()),
            Message::Image {
                original_content_url,
                preview_image_url,
            } => {
                let mut input =
                    Self::image(original_content_url.clone(), preview_image_url.clone());
                // An upload's original and preview open as that upload again.
                if let (Some((a, Variant::Original)), Some((b, Variant::Preview))) = (
                    parse_media_url(original_content_url),
                    parse_media_url(preview_image_url),
                ) && a == b
                {
                    input.image_media = a.to_string();
                }
                input
            }
            Message::Sticker {
                package_id,
                sticker_id,
            } => Self::sticker(package_id.clone(), sticker_id.clone()),
            Message::Raw(value) => {
                let mut input = Self::raw(
                    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
                );
                // A message a builder made opens in that builder again.
                if let Some(card) = builders::card_fields(value) {
                    input.kind = MessageKind::Card.as_str().into();
                    input.card_image = card.image_hash;
                    input.card_image_url = card.image_url;
                    input.card_title = card.title;
                    input.card_text = card.text;
                    input.card_alt_text = card.alt_text;
                    input.card_buttons = card.buttons;
                } else if let Some(im) = builders::imagemap_fields(value) {
                    input.kind = MessageKind::Imagemap.as_str().into();
                    input.im_image = im.image_hash;
                    input.im_alt_text = im.alt_text;
                    input.im_layout = im.layout;
                    input.im_areas = im.areas;
                }
                input
            }
        }
    }
}

/// The number of UTF-16 code units in `s`, which is how LINE counts text length: an emoji
/// outside the Basic Multilingual Plane counts 2, `\r\n` counts 2.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `5012` as `5,012`, for messages people read.
pub(crate) fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A lower estimate of the number of user-perceived characters (grapheme clusters), the
/// unit LINE uses for template texts. Joiners, variation selectors, skin-tone modifiers,
/// combining marks, emoji tags and the second half of a flag do not start a new character.
/// Erring low means a limit never refuses text LINE would take; LINE's validate endpoint
/// catches the rare overflow this misses.
pub(crate) fn approx_grapheme_len(s: &str) -> usize {
    let mut count = 0;
    let mut after_joiner = false;
    let mut open_flag = false;
    for c in s.chars() {
        let u = c as u32;
        let extends = matches!(u,
            0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF | 0x3099..=0x309A
            | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF);
        let regional = (0x1F1E6..=0x1F1FF).contains(&u);
        if u == 0x200D {
            after_joiner = true;
            continue;
        }
        if extends || after_joiner || (regional && open_flag) {
            after_joiner = false;
            if regional {
                open_flag = false;
            }
            continue;
        }
        open_flag = regional;
        count += 1;
    }
    count
}

impl Message {
    /// Parses what a form submitted. Every problem is reported, each naming its field and
    /// saying in plain English what is wrong.
    pub fn parse(input: &MessageInput) -> Result<Message, Vec<FieldError>> {
        let message = match MessageKind::parse(&input.kind) {
            None => {
                return Err(vec![FieldError::new(
                    "kind",
                    "Choose what kind of message this is: \
                     text, image, sticker or other (LINE JSON).",
                )]);
            }
            // Browsers submit textarea line breaks as \r\n, which LINE counts as 2 units;
            // the marketer typed one line break, so store one.
            Some(MessageKind::Text) => Message::Text {
                text: input.text.replace("\r\n", "\n"),
            },
            Some(MessageKind::Image) => Message::Image {
                original_content_url: input.original_content_url.trim().to_string(),
                preview_image_url: input.preview_image_url.trim().to_string(),
            },
            Some(MessageKind::Sticker) => Message::Sticker {
                package_id: input.package_id.trim().to_string(),
                sticker_id: input.sticker_id.trim().to_string(),
            },
            Some(MessageKind::Raw) => return Message::parse_line_json(&input.raw_json),
            // The builders need their images looked up (`services::media::expand_builders`),
            // which turns them into `raw` first.
            Some(MessageKind::Card | MessageKind::Imagemap) => {
                return Err(vec![FieldError::new(
                    "kind",
                    "This message could not be built; open the editor and save it again.",
                )]);
            }
        };
        let problems = message.problems();
        if problems.is_empty() {
            Ok(message)
        } else {
            Err(problems)
        }
    }

    /// Parses a LINE message object written as JSON (the `raw` form field). Problems are
    /// reported on the field `raw_json`.
    pub fn parse_line_json(json: &str) -> Result<Message, Vec<FieldError>> {
        let field = "raw_json";
        if json.trim().is_empty() {
            return Err(vec![FieldError::new(
                field,
                "Paste a LINE message object as JSON, such as {\"type\":\"flex\", ...}.",
            )]);
        }
        let value: Value = serde_json::from_str(json).map_err(|e| {
            vec![FieldError::new(
                field,
                format!("This is not valid JSON: {e}."),
            )]
        })?;
        Message::from_line_json(value)
    }

    /// Checks a LINE message object given as a JSON value, and turns it into a typed form
    /// when it has exactly that shape.
    pub fn from_line_json(value: Value) -> Result<Message, Vec<FieldError>> {
        let problems = raw_problems(&value, "raw_json");
        if problems.is_empty() {
            Ok(Message::from_stored_json(value).expect("checked object with a type"))
        } else {
            Err(problems)
        }
    }

    /// Reads back a message object that was stored earlier. Only the structure is checked
    /// (an object with a string `"type"`), not the limits: a stored revision must stay
    /// readable when a limit gets stricter, and the pre-send checks re-run the limits.
    pub fn from_stored_json(value: Value) -> Result<Message, String> {
        let Value::Object(obj) = value else {
            return Err("a message object must be a JSON object".into());
        };
        let Some(kind) = obj.get("type").and_then(Value::as_str) else {
            return Err("a message object needs a string \"type\"".into());
        };
        let string = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
        let typed = match (kind, obj.len()) {
            ("text", 2) => string("text").map(|text| Message::Text { text }),
            ("image", 3) => string("originalContentUrl")
                .zip(string("previewImageUrl"))
                .map(|(original_content_url, preview_image_url)| Message::Image {
                    original_content_url,
                    preview_image_url,
                }),
            ("sticker", 3) => {
                string("packageId")
                    .zip(string("stickerId"))
                    .map(|(package_id, sticker_id)| Message::Sticker {
                        package_id,
                        sticker_id,
                    })
            }
            _ => None,
        };
        Ok(typed.unwrap_or(Message::Raw(Value::Object(obj))))
    }

    /// Exactly the JSON the Messaging API takes for this message.
    pub fn to_line_json(&self) -> Value {
        self.line_json().into_owned()
    }

    /// The same JSON, borrowed where the message already holds it (a raw message object is
    /// not copied: a carousel of 12 bubbles is tens of kilobytes).
    pub fn line_json(&self) -> Cow<'_, Value> {
        match self {
            Message::Text { text } => Cow::Owned(json!({ "type": "text", "text": text })),
            Message::Image {
                original_content_url,
                preview_image_url,
            } => Cow::Owned(json!({
                "type": "image",
                "originalContentUrl": original_content_url,
                "previewImageUrl": preview_image_url,
            })),
            Message::Sticker {
                package_id,
                sticker_id,
            } => Cow::Owned(
                json!({ "type": "sticker", "packageId": package_id, "stickerId": sticker_id }),
            ),
            Message::Raw(value) => Cow::Borrowed(value),
        }
    }

    /// The LINE `type` of this message: `text`, `image`, `flex`, ...
    pub fn line_type(&self) -> &str {
        match self {
            Message::Text { .. } => "text",
            Message::Image { .. } => "image",
            Message::Sticker { .. } => "sticker",
            Message::Raw(value) => value.get("type").and_then(Value::as_str).unwrap_or("?"),
        }
    }

    /// The kind of form that edits this message.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Text { .. } => MessageKind::Text,
            Message::Image { .. } => MessageKind::Image,
            Message::Sticker { .. } => MessageKind::Sticker,
            Message::Raw(_) => MessageKind::Raw,
        }
    }

    /// Every limit this message breaks; empty when it is fine. [`Message::parse`] refuses
    /// a message with problems; the pre-send checks report them again before release.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        match self {
            Message::Text { text } => check_text(&mut out, "text", "Text", text),
            Message::Image {
                original_content_url,
                preview_image_url,
            } => {
                check_https_url(
                    &mut out,
                    "original_content_url",
                    "The image URL",
                    original_content_url,
                );
                check_https_url(
                    &mut out,
                    "preview_image_url",
                    "The preview image URL",
                    preview_image_url,
                );
            }
            Message::Sticker {
                package_id,
                sticker_id,
            } => {
                check_sticker_id(&mut out, "package_id", "package ID", package_id);
                check_sticker_id(&mut out, "sticker_id", "sticker ID", sticker_id);
            }
            Message::Raw(value) => out = raw_problems(value, "raw_json"),
        }
        out
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.line_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Message::from_stored_json(value).map_err(serde::de::Error::custom)
    }
}

fn check_text(out: &mut Vec<FieldError>, field: &str, label: &str, text: &str) {
    if text.is_empty() {
        out.push(FieldError::new(
            field,
            format!("{label} is empty; LINE does not send an empty message."),
        ));
    } else if text.trim().is_empty() {
        out.push(FieldError::new(
            field,
            format!("{label} is only spaces and line breaks; write the message."),
        ));
    }
    let len = utf16_len(text);
    if len > MAX_TEXT_UTF16 {
        out.push(FieldError::new(
            field,
            format!(
                "{label} is {} characters long; LINE allows at most {} (counted in UTF-16 units).",
                with_commas(len),
                with_commas(MAX_TEXT_UTF16)
            ),
        ));
    }
}

fn check_https_url(out: &mut Vec<FieldError>, field: &str, label: &str, url: &str) {
    if url.is_empty() {
        out.push(FieldError::new(field, format!("{label} is missing.")));
        return;
    }
    if url.chars().any(char::is_whitespace) {
        out.push(FieldError::new(
            field,
            format!("{label} contains a space or line break; a URL cannot."),
        ));
    }
    let lower = url.get(..8).map(str::to_ascii_lowercase);
    if lower.as_deref() != Some("https://") {
        let why = if url.get(..7).map(str::to_ascii_lowercase).as_deref() == Some("http://") {
            "it starts with http://, which LINE refuses"
        } else {
            "LINE only fetches media over HTTPS"
        };
        out.push(FieldError::new(
            field,
            format!("{label} must start with https://; {why}."),
        ));
    } else if url[8..].starts_with(['/', '?', '#']) || url.len() == 8 {
        out.push(FieldError::new(
            field,
            format!("{label} has no host name after https://."),
        ));
    }
    let len = url.chars().count();
    if len > MAX_URL_CHARS {
        out.push(FieldError::new(
            field,
            format!(
                "{label} is {} characters long; LINE allows at most {}.",
                with_commas(len),
                with_commas(MAX_URL_CHARS)
            ),
        ));
    }
}

fn check_sticker_id(out: &mut Vec<FieldError>, field: &str, label: &str, id: &str) {
    if id.is_empty() {
        out.push(FieldError::new(field, format!("Enter the {label}.")));
    } else if !id.chars().all(|c| c.is_ascii_digit()) {
        out.push(FieldError::new(
            field,
            format!("The {label} is a number such as 11537; {id:?} is not."),
        ));
    }
}

/// Everything wrong with a raw LINE message object, reported on `field`. Paths inside the
/// object are named in the messages (`quickReply.items`).
fn raw_problems(value: &Value, field: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    let Value::Object(obj) = value else {
        let what = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true or false",
            _ => "null",
        };
        out.push(FieldError::new(
            field,
            format!("A LINE message object is a JSON object ({{\"type\": ...}}); this is {what}."),
        ));
        return out;
    };
    let kinds = LINE_MESSAGE_TYPES.join(", ");
    let kind = match obj.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => {
            out.push(FieldError::new(
                field,
                format!("\"type\" must be a string, one of {kinds}."),
            ));
            return out;
        }
        None => {
            out.push(FieldError::new(
                field,
                format!("The object has no \"type\"; LINE needs one of {kinds}."),
            ));
            return out;
        }
    };
    if !LINE_MESSAGE_TYPES.contains(&kind) {
        out.push(FieldError::new(
            field,
            format!("{kind:?} is not a LINE message type; use one of {kinds}."),
        ));
        return out;
    }
    let mut p = RawChecker {
        obj,
        field,
        out: &mut out,
    };
    p.common();
    match kind {
        "text" => {
            if let Some(text) = p.required_str("text") {
                check_text(p.out, field, "\"text\"", text);
            }
            p.max_items("emojis", MAX_TEXT_EMOJIS);
        }
        "textV2" => {
            // The reference gives no own limit for textV2; it is a text message with
            // substitutions, and LINE documents the same 5,000 for it.
            if let Some(text) = p.required_str("text") {
                check_text(p.out, field, "\"text\"", text);
            }
        }
        "sticker" => {
            for key in obj.keys() {
                if !STICKER_FIELDS.contains(&key.as_str()) {
                    p.push(format!(
                        "A sticker message has no property {key:?}; it takes packageId, \
                         stickerId, quoteToken, quickReply and sender."
                    ));
                }
            }
            for key in ["packageId", "stickerId"] {
                match obj.get(key) {
                    Some(Value::String(id)) => check_sticker_id(p.out, field, key, id),
                    Some(Value::Number(n)) => p.push(format!(
                        "{key} must be a string of digits such as \"{n}\", not a number."
                    )),
                    Some(_) => p.push(format!("{key} must be a string of digits.")),
                    None => p.push(format!("A sticker message needs {key}.")),
                }
            }
        }
        "image" => {
            p.required_url("originalContentUrl");
            p.required_url("previewImageUrl");
        }
        "video" => {
            p.required_url("originalContentUrl");
            p.required_url("previewImageUrl");
            p.max_chars("trackingId", MAX_TRACKING_ID);
        }
        "audio" => {
            p.required_url("originalContentUrl");
            match obj.get("duration") {
                Some(Value::Number(n)) if n.as_u64().is_some() => {}
                Some(_) => p.push("\"duration\" must be a whole number of milliseconds.".into()),
                None => p.push("An audio message needs \"duration\" in milliseconds.".into()),
            }
        }
        "location" => {
            for key in ["title", "address"] {
                if p.required_str(key).is_some() {
                    p.max_chars(key, MAX_LOCATION_FIELD);
                }
            }
            for key in ["latitude", "longitude"] {
                if !obj.get(key).is_some_and(Value::is_number) {
                    p.push(format!("A location message needs \"{key}\" as a number."));
                }
            }
        }
        "imagemap" => {
            p.required_url("baseUrl");
            p.alt_text(MAX_ALT_TEXT);
            p.max_items("actions", MAX_IMAGEMAP_ACTIONS);
        }
        "template" => {
            p.alt_text(MAX_TEMPLATE_ALT_TEXT);
            p.template();
        }
        "flex" => {
            p.alt_text(MAX_ALT_TEXT);
            p.flex_contents();
        }
        "coupon" => {
            match obj.get("couponId") {
                Some(Value::String(id)) if !id.trim().is_empty() => {}
                _ => p.push("A coupon message needs \"couponId\".".into()),
            }
            p.max_chars("deliveryTag", MAX_COUPON_DELIVERY_TAG);
        }
        // Unknown types were refused above.
        _ => {}
    }
    // LINE's own schema and the limits beside it. A problem the typed checks above already
    // named (the same path or property) is not said twice.
    let typed: Vec<String> = out.iter().map(|e| e.message.clone()).collect();
    let mentioned = |problem: &str| {
        let path = problem.split([' ', ';']).next().unwrap_or("");
        let last = path.rsplit('.').next().unwrap_or(path);
        typed.iter().any(|t| {
            t.starts_with(path)
                || t.contains(&format!("\"{last}\""))
                || t.starts_with(&format!("{last} "))
        })
    };
    for problem in line_schema::schema_problems(value)
        .into_iter()
        .chain(line_schema::limit_problems(value))
    {
        if !mentioned(&problem) {
            out.push(FieldError::new(field, problem));
        }
    }
    out
}

struct RawChecker<'a> {
    obj: &'a Map<String, Value>,
    field: &'a str,
    out: &'a mut Vec<FieldError>,
}

impl<'a> RawChecker<'a> {
    fn push(&mut self, message: String) {
        self.out.push(FieldError::new(self.field, message));
    }

    /// The properties every message object may have: `quickReply` and `sender`.
    fn common(&mut self) {
        if let Some(qr) = self.obj.get("quickReply") {
            match qr.get("items").and_then(Value::as_array) {
                None => self.push("quickReply needs \"items\", a list.".into()),
                Some(items) => {
                    if items.len() > MAX_QUICK_REPLY_ITEMS {
                        self.push(format!(
                            "quickReply.items has {} items; \
                             LINE allows at most {MAX_QUICK_REPLY_ITEMS}.",
                            items.len()
                        ));
                    }
                    for (i, item) in items.iter().enumerate() {
                        if let Some(url) = item.get("imageUrl") {
                            self.url_value(&format!("quickReply.items[{i}].imageUrl"), url);
                        }
                    }
                }
            }
        }
        if let Some(sender) = self.obj.get("sender") {
            if !sender.is_object() {
                self.push("sender must be an object with name and iconUrl.".into());
            } else {
                if let Some(name) = sender.get("name") {
                    match name.as_str() {
                        Some(n) if n.chars().count() > MAX_SENDER_NAME => self.push(format!(
                            "sender.name is {} characters long; \
                             LINE allows at most {MAX_SENDER_NAME}.",
                            n.chars().count()
                        )),
                        Some(_) => {}
                        None => self.push("sender.name must be a string.".into()),
                    }
                }
                if let Some(url) = sender.get("iconUrl") {
                    self.url_value("sender.iconUrl", url);
                }
            }
        }
    }

    fn template(&mut self) {
        let Some(Value::Object(t)) = self.obj.get("template") else {
            self.push("A template message needs a \"template\" object.".into());
            return;
        };
        match t.get("type").and_then(Value::as_str) {
            Some("carousel" | "image_carousel") => {
                match t.get("columns").and_then(Value::as_array).map(Vec::len) {
                    None => self.push("A carousel template needs \"columns\".".into()),
                    Some(n) if n > MAX_TEMPLATE_COLUMNS => self.push(format!(
                        "template.columns has {n} columns; \
                         LINE allows at most {MAX_TEMPLATE_COLUMNS}."
                    )),
                    Some(_) => {}
                }
            }
            Some(tt) if TEMPLATE_TYPES.contains(&tt) => {}
            _ => self.push(format!(
                "template.type must be one of {}.",
                TEMPLATE_TYPES.join(", ")
            )),
        }
    }

    fn flex_contents(&mut self) {
        let Some(Value::Object(c)) = self.obj.get("contents") else {
            self.push(
                "A flex message needs a \"contents\" object (a bubble or a carousel).".into(),
            );
            return;
        };
        match c.get("type").and_then(Value::as_str) {
            Some("bubble") => {}
            Some("carousel") => match c.get("contents").and_then(Value::as_array).map(Vec::len) {
                None => self.push("A flex carousel needs \"contents\", a list of bubbles.".into()),
                Some(n) if n > MAX_FLEX_CAROUSEL_BUBBLES => self.push(format!(
                    "contents has {n} bubbles; \
                     a flex carousel allows at most {MAX_FLEX_CAROUSEL_BUBBLES}."
                )),
                Some(_) => {}
            },
            _ => self.push("contents.type must be \"bubble\" or \"carousel\".".into()),
        }
    }

    fn required_str(&mut self, key: &str) -> Option<&'a str> {
        match self.obj.get(key) {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.push(format!("\"{key}\" must be a string."));
                None
            }
            None => {
                self.push(format!("This message needs \"{key}\"."));
                None
            }
        }
    }

    fn required_url(&mut self, key: &str) {
        match self.obj.get(key) {
            Some(url) => self.url_value(key, url),
            None => self.push(format!("This message needs \"{key}\", an https:// URL.")),
        }
    }

    fn url_value(&mut self, path: &str, url: &Value) {
        match url.as_str() {
            Some(url) => check_https_url(self.out, self.field, path, url),
            None => self.push(format!("{path} must be an https:// URL string.")),
        }
    }

    fn max_chars(&mut self, key: &str, max: usize) {
        match self.obj.get(key) {
            None => {}
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if n > max {
                    self.push(format!(
                        "{key} is {} characters long; LINE allows at most {}.",
                        with_commas(n),
                        with_commas(max)
                    ));
                }
            }
            Some(_) => self.push(format!("{key} must be a string.")),
        }
    }

    fn max_items(&mut self, key: &str, max: usize) {
        match self.obj.get(key) {
            Some(Value::Array(items)) if items.len() > max => self.push(format!(
                "{key} has {} items; LINE allows at most {max}.",
                items.len()
            )),
            None | Some(Value::Array(_)) => {}
            Some(_) => self.push(format!("{key} must be a list.")),
        }
    }

    fn alt_text(&mut self, max: usize) {
        match self.obj.get("altText") {
            Some(Value::String(s)) if s.trim().is_empty() => self.push(
                "altText is empty; it is what phones show in notifications and the chat list."
                    .into(),
            ),
            Some(Value::String(s)) => {
                let n = approx_grapheme_len(s);
                if n > max {
                    self.push(format!(
                        "altText is {} characters long; LINE allows at most {}.",
                        with_commas(n),
                        with_commas(max)
                    ));
                }
            }
            Some(_) => self.push("altText must be a string.".into()),
            None => self.push(
                "This message needs \"altText\", the text phones show in notifications.".into(),
            ),
        }
    }
}

/// The 1 to 5 message objects of one send.
#[derive(Debug, Clone, PartialEq)]
pub struct Messages(Vec<Message>);

impl Messages {
    /// Checks the count only; the messages themselves were parsed already.
    pub fn new(messages: Vec<Message>) -> Result<Messages, FieldError> {
        if messages.is_empty() || messages.len() > MAX_MESSAGES {
            return Err(count_error(messages.len()));
        }
        Ok(Messages(messages))
    }

    /// Parses every submitted message. Errors name the field as `messages[i].field` and
    /// start with "Message i+1:" so they read well both beside the field and in a list.
    pub fn parse(inputs: &[MessageInput]) -> Result<Messages, Vec<FieldError>> {
        let mut errors = Vec::new();
        if inputs.is_empty() || inputs.len() > MAX_MESSAGES {
            errors.push(count_error(inputs.len()));
        }
        let mut messages = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            match Message::parse(input) {
                Ok(m) => messages.push(m),
                Err(errs) => errors.extend(errs.into_iter().map(|e| {
                    FieldError::new(
                        format!("messages[{i}].{}", e.field),
                        format!("Message {}: {}", i + 1, e.message),
                    )
                })),
            }
        }
        if errors.is_empty() {
            Ok(Messages(messages))
        } else {
            Err(errors)
        }
    }

    pub fn as_slice(&self) -> &[Message] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Message> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: there is at least one message. Here because `len` is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Message> {
        self.0
    }

    /// The `messages` array of a Messaging API request.
    pub fn to_line_json(&self) -> Value {
        Value::Array(self.0.iter().map(Message::to_line_json).collect())
    }
}

impl<'a> IntoIterator for &'a Messages {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Messages {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Messages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let messages = Vec::<Message>::deserialize(deserializer)?;
        Messages::new(messages).map_err(|e| serde::de::Error::custom(e.message))
    }
}

fn count_error(n: usize) -> FieldError {
    FieldError::new(
        "messages",
        format!("A message needs 1 to {MAX_MESSAGES} message objects; this one has {n}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_error(result: Result<Message, Vec<FieldError>>) -> FieldError {
        let errors = result.expect_err("should be refused");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    fn raw(json: Value) -> Result<Message, Vec<FieldError>> {
        Message::parse(&MessageInput::raw(json.to_string()))
    }

    fn raw_error_containing(json: Value, needle: &str) {
        let errors = raw(json).expect_err("should be refused");
        assert!(
            errors.iter().any(|e| e.message.contains(needle)),
            "no error mentions {needle:?}: {errors:?}"
        );
    }

    fn https(n: usize) -> String {
        let base = "https://example.com/";
        format!("{base}{}", "a".repeat(n - base.len()))
    }

    #[test]
    fn utf16_length_counts_astral_emoji_as_two_and_japanese_as_one() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("こんにちは"), 5);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("a\r\nb"), 4);
        assert_eq!(utf16_len(""), 0);
    }

    #[test]
    fn numbers_in_messages_have_thousands_separators() {
        assert_eq!(with_commas(0), "0");
        assert_eq!(with_commas(999), "999");
        assert_eq!(with_commas(5_012), "5,012");
        assert_eq!(with_commas(1_234_567), "1,234,567");
    }

    #[test]
    fn a_text_message_becomes_exactly_the_messaging_api_shape() {
        let m = Message::parse(&MessageInput::text("こんにちは")).unwrap();
        assert_eq!(
            m.to_line_json(),
            json!({"type": "text", "text": "こんにちは"})
        );
        assert_eq!(m.line_type(), "text");
    }

    #[test]
    fn text_of_exactly_5000_utf16_units_is_accepted() {
        assert!(Message::parse(&MessageInput::text("a".repeat(5_000))).is_ok());
        assert!(Message::parse(&MessageInput::text("😀".repeat(2_500))).is_ok());
    }

    #[test]
    fn text_over_5000_utf16_units_is_refused_with_the_count() {
        let e = only_error(Message::parse(&MessageInput::text("a".repeat(5_012))));
        assert_eq!(e.field, "text");
        assert_eq!(
            e.message,
            "Text is 5,012 characters long; LINE allows at most 5,000 (counted in UTF-16 units)."
        );
    }

    #[test]
    fn emoji_count_twice_toward_the_text_limit() {
        let e = only_error(Message::parse(&MessageInput::text("😀".repeat(2_501))));
        assert!(e.message.contains("5,002"), "{}", e.message);
    }

    #[test]
    fn empty_or_blank_text_is_refused() {
        let e = only_error(Message::parse(&MessageInput::text("")));
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = only_error(Message::parse(&MessageInput::text(" \n\u{3000}")));
        assert!(e.message.contains("only spaces"), "{}", e.message);
    }

    #[test]
    fn browser_line_breaks_are_stored_as_one_line_feed() {
        let m = Message::parse(&MessageInput::text("a\r\nb")).unwrap();
        assert_eq!(
            m,
            Message::Text {
                text: "a\nb".into()
            }
        );
    }

    #[test]
    fn text_keeps_its_leading_and_trailing_spaces() {
        let m = Message::parse(&MessageInput::text("  hi  ")).unwrap();
        assert_eq!(
            m,
            Message::Text {
                text: "  hi  ".into()
            }
        );
    }

    #[test]
    fn an_image_message_uses_line_field_names() {
        let m = Message::parse(&MessageInput::image(
            " https://cdn.example.com/a.jpg ",
            "https://cdn.example.com/a-small.jpg",
        ))
        .unwrap();
        assert_eq!(
            m.to_line_json(),
            json!({
                "type": "image",
                "originalContentUrl": "https://cdn.example.com/a.jpg",
                "previewImageUrl": "https://cdn.example.com/a-small.jpg"
            })
        );
    }

    #[test]
    fn image_urls_must_be_https() {
        let errors = Message::parse(&MessageInput::image(
            "http://cdn.example.com/a.jpg",
            "ftp://cdn.example.com/a.jpg",
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].field, "original_content_url");
        assert!(
            errors[0].message.contains("http://"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[1].field, "preview_image_url");
        assert!(
            errors[1].message.contains("https://"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn an_https_scheme_in_capitals_is_still_https() {
        assert!(
            Message::parse(&MessageInput::image(
                "HTTPS://x.example/a.png",
                "https://x.example/b.png"
            ))
            .is_ok()
        );
    }

    #[test]
    fn image_urls_of_2000_characters_are_accepted_and_longer_are_refused() {
        assert!(Message::parse(&MessageInput::image(https(2_000), https(2_000))).is_ok());
        let e = only_error(Message::parse(&MessageInput::image(
            https(2_000),
            https(2_001),
        )));
        assert_eq!(e.field, "preview_image_url");
        assert_eq!(
            e.message,
            "The preview image URL is 2,001 characters long; LINE allows at most 2,000."
        );
    }

    #[test]
    fn a_missing_image_url_or_host_is_refused() {
        let errors = Message::parse(&MessageInput::image("", "https:///a.png")).unwrap_err();
        assert!(errors[0].message.contains("missing"), "{errors:?}");
        assert!(errors[1].message.contains("no host"), "{errors:?}");
    }

    #[test]
    fn a_url_with_a_space_inside_is_refused() {
        let e = only_error(Message::parse(&MessageInput::image(
            "https://x.example/a b.png",
            "https://x.example/b.png",
        )));
        assert!(e.message.contains("space"), "{}", e.message);
    }

    #[test]
    fn a_sticker_message_uses_string_ids() {
        let m = Message::parse(&MessageInput::sticker("446", " 1988 ")).unwrap();
        assert_eq!(
            m.to_line_json(),
            json!({"type": "sticker", "packageId": "446", "stickerId": "1988"})
        );
    }

    #[test]
    fn sticker_ids_must_be_numeric() {
        let errors = Message::parse(&MessageInput::sticker("abc", "")).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "package_id");
        assert!(
            errors[0].message.contains("\"abc\""),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[1].field, "sticker_id");
        assert!(errors[1].message.contains("Enter"), "{}", errors[1].message);
        assert!(Message::parse(&MessageInput::sticker("-1", "2")).is_err());
    }

    #[test]
    fn an_unknown_form_kind_is_refused_on_the_kind_field() {
        let input = MessageInput {
            kind: "video".into(),
            ..MessageInput::default()
        };
        assert_eq!(only_error(Message::parse(&input)).field, "kind");
    }

    #[test]
    fn a_flex_message_is_kept_as_raw_json() {
        let flex = json!({
            "type": "flex",
            "altText": "新商品のお知らせ",
            "contents": {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": []}}
        });
        let m = raw(flex.clone()).unwrap();
        assert_eq!(m, Message::Raw(flex.clone()));
        assert_eq!(m.to_line_json(), flex);
        assert_eq!(m.line_type(), "flex");
    }

    #[test]
    fn raw_json_that_is_exactly_a_typed_message_becomes_the_typed_form() {
        let m = raw(json!({"text": "hi", "type": "text"})).unwrap();
        assert_eq!(m, Message::Text { text: "hi".into() });
        let m = raw(json!({"type": "sticker", "packageId": "446", "stickerId": "1988"})).unwrap();
        assert!(matches!(m, Message::Sticker { .. }));
        let m = raw(json!({"type": "image", "originalContentUrl": "https://a.example/1.png", "previewImageUrl": "https://a.example/2.png"})).unwrap();
        assert!(matches!(m, Message::Image { .. }));
    }

    #[test]
    fn raw_text_with_extra_properties_stays_raw_and_is_checked_like_typed_text() {
        let quick = json!({"items": [{"type": "action", "action": {"type": "message", "label": "Yes", "text": "Yes"}}]});
        let m = raw(json!({"type": "text", "text": "hi", "quickReply": quick})).unwrap();
        assert!(matches!(m, Message::Raw(_)));
        raw_error_containing(
            json!({"type": "text", "text": "a".repeat(5_001), "quickReply": quick}),
            "5,001 characters",
        );
        raw_error_containing(
            json!({"type": "text", "text": "", "quoteToken": "q"}),
            "empty",
        );
    }

    #[test]
    fn raw_image_with_extra_properties_is_checked_like_a_typed_image() {
        raw_error_containing(
            json!({"type": "image", "originalContentUrl": "http://a.example/1.png", "previewImageUrl": "https://a.example/2.png", "quoteToken": "q"}),
            "originalContentUrl must start with https://",
        );
    }

    #[test]
    fn raw_json_that_does_not_parse_is_refused_with_the_parser_position() {
        let e = only_error(Message::parse(&MessageInput::raw("{\"type\": ")));
        assert_eq!(e.field, "raw_json");
        assert!(
            e.message.starts_with("This is not valid JSON"),
            "{}",
            e.message
        );
        assert!(e.message.contains("line 1"), "{}", e.message);
    }

    #[test]
    fn raw_json_must_be_an_object_with_a_known_type() {
        let e = only_error(Message::parse(&MessageInput::raw("[1,2]")));
        assert!(e.message.contains("this is an array"), "{}", e.message);
        raw_error_containing(json!({"text": "hi"}), "no \"type\"");
        raw_error_containing(json!({"type": 3}), "must be a string");
        raw_error_containing(
            json!({"type": "carousel"}),
            "\"carousel\" is not a LINE message type",
        );
        let e = only_error(Message::parse(&MessageInput::raw("  ")));
        assert!(e.message.contains("Paste"), "{}", e.message);
    }

    #[test]
    fn a_raw_sticker_with_unknown_properties_is_refused() {
        raw_error_containing(
            json!({"type": "sticker", "packageId": "446", "stickerId": "1988", "size": "big"}),
            "no property \"size\"",
        );
        assert!(raw(json!({"type": "sticker", "packageId": "446", "stickerId": "1988", "quoteToken": "q"})).is_ok());
    }

    #[test]
    fn raw_sticker_ids_must_be_strings_of_digits() {
        raw_error_containing(
            json!({"type": "sticker", "packageId": 446, "stickerId": "1988"}),
            "packageId must be a string of digits such as \"446\", not a number",
        );
        raw_error_containing(
            json!({"type": "sticker", "packageId": "446"}),
            "needs stickerId",
        );
    }

    #[test]
    fn quick_reply_allows_13_items_and_refuses_14() {
        let item =
            json!({"type": "action", "action": {"type": "message", "label": "A", "text": "A"}});
        let ok = json!({"type": "text", "text": "pick", "quickReply": {"items": vec![item.clone(); 13]}});
        assert!(raw(ok).is_ok());
        raw_error_containing(
            json!({"type": "text", "text": "pick", "quickReply": {"items": vec![item; 14]}}),
            "quickReply.items has 14 items; LINE allows at most 13.",
        );
        raw_error_containing(
            json!({"type": "text", "text": "pick", "quickReply": {}}),
            "needs \"items\"",
        );
    }

    #[test]
    fn quick_reply_and_sender_icons_must_be_https() {
        raw_error_containing(
            json!({"type": "text", "text": "pick", "quickReply": {"items": [{"type": "action", "imageUrl": "http://a.example/i.png", "action": {}}]}}),
            "quickReply.items[0].imageUrl must start with https://",
        );
        raw_error_containing(
            json!({"type": "text", "text": "hi", "sender": {"iconUrl": "http://a.example/i.png"}}),
            "sender.iconUrl must start with https://",
        );
        raw_error_containing(
            json!({"type": "text", "text": "hi", "sender": {"name": "あ".repeat(21)}}),
            "sender.name is 21 characters long",
        );
    }

    #[test]
    fn text_messages_allow_at_most_20_emojis() {
        let emoji = json!({"index": 0, "productId": "p", "emojiId": "001"});
        raw_error_containing(
            json!({"type": "text", "text": "$", "emojis": vec![emoji; 21]}),
            "emojis has 21 items; LINE allows at most 20.",
        );
    }

    #[test]
    fn flex_messages_need_alt_text_of_at_most_1500_characters_and_contents() {
        let bubble = json!({"type": "bubble"});
        raw_error_containing(
            json!({"type": "flex", "contents": bubble}),
            "needs \"altText\"",
        );
        raw_error_containing(
            json!({"type": "flex", "altText": " ", "contents": bubble}),
            "altText is empty",
        );
        raw_error_containing(
            json!({"type": "flex", "altText": "a".repeat(1_501), "contents": bubble}),
            "altText is 1,501 characters long; LINE allows at most 1,500.",
        );
        assert!(
            raw(json!({"type": "flex", "altText": "a".repeat(1_500), "contents": bubble})).is_ok()
        );
        raw_error_containing(
            json!({"type": "flex", "altText": "a"}),
            "needs a \"contents\" object",
        );
        raw_error_containing(
            json!({"type": "flex", "altText": "a", "contents": {"type": "box"}}),
            "\"bubble\" or \"carousel\"",
        );
    }

    #[test]
    fn a_flex_carousel_allows_12_bubbles() {
        let bubble = json!({"type": "bubble"});
        let carousel = |n: usize| json!({"type": "flex", "altText": "a", "contents": {"type": "carousel", "contents": vec![bubble.clone(); n]}});
        assert!(raw(carousel(12)).is_ok());
        raw_error_containing(carousel(13), "13 bubbles");
    }

    #[test]
    fn template_alt_text_allows_400_and_carousels_10_columns() {
        let buttons = json!({"type": "buttons", "text": "t", "actions": []});
        assert!(
            raw(json!({"type": "template", "altText": "a".repeat(400), "template": buttons}))
                .is_ok()
        );
        raw_error_containing(
            json!({"type": "template", "altText": "a".repeat(401), "template": buttons}),
            "at most 400",
        );
        raw_error_containing(
            json!({"type": "template", "altText": "a", "template": {"type": "carousel", "columns": vec![json!({}); 11]}}),
            "11 columns",
        );
        raw_error_containing(
            json!({"type": "template", "altText": "a", "template": {"type": "list"}}),
            "template.type",
        );
        raw_error_containing(
            json!({"type": "template", "altText": "a"}),
            "needs a \"template\" object",
        );
    }

    #[test]
    fn alt_text_counts_a_family_emoji_or_a_flag_as_one_character() {
        // 400 family emoji (each 5 code points joined by ZWJ) and 400 flags fit a template.
        let family = "👨\u{200D}👩\u{200D}👧".repeat(400);
        assert_eq!(approx_grapheme_len(&family), 400);
        assert_eq!(approx_grapheme_len(&"🇯🇵".repeat(3)), 3);
        assert_eq!(approx_grapheme_len("が"), 1);
        assert_eq!(approx_grapheme_len("か\u{3099}"), 1);
        assert_eq!(approx_grapheme_len("👍🏽"), 1);
        assert!(raw(json!({"type": "template", "altText": family, "template": {"type": "confirm", "text": "t", "actions": []}})).is_ok());
    }

    #[test]
    fn imagemap_video_audio_location_and_coupon_limits_are_checked() {
        raw_error_containing(
            json!({"type": "imagemap", "baseUrl": "http://a.example/im", "altText": "a", "actions": []}),
            "baseUrl must start with https://",
        );
        raw_error_containing(
            json!({"type": "imagemap", "baseUrl": "https://a.example/im", "altText": "a", "actions": vec![json!({}); 51]}),
            "actions has 51 items",
        );
        raw_error_containing(
            json!({"type": "video", "originalContentUrl": "https://a.example/v.mp4"}),
            "needs \"previewImageUrl\"",
        );
        raw_error_containing(
            json!({"type": "video", "originalContentUrl": "https://a.example/v.mp4", "previewImageUrl": "https://a.example/p.png", "trackingId": "t".repeat(101)}),
            "trackingId is 101",
        );
        raw_error_containing(
            json!({"type": "audio", "originalContentUrl": "https://a.example/a.m4a"}),
            "needs \"duration\"",
        );
        raw_error_containing(
            json!({"type": "audio", "originalContentUrl": "https://a.example/a.m4a", "duration": -5}),
            "whole number",
        );
        assert!(raw(json!({"type": "audio", "originalContentUrl": "https://a.example/a.m4a", "duration": 60000})).is_ok());
        raw_error_containing(
            json!({"type": "location", "title": "t".repeat(101), "address": "a", "latitude": 35.6, "longitude": 139.7}),
            "title is 101",
        );
        raw_error_containing(
            json!({"type": "location", "title": "t", "address": "a", "latitude": "35.6", "longitude": 139.7}),
            "\"latitude\" as a number",
        );
        assert!(raw(json!({"type": "location", "title": "渋谷店", "address": "東京都渋谷区", "latitude": 35.6, "longitude": 139.7})).is_ok());
        raw_error_containing(json!({"type": "coupon"}), "needs \"couponId\"");
        raw_error_containing(
            json!({"type": "coupon", "couponId": "c", "deliveryTag": "d".repeat(31)}),
            "deliveryTag is 31",
        );
        // Each placeholder of a textV2 text needs its substitution (issue #17).
        raw_error_containing(
            json!({"type": "textV2", "text": "Hello {user1}!", "substitution": {}}),
            "“user1”, but substitution has no entry",
        );
        assert!(
            raw(json!({"type": "textV2", "text": "Hello {user1}!", "substitution": {"user1": {"type": "mention", "mentionee": {"type": "all"}}}})).is_ok()
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = raw(json!({"type": "video", "originalContentUrl": "http://a", "previewImageUrl": "http://b", "quickReply": {"items": vec![json!({}); 14]}})).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn stored_json_is_read_back_without_the_limits() {
        let long = Message::Text {
            text: "a".repeat(6_000),
        };
        let back: Message = serde_json::from_value(serde_json::to_value(&long).unwrap()).unwrap();
        assert_eq!(back, long);
        assert!(!back.problems().is_empty());
        assert!(serde_json::from_value::<Message>(json!([1])).is_err());
        assert!(serde_json::from_value::<Message>(json!({"text": "no type"})).is_err());
    }

    #[test]
    fn every_kind_of_message_round_trips_through_line_json() {
        let messages = [
            Message::Text { text: "hi".into() },
            Message::Image {
                original_content_url: "https://a.example/1.png".into(),
                preview_image_url: "https://a.example/2.png".into(),
            },
            Message::Sticker {
                package_id: "446".into(),
                sticker_id: "1988".into(),
            },
            Message::Raw(json!({"type": "flex", "altText": "a", "contents": {"type": "bubble"}})),
            Message::Raw(json!({"type": "text", "text": "hi", "quoteToken": "q"})),
        ];
        for m in messages {
            assert_eq!(Message::from_stored_json(m.to_line_json()).unwrap(), m);
            assert_eq!(Message::parse(&MessageInput::from_message(&m)).unwrap(), m);
        }
    }

    #[test]
    fn messages_need_one_to_five_objects() {
        let one = MessageInput::text("hi");
        assert_eq!(
            Messages::parse(std::slice::from_ref(&one)).unwrap().len(),
            1
        );
        assert_eq!(Messages::parse(&vec![one.clone(); 5]).unwrap().len(), 5);
        for n in [0, 6] {
            let errors = Messages::parse(&vec![one.clone(); n]).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "messages");
            assert_eq!(
                errors[0].message,
                format!("A message needs 1 to 5 message objects; this one has {n}.")
            );
        }
        assert!(Messages::new(vec![]).is_err());
    }

    #[test]
    fn message_errors_in_a_list_name_their_position() {
        let errors =
            Messages::parse(&[MessageInput::text("ok"), MessageInput::text("")]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "messages[1].text");
        assert!(
            errors[0].message.starts_with("Message 2: Text is empty"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn messages_serialize_as_the_messaging_api_array_and_refuse_a_bad_count_on_read() {
        let m =
            Messages::parse(&[MessageInput::text("a"), MessageInput::sticker("1", "2")]).unwrap();
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v, m.to_line_json());
        assert_eq!(serde_json::from_value::<Messages>(v).unwrap(), m);
        assert!(serde_json::from_value::<Messages>(json!([])).is_err());
    }
}
