//! The LINE Messaging API client: the `line` [`DeliveryProvider`] (DESIGN section 6).
//!
//! It owns the wire format (push, multicast and broadcast bodies, the validate and quota
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
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::pacing::Rate;
use super::{Accepted, Audience, Batch, DeliveryError, DeliveryProvider, Quota};

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
        let url = format!("{}{}", self.base_url, path);
        let mut request = self
            .http
            .request(method.clone(), &url)
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
    match &batch.audience {
        Audience::Push { to } => Ok((
            "/v2/bot/message/push",
            json!({"to": to, "messages": messages, "notificationDisabled": notification_disabled}),
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
                json!({"to": to, "messages": messages, "notificationDisabled": notification_disabled}),
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

    /// LINE's published limits (reference section on rate limits).
    fn rate_limits(&self) -> Vec<(&'static str, Rate)> {
        vec![
            ("multicast", Rate::per_second(200)),
            ("push", Rate::per_second(2_000)),
            ("broadcast", Rate::per_hour(60)),
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
