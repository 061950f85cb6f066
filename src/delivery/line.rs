//! The LINE Messaging API client: the `line` [`DeliveryProvider`] (DESIGN section 6).
//!
//! It owns the wire format (push, multicast and broadcast bodies with their
//! `customAggregationUnits`, reply, the validate and quota endpoints, and the two insight
//! endpoints) and the mapping of LINE's answers onto [`DeliveryError`], following LINE's
//! retry-key rules: 2xx is sent; 409 "retry key already accepted" is also sent (an earlier
//! attempt with the same key was taken); 500/502/503/504, timeouts, connection errors and
//! rate-limit 429s are retried with the same key; the monthly-limit 429 is
//! [`DeliveryError::QuotaExceeded`]; any other status is refused for good with LINE's
//! message and details word for word.
//!
//! It guards one more rule: the channel access token never appears in logs, `Debug`
//! output or errors.

use std::fmt;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::pacing::{INSIGHT, Rate};
use super::{
    Accepted, Audience, Batch, DeliveryError, DeliveryProvider, INVALID_REPLY_TOKEN, Quota,
    Replied, Reply, ReplyError,
};
use crate::domain::insight::{self, AggregationUnit, Bubble, Figures, Link};

/// LINE's limit on user ids per multicast call.
pub const MULTICAST_MAX_RECIPIENTS: usize = 500;

/// The longest connect phase we wait for, whatever the request timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a non-JSON error body is kept in an error message.
const BODY_EXCERPT_CHARS: usize = 200;

/// Talks to `https://api.line.me` (or a fake at any base URL) with one pooled HTTP client.
pub struct LineClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
    timeout: Duration,
}

/// By hand, so the token can never be printed.
impl fmt::Debug for LineClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineClient")
            .field("base_url", &self.base_url)
            .field("channel_access_token", &"[redacted]")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl LineClient {
    /// `base_url` is `https://api.line.me` in production; `timeout` bounds each whole
    /// request (connect, send, and reading the answer).
    pub fn new(
        base_url: &str,
        channel_access_token: String,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let base_url = base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url)
            .with_context(|| format!("the LINE base URL {base_url:?} is not a URL"))?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https"),
            "the LINE base URL {base_url:?} must be http:// or https://"
        );
        anyhow::ensure!(
            !channel_access_token.trim().is_empty(),
            "the LINE channel access token is empty"
        );
        anyhow::ensure!(
            HeaderValue::from_str(&format!("Bearer {channel_access_token}")).is_ok(),
            "the LINE channel access token has characters that cannot go in a header"
        );
        let http = reqwest::Client::builder()
            .tls_backend_rustls()
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            // A redirect on a send would re-post it somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sendgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client for LINE")?;
        Ok(Self {
            http,
            base_url,
            token: channel_access_token,
            timeout,
        })
    }

    fn auth_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        // Checked in `new`, so this cannot fail; marked sensitive so that reqwest and
        // hyper never print it.
        if let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {}", self.token)) {
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    /// Replaces the token wherever it might have slipped into a string.
    fn scrub(&self, text: String) -> String {
        if text.contains(&self.token) {
            text.replace(&self.token, "[redacted]")
        } else {
            text
        }
    }

    fn scrub_error(&self, error: DeliveryError) -> DeliveryError {
        match error {
            DeliveryError::Retryable(m) => DeliveryError::Retryable(self.scrub(m)),
            DeliveryError::QuotaExceeded(m) => DeliveryError::QuotaExceeded(self.scrub(m)),
            DeliveryError::Rejected {
                status,
                message,
                details,
            } => DeliveryError::Rejected {
                status,
                message: self.scrub(message),
                details: details
                    .into_iter()
                    .map(|(p, m)| (self.scrub(p), self.scrub(m)))
                    .collect(),
            },
        }
    }

    /// One HTTP exchange. Returns the status, the headers and, unless the caller only
    /// needs the headers of a success, the body.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry_key: Option<&uuid::Uuid>,
        read_success_body: bool,
    ) -> Result<Answer, DeliveryError> {
        self.call_with_query(method, path, &[], body, retry_key, read_success_body)
            .await
    }

    /// [`LineClient::call`] with query parameters, percent-encoded.
    async fn call_with_query(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        retry_key: Option<&uuid::Uuid>,
        read_success_body: bool,
    ) -> Result<Answer, DeliveryError> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base_url, path)).map_err(|e| {
            DeliveryError::Rejected {
                status: 0,
                message: format!("{path} does not make a URL: {e}"),
                details: Vec::new(),
            }
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self
            .http
            .request(method.clone(), url)
            .headers(self.auth_headers());
        if let Some(key) = retry_key {
            request = request.header("X-Line-Retry-Key", key.to_string());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&method, path, &e))?;
        let status = response.status();
        let request_id = header_string(response.headers(), "x-line-request-id");
        let accepted_request_id = header_string(response.headers(), "x-line-accepted-request-id");
        let body = if status.is_success() && !read_success_body {
            // The request was taken; a body we do not need must not turn that into a
            // failure. It is still read, so the connection goes back to the pool.
            let _ = response.bytes().await;
            Vec::new()
        } else {
            match response.bytes().await {
                Ok(bytes) => bytes.to_vec(),
                Err(e) if status.is_success() => {
                    return Err(self.transport_error(&method, path, &e));
                }
                // The status alone decides what an error means.
                Err(_) => Vec::new(),
            }
        };
        tracing::debug!(
            %method,
            path,
            retry_key = ?retry_key,
            status = status.as_u16(),
            request_id = request_id.as_deref().unwrap_or(""),
            "LINE answered"
        );
        Ok(Answer {
            status,
            request_id,
            accepted_request_id,
            body,
        })
    }

    fn transport_error(&self, method: &Method, path: &str, e: &reqwest::Error) -> DeliveryError {
        let what = if e.is_timeout() {
            format!(
                "LINE did not answer {method} {path} within {:?}",
                self.timeout
            )
        } else if e.is_connect() {
            format!("could not connect to LINE for {method} {path}")
        } else {
            format!("the connection to LINE failed during {method} {path}")
        };
        DeliveryError::Retryable(self.scrub(format!("{what}: {}", error_chain(e))))
    }
}

