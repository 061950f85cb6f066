//! What changed between two revisions (`/drafts/{id}/diff`): the fields that differ, and
//! per message object whether it was added, removed or changed, with a word-level diff for
//! text. Japanese has no spaces between words, so CJK text is compared per character.

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::message::Message;
use super::revision::RevisionContent;
use crate::i18n::{Lang, format_time, t_in, tf_in};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Same,
    Added,
    Removed,
}

impl SpanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Same => "same",
            SpanKind::Added => "added",
            SpanKind::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: SpanKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageChange {
    Unchanged,
    Changed,
    Added,
    Removed,
}

impl MessageChange {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageChange::Unchanged => "unchanged",
            MessageChange::Changed => "changed",
            MessageChange::Added => "added",
            MessageChange::Removed => "removed",
        }
    }
}

/// One message position in the two revisions.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageDiff {
    /// 1-based position.
    pub position: usize,
    pub change: MessageChange,
    /// The inline diff of the two messages' readable forms (text for text messages, the
    /// JSON for others).
    pub spans: Vec<Span>,
    /// The JSON paths that differ (`contents.body.contents[0].text`), for a changed message.
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label: &'static str,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RevisionDiff {
    pub fields: Vec<FieldChange>,
    pub messages: Vec<MessageDiff>,
}

impl RevisionDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self
                .messages
                .iter()
                .all(|m| m.change == MessageChange::Unchanged)
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30FF   // CJK punctuation, hiragana, katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFF00..=0xFFEF // full-width forms
    )
}

/// Splits text into words, runs of white space, and single CJK or punctuation characters,
/// so that joining the tokens gives the text back exactly.
pub fn tokenize(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Single,
    }
    let class = |c: char| {
        if c.is_whitespace() {
            Class::Space
        } else if c.is_alphanumeric() && !is_cjk(c) {
            Class::Word
        } else {
            Class::Single
        }
    };
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut prev: Option<Class> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if let Some(p) = prev
            && (p != k || k == Class::Single)
        {
            tokens.push(&text[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

/// The word-level diff of two texts, with neighbouring spans of the same kind merged.
pub fn diff_text(old: &str, new: &str) -> Vec<Span> {
    let a = tokenize(old);
    let b = tokenize(new);
    let mut spans: Vec<Span> = Vec::new();
    let mut push = |kind: SpanKind, parts: &[&str]| {
        if parts.is_empty() {
            return;
        }
        let text: String = parts.concat();
        match spans.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(&text),
            _ => spans.push(Span { kind, text }),
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                push(SpanKind::Same, &a[old_index..old_index + len])
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => push(SpanKind::Removed, &a[old_index..old_index + old_len]),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push(SpanKind::Added, &b[new_index..new_index + new_len]),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                push(SpanKind::Removed, &a[old_index..old_index + old_len]);
                push(SpanKind::Added, &b[new_index..new_index + new_len]);
            }
        }
    }
    spans
}

/// How a message reads in a diff: its text, or a compact description of other kinds.
pub fn readable(m: &Message) -> String {
    readable_in(Lang::En, m)
}

/// [`readable`] with the labels of other kinds in `lang` (`[画像]`, `[スタンプ]`).
pub fn readable_in(lang: Lang, m: &Message) -> String {
    match m {
        Message::Text { text } => text.clone(),
        Message::Image {
            original_content_url,
            preview_image_url,
        } => format!(
            "{}\n{}",
            tf_in(lang, "[image] {url}", &[original_content_url]),
            tf_in(lang, "[preview] {url}", &[preview_image_url])
        ),
        Message::Sticker {
            package_id,
            sticker_id,
        } => tf_in(
            lang,
            "[sticker] package {package}, sticker {sticker}",
            &[package_id, sticker_id],
        ),
        Message::Raw(v) => serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()),
    }
}

/// The JSON paths at which two message objects differ, in reading order: a changed value
/// names its own path, an added or removed property or list item names its path too.
pub fn changed_paths(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(a: Option<&Value>, b: Option<&Value>, path: &str, out: &mut Vec<String>) {
        let here = if path.is_empty() {
            "(the whole message)"
        } else {
            path
        };
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let mut keys: Vec<&String> = x.keys().collect();
                keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(x.get(k), y.get(k), &p, out);
                }
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) => {
                for i in 0..x.len().max(y.len()) {
                    walk(x.get(i), y.get(i), &format!("{path}[{i}]"), out);
                }
            }
            (x, y) if x != y => out.push(here.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(Some(a), Some(b), "", &mut out);
    out
}

fn whole(kind: SpanKind, text: String) -> Vec<Span> {
    vec![Span { kind, text }]
}

pub fn diff_revisions(old: &RevisionContent, new: &RevisionContent) -> RevisionDiff {
    diff_revisions_in(Lang::En, chrono_tz::UTC, old, new)
}

