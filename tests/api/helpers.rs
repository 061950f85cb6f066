//! `TestApp`: the real server on 127.0.0.1:0 with its own SQLite file, a fixed clock, and
//! cookie-keeping HTTP clients that do not follow redirects.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Client, Response, StatusCode, header};
use scraper::{Html, Selector};
use sendgate::clock::FixedClock;
use sendgate::config::Settings;
use sendgate::db::audit::Actor;
use sendgate::domain::roles::Roles;
use sendgate::services::users::{self, NewUserInput};
use sendgate::startup::Application;
use sendgate::state::AppState;
use sqlx::SqlitePool;

pub const PASSWORD: &str = "correct horse battery staple";
pub const CHANNEL_SECRET: &str = "test-channel-secret";

/// A well-formed LINE user id made from a number.
pub fn uid(n: u64) -> String {
    format!("U{n:032x}")
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub db_path: PathBuf,
    pub setup_url: Option<String>,
    /// The folder of the database (with its audit key and head file); `None` for a second
    /// server on another app's database, which keeps the folder alive.
    _dir: Option<tempfile::TempDir>,
}

pub struct TestUser {
    pub id: i64,
    pub username: String,
}

/// 2026-11-20 10:00 in Tokyo: a weekday morning, outside quiet hours.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("sendgate.db");
        let mut app = Self::spawn_on(db_path, start_time(), configure).await;
        app._dir = Some(dir);
        app
    }

    /// A second server on this app's database file (as another process would be), with
    /// its own clock starting at this app's time.
    pub async fn spawn_sharing(&self) -> TestApp {
        Self::spawn_on(self.db_path.clone(), self.clock_now(), |_| {}).await
    }

    async fn spawn_on(
        db_path: PathBuf,
        now: DateTime<Utc>,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let mut settings = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            database: db_path.clone(),
            line_channel_secret: Some(CHANNEL_SECRET.into()),
            // Tests step the dispatcher themselves (`TestApp::dispatch_all`).
            dispatcher: false,
            // The chat-webhook tests post to a local fake over plain HTTP.
            allow_http_loopback_webhook: true,
            ..Settings::default()
        };
        configure(&mut settings);
        let clock = Arc::new(FixedClock::new(now));
        let app = Application::build(settings, clock.clone())
            .await
            .expect("app builds");
        let address = format!("http://{}", app.addr());
        let state = app.state().clone();
        // Releases go out when released unless a test sets the undo window itself
        // (`set_policy("release_hold_seconds", ..)`): most tests dispatch right away.
        sqlx::query("UPDATE release_policy SET release_hold_seconds = 0 WHERE id = 1")
            .execute(&state.pool)
            .await
            .expect("policy for tests");
        let setup_url = app.setup_url();
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            address,
            state,
            clock,
            db_path,
            setup_url,
            _dir: None,
        }
    }

    /// Sessions unused for up to `idle` stay signed in (the policy's idle time, set
    /// directly: tests that move the clock through days keep their clients).
    pub async fn keep_sessions_idle_for(&self, idle: chrono::Duration) {
        sqlx::query("UPDATE release_policy SET session_idle_minutes = ?")
            .bind(idle.num_minutes())
            .execute(self.pool())
            .await
            .unwrap();
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.state.pool
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A browser: its own cookie jar, redirects not followed.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub async fn create_user(&self, username: &str, roles: &str) -> TestUser {
        let id = users::create(
            self.pool(),
            self.clock_now(),
            &Actor::cli(),
            &NewUserInput {
                username: username.into(),
                display_name: String::new(),
                password: PASSWORD.into(),
                roles: Roles::parse_list(roles).unwrap(),
            },
        )
        .await
        .expect("user created");
        TestUser {
            id,
            username: username.into(),
        }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use sendgate::clock::Clock;
        self.clock.now()
    }

    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        client
            .post(self.url("/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// A client signed in as `user`.
    pub async fn signed_in(&self, user: &TestUser) -> Client {
        let client = self.client();
        let r = self.login(&client, &user.username, PASSWORD).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {} failed",
            user.username
        );
        client
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// The names of audit actions, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        sqlx::query_scalar::<_, String>("SELECT action FROM audit_events ORDER BY id")
            .fetch_all(self.pool())
            .await
            .unwrap()
    }

    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await
            .unwrap()
    }
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub async fn html(r: Response) -> Html {
    Html::parse_document(&r.text().await.unwrap())
}

/// The trimmed texts of every element matching `selector`.
pub fn texts(doc: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

pub fn text(doc: &Html, selector: &str) -> String {
    texts(doc, selector).join(" ")
}

pub fn assert_redirects_to_login(r: &Response) {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(r);
    assert!(to == "/login" || to.starts_with("/login?next="), "{to}");
}

/// The draft editor's fields for a broadcast with these texts, in order.
pub fn draft_form(title: &str, texts: &[&str]) -> Vec<(String, String)> {
    let mut form = vec![
        ("kind".to_string(), "broadcast".to_string()),
        ("title".to_string(), title.to_string()),
    ];
    for t in texts {
        form.extend(message_fields("text", t, "", "", "", "", ""));
    }
    form
}

/// One message's fields; every message sends every field so the arrays stay aligned.
pub fn message_fields(
    kind: &str,
    text: &str,
    original: &str,
    preview: &str,
    package: &str,
    sticker: &str,
    raw: &str,
) -> Vec<(String, String)> {
    [
        ("msg_kind", kind),
        ("text", text),
        ("original_content_url", original),
        ("preview_image_url", preview),
        ("package_id", package),
        ("sticker_id", sticker),
        ("raw_json", raw),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl TestApp {
    pub async fn post_owned(
        &self,
        client: &Client,
        path: &str,
        form: &[(String, String)],
    ) -> Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    /// Creates a draft through the editor and returns its id.
    pub async fn create_draft(&self, client: &Client, title: &str, texts: &[&str]) -> i64 {
        let r = self
            .post_owned(client, "/drafts", &draft_form(title, texts))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "draft was not created");
        location(&r).trim_start_matches("/drafts/").parse().unwrap()
    }

    /// Saves an edit on top of revision `base`.
    pub async fn edit_draft(
        &self,
        client: &Client,
        id: i64,
        base: i64,
        title: &str,
        texts: &[&str],
    ) -> Response {
        let mut form = draft_form(title, texts);
        form.push(("base_revision".into(), base.to_string()));
        self.post_owned(client, &format!("/drafts/{id}"), &form)
            .await
    }

    pub async fn review(
        &self,
        client: &Client,
        id: i64,
        revision: i64,
        verdict: &str,
        body: &str,
    ) -> Response {
        self.post(
            client,
            &format!("/drafts/{id}/reviews"),
            &[
                ("verdict", verdict),
                ("revision", &revision.to_string()),
                ("body", body),
            ],
        )
        .await
    }

    pub async fn draft_page(&self, client: &Client, id: i64) -> Html {
        let r = self.get(client, &format!("/drafts/{id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        html(r).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(self.pool())
            .await
            .unwrap()
    }
}

/// A marketer and two reviewers, signed in, with one submitted draft.
pub struct ReviewSetup {
    pub marketer: Client,
    pub a: Client,
    pub b: Client,
    pub a_user: TestUser,
    pub draft: i64,
}

impl ReviewSetup {
    pub async fn new(app: &TestApp) -> ReviewSetup {
        let m = app.create_user("mika", "marketer").await;
        let a_user = app.create_user("rei", "reviewer").await;
        let b = app.create_user("ren", "reviewer").await;
        let marketer = app.signed_in(&m).await;
        let draft = app
            .create_draft(
                &marketer,
                "Winter sale",
                &[
                    "冬のセール開催中！",
                    "全品20%オフ、12月25日まで。",
                    "ご来店お待ちしています。",
                ],
            )
            .await;
        let r = app
            .post(&marketer, &format!("/drafts/{draft}/submit"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        ReviewSetup {
            a: app.signed_in(&a_user).await,
            b: app.signed_in(&b).await,
            marketer,
            a_user,
            draft,
        }
    }
}

impl TestApp {
    /// Uploads a CSV through the friends page as a browser would.
    pub async fn import_csv(&self, client: &Client, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("friends.csv")
            .mime_str("text/csv")
            .unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        client
            .post(self.url("/friends/import"))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a webhook body signed with the test channel secret.
    pub async fn webhook(&self, body: &str) -> Response {
        let sig = sendgate::domain::audience::sign(CHANNEL_SECRET, body.as_bytes());
        self.client()
            .post(self.url("/webhooks/line"))
            .header("x-line-signature", sig)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    /// The live segment count for a query string of segment fields.
    pub async fn segment_count(&self, client: &Client, query: &str) -> i64 {
        let r = self.get(client, &format!("/segments/count?{query}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        r.json::<serde_json::Value>().await.unwrap()["count"]
            .as_i64()
            .unwrap()
    }
}

/// A webhook body with one event.
pub fn webhook_event(kind: &str, user: &str, event_id: &str, redelivery: bool) -> String {
    serde_json::json!({
        "destination": "U00000000000000000000000000000000",
        "events": [{
            "type": kind,
            "mode": "active",
            "timestamp": 1_763_600_000_000i64,
            "webhookEventId": event_id,
            "deliveryContext": { "isRedelivery": redelivery },
            "source": { "type": "user", "userId": user },
            "replyToken": "r"
        }]
    })
    .to_string()
}

impl TestApp {
    /// Runs the dispatcher until it has nothing left to do now; returns the steps taken.
    pub async fn dispatch_all(&self) -> Vec<sendgate::jobs::releases::Step> {
        let mut steps = Vec::new();
        loop {
            let step = sendgate::jobs::releases::dispatch_one(&self.state)
                .await
                .expect("dispatch step");
            if step == sendgate::jobs::releases::Step::Idle {
                return steps;
            }
            steps.push(step);
            assert!(steps.len() < 10_000, "the dispatcher does not settle");
        }
    }
}

impl TestApp {
    pub async fn dispatch_one_step(&self) -> sendgate::jobs::releases::Step {
        sendgate::jobs::releases::dispatch_one(&self.state)
            .await
            .expect("dispatch step")
    }
}

/// The form a careful person submits on a confirmation page (release, activation): every
/// acknowledgement box ticked, the warning read, `typed` in the `typed_field` box, and
/// their password when the page asks for it.
pub fn acknowledged_form(page: &Html, typed_field: &str, typed: &str) -> Vec<(String, String)> {
    let sel = scraper::Selector::parse("input[name=ack]").unwrap();
    let mut form: Vec<(String, String)> = page
        .select(&sel)
        .map(|i| {
            (
                "ack".to_string(),
                i.value().attr("value").unwrap_or_default().to_string(),
            )
        })
        .collect();
    form.push((typed_field.into(), typed.into()));
    form.push(("read_warning".into(), "on".into()));
    // When the page asks who is there (the last proof is stale), they type their password.
    let reauth = scraper::Selector::parse("input[name=reauth_secret]").unwrap();
    if page.select(&reauth).next().is_some() {
        form.push(("reauth_secret".into(), PASSWORD.into()));
    }
    form
}

impl TestApp {
    /// A test send of the draft's current revision, and its confirmation, as `client`.
    pub async fn confirmed_test_send(&self, client: &Client, draft: i64) {
        let r = self.test_send(client, draft).await;
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
        let t: i64 = sqlx::query_scalar("SELECT MAX(id) FROM test_sends WHERE draft_id = ?")
            .bind(draft)
            .fetch_one(self.pool())
            .await
            .unwrap();
        let r = self
            .post(
                client,
                &format!("/drafts/{draft}/test-sends/{t}/confirm"),
                &[],
            )
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    }
}

/// A webhook body with one text message from `user`.
pub fn chat_message(user: &str, text: &str, event_id: &str) -> String {
    serde_json::json!({
        "destination": "U00000000000000000000000000000000",
        "events": [{
            "type": "message",
            "mode": "active",
            "timestamp": 1_763_600_000_000i64,
            "webhookEventId": event_id,
            "deliveryContext": { "isRedelivery": false },
            "source": { "type": "user", "userId": user },
            "replyToken": "r",
            "message": { "type": "text", "id": "1", "text": text }
        }]
    })
    .to_string()
}

impl TestApp {
    /// The person signed in as `client` pairs the LINE account `friend` as their test phone,
    /// as they would: ask for a code on the Testers page, send it from LINE (the signed
    /// webhook's message event). Returns the code.
    pub async fn pair_phone(&self, client: &Client, friend: &str) -> String {
        let r = self.post(client, "/testers/pair", &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "the pairing code page");
        let code = text(&html(r).await, "#pairing-code");
        assert!(code.starts_with("SG-"), "{code}");
        let id = format!("pair-{friend}-{code}");
        let r = self.webhook(&chat_message(friend, &code, &id)).await;
        assert_eq!(r.status(), StatusCode::OK);
        code
    }

    /// The token of the draft page's test-send form: one test send per click.
    pub async fn test_send_token(&self, client: &Client, draft: i64) -> String {
        let doc = self.draft_page(client, draft).await;
        let sel = Selector::parse("input[name=click]").unwrap();
        doc.select(&sel)
            .next()
            .and_then(|i| i.value().attr("value"))
            .expect("the draft page offers a test send")
            .to_string()
    }

    /// A test send of the draft's current revision, as a click on its button.
    pub async fn test_send(&self, client: &Client, draft: i64) -> Response {
        let click = self.test_send_token(client, draft).await;
        self.post(
            client,
            &format!("/drafts/{draft}/test-sends"),
            &[("click", &click)],
        )
        .await
    }

    /// Sets one policy value directly (test setup; the admin form is tested on its own).
    pub async fn set_policy(&self, column: &str, value: i64) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE release_policy SET {column} = ? WHERE id = 1"
        )))
        .bind(value)
        .execute(self.pool())
        .await
        .unwrap();
    }
}

impl TestApp {
    /// A browser connecting from another loopback address (127.0.0.`n`), as a client at
    /// another address would.
    pub fn client_from(&self, n: u8) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 0, n]))
            .build()
            .unwrap()
    }

    /// The code `user`'s authenticator app shows now (from their stored TOTP secret, opened
    /// with this server's key: the database holds it sealed).
    pub async fn totp_code(&self, user_id: i64) -> String {
        let stored: String = sqlx::query_scalar("SELECT secret FROM user_totp WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(self.pool())
            .await
            .unwrap();
        self.state
            .seal
            .secrets()
            .secret(user_id, &stored)
            .expect("the stored secret opens with this server's key")
            .code_at(self.clock_now().timestamp())
    }

    /// Sets up two-factor sign-in for the signed-in `client` of `user` through the pages;
    /// returns the recovery codes shown.
    pub async fn enrol_totp(&self, client: &Client, user: &TestUser) -> Vec<String> {
        let r = self.post(client, "/account/two-factor/start", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let code = self.totp_code(user.id).await;
        let r = self
            .post(client, "/account/two-factor", &[("code", &code)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let codes = texts(&html(r).await, "#recovery-codes code");
        assert_eq!(codes.len(), 10);
        // The app's next code: the one just used cannot be used again.
        self.clock.advance(chrono::Duration::seconds(30));
        codes
    }
}