/// What came back from one exchange.
struct Answer {
    status: StatusCode,
    request_id: Option<String>,
    accepted_request_id: Option<String>,
    body: Vec<u8>,
}

fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// The path and JSON body of the send call for a batch, or a refusal when the batch can
/// never be valid (LINE takes 1 to 500 user ids per multicast).
pub(crate) fn send_request(batch: &Batch) -> Result<(&'static str, Value), DeliveryError> {
    let messages = &batch.messages;
    let notification_disabled = batch.notification_disabled;
    // LINE takes at most one name, on push and multicast only.
    let with_unit = |mut body: Value| {
        if let Some(unit) = &batch.aggregation_unit {
            body["customAggregationUnits"] = json!([unit.as_str()]);
        }
        body
    };
    match &batch.audience {
        Audience::Push { to } => Ok((
            "/v2/bot/message/push",
            with_unit(
                json!({"to": to, "messages": messages, "notificationDisabled": notification_disabled}),
            ),
        )),
        Audience::Multicast { to } => {
            if to.is_empty() || to.len() > MULTICAST_MAX_RECIPIENTS {
                return Err(DeliveryError::Rejected {
                    status: 400,
                    message: "The request body has 1 error(s)".into(),
                    details: vec![(
                        "to".into(),
                        format!(
                            "Size must be between 1 and {MULTICAST_MAX_RECIPIENTS} (this batch has {})",
                            to.len()
                        ),
                    )],
                });
            }
            Ok((
                "/v2/bot/message/multicast",
                with_unit(
                    json!({"to": to, "messages": messages, "notificationDisabled": notification_disabled}),
                ),
            ))
        }
        Audience::Broadcast => Ok((
            "/v2/bot/message/broadcast",
            json!({"messages": messages, "notificationDisabled": notification_disabled}),
        )),
    }
}

