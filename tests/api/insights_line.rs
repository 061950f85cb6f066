//! The real LINE client against the fake LINE server for issue #19: the reply API (a
//! token works once, within its lifetime, and an unusable one is told apart), both insight
//! endpoints (by request id and by unit name, with LINE's nulls), and unit names checked
//! as LINE checks them.

use std::time::Duration;

use chrono::NaiveDate;
use sendgate::delivery::line::LineClient;
use sendgate::delivery::{
    Audience, Batch, DeliveryError, DeliveryProvider, INVALID_REPLY_TOKEN, Reply, ReplyError,
};
use sendgate::domain::insight::{AggregationUnit, Bubble, Figures, Link};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fake_line::{
    DEFAULT_TOKEN, Endpoint, FakeBubble, FakeClick, FakeInsight, FakeLine, FakeLineConfig,
};
use crate::helpers::{start_time, uid};

fn client(fake: &FakeLine) -> LineClient {
    LineClient::new(
        &fake.base_url(),
        DEFAULT_TOKEN.into(),
        Duration::from_secs(5),
    )
    .unwrap()
}

fn text(s: &str) -> Value {
    json!({"type": "text", "text": s})
}

fn reply(token: &str, messages: Vec<Value>) -> Reply {
    Reply {
        reply_token: token.into(),
        messages,
        notification_disabled: false,
    }
}

fn multicast(to: Vec<String>, unit: Option<&str>) -> Batch {
    Batch {
        audience: Audience::Multicast { to },
        messages: vec![text("冬のセール https://shop.example/sale")],
        notification_disabled: false,
        retry_key: Uuid::new_v4(),
        aggregation_unit: unit.map(|u| AggregationUnit::parse(u).unwrap()),
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[tokio::test]
async fn a_reply_reaches_the_friend_once_free_of_quota_with_lines_message_ids() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1)])).await;
    let line = client(&fake);
    let token = fake.issue_reply_token(&uid(1));

    let replied = line
        .reply(&reply(
            &token,
            vec![text("友だち追加ありがとうございます"), text("クーポンです")],
        ))
        .await
        .expect("replied");

    assert_eq!(replied.message_ids.len(), 2, "one id per message object");
    let got = fake.delivered_to(&uid(1));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].endpoint, Endpoint::Reply);
    assert_eq!(got[0].messages[1]["text"], "クーポンです");
    assert_eq!(
        replied.request_id.as_deref(),
        Some(got[0].request_id.as_str())
    );
    assert_eq!(fake.quota_usage(), 0, "replies are free");
    assert!(
        fake.retry_keys_seen().is_empty(),
        "LINE takes no retry key on reply"
    );
}

#[tokio::test]
async fn a_used_reply_token_is_refused_with_lines_words_and_sends_nothing() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1)])).await;
    let line = client(&fake);
    let token = fake.issue_reply_token(&uid(1));
    line.reply(&reply(&token, vec![text("こんにちは")]))
        .await
        .unwrap();

    let again = line
        .reply(&reply(&token, vec![text("こんにちは")]))
        .await
        .unwrap_err();

    assert_eq!(again, ReplyError::TokenUnusable(INVALID_REPLY_TOKEN.into()));
    assert_eq!(
        fake.delivered_to(&uid(1)).len(),
        1,
        "nobody is greeted twice"
    );
    let unknown = line
        .reply(&reply("never-issued", vec![text("こんにちは")]))
        .await
        .unwrap_err();
    assert!(matches!(unknown, ReplyError::TokenUnusable(_)));
}

