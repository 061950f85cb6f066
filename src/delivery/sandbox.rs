//! The sandbox provider (the default when no LINE token is configured): it accepts what
//! LINE would accept, writes what would be sent into the outbox tables, and shows it at
//! `/sandbox`. Nothing leaves the machine. It honours retry keys and a monthly quota like
//! LINE, so the whole product behaves the same in both modes.

use std::sync::Arc;

use chrono::{Datelike, TimeZone, Utc};
use serde_json::Value;
use sqlx::SqlitePool;
use uuid::Uuid;

use super::{Accepted, Audience, Batch, DeliveryError, DeliveryProvider, Quota};
use crate::clock::Clock;
use crate::db;
use crate::domain::message::Message;

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
            &key,
            batch.audience.method(),
            &messages,
            batch.notification_disabled,
            count,
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
}
