//! The immutable content of one revision and its hash.
//!
//! Guards DESIGN section 2: a revision is kind, title, 1 to 5 LINE message objects,
//! `notificationDisabled`, the audience (segment id and its rules as they were) and the
//! schedule, and its `content_hash` is SHA-256 of a canonical JSON of all that. Approvals,
//! test sends and previews are tied to that hash, so any change of content, however small,
//! must change it, and nothing else (such as the key order of pasted JSON) may.
//!
//! The canonical JSON is also the storage form: store [`RevisionContent::canonical_json`]
//! in one TEXT column and read it back with [`RevisionContent::from_json`].

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::FieldError;
use super::message::{MessageInput, Messages};

/// Bumped if the canonical JSON ever changes shape, so old hashes stay explainable.
pub const CANONICAL_FORMAT: u64 = 1;
/// A title has at most this many characters.
pub const MAX_TITLE_CHARS: usize = 100;

/// Who a draft goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftKind {
    /// All friends (一斉配信); LINE picks the recipients.
    Broadcast,
    /// The friends of a saved segment (セグメント配信).
    Segment,
    /// One step of a step scenario (ステップ配信).
    Step,
    /// The greeting message (あいさつメッセージ): the reply each new friend gets the moment
    /// they add the account. Activated, never released.
    Greeting,
}

impl DraftKind {
    pub const ALL: [DraftKind; 4] = [
        DraftKind::Broadcast,
        DraftKind::Segment,
        DraftKind::Step,
        DraftKind::Greeting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::Broadcast => "broadcast",
            DraftKind::Segment => "segment",
            DraftKind::Step => "step",
            DraftKind::Greeting => "greeting",
        }
    }

    pub fn parse(s: &str) -> Option<DraftKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "broadcast" => Some(DraftKind::Broadcast),
            "segment" => Some(DraftKind::Segment),
            "step" => Some(DraftKind::Step),
            "greeting" => Some(DraftKind::Greeting),
            _ => None,
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DraftKind::Broadcast => "Broadcast",
            DraftKind::Segment => "Segment message",
            DraftKind::Step => "Step message",
            DraftKind::Greeting => "Greeting message",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            DraftKind::Broadcast => "一斉配信",
            DraftKind::Segment => "セグメント配信",
            DraftKind::Step => "ステップ配信",
            DraftKind::Greeting => "あいさつメッセージ",
        }
    }
}

impl fmt::Display for DraftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DraftKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DraftKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        DraftKind::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown draft kind {s:?}")))
    }
}

/// The title of a draft, as people see it in lists. Never sent to LINE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);

