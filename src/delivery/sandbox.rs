//! The sandbox provider (the default when no LINE token is configured): it accepts what
//! LINE would accept, writes what would be sent into the outbox tables, and shows it at
//! `/sandbox`. Nothing leaves the machine. It honours retry keys and a monthly quota like
//! LINE, so the whole product behaves the same in both modes.
//!
//! Replies take a token the sandbox issued ([`issue_reply_token`]) for a stand-in webhook
//! event; like LINE's it works once and for [`REPLY_TOKEN_LIFETIME`], and a reply lands in
//! that friend's inbox like a push, free of quota. Statistics are made up, plausibly and
//! deterministically, from what the sandbox sent ([`crate::domain::insight::sandbox_figures`]),
//! so the demo shows opens and clicks.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use sqlx::SqlitePool;
use uuid::Uuid;

use super::{
    Accepted, Audience, Batch, DeliveryError, DeliveryProvider, INVALID_REPLY_TOKEN, Quota,
    Replied, Reply, ReplyError,
};
use crate::clock::Clock;
use crate::db;
use crate::domain::insight::{self, AggregationUnit, Figures, SandboxSend};
use crate::domain::message::Message;

/// How long a sandbox reply token works: LINE asks for a reply within a minute.
pub const REPLY_TOKEN_LIFETIME: chrono::Duration = chrono::Duration::seconds(60);

/// A reply token for `user_id`, as LINE puts one in a follow or message event. Whatever
/// stands in for LINE's webhook in sandbox mode hands it to the code answering the event.
pub async fn issue_reply_token(
    pool: &SqlitePool,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = Uuid::new_v4().simple().to_string();
    db::sandbox::insert_reply_token(pool, &token, user_id, now).await?;
    Ok(token)
}

