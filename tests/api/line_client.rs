//! The real LINE client (`sendgate::delivery::line::LineClient`) against the fake LINE
//! server over real HTTP: request shapes, retry keys, the mapping of LINE's answers onto
//! `DeliveryError`, quota, and that the channel access token never leaks.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sendgate::delivery::line::LineClient;
use sendgate::delivery::{Accepted, Audience, Batch, DeliveryError, DeliveryProvider, Quota};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fake_line::{
    DEFAULT_TOKEN, Endpoint, FakeLine, FakeLineConfig, FakeQuota, INVALID_TOKEN_MESSAGE,
    MONTHLY_LIMIT_MESSAGE,
};

fn user(n: u64) -> String {
    format!("U{n:032x}")
}

fn users(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(user).collect()
}

fn text(s: &str) -> Value {
    json!({"type": "text", "text": s})
}

fn batch(audience: Audience, messages: Vec<Value>) -> Batch {
    Batch {
        audience,
        messages,
        notification_disabled: false,
        retry_key: Uuid::new_v4(),
        aggregation_unit: None,
    }
}

fn client(fake: &FakeLine) -> LineClient {
    client_with_timeout(fake, Duration::from_secs(5))
}

fn client_with_timeout(fake: &FakeLine, timeout: Duration) -> LineClient {
    LineClient::new(&fake.base_url(), DEFAULT_TOKEN.to_string(), timeout).expect("client")
}

async fn fake_with_friends(friends: &[String]) -> FakeLine {
    FakeLine::start(FakeLineConfig::with_friends(friends.iter().cloned())).await
}

#[tokio::test]
async fn a_push_reaches_the_user_with_its_messages_and_lines_request_id() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client(&fake);
    let mut push = batch(
        Audience::Push { to: user(1) },
        vec![text("hello"), text("again")],
    );
    push.notification_disabled = true;

    let accepted = line.send(&push).await.expect("accepted");

    let requests = fake.accepted_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        accepted,
        Accepted {
            request_id: Some(requests[0].request_id.clone()),
            duplicate: false
        }
    );
    assert_eq!(requests[0].retry_key, Some(push.retry_key));
    let got = fake.delivered_to(&user(1));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].endpoint, Endpoint::Push);
    assert_eq!(*got[0].messages, json!([text("hello"), text("again")]));
    assert!(got[0].notification_disabled);
    assert_eq!(fake.quota_usage(), 1, "one recipient, whatever the bubbles");
    assert_eq!(fake.retry_keys_seen(), vec![push.retry_key.to_string()]);
}

