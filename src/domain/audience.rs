//! The audience (DESIGN section 7 and gate rule 4): LINE user ids, segment rules, CSV
//! friend rows, LINE webhook signatures and events, recipient snapshots and broadcast
//! drift. Pure: the SQL that applies a segment lives in `db::friends`.

use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::FieldError;
use super::input::{bounded, caps, excerpt};
use crate::i18n::{Lang, t_in, tf_in};

/// A LINE user id: `U` followed by 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let ok = s.len() == 33
            && s.starts_with('U')
            && s[1..]
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not a LINE user id (U followed by 32 lowercase hex digits)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's 128 bits: a compact key when a million ids must be remembered.
    pub fn bits(&self) -> u128 {
        u128::from_str_radix(&self.0[1..], 16).expect("checked when parsed")
    }
}

// ---------------------------------------------------------------------------------------
// Segments

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    Equals,
    NotEquals,
    Exists,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeRule {
    pub key: String,
    pub op: AttributeOp,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FollowedRule {
    /// Followed before this local date (exclusive).
    Before { date: NaiveDate },
    /// Followed on or after this local date.
    After { date: NaiveDate },
    /// Followed within the last N days before now.
    WithinDays { days: i64 },
}

/// A saved rule over tags, attributes and follow date. Blocked friends are always
/// excluded; that is not a rule anyone can turn off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRules {
    #[serde(default)]
    pub tags_any: Vec<String>,
    #[serde(default)]
    pub tags_all: Vec<String>,
    #[serde(default)]
    pub tags_none: Vec<String>,
    #[serde(default)]
    pub attributes: Vec<AttributeRule>,
    #[serde(default)]
    pub followed: Option<FollowedRule>,
}

/// A time window on `followed_at`, in Unix seconds: `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FollowWindow {
    pub from: Option<i64>,
    pub until: Option<i64>,
}

fn local_midnight(date: NaiveDate, tz: Tz) -> i64 {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| naive.and_utc().timestamp())
}

/// Most conditions a segment may have (tags, attributes and the follow date together).
/// More is no sensible audience, and SQLite cannot run a query of thousands of them (a
/// segment saved before the cap still runs: see `db::friends::push_segment_conditions`).
pub const MAX_SEGMENT_CONDITIONS: usize = 50;

impl SegmentRules {
    /// How many conditions the segment has.
    pub fn condition_count(&self) -> usize {
        self.tags_any.len()
            + self.tags_all.len()
            + self.tags_none.len()
            + self.attributes.len()
            + usize::from(self.followed.is_some())
    }

    /// The follow-date rule as a window of Unix seconds, given now and the account's zone.
    pub fn follow_window(&self, now: DateTime<Utc>, tz: Tz) -> FollowWindow {
        match &self.followed {
            None => FollowWindow::default(),
            Some(FollowedRule::Before { date }) => FollowWindow {
                from: None,
                until: Some(local_midnight(*date, tz)),
            },
            Some(FollowedRule::After { date }) => FollowWindow {
                from: Some(local_midnight(*date, tz)),
                until: None,
            },
            // A stored number of days is not checked again: one too large for a date means
            // since ever, one too small means nobody.
            Some(FollowedRule::WithinDays { days }) => FollowWindow {
                from: match Duration::try_days(*days).and_then(|d| now.checked_sub_signed(d)) {
                    Some(t) => Some(t.timestamp()),
                    None if *days > 0 => None,
                    None => Some(i64::MAX),
                },
                until: None,
            },
        }
    }