/// LINE's `ErrorResponse`: `message` is required, `details` is left out when empty.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    message: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    message: Option<String>,
    property: Option<String>,
}

/// LINE's `message` and `details` from an error body, or a stand-in naming the status
/// (and the start of the body) when the body is not LINE's JSON.
fn error_parts(status: u16, body: &[u8]) -> (String, Vec<(String, String)>) {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            message: Some(message),
            details,
        }) => (
            message,
            details
                .into_iter()
                .map(|d| {
                    (
                        d.property.unwrap_or_default(),
                        d.message.unwrap_or_default(),
                    )
                })
                .collect(),
        ),
        _ => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            let mut message = format!("LINE answered HTTP {status} {reason}")
                .trim_end()
                .to_string();
            if !text.is_empty() {
                let excerpt: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
                message.push_str(": ");
                message.push_str(&excerpt);
            }
            (message, Vec::new())
        }
    }
}

/// True for LINE's monthly-limit 429, which shares its status with the rate limit and is
/// told apart only by its message ("You have reached your monthly limit.").
pub(crate) fn is_monthly_limit(message: &str) -> bool {
    message.to_ascii_lowercase().contains("monthly limit")
}

/// What a non-2xx answer means (a 409 included: outside a send it is just a refusal).
pub(crate) fn failure(status: u16, body: &[u8]) -> DeliveryError {
    let (message, details) = error_parts(status, body);
    match status {
        500 | 502 | 503 | 504 => DeliveryError::Retryable(format!("LINE {status}: {message}")),
        429 if is_monthly_limit(&message) => DeliveryError::QuotaExceeded(message),
        429 => DeliveryError::Retryable(format!("LINE rate limit (429): {message}")),
        _ => DeliveryError::Rejected {
            status,
            message,
            details,
        },
    }
}

/// What LINE's answer to a push, multicast or broadcast means.
pub(crate) fn classify_send(
    status: u16,
    request_id: Option<String>,
    accepted_request_id: Option<String>,
    body: &[u8],
) -> Result<Accepted, DeliveryError> {
    match status {
        200..=299 => Ok(Accepted {
            request_id,
            duplicate: false,
        }),
        // Every send carries a retry key, and LINE answers 409 only when that key was
        // already accepted: the earlier attempt went out, so this batch counts as sent.
        409 => Ok(Accepted {
            request_id: accepted_request_id.or(request_id),
            duplicate: true,
        }),
        _ => Err(failure(status, body)),
    }
}

/// `GET /v2/bot/message/quota`.
#[derive(Debug, Deserialize)]
struct QuotaBody {
    #[serde(rename = "type")]
    kind: String,
    value: Option<i64>,
}

/// `GET /v2/bot/message/quota/consumption`.
#[derive(Debug, Deserialize)]
struct ConsumptionBody {
    #[serde(rename = "totalUsage")]
    total_usage: i64,
}

/// The two quota answers as one [`Quota`]. A success body we cannot read is retryable:
/// reading the quota again is harmless.
pub(crate) fn parse_quota(quota: &[u8], consumption: &[u8]) -> Result<Quota, DeliveryError> {
    let quota: QuotaBody = serde_json::from_slice(quota).map_err(|e| {
        DeliveryError::Retryable(format!("LINE's quota answer could not be read: {e}"))
    })?;
    let consumption: ConsumptionBody = serde_json::from_slice(consumption).map_err(|e| {
        DeliveryError::Retryable(format!(
            "LINE's quota consumption answer could not be read: {e}"
        ))
    })?;
    let limit = match (quota.kind.as_str(), quota.value) {
        ("none", _) => None,
        ("limited", Some(value)) => Some(value),
        (kind, value) => {
            return Err(DeliveryError::Retryable(format!(
                "LINE's quota answer was not understood (type {kind:?}, value {value:?})"
            )));
        }
    };
    Ok(Quota {
        limit,
        used: consumption.total_usage,
    })
}