#[tokio::test]
async fn a_multicast_reaches_each_user_once_and_counts_quota() {
    let friends = users(1..4);
    let fake = FakeLine::start(FakeLineConfig {
        friends: [friends.clone(), vec![user(9)]].concat(),
        blocked: vec![user(9)],
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);
    let to = [friends.clone(), vec![user(9)]].concat();

    let accepted = line
        .send(&batch(Audience::Multicast { to }, vec![text("sale")]))
        .await
        .expect("accepted");

    assert!(!accepted.duplicate);
    assert!(accepted.request_id.is_some());
    for f in &friends {
        assert_eq!(fake.deliveries_to(f), 1, "{f}");
        assert_eq!(
            *fake.delivered_to(f)[0].messages,
            json!([text("sale")]),
            "{f}"
        );
        assert!(!fake.delivered_to(f)[0].notification_disabled);
    }
    assert_eq!(fake.deliveries_to(&user(9)), 0, "blocked users get nothing");
    assert_eq!(fake.total_deliveries(), 3);
    assert_eq!(fake.quota_usage(), 3, "blocked users are not counted");
    assert_eq!(fake.requests_to(Endpoint::Multicast), 1);
}

#[tokio::test]
async fn a_broadcast_reaches_every_friend_who_has_not_blocked_the_account() {
    let fake = FakeLine::start(FakeLineConfig {
        friends: users(1..6),
        blocked: vec![user(5)],
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);

    line.send(&batch(Audience::Broadcast, vec![text("to all")]))
        .await
        .expect("accepted");

    for n in 1..5 {
        assert_eq!(fake.deliveries_to(&user(n)), 1);
    }
    assert_eq!(fake.deliveries_to(&user(5)), 0);
    assert_eq!(fake.quota_usage(), 4);
    assert_eq!(fake.requests_to(Endpoint::Broadcast), 1);
}

#[tokio::test]
async fn a_retry_with_the_same_key_after_a_timeout_gets_409_and_counts_as_sent() {
    let friends = users(1..4);
    let fake = fake_with_friends(&friends).await;
    let line = client_with_timeout(&fake, Duration::from_secs(1));
    let multicast = batch(
        Audience::Multicast {
            to: friends.clone(),
        },
        vec![text("once")],
    );
    fake.delay_next_response(Endpoint::Multicast, Duration::from_secs(4));

    let first = line.send(&multicast).await;
    assert!(
        matches!(&first, Err(DeliveryError::Retryable(m)) if m.contains("did not answer")),
        "{first:?}"
    );
    // LINE took it before the client gave up.
    assert!(fake.retry_key_accepted(&multicast.retry_key));
    assert_eq!(fake.total_deliveries(), 3);
    let original = fake.accepted_requests()[0].request_id.clone();

    let retry = line.send(&multicast).await.expect("a 409 counts as sent");

    assert_eq!(
        retry,
        Accepted {
            request_id: Some(original),
            duplicate: true
        }
    );
    assert_eq!(fake.conflicts(), 1);
    for f in &friends {
        assert_eq!(fake.deliveries_to(f), 1, "{f} got it exactly once");
    }
    assert_eq!(fake.quota_usage(), 3, "the duplicate is not charged");
    assert_eq!(fake.requests_to(Endpoint::Multicast), 2);
    assert_eq!(
        fake.retry_keys_seen(),
        vec![multicast.retry_key.to_string(); 2]
    );
}

#[tokio::test]
async fn a_retried_push_after_a_timeout_is_a_duplicate_too() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client_with_timeout(&fake, Duration::from_secs(1));
    let push = batch(Audience::Push { to: user(1) }, vec![text("hi")]);
    fake.delay_next_response(Endpoint::Push, Duration::from_secs(4));

    assert!(matches!(
        line.send(&push).await,
        Err(DeliveryError::Retryable(_))
    ));
    let retry = line.send(&push).await.expect("duplicate");

    assert!(retry.duplicate);
    assert_eq!(
        retry.request_id,
        Some(fake.accepted_requests()[0].request_id.clone())
    );
    assert_eq!(fake.deliveries_to(&user(1)), 1);
}

#[tokio::test]
async fn a_500_is_retryable_and_the_retry_succeeds_with_the_same_key() {
    let friends = users(1..3);
    let fake = fake_with_friends(&friends).await;
    let line = client(&fake);
    let multicast = batch(
        Audience::Multicast {
            to: friends.clone(),
        },
        vec![text("x")],
    );
    fake.fail_next(Endpoint::Multicast, 1, 500);

    let first = line.send(&multicast).await;
    assert!(
        matches!(&first, Err(DeliveryError::Retryable(m)) if m.contains("500")),
        "{first:?}"
    );
    assert_eq!(fake.total_deliveries(), 0);
    assert!(
        !fake.retry_key_accepted(&multicast.retry_key),
        "a failed attempt does not burn the key"
    );

    let retry = line.send(&multicast).await.expect("accepted");

    assert!(!retry.duplicate);
    assert_eq!(fake.conflicts(), 0);
    for f in &friends {
        assert_eq!(fake.deliveries_to(f), 1);
    }
    assert_eq!(
        fake.retry_keys_seen(),
        vec![multicast.retry_key.to_string(); 2]
    );
}

#[tokio::test]
async fn bad_gateways_and_unavailable_answers_are_retryable() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client(&fake);
    for status in [502, 503, 504] {
        fake.fail_next(Endpoint::Push, 1, status);
        let outcome = line
            .send(&batch(Audience::Push { to: user(1) }, vec![text("x")]))
            .await;
        assert!(
            matches!(outcome, Err(DeliveryError::Retryable(_))),
            "{status}: {outcome:?}"
        );
    }
    assert_eq!(fake.total_deliveries(), 0);
}