    /// A one-line description for lists and the draft page (English: it is also what
    /// the audit log records).
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// [`SegmentRules::describe`] in `lang`, for pages.
    pub fn describe_in(&self, lang: Lang) -> String {
        let (list, sep) = match lang {
            Lang::En => (", ", "; "),
            Lang::Ja => ("、", "、"),
        };
        let mut parts = Vec::new();
        if !self.tags_any.is_empty() {
            let tags = self.tags_any.join(list);
            parts.push(tf_in(lang, "tagged any of {tags}", &[&tags]));
        }
        if !self.tags_all.is_empty() {
            let tags = self.tags_all.join(list);
            parts.push(tf_in(lang, "tagged all of {tags}", &[&tags]));
        }
        if !self.tags_none.is_empty() {
            let tags = self.tags_none.join(list);
            parts.push(tf_in(lang, "not tagged {tags}", &[&tags]));
        }
        for a in &self.attributes {
            parts.push(match a.op {
                AttributeOp::Equals => format!("{} = {}", a.key, a.value),
                AttributeOp::NotEquals => format!("{} ≠ {}", a.key, a.value),
                AttributeOp::Exists => tf_in(lang, "has {key}", &[&a.key]),
            });
        }
        match &self.followed {
            Some(FollowedRule::Before { date }) => {
                parts.push(tf_in(lang, "followed before {date}", &[date]))
            }
            Some(FollowedRule::After { date }) => {
                parts.push(tf_in(lang, "followed on or after {date}", &[date]))
            }
            Some(FollowedRule::WithinDays { days }) => {
                parts.push(tf_in(lang, "followed in the last {days} days", &[days]))
            }
            None => {}
        }
        if parts.is_empty() {
            t_in(lang, "all friends who have not blocked the account").into()
        } else {
            parts.join(sep)
        }
    }
}

/// The segment form as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SegmentInput {
    pub name: String,
    pub tags_any: String,
    pub tags_all: String,
    pub tags_none: String,
    pub attr_key: Vec<String>,
    pub attr_op: Vec<String>,
    pub attr_value: Vec<String>,
    /// `""`, `before`, `after` or `within_days`.
    pub followed_op: String,
    pub followed_value: String,
}

fn tag_list(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = raw
        .split([',', '、', '\n'])
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    tags
}

pub const MAX_SEGMENT_NAME: usize = 80;

