//! A fake LINE Messaging API for tests, benches and the crash test: real HTTP (axum on
//! 127.0.0.1:0, spawned on the current tokio runtime) that behaves as
//! `reference/line-platform.md` section 13 describes for the endpoints sendgate uses:
//! push, multicast, broadcast, reply, `validate/*`, `quota` and `quota/consumption`, and
//! the two insight endpoints (`insight/message/event` by request id,
//! `insight/message/event/aggregation` by unit name), shaped as `insight.yml` says.
//!
//! Reply tokens are issued by the fake ([`FakeLine::issue_reply_token`], as LINE puts one
//! in a webhook event), work once, and expire after `reply_token_lifetime` (LINE: use it
//! within a minute); an expired, used or unknown token gets LINE's 400 "Invalid reply
//! token". `customAggregationUnits` is checked as the spec says (at most one name,
//! `^[a-zA-Z0-9_]{1,30}$`) and each accepted push or multicast is counted under its name
//! on its day in UTC+9. The insight endpoints report what was accepted (`delivered` =
//! the recipients of the broadcast) and the impressions and clicks a test set for the
//! request or the unit ([`FakeLine::set_request_insight`], [`FakeLine::set_unit_insight`]),
//! with LINE's privacy rule: a figure under 20 people is `null`.
//!
//! It models one channel: Bearer auth, an `X-Line-Request-Id` on every answer, the
//! Content-Type and JSON checks, message validation shared by the send and validate
//! endpoints, retry keys (stored only when a request is accepted; a duplicate gets 409 and
//! sends and charges nothing), the monthly quota (counted per deliverable recipient),
//! per-endpoint token-bucket rate limits, friends and blocked users.
//!
//! Tests look inside through Rust methods (deliveries per user, quota use, requests per
//! endpoint, 409s, retry keys) and inject faults ("fail the next N requests", "accept the
//! next request but answer too late"). For runs with a million recipients the per-message
//! log and the per-user counts can be switched off, and "every well-formed id is a friend"
//! avoids a pre-filled friend set.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration as Days, FixedOffset, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// The token a default [`FakeLineConfig`] accepts.
pub const DEFAULT_TOKEN: &str = "fake-line-channel-access-token";

pub const MONTHLY_LIMIT_MESSAGE: &str = "You have reached your monthly limit.";
pub const RATE_LIMIT_MESSAGE: &str = "The API rate limit has been exceeded. Try again later.";
pub const RETRY_KEY_ACCEPTED_MESSAGE: &str = "The retry key is already accepted";
pub const FAILED_TO_SEND_MESSAGE: &str = "Failed to send messages";
pub const INVALID_REPLY_TOKEN_MESSAGE: &str = "Invalid reply token";
pub const INVALID_TOKEN_MESSAGE: &str = "Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.";
pub const MISSING_TOKEN_MESSAGE: &str = "Authentication failed due to the following reason: Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'";

/// Message types the fake knows, in the order of the spec's discriminator.
const MESSAGE_TYPES: [&str; 11] = [
    "text", "textV2", "sticker", "image", "video", "audio", "location", "imagemap", "template",
    "flex", "coupon",
];

/// How long LINE keeps an accepted retry key.
const RETRY_KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// LINE asks for a reply within a minute of the event.
pub const REPLY_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// Figures about people's actions under this are `null` (LINE's privacy rule).
pub const PRIVACY_THRESHOLD: i64 = 20;

/// What the insight endpoints report for a request or a unit, before LINE's privacy rule.
/// Everything is clamped to the recipients the fake accepted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeInsight {
    /// People who opened the message (`overview.uniqueImpression`).
    pub unique_impression: i64,
    /// People who opened any URL (`overview.uniqueClick`).
    pub unique_click: i64,
    pub messages: Vec<FakeBubble>,
    pub clicks: Vec<FakeClick>,
}

/// One bubble's figures (`messages[]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeBubble {
    pub seq: i64,
    pub impression: i64,
    /// Per-unit statistics only.
    pub unique_impression: i64,
}

/// One URL's figures (`clicks[]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FakeClick {
    pub seq: i64,
    pub url: String,
    pub click: i64,
    pub unique_click: i64,
}

/// The monthly allowance, as `GET /v2/bot/message/quota` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeQuota {
    /// `{"type":"none"}`
    Unlimited,
    /// `{"type":"limited","value":N}`
    Limited(i64),
}

#[derive(Debug, Clone)]
pub struct FakeLineConfig {
    /// Channel access tokens the fake accepts. All belong to its one channel, so retry
    /// keys and quota are shared between them.
    pub tokens: Vec<String>,
    pub quota: FakeQuota,
    /// Messages already used this month when the fake starts.
    pub usage: i64,
    /// Token buckets per endpoint with LINE's numbers: multicast 200/s, push and every
    /// other endpoint 2,000/s, broadcast (and narrowcast) 60/hour.
    pub rate_limits: bool,
    /// User ids that are friends of the account (`U` + 32 lowercase hex).
    pub friends: Vec<String>,
    /// Every well-formed user id is a friend (benches: no pre-filled set).
    pub all_well_formed_ids_are_friends: bool,
    /// Friends who blocked the account: sends to them are accepted (200) but not
    /// delivered and not counted.
    pub blocked: Vec<String>,
    /// How many friends a broadcast reaches. `None`: every listed friend who has not
    /// blocked the account, each recorded as a delivery. `Some(n)`: n recipients, counted
    /// in the totals and the quota but not per user.
    pub broadcast_recipients: Option<u64>,
    /// Keep every delivered message per user and every accepted request (off for benches).
    pub record_messages: bool,
    /// Keep a delivery count per user (a compact map from the id's 128 bits to a count).
    pub count_per_user: bool,
    /// How long an issued reply token works.
    pub reply_token_lifetime: Duration,
    /// The fake's "now" for LINE's UTC+9 dates (units' days, the month of unit names);
    /// `None` is the system clock. Tests set it to the app's clock.
    pub now: Option<DateTime<Utc>>,
}

impl Default for FakeLineConfig {
    fn default() -> Self {
        Self {
            tokens: vec![DEFAULT_TOKEN.to_string()],
            quota: FakeQuota::Unlimited,
            usage: 0,
            rate_limits: false,
            friends: Vec::new(),
            all_well_formed_ids_are_friends: false,
            blocked: Vec::new(),
            broadcast_recipients: None,
            record_messages: true,
            count_per_user: true,
            reply_token_lifetime: REPLY_TOKEN_LIFETIME,
            now: None,
        }
    }
}