#[tokio::test]
async fn the_monthly_limit_is_reported_as_quota_exceeded_with_lines_message() {
    let friends = users(1..4);
    let fake = FakeLine::start(FakeLineConfig {
        friends: friends.clone(),
        quota: FakeQuota::Limited(2),
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);
    let multicast = batch(
        Audience::Multicast {
            to: friends.clone(),
        },
        vec![text("too many")],
    );

    let outcome = line.send(&multicast).await;

    assert_eq!(
        outcome,
        Err(DeliveryError::QuotaExceeded(
            "You have reached your monthly limit.".into()
        ))
    );
    assert_eq!(
        MONTHLY_LIMIT_MESSAGE,
        "You have reached your monthly limit."
    );
    assert_eq!(fake.total_deliveries(), 0, "nothing is sent");
    assert_eq!(fake.quota_usage(), 0);
    assert!(!fake.retry_key_accepted(&multicast.retry_key));

    // What still fits goes out.
    line.send(&batch(Audience::Push { to: user(1) }, vec![text("one")]))
        .await
        .expect("fits");
    assert_eq!(fake.quota_usage(), 1);
}

#[tokio::test]
async fn a_bad_message_is_rejected_with_lines_details_word_for_word() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client(&fake);
    let messages = vec![
        text(""),
        json!({"type": "hologram"}),
        json!({"type": "image", "originalContentUrl": "http://example.com/a.png", "previewImageUrl": "https://example.com/p.png"}),
    ];

    let outcome = line
        .send(&batch(Audience::Push { to: user(1) }, messages.clone()))
        .await;

    // The same body, straight to LINE's validate endpoint, without the client.
    let raw: Value = reqwest::Client::new()
        .post(format!("{}/v2/bot/message/validate/push", fake.base_url()))
        .bearer_auth(DEFAULT_TOKEN)
        .json(&json!({ "messages": messages }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected_details: Vec<(String, String)> = raw["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["property"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        Err(DeliveryError::Rejected {
            status: 400,
            message: raw["message"].as_str().unwrap().to_string(),
            details: expected_details,
        })
    );
    let Err(DeliveryError::Rejected {
        message, details, ..
    }) = outcome
    else {
        unreachable!()
    };
    assert_eq!(message, "The request body has 3 error(s)");
    assert_eq!(
        details[0],
        (
            "messages[0].text".to_string(),
            "May not be empty".to_string()
        )
    );
    assert_eq!(details[1].0, "messages[1].type");
    assert!(
        details[1]
            .1
            .starts_with("Must be one of the following values: [text")
    );
    assert_eq!(details[2].0, "messages[2].originalContentUrl");
    assert_eq!(fake.total_deliveries(), 0);
}

#[tokio::test]
async fn a_text_over_5000_utf16_units_is_rejected_but_5000_is_fine() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client(&fake);
    // "😀" is two UTF-16 units: 2,500 of them are exactly 5,000.
    let at_limit = "😀".repeat(2500);
    let over = format!("{at_limit}a");
    let push = Audience::Push { to: user(1) };

    line.validate(&push, &[text(&at_limit)])
        .await
        .expect("5000 units is fine");
    let outcome = line.validate(&push, &[text(&over)]).await;

    assert_eq!(
        outcome,
        Err(DeliveryError::Rejected {
            status: 400,
            message: "The request body has 1 error(s)".into(),
            details: vec![(
                "messages[0].text".into(),
                "Length must be between 0 and 5000".into()
            )],
        })
    );
}

#[tokio::test]
async fn validate_uses_the_matching_endpoint_without_a_retry_key() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = client(&fake);
    let messages = [text("ok")];

    line.validate(&Audience::Push { to: user(1) }, &messages)
        .await
        .expect("push");
    line.validate(&Audience::Multicast { to: vec![user(1)] }, &messages)
        .await
        .expect("multicast");
    line.validate(&Audience::Broadcast, &messages)
        .await
        .expect("broadcast");

    assert_eq!(fake.requests_to(Endpoint::ValidatePush), 1);
    assert_eq!(fake.requests_to(Endpoint::ValidateMulticast), 1);
    assert_eq!(fake.requests_to(Endpoint::ValidateBroadcast), 1);
    for send in [Endpoint::Push, Endpoint::Multicast, Endpoint::Broadcast] {
        assert_eq!(fake.requests_to(send), 0);
    }
    assert!(fake.retry_keys_seen().is_empty());
    assert_eq!(fake.total_deliveries(), 0);
    assert_eq!(fake.quota_usage(), 0, "validation is free");

    let bad = line.validate(&Audience::Broadcast, &[]).await;
    assert_eq!(
        bad,
        Err(DeliveryError::Rejected {
            status: 400,
            message: "The request body has 1 error(s)".into(),
            details: vec![("messages".into(), "Size must be between 1 and 5".into())],
        })
    );
}

