//! The one seam to the outside world (DESIGN section 6). Everything that leaves sendgate
//! goes through a [`DeliveryProvider`]: the sandbox, which records what would be sent, or
//! the LINE Messaging API. The dispatcher and the services depend only on this trait.

pub mod line;
pub mod pacing;
pub mod quota;
pub mod sandbox;

use serde_json::Value;
use uuid::Uuid;

use crate::domain::gate::QuotaReading;
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
}

impl Batch {
    /// A revision's messages, exactly as LINE takes them, for `audience` under `retry_key`.
    pub fn of(content: &RevisionContent, audience: Audience, retry_key: Uuid) -> Self {
        Batch {
            audience,
            messages: content
                .messages()
                .iter()
                .map(|m| m.to_line_json())
                .collect(),
            notification_disabled: content.notification_disabled(),
            retry_key,
        }
    }
}

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

    /// The request rates the provider enforces, per send method, for the dispatcher's
    /// [`pacing::Pacer`]. None by default.
    fn rate_limits(&self) -> Vec<(&'static str, pacing::Rate)> {
        Vec::new()
    }
}