impl Title {
    /// Trimmed (including full-width spaces), 1 to 100 characters, one line.
    pub fn parse(raw: &str) -> Result<Title, FieldError> {
        let err = |m: String| Err(FieldError::new("title", m));
        let title = raw.trim();
        if title.is_empty() {
            return if raw.is_empty() {
                err("Give the draft a title.".into())
            } else {
                err("The title is only spaces; give the draft a title.".into())
            };
        }
        let len = title.chars().count();
        if len > MAX_TITLE_CHARS {
            return err(format!(
                "The title is {len} characters long; at most {MAX_TITLE_CHARS} are allowed."
            ));
        }
        if title.chars().any(char::is_control) {
            return err("A title is one line; remove line breaks and tabs.".into());
        }
        Ok(Title(title.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Title {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Title {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Title::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// The segment a revision goes to, as it was when the revision was saved: editing the
/// saved segment later does not change what was approved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRef {
    pub id: i64,
    pub name: String,
    pub rules: Value,
}

/// A segment send needs a segment; a broadcast goes to all friends and must not name one.
/// A step may carry the segment its scenario starts from, or none. A greeting goes to each
/// new friend, so it names none.
fn audience_error(kind: DraftKind, has_segment: bool) -> Option<FieldError> {
    match (kind, has_segment) {
        (DraftKind::Greeting, true) => Some(FieldError::new(
            "segment",
            "A greeting message goes to each new friend the moment they add the account, so it cannot have a segment.",
        )),
        (DraftKind::Segment, false) => Some(FieldError::new(
            "segment",
            "A segment message needs a segment; choose who it goes to.",
        )),
        (DraftKind::Broadcast, true) => Some(FieldError::new(
            "segment",
            "A broadcast goes to all friends, so it cannot have a segment; \
             make it a segment message to send to a segment.",
        )),
        _ => None,
    }
}

/// A greeting answers the friend's own action, the moment it happens: it has no send time.
fn schedule_error(kind: DraftKind, has_send_time: bool) -> Option<FieldError> {
    (kind == DraftKind::Greeting && has_send_time).then(|| {
        FieldError::new(
            "send_at",
            "A greeting message is sent the moment a friend adds the account, so it has no send time; leave it empty.",
        )
    })
}

/// Lowercase hex SHA-256 of a revision's canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    pub fn of(canonical_json: &str) -> ContentHash {
        ContentHash(hex::encode(Sha256::digest(canonical_json.as_bytes())))
    }

    /// Accepts exactly 64 lowercase hex digits, as stored.
    pub fn parse(s: &str) -> Option<ContentHash> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| ContentHash(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 digits, enough to tell revisions apart on a page.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ContentHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        ContentHash::parse(&s)
            .ok_or_else(|| serde::de::Error::custom("a content hash is 64 lowercase hex digits"))
    }
}

/// Everything one revision sends, and to whom and when. Immutable once made.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionContent {
    kind: DraftKind,
    title: Title,
    messages: Messages,
    notification_disabled: bool,
    segment: Option<SegmentRef>,
    send_at: Option<DateTime<Utc>>,
}

impl RevisionContent {
    /// A segment send needs a segment; a broadcast goes to all friends and must not name
    /// one. A step may carry the segment its scenario starts from, or none.
    pub fn new(
        kind: DraftKind,
        title: Title,
        messages: Messages,
        notification_disabled: bool,
        segment: Option<SegmentRef>,
        send_at: Option<DateTime<Utc>>,
    ) -> Result<RevisionContent, FieldError> {
        if let Some(e) = audience_error(kind, segment.is_some()) {
            return Err(e);
        }
        if let Some(e) = schedule_error(kind, send_at.is_some()) {
            return Err(e);
        }
        Ok(RevisionContent {
            kind,
            title,
            messages,
            notification_disabled,
            segment,
            send_at,
        })
    }

    /// Parses a submitted draft form, reporting every problem at once. The service looks
    /// the chosen segment up first and passes it in.
    pub fn from_form(
        kind: &str,
        title: &str,
        messages: &[MessageInput],
        notification_disabled: bool,
        segment: Option<SegmentRef>,
        send_at: Option<DateTime<Utc>>,
    ) -> Result<RevisionContent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = DraftKind::parse(kind);
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                "Choose who this goes to: broadcast, segment or step.",
            ));
        }
        let title = Title::parse(title).map_err(|e| errors.push(e)).ok();
        let messages = Messages::parse(messages).map_err(|e| errors.extend(e)).ok();
        match (kind, title, messages) {
            (Some(kind), Some(title), Some(messages)) if errors.is_empty() => RevisionContent::new(
                kind,
                title,
                messages,
                notification_disabled,
                segment,
                send_at,
            )
            .map_err(|e| vec![e]),
            (kind, ..) => {
                // Report the audience and schedule problems alongside the others.
                errors.extend(kind.and_then(|k| audience_error(k, segment.is_some())));
                errors.extend(kind.and_then(|k| schedule_error(k, send_at.is_some())));
                Err(errors)
            }
        }
    }

    pub fn kind(&self) -> DraftKind {
        self.kind
    }

    pub fn title(&self) -> &Title {
        &self.title
    }

    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    pub fn notification_disabled(&self) -> bool {
        self.notification_disabled
    }

    pub fn segment(&self) -> Option<&SegmentRef> {
        self.segment.as_ref()
    }

    /// When to send; `None` means when released.
    pub fn send_at(&self) -> Option<DateTime<Utc>> {
        self.send_at
    }

    /// All of the content as a JSON value (objects unordered until written canonically).
    pub fn to_json_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("format".into(), json!(CANONICAL_FORMAT));
        obj.insert("kind".into(), json!(self.kind.as_str()));
        obj.insert("title".into(), json!(self.title.as_str()));
        obj.insert("messages".into(), self.messages.to_line_json());
        obj.insert(
            "notification_disabled".into(),
            json!(self.notification_disabled),
        );
        obj.insert(
            "segment".into(),
            match &self.segment {
                Some(s) => json!({ "id": s.id, "name": s.name, "rules": s.rules }),
                None => Value::Null,
            },
        );
        obj.insert(
            "send_at".into(),
            match self.send_at {
                Some(t) => json!(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
                None => Value::Null,
            },
        );
        Value::Object(obj)
    }

    /// Deterministic JSON of everything above: object keys sorted (by code point) at every
    /// depth, no whitespace, absent values written as `null`.
    pub fn canonical_json(&self) -> String {
        let mut out = String::new();
        write_canonical(&self.to_json_value(), &mut out);
        out
    }

    /// Lowercase hex SHA-256 of [`RevisionContent::canonical_json`].
    pub fn content_hash(&self) -> ContentHash {
        ContentHash::of(&self.canonical_json())
    }

    /// Reads back what [`RevisionContent::canonical_json`] wrote.
    pub fn from_json(json: &str) -> Result<RevisionContent, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Writes `value` as canonical JSON. Strings use serde_json's escaping (which is
