//! The one seam to the outside world (DESIGN section 6). Everything that leaves sendgate
//! goes through a [`DeliveryProvider`]: the sandbox, which records what would be sent, or
//! the LINE Messaging API. The dispatcher and the services depend only on this trait.
//!
//! Besides sending batches it answers a webhook event with a reply ([`Reply`], free, one
//! use of a short-lived token) and reads LINE's statistics of what was sent (by request
//! id for a broadcast, by unit name for multicasts).

pub mod line;
pub mod pacing;
pub mod quota;
pub mod sandbox;

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::gate::QuotaReading;
use crate::domain::insight::{AggregationUnit, Figures};
use crate::domain::revision::RevisionContent;

/// How a batch reaches its recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One user (test sends): LINE's push.
    Push { to: String },
    /// Up to 500 user ids: LINE's multicast.
    Multicast { to: Vec<String> },
    /// Every friend of the account: LINE's broadcast.
    Broadcast,
}

impl Audience {
    /// The matching `/v2/bot/message/validate/*` endpoint's last segment.
    pub fn method(&self) -> &'static str {
        match self {
            Audience::Push { .. } => "push",
            Audience::Multicast { .. } => "multicast",
            Audience::Broadcast => "broadcast",
        }
    }
}

/// One API call's worth of sending. `retry_key` is stored before the first attempt and
/// sent as `X-Line-Retry-Key` on every attempt, so a retry never sends twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub audience: Audience,
    /// 1 to 5 LINE message objects, exactly as the Messaging API takes them.
    pub messages: Vec<Value>,
    pub notification_disabled: bool,
    pub retry_key: Uuid,
    /// The `customAggregationUnits` name LINE aggregates statistics under (push and
    /// multicast only; a broadcast is read by its request id instead).
    pub aggregation_unit: Option<AggregationUnit>,
}

impl Batch {
    /// A revision's messages, exactly as LINE takes them, for `audience` under `retry_key`.
    pub fn of(content: &RevisionContent, audience: Audience, retry_key: Uuid) -> Self {
        Batch {
            audience,
            messages: messages_of(content),
            notification_disabled: content.notification_disabled(),
            retry_key,
            aggregation_unit: None,
        }
    }

    /// The same batch counted under `unit` (a broadcast takes none: it is left without).
    pub fn with_aggregation_unit(mut self, unit: Option<AggregationUnit>) -> Self {
        self.aggregation_unit = unit.filter(|_| self.audience != Audience::Broadcast);
        self
    }
}

fn messages_of(content: &RevisionContent) -> Vec<Value> {
    content
        .messages()
        .iter()
        .map(|m| m.to_line_json())
        .collect()
}

/// An answer to one webhook event (a follow, a message) with the event's `replyToken`.
/// Replies are free: they use none of the monthly quota. LINE takes no retry key here.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub reply_token: String,
    /// 1 to 5 LINE message objects.
    pub messages: Vec<Value>,
    pub notification_disabled: bool,
}

impl Reply {
    /// A revision's messages as a reply with `reply_token`.
    pub fn of(content: &RevisionContent, reply_token: impl Into<String>) -> Self {
        Reply {
            reply_token: reply_token.into(),
            messages: messages_of(content),
            notification_disabled: content.notification_disabled(),
        }
    }
}

/// What the provider said when it took a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replied {
    pub request_id: Option<String>,
    /// LINE's ids of the sent messages, one per message object.
    pub message_ids: Vec<String>,
}

/// Why a reply was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// LINE's 400 "Invalid reply token": the token expired (LINE wants it used within a
    /// minute of the event), was used already, or was never issued. Nothing was sent, and
    /// the token will never work: a caller that must still reach the friend pushes
    /// instead (with a retry key; a push uses quota).
    #[error("the reply token can no longer be used: {0}")]
    TokenUnusable(String),
    /// Anything else, as for a batch. A [`DeliveryError::Retryable`] after a timeout
    /// leaves the outcome unknown: LINE may have taken the reply, and a second attempt
    /// then answers "Invalid reply token" because the token was used. A caller that
    /// falls back to a push only on [`ReplyError::TokenUnusable`] after such an attempt
    /// may greet twice; it should record the outcome as unknown instead.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

