//! The app configured with a LINE token, talking to the fake LINE server over real HTTP.

use reqwest::StatusCode;

use crate::fake_line::{
    DEFAULT_TOKEN, Endpoint, FakeLine, FakeLineConfig, FakeQuota, MONTHLY_LIMIT_MESSAGE,
};
use crate::helpers::*;

async fn app_with(fake: &FakeLine) -> TestApp {
    let base = fake.base_url();
    TestApp::spawn_with(move |s| {
        s.line_channel_access_token = Some(DEFAULT_TOKEN.into());
        s.line_api_base = base;
    })
    .await
}

/// A marketer with two testers who are LINE friends, and a draft.
async fn setup(app: &TestApp) -> (reqwest::Client, i64) {
    let m = app.create_user("mika", "marketer").await;
    let client = app.signed_in(&m).await;
    let csv = format!(
        "user_id,display_name\n{},Phone A\n{},Phone B\n",
        uid(1),
        uid(2)
    );
    app.import_csv(&client, csv.into_bytes()).await;
    for n in [1, 2] {
        app.pair_phone(&client, &uid(n)).await;
    }
    let draft = app
        .create_draft(&client, "Winter sale", &["全品20%オフ"])
        .await;
    (client, draft)
}

#[tokio::test]
async fn a_test_send_is_pushed_through_line_to_each_tester_once() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1), uid(2)])).await;
    let app = app_with(&fake).await;
    let (client, draft) = setup(&app).await;
    let r = app.test_send(&client, draft).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for n in [1, 2] {
        let got = fake.delivered_to(&uid(n));
        assert_eq!(got.len(), 1, "tester {n}");
        assert_eq!(got[0].endpoint, Endpoint::Push);
        assert_eq!(
            got[0].messages[0]["text"],
            "[TEST] Winter sale (revision 1)"
        );
    }
    assert_eq!(fake.quota_usage(), 2);
    let doc = app.draft_page(&client, draft).await;
    assert_eq!(texts(&doc, ".result-accepted").len(), 2);
    assert!(
        text(&doc, ".sandbox-banner").is_empty(),
        "no sandbox banner when sending through LINE"
    );
}

#[tokio::test]
async fn a_500_is_retried_with_the_same_key_and_nobody_gets_it_twice() {
    let fake = FakeLine::start(FakeLineConfig::with_friends([uid(1), uid(2)])).await;
    let app = app_with(&fake).await;
    let (client, draft) = setup(&app).await;
    fake.fail_next(Endpoint::Push, 1, 500);
    app.test_send(&client, draft).await;
    assert_eq!(fake.deliveries_to(&uid(1)), 1);
    assert_eq!(fake.deliveries_to(&uid(2)), 1);
    assert_eq!(
        fake.requests_to(Endpoint::Push),
        3,
        "one failed attempt, then one each"
    );
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT retry_key FROM test_send_recipients ORDER BY user_id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    for k in keys {
        assert!(
            fake.retry_key_accepted(&k.parse().unwrap()),
            "the stored key {k} was the one LINE accepted"
        );
    }
}

#[tokio::test]
async fn the_monthly_limit_is_shown_with_lines_own_words() {
    let config = FakeLineConfig {
        quota: FakeQuota::Limited(1),
        ..FakeLineConfig::with_friends([uid(1), uid(2)])
    };
    let fake = FakeLine::start(config).await;
    let app = app_with(&fake).await;
    let (client, draft) = setup(&app).await;
    app.test_send(&client, draft).await;
    let doc = app.draft_page(&client, draft).await;
    assert_eq!(texts(&doc, ".result-accepted").len(), 1);
    assert!(text(&doc, ".result-failed").contains(MONTHLY_LIMIT_MESSAGE));
    assert_eq!(fake.total_deliveries(), 1);
}

#[tokio::test]
async fn the_audience_preview_reads_the_quota_from_line() {
    let config = FakeLineConfig {
        quota: FakeQuota::Limited(5000),
        usage: 1200,
        ..FakeLineConfig::with_friends([uid(1), uid(2)])
    };
    let fake = FakeLine::start(config).await;
    let app = app_with(&fake).await;
    let (client, draft) = setup(&app).await;
    let r = app
        .post(&client, &format!("/drafts/{draft}/previews"), &[])
        .await;
    let doc = html(app.get(&client, &location(&r)).await).await;
    assert!(
        text(&doc, "#quota").contains(
            "uses 2 of the 3,800 messages left this month (plan: 5,000 per month, 1,200 used)"
        ),
        "{}",
        text(&doc, "#quota")
    );
}