impl FakeLineConfig {
    /// The default config with these friends.
    pub fn with_friends<I, S>(friends: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            friends: friends.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// For big runs: every well-formed id is a friend, and only totals are kept.
    pub fn for_benchmarks() -> Self {
        Self {
            all_well_formed_ids_are_friends: true,
            record_messages: false,
            count_per_user: false,
            ..Self::default()
        }
    }
}

/// The endpoints the fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Push,
    Multicast,
    Broadcast,
    ValidateReply,
    ValidatePush,
    ValidateMulticast,
    ValidateNarrowcast,
    ValidateBroadcast,
    Quota,
    QuotaConsumption,
    Reply,
    InsightMessageEvent,
    InsightAggregation,
}

impl Endpoint {
    pub const ALL: [Endpoint; 13] = [
        Endpoint::Push,
        Endpoint::Multicast,
        Endpoint::Broadcast,
        Endpoint::Reply,
        Endpoint::InsightMessageEvent,
        Endpoint::InsightAggregation,
        Endpoint::ValidateReply,
        Endpoint::ValidatePush,
        Endpoint::ValidateMulticast,
        Endpoint::ValidateNarrowcast,
        Endpoint::ValidateBroadcast,
        Endpoint::Quota,
        Endpoint::QuotaConsumption,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Push => "/v2/bot/message/push",
            Endpoint::Multicast => "/v2/bot/message/multicast",
            Endpoint::Broadcast => "/v2/bot/message/broadcast",
            Endpoint::ValidateReply => "/v2/bot/message/validate/reply",
            Endpoint::ValidatePush => "/v2/bot/message/validate/push",
            Endpoint::ValidateMulticast => "/v2/bot/message/validate/multicast",
            Endpoint::ValidateNarrowcast => "/v2/bot/message/validate/narrowcast",
            Endpoint::ValidateBroadcast => "/v2/bot/message/validate/broadcast",
            Endpoint::Quota => "/v2/bot/message/quota",
            Endpoint::QuotaConsumption => "/v2/bot/message/quota/consumption",
            Endpoint::Reply => "/v2/bot/message/reply",
            Endpoint::InsightMessageEvent => "/v2/bot/insight/message/event",
            Endpoint::InsightAggregation => "/v2/bot/insight/message/event/aggregation",
        }
    }

    pub fn method(self) -> Method {
        match self {
            Endpoint::Quota
            | Endpoint::QuotaConsumption
            | Endpoint::InsightMessageEvent
            | Endpoint::InsightAggregation => Method::GET,
            _ => Method::POST,
        }
    }

    fn from_path(path: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }

    /// The endpoints that take `X-Line-Retry-Key` (narrowcast too, which the fake does
    /// not serve).
    fn takes_retry_key(self) -> bool {
        matches!(
            self,
            Endpoint::Push | Endpoint::Multicast | Endpoint::Broadcast
        )
    }

    fn is_validate(self) -> bool {
        matches!(
            self,
            Endpoint::ValidateReply
                | Endpoint::ValidatePush
                | Endpoint::ValidateMulticast
                | Endpoint::ValidateNarrowcast
                | Endpoint::ValidateBroadcast
        )
    }

    /// LINE's rate limit for this endpoint: (requests, per period).
    fn rate_limit(self) -> (f64, Duration) {
        match self {
            Endpoint::Multicast => (200.0, Duration::from_secs(1)),
            Endpoint::Broadcast | Endpoint::InsightMessageEvent | Endpoint::InsightAggregation => {
                (60.0, Duration::from_secs(3600))
            }
            _ => (2000.0, Duration::from_secs(1)),
        }
    }
}

/// One message batch as one user received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub endpoint: Endpoint,
    pub request_id: String,
    /// The request's `messages` array, exactly as sent.
    pub messages: Arc<Value>,
    pub notification_disabled: bool,
}

/// One accepted send request (kept when `record_messages` is on).
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedRequest {
    pub endpoint: Endpoint,
    pub request_id: String,
    pub retry_key: Option<Uuid>,
    pub messages: Arc<Value>,
    pub notification_disabled: bool,
    /// Recipients the request reached and was charged for.
    pub delivered: u64,
    /// The request's `customAggregationUnits`, as sent.
    pub custom_aggregation_units: Vec<String>,
}

/// A running fake. Dropping it stops the server.
pub struct FakeLine {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeLine {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Inner {
    tokens: Vec<String>,
    state: Mutex<FakeState>,
}

struct StoredKey {
    request_id: String,
    sent_messages: Option<Value>,
    at: Instant,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

struct Failure {
    remaining: u32,
    status: u16,
    message: String,
}

struct FakeState {
    quota: FakeQuota,
    usage: i64,
    rate_limits: bool,
    friends: HashSet<u128>,
    all_friends: bool,
    blocked: HashSet<u128>,
    broadcast_recipients: Option<u64>,
    record_messages: bool,
    count_per_user: bool,

    buckets: HashMap<Endpoint, Bucket>,
    accepted_keys: HashMap<Uuid, StoredKey>,
    retry_keys_seen: Vec<String>,
    per_user: HashMap<u128, u32>,
    log: HashMap<u128, Vec<Delivery>>,
    accepted: Vec<AcceptedRequest>,
    total_deliveries: u64,
    requests: HashMap<Endpoint, u64>,
    conflicts: u64,
    rate_limited: u64,
    failures: HashMap<Endpoint, VecDeque<Failure>>,
    delays: HashMap<Endpoint, VecDeque<Duration>>,
    next_message_id: u64,