#[tokio::test]
async fn an_expired_reply_token_is_refused_so_the_caller_can_push_instead() {
    let config = FakeLineConfig {
        reply_token_lifetime: Duration::from_millis(50),
        ..FakeLineConfig::with_friends([uid(1)])
    };
    let fake = FakeLine::start(config).await;
    let line = client(&fake);
    let token = fake.issue_reply_token(&uid(1));
    tokio::time::sleep(Duration::from_millis(120)).await;

    let e = line
        .reply(&reply(&token, vec![text("遅すぎた返信")]))
        .await
        .unwrap_err();

    assert_eq!(e, ReplyError::TokenUnusable("Invalid reply token".into()));
    assert!(fake.delivered_to(&uid(1)).is_empty());
    // Within its lifetime a fresh token works.
    fake.set_reply_token_lifetime(Duration::from_secs(60));
    let fresh = fake.issue_reply_token(&uid(1));
    assert!(
        line.reply(&reply(&fresh, vec![text("こんにちは")]))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_reply_with_bad_messages_is_refused_with_lines_details_and_keeps_its_token() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1)])).await;
    let line = client(&fake);
    let token = fake.issue_reply_token(&uid(1));

    let e = line
        .reply(&reply(&token, vec![text("")]))
        .await
        .unwrap_err();

    let ReplyError::Delivery(DeliveryError::Rejected {
        status, details, ..
    }) = e
    else {
        panic!("not a refusal: {e:?}");
    };
    assert_eq!(status, 400);
    assert_eq!(
        details,
        vec![(
            "messages[0].text".to_string(),
            "May not be empty".to_string()
        )]
    );
    assert!(
        line.reply(&reply(&token, vec![text("こんにちは")]))
            .await
            .is_ok(),
        "a refused body does not use the token"
    );
}

#[tokio::test]
async fn broadcast_statistics_are_read_by_request_id_with_delivered_as_accepted() {
    let friends: Vec<String> = (1..=30).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(friends)).await;
    let line = client(&fake);
    let accepted = line
        .send(&Batch {
            audience: Audience::Broadcast,
            messages: vec![text("セール https://shop.example/sale"), text("またね")],
            notification_disabled: false,
            retry_key: Uuid::new_v4(),
            aggregation_unit: None,
        })
        .await
        .unwrap();
    let request_id = accepted.request_id.unwrap();
    fake.set_request_insight(
        &request_id,
        FakeInsight {
            unique_impression: 25,
            unique_click: 21,
            messages: vec![
                FakeBubble {
                    seq: 1,
                    impression: 40,
                    ..FakeBubble::default()
                },
                FakeBubble {
                    seq: 2,
                    impression: 22,
                    ..FakeBubble::default()
                },
            ],
            clicks: vec![
                FakeClick {
                    seq: 1,
                    url: "https://shop.example/sale".into(),
                    click: 30,
                    unique_click: 21,
                },
                FakeClick {
                    seq: 1,
                    url: "https://shop.example/other".into(),
                    click: 5,
                    unique_click: 3,
                },
            ],
        },
    );

    let f = line.insight_by_request(&request_id).await.unwrap();

    assert_eq!(
        f,
        Figures {
            delivered: Some(30),
            opened: Some(25),
            clicked: Some(21),
            bubbles: vec![
                Bubble {
                    seq: 1,
                    impressions: Some(40),
                    opened: None
                },
                Bubble {
                    seq: 2,
                    impressions: Some(22),
                    opened: None
                },
            ],
            links: vec![
                Link {
                    seq: 1,
                    url: "https://shop.example/sale".into(),
                    clicks: Some(30),
                    clicked: Some(21)
                },
                Link {
                    seq: 1,
                    url: "https://shop.example/other".into(),
                    clicks: None,
                    clicked: None
                },
            ],
        },
        "under 20 people is null, as LINE shows it"
    );
    assert_eq!(fake.requests_to(Endpoint::InsightMessageEvent), 1);
    let unknown = line.insight_by_request("not-a-request").await.unwrap();
    assert_eq!(unknown, Figures::default(), "nothing is known of it");
}