#[tokio::test]
async fn quota_reads_both_endpoints() {
    let fake = FakeLine::start(FakeLineConfig {
        quota: FakeQuota::Limited(1000),
        usage: 500,
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);

    assert_eq!(
        line.quota().await,
        Ok(Quota {
            limit: Some(1000),
            used: 500
        })
    );
    assert_eq!(fake.requests_to(Endpoint::Quota), 1);
    assert_eq!(fake.requests_to(Endpoint::QuotaConsumption), 1);

    fake.set_quota(FakeQuota::Unlimited);
    assert_eq!(
        line.quota().await,
        Ok(Quota {
            limit: None,
            used: 500
        })
    );
}

#[tokio::test]
async fn a_failing_quota_endpoint_is_reported() {
    let fake = FakeLine::start(FakeLineConfig::default()).await;
    let line = client(&fake);
    fake.fail_next(Endpoint::QuotaConsumption, 1, 500);

    assert!(matches!(
        line.quota().await,
        Err(DeliveryError::Retryable(_))
    ));
    assert!(line.quota().await.is_ok());
}

#[tokio::test]
async fn a_wrong_token_is_rejected() {
    let fake = fake_with_friends(&[user(1)]).await;
    let line = LineClient::new(
        &fake.base_url(),
        "not-the-token".into(),
        Duration::from_secs(5),
    )
    .unwrap();

    let outcome = line
        .send(&batch(Audience::Push { to: user(1) }, vec![text("x")]))
        .await;

    assert_eq!(
        outcome,
        Err(DeliveryError::Rejected {
            status: 401,
            message: INVALID_TOKEN_MESSAGE.into(),
            details: vec![],
        })
    );
    assert!(matches!(
        line.quota().await,
        Err(DeliveryError::Rejected { status: 401, .. })
    ));
    assert_eq!(fake.total_deliveries(), 0);
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_never_appears_in_debug_output_or_errors() {
    const SECRET: &str = "very-secret-channel-access-token-1234";
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A server that echoes the Authorization header back in its error messages.
    let echo = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(|request: &wiremock::Request| {
            let auth = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let status = if request.url.path().ends_with("/push") {
                400
            } else {
                503
            };
            wiremock::ResponseTemplate::new(status).set_body_json(json!({
                "message": format!("bad header {auth}"),
                "details": [{"property": auth.clone(), "message": format!("got {auth}")}],
            }))
        })
        .mount(&echo)
        .await;
    let echoing = LineClient::new(&echo.uri(), SECRET.into(), Duration::from_secs(5)).unwrap();
    let fake = fake_with_friends(&[user(1)]).await;
    let slow =
        LineClient::new(&fake.base_url(), SECRET.into(), Duration::from_millis(200)).unwrap();
    fake.delay_next_response(Endpoint::ValidatePush, Duration::from_secs(2));
    fake.delay_next_response(Endpoint::Push, Duration::from_secs(2));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        LineClient::new(
            &format!("http://{addr}"),
            SECRET.into(),
            Duration::from_secs(2),
        )
        .unwrap()
    };
    let push = Audience::Push { to: user(1) };
    // Tests on other threads may have cached "nobody listens" for the client's log
    // callsites just before this thread's subscriber was set.
    tracing::callsite::rebuild_interest_cache();

    let mut errors = vec![
        echoing
            .send(&batch(push.clone(), vec![text("x")]))
            .await
            .unwrap_err(),
        echoing
            .validate(&Audience::Broadcast, &[text("x")])
            .await
            .unwrap_err(),
        echoing.quota().await.unwrap_err(),
        slow.validate(&push, &[text("x")]).await.unwrap_err(),
        slow.send(&batch(push.clone(), vec![text("x")]))
            .await
            .unwrap_err(),
        closed
            .send(&batch(push.clone(), vec![text("x")]))
            .await
            .unwrap_err(),
    ];
    errors.push(closed.quota().await.unwrap_err());

    assert!(
        !echo.received_requests().await.unwrap().is_empty(),
        "the echo server was called"
    );
    for client in [&echoing, &slow, &closed] {
        let debug = format!("{client:?} {client:#?}");
        assert!(!debug.contains(SECRET), "{debug}");
    }
    for e in &errors {
        let shown = format!("{e} {e:?} {}", e.describe());
        assert!(!shown.contains(SECRET), "{shown}");
    }
    assert!(matches!(
        errors[0],
        DeliveryError::Rejected { status: 400, .. }
    ));
    assert!(matches!(errors[1], DeliveryError::Retryable(_)));
    assert!(matches!(errors[3], DeliveryError::Retryable(_)));
    assert!(matches!(errors[5], DeliveryError::Retryable(_)));
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("LINE"), "the client logged something: {logs}");
    assert!(!logs.contains(SECRET), "{logs}");
}