    reply_token_lifetime: Duration,
    /// Issued reply tokens: the friend, when issued, whether used.
    reply_tokens: HashMap<String, ReplyToken>,
    now: Option<DateTime<Utc>>,
    /// Accepted broadcasts: request id -> (recipients, accepted at).
    broadcasts: HashMap<String, (u64, DateTime<Utc>)>,
    /// Accepted pushes and multicasts per unit name: (day in UTC+9, recipients).
    units: HashMap<String, Vec<(NaiveDate, u64)>>,
    /// Distinct unit names per month (UTC+9, as `yyyyMM`).
    unit_names_by_month: HashMap<String, HashSet<String>>,
    request_insights: HashMap<String, FakeInsight>,
    unit_insights: HashMap<String, FakeInsight>,
}

struct ReplyToken {
    user: u128,
    issued: Instant,
    used: bool,
}

fn line_zone() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9")
}

/// A user id `U` + 32 lowercase hex digits as its 128 bits.
pub fn parse_user_id(id: &str) -> Option<u128> {
    let hex = id.strip_prefix('U')?;
    if hex.len() != 32
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    u128::from_str_radix(hex, 16).ok()
}

pub fn format_user_id(bits: u128) -> String {
    format!("U{bits:032x}")
}

fn must_parse(id: &str, what: &str) -> u128 {
    parse_user_id(id).unwrap_or_else(|| panic!("{what} {id:?} is not a well-formed LINE user id"))
}

impl FakeLine {
    /// Binds 127.0.0.1:0 and serves on the current tokio runtime until dropped.
    pub async fn start(config: FakeLineConfig) -> FakeLine {
        assert!(
            !config.tokens.is_empty(),
            "the fake needs at least one token"
        );
        let state = FakeState {
            quota: config.quota,
            usage: config.usage,
            rate_limits: config.rate_limits,
            friends: config
                .friends
                .iter()
                .map(|id| must_parse(id, "friend"))
                .collect(),
            all_friends: config.all_well_formed_ids_are_friends,
            blocked: config
                .blocked
                .iter()
                .map(|id| must_parse(id, "blocked user"))
                .collect(),
            broadcast_recipients: config.broadcast_recipients,
            record_messages: config.record_messages,
            count_per_user: config.count_per_user,
            buckets: HashMap::new(),
            accepted_keys: HashMap::new(),
            retry_keys_seen: Vec::new(),
            per_user: HashMap::new(),
            log: HashMap::new(),
            accepted: Vec::new(),
            total_deliveries: 0,
            requests: HashMap::new(),
            conflicts: 0,
            rate_limited: 0,
            failures: HashMap::new(),
            delays: HashMap::new(),
            next_message_id: 600_000_000_000_000_000,
            reply_token_lifetime: config.reply_token_lifetime,
            reply_tokens: HashMap::new(),
            now: config.now,
            broadcasts: HashMap::new(),
            units: HashMap::new(),
            unit_names_by_month: HashMap::new(),
            request_insights: HashMap::new(),
            unit_insights: HashMap::new(),
        };
        let inner = Arc::new(Inner {
            tokens: config.tokens,
            state: Mutex::new(state),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake LINE server");
        let addr = listener.local_addr().expect("fake LINE address");
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeLine {
            addr,
            inner,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`, to use in place of `https://api.line.me`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- inspection -------------------------------------------------------------------

    /// Every batch this user received, oldest first. Needs `record_messages`.
    pub fn delivered_to(&self, user_id: &str) -> Vec<Delivery> {
        let state = self.state();
        assert!(
            state.record_messages,
            "the fake was started with record_messages off"
        );
        parse_user_id(user_id)
            .and_then(|u| state.log.get(&u).cloned())
            .unwrap_or_default()
    }

    /// How many batches this user received. Needs `count_per_user`.
    pub fn deliveries_to(&self, user_id: &str) -> u32 {
        let state = self.state();
        assert!(
            state.count_per_user,
            "the fake was started with count_per_user off"
        );
        parse_user_id(user_id)
            .and_then(|u| state.per_user.get(&u).copied())
            .unwrap_or(0)
    }

    /// Users who received at least one batch. Needs `count_per_user`.
    pub fn users_reached(&self) -> usize {
        let state = self.state();
        assert!(
            state.count_per_user,
            "the fake was started with count_per_user off"
        );
        state.per_user.len()
    }

    /// Users who received more than one batch (a duplicate send shows up here). Needs
    /// `count_per_user`.
    pub fn users_reached_more_than_once(&self) -> Vec<String> {
        let state = self.state();
        assert!(
            state.count_per_user,
            "the fake was started with count_per_user off"
        );
        let mut users: Vec<String> = state
            .per_user
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(u, _)| format_user_id(*u))
            .collect();
        users.sort();
        users
    }

    /// Deliveries over all users and batches (one per recipient per accepted request).
    pub fn total_deliveries(&self) -> u64 {
        self.state().total_deliveries
    }

    /// Every accepted send request, oldest first. Needs `record_messages`.
    pub fn accepted_requests(&self) -> Vec<AcceptedRequest> {
        let state = self.state();
        assert!(
            state.record_messages,
            "the fake was started with record_messages off"
        );
        state.accepted.clone()
    }

    /// What `quota/consumption` reports as `totalUsage`.
    pub fn quota_usage(&self) -> i64 {
        self.state().usage
    }

    /// Requests that reached this endpoint, whatever the answer.
    /// Requests refused with the rate-limit 429.
    pub fn rate_limited(&self) -> u64 {
        self.state().rate_limited
    }

    pub fn requests_to(&self, endpoint: Endpoint) -> u64 {
        self.state().requests.get(&endpoint).copied().unwrap_or(0)
    }

    /// 409 "retry key already accepted" answers given.
    pub fn conflicts(&self) -> u64 {
        self.state().conflicts
    }

    /// Every `X-Line-Retry-Key` header received, as sent, in order (on any endpoint and
    /// whatever the answer).
    pub fn retry_keys_seen(&self) -> Vec<String> {
        self.state().retry_keys_seen.clone()
    }

    /// Whether a request with this key was accepted (so the next one gets 409).
    pub fn retry_key_accepted(&self, key: &Uuid) -> bool {
        self.state().accepted_keys.contains_key(key)
    }

    /// How many retry keys are stored.
    pub fn accepted_retry_keys(&self) -> usize {
        self.state().accepted_keys.len()
    }

    // ---- changing the account --------------------------------------------------------

    pub fn set_quota(&self, quota: FakeQuota) {
        self.state().quota = quota;
    }

    pub fn set_usage(&self, usage: i64) {
        self.state().usage = usage;
    }

    pub fn set_rate_limits(&self, on: bool) {
        let mut state = self.state();
        state.rate_limits = on;
        state.buckets.clear();
    }

    pub fn add_friend(&self, user_id: &str) {
        let u = must_parse(user_id, "friend");
        self.state().friends.insert(u);
    }

    pub fn block(&self, user_id: &str) {
        let u = must_parse(user_id, "blocked user");
        self.state().blocked.insert(u);
    }

    pub fn unblock(&self, user_id: &str) {
        let u = must_parse(user_id, "blocked user");
        self.state().blocked.remove(&u);
    }

    pub fn set_broadcast_recipients(&self, recipients: Option<u64>) {
        self.state().broadcast_recipients = recipients;
    }

    // ---- replies and statistics ------------------------------------------------------

    /// A reply token for `user_id`, as LINE puts one in that friend's webhook event.
    pub fn issue_reply_token(&self, user_id: &str) -> String {
        let user = must_parse(user_id, "reply token user");
        let token = Uuid::new_v4().simple().to_string();
        self.state().reply_tokens.insert(
            token.clone(),
            ReplyToken {
                user,
                issued: Instant::now(),
                used: false,
            },
        );
        token
    }

    pub fn set_reply_token_lifetime(&self, lifetime: Duration) {
        self.state().reply_token_lifetime = lifetime;
    }

    /// The fake's "now" for UTC+9 dates (see [`FakeLineConfig::now`]).
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.state().now = Some(now);
    }

    /// Impressions and clicks the message-event endpoint reports for this request id.
    pub fn set_request_insight(&self, request_id: &str, insight: FakeInsight) {
        self.state()
            .request_insights
            .insert(request_id.to_string(), insight);
    }

    /// Impressions and clicks the per-unit endpoint reports for this unit name.
    pub fn set_unit_insight(&self, unit: &str, insight: FakeInsight) {
        self.state().unit_insights.insert(unit.to_string(), insight);
    }

    /// Distinct unit names used in the fake's current month (UTC+9).
    pub fn unit_names_this_month(&self) -> usize {
        let state = self.state();
        let month = state.today().format("%Y%m").to_string();
        state
            .unit_names_by_month
            .get(&month)
            .map_or(0, HashSet::len)
    }

    // ---- fault injection -------------------------------------------------------------

    /// The next `n` requests to `endpoint` fail with `status` before anything else is
    /// looked at: nothing is sent, charged or stored. 429 gets LINE's rate-limit message,
    /// anything else a generic one.
    pub fn fail_next(&self, endpoint: Endpoint, n: u32, status: u16) {
        let message = match status {
            429 => RATE_LIMIT_MESSAGE.to_string(),
            500 => "Internal server error".to_string(),
            _ => StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error")
                .to_string(),
        };
        self.fail_next_with(endpoint, n, status, &message);
    }

    /// Like [`FakeLine::fail_next`] with this `message` in the error body.
    pub fn fail_next_with(&self, endpoint: Endpoint, n: u32, status: u16, message: &str) {
        if n == 0 {
            return;
        }
        self.state()
            .failures
            .entry(endpoint)
            .or_default()
            .push_back(Failure {
                remaining: n,
                status,
                message: message.to_string(),
            });
    }

    /// The next request to `endpoint` is handled normally (an accepted send is delivered,
    /// charged and its retry key stored) but its answer is held back for `delay`: set it
    /// beyond the client's timeout for the "accepted, then timed out" case.
    pub fn delay_next_response(&self, endpoint: Endpoint, delay: Duration) {
        self.state()
            .delays
            .entry(endpoint)
            .or_default()
            .push_back(delay);
    }
}

// ---- the HTTP side ------------------------------------------------------------------------

/// An answer before the request id is attached.
struct Answer {
    status: StatusCode,
    body: Value,
    headers: Vec<(HeaderName, String)>,
}

impl Answer {
    fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            headers: Vec::new(),
        }
    }