/// The batch id in a request id the sandbox gave (`sandbox-{id}-{uuid}`, or `sandbox-{id}`
/// on a duplicate).
fn batch_of_request(request_id: &str) -> Option<i64> {
    request_id
        .strip_prefix("sandbox-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// The UTC instant a UTC+9 day starts at.
fn line_day_start(day: NaiveDate) -> DateTime<Utc> {
    let zone = chrono::FixedOffset::east_opt(9 * 3600).expect("UTC+9");
    zone.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn figures_of(batches: &[db::sandbox::SentBatch], now: DateTime<Utc>, broadcast: bool) -> Figures {
    let messages: Vec<Vec<Value>> = batches
        .iter()
        .map(|b| serde_json::from_str(&b.messages).unwrap_or_default())
        .collect();
    let sends: Vec<SandboxSend<'_>> = batches
        .iter()
        .zip(&messages)
        .map(|(b, m)| SandboxSend {
            id: b.id,
            recipients: b.recipients,
            messages: m,
            sent_at: b.sent_at,
        })
        .collect();
    insight::sandbox_figures(&sends, now, broadcast)
}

pub struct Sandbox {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    /// The plan's monthly limit; `None` for unlimited.
    monthly_limit: Option<i64>,
}

impl Sandbox {
    pub fn new(pool: SqlitePool, clock: Arc<dyn Clock>, monthly_limit: Option<i64>) -> Self {
        Self {
            pool,
            clock,
            monthly_limit,
        }
    }

    /// LINE counts quota per calendar month in Japan time.
    fn month_start(&self) -> chrono::DateTime<Utc> {
        let now = self.clock.now().with_timezone(&chrono_tz::Asia::Tokyo);
        chrono_tz::Asia::Tokyo
            .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now())
    }
}

fn internal(e: sqlx::Error) -> DeliveryError {
    DeliveryError::Retryable(format!("sandbox database: {e}"))
}

/// The same checks LINE applies, with LINE's error shape.
fn check_messages(messages: &[Value]) -> Result<(), DeliveryError> {
    let mut details = Vec::new();
    if messages.is_empty() || messages.len() > 5 {
        details.push((
            "messages".to_string(),
            "Size must be between 1 and 5".to_string(),
        ));
    }
    for (i, m) in messages.iter().enumerate() {
        if let Err(errors) = Message::from_line_json(m.clone()) {
            for e in errors {
                details.push((format!("messages[{i}].{}", e.field), e.message));
            }
        }
    }
    if details.is_empty() {
        Ok(())
    } else {
        Err(DeliveryError::Rejected {
            status: 400,
            message: format!("The request body has {} error(s)", details.len()),
            details,
        })
    }
}

#[async_trait::async_trait]
impl DeliveryProvider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn validate(
        &self,
        _audience: &Audience,
        messages: &[Value],
    ) -> Result<(), DeliveryError> {
        check_messages(messages)
    }

    async fn send(&self, batch: &Batch) -> Result<Accepted, DeliveryError> {
        check_messages(&batch.messages)?;
        let key = batch.retry_key.to_string();
        let mut tx = db::begin_write(&self.pool).await.map_err(internal)?;
        if let Some(id) = db::sandbox::batch_for_key(&mut *tx, &key)
            .await
            .map_err(internal)?
        {
            return Ok(Accepted {
                request_id: Some(format!("sandbox-{id}")),
                duplicate: true,
            });
        }
        let recipients: Option<Vec<String>> = match &batch.audience {
            Audience::Push { to } => {
                let ok = db::sandbox::deliverable(&mut tx, std::slice::from_ref(to))
                    .await
                    .map_err(internal)?;
                if ok.is_empty() {
                    return Err(DeliveryError::Rejected {
                        status: 400,
                        message: "Failed to send messages".into(),
                        details: vec![(
                            "to".into(),
                            format!("{to} is not a friend of this account"),
                        )],
                    });
                }
                Some(ok)
            }
            Audience::Multicast { to } => {
                if to.is_empty() || to.len() > 500 {
                    return Err(DeliveryError::Rejected {
                        status: 400,
                        message: "The request body has 1 error(s)".into(),
                        details: vec![("to".into(), "Size must be between 1 and 500".into())],
                    });
                }
                Some(
                    db::sandbox::deliverable(&mut tx, to)
                        .await
                        .map_err(internal)?,
                )
            }
            Audience::Broadcast => None,
        };
        let count = match &recipients {
            Some(r) => r.len() as i64,
            None => db::friends::count_following(&mut *tx)
                .await
                .map_err(internal)?,
        };
        if let Some(limit) = self.monthly_limit {
            let used = db::sandbox::used_since(&mut *tx, self.month_start())
                .await
                .map_err(internal)?;
            if used + count > limit {
                return Err(DeliveryError::QuotaExceeded(
                    "You have reached your monthly limit.".into(),
                ));
            }
        }
        let messages = Value::Array(batch.messages.clone()).to_string();
        let id = db::sandbox::insert_batch(
            &mut *tx,
            &db::sandbox::NewBatch {
                retry_key: &key,
                method: batch.audience.method(),
                messages: &messages,
                notification_disabled: batch.notification_disabled,
                recipients: count,
                aggregation_unit: batch.aggregation_unit.as_ref().map(|u| u.as_str()),
            },
            self.clock.now(),
        )
        .await
        .map_err(internal)?;
        match recipients {
            Some(r) => db::sandbox::deliver_to(&mut tx, id, &r)
                .await
                .map_err(internal)?,
            None => {
                db::sandbox::deliver_to_all(&mut *tx, id)
                    .await
                    .map_err(internal)?;
            }
        }
        tx.commit().await.map_err(internal)?;
        Ok(Accepted {
            request_id: Some(format!("sandbox-{id}-{}", Uuid::new_v4())),
            duplicate: false,
        })
    }

    async fn quota(&self) -> Result<Quota, DeliveryError> {
        let used = db::sandbox::used_since(&self.pool, self.month_start())
            .await
            .map_err(internal)?;
        Ok(Quota {
            limit: self.monthly_limit,
            used,
        })
    }

    async fn reply(&self, reply: &Reply) -> Result<Replied, ReplyError> {
        check_messages(&reply.messages)?;
        let now = self.clock.now();
        let mut tx = db::begin_write(&self.pool).await.map_err(internal)?;
        let Some(user_id) = db::sandbox::use_reply_token(
            &mut *tx,
            &reply.reply_token,
            now - REPLY_TOKEN_LIFETIME,
            now,
        )
        .await
        .map_err(internal)?
        else {
            return Err(ReplyError::TokenUnusable(INVALID_REPLY_TOKEN.into()));
        };
        let to = db::sandbox::deliverable(&mut tx, std::slice::from_ref(&user_id))
            .await
            .map_err(internal)?;
        let messages = Value::Array(reply.messages.clone()).to_string();
        // Replies carry no retry key; the single-use token keeps them from going twice.
        let key = format!("reply-{}", Uuid::new_v4());
        let id = db::sandbox::insert_batch(
            &mut *tx,
            &db::sandbox::NewBatch {
                retry_key: &key,
                method: "reply",
                messages: &messages,
                notification_disabled: reply.notification_disabled,
                recipients: to.len() as i64,
                aggregation_unit: None,
            },
            now,
        )
        .await
        .map_err(internal)?;
        db::sandbox::deliver_to(&mut tx, id, &to)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(Replied {
            request_id: Some(format!("sandbox-{id}-{}", Uuid::new_v4())),
            message_ids: (0..reply.messages.len())
                .map(|i| format!("{id}{i:02}"))
                .collect(),
        })
    }

    async fn insight_by_request(&self, request_id: &str) -> Result<Figures, DeliveryError> {
        let batch = match batch_of_request(request_id) {
            Some(id) => db::sandbox::sent_batch(&self.pool, id)
                .await
                .map_err(internal)?,
            None => None,
        };
        // Like LINE for a request it does not know of: nothing to report.
        let Some(batch) = batch.filter(|b| b.method == "broadcast") else {
            return Ok(Figures::default());
        };
        Ok(figures_of(&[batch], self.clock.now(), true))
    }

    async fn insight_by_unit(
        &self,
        unit: &AggregationUnit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Figures, DeliveryError> {
        let batches = db::sandbox::sent_under_unit(
            &self.pool,
            unit.as_str(),
            line_day_start(from),
            line_day_start(to + chrono::Duration::days(1)),
        )
        .await
        .map_err(internal)?;
        Ok(figures_of(&batches, self.clock.now(), false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_is_found_in_the_sandboxs_request_ids() {
        assert_eq!(
            batch_of_request("sandbox-12-6f1c0e4e-1b2a-4b8e-9a55-2b2d3f8f0f10"),
            Some(12)
        );
        assert_eq!(batch_of_request("sandbox-7"), Some(7));
        assert_eq!(
            batch_of_request("f70dd685-499a-4231-a441-f24b8d4fba21"),
            None
        );
        assert_eq!(batch_of_request("sandbox-x"), None);
    }

    #[test]
    fn a_line_day_starts_at_midnight_in_utc_plus_9() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(
            line_day_start(day),
            Utc.with_ymd_and_hms(2026, 11, 19, 15, 0, 0).unwrap()
        );
    }
}