#[tokio::test]
async fn rate_limited_multicast_is_retryable() {
    let fake = FakeLine::start(FakeLineConfig {
        rate_limits: true,
        ..FakeLineConfig::for_benchmarks()
    })
    .await;
    let line = Arc::new(client(&fake));

    // LINE allows 200 multicasts a second: eight senders in parallel outrun the bucket.
    let mut senders = tokio::task::JoinSet::new();
    for worker in 0..8u64 {
        let line = line.clone();
        senders.spawn(async move {
            for i in 0..400u64 {
                let b = batch(
                    Audience::Multicast {
                        to: vec![user(worker * 1000 + i)],
                    },
                    vec![text("x")],
                );
                match line.send(&b).await {
                    Ok(_) => {}
                    Err(e) => return Some((b, e)),
                }
            }
            None
        });
    }
    let mut limited = None;
    while let Some(outcome) = senders.join_next().await {
        if let Some(found) = outcome.unwrap() {
            limited.get_or_insert(found);
        }
    }
    let (limited_batch, error) = limited.expect("the rate limit was hit");

    assert!(
        matches!(&error, DeliveryError::Retryable(m) if m.contains("The API rate limit has been exceeded. Try again later.")),
        "{error:?}"
    );
    assert!(!fake.retry_key_accepted(&limited_batch.retry_key));
    let sent_before = fake.total_deliveries();
    assert!(sent_before >= 200, "{sent_before}");

    // The bucket refills; the same batch then goes through.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let retry = line.send(&limited_batch).await.expect("after the refill");
    assert!(!retry.duplicate);
    assert_eq!(fake.total_deliveries(), sent_before + 1);
}