    fn error(status: u16, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: json!({ "message": message.into() }),
            headers: Vec::new(),
        }
    }

    fn invalid_property(property: &str) -> Self {
        Self::error(
            400,
            format!(
                "The property, '{property}', in the request body is invalid (line: -, column: -)"
            ),
        )
    }

    fn details(details: Vec<(String, String)>) -> Self {
        let n = details.len();
        Self {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "message": format!("The request body has {n} error(s)"),
                "details": details
                    .into_iter()
                    .map(|(property, message)| json!({"message": message, "property": property}))
                    .collect::<Vec<_>>(),
            }),
            headers: Vec::new(),
        }
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = Uuid::new_v4().to_string();
    let (answer, delay) = inner.answer(
        &method,
        uri.path(),
        uri.query().unwrap_or(""),
        &headers,
        &body,
        &request_id,
    );
    if let Some(delay) = delay {
        // Everything is already recorded; a client that gives up meanwhile drops this
        // future, exactly like a timeout against LINE after it accepted the request.
        tokio::time::sleep(delay).await;
    }
    let mut response = (answer.status, axum::Json(answer.body)).into_response();
    let out = response.headers_mut();
    out.insert(
        HeaderName::from_static("x-line-request-id"),
        HeaderValue::from_str(&request_id).expect("uuid header"),
    );
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            out.insert(name, value);
        }
    }
    response
}

impl Inner {
    fn answer(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
        request_id: &str,
    ) -> (Answer, Option<Duration>) {
        let Some(endpoint) = Endpoint::from_path(path) else {
            return (Answer::error(404, "Not found"), None);
        };
        if *method != endpoint.method() {
            return (Answer::error(405, "Method Not Allowed"), None);
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *state.requests.entry(endpoint).or_insert(0) += 1;
        let retry_key = headers
            .get("x-line-retry-key")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        if let Some(key) = &retry_key {
            state.retry_keys_seen.push(key.clone());
        }
        let delay = state
            .delays
            .get_mut(&endpoint)
            .and_then(|queue| queue.pop_front());
        let query = parse_query(query);
        let answer = self.answer_locked(
            &mut state, endpoint, headers, retry_key, &query, body, request_id,
        );
        (answer, delay)
    }

    #[allow(clippy::too_many_arguments)]
    fn answer_locked(
        &self,
        state: &mut FakeState,
        endpoint: Endpoint,
        headers: &HeaderMap,
        retry_key: Option<String>,
        query: &HashMap<String, String>,
        body: &[u8],
        request_id: &str,
    ) -> Answer {
        if let Some(answer) = state.injected_failure(endpoint) {
            return answer;
        }
        if let Err(answer) = self.authenticate(headers) {
            return answer;
        }
        if state.rate_limits && !state.take_token(endpoint) {
            state.rate_limited += 1;
            return Answer::error(429, RATE_LIMIT_MESSAGE);
        }
        let retry_key = match retry_key {
            None => None,
            Some(_) if !endpoint.takes_retry_key() => {
                return Answer::error(
                    400,
                    "The X-Line-Retry-Key header is not supported for this endpoint",
                );
            }
            Some(raw) => match parse_retry_key(&raw) {
                Some(key) => Some(key),
                None => {
                    return Answer::error(
                        400,
                        format!("The retry key, {raw}, is invalid. It must be a UUID"),
                    );
                }
            },
        };
        match endpoint {
            Endpoint::Quota => return Answer::ok(state.quota_body()),
            Endpoint::QuotaConsumption => return Answer::ok(json!({"totalUsage": state.usage})),
            Endpoint::InsightMessageEvent => return state.message_event(query),
            Endpoint::InsightAggregation => return state.per_unit(query),
            _ => {}
        }
        if let Err(answer) = check_content_type(headers) {
            return answer;
        }
        let request: Value = match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return Answer::error(
                    400,
                    "The request body could not be parsed as JSON (line: 1, column: 1)",
                );
            }
            Err(e) => {
                return Answer::error(
                    400,
                    format!(
                        "The request body could not be parsed as JSON (line: {}, column: {})",
                        e.line(),
                        e.column()
                    ),
                );
            }
        };
        if let Some(key) = &retry_key
            && let Some(stored) = state.accepted_keys.get(key)
            && stored.at.elapsed() < RETRY_KEY_LIFETIME
        {
            state.conflicts += 1;
            let mut body = json!({ "message": RETRY_KEY_ACCEPTED_MESSAGE });
            if let Some(sent) = &stored.sent_messages {
                body["sentMessages"] = sent.clone();
            }
            return Answer {
                status: StatusCode::CONFLICT,
                body,
                headers: vec![(
                    HeaderName::from_static("x-line-accepted-request-id"),
                    stored.request_id.clone(),
                )],
            };
        }
        if let Err(answer) = validate_request(endpoint, &request) {
            return answer;
        }
        if endpoint.is_validate() {
            return Answer::ok(json!({}));
        }
        if endpoint == Endpoint::Reply {
            return state.reply(&request, request_id);
        }
        state.send(endpoint, &request, retry_key, request_id)
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<(), Answer> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(Answer::error(401, MISSING_TOKEN_MESSAGE));
        };
        let value = value.to_str().unwrap_or("");
        let Some(token) = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
        else {
            return Err(Answer::error(401, MISSING_TOKEN_MESSAGE));
        };
        if self.tokens.iter().any(|t| t == token.trim()) {
            Ok(())
        } else {
            Err(Answer::error(401, INVALID_TOKEN_MESSAGE))
        }
    }
}