impl SegmentInput {
    pub fn from_rules(name: &str, r: &SegmentRules) -> Self {
        let (followed_op, followed_value) = match &r.followed {
            None => (String::new(), String::new()),
            Some(FollowedRule::Before { date }) => ("before".into(), date.to_string()),
            Some(FollowedRule::After { date }) => ("after".into(), date.to_string()),
            Some(FollowedRule::WithinDays { days }) => ("within_days".into(), days.to_string()),
        };
        Self {
            name: name.to_string(),
            tags_any: r.tags_any.join(", "),
            tags_all: r.tags_all.join(", "),
            tags_none: r.tags_none.join(", "),
            attr_key: r.attributes.iter().map(|a| a.key.clone()).collect(),
            attr_op: r
                .attributes
                .iter()
                .map(|a| {
                    serde_json::to_value(a.op)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .collect(),
            attr_value: r.attributes.iter().map(|a| a.value.clone()).collect(),
            followed_op,
            followed_value,
        }
    }

    /// Parses the rules (the name is checked by [`SegmentInput::parse_name`]).
    pub fn parse_rules(&self) -> Result<SegmentRules, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut attributes = Vec::new();
        for (i, key) in self.attr_key.iter().enumerate() {
            let key = key.trim();
            if key.is_empty() {
                continue;
            }
            let value = self.attr_value.get(i).map(|v| v.trim()).unwrap_or("");
            let op = match self.attr_op.get(i).map(String::as_str).unwrap_or("equals") {
                "equals" => AttributeOp::Equals,
                "not_equals" => AttributeOp::NotEquals,
                "exists" => AttributeOp::Exists,
                other => {
                    errors.push(FieldError::new(
                        "attributes",
                        format!("Unknown attribute comparison {other:?}."),
                    ));
                    continue;
                }
            };
            if op != AttributeOp::Exists && value.is_empty() {
                errors.push(FieldError::new(
                    "attributes",
                    format!("Give a value to compare the attribute {key:?} with."),
                ));
            }
            for (text, max) in [(key, caps::ATTRIBUTE_KEY), (value, caps::ATTRIBUTE_VALUE)] {
                if let Err(e) = bounded("attributes", text, max) {
                    errors.push(e);
                }
            }
            attributes.push(AttributeRule {
                key: key.to_string(),
                op,
                value: value.to_string(),
            });
        }
        let v = self.followed_value.trim();
        let followed = match self.followed_op.as_str() {
            "" => None,
            "before" | "after" => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                Ok(date) if self.followed_op == "before" => Some(FollowedRule::Before { date }),
                Ok(date) => Some(FollowedRule::After { date }),
                Err(_) => {
                    errors.push(FieldError::new(
                        "followed",
                        "Enter the follow date as YYYY-MM-DD.",
                    ));
                    None
                }
            },
            "within_days" => match v.parse::<i64>() {
                Ok(days) if (1..=3650).contains(&days) => Some(FollowedRule::WithinDays { days }),
                _ => {
                    errors.push(FieldError::new(
                        "followed",
                        "Enter a number of days from 1 to 3650.",
                    ));
                    None
                }
            },
            other => {
                errors.push(FieldError::new(
                    "followed",
                    format!("Unknown follow-date rule {other:?}."),
                ));
                None
            }
        };
        let rules = SegmentRules {
            tags_any: tag_list(&self.tags_any),
            tags_all: tag_list(&self.tags_all),
            tags_none: tag_list(&self.tags_none),
            attributes,
            followed,
        };
        for (field, tags) in [
            ("tags_any", &rules.tags_any),
            ("tags_all", &rules.tags_all),
            ("tags_none", &rules.tags_none),
        ] {
            if let Some(long) = tags.iter().find(|t| t.chars().count() > caps::TAG) {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "A tag can have at most {} characters; \"{}\" has {}.",
                        caps::TAG,
                        excerpt(long, 20),
                        long.chars().count()
                    ),
                ));
            }
        }
        if rules.condition_count() > MAX_SEGMENT_CONDITIONS {
            errors.push(FieldError::new(
                "conditions",
                format!(
                    "A segment can have at most {MAX_SEGMENT_CONDITIONS} conditions (tags, attributes and the follow date together); this one has {}. Split it or use fewer tags.",
                    rules.condition_count()
                ),
            ));
        }
        if let Some(t) = rules
            .tags_none
            .iter()
            .find(|t| rules.tags_all.contains(t) || rules.tags_any.contains(t))
        {
            errors.push(FieldError::new(
                "tags_none",
                format!("The tag {t:?} is both required and excluded, so nobody could match."),
            ));
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    pub fn parse_name(&self) -> Result<String, FieldError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "Give the segment a name."));
        }
        if name.chars().count() > MAX_SEGMENT_NAME {
            return Err(FieldError::new(
                "name",
                format!("A segment name can have at most {MAX_SEGMENT_NAME} characters."),
            ));
        }
        Ok(name.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// CSV rows

/// One friend as a CSV row describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRecord {
    pub user_id: UserId,
    pub display_name: String,
    pub tags: Vec<String>,
    pub followed_at: i64,
    pub attributes: Vec<(String, String)>,
}

/// Where each known column is in the file.
#[derive(Debug, Clone)]
pub struct CsvColumns {
    user_id: usize,
    display_name: Option<usize>,
    tags: Option<usize>,
    followed_at: Option<usize>,
    attributes: Vec<(usize, String)>,
}