#[tokio::test]
async fn broadcast_is_limited_to_60_an_hour() {
    let fake = FakeLine::start(FakeLineConfig {
        rate_limits: true,
        broadcast_recipients: Some(10),
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);

    for i in 0..60 {
        line.send(&batch(Audience::Broadcast, vec![text("x")]))
            .await
            .unwrap_or_else(|e| panic!("broadcast {i}: {e:?}"));
    }
    let over = line
        .send(&batch(Audience::Broadcast, vec![text("x")]))
        .await;

    assert!(matches!(over, Err(DeliveryError::Retryable(_))), "{over:?}");
    assert_eq!(fake.quota_usage(), 600);
    assert_eq!(fake.total_deliveries(), 600);
}

#[tokio::test]
async fn a_push_to_an_unknown_user_is_rejected_and_to_a_blocked_user_is_accepted_but_not_counted() {
    let fake = FakeLine::start(FakeLineConfig {
        friends: vec![user(1)],
        blocked: vec![user(1)],
        ..FakeLineConfig::default()
    })
    .await;
    let line = client(&fake);

    let unknown = line
        .send(&batch(Audience::Push { to: user(2) }, vec![text("x")]))
        .await;
    let blocked = line
        .send(&batch(Audience::Push { to: user(1) }, vec![text("x")]))
        .await;

    assert_eq!(
        unknown,
        Err(DeliveryError::Rejected {
            status: 400,
            message: "Failed to send messages".into(),
            details: vec![],
        })
    );
    assert!(blocked.is_ok(), "{blocked:?}");
    assert_eq!(fake.deliveries_to(&user(1)), 0);
    assert_eq!(fake.quota_usage(), 0);
}

#[tokio::test]
async fn a_multicast_of_more_than_500_ids_is_refused_without_calling_line() {
    let fake = FakeLine::start(FakeLineConfig::for_benchmarks()).await;
    let line = client(&fake);

    let outcome = line
        .send(&batch(
            Audience::Multicast { to: users(0..501) },
            vec![text("x")],
        ))
        .await;

    assert!(
        matches!(outcome, Err(DeliveryError::Rejected { status: 400, .. })),
        "{outcome:?}"
    );
    assert_eq!(fake.requests_to(Endpoint::Multicast), 0);

    line.send(&batch(
        Audience::Multicast { to: users(0..500) },
        vec![text("x")],
    ))
    .await
    .expect("500 is fine");
    assert_eq!(fake.total_deliveries(), 500);
}

#[tokio::test]
async fn a_connection_error_is_retryable() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let line = LineClient::new(
        &format!("http://{addr}"),
        DEFAULT_TOKEN.into(),
        Duration::from_secs(2),
    )
    .unwrap();

    let outcome = line
        .send(&batch(Audience::Broadcast, vec![text("x")]))
        .await;

    assert!(
        matches!(&outcome, Err(DeliveryError::Retryable(m)) if m.contains("connect")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn many_big_multicasts_keep_only_totals_in_benchmark_mode() {
    let fake = FakeLine::start(FakeLineConfig {
        quota: FakeQuota::Limited(10_000),
        ..FakeLineConfig::for_benchmarks()
    })
    .await;
    let line = client(&fake);

    for chunk in 0..10 {
        line.send(&batch(
            Audience::Multicast {
                to: users(chunk * 500..(chunk + 1) * 500),
            },
            vec![text("x")],
        ))
        .await
        .expect("accepted");
    }

    assert_eq!(fake.total_deliveries(), 5000);
    assert_eq!(fake.quota_usage(), 5000);
    assert_eq!(fake.accepted_retry_keys(), 10);
}

#[tokio::test]
async fn the_fake_answers_raw_requests_like_line() {
    let fake = fake_with_friends(&[user(1)]).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", fake.base_url());
    let body = json!({"to": user(1), "messages": [text("x")]});

    // No token.
    let r = http
        .post(url("/v2/bot/message/push"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let id = r.headers()["x-line-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(Uuid::parse_str(&id).is_ok(), "{id}");

    // Wrong content type.
    let r = http
        .post(url("/v2/bot/message/push"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(
        r.json::<Value>().await.unwrap()["message"],
        "The content type, text/plain, is not supported"
    );

    // Broken JSON.
    let r = http
        .post(url("/v2/bot/message/push"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("content-type", "application/json")
        .body("{\"to\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let message = r.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("The request body could not be parsed as JSON (line: 1, column: "),
        "{message}"
    );

    // Retry keys: not on validate, and only UUIDs.
    let r = http
        .post(url("/v2/bot/message/validate/push"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("x-line-retry-key", Uuid::new_v4().to_string())
        .json(&json!({"messages": [text("x")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(url("/v2/bot/message/push"))
        .bearer_auth(DEFAULT_TOKEN)
        .header("x-line-retry-key", "not-a-uuid")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A push answers sentMessages, and its duplicate repeats them with the original id.
    let key = Uuid::new_v4().to_string();
    let push = || {
        http.post(url("/v2/bot/message/push"))
            .bearer_auth(DEFAULT_TOKEN)
            .header("x-line-retry-key", key.clone())
            .json(&body)
            .send()
    };
    let first = push().await.unwrap();
    assert_eq!(first.status(), 200);
    let first_id = first.headers()["x-line-request-id"].clone();
    let first_body: Value = first.json().await.unwrap();
    assert_eq!(first_body["sentMessages"].as_array().unwrap().len(), 1);
    assert!(first_body["sentMessages"][0]["id"].is_string());
    let second = push().await.unwrap();
    assert_eq!(second.status(), 409);
    assert_eq!(second.headers()["x-line-accepted-request-id"], first_id);
    assert_ne!(second.headers()["x-line-request-id"], first_id);
    let second_body: Value = second.json().await.unwrap();
    assert_eq!(second_body["message"], "The retry key is already accepted");
    assert_eq!(second_body["sentMessages"], first_body["sentMessages"]);

    // Multicast ids must be user ids.
    let r = http
        .post(url("/v2/bot/message/multicast"))
        .bearer_auth(DEFAULT_TOKEN)
        .json(&json!({"to": ["C0123", user(1)], "messages": [text("x")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["message"], "The request body has 1 error(s)");
    assert_eq!(b["details"][0]["property"], "to[0]");

    // Validate answers {} and quota has LINE's shapes.
    let r = http
        .post(url("/v2/bot/message/validate/broadcast"))
        .bearer_auth(DEFAULT_TOKEN)
        .json(&json!({"messages": [text("x")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({}));
    let q: Value = http
        .get(url("/v2/bot/message/quota"))
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q, json!({"type": "none"}));
    let c: Value = http
        .get(url("/v2/bot/message/quota/consumption"))
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c, json!({"totalUsage": 1}));
    assert_eq!(fake.deliveries_to(&user(1)), 1);
    assert_eq!(fake.conflicts(), 1);
}