/// A UUID in its hexadecimal 8-4-4-4-12 form, as LINE asks for.
fn parse_retry_key(raw: &str) -> Option<Uuid> {
    let raw = raw.trim();
    if raw.len() != 36 {
        return None;
    }
    Uuid::try_parse(raw).ok()
}

fn check_content_type(headers: &HeaderMap) -> Result<(), Answer> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let ok = raw.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if ok {
        Ok(())
    } else {
        Err(Answer::error(
            415,
            format!(
                "The content type, {}, is not supported",
                raw.as_deref().unwrap_or("null")
            ),
        ))
    }
}

impl FakeState {
    fn injected_failure(&mut self, endpoint: Endpoint) -> Option<Answer> {
        let queue = self.failures.get_mut(&endpoint)?;
        let failure = queue.front_mut()?;
        failure.remaining -= 1;
        let answer = Answer::error(failure.status, failure.message.clone());
        if failure.remaining == 0 {
            queue.pop_front();
        }
        Some(answer)
    }

    fn take_token(&mut self, endpoint: Endpoint) -> bool {
        let (capacity, period) = endpoint.rate_limit();
        let per_second = capacity / period.as_secs_f64();
        let now = Instant::now();
        let bucket = self.buckets.entry(endpoint).or_insert(Bucket {
            tokens: capacity,
            last: now,
        });
        let refill = now.duration_since(bucket.last).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn quota_body(&self) -> Value {
        match self.quota {
            FakeQuota::Unlimited => json!({"type": "none"}),
            FakeQuota::Limited(value) => json!({"type": "limited", "value": value}),
        }
    }

    fn is_friend(&self, user: u128) -> bool {
        self.all_friends || self.friends.contains(&user)
    }

    /// An accepted-or-refused send after validation: works out who receives it, charges
    /// the quota, records it and stores the retry key.
    fn send(
        &mut self,
        endpoint: Endpoint,
        request: &Value,
        retry_key: Option<Uuid>,
        request_id: &str,
    ) -> Answer {
        // `None`: a broadcast to a configured number of friends, not recorded per user.
        let recipients: Option<Vec<u128>> = match endpoint {
            Endpoint::Push => {
                let to = request["to"].as_str().unwrap_or_default();
                match parse_user_id(to) {
                    Some(u) if self.blocked.contains(&u) => Some(Vec::new()),
                    Some(u) if self.is_friend(u) => Some(vec![u]),
                    // Unknown users, users of another provider, and (in the fake) groups
                    // and rooms.
                    _ => return Answer::error(400, FAILED_TO_SEND_MESSAGE),
                }
            }
            Endpoint::Multicast => Some(
                request["to"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().and_then(parse_user_id))
                    .filter(|u| !self.blocked.contains(u) && self.is_friend(*u))
                    .collect(),
            ),
            Endpoint::Broadcast => match self.broadcast_recipients {
                Some(_) => None,
                None => {
                    let mut all: Vec<u128> = self
                        .friends
                        .iter()
                        .copied()
                        .filter(|u| !self.blocked.contains(u))
                        .collect();
                    all.sort_unstable();
                    Some(all)
                }
            },
            _ => unreachable!("only send endpoints get here"),
        };
        let count = match &recipients {
            Some(r) => r.len() as u64,
            None => self.broadcast_recipients.unwrap_or(0),
        };
        if let FakeQuota::Limited(limit) = self.quota
            && self.usage + count as i64 > limit
        {
            return Answer::error(429, MONTHLY_LIMIT_MESSAGE);
        }

        self.usage += count as i64;
        self.total_deliveries += count;
        let messages = Arc::new(request["messages"].clone());
        let notification_disabled = request["notificationDisabled"].as_bool().unwrap_or(false);
        if let Some(recipients) = &recipients {
            if self.count_per_user {
                for u in recipients {
                    *self.per_user.entry(*u).or_insert(0) += 1;
                }
            }
            if self.record_messages {
                for u in recipients {
                    self.log.entry(*u).or_default().push(Delivery {
                        endpoint,
                        request_id: request_id.to_string(),
                        messages: messages.clone(),
                        notification_disabled,
                    });
                }
            }
        }
        if self.record_messages {
            self.accepted.push(AcceptedRequest {
                endpoint,
                request_id: request_id.to_string(),
                retry_key,
                messages: messages.clone(),
                notification_disabled,
                delivered: count,
                custom_aggregation_units: request["customAggregationUnits"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect(),
            });
        }
        if endpoint == Endpoint::Broadcast {
            let now = self.now();
            self.broadcasts.insert(request_id.to_string(), (count, now));
        } else {
            self.count_unit(request, count);
        }

        let (body, sent_messages) = if endpoint == Endpoint::Push {
            let sent: Vec<Value> = (0..messages.as_array().map_or(0, Vec::len))
                .map(|_| {
                    self.next_message_id += 1;
                    json!({
                        "id": self.next_message_id.to_string(),
                        "quoteToken": Uuid::new_v4().simple().to_string(),
                    })
                })
                .collect();
            let sent = Value::Array(sent);
            (json!({ "sentMessages": sent.clone() }), Some(sent))
        } else {
            (json!({}), None)
        };
        if let Some(key) = retry_key {
            self.accepted_keys.insert(
                key,
                StoredKey {
                    request_id: request_id.to_string(),
                    sent_messages,
                    at: Instant::now(),
                },
            );
        }
        Answer::ok(body)
    }
}

// ---- validation (shared by the send and validate endpoints) --------------------------------

/// Collects LINE-style errors: `details` for values that break a rule, and the first
/// property whose JSON type is wrong (LINE reports those alone, as "The property, ...").
#[derive(Default)]
struct Checker {
    details: Vec<(String, String)>,
    wrong_type: Option<String>,
}

impl Checker {
    fn detail(&mut self, property: impl Into<String>, message: impl Into<String>) {
        self.details.push((property.into(), message.into()));
    }

    fn wrong_type(&mut self, property: impl Into<String>) {
        if self.wrong_type.is_none() {
            self.wrong_type = Some(property.into());
        }
    }

    /// A required string: present and non-empty.
    fn required_str<'a>(&mut self, obj: &'a Value, key: &str, path: &str) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                self.detail(format!("{path}.{key}"), "May not be empty");
                None
            }
            Some(Value::String(s)) if s.is_empty() => {
                self.detail(format!("{path}.{key}"), "May not be empty");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.wrong_type(format!("{path}.{key}"));
                None
            }
        }
    }

    fn optional_str<'a>(&mut self, obj: &'a Value, key: &str, path: &str) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.wrong_type(format!("{path}.{key}"));
                None
            }
        }
    }

    fn required_number(&mut self, obj: &Value, key: &str, path: &str) {
        match obj.get(key) {
            None | Some(Value::Null) => self.detail(format!("{path}.{key}"), "May not be null"),
            Some(Value::Number(_)) => {}
            Some(_) => self.wrong_type(format!("{path}.{key}")),
        }
    }

    fn required_object(&mut self, obj: &Value, key: &str, path: &str) {
        match obj.get(key) {
            None | Some(Value::Null) => self.detail(format!("{path}.{key}"), "May not be null"),
            Some(Value::Object(_)) => {}
            Some(_) => self.wrong_type(format!("{path}.{key}")),
        }
    }

    fn max_len(&mut self, text: Option<&str>, max: usize, property: String) {
        if let Some(text) = text
            && text.encode_utf16().count() > max
        {
            self.detail(property, format!("Length must be between 0 and {max}"));
        }
    }

    fn https_url(&mut self, url: Option<&str>, property: String) {
        let Some(url) = url else { return };
        if !url.starts_with("https://") || url.len() <= "https://".len() {
            self.detail(property, "Must be a valid HTTPS URL");
        } else if url.chars().count() > 2000 {
            self.detail(property, "Length must be between 0 and 2000");
        }
    }

    fn required_url(&mut self, obj: &Value, key: &str, path: &str) {
        let url = self.required_str(obj, key, path);
        self.https_url(url, format!("{path}.{key}"));
    }

    fn max_items(&mut self, obj: &Value, key: &str, path: &str, max: usize) {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.len() > max => {
                self.detail(
                    format!("{path}.{key}"),
                    format!("Size must be between 0 and {max}"),
                );
            }
            Some(Value::Array(_)) => {}
            Some(_) => self.wrong_type(format!("{path}.{key}")),
        }
    }

    fn finish(self) -> Result<(), Answer> {
        if let Some(property) = self.wrong_type {
            return Err(Answer::invalid_property(&property));
        }
        if self.details.is_empty() {
            Ok(())
        } else {
            Err(Answer::details(self.details))
        }
    }
}