/// `POST /v2/bot/message/reply`'s `sentMessages`.
#[derive(Debug, Deserialize)]
struct ReplyBody {
    #[serde(rename = "sentMessages", default)]
    sent_messages: Vec<SentMessage>,
}

#[derive(Debug, Deserialize)]
struct SentMessage {
    id: String,
}

/// What LINE's answer to a reply means. LINE answers an expired, used or unknown token
/// with 400 "Invalid reply token", and nothing else distinguishes it.
pub(crate) fn classify_reply(
    status: u16,
    request_id: Option<String>,
    body: &[u8],
) -> Result<Replied, ReplyError> {
    if (200..300).contains(&status) {
        // The reply went out; an answer we cannot read must not make a caller send again.
        let message_ids = serde_json::from_slice::<ReplyBody>(body)
            .map(|b| b.sent_messages.into_iter().map(|m| m.id).collect())
            .unwrap_or_default();
        return Ok(Replied {
            request_id,
            message_ids,
        });
    }
    match failure(status, body) {
        DeliveryError::Rejected {
            status: 400,
            message,
            ..
        } if message.trim().eq_ignore_ascii_case(INVALID_REPLY_TOKEN) => {
            Err(ReplyError::TokenUnusable(message))
        }
        other => Err(ReplyError::Delivery(other)),
    }
}

/// The body both insight endpoints answer with (`GetMessageEventResponse`,
/// `GetStatisticsPerUnitResponse`); every figure may be `null`.
#[derive(Debug, Deserialize)]
struct InsightBody {
    overview: Option<InsightOverview>,
    messages: Option<Vec<InsightMessage>>,
    clicks: Option<Vec<InsightClick>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsightOverview {
    delivered: Option<i64>,
    unique_impression: Option<i64>,
    unique_click: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsightMessage {
    seq: Option<i64>,
    impression: Option<i64>,
    unique_impression: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsightClick {
    seq: Option<i64>,
    url: Option<String>,
    click: Option<i64>,
    unique_click: Option<i64>,
}

/// LINE's statistics as [`Figures`], exactly as LINE gave them (its own privacy rule
/// applied). A body we cannot read is retryable: reading again is harmless.
pub(crate) fn parse_insight(body: &[u8]) -> Result<Figures, DeliveryError> {
    let b: InsightBody = serde_json::from_slice(body).map_err(|e| {
        DeliveryError::Retryable(format!("LINE's statistics could not be read: {e}"))
    })?;
    let overview = b.overview;
    Ok(Figures {
        delivered: overview.as_ref().and_then(|o| o.delivered),
        opened: overview.as_ref().and_then(|o| o.unique_impression),
        clicked: overview.as_ref().and_then(|o| o.unique_click),
        bubbles: b
            .messages
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, m)| Bubble {
                seq: m.seq.unwrap_or(i as i64 + 1),
                impressions: m.impression,
                opened: m.unique_impression,
            })
            .collect(),
        links: b
            .clicks
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| {
                Some(Link {
                    seq: c.seq.unwrap_or(1),
                    url: c.url?,
                    clicks: c.click,
                    clicked: c.unique_click,
                })
            })
            .collect(),
    })
}

impl LineClient {
    async fn insight(&self, path: &str, query: &[(&str, &str)]) -> Result<Figures, DeliveryError> {
        let answer = self
            .call_with_query(Method::GET, path, query, None, None, true)
            .await?;
        if !answer.status.is_success() {
            return Err(self.scrub_error(failure(answer.status.as_u16(), &answer.body)));
        }
        parse_insight(&answer.body)
    }
}