/// [`diff_revisions`] in `lang`, times in `tz`: the fields' values and the messages that are
/// not text are described in the reader's words.
pub fn diff_revisions_in(
    lang: Lang,
    tz: chrono_tz::Tz,
    old: &RevisionContent,
    new: &RevisionContent,
) -> RevisionDiff {
    let mut fields = Vec::new();
    let mut field = |label: &'static str, from: String, to: String| {
        if from != to {
            fields.push(FieldChange { label, from, to });
        }
    };
    let kind = |c: &RevisionContent| match lang {
        Lang::Ja => c.kind().label_ja().to_string(),
        Lang::En => c.kind().label_en().to_string(),
    };
    field("Kind", kind(old), kind(new));
    field(
        "Title",
        old.title().as_str().to_string(),
        new.title().as_str().to_string(),
    );
    let audience = |c: &RevisionContent| match c.segment() {
        Some(s) => tf_in(lang, "segment {name} (#{id})", &[&s.name, &s.id]),
        None => t_in(lang, "all friends").to_string(),
    };
    field("Audience", audience(old), audience(new));
    let notify = |c: &RevisionContent| {
        if c.notification_disabled() {
            t_in(lang, "silent (no push notification)").to_string()
        } else {
            t_in(lang, "with push notification").to_string()
        }
    };
    field("Notification", notify(old), notify(new));
    let when = |c: &RevisionContent| match c.send_at() {
        Some(t) => format_time(lang, t, tz),
        None => t_in(lang, "not scheduled").to_string(),
    };
    field("Send time", when(old), when(new));

    let a = old.messages().as_slice();
    let b = new.messages().as_slice();
    let messages = (0..a.len().max(b.len()))
        .map(|i| match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => MessageDiff {
                position: i + 1,
                change: MessageChange::Unchanged,
                spans: whole(SpanKind::Same, readable_in(lang, y)),
                paths: Vec::new(),
            },
            (Some(x), Some(y)) => MessageDiff {
                position: i + 1,
                change: MessageChange::Changed,
                spans: diff_text(&readable_in(lang, x), &readable_in(lang, y)),
                paths: changed_paths(&x.to_line_json(), &y.to_line_json()),
            },
            (None, Some(y)) => MessageDiff {
                position: i + 1,
                change: MessageChange::Added,
                spans: whole(SpanKind::Added, readable_in(lang, y)),
                paths: Vec::new(),
            },
            (Some(x), None) => MessageDiff {
                position: i + 1,
                change: MessageChange::Removed,
                spans: whole(SpanKind::Removed, readable_in(lang, x)),
                paths: Vec::new(),
            },
            (None, None) => unreachable!("index below the longer length"),
        })
        .collect();
    RevisionDiff { fields, messages }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changed_json_paths_name_each_difference() {
        use serde_json::json;
        let a = json!({"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": {"type": "box", "layout": "vertical",
            "contents": [{"type": "text", "text": "old"}, {"type": "text", "text": "same"}]}}});
        let b = json!({"type": "flex", "altText": "b", "contents": {"type": "bubble", "size": "kilo", "body": {"type": "box", "layout": "vertical",
            "contents": [{"type": "text", "text": "new"}, {"type": "text", "text": "same"}, {"type": "separator"}]}}});
        assert_eq!(
            super::changed_paths(&a, &b),
            [
                "altText",
                "contents.body.contents[0].text",
                "contents.body.contents[2]",
                "contents.size"
            ]
        );
        assert!(super::changed_paths(&a, &a).is_empty());
    }

    use super::*;
    use crate::domain::message::MessageInput;

    fn content(title: &str, texts: &[&str]) -> RevisionContent {
        let inputs: Vec<MessageInput> = texts.iter().map(|t| MessageInput::text(*t)).collect();
        RevisionContent::from_form("broadcast", title, &inputs, false, None, None).unwrap()
    }

    fn render(spans: &[Span]) -> String {
        spans
            .iter()
            .map(|s| match s.kind {
                SpanKind::Same => s.text.clone(),
                SpanKind::Added => format!("{{+{}+}}", s.text),
                SpanKind::Removed => format!("[-{}-]", s.text),
            })
            .collect()
    }

    #[test]
    fn tokens_join_back_to_the_text() {
        for t in [
            "Winter sale: 30% off!",
            "冬のセール 30%オフ",
            "  a\n\nb  ",
            "",
        ] {
            assert_eq!(tokenize(t).concat(), t);
        }
    }

    #[test]
    fn a_changed_word_is_shown_as_removed_and_added() {
        let spans = diff_text("Sale ends Sunday at noon", "Sale ends Monday at noon");
        assert_eq!(render(&spans), "Sale ends [-Sunday-]{+Monday+} at noon");
    }

    #[test]
    fn japanese_text_is_compared_per_character() {
        let spans = diff_text("価格は1,980円です", "価格は2,980円です");
        assert_eq!(render(&spans), "価格は[-1-]{+2+},980円です");
        let spans = diff_text("日曜日まで", "月曜日まで");
        assert_eq!(render(&spans), "[-日-]{+月+}曜日まで");
    }

    #[test]
    fn messages_are_compared_by_position() {
        let old = content("Sale", &["Hello", "Price 1980 yen"]);
        let new = content("Sale", &["Hello", "Price 2980 yen", "See you"]);
        let d = diff_revisions(&old, &new);
        let changes: Vec<MessageChange> = d.messages.iter().map(|m| m.change).collect();
        assert_eq!(
            changes,
            [
                MessageChange::Unchanged,
                MessageChange::Changed,
                MessageChange::Added
            ]
        );
        assert_eq!(render(&d.messages[1].spans), "Price [-1980-]{+2980+} yen");
        assert!(d.fields.is_empty());
        assert!(!d.is_empty());
    }

    #[test]
    fn a_removed_message_and_a_new_title_are_listed() {
        let old = content("Sale", &["Hello", "Bye"]);
        let new = content("Winter sale", &["Hello"]);
        let d = diff_revisions(&old, &new);
        assert_eq!(d.messages[1].change, MessageChange::Removed);
        assert_eq!(
            d.fields,
            [FieldChange {
                label: "Title",
                from: "Sale".into(),
                to: "Winter sale".into()
            }]
        );
    }

    #[test]
    fn identical_revisions_have_an_empty_diff() {
        let c = content("Sale", &["Hello"]);
        assert!(diff_revisions(&c, &c).is_empty());
    }
}