/// The checks LINE applies to a send or validate body (messages, and `to` for push and
/// multicast).
fn validate_request(endpoint: Endpoint, request: &Value) -> Result<(), Answer> {
    let mut c = Checker::default();
    match endpoint {
        Endpoint::Push => match request.get("to") {
            None | Some(Value::Null) => c.detail("to", "May not be empty"),
            Some(Value::String(to)) if to.is_empty() => c.detail("to", "May not be empty"),
            Some(Value::String(to)) => {
                let well_formed = parse_user_id(to).is_some()
                    || ['C', 'R'].iter().any(|p| {
                        to.strip_prefix(*p).is_some_and(|h| {
                            h.len() == 32
                                && h.bytes()
                                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                        })
                    });
                if !well_formed {
                    c.wrong_type("to");
                }
            }
            Some(_) => c.wrong_type("to"),
        },
        Endpoint::Multicast => match request.get("to") {
            None | Some(Value::Null) => c.detail("to", "May not be empty"),
            Some(Value::Array(to)) => {
                if to.is_empty() || to.len() > 500 {
                    c.detail("to", "Size must be between 1 and 500");
                }
                for (i, id) in to.iter().enumerate() {
                    match id.as_str() {
                        Some(s) if parse_user_id(s).is_some() => {}
                        Some(_) => c.detail(format!("to[{i}]"), "Must match \"^U[0-9a-f]{32}$\""),
                        None => c.wrong_type(format!("to[{i}]")),
                    }
                }
            }
            Some(_) => c.wrong_type("to"),
        },
        _ => {}
    }
    match request.get("notificationDisabled") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(_) => c.wrong_type("notificationDisabled"),
    }
    if matches!(endpoint, Endpoint::Push | Endpoint::Multicast) {
        check_units(&mut c, request);
    }
    if endpoint == Endpoint::Reply {
        match request.get("replyToken") {
            Some(Value::String(t)) if !t.is_empty() => {}
            None | Some(Value::Null) | Some(Value::String(_)) => {
                c.detail("replyToken", "May not be empty")
            }
            Some(_) => c.wrong_type("replyToken"),
        }
    }
    match request.get("messages") {
        None | Some(Value::Null) => c.detail("messages", "May not be empty"),
        Some(Value::Array(messages)) => {
            if messages.is_empty() || messages.len() > 5 {
                c.detail("messages", "Size must be between 1 and 5");
            }
            for (i, message) in messages.iter().enumerate() {
                check_message(&mut c, message, &format!("messages[{i}]"));
            }
        }
        Some(_) => c.wrong_type("messages"),
    }
    c.finish()
}