#[async_trait::async_trait]
impl DeliveryProvider for LineClient {
    fn name(&self) -> &'static str {
        "line"
    }

    async fn validate(&self, audience: &Audience, messages: &[Value]) -> Result<(), DeliveryError> {
        let path = format!("/v2/bot/message/validate/{}", audience.method());
        // Retry keys are refused (400) outside the four send endpoints.
        let answer = self
            .call(
                Method::POST,
                &path,
                Some(&json!({ "messages": messages })),
                None,
                false,
            )
            .await?;
        if answer.status.is_success() {
            // LINE documents no body here; empty and `{}` both mean valid.
            Ok(())
        } else {
            Err(self.scrub_error(failure(answer.status.as_u16(), &answer.body)))
        }
    }

    async fn send(&self, batch: &Batch) -> Result<Accepted, DeliveryError> {
        let (path, body) = send_request(batch)?;
        let answer = self
            .call(
                Method::POST,
                path,
                Some(&body),
                Some(&batch.retry_key),
                false,
            )
            .await?;
        let outcome = classify_send(
            answer.status.as_u16(),
            answer.request_id,
            answer.accepted_request_id,
            &answer.body,
        );
        match &outcome {
            Ok(accepted) => tracing::info!(
                path,
                retry_key = %batch.retry_key,
                request_id = accepted.request_id.as_deref().unwrap_or(""),
                duplicate = accepted.duplicate,
                "LINE accepted the batch"
            ),
            Err(e) => tracing::warn!(
                path,
                retry_key = %batch.retry_key,
                status = answer.status.as_u16(),
                error = %self.scrub(e.describe()),
                "LINE did not accept the batch"
            ),
        }
        outcome.map_err(|e| self.scrub_error(e))
    }

    async fn quota(&self) -> Result<Quota, DeliveryError> {
        let (quota, consumption) = tokio::join!(
            self.call(Method::GET, "/v2/bot/message/quota", None, None, true),
            self.call(
                Method::GET,
                "/v2/bot/message/quota/consumption",
                None,
                None,
                true
            ),
        );
        let (quota, consumption) = (quota?, consumption?);
        for answer in [&quota, &consumption] {
            if !answer.status.is_success() {
                return Err(self.scrub_error(failure(answer.status.as_u16(), &answer.body)));
            }
        }
        parse_quota(&quota.body, &consumption.body)
    }

    async fn reply(&self, reply: &Reply) -> Result<Replied, ReplyError> {
        let body = json!({
            "replyToken": reply.reply_token,
            "messages": reply.messages,
            "notificationDisabled": reply.notification_disabled,
        });
        // No retry key: LINE refuses one on reply (400).
        let answer = self
            .call(
                Method::POST,
                "/v2/bot/message/reply",
                Some(&body),
                None,
                true,
            )
            .await
            .map_err(ReplyError::Delivery)?;
        let outcome = classify_reply(answer.status.as_u16(), answer.request_id, &answer.body);
        if let Err(e) = &outcome {
            tracing::warn!(status = answer.status.as_u16(), error = %self.scrub(e.to_string()), "LINE did not take the reply");
        }
        outcome.map_err(|e| match e {
            ReplyError::Delivery(d) => ReplyError::Delivery(self.scrub_error(d)),
            other => other,
        })
    }

    async fn insight_by_request(&self, request_id: &str) -> Result<Figures, DeliveryError> {
        self.insight(
            "/v2/bot/insight/message/event",
            &[("requestId", request_id)],
        )
        .await
    }

    async fn insight_by_unit(
        &self,
        unit: &AggregationUnit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Figures, DeliveryError> {
        let (from, to) = (insight::line_date(from), insight::line_date(to));
        self.insight(
            "/v2/bot/insight/message/event/aggregation",
            &[
                ("customAggregationUnit", unit.as_str()),
                ("from", &from),
                ("to", &to),
            ],
        )
        .await
    }

    /// LINE's published limits (reference section on rate limits). The insight endpoints
    /// share one bucket here, at the 60 an hour LINE allows each of them.
    fn rate_limits(&self) -> Vec<(&'static str, Rate)> {
        vec![
            ("multicast", Rate::per_second(200)),
            ("push", Rate::per_second(2_000)),
            ("broadcast", Rate::per_hour(60)),
            (INSIGHT, Rate::per_hour(60)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn batch(audience: Audience) -> Batch {
        Batch {
            audience,
            messages: vec![json!({"type": "text", "text": "hello"})],
            notification_disabled: true,
            retry_key: Uuid::nil(),
            aggregation_unit: None,
        }
    }

    #[test]
    fn a_2xx_is_accepted_with_lines_request_id() {
        let accepted = classify_send(200, Some("req-1".into()), None, b"{}").unwrap();
        assert_eq!(
            accepted,
            Accepted {
                request_id: Some("req-1".into()),
                duplicate: false
            }
        );
    }

    #[test]
    fn a_409_counts_as_sent_with_the_accepted_request_id() {
        let accepted = classify_send(
            409,
            Some("req-2".into()),
            Some("req-1".into()),
            br#"{"message":"The retry key is already accepted"}"#,
        )
        .unwrap();
        assert_eq!(
            accepted,
            Accepted {
                request_id: Some("req-1".into()),
                duplicate: true
            }
        );
    }

    #[test]
    fn a_409_without_the_accepted_header_falls_back_to_the_request_id() {
        let accepted = classify_send(409, Some("req-2".into()), None, b"").unwrap();
        assert_eq!(accepted.request_id.as_deref(), Some("req-2"));
        assert!(accepted.duplicate);
    }

    #[test]
    fn server_errors_are_retryable() {
        for status in [500, 502, 503, 504] {
            let e = classify_send(status, None, None, b"<html>bad gateway</html>").unwrap_err();
            assert!(matches!(e, DeliveryError::Retryable(_)), "{status}: {e:?}");
        }
    }

    #[test]
    fn the_monthly_limit_429_is_quota_exceeded_with_lines_message() {
        let e = failure(
            429,
            br#"{"message":"You have reached your monthly limit."}"#,
        );
        assert_eq!(
            e,
            DeliveryError::QuotaExceeded("You have reached your monthly limit.".into())
        );
    }

    #[test]
    fn a_rate_limit_429_is_retryable() {
        let e = failure(
            429,
            br#"{"message":"The API rate limit has been exceeded. Try again later."}"#,
        );
        assert!(matches!(e, DeliveryError::Retryable(m) if m.contains("rate limit")));
    }

    #[test]
    fn a_429_without_a_body_is_retryable() {
        assert!(matches!(failure(429, b""), DeliveryError::Retryable(_)));
    }

    #[test]
    fn other_4xx_are_rejected_with_lines_message_and_details_word_for_word() {
        let body = br#"{"message":"The request body has 2 error(s)","details":[
            {"message":"May not be empty","property":"messages[0].text"},
            {"message":"Must be one of the following values: [text, image]","property":"messages[1].type"}]}"#;
        assert_eq!(
            failure(400, body),
            DeliveryError::Rejected {
                status: 400,
                message: "The request body has 2 error(s)".into(),
                details: vec![
                    ("messages[0].text".into(), "May not be empty".into()),
                    (
                        "messages[1].type".into(),
                        "Must be one of the following values: [text, image]".into()
                    ),
                ],
            }
        );
    }

    #[test]
    fn a_detail_without_a_property_keeps_its_message() {
        let body = br#"{"message":"Failed","details":[{"message":"only a message"}]}"#;
        let DeliveryError::Rejected { details, .. } = failure(400, body) else {
            panic!("not rejected");
        };
        assert_eq!(details, vec![(String::new(), "only a message".into())]);
    }

    #[test]
    fn a_non_json_error_names_the_status_and_the_start_of_the_body() {
        let long = "x".repeat(1000);
        let DeliveryError::Rejected {
            status, message, ..
        } = failure(403, long.as_bytes())
        else {
            panic!("not rejected");
        };
        assert_eq!(status, 403);
        assert!(message.starts_with("LINE answered HTTP 403 Forbidden: xxx"));
        assert!(message.len() < 300);
    }

    #[test]
    fn a_409_outside_a_send_is_a_refusal() {
        assert!(matches!(
            failure(409, br#"{"message":"conflict"}"#),
            DeliveryError::Rejected { status: 409, .. }
        ));
    }

    #[test]
    fn a_push_body_has_to_messages_and_notification_disabled() {
        let (path, body) = send_request(&batch(Audience::Push { to: "U0123".into() })).unwrap();
        assert_eq!(path, "/v2/bot/message/push");
        assert_eq!(
            body,
            json!({"to": "U0123", "messages": [{"type": "text", "text": "hello"}], "notificationDisabled": true})
        );
    }

    #[test]
    fn a_broadcast_body_has_no_to() {
        let (path, body) = send_request(&batch(Audience::Broadcast)).unwrap();
        assert_eq!(path, "/v2/bot/message/broadcast");
        assert!(body.get("to").is_none());
        assert_eq!(body["notificationDisabled"], json!(true));
    }

    #[test]
    fn a_multicast_of_more_than_500_or_no_ids_is_refused_before_sending() {
        for n in [0, 501] {
            let to = (0..n).map(|i| format!("U{i:032x}")).collect();
            let e = send_request(&batch(Audience::Multicast { to })).unwrap_err();
            assert!(
                matches!(e, DeliveryError::Rejected { status: 400, .. }),
                "{n}"
            );
        }
        let to: Vec<String> = (0..500).map(|i| format!("U{i:032x}")).collect();
        let (path, body) = send_request(&batch(Audience::Multicast { to })).unwrap();
        assert_eq!(path, "/v2/bot/message/multicast");
        assert_eq!(body["to"].as_array().unwrap().len(), 500);
    }

    #[test]
    fn a_multicast_carries_its_unit_name_and_a_broadcast_never_does() {
        let unit = AggregationUnit::parse("sg_0a1b2c_r7").unwrap();
        let to = vec!["U0123".to_string()];
        let (_, body) = send_request(
            &batch(Audience::Multicast { to: to.clone() })
                .with_aggregation_unit(Some(unit.clone())),
        )
        .unwrap();
        assert_eq!(body["customAggregationUnits"], json!(["sg_0a1b2c_r7"]));
        let (_, body) = send_request(&batch(Audience::Multicast { to })).unwrap();
        assert!(body.get("customAggregationUnits").is_none());
        let broadcast = batch(Audience::Broadcast).with_aggregation_unit(Some(unit));
        assert_eq!(broadcast.aggregation_unit, None);
        let (_, body) = send_request(&broadcast).unwrap();
        assert!(body.get("customAggregationUnits").is_none());
    }

    #[test]
    fn an_invalid_reply_token_is_told_apart_from_other_refusals() {
        let e = classify_reply(400, None, br#"{"message":"Invalid reply token"}"#).unwrap_err();
        assert_eq!(e, ReplyError::TokenUnusable("Invalid reply token".into()));
        let e = classify_reply(
            400,
            None,
            br#"{"message":"The request body has 1 error(s)","details":[{"message":"May not be empty","property":"messages[0].text"}]}"#,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            ReplyError::Delivery(DeliveryError::Rejected { status: 400, .. })
        ));
        assert!(matches!(
            classify_reply(500, None, b"").unwrap_err(),
            ReplyError::Delivery(DeliveryError::Retryable(_))
        ));
        let ok = classify_reply(
            200,
            Some("req".into()),
            br#"{"sentMessages":[{"id":"461230966842064897","quoteToken":"q"}]}"#,
        )
        .unwrap();
        assert_eq!(ok.message_ids, vec!["461230966842064897".to_string()]);
        assert_eq!(ok.request_id.as_deref(), Some("req"));
    }

    #[test]
    fn the_specs_example_statistics_are_read_with_their_nulls() {
        // `GetMessageEventResponse`'s example in insight.yml.
        let body = br#"{"overview":{"requestId":"f70dd685-499a-4231-a441-f24b8d4fba21","timestamp":1568214000,
            "delivered":320,"uniqueImpression":82,"uniqueClick":51,"uniqueMediaPlayed":null,"uniqueMediaPlayed100Percent":null},
            "messages":[{"seq":1,"impression":136,"mediaPlayed":null}],
            "clicks":[{"seq":1,"url":"https://line.me/","click":41,"uniqueClick":30,"uniqueClickOfRequest":30},
                      {"seq":1,"url":"https://www.linebiz.com/","click":59,"uniqueClick":38,"uniqueClickOfRequest":38}]}"#;
        let f = parse_insight(body).unwrap();
        assert_eq!(
            (f.delivered, f.opened, f.clicked),
            (Some(320), Some(82), Some(51))
        );
        assert_eq!(
            f.bubbles,
            vec![Bubble {
                seq: 1,
                impressions: Some(136),
                opened: None
            }]
        );
        assert_eq!(f.links.len(), 2);
        assert_eq!(f.links[1].url, "https://www.linebiz.com/");
        assert_eq!(
            (f.links[1].clicks, f.links[1].clicked),
            (Some(59), Some(38))
        );
        // `GetStatisticsPerUnitResponse`'s example: no delivered figure, nulls inside.
        let unit = br#"{"overview":{"uniqueImpression":40,"uniqueClick":30,"uniqueMediaPlayed":25,"uniqueMediaPlayed100Percent":null},
            "messages":[{"seq":1,"impression":42,"mediaPlayed":30,"uniqueMediaPlayed":25}],
            "clicks":[{"seq":1,"url":"https://developers.line.biz/","click":35,"uniqueClick":25,"uniqueClickOfRequest":null},
                      {"seq":1,"url":"https://developers.line.biz/","click":29,"uniqueClick":null,"uniqueClickOfRequest":null}]}"#;
        let f = parse_insight(unit).unwrap();
        assert_eq!(
            (f.delivered, f.opened, f.clicked),
            (None, Some(40), Some(30))
        );
        assert_eq!(f.links[1].clicked, None);
        assert!(matches!(
            parse_insight(b"<html>"),
            Err(DeliveryError::Retryable(_))
        ));
        assert_eq!(parse_insight(b"{}").unwrap(), Figures::default());
    }

    #[test]
    fn quota_type_none_has_no_limit() {
        let q = parse_quota(br#"{"type":"none"}"#, br#"{"totalUsage":12}"#).unwrap();
        assert_eq!(
            q,
            Quota {
                limit: None,
                used: 12
            }
        );
    }

    #[test]
    fn quota_type_limited_has_its_value() {
        let q = parse_quota(
            br#"{"type":"limited","value":1000}"#,
            br#"{"totalUsage":500}"#,
        )
        .unwrap();
        assert_eq!(
            q,
            Quota {
                limit: Some(1000),
                used: 500
            }
        );
    }

    #[test]
    fn an_unreadable_quota_answer_is_retryable() {
        assert!(matches!(
            parse_quota(br#"{"type":"limited"}"#, br#"{"totalUsage":1}"#),
            Err(DeliveryError::Retryable(_))
        ));
        assert!(matches!(
            parse_quota(br#"{"type":"none"}"#, b""),
            Err(DeliveryError::Retryable(_))
        ));
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let client = LineClient::new(
            "https://api.line.me/",
            "super-secret-token".into(),
            Duration::from_secs(5),
        )
        .unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("super-secret-token"), "{debug}");
        assert!(debug.contains("https://api.line.me"));
        assert_eq!(client.name(), "line");
    }

    #[test]
    fn scrubbing_removes_the_token_from_errors() {
        let client = LineClient::new(
            "http://127.0.0.1:1",
            "tok-123".into(),
            Duration::from_secs(1),
        )
        .unwrap();
        let e = client.scrub_error(DeliveryError::Rejected {
            status: 401,
            message: "bad token tok-123".into(),
            details: vec![("tok-123".into(), "x tok-123".into())],
        });
        assert!(!format!("{e:?}").contains("tok-123"));
    }

    #[test]
    fn a_bad_base_url_or_empty_token_is_refused() {
        assert!(LineClient::new("not a url", "t".into(), Duration::from_secs(1)).is_err());
        assert!(LineClient::new("ftp://x", "t".into(), Duration::from_secs(1)).is_err());
        assert!(LineClient::new("https://x", " ".into(), Duration::from_secs(1)).is_err());
        assert!(LineClient::new("https://x", "a\nb".into(), Duration::from_secs(1)).is_err());
    }
}
