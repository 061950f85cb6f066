//! Presentation helpers shared by pages: times in the account's time zone, revisions and
//! diffs shaped for templates.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::db::drafts::{DraftRow, RevisionRow};
use crate::domain::diff::RevisionDiff;
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

/// A message set as LINE shows it (see [`crate::render`]), with the list of what every tap
/// leads to and every image it fetches, for the pages that review it.
pub struct PreviewView {
    /// The rendered chat, with its `<style>` (allowed by the page's policy).
    pub html: String,
    /// Show the lists of actions and media below the chat.
    pub list_actions: bool,
    pub actions: Vec<ActionRow>,
    pub media: Vec<MediaRow>,
}

/// One action of a message: where it is and where it leads.
pub struct ActionRow {
    pub message: usize,
    pub path: String,
    pub kind: String,
    pub label: String,
    pub leads_to: String,
    /// An `https://` or `http://` address a reviewer may open to check it.
    pub link: Option<String>,
    /// `error`, `warning` or empty, by the scheme of a link.
    pub level: &'static str,
}

/// One image, video or audio URL of a message.
pub struct MediaRow {
    pub message: usize,
    pub path: String,
    pub kind: &'static str,
    pub url: String,
    /// Where this page shows it from (this server for a stored image).
    pub src: Option<String>,
    /// Stored in sendgate: its bytes cannot change after approval.
    pub stored: bool,
}

impl PreviewView {
    /// The preview of `messages`, with the lists of actions and media.
    pub fn new(messages: &[Message]) -> Self {
        Self::build(messages, true)
    }

    /// The preview alone (the sandbox inbox, the diff's sides).
    pub fn chat_only(messages: &[Message]) -> Self {
        Self::build(messages, false)
    }

    fn build(messages: &[Message], list_actions: bool) -> Self {
        use crate::domain::actions::{MediaKind, inventory};
        let json: Vec<std::borrow::Cow<'_, serde_json::Value>> =
            messages.iter().map(Message::line_json).collect();
        let public_url = crate::web::render_csp::public_url();
        let ctx = crate::render::RenderContext {
            account_name: crate::web::language::account_name(),
            public_url: public_url.clone(),
        };
        let rendered = crate::render::chat(&json, &ctx);
        let mut html = crate::web::render_csp::style_element(&rendered.css);
        html.push_str(&rendered.html);
        let (mut actions, mut media) = (Vec::new(), Vec::new());
        if list_actions {
            for (i, m) in json.iter().enumerate() {
                let inv = inventory(m);
                for a in inv.actions {
                    let (link, level) = match &a.target {
                        crate::domain::actions::Target::Uri { uri, .. } => {
                            let scheme = crate::domain::link_checks::scheme(uri);
                            match scheme.as_deref() {
                                Some("https") => (Some(uri.clone()), ""),
                                Some("http") => (Some(uri.clone()), "warning"),
                                Some("line" | "tel") => (None, ""),
                                _ => (None, "error"),
                            }
                        }
                        _ => (None, ""),
                    };
                    actions.push(ActionRow {
                        message: i + 1,
                        leads_to: crate::render::describe(&a),
                        label: a.label.clone().unwrap_or_default(),
                        kind: a.kind.clone(),
                        path: a.path,
                        link,
                        level,
                    });
                }
                for item in inv.media {
                    media.push(MediaRow {
                        message: i + 1,
                        kind: match item.kind {
                            MediaKind::Image => "Image",
                            MediaKind::Video => "Video",
                            MediaKind::Audio => "Audio",
                            MediaKind::ImagemapBase => "Rich message image",
                        },
                        src: crate::render::display_url(&public_url, &item.url),
                        stored: crate::domain::media::parse_media_url(&item.url).is_some(),
                        url: item.url,
                        path: item.path,
                    });
                }
            }
        }
        Self {
            html,
            list_actions,
            actions,
            media,
        }
    }
}

/// Messages as LINE shows them, for pages that show a set of messages outside a revision
/// (the diff's before and after).
pub struct BubbleSet {
    pub preview: PreviewView,
}

impl BubbleSet {
    pub fn new(messages: &crate::domain::message::Messages) -> Self {
        Self {
            preview: PreviewView::chat_only(messages.as_slice()),
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
    pub preview: PreviewView,
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
            audience: match (content.kind(), content.segment()) {
                (DraftKind::Greeting, _) => {
                    t("Each new friend, the moment they add the account").to_string()
                }
                (_, Some(s)) => tf("Segment “{name}”", &[&s.name]),
                (_, None) => t("All friends").to_string(),
            },
            notification: if content.notification_disabled() {
                t("Silent: no push notification").to_string()
            } else {
                t("With push notification").to_string()
            },
            send_at: match (content.kind(), content.send_at()) {
                (DraftKind::Greeting, _) => t("When a friend adds the account").to_string(),
                (_, Some(at)) => local_time(at, tz),
                (_, None) => t("When released").to_string(),
            },
            preview: PreviewView::new(content.messages().as_slice()),
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
    /// The JSON paths that changed.
    pub paths: Vec<String>,
    /// A changed rich message (not plain text) before and after, as LINE shows each.
    pub before: Option<PreviewView>,
    pub after: Option<PreviewView>,
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
    pub fn new(d: &RevisionDiff, old: &RevisionContent, new: &RevisionContent) -> Self {
        let rich = |c: &RevisionContent, position: usize| {
            c.messages()
                .as_slice()
                .get(position - 1)
                .filter(|m| !matches!(m, Message::Text { .. }))
                .map(|m| PreviewView::chat_only(std::slice::from_ref(m)))
        };
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
                    paths: m.paths.clone(),
                    before: (m.change == crate::domain::diff::MessageChange::Changed)
                        .then(|| rich(old, m.position))
                        .flatten(),
                    after: (m.change == crate::domain::diff::MessageChange::Changed)
                        .then(|| rich(new, m.position))
                        .flatten(),
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