fn check_message(c: &mut Checker, m: &Value, path: &str) {
    if !m.is_object() {
        c.wrong_type(path);
        return;
    }
    let Some(kind) = c.required_str(m, "type", path) else {
        return;
    };
    if !MESSAGE_TYPES.contains(&kind) {
        c.detail(
            format!("{path}.type"),
            format!(
                "Must be one of the following values: [{}]",
                MESSAGE_TYPES.join(", ")
            ),
        );
        return;
    }
    match kind {
        "text" | "textV2" => {
            let text = c.required_str(m, "text", path);
            c.max_len(text, 5000, format!("{path}.text"));
            if kind == "text" {
                c.max_items(m, "emojis", path, 20);
            }
        }
        "sticker" => {
            c.required_str(m, "packageId", path);
            c.required_str(m, "stickerId", path);
        }
        "image" => {
            c.required_url(m, "originalContentUrl", path);
            c.required_url(m, "previewImageUrl", path);
        }
        "video" => {
            c.required_url(m, "originalContentUrl", path);
            c.required_url(m, "previewImageUrl", path);
            let tracking = c.optional_str(m, "trackingId", path);
            c.max_len(tracking, 100, format!("{path}.trackingId"));
        }
        "audio" => {
            c.required_url(m, "originalContentUrl", path);
            c.required_number(m, "duration", path);
        }
        "location" => {
            let title = c.required_str(m, "title", path);
            c.max_len(title, 100, format!("{path}.title"));
            let address = c.required_str(m, "address", path);
            c.max_len(address, 100, format!("{path}.address"));
            c.required_number(m, "latitude", path);
            c.required_number(m, "longitude", path);
        }
        "imagemap" => {
            c.required_url(m, "baseUrl", path);
            let alt = c.required_str(m, "altText", path);
            c.max_len(alt, 400, format!("{path}.altText"));
            c.required_object(m, "baseSize", path);
            c.max_items(m, "actions", path, 50);
        }
        "template" => {
            let alt = c.required_str(m, "altText", path);
            c.max_len(alt, 400, format!("{path}.altText"));
            c.required_object(m, "template", path);
        }
        "flex" => {
            let alt = c.required_str(m, "altText", path);
            c.max_len(alt, 400, format!("{path}.altText"));
            c.required_object(m, "contents", path);
        }
        "coupon" => {
            c.required_str(m, "couponId", path);
        }
        _ => {}
    }
    if let Some(quick) = m.get("quickReply").filter(|q| !q.is_null()) {
        if quick.is_object() {
            c.max_items(quick, "items", &format!("{path}.quickReply"), 13);
        } else {
            c.wrong_type(format!("{path}.quickReply"));
        }
    }
    if let Some(sender) = m.get("sender").filter(|s| !s.is_null()) {
        if sender.is_object() {
            let sender_path = format!("{path}.sender");
            let name = c.optional_str(sender, "name", &sender_path);
            c.max_len(name, 20, format!("{sender_path}.name"));
            let icon = c.optional_str(sender, "iconUrl", &sender_path);
            c.https_url(icon, format!("{sender_path}.iconUrl"));
        } else {
            c.wrong_type(format!("{path}.sender"));
        }
    }
}

// ---- replies, unit names and statistics ---------------------------------------------------

/// `customAggregationUnits`: at most one name, each `^[a-zA-Z0-9_]{1,30}$` (multicast's
/// schema; push takes the same names).
fn check_units(c: &mut Checker, request: &Value) {
    match request.get("customAggregationUnits") {
        None | Some(Value::Null) => {}
        Some(Value::Array(units)) => {
            if units.len() > 1 {
                c.detail("customAggregationUnits", "Size must be between 0 and 1");
            }
            for (i, unit) in units.iter().enumerate() {
                match unit.as_str() {
                    Some(name) if is_unit_name(name) => {}
                    Some(_) => c.detail(
                        format!("customAggregationUnits[{i}]"),
                        "Must match \"^[a-zA-Z0-9_]{1,30}$\"",
                    ),
                    None => c.wrong_type(format!("customAggregationUnits[{i}]")),
                }
            }
        }
        Some(_) => c.wrong_type("customAggregationUnits"),
    }
}