/// deterministic: `"`, `\` and control characters escaped, everything else as UTF-8).
pub fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(obj) => {
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&obj[key], out);
            }
            out.push('}');
        }
    }
}

impl Serialize for RevisionContent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredContent {
    format: u64,
    kind: DraftKind,
    title: Title,
    messages: Messages,
    notification_disabled: bool,
    segment: Option<SegmentRef>,
    send_at: Option<DateTime<Utc>>,
}

impl<'de> Deserialize<'de> for RevisionContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let s = StoredContent::deserialize(deserializer)?;
        if s.format != CANONICAL_FORMAT {
            return Err(D::Error::custom(format!(
                "revision content format {} is not known; this version reads {CANONICAL_FORMAT}",
                s.format
            )));
        }
        RevisionContent::new(
            s.kind,
            s.title,
            s.messages,
            s.notification_disabled,
            s.segment,
            s.send_at,
        )
        .map_err(|e| D::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::Message;
    use chrono::TimeZone;

    fn flex(json: &str) -> Message {
        Message::parse_line_json(json).unwrap()
    }

    fn sample() -> RevisionContent {
        RevisionContent::new(
            DraftKind::Segment,
            Title::parse("春のセール").unwrap(),
            Messages::new(vec![
                Message::Text {
                    text: "春のセールが始まりました 🌸".into(),
                },
                flex(r#"{"type":"flex","altText":"セール","contents":{"type":"bubble","size":"kilo"}}"#),
            ])
            .unwrap(),
            true,
            Some(SegmentRef {
                id: 7,
                name: "東京の会員".into(),
                rules: json!({"all": [{"tag": "tokyo"}, {"followed_before": "2025-01-01"}]}),
            }),
            Some(Utc.with_ymd_and_hms(2025, 3, 20, 1, 0, 0).unwrap()),
        )
        .unwrap()
    }

    fn with(
        f: impl FnOnce(
            &mut (
                DraftKind,
                Title,
                Messages,
                bool,
                Option<SegmentRef>,
                Option<DateTime<Utc>>,
            ),
        ),
    ) -> RevisionContent {
        let s = sample();
        let mut parts = (
            s.kind,
            s.title,
            s.messages,
            s.notification_disabled,
            s.segment,
            s.send_at,
        );
        f(&mut parts);
        let (k, t, m, n, seg, at) = parts;
        RevisionContent::new(k, t, m, n, seg, at).unwrap()
    }

    #[test]
    fn draft_kinds_have_names_and_labels_in_english_and_japanese() {
        for kind in DraftKind::ALL {
            assert_eq!(DraftKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(DraftKind::parse(" Broadcast "), Some(DraftKind::Broadcast));
        assert_eq!(DraftKind::parse("narrowcast"), None);
        assert_eq!(DraftKind::Broadcast.label_ja(), "一斉配信");
        assert_eq!(DraftKind::Segment.label_ja(), "セグメント配信");
        assert_eq!(DraftKind::Step.label_ja(), "ステップ配信");
        assert_eq!(DraftKind::Step.label_en(), "Step message");
    }

    #[test]
    fn a_title_is_trimmed_including_full_width_spaces() {
        assert_eq!(
            Title::parse("\u{3000} 春のセール \n").unwrap().as_str(),
            "春のセール"
        );
    }

    #[test]
    fn an_empty_or_blank_title_is_refused_with_a_clear_message() {
        assert_eq!(
            Title::parse("").unwrap_err().message,
            "Give the draft a title."
        );
        let e = Title::parse(" \u{3000} ").unwrap_err();
        assert_eq!(e.field, "title");
        assert_eq!(
            e.message,
            "The title is only spaces; give the draft a title."
        );
    }

    #[test]
    fn a_title_has_at_most_100_characters_counted_as_characters() {
        assert!(Title::parse(&"あ".repeat(100)).is_ok());
        let e = Title::parse(&"あ".repeat(101)).unwrap_err();
        assert_eq!(
            e.message,
            "The title is 101 characters long; at most 100 are allowed."
        );
    }

    #[test]
    fn a_title_is_one_line() {
        assert!(Title::parse("a\nb").is_err());
    }

    #[test]
    fn a_segment_message_needs_a_segment() {
        let s = sample();
        let e = RevisionContent::new(
            DraftKind::Segment,
            s.title.clone(),
            s.messages.clone(),
            false,
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(e.field, "segment");
        assert!(e.message.contains("needs a segment"), "{}", e.message);
    }

    #[test]
    fn a_broadcast_cannot_have_a_segment() {
        let s = sample();
        let e = RevisionContent::new(
            DraftKind::Broadcast,
            s.title.clone(),
            s.messages.clone(),
            false,
            s.segment.clone(),
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("all friends"), "{}", e.message);
    }

    #[test]
    fn a_greeting_goes_to_each_new_friend_with_no_segment_and_no_send_time() {
        let s = sample();
        let make = |segment: Option<SegmentRef>, send_at| {
            RevisionContent::new(
                DraftKind::Greeting,
                s.title.clone(),
                s.messages.clone(),
                false,
                segment,
                send_at,
            )
        };
        assert_eq!(make(None, None).unwrap().kind(), DraftKind::Greeting);
        assert_eq!(make(s.segment.clone(), None).unwrap_err().field, "segment");
        assert_eq!(make(None, s.send_at).unwrap_err().field, "send_at");
        let errors = RevisionContent::from_form(
            "greeting",
            "",
            &[MessageInput::text("ようこそ")],
            false,
            s.segment.clone(),
            s.send_at,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "segment", "send_at"],
            "every problem at once"
        );
        assert_eq!(DraftKind::parse("greeting"), Some(DraftKind::Greeting));
        assert_eq!(DraftKind::Greeting.label_ja(), "あいさつメッセージ");
    }

    #[test]
    fn a_step_may_have_a_segment_or_not() {
        let s = sample();
        for seg in [None, s.segment.clone()] {
            assert!(
                RevisionContent::new(
                    DraftKind::Step,
                    s.title.clone(),
                    s.messages.clone(),
                    false,
                    seg,
                    None
                )
                .is_ok()
            );
        }
    }

    #[test]
    fn a_form_reports_every_problem_at_once() {
        let errors = RevisionContent::from_form(
            "segment",
            " ",
            &[MessageInput::text("")],
            false,
            None,
            None,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "messages[0].text", "segment"]);
        let errors = RevisionContent::from_form("nope", "t", &[], false, None, None).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "messages"]);
    }

    #[test]
    fn a_valid_form_makes_content() {
        let c = RevisionContent::from_form(
            "broadcast",
            " お知らせ ",
            &[MessageInput::text("こんにちは")],
            false,
            None,
            None,
        )
        .unwrap();
        assert_eq!(c.kind(), DraftKind::Broadcast);
        assert_eq!(c.title().as_str(), "お知らせ");
        assert_eq!(c.messages().len(), 1);
    }

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let c = RevisionContent::new(
            DraftKind::Broadcast,
            Title::parse("t").unwrap(),
            Messages::new(vec![flex(
                r#"{"type":"flex","contents":{"type":"bubble","b":1,"a":2},"altText":"x"}"#,
            )])
            .unwrap(),
            false,
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            c.canonical_json(),
            r#"{"format":1,"kind":"broadcast","messages":[{"altText":"x","contents":{"a":2,"b":1,"type":"bubble"},"type":"flex"}],"notification_disabled":false,"segment":null,"send_at":null,"title":"t"}"#
        );
    }

    #[test]
    fn the_hash_is_lowercase_hex_sha256_of_the_canonical_json() {
        let c = sample();
        let h = c.content_hash();
        assert_eq!(h.as_str().len(), 64);
        assert_eq!(h, ContentHash::of(&c.canonical_json()));
        assert_eq!(ContentHash::parse(h.as_str()), Some(h.clone()));
        assert_eq!(h.short().len(), 12);
        assert_eq!(ContentHash::parse(&h.as_str().to_uppercase()), None);
        assert_eq!(ContentHash::parse("abc"), None);
    }

    #[test]
    fn the_hash_of_a_known_revision_is_pinned() {
        // If this fails, the canonical format changed: every stored hash would stop
        // matching its content. Bump CANONICAL_FORMAT and migrate instead.
        assert_eq!(
            sample().canonical_json(),
            r#"{"format":1,"kind":"segment","messages":[{"text":"春のセールが始まりました 🌸","type":"text"},{"altText":"セール","contents":{"size":"kilo","type":"bubble"},"type":"flex"}],"notification_disabled":true,"segment":{"id":7,"name":"東京の会員","rules":{"all":[{"tag":"tokyo"},{"followed_before":"2025-01-01"}]}},"send_at":"2025-03-20T01:00:00Z","title":"春のセール"}"#
        );
        assert_eq!(
            sample().content_hash().as_str(),
            "809579f6d3e9f5149172f64247050c8032d52ab766790a55d496f9eae71a28ec"
        );
    }

    #[test]
    fn key_order_of_pasted_json_does_not_change_the_hash() {
        let a = with(|p| {
            p.2 = Messages::new(vec![flex(
                r#"{"type":"flex","altText":"a","contents":{"type":"bubble","body":{"type":"box","layout":"vertical","contents":[]}}}"#,
            )])
            .unwrap()
        });
        let b = with(|p| {
            p.2 = Messages::new(vec![flex(
                r#"{"contents":{"body":{"contents":[],"layout":"vertical","type":"box"},"type":"bubble"},"altText":"a","type":"flex"}"#,
            )])
            .unwrap()
        });
        assert_eq!(a.content_hash(), b.content_hash());
        let c = with(|p| {
            p.4 = Some(SegmentRef {
                id: 7,
                name: "東京の会員".into(),
                rules: json!({"all": [{"tag": "tokyo"}, {"followed_before": "2025-01-01"}]}),
            })
        });
        assert_eq!(c.content_hash(), sample().content_hash());
    }

    #[test]
    fn any_change_of_any_field_changes_the_hash() {
        let base = sample().content_hash();
        let changed = [
            with(|p| {
                p.0 = DraftKind::Step;
            }),
            with(|p| p.1 = Title::parse("春のセール!").unwrap()),
            with(|p| {
                p.2 = Messages::new(vec![Message::Text {
                    text: "春のセールが始まりました 🌸".into(),
                }])
                .unwrap()
            }),
            with(|p| {
                let mut v = p.2.clone().into_vec();
                v.swap(0, 1);
                p.2 = Messages::new(v).unwrap();
            }),
            with(|p| {
                let mut v = p.2.clone().into_vec();
                v[0] = Message::Text {
                    text: "春のセールが始まりました 🌸 ".into(),
                };
                p.2 = Messages::new(v).unwrap();
            }),
            with(|p| p.3 = false),
            with(|p| p.4.as_mut().unwrap().id = 8),
            with(|p| p.4.as_mut().unwrap().name = "大阪の会員".into()),
            with(|p| p.4.as_mut().unwrap().rules = json!({"all": [{"tag": "tokyo"}]})),
            with(|p| p.5 = None),
            with(|p| p.5 = Some(Utc.with_ymd_and_hms(2025, 3, 20, 1, 0, 1).unwrap())),
        ];
        let mut seen = std::collections::HashSet::new();
        seen.insert(base);
        for c in changed {
            assert!(seen.insert(c.content_hash()), "{}", c.canonical_json());
        }
    }

    #[test]
    fn content_round_trips_through_its_stored_json() {
        for c in [
            sample(),
            with(|p| {
                p.0 = DraftKind::Step;
                p.4 = None;
                p.5 = Some(
                    Utc.with_ymd_and_hms(2025, 3, 20, 1, 0, 0).unwrap()
                        + chrono::Duration::milliseconds(250),
                );
            }),
        ] {
            let stored = c.canonical_json();
            let back = RevisionContent::from_json(&stored).unwrap();
            assert_eq!(back, c);
            assert_eq!(back.content_hash(), c.content_hash());
            assert_eq!(serde_json::to_value(&c).unwrap(), c.to_json_value());
        }
    }

    #[test]
    fn stored_json_that_breaks_the_rules_is_refused_on_read() {
        let mut v = sample().to_json_value();
        v["kind"] = json!("broadcast");
        assert!(RevisionContent::from_json(&v.to_string()).is_err());
        let mut v = sample().to_json_value();
        v["format"] = json!(2);
        let e = RevisionContent::from_json(&v.to_string()).unwrap_err();
        assert!(e.to_string().contains("format 2"), "{e}");
        let mut v = sample().to_json_value();
        v["extra"] = json!(1);
        assert!(RevisionContent::from_json(&v.to_string()).is_err());
        let mut v = sample().to_json_value();
        v["messages"] = json!([]);
        assert!(RevisionContent::from_json(&v.to_string()).is_err());
    }

    #[test]
    fn canonical_strings_escape_quotes_and_control_characters_only() {
        let mut out = String::new();
        write_canonical(&json!({"b": "\"x\"\n", "a": "é/"}), &mut out);
        assert_eq!(out, r#"{"a":"é/","b":"\"x\"\n"}"#);
    }
}