#[tokio::test]
async fn unit_statistics_cover_the_multicasts_sent_under_the_unit_in_the_period() {
    let friends: Vec<String> = (1..=40).map(uid).collect();
    let fake = FakeLine::start(FakeLineConfig::with_friends(friends.clone())).await;
    fake.set_now(start_time());
    let line = client(&fake);
    for half in friends.chunks(20) {
        line.send(&multicast(half.to_vec(), Some("sg_0a1b2c_r7")))
            .await
            .unwrap();
    }
    line.send(&multicast(friends[..5].to_vec(), Some("sg_0a1b2c_r8")))
        .await
        .unwrap();
    fake.set_unit_insight(
        "sg_0a1b2c_r7",
        FakeInsight {
            unique_impression: 33,
            unique_click: 24,
            messages: vec![FakeBubble {
                seq: 1,
                impression: 41,
                unique_impression: 33,
            }],
            clicks: vec![FakeClick {
                seq: 1,
                url: "https://shop.example/sale".into(),
                click: 29,
                unique_click: 24,
            }],
        },
    );
    let unit = AggregationUnit::parse("sg_0a1b2c_r7").unwrap();

    let f = line.insight_by_unit(&unit, day(20), day(21)).await.unwrap();

    assert_eq!(
        f.delivered, None,
        "the per-unit statistics have no delivered count"
    );
    assert_eq!((f.opened, f.clicked), (Some(33), Some(24)));
    assert_eq!(
        f.bubbles,
        vec![Bubble {
            seq: 1,
            impressions: Some(41),
            opened: Some(33)
        }]
    );
    assert_eq!(f.links[0].clicked, Some(24));
    let before = line.insight_by_unit(&unit, day(1), day(19)).await.unwrap();
    assert_eq!(before, Figures::default(), "nothing was sent under it then");
    let other = AggregationUnit::parse("sg_0a1b2c_r8").unwrap();
    assert_eq!(
        line.insight_by_unit(&other, day(20), day(20))
            .await
            .unwrap()
            .opened,
        None
    );
    assert_eq!(fake.unit_names_this_month(), 2);

    let too_long = line
        .insight_by_unit(&unit, day(1), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap())
        .await
        .unwrap_err();
    let DeliveryError::Rejected {
        status, details, ..
    } = too_long
    else {
        panic!("{too_long:?}");
    };
    assert_eq!(status, 400);
    assert_eq!(details[0].0, "to", "at most 30 days after from");
}

/// Straight to the fake, past the client (which cannot build a malformed name).
async fn raw_multicast(fake: &FakeLine, units: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v2/bot/message/multicast", fake.base_url()))
        .bearer_auth(DEFAULT_TOKEN)
        .json(&json!({"to": [uid(1)], "messages": [text("x")], "customAggregationUnits": units}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_fake_refuses_malformed_unit_names_as_line_does() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1)])).await;
    for bad in [
        "has space",
        "",
        "dash-ed",
        "x234567890123456789012345678901",
        "ユニット",
    ] {
        let (status, body) = raw_multicast(&fake, json!([bad])).await;
        assert_eq!(status, 400, "{bad:?}");
        assert_eq!(
            body["details"][0]["property"], "customAggregationUnits[0]",
            "{bad:?}"
        );
    }
    let (status, body) = raw_multicast(&fake, json!(["a", "b"])).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["details"][0]["message"],
        "Size must be between 0 and 1"
    );
    assert_eq!(fake.total_deliveries(), 0, "nothing refused was sent");
    let (status, _) = raw_multicast(&fake, json!(["Promo_2026_A"])).await;
    assert_eq!(status, 200);

    let r = reqwest::Client::new()
        .get(format!(
            "{}/v2/bot/insight/message/event/aggregation?customAggregationUnit=bad%20name&from=20261120&to=20261120",
            fake.base_url()
        ))
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["details"][0]["property"], "customAggregationUnit");
}

#[tokio::test]
async fn the_client_sends_the_unit_name_and_the_fake_counts_the_batch_under_it() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1), uid(2)])).await;
    let line = client(&fake);
    line.send(&multicast(vec![uid(1), uid(2)], Some("sg_0a1b2c_r3")))
        .await
        .unwrap();
    line.send(&multicast(vec![uid(1)], None)).await.unwrap();
    let units: Vec<Vec<String>> = fake
        .accepted_requests()
        .into_iter()
        .map(|r| r.custom_aggregation_units)
        .collect();
    assert_eq!(units, vec![vec!["sg_0a1b2c_r3".to_string()], vec![]]);
}