pub fn is_unit_name(name: &str) -> bool {
    (1..=30).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `a=b&c=d`, percent-decoded.
fn parse_query(query: &str) -> HashMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    match std::str::from_utf8(&bytes[i + 1..i + 3])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                    {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A figure about people: `null` under the privacy threshold.
fn people(n: i64) -> Value {
    if n >= PRIVACY_THRESHOLD {
        json!(n)
    } else {
        Value::Null
    }
}

/// A count of actions: `null` when the people behind it are under the threshold.
fn actions(n: i64, by: i64) -> Value {
    if by >= PRIVACY_THRESHOLD {
        people(n)
    } else {
        Value::Null
    }
}

impl FakeState {
    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&line_zone()).date_naive()
    }

    /// Counts an accepted push or multicast under its unit name.
    fn count_unit(&mut self, request: &Value, recipients: u64) {
        let Some(name) = request["customAggregationUnits"]
            .as_array()
            .and_then(|u| u.first())
            .and_then(Value::as_str)
        else {
            return;
        };
        let today = self.today();
        self.units
            .entry(name.to_string())
            .or_default()
            .push((today, recipients));
        self.unit_names_by_month
            .entry(today.format("%Y%m").to_string())
            .or_default()
            .insert(name.to_string());
    }

    /// `POST /v2/bot/message/reply` after validation: the token must be one the fake
    /// issued, unused and within its lifetime; the friend gets the messages, free.
    fn reply(&mut self, request: &Value, request_id: &str) -> Answer {
        let token = request["replyToken"].as_str().unwrap_or_default();
        let lifetime = self.reply_token_lifetime;
        let user = match self.reply_tokens.get_mut(token) {
            Some(t) if !t.used && t.issued.elapsed() < lifetime => {
                t.used = true;
                t.user
            }
            _ => return Answer::error(400, INVALID_REPLY_TOKEN_MESSAGE),
        };
        let messages = Arc::new(request["messages"].clone());
        let notification_disabled = request["notificationDisabled"].as_bool().unwrap_or(false);
        let reached = !self.blocked.contains(&user) && self.is_friend(user);
        if reached {
            self.total_deliveries += 1;
            if self.count_per_user {
                *self.per_user.entry(user).or_insert(0) += 1;
            }
            if self.record_messages {
                self.log.entry(user).or_default().push(Delivery {
                    endpoint: Endpoint::Reply,
                    request_id: request_id.to_string(),
                    messages: messages.clone(),
                    notification_disabled,
                });
            }
        }
        if self.record_messages {
            self.accepted.push(AcceptedRequest {
                endpoint: Endpoint::Reply,
                request_id: request_id.to_string(),
                retry_key: None,
                messages: messages.clone(),
                notification_disabled,
                delivered: u64::from(reached),
                custom_aggregation_units: Vec::new(),
            });
        }
        let sent: Vec<Value> = (0..messages.as_array().map_or(0, Vec::len))
            .map(|_| {
                self.next_message_id += 1;
                json!({
                    "id": self.next_message_id.to_string(),
                    "quoteToken": Uuid::new_v4().simple().to_string(),
                })
            })
            .collect();
        Answer::ok(json!({ "sentMessages": sent }))
    }

    /// `GET /v2/bot/insight/message/event?requestId=`: a broadcast's statistics.
    /// An unknown request id reports nothing (all `null`) (unconfirmed: LINE's answer for
    /// an id it does not know is not documented).
    fn message_event(&self, query: &HashMap<String, String>) -> Answer {
        let Some(request_id) = query.get("requestId").filter(|r| !r.is_empty()) else {
            return Answer::query_error("requestId", "May not be empty");
        };
        let Some((delivered, at)) = self.broadcasts.get(request_id) else {
            return Answer::ok(json!({
                "overview": {"requestId": request_id, "timestamp": null, "delivered": null,
                             "uniqueImpression": null, "uniqueClick": null,
                             "uniqueMediaPlayed": null, "uniqueMediaPlayed100Percent": null},
                "messages": [], "clicks": []
            }));
        };
        let delivered = *delivered as i64;
        let i = self
            .request_insights
            .get(request_id)
            .cloned()
            .unwrap_or_default();
        let opened = i.unique_impression.min(delivered);
        Answer::ok(json!({
            "overview": {
                "requestId": request_id,
                "timestamp": at.timestamp(),
                "delivered": delivered,
                "uniqueImpression": people(opened),
                "uniqueClick": people(i.unique_click.min(opened)),
                "uniqueMediaPlayed": null,
                "uniqueMediaPlayed100Percent": null,
            },
            "messages": i.messages.iter().map(|m| json!({
                "seq": m.seq,
                "impression": actions(m.impression, opened),
                "mediaPlayed": null, "mediaPlayed25Percent": null, "mediaPlayed50Percent": null,
                "mediaPlayed75Percent": null, "mediaPlayed100Percent": null,
                "uniqueMediaPlayed": null, "uniqueMediaPlayed25Percent": null,
                "uniqueMediaPlayed50Percent": null, "uniqueMediaPlayed75Percent": null,
                "uniqueMediaPlayed100Percent": null,
            })).collect::<Vec<_>>(),
            "clicks": i.clicks.iter().map(|c| {
                let by = c.unique_click.min(delivered);
                json!({
                    "seq": c.seq, "url": c.url,
                    "click": actions(c.click, by),
                    "uniqueClick": people(by),
                    "uniqueClickOfRequest": people(by),
                })
            }).collect::<Vec<_>>(),
        }))
    }

    /// `GET /v2/bot/insight/message/event/aggregation?customAggregationUnit=&from=&to=`:
    /// the pushes and multicasts sent under a unit name on the days `from` to `to`
    /// (yyyyMMdd, UTC+9, `to` at most 30 days after `from`).
    fn per_unit(&self, query: &HashMap<String, String>) -> Answer {
        let unit = query
            .get("customAggregationUnit")
            .map(String::as_str)
            .unwrap_or("");
        if !is_unit_name(unit) {
            return Answer::query_error(
                "customAggregationUnit",
                "Must match \"^[a-zA-Z0-9_]{1,30}$\"",
            );
        }
        let mut dates = Vec::new();
        for key in ["from", "to"] {
            let raw = query.get(key).map(String::as_str).unwrap_or("");
            match (raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()))
                .then(|| NaiveDate::parse_from_str(raw, "%Y%m%d").ok())
                .flatten()
            {
                Some(d) => dates.push(d),
                None => return Answer::query_error(key, "Must match \"^[0-9]{8}$\""),
            }
        }
        let (from, to) = (dates[0], dates[1]);
        if to < from || to > from + Days::days(30) {
            return Answer::query_error("to", "Must be from 0 to 30 days after from");
        }
        let recipients: i64 = self
            .units
            .get(unit)
            .into_iter()
            .flatten()
            .filter(|(day, _)| (from..=to).contains(day))
            .map(|(_, n)| *n as i64)
            .sum();
        let i = if recipients > 0 {
            self.unit_insights.get(unit).cloned().unwrap_or_default()
        } else {
            FakeInsight::default()
        };
        let opened = i.unique_impression.min(recipients);
        Answer::ok(json!({
            "overview": {
                "uniqueImpression": people(opened),
                "uniqueClick": people(i.unique_click.min(opened)),
                "uniqueMediaPlayed": null,
                "uniqueMediaPlayed100Percent": null,
            },
            "messages": i.messages.iter().map(|m| {
                let by = m.unique_impression.min(recipients);
                json!({
                    "seq": m.seq,
                    "impression": actions(m.impression, by),
                    "uniqueImpression": people(by),
                    "mediaPlayed": null, "mediaPlayed25Percent": null, "mediaPlayed50Percent": null,
                    "mediaPlayed75Percent": null, "mediaPlayed100Percent": null,
                    "uniqueMediaPlayed": null, "uniqueMediaPlayed25Percent": null,
                    "uniqueMediaPlayed50Percent": null, "uniqueMediaPlayed75Percent": null,
                    "uniqueMediaPlayed100Percent": null,
                })
            }).collect::<Vec<_>>(),
            "clicks": i.clicks.iter().map(|c| {
                let by = c.unique_click.min(recipients);
                json!({
                    "seq": c.seq, "url": c.url,
                    "click": actions(c.click, by),
                    "uniqueClick": people(by),
                    "uniqueClickOfRequest": people(by),
                })
            }).collect::<Vec<_>>(),
        }))
    }
}

impl Answer {
    /// A refused query parameter, in LINE's error shape with the parameter as `property`
    /// (the top-level wording for GET requests is unconfirmed).
    fn query_error(property: &str, message: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "message": "The request has 1 error(s)",
                "details": [{"message": message, "property": property}],
            }),
            headers: Vec::new(),
        }
    }
}