impl CsvColumns {
    /// Reads the header row: `user_id` is required; `display_name`, `tags`, `followed_at`
    /// and any `attr:NAME` columns are optional; other columns are an error (a typo would
    /// otherwise lose data silently).
    pub fn from_header(header: &[&str]) -> Result<Self, String> {
        let mut user_id = None;
        let mut display_name = None;
        let mut tags = None;
        let mut followed_at = None;
        let mut attributes = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim().trim_start_matches('\u{feff}');
            match name {
                "user_id" => user_id = Some(i),
                "display_name" => display_name = Some(i),
                "tags" => tags = Some(i),
                "followed_at" => followed_at = Some(i),
                n if n.starts_with("attr:") && n.len() > 5 => {
                    let key = n[5..].trim();
                    if key.chars().count() > caps::ATTRIBUTE_KEY {
                        return Err(format!(
                            "the column name attr:{} is longer than {} characters",
                            excerpt(key, 20),
                            caps::ATTRIBUTE_KEY
                        ));
                    }
                    attributes.push((i, key.to_string()))
                }
                other => {
                    return Err(format!(
                        "unknown column {other:?}; the columns are user_id, display_name, tags, followed_at and attr:NAME"
                    ));
                }
            }
        }
        let user_id = user_id.ok_or("the header has no user_id column")?;
        Ok(Self {
            user_id,
            display_name,
            tags,
            followed_at,
            attributes,
        })
    }

    /// Parses one data row. `default_followed_at` is used when the column is missing or
    /// empty.
    pub fn parse_row(
        &self,
        row: &[&str],
        tz: Tz,
        default_followed_at: i64,
    ) -> Result<FriendRecord, String> {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let user_id = UserId::parse(cell(Some(self.user_id)))?;
        let display_name = cell(self.display_name).to_string();
        if display_name.chars().count() > 200 {
            return Err("display_name is longer than 200 characters".into());
        }
        // A line break inside a cell is almost always a quote left open on an earlier
        // line, which pulls the rows after it into this one.
        if row.iter().any(|c| c.contains(['\n', '\r'])) {
            return Err("a value holds a line break: a quote (\") is probably not closed".into());
        }
        let tags = tag_list(&cell(self.tags).replace(['|', ';'], ","));
        if let Some(long) = tags.iter().find(|t| t.chars().count() > caps::TAG) {
            return Err(format!(
                "the tag \"{}\" is longer than {} characters",
                excerpt(long, 20),
                caps::TAG
            ));
        }
        let raw_time = cell(self.followed_at);
        let followed_at = if raw_time.is_empty() {
            default_followed_at
        } else {
            parse_follow_time(raw_time, tz).ok_or_else(|| {
                format!("followed_at {raw_time:?} is not a date (use 2026-04-01 or 2026-04-01T10:00:00+09:00)")
            })?
        };
        let attributes: Vec<(String, String)> = self
            .attributes
            .iter()
            .filter_map(|(i, k)| {
                let v = row.get(*i).map(|s| s.trim()).unwrap_or("");
                (!v.is_empty()).then(|| (k.clone(), v.to_string()))
            })
            .collect();
        if let Some((k, _)) = attributes
            .iter()
            .find(|(_, v)| v.chars().count() > caps::ATTRIBUTE_VALUE)
        {
            return Err(format!(
                "the value of attr:{k} is longer than {} characters",
                caps::ATTRIBUTE_VALUE
            ));
        }
        Ok(FriendRecord {
            user_id,
            display_name,
            tags,
            followed_at,
            attributes,
        })
    }
}

/// RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (local) or `YYYY-MM-DD` / `YYYY/MM/DD` (local midnight).
pub fn parse_follow_time(raw: &str, tz: Tz) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.timestamp());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(raw, f) {
            return tz.from_local_datetime(&n).earliest().map(|t| t.timestamp());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(raw, f) {
            return Some(local_midnight(d, tz));
        }
    }
    None
}

/// Decodes an uploaded file: UTF-8 with or without BOM, or Shift_JIS (Excel on Japanese
/// Windows). Anything else is refused with how to re-save it. UTF-8 is taken over without
/// a copy: a million-row file is tens of megabytes.
pub fn decode_csv(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(s) => return Ok(s),
        Err(e) => e.into_bytes(),
    };
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    if had_errors {
        return Err("The file is neither UTF-8 nor Shift_JIS. In Excel, use File > Save As > \"CSV UTF-8 (comma delimited)\" and import that file.".into());
    }
    Ok(text.into_owned())
}