/// LINE's answer to a reply that names a token it will not take.
pub const INVALID_REPLY_TOKEN: &str = "Invalid reply token";

/// What the provider said when it took a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// LINE's `X-Line-Request-Id` (or the sandbox's own id).
    pub request_id: Option<String>,
    /// True when LINE answered 409 "retry key already accepted": an earlier attempt with
    /// the same key was taken, so this batch counts as sent.
    pub duplicate: bool,
}

/// The account's monthly message allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// `None` when the plan has no limit.
    pub limit: Option<i64>,
    pub used: i64,
}

impl Quota {
    pub fn remaining(&self) -> Option<i64> {
        self.limit.map(|l| (l - self.used).max(0))
    }

    /// What the gate reads of a quota answer (`Unknown` when LINE could not be asked).
    pub fn reading(answer: &Result<Quota, DeliveryError>) -> QuotaReading {
        match answer {
            Ok(Quota {
                limit: Some(limit),
                used,
            }) => QuotaReading::Limited {
                limit: *limit,
                used: *used,
            },
            Ok(Quota { limit: None, .. }) => QuotaReading::Unlimited,
            Err(_) => QuotaReading::Unknown,
        }
    }
}

/// Why a call failed, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Try again later with the same retry key: 500s, timeouts, connection errors and rate
    /// limits (429 that is not the monthly limit).
    #[error("temporary failure: {0}")]
    Retryable(String),
    /// The monthly quota is used up (429 "You have reached your monthly limit.").
    #[error("{0}")]
    QuotaExceeded(String),
    /// Refused for good (4xx): LINE's message and details, word for word.
    #[error("{message}")]
    Rejected {
        status: u16,
        message: String,
        /// `(property, message)` pairs from LINE's `details`.
        details: Vec<(String, String)>,
    },
}

impl DeliveryError {
    /// LINE's message with its details, as the person should read it.
    pub fn describe(&self) -> String {
        match self {
            DeliveryError::Rejected {
                message, details, ..
            } if !details.is_empty() => {
                let parts: Vec<String> = details
                    .iter()
                    .map(|(p, m)| {
                        if p.is_empty() {
                            m.clone()
                        } else {
                            format!("{p}: {m}")
                        }
                    })
                    .collect();
                format!("{message} ({})", parts.join("; "))
            }
            other => other.to_string(),
        }
    }
}

#[async_trait::async_trait]
pub trait DeliveryProvider: Send + Sync + 'static {
    /// `"sandbox"` or `"line"`.
    fn name(&self) -> &'static str;

    /// Asks the provider whether these messages would be accepted for this kind of send.
    async fn validate(&self, audience: &Audience, messages: &[Value]) -> Result<(), DeliveryError>;

    /// Sends one batch (push, multicast or broadcast).
    async fn send(&self, batch: &Batch) -> Result<Accepted, DeliveryError>;

    /// This month's allowance and use.
    async fn quota(&self) -> Result<Quota, DeliveryError>;

    /// Answers a webhook event with its reply token (LINE: `POST /v2/bot/message/reply`).
    /// A token works once, for a short time; see [`ReplyError::TokenUnusable`].
    async fn reply(&self, reply: &Reply) -> Result<Replied, ReplyError>;

    /// LINE's statistics of a broadcast, by the request id its send was accepted under
    /// (`GET /v2/bot/insight/message/event`).
    async fn insight_by_request(&self, request_id: &str) -> Result<Figures, DeliveryError>;

    /// LINE's statistics of every push and multicast sent under `unit` on the days `from`
    /// to `to` (UTC+9, at most 30 days apart; `GET /v2/bot/insight/message/event/aggregation`).
    async fn insight_by_unit(
        &self,
        unit: &AggregationUnit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Figures, DeliveryError>;

    /// The request rates the provider enforces, per send method, for the dispatcher's
    /// [`pacing::Pacer`]. None by default.
    fn rate_limits(&self) -> Vec<(&'static str, pacing::Rate)> {
        Vec::new()
    }
}
