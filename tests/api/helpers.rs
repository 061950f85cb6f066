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

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub db_path: PathBuf,
    pub setup_url: Option<String>,
    _dir: tempfile::TempDir,
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
        let mut settings = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            database: db_path.clone(),
            ..Settings::default()
        };
        configure(&mut settings);
        let clock = Arc::new(FixedClock::new(start_time()));
        let app = Application::build(settings, clock.clone())
            .await
            .expect("app builds");
        let address = format!("http://{}", app.addr());
        let state = app.state().clone();
        let setup_url = app.setup_url();
        tokio::spawn(app.run_until(std::future::pending()));
        TestApp {
            address,
            state,
            clock,
            db_path,
            setup_url,
            _dir: dir,
        }
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