// ---------------------------------------------------------------------------------------
// Webhook

/// Checks `x-line-signature`: base64 of HMAC-SHA256 over the raw body with the channel
/// secret, compared in constant time.
pub fn verify_signature(channel_secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(channel_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// Signs a body as LINE does (for tests and the demo).
pub fn sign(channel_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(channel_secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookAction {
    /// `at_ms` is LINE's event timestamp in milliseconds: events are applied in that order,
    /// whatever order they arrive in.
    Follow {
        user_id: UserId,
        at_ms: i64,
        is_unblocked: bool,
        /// The event's reply token (single-use, short-lived), when LINE sent one.
        reply_token: Option<String>,
    },
    Unfollow {
        user_id: UserId,
        at_ms: i64,
    },
    /// A text message a user sent to the account (a tester's pairing code travels this
    /// way). Nothing else of a customer's message is kept.
    Message {
        user_id: UserId,
        text: String,
        at_ms: i64,
    },
    /// Any other event, or one from a group: accepted and ignored.
    Ignore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub event_id: Option<String>,
    pub is_redelivery: bool,
    pub action: WebhookAction,
}

/// Parses a webhook body into events. Unknown event types become `Ignore`.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<WebhookEvent>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let events = v
        .get("events")
        .and_then(|e| e.as_array())
        .ok_or("the body has no events array")?;
    Ok(events
        .iter()
        .map(|e| {
            let event_id = e
                .get("webhookEventId")
                .and_then(|x| x.as_str())
                .map(str::to_string);
            let is_redelivery = e
                .pointer("/deliveryContext/isRedelivery")
                .and_then(|x| x.as_bool())
                .unwrap_or(false);
            let at_ms = e.get("timestamp").and_then(|x| x.as_i64()).unwrap_or(0);
            let user = e
                .pointer("/source/userId")
                .and_then(|x| x.as_str())
                .filter(|_| e.pointer("/source/type").and_then(|t| t.as_str()) == Some("user"))
                .and_then(|u| UserId::parse(u).ok());
            let action = match (e.get("type").and_then(|t| t.as_str()), user) {
                (Some("follow"), Some(user_id)) => WebhookAction::Follow {
                    user_id,
                    at_ms,
                    is_unblocked: e
                        .pointer("/follow/isUnblocked")
                        .and_then(|x| x.as_bool())
                        .unwrap_or(false),
                    reply_token: e
                        .get("replyToken")
                        .and_then(|x| x.as_str())
                        .map(str::to_string),
                },
                (Some("unfollow"), Some(user_id)) => WebhookAction::Unfollow { user_id, at_ms },
                (Some("message"), Some(user_id))
                    if e.pointer("/message/type").and_then(|t| t.as_str()) == Some("text") =>
                {
                    WebhookAction::Message {
                        user_id,
                        // A pairing code is short; a long message is no code and is not kept.
                        text: e
                            .pointer("/message/text")
                            .and_then(|t| t.as_str())
                            .unwrap_or_default()
                            .chars()
                            .take(200)
                            .collect(),
                        at_ms,
                    }
                }
                _ => WebhookAction::Ignore,
            };
            WebhookEvent {
                event_id,
                is_redelivery,
                action,
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Snapshots and drift

/// Incremental SHA-256 over a recipient list in user-id order, one id per line.
#[derive(Default)]
pub struct SnapshotHasher(Sha256);

impl SnapshotHasher {
    pub fn new() -> Self {
        Self(Sha256::new())
    }

    pub fn add(&mut self, user_id: &str) {
        self.0.update(user_id.as_bytes());
        self.0.update(b"\n");
    }

    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// Whether a broadcast's friend count moved more than `max_percent` since its preview.
pub fn drifted(previewed: i64, now: i64, max_percent: i64) -> bool {
    if previewed == 0 {
        return now != 0;
    }
    let diff = (now - previewed).abs() as f64;
    diff * 100.0 / previewed as f64 > max_percent as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const U1: &str = "U0123456789abcdef0123456789abcdef";

    #[test]
    fn user_ids_are_u_and_32_lowercase_hex_digits() {
        assert!(UserId::parse(U1).is_ok());
        assert!(UserId::parse(&U1.to_uppercase()).is_err());
        assert!(UserId::parse("U123").is_err());
        assert!(UserId::parse(&format!("C{}", &U1[1..])).is_err());
    }

    #[test]
    fn a_signature_made_with_the_secret_verifies_and_any_change_fails() {
        let body = br#"{"destination":"U1","events":[]}"#;
        let sig = sign("secret", body);
        assert!(verify_signature("secret", body, &sig));
        assert!(!verify_signature("other secret", body, &sig));
        assert!(!verify_signature(
            "secret",
            br#"{"destination":"U2","events":[]}"#,
            &sig
        ));
        assert!(!verify_signature("secret", body, "not base64!"));
        assert!(!verify_signature("secret", body, ""));
    }

    #[test]
    fn follow_unfollow_and_unknown_events_are_parsed() {
        let body = format!(
            r#"{{"destination":"Uxx","events":[
              {{"type":"follow","timestamp":1700000000000,"webhookEventId":"01A","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{U1}"}},"follow":{{"isUnblocked":true}},"replyToken":"r"}},
              {{"type":"unfollow","timestamp":1700000001000,"webhookEventId":"01B","deliveryContext":{{"isRedelivery":true}},"source":{{"type":"user","userId":"{U1}"}}}},
              {{"type":"message","timestamp":1,"webhookEventId":"01C","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{U1}"}},"message":{{"type":"sticker","id":"1"}}}},
              {{"type":"message","timestamp":2,"webhookEventId":"01D","deliveryContext":{{"isRedelivery":false}},"source":{{"type":"user","userId":"{U1}"}},"message":{{"type":"text","id":"2","text":"SG-1234-5678"}}}}
            ]}}"#
        );
        let events = parse_webhook(body.as_bytes()).unwrap();
        assert_eq!(
            events[0].action,
            WebhookAction::Follow {
                user_id: UserId::parse(U1).unwrap(),
                at_ms: 1_700_000_000_000,
                is_unblocked: true,
                reply_token: Some("r".into()),
            }
        );
        assert!(events[1].is_redelivery);
        assert!(matches!(events[1].action, WebhookAction::Unfollow { .. }));
        assert_eq!(events[2].action, WebhookAction::Ignore);
        assert_eq!(events[2].event_id.as_deref(), Some("01C"));
        assert_eq!(
            events[3].action,
            WebhookAction::Message {
                user_id: UserId::parse(U1).unwrap(),
                text: "SG-1234-5678".into(),
                at_ms: 2
            }
        );
    }

    #[test]
    fn a_csv_header_with_an_unknown_column_is_refused_by_name() {
        let err = CsvColumns::from_header(&["user_id", "nmae"]).unwrap_err();
        assert!(err.contains("\"nmae\""));
        assert!(CsvColumns::from_header(&["display_name"]).is_err());
    }

    #[test]
    fn a_csv_row_parses_tags_dates_and_attributes() {
        let cols = CsvColumns::from_header(&[
            "\u{feff}user_id",
            "display_name",
            "tags",
            "followed_at",
            "attr:plan",
        ])
        .unwrap();
        let r = cols
            .parse_row(
                &[U1, "佐藤 花子", "vip|tokyo", "2026-04-01", "gold"],
                chrono_tz::Asia::Tokyo,
                0,
            )
            .unwrap();
        assert_eq!(r.tags, ["vip", "tokyo"]);
        assert_eq!(r.followed_at, 1_774_969_200, "midnight in Tokyo");
        assert_eq!(r.attributes, [("plan".to_string(), "gold".to_string())]);
        let bad = cols.parse_row(&["U1", "", "", "", ""], chrono_tz::Asia::Tokyo, 0);
        assert!(bad.unwrap_err().contains("not a LINE user id"));
        let bad = cols.parse_row(&[U1, "", "", "yesterday", ""], chrono_tz::Asia::Tokyo, 0);
        assert!(bad.unwrap_err().contains("followed_at"));
    }

    #[test]
    fn shift_jis_files_are_decoded_and_other_bytes_refused() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("user_id,display_name\n");
        assert_eq!(
            decode_csv(sjis.into_owned()).unwrap(),
            "user_id,display_name\n"
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("佐藤");
        assert_eq!(decode_csv(sjis.into_owned()).unwrap(), "佐藤");
        assert_eq!(decode_csv(b"\xEF\xBB\xBFabc".to_vec()).unwrap(), "abc");
        assert!(decode_csv(vec![0x82, 0xff, 0xff, 0x00, 0x81]).is_err());
    }

    #[test]
    fn segment_rules_parse_from_the_form_and_describe_themselves() {
        let input = SegmentInput {
            name: "VIP".into(),
            tags_any: "vip".into(),
            tags_none: "churned".into(),
            followed_op: "within_days".into(),
            followed_value: "90".into(),
            ..Default::default()
        };
        let rules = input.parse_rules().unwrap();
        assert_eq!(rules.tags_any, ["vip"]);
        assert_eq!(rules.followed, Some(FollowedRule::WithinDays { days: 90 }));
        assert_eq!(
            rules.describe(),
            "tagged any of vip; not tagged churned; followed in the last 90 days"
        );
        let back = SegmentInput::from_rules("VIP", &rules)
            .parse_rules()
            .unwrap();
        assert_eq!(back, rules);
    }

    #[test]
    fn contradictory_or_incomplete_segment_rules_are_refused() {
        let input = SegmentInput {
            tags_all: "vip".into(),
            tags_none: "vip".into(),
            attr_key: vec!["plan".into()],
            attr_op: vec!["equals".into()],
            attr_value: vec!["".into()],
            followed_op: "within_days".into(),
            followed_value: "0".into(),
            ..Default::default()
        };
        let fields: Vec<String> = input
            .parse_rules()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["attributes", "followed", "tags_none"]);
    }

    #[test]
    fn a_within_days_window_starts_n_days_ago() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let rules = SegmentRules {
            followed: Some(FollowedRule::WithinDays { days: 90 }),
            ..Default::default()
        };
        let w = rules.follow_window(now, chrono_tz::Asia::Tokyo);
        assert_eq!(w.from, Some((now - Duration::days(90)).timestamp()));
        assert_eq!(w.until, None);
    }

    #[test]
    fn drift_is_measured_against_the_previewed_count() {
        assert!(!drifted(1000, 1050, 5));
        assert!(drifted(1000, 1051, 5));
        assert!(drifted(1000, 949, 5));
        assert!(!drifted(0, 0, 5));
    }

    #[test]
    fn the_snapshot_hash_depends_on_every_recipient() {
        let mut a = SnapshotHasher::new();
        a.add(U1);
        let mut b = SnapshotHasher::new();
        b.add(U1);
        b.add(U1);
        assert_ne!(a.finish(), b.finish());
    }
}

