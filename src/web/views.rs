//! Presentation helpers shared by pages: times in the account's time zone, revisions and
//! diffs shaped for templates.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::db::drafts::{DraftRow, RevisionRow};
use crate::domain::diff::{RevisionDiff, readable};
use crate::domain::message::Message;
use crate::domain::review::DraftState;
use crate::domain::revision::DraftKind;
use crate::domain::revision::RevisionContent;
use crate::error::AppError;
use crate::i18n::{t, tf};

/// Local time with its zone and offset, as DESIGN section 10 asks, written for the
/// request's language: `20 Nov 2026 10:00 JST (+09:00)` / `2026年11月20日 10:00 JST (+09:00)`.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    crate::i18n::format_time(crate::i18n::current(), at, tz)
}

/// A short duration as people read it, in the request's language: `45 min`, `2 h 05 min`,
/// `3 d 4 h` / `45分`, `2時間05分`, `3日4時間` (split by [`crate::domain::incident::span`]).
pub fn duration(minutes: i64) -> String {
    use crate::domain::incident::{Span, span};
    match span(minutes) {
        Span::Minutes(m) => tf("{m} min", &[&m]),
        Span::HoursMinutes(h, m) => tf("{h} h {m} min", &[&h, &format!("{m:02}")]),
        Span::DaysHours(d, h) => tf("{d} d {h} h", &[&d, &h]),
    }
}

/// One message object shaped for the chat-bubble preview.
pub struct BubbleView {
    pub kind: &'static str,
    pub text: String,
    pub image_url: String,
    pub label: String,
    pub json: String,
}

impl BubbleView {
    pub fn new(m: &Message) -> Self {
        match m {
            Message::Text { text } => Self {
                kind: "text",
                text: text.clone(),
                image_url: String::new(),
                label: String::new(),
                json: String::new(),
            },
            Message::Image {
                preview_image_url, ..
            } => Self {
                kind: "image",
                text: String::new(),
                image_url: preview_image_url.clone(),
                label: tf("Image", &[]),
                json: String::new(),
            },
            Message::Sticker {
                package_id,
                sticker_id,
            } => Self {
                kind: "sticker",
                text: String::new(),
                image_url: String::new(),
                label: tf(
                    "Sticker (package {package}, sticker {sticker}): shown as a placeholder",
                    &[package_id, sticker_id],
                ),
                json: String::new(),
            },
            Message::Raw(v) => Self {
                kind: "raw",
                text: String::new(),
                image_url: String::new(),
                label: tf(
                    "{kind} message (shown approximately)",
                    &[&v.get("type").and_then(|t| t.as_str()).unwrap_or("LINE")],
                ),
                json: readable(m),
            },
        }
    }
}

/// Messages as chat bubbles, for pages that show a set of messages outside a revision
/// (the diff's before and after).
pub struct BubbleSet {
    pub bubbles: Vec<BubbleView>,
}

impl BubbleSet {
    pub fn new(messages: &crate::domain::message::Messages) -> Self {
        Self {
            bubbles: messages.iter().map(BubbleView::new).collect(),
        }
    }
}

pub struct RevisionView {
    pub number: i64,
    pub author: String,
    pub created: String,
    pub hash: String,
    pub hash_short: String,
    pub kind_label: String,
    pub title: String,
    pub audience: String,
    pub notification: String,
    pub send_at: String,
    pub bubbles: Vec<BubbleView>,
    pub content: RevisionContent,
}

impl RevisionView {
    pub fn new(row: &RevisionRow, tz: Tz) -> Result<Self, AppError> {
        let content = row.parsed()?;
        Ok(Self::from_content(row, content, tz))
    }

    pub fn from_content(row: &RevisionRow, content: RevisionContent, tz: Tz) -> Self {
        Self {
            number: row.number,
            author: row.author_name.clone(),
            created: local_time(row.created_at, tz),
            hash: row.content_hash.clone(),
            hash_short: row.content_hash.chars().take(12).collect(),
            kind_label: match crate::i18n::current() {
                crate::i18n::Lang::Ja => content.kind().label_ja().to_string(),
                crate::i18n::Lang::En => format!(
                    "{} ({})",
                    content.kind().label_en(),
                    content.kind().label_ja()
                ),
            },
            title: content.title().as_str().to_string(),
            audience: match content.segment() {
                Some(s) => tf("Segment “{name}”", &[&s.name]),
                None => t("All friends").to_string(),
            },
            notification: if content.notification_disabled() {
                t("Silent: no push notification").to_string()
            } else {
                t("With push notification").to_string()
            },
            send_at: content
                .send_at()
                .map(|t| local_time(t, tz))
                .unwrap_or_else(|| t("When released").to_string()),
            bubbles: content.messages().iter().map(BubbleView::new).collect(),
            content,
        }
    }
}

pub struct SpanView {
    pub class: &'static str,
    pub text: String,
}

pub struct MessageDiffView {
    pub position: usize,
    pub change: &'static str,
    pub spans: Vec<SpanView>,
}

pub struct FieldChangeView {
    pub label: &'static str,
    pub from: String,
    pub to: String,
}

pub struct DiffView {
    pub empty: bool,
    pub fields: Vec<FieldChangeView>,
    pub messages: Vec<MessageDiffView>,
}

impl DiffView {
    pub fn new(d: &RevisionDiff) -> Self {
        Self {
            empty: d.is_empty(),
            fields: d
                .fields
                .iter()
                .map(|f| FieldChangeView {
                    label: f.label,
                    from: f.from.clone(),
                    to: f.to.clone(),
                })
                .collect(),
            messages: d
                .messages
                .iter()
                .map(|m| MessageDiffView {
                    position: m.position,
                    change: m.change.as_str(),
                    spans: m
                        .spans
                        .iter()
                        .map(|s| SpanView {
                            class: s.kind.as_str(),
                            text: s.text.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// One draft in a list (the dashboard, `/drafts`).
pub struct DraftLine {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub state: String,
    pub state_label: String,
    pub author: String,
    pub revision: i64,
    pub updated: String,
}

impl DraftLine {
    pub fn new(d: DraftRow, tz: Tz) -> Self {
        Self {
            state_label: DraftState::parse(&d.state)
                .map(|s| s.label().to_string())
                .unwrap_or_else(|| d.state.clone()),
            kind: DraftKind::parse(&d.kind)
                .map(|k| k.label_en().to_string())
                .unwrap_or_else(|| d.kind.clone()),
            updated: local_time(d.updated_at, tz),
            id: d.id,
            title: d.title,
            state: d.state,
            author: d.author_name,
            revision: d.current_revision,
        }
    }
}
