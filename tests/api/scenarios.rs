//! Step scenarios (issue #7): building, the activation gate, edits that stop one step,
//! held messages, due times in Tokyo, sending once across restarts, unfollowed friends.
//! Time moves only by the test clock; sending only by the step dispatcher's step function.

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

/// A step: days, minutes (day 0), time of day (later days), message text.
type StepSpec<'a> = (&'a str, &'a str, &'a str, &'a str);

struct World {
    marketer: Client,
    reviewers: Vec<Client>,
    scenario: i64,
    drafts: Vec<i64>,
}

/// A marketer, two reviewers, testers uid(1) and uid(2), and a scenario "Welcome" with
/// these steps, each submitted for review.
async fn world(app: &TestApp, trigger: &str, steps: &[StepSpec<'_>]) -> World {
    let m = app.create_user("mika", "marketer").await;
    let marketer = app.signed_in(&m).await;
    let csv = format!(
        "user_id,display_name\n{},Phone A\n{},Phone B\n",
        uid(1),
        uid(2)
    );
    assert_eq!(
        app.import_csv(&marketer, csv.into_bytes()).await.status(),
        StatusCode::SEE_OTHER
    );
    for n in [1, 2] {
        app.pair_phone(&marketer, &uid(n)).await;
    }
    let r = app
        .post(
            &marketer,
            "/scenarios",
            &[("name", "Welcome"), ("trigger", trigger)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let scenario: i64 = location(&r)
        .trim_start_matches("/scenarios/")
        .parse()
        .unwrap();
    for (i, (days, minutes, at, text)) in steps.iter().enumerate() {
        let title = format!("Welcome step {}", i + 1);
        let r = app
            .post(
                &marketer,
                &format!("/scenarios/{scenario}/steps"),
                &[
                    ("delay_days", days),
                    ("delay_minutes", minutes),
                    ("delay_at", at),
                    ("title", &title),
                    ("text", text),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "step {text}");
    }
    let drafts: Vec<i64> = sqlx::query_scalar(
        "SELECT draft_id FROM scenario_steps WHERE scenario_id = ? ORDER BY position",
    )
    .bind(scenario)
    .fetch_all(app.pool())
    .await
    .unwrap();
    for d in &drafts {
        app.post(&marketer, &format!("/drafts/{d}/submit"), &[])
            .await;
    }
    let mut reviewers = Vec::new();
    for name in ["rei", "ren"] {
        let u = app.create_user(name, "reviewer").await;
        reviewers.push(app.signed_in(&u).await);
    }
    World {
        marketer,
        reviewers,
        scenario,
        drafts,
    }
}

impl World {
    async fn approve(&self, app: &TestApp, draft: i64, revision: i64, by: usize) {
        for c in &self.reviewers[..by] {
            assert_eq!(
                app.review(c, draft, revision, "approve", "").await.status(),
                StatusCode::SEE_OTHER
            );
        }
    }

    async fn test_send(&self, app: &TestApp, draft: i64) {
        app.confirmed_test_send(&self.marketer, draft).await;
    }

    /// Two approvals and a confirmed test send of the draft's revision.
    async fn ready_step(&self, app: &TestApp, draft: i64, revision: i64) {
        self.approve(app, draft, revision, 2).await;
        self.test_send(app, draft).await;
    }

    async fn preview(&self, app: &TestApp) {
        let s = self.scenario;
        let r = app
            .post(&self.marketer, &format!("/scenarios/{s}/previews"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let p: i64 = sqlx::query_scalar("SELECT MAX(id) FROM scenario_previews")
            .fetch_one(app.pool())
            .await
            .unwrap();
        let r = app
            .post(
                &self.marketer,
                &format!("/scenarios/{s}/previews/{p}/acknowledge"),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    /// Activates as a person would: ticks every warning, reads the warning, types the name.
    async fn activate(&self, app: &TestApp, typed: &str) -> reqwest::Response {
        let s = self.scenario;
        let page = html(
            app.get(&self.marketer, &format!("/scenarios/{s}/activate"))
                .await,
        )
        .await;
        let form = acknowledged_form(&page, "typed_name", typed);
        app.post_owned(&self.marketer, &format!("/scenarios/{s}/activate"), &form)
            .await
    }

    /// Every step ready, the preview acknowledged, activated.
    async fn go_live(&self, app: &TestApp) {
        for d in &self.drafts {
            self.ready_step(app, *d, 1).await;
        }
        self.preview(app).await;
        let r = self.activate(app, "Welcome").await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            text(&html(r).await, "#activation-problem")
        );
    }

    async fn page(&self, app: &TestApp) -> scraper::Html {
        let r = app
            .get(&self.marketer, &format!("/scenarios/{}", self.scenario))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        html(r).await
    }
}

/// Saves a new revision of a step draft with this text.
async fn edit_step(app: &TestApp, client: &Client, draft: i64, base: i64, text: &str) {
    let mut form = draft_form("Welcome step edited", &[text]);
    form[0].1 = "step".into();
    form.push(("base_revision".into(), base.to_string()));
    let r = app
        .post_owned(client, &format!("/drafts/{draft}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn follow(app: &TestApp, n: u64, event: &str) {
    let r = app
        .webhook(&webhook_event("follow", &uid(n), event, false))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn unfollow(app: &TestApp, n: u64, event: &str) {
    let r = app
        .webhook(&webhook_event("unfollow", &uid(n), event, false))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// Steps the step dispatcher until it has nothing left to do now.
async fn run_steps(app: &TestApp) -> usize {
    let mut sent = 0;
    loop {
        match sendgate::jobs::steps::dispatch_due_steps(&app.state)
            .await
            .expect("step dispatch")
        {
            sendgate::jobs::steps::StepSend::Idle => return sent,
            sendgate::jobs::steps::StepSend::Sent { recipients, .. } => sent += recipients,
            other => panic!("unexpected {other:?}"),
        }
        assert!(sent < 100_000, "the step dispatcher does not settle");
    }
}

/// How many times the sandbox delivered a (non-test) message containing `text` to friend n.
async fn received(app: &TestApp, n: u64, text: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_inbox i JOIN sandbox_batches b ON b.id = i.batch_id
         WHERE i.user_id = ? AND b.messages LIKE ? AND b.messages NOT LIKE '%テスト配信%'
           AND b.messages NOT LIKE '%[TEST]%'",
    )
    .bind(uid(n))
    .bind(format!("%{text}%"))
    .fetch_one(app.pool())
    .await
    .unwrap()
}

/// The app, with sessions that outlive the days the tests move the clock through.
async fn spawn() -> TestApp {
    let app = TestApp::spawn_with(|s| s.session_absolute = Duration::days(60)).await;
    app.keep_sessions_idle_for(Duration::days(60)).await;
    app
}

fn jst(d: u32, h: u32, m: u32) -> chrono::DateTime<Utc> {
    chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_three_step_welcome_scenario_reaches_friends_added_by_webhook_on_time_once() {
    let app = spawn().await;
    let w = world(
        &app,
        "first_add",
        &[
            ("0", "0", "", "ようこそ！友だち追加ありがとう"),
            ("1", "", "10:00", "Day 1: how to use your points"),
            ("3", "", "12:00", "Day 3: a coupon for you"),
        ],
    )
    .await;
    // Before activation nobody enters.
    follow(&app, 9, "e0").await;
    w.go_live(&app).await;
    assert_eq!(text(&w.page(&app).await, "#scenario-state"), "active");
    assert!(
        app.audit_actions()
            .await
            .contains(&"scenario.activated".to_string())
    );

    // 10:00 JST on the 20th: two friends are added.
    follow(&app, 10, "e1").await;
    follow(&app, 11, "e2").await;
    assert_eq!(run_steps(&app).await, 2, "step 1 goes out at once, to both");
    for n in [10, 11] {
        assert_eq!(received(&app, n, "友だち追加ありがとう").await, 1);
        assert_eq!(received(&app, n, "Day 1").await, 0);
    }
    assert_eq!(received(&app, 9, "友だち追加ありがとう").await, 0);

    app.clock.set(jst(21, 9, 59));
    assert_eq!(run_steps(&app).await, 0, "day 1 is not due before 10:00");
    app.clock.set(jst(21, 10, 0));
    assert_eq!(run_steps(&app).await, 2);
    app.clock.set(jst(23, 11, 59));
    assert_eq!(run_steps(&app).await, 0);
    app.clock.set(jst(23, 12, 0));
    assert_eq!(run_steps(&app).await, 2);
    app.clock.set(jst(30, 12, 0));
    assert_eq!(run_steps(&app).await, 0, "nothing more, ever");
    for n in [10, 11] {
        assert_eq!(received(&app, n, "友だち追加ありがとう").await, 1);
        assert_eq!(received(&app, n, "Day 1: how").await, 1);
        assert_eq!(received(&app, n, "Day 3: a coupon").await, 1);
    }
    let page = w.page(&app).await;
    assert_eq!(texts(&page, "#steps .step-sent"), ["2", "2", "2"]);
    assert_eq!(texts(&page, "#steps .step-held"), ["0", "0", "0"]);

    // The friend's page shows where they are.
    let id: i64 = sqlx::query_scalar("SELECT id FROM friends WHERE user_id = ?")
        .bind(uid(10))
        .fetch_one(app.pool())
        .await
        .unwrap();
    let doc = html(app.get(&w.marketer, &format!("/friends/{id}")).await).await;
    assert_eq!(texts(&doc, ".friend-step-state"), ["sent", "sent", "sent"]);
    assert!(text(&doc, ".friend-step").contains("21 Nov 2026 10:00 JST (+09:00)"));
}

#[tokio::test]
async fn a_step_cannot_be_activated_with_an_unapproved_or_untested_step() {
    let app = spawn().await;
    let w = world(
        &app,
        "first_add",
        &[("0", "0", "", "Welcome!"), ("1", "", "10:00", "Day 1")],
    )
    .await;
    w.ready_step(&app, w.drafts[0], 1).await;
    w.approve(&app, w.drafts[1], 1, 1).await;
    w.preview(&app).await;
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem = text(&html(r).await, "#activation-problem");
    assert!(problem.contains("Step 2: Approvals"), "{problem}");
    assert!(problem.contains("Step 2: Test send"), "{problem}");
    assert!(!problem.contains("Step 1"), "{problem}");

    // Approved by both but still untested: refused.
    assert_eq!(
        app.review(&w.reviewers[1], w.drafts[1], 1, "approve", "")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem = text(&html(r).await, "#activation-problem");
    assert!(problem.contains("Step 2: Test send"), "{problem}");
    assert!(!problem.contains("Approvals"), "{problem}");

    // A step draft is never released on its own.
    let release = format!("/drafts/{}/release", w.drafts[0]);
    let r = app.get(&w.marketer, &release).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        html(r)
            .await
            .html()
            .contains(&format!("/scenarios/{}", w.scenario))
    );
    let r = app
        .post(
            &w.marketer,
            &release,
            &[("typed_phrase", "1"), ("read_warning", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("releases").await, 0);

    w.test_send(&app, w.drafts[1]).await;
    let r = w.activate(&app, "welcome").await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "the name must be typed exactly"
    );
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_edit_pauses_exactly_that_step_and_held_messages_go_out_after_reactivation_within_24_hours()
 {
    let app = spawn().await;
    let w = world(
        &app,
        "first_add",
        &[
            ("0", "0", "", "Hello there"),
            ("0", "60", "", "One hour later"),
        ],
    )
    .await;
    w.go_live(&app).await;
    edit_step(&app, &w.marketer, w.drafts[1], 1, "One hour later, fixed").await;
    follow(&app, 10, "e1").await;
    assert_eq!(run_steps(&app).await, 1, "the untouched step still sends");
    assert_eq!(received(&app, 10, "Hello there").await, 1);

    app.clock.advance(Duration::minutes(61));
    assert_eq!(run_steps(&app).await, 0, "the edited step does not send");
    let page = w.page(&app).await;
    assert_eq!(texts(&page, "#steps .step-held"), ["0", "1"]);
    let live = texts(&page, "#steps .step-live");
    assert!(live[0].starts_with("sending"), "{live:?}");
    assert!(live[1].contains("revision 2 waits"), "{live:?}");

    // Re-approved, re-tested, re-previewed and re-activated 2 hours later: within 24 h.
    app.clock.advance(Duration::hours(2));
    w.ready_step(&app, w.drafts[1], 2).await;
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "the old preview is of other steps"
    );
    w.preview(&app).await;
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(run_steps(&app).await, 1);
    assert_eq!(received(&app, 10, "One hour later, fixed").await, 1);
    assert_eq!(
        received(&app, 10, "Hello there").await,
        1,
        "step 1 is not resent"
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"scenario.held_sent".to_string())
    );
}

#[tokio::test]
async fn held_messages_older_than_24_hours_or_under_the_skip_policy_are_skipped_and_audited() {
    let app = spawn().await;
    let w = world(&app, "first_add", &[("0", "30", "", "Thirty minutes in")]).await;
    let draft = w.drafts[0];
    w.go_live(&app).await;
    edit_step(&app, &w.marketer, draft, 1, "Thirty minutes in, v2").await;
    // Friend 10 reaches the step 26 hours before re-activation, friend 11 a minute before.
    follow(&app, 10, "e1").await;
    app.clock.advance(Duration::hours(26));
    follow(&app, 11, "e2").await;
    app.clock.advance(Duration::minutes(31));
    assert_eq!(run_steps(&app).await, 0);
    assert_eq!(texts(&w.page(&app).await, "#steps .step-held"), ["2"]);
    w.ready_step(&app, draft, 2).await;
    w.preview(&app).await;
    assert_eq!(
        w.activate(&app, "Welcome").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(run_steps(&app).await, 1);
    assert_eq!(
        received(&app, 10, "minutes in").await,
        0,
        "held past 24 hours"
    );
    assert_eq!(received(&app, 11, "minutes in, v2").await, 1);
    let page = w.page(&app).await;
    assert_eq!(texts(&page, "#steps .step-held"), ["0"]);
    assert_eq!(texts(&page, "#steps .step-skipped"), ["1"]);

    // The admin sets the policy to skip held messages, through the policy page.
    let admin = app.create_user("ada", "admin").await;
    let a = app.signed_in(&admin).await;
    let page = html(app.get(&a, "/admin/policy").await).await;
    assert_eq!(
        texts(&page, "#held_messages option[selected]"),
        ["Send after re-activation if still within 24 hours of their due time"]
    );
    let r = app
        .post(
            &a,
            "/admin/policy",
            &[
                ("required_approvals", "2"),
                ("large_audience_threshold", "10000"),
                ("preview_max_age_hours", "24"),
                ("max_drift_percent", "5"),
                ("quiet_hours_start", "22:00"),
                ("quiet_hours_end", "08:00"),
                ("time_zone", "Asia/Tokyo"),
                ("link_allow_list", ""),
                ("held_messages", "skip"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    edit_step(&app, &w.marketer, draft, 2, "Thirty minutes in, v3").await;
    follow(&app, 12, "e3").await;
    app.clock.advance(Duration::minutes(31));
    assert_eq!(run_steps(&app).await, 0);
    w.ready_step(&app, draft, 3).await;
    w.preview(&app).await;
    assert_eq!(
        w.activate(&app, "Welcome").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(run_steps(&app).await, 0);
    assert_eq!(
        received(&app, 12, "minutes in").await,
        0,
        "the policy skips them"
    );
    assert_eq!(texts(&w.page(&app).await, "#steps .step-skipped"), ["2"]);
    let skipped = app
        .audit_actions()
        .await
        .iter()
        .filter(|a| *a == "scenario.held_skipped")
        .count();
    assert_eq!(skipped, 2, "each held message is audited");
}

#[tokio::test]
async fn a_friend_added_at_2359_jst_gets_day_1_at_the_right_local_time() {
    let app = spawn().await;
    let w = world(
        &app,
        "first_add",
        &[("1", "", "10:00", "Good morning, day 1")],
    )
    .await;
    w.go_live(&app).await;
    app.clock.set(jst(20, 23, 59));
    follow(&app, 10, "e1").await;
    assert_eq!(run_steps(&app).await, 0);
    app.clock.set(jst(21, 9, 59));
    assert_eq!(run_steps(&app).await, 0);
    app.clock.set(jst(21, 10, 0));
    assert_eq!(
        run_steps(&app).await,
        1,
        "the next local morning, not a day later"
    );
    assert_eq!(received(&app, 10, "Good morning").await, 1);
    let due: i64 = sqlx::query_scalar("SELECT due_at FROM step_deliveries")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(due, jst(21, 10, 0).timestamp());
}

#[tokio::test]
async fn a_restart_mid_send_sends_nobody_a_step_twice() {
    let app = spawn().await;
    let w = world(&app, "first_add", &[("0", "5", "", "Five minutes in")]).await;
    w.go_live(&app).await;
    for n in 10..13 {
        follow(&app, n, &format!("e{n}")).await;
    }
    app.clock.advance(Duration::minutes(5));
    // The dispatcher claims the group and hands it to the provider, then the process dies
    // before it records that the call went through.
    sendgate::jobs::steps::queue_due(&app.state).await.unwrap();
    let mut conn = app.pool().acquire().await.unwrap();
    let group = sendgate::db::scenarios::claim_next(
        &mut conn,
        app.clock_now().timestamp(),
        500,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await
    .unwrap()
    .expect("a group is due");
    drop(conn);
    assert_eq!(
        group.user_ids.len(),
        3,
        "due in the same minute: one multicast"
    );
    let batch = sendgate::delivery::Batch {
        audience: sendgate::delivery::Audience::Multicast {
            to: group.user_ids.clone(),
        },
        messages: vec![serde_json::json!({ "type": "text", "text": "Five minutes in" })],
        notification_disabled: false,
        retry_key: group.key.parse().unwrap(),
        aggregation_unit: None,
    };
    app.state.provider.send(&batch).await.unwrap();

    // Restart: rows in flight go back with their key, and are sent again with it.
    assert_eq!(sendgate::jobs::steps::resume(&app.state).await.unwrap(), 3);
    assert_eq!(run_steps(&app).await, 3);
    assert_eq!(run_steps(&app).await, 0);
    for n in 10..13 {
        assert_eq!(received(&app, n, "Five minutes in").await, 1, "friend {n}");
    }
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM step_deliveries WHERE state = 'sent'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn unfollowed_friends_get_nothing_and_a_refollow_does_not_restart_the_scenario() {
    let app = spawn().await;
    let w = world(
        &app,
        "every_add",
        &[
            ("0", "30", "", "Half an hour in"),
            ("1", "", "10:00", "Next day"),
        ],
    )
    .await;
    w.go_live(&app).await;
    follow(&app, 10, "e1").await;
    follow(&app, 11, "e2").await;
    unfollow(&app, 11, "e3").await;
    app.clock.advance(Duration::minutes(30));
    assert_eq!(run_steps(&app).await, 1);
    assert_eq!(received(&app, 10, "Half an hour in").await, 1);
    assert_eq!(received(&app, 11, "Half an hour in").await, 0);
    assert_eq!(
        texts(&w.page(&app).await, "#steps .step-skipped"),
        ["1", "0"]
    );

    // Following again continues where they were: step 1 is not sent again.
    follow(&app, 11, "e4").await;
    app.clock.advance(Duration::minutes(30));
    assert_eq!(run_steps(&app).await, 0);
    assert_eq!(received(&app, 11, "Half an hour in").await, 0);
    app.clock.set(jst(21, 10, 0));
    assert_eq!(run_steps(&app).await, 2);
    assert_eq!(received(&app, 11, "Next day").await, 1);
}

#[tokio::test]
async fn a_restarting_trigger_starts_the_scenario_over_on_a_refollow() {
    let app = spawn().await;
    let w = world(
        &app,
        "every_add_restart",
        &[("0", "0", "", "Welcome again")],
    )
    .await;
    w.go_live(&app).await;
    follow(&app, 10, "e1").await;
    assert_eq!(run_steps(&app).await, 1);
    unfollow(&app, 10, "e2").await;
    app.clock.advance(Duration::hours(1));
    follow(&app, 10, "e3").await;
    assert_eq!(run_steps(&app).await, 1);
    assert_eq!(received(&app, 10, "Welcome again").await, 2);
}

#[tokio::test]
async fn only_marketers_build_and_activate_scenarios_and_bad_steps_are_refused_with_field_errors() {
    let app = spawn().await;
    let w = world(&app, "first_add", &[("0", "0", "", "Hi")]).await;
    let s = w.scenario;
    let r = app
        .post(
            &w.reviewers[0],
            "/scenarios",
            &[("name", "Mine"), ("trigger", "first_add")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post(
            &w.reviewers[0],
            &format!("/scenarios/{s}/activate"),
            &[("typed_name", "Welcome")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post(
            &w.marketer,
            &format!("/scenarios/{s}/steps"),
            &[
                ("delay_days", "1"),
                ("delay_at", ""),
                ("title", "x"),
                ("text", "y"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("time of day"));
    let r = app
        .post(
            &w.marketer,
            &format!("/scenarios/{s}/steps"),
            &[
                ("delay_days", "2"),
                ("delay_at", "23:00"),
                ("title", "x"),
                ("text", "y"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".field-error").contains("quiet hours"));
    assert_eq!(app.count("scenario_steps").await, 1, "nothing half-written");
    let r = app
        .post(
            &w.marketer,
            "/scenarios",
            &[("name", "Welcome"), ("trigger", "first_add")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A signed-in browser whose Accept-Language asks for Japanese.
async fn japanese_browser(app: &TestApp, username: &str) -> Client {
    use reqwest::header::{ACCEPT_LANGUAGE, HeaderMap, HeaderValue};
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("ja"));
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let r = app.login(&client, username, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    client
}

fn html_lang(doc: &scraper::Html) -> String {
    let sel = scraper::Selector::parse("html").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|h| h.value().attr("lang"))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_japanese_browser_sees_the_scenario_list_a_scenario_and_its_activation_in_japanese() {
    let app = spawn().await;
    let w = world(
        &app,
        "first_add",
        &[("0", "30", "", "Welcome!"), ("1", "", "10:00", "Day 1")],
    )
    .await;
    let ja = japanese_browser(&app, "mika").await;
    let s = w.scenario;

    let doc = html(app.get(&ja, "/scenarios").await).await;
    assert_eq!(html_lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "ステップ配信");
    assert_eq!(text(&doc, "#new-scenario h2"), "新しいシナリオ");
    assert_eq!(text(&doc, "#new-scenario button"), "シナリオを作成");
    assert_eq!(texts(&doc, "#scenarios .scenario-state"), ["下書き"]);

    let doc = html(app.get(&ja, &format!("/scenarios/{s}")).await).await;
    assert_eq!(html_lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "Welcome");
    assert_eq!(text(&doc, "#add-step h2"), "ステップを追加");
    assert_eq!(text(&doc, "#add-step button"), "ステップを追加");
    assert_eq!(text(&doc, "#impact h2"), "影響プレビュー");
    assert_eq!(
        texts(&doc, "#steps .step-delay"),
        ["友だち追加から30分後", "1日目の10:00"]
    );
    assert_eq!(text(&doc, "#scenario-actions a.button"), "有効化…");
    assert!(
        text(&doc, "#steps .step-live").contains("まだ有効化されていません"),
        "{}",
        text(&doc, "#steps .step-live")
    );
    // The steps' gate reasons are in Japanese too: neither is approved yet.
    let standing = texts(&doc, "#steps .step-standing li");
    assert!(
        standing.iter().any(|l| l.starts_with("承認: ")),
        "{standing:?}"
    );
    assert!(
        standing
            .iter()
            .all(|l| !l.contains("Approvals") && !l.contains("Test send")),
        "{standing:?}"
    );

    let r = app
        .post(&ja, &format!("/scenarios/{s}/previews"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = html(app.get(&ja, &location(&r)).await).await;
    assert!(
        text(&doc, "#impact p").contains("年"),
        "the time is written the Japanese way: {}",
        text(&doc, "#impact p")
    );
    assert!(text(&doc, "#impact-quota").starts_with("送信通数: 今後30日間で約"));
    assert!(
        texts(&doc, "#impact button").contains(&"この影響プレビューを確認しました".to_string())
    );

    let doc = html(app.get(&ja, &format!("/scenarios/{s}/activate")).await).await;
    assert_eq!(html_lang(&doc), "ja");
    assert_eq!(text(&doc, "h1"), "「Welcome」を有効化");
    assert_eq!(text(&doc, "section.card h2"), "各ステップの最新の版");
    assert_eq!(text(&doc, "#steps thead th:nth-child(2)"), "日時");

    // A refused activation explains every reason in Japanese.
    let r = app
        .post(
            &ja,
            &format!("/scenarios/{s}/activate"),
            &[("typed_name", "welcome")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem = text(&html(r).await, "#activation-problem");
    assert!(problem.starts_with("有効化されていません。"), "{problem}");
    assert!(problem.contains("ステップ1: 承認: "), "{problem}");
    assert!(problem.contains("ステップ2: テスト送信: "), "{problem}");
    assert!(
        problem.contains("影響プレビュー: プレビューを確認済みにしてください。"),
        "{problem}"
    );
    assert!(
        problem.contains("シナリオ名（Welcome）を正確に入力してください。"),
        "{problem}"
    );
    assert!(!problem.contains("Step "), "{problem}");
}

#[tokio::test]
async fn a_step_drafts_page_links_to_its_scenario_and_leaves_out_the_release_only_items() {
    let app = spawn().await;
    let w = world(&app, "first_add", &[("0", "0", "", "Welcome!")]).await;
    let d = w.drafts[0];
    let path = format!("/drafts/{d}");
    let doc = html(app.get(&w.marketer, &path).await).await;
    let link = scraper::Selector::parse("#step-scenario-link").unwrap();
    assert_eq!(
        doc.select(&link)
            .next()
            .and_then(|a| a.value().attr("href")),
        Some(format!("/scenarios/{}", w.scenario).as_str())
    );
    assert!(texts(&doc, "#gate-preview").is_empty());
    let summary = text(&doc, "#gate-summary");
    assert!(
        summary.starts_with("Not ready for its scenario's activation. Missing: Approvals"),
        "{summary}"
    );
    assert!(!summary.contains("Audience preview"), "{summary}");

    // Ready for the scenario, yet there is no release link: the activation sends it.
    w.ready_step(&app, d, 1).await;
    let doc = html(app.get(&w.marketer, &path).await).await;
    assert_eq!(texts(&doc, "#gate-summary.gate-ready").len(), 1);
    assert!(texts(&doc, "#release-link").is_empty());

    // A broadcast draft keeps its audience preview item and has no scenario link.
    let news = app.create_draft(&w.marketer, "News", &["Hello"]).await;
    let doc = html(app.get(&w.marketer, &format!("/drafts/{news}")).await).await;
    assert_eq!(texts(&doc, "#gate-preview").len(), 1);
    assert!(texts(&doc, "#step-scenario-link").is_empty());
}

/// Steps the step dispatcher until it has nothing left to do now, counting what it sent,
/// what waits and what the send-time gate held.
async fn run_steps_gated(app: &TestApp) -> (usize, usize, usize) {
    let (mut sent, mut waiting, mut held) = (0, 0, 0);
    for _ in 0..10_000 {
        match sendgate::jobs::steps::dispatch_due_steps(&app.state)
            .await
            .expect("step dispatch")
        {
            sendgate::jobs::steps::StepSend::Idle => return (sent, waiting, held),
            sendgate::jobs::steps::StepSend::Sent { recipients, .. } => sent += recipients,
            sendgate::jobs::steps::StepSend::Waiting { .. } => waiting += 1,
            sendgate::jobs::steps::StepSend::Held { .. } => held += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("the step dispatcher does not settle")
}

#[tokio::test]
async fn a_step_sent_as_soon_as_the_friend_is_added_waits_for_the_end_of_quiet_hours() {
    let app = TestApp::spawn().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 11, 0, 0).unwrap()); // 20:00 JST
    let w = world(&app, "first_add", &[("0", "0", "", "Welcome!")]).await;
    w.go_live(&app).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()); // 23:00 JST
    follow(&app, 5, "f5").await;
    let (sent, waiting, _) = run_steps_gated(&app).await;
    assert_eq!(
        (sent, waiting),
        (0, 1),
        "it waits instead of waking the friend"
    );
    assert_eq!(received(&app, 5, "Welcome!").await, 0);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 22, 59, 0).unwrap()); // 07:59 JST
    assert_eq!(run_steps_gated(&app).await, (0, 0, 0), "not before the end");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap()); // 08:00 JST
    assert_eq!(run_steps_gated(&app).await.0, 1);
    assert_eq!(received(&app, 5, "Welcome!").await, 1);
}

#[tokio::test]
async fn a_step_whose_approver_was_disabled_is_held_at_its_send_time_until_activated_again() {
    let app = TestApp::spawn().await;
    let w = world(&app, "first_add", &[("0", "60", "", "Welcome!")]).await;
    w.go_live(&app).await;
    follow(&app, 5, "f5").await;
    // Before the step is due an admin disables one of its two approvers.
    let a = app.create_user("ada", "admin").await;
    let admin = app.signed_in(&a).await;
    let rei: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'rei'")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let r = app
        .post(&admin, &format!("/admin/users/{rei}/disable"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.clock.advance(Duration::minutes(61));
    let (sent, _, held) = run_steps_gated(&app).await;
    assert_eq!((sent, held), (0, 1));
    assert_eq!(received(&app, 5, "Welcome!").await, 0, "nothing was sent");
    let doc = w.page(&app).await;
    assert!(
        text(&doc, ".step-live").contains("was held at its send time"),
        "{}",
        text(&doc, ".step-live")
    );
    assert!(text(&doc, ".step-live").contains("1 of 2 approvals"));
    let inbox = html(app.get(&w.marketer, "/notifications").await).await;
    assert!(text(&inbox, "#notifications").contains("was held at its send time"));
    assert!(
        app.audit_actions()
            .await
            .contains(&"scenario.step_held".to_string())
    );
    // Later friends wait too, until a new approval and activation.
    follow(&app, 6, "f6").await;
    app.clock.advance(Duration::minutes(61));
    assert_eq!(run_steps_gated(&app).await.0, 0);
    let rin = app.create_user("rin", "reviewer").await;
    let rc = app.signed_in(&rin).await;
    assert_eq!(
        app.review(&rc, w.drafts[0], 1, "approve", "")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&html(r).await, "#activation-problem")
    );
    assert_eq!(
        run_steps_gated(&app).await.0,
        2,
        "the held messages go out (within 24 hours)"
    );
    assert_eq!(received(&app, 5, "Welcome!").await, 1);
    assert_eq!(received(&app, 6, "Welcome!").await, 1);
}

#[tokio::test]
async fn a_live_step_is_edited_from_its_editor_which_offers_no_audience_choice() {
    let app = TestApp::spawn().await;
    let w = world(&app, "first_add", &[("0", "0", "", "Welcome!")]).await;
    w.go_live(&app).await;
    let d = w.drafts[0];
    let doc = html(app.get(&w.marketer, &format!("/drafts/{d}/edit")).await).await;
    assert!(texts(&doc, "input[type=radio][name=kind]").is_empty());
    assert!(texts(&doc, "select[name=segment_id]").is_empty());
    assert!(text(&doc, "#fixed-audience").contains("A step message"));
    // The editor's own form, as the browser sends it: no audience at all.
    let mut form = draft_form("Welcome step", &["Welcome, friend!"]);
    form.retain(|(k, _)| k != "kind");
    form.push(("base_revision".into(), "1".into()));
    let r = app
        .post_owned(&w.marketer, &format!("/drafts/{d}"), &form)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let kind: String = sqlx::query_scalar(
        "SELECT json_extract(content, '$.kind') FROM revisions WHERE draft_id = ? AND number = 2",
    )
    .bind(d)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(kind, "step");
    // A step is never released on its own, whatever is posted.
    let r = app.get(&w.marketer, &format!("/drafts/{d}/release")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let doc = w.page(&app).await;
    assert!(text(&doc, ".step-live").contains("revision 2 waits for approval"));
}

/// Issue #16: a wrong typed name keeps the form (the ticked boxes and what was typed), the
/// error stands beside the field, the name to type is bold and quoted, and the button has
/// the irreversible style; in Japanese the name is quoted 「…」.
#[tokio::test]
async fn a_wrong_typed_name_keeps_the_activation_form_with_the_error_beside_the_field() {
    let app = spawn().await;
    let w = world(&app, "first_add", &[("0", "0", "", "ようこそ！")]).await;
    for d in &w.drafts {
        w.ready_step(&app, *d, 1).await;
    }
    w.preview(&app).await;
    let s = w.scenario;
    let page = html(
        app.get(&w.marketer, &format!("/scenarios/{s}/activate"))
            .await,
    )
    .await;
    assert_eq!(
        text(&page, "label[for=typed_name] strong.phrase"),
        "“Welcome”"
    );
    assert_eq!(texts(&page, "button#activate-button.send").len(), 1);
    let r = w.activate(&app, "Welcom").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = html(r).await;
    let field = scraper::Selector::parse("#typed_name").unwrap();
    let field = page.select(&field).next().expect("the typed field");
    assert_eq!(field.value().attr("value"), Some("Welcom"));
    assert_eq!(field.value().attr("aria-invalid"), Some("true"));
    assert_eq!(
        field.value().attr("aria-describedby"),
        Some("typed-name-error")
    );
    assert!(text(&page, "#typed-name-error").contains("Welcome"));
    let ticked = scraper::Selector::parse("input[name=read_warning][checked]").unwrap();
    assert_eq!(page.select(&ticked).count(), 1, "the checkbox stays ticked");
    let acks = scraper::Selector::parse("input[name=ack]").unwrap();
    let acks_ticked = scraper::Selector::parse("input[name=ack][checked]").unwrap();
    assert_eq!(
        page.select(&acks).count(),
        page.select(&acks_ticked).count(),
        "every acknowledged warning stays ticked"
    );
    assert_eq!(text(&page, "strong.phrase"), "“Welcome”");
    // Japanese: the same, quoted 「…」, the error in Japanese.
    let ja = japanese_browser(&app, "mika").await;
    let page = html(app.get(&ja, &format!("/scenarios/{s}/activate")).await).await;
    assert_eq!(text(&page, "strong.phrase"), "「Welcome」");
    let form = acknowledged_form(&page, "typed_name", "welcome");
    let r = app
        .post_owned(&ja, &format!("/scenarios/{s}/activate"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = html(r).await;
    assert!(text(&page, "#typed-name-error").contains("シナリオ名"));
    // The right name then activates it.
    let r = w.activate(&app, "Welcome").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