// ---------------------------------------------------------------------------------------
// Gate rule 4

/// What the gate needs to know about the newest preview of the current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewFacts {
    pub content_hash: String,
    pub taken_at: DateTime<Utc>,
    pub acknowledged: bool,
    pub is_broadcast: bool,
    pub friend_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewGate {
    Ok,
    Missing,
    /// The preview is of other content than the current revision.
    Stale,
    NotAcknowledged,
    Expired {
        minutes_old: i64,
    },
    Drifted {
        previewed: i64,
        now: i64,
    },
}

impl PreviewGate {
    pub fn is_ok(&self) -> bool {
        *self == PreviewGate::Ok
    }

    pub fn explain(&self) -> String {
        match self {
            PreviewGate::Ok => "Previewed and acknowledged.".into(),
            PreviewGate::Missing => {
                "Take an audience preview of this revision and acknowledge it.".into()
            }
            PreviewGate::Stale => {
                "The preview was taken of different content; take a new one.".into()
            }
            PreviewGate::NotAcknowledged => {
                "The preview was taken but nobody acknowledged it yet.".into()
            }
            PreviewGate::Expired { minutes_old } => format!(
                "The preview is {} old, older than the policy allows; take a new one.",
                if *minutes_old >= 120 {
                    format!("{} hours", minutes_old / 60)
                } else {
                    format!("{minutes_old} minutes")
                }
            ),
            PreviewGate::Drifted { previewed, now } => format!(
                "The friend count changed from {} to {} since the preview, more than the policy allows; take a new one.",
                super::message::with_commas(previewed.unsigned_abs() as usize),
                super::message::with_commas(now.unsigned_abs() as usize)
            ),
        }
    }
}

/// Gate rule 4 for the current revision.
pub fn preview_gate(
    preview: Option<&PreviewFacts>,
    current_content_hash: &str,
    now: DateTime<Utc>,
    max_age_minutes: i64,
    max_drift_percent: i64,
    friend_count_now: i64,
) -> PreviewGate {
    let Some(p) = preview else {
        return PreviewGate::Missing;
    };
    if p.content_hash != current_content_hash {
        return PreviewGate::Stale;
    }
    if !p.acknowledged {
        return PreviewGate::NotAcknowledged;
    }
    let age = (now - p.taken_at).num_minutes();
    if age >= max_age_minutes {
        return PreviewGate::Expired { minutes_old: age };
    }
    if p.is_broadcast && drifted(p.friend_count, friend_count_now, max_drift_percent) {
        return PreviewGate::Drifted {
            previewed: p.friend_count,
            now: friend_count_now,
        };
    }
    PreviewGate::Ok
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    fn facts(broadcast: bool) -> PreviewFacts {
        PreviewFacts {
            content_hash: "h".into(),
            taken_at: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
            acknowledged: true,
            is_broadcast: broadcast,
            friend_count: 1000,
        }
    }

    fn at(hours: i64) -> DateTime<Utc> {
        facts(true).taken_at + Duration::hours(hours)
    }

    #[test]
    fn an_acknowledged_fresh_preview_of_this_content_is_green() {
        assert_eq!(
            preview_gate(Some(&facts(true)), "h", at(1), 1440, 5, 1000),
            PreviewGate::Ok
        );
    }

    #[test]
    fn each_missing_piece_turns_it_red_with_its_reason() {
        assert_eq!(
            preview_gate(None, "h", at(1), 1440, 5, 1000),
            PreviewGate::Missing
        );
        assert_eq!(
            preview_gate(Some(&facts(true)), "other", at(1), 1440, 5, 1000),
            PreviewGate::Stale
        );
        let mut f = facts(true);
        f.acknowledged = false;
        assert_eq!(
            preview_gate(Some(&f), "h", at(1), 1440, 5, 1000),
            PreviewGate::NotAcknowledged
        );
        assert_eq!(
            preview_gate(Some(&facts(true)), "h", at(24), 1440, 5, 1000),
            PreviewGate::Expired { minutes_old: 1440 }
        );
    }

    #[test]
    fn broadcast_drift_turns_it_red_but_segment_snapshots_do_not_drift() {
        assert_eq!(
            preview_gate(Some(&facts(true)), "h", at(1), 1440, 5, 1060),
            PreviewGate::Drifted {
                previewed: 1000,
                now: 1060
            }
        );
        assert_eq!(
            preview_gate(Some(&facts(false)), "h", at(1), 1440, 5, 1060),
            PreviewGate::Ok
        );
    }
}
