//! The browser-test harness: the real app in-process on 127.0.0.1:0 with its own SQLite
//! file, a fixed daytime clock, the sandbox provider and the dispatcher running; a
//! chromedriver started for the test (killed on drop); headless Chromium sessions; and
//! screenshots under `target/e2e-screenshots/<test>/`.
//!
//! Elements are found by id, name, form action or data attribute, never by visible text,
//! so translating the pages does not break these tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, TimeZone, Utc};
use sendgate::clock::{Clock, FixedClock};
use sendgate::config::Settings;
use sendgate::db::audit::Actor;
use sendgate::domain::audience::SegmentInput;
use sendgate::domain::roles::Roles;
use sendgate::services::{audience, users};
use sendgate::startup::Application;
use sendgate::state::AppState;
use thirtyfour::prelude::*;

pub const PASSWORD: &str = "correct horse battery staple";

/// The browser and its driver; `SENDGATE_E2E_CHROMIUM` / `SENDGATE_E2E_CHROMEDRIVER`
/// point elsewhere.
fn chromium() -> String {
    std::env::var("SENDGATE_E2E_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver() -> String {
    std::env::var("SENDGATE_E2E_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// 2026-11-20 11:00 in Tokyo: daytime, so "send now" is never in quiet hours.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap()
}

/// Whether Chromium and chromedriver are installed. When they are not, prints that the
/// test is skipped, or panics when `SENDGATE_E2E_REQUIRED=1` (CI).
pub fn browser_available() -> bool {
    let missing: Vec<String> = [chromium(), chromedriver()]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("SENDGATE_E2E_REQUIRED").as_deref() == Ok("1") {
        panic!(
            "e2e: SENDGATE_E2E_REQUIRED=1 but {} not installed (apt-get install chromium chromium-driver)",
            missing.join(" and ")
        );
    }
    // Written to the real stderr, past the test harness's capture, so a passing run says so.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "e2e: SKIPPED — chromium/chromedriver not installed (see README)"
    );
    false
}

/// The app under test.
pub struct App {
    pub address: String,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

impl App {
    pub async fn spawn() -> App {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> App {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            bind: "127.0.0.1:0".parse().unwrap(),
            database: dir.path().join("sendgate.db"),
            dispatcher: true,
            ..Settings::default()
        };
        configure(&mut settings);
        let clock = Arc::new(FixedClock::new(start_time()));
        let app = Application::build(settings, clock.clone())
            .await
            .expect("app builds");
        let address = format!("http://{}", app.addr());
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));
        App {
            address,
            state,
            clock,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Creates a user through the same service the CLI uses; returns the id.
    pub async fn user(&self, username: &str, display_name: &str, roles: &str) -> i64 {
        users::create(
            &self.state.pool,
            self.now(),
            &Actor::cli(),
            &users::NewUserInput {
                username: username.into(),
                display_name: display_name.into(),
                password: PASSWORD.into(),
                roles: Roles::parse_list(roles).unwrap(),
            },
        )
        .await
        .expect("user created")
    }

    /// Imports friends from CSV rows through the import service.
    pub async fn friends(&self, csv: &str) {
        audience::import_csv(
            &self.state.pool,
            self.now(),
            &Actor::cli(),
            csv.as_bytes().to_vec(),
            chrono_tz::Asia::Tokyo,
        )
        .await
        .map_err(|e| format!("{e:?}"))
        .expect("friends imported");
    }

    /// Links a friend as `owner`'s test phone, as the admin `by` would.
    pub async fn tester(&self, user_id: &str, owner: i64, by: (i64, &str)) {
        sendgate::services::testers::add_by_admin(
            &self.state.pool,
            self.now(),
            &Actor::user(by.0, by.1),
            user_id,
            owner,
        )
        .await
        .expect("tester added");
    }

    /// Saves a segment of the friends carrying any of `tags`, as `by`.
    pub async fn segment(&self, by: (i64, &str), name: &str, tags: &str) -> i64 {
        audience::save_segment(
            &self.state.pool,
            self.now(),
            &Actor::user(by.0, by.1),
            None,
            &SegmentInput {
                name: name.into(),
                tags_any: tags.into(),
                ..SegmentInput::default()
            },
        )
        .await
        .expect("segment saved")
    }
}

/// A `chromedriver` for one test, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub async fn start() -> anyhow::Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?;
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = client.get(format!("{}/status", driver.url)).send().await
                && r.status().is_success()
            {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver did not answer on {}", driver.url)
    }

    /// A new headless Chromium window of `width` x `height`.
    /// A browser whose languages (Accept-Language) are `lang`, e.g. `"en-US"` or `"ja"`.
    pub async fn session(&self, width: u32, height: u32, lang: &str) -> anyhow::Result<WebDriver> {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium())?;
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            &format!("--lang={lang}"),
            &format!("--window-size={width},{height}"),
        ] {
            caps.add_arg(arg)?;
        }
        caps.add_experimental_option(
            "prefs",
            serde_json::json!({ "intl.accept_languages": lang }),
        )?;
        if width < 500 {
            // A desktop window cannot be narrower than 500 px; a phone's viewport is
            // emulated instead, at its real size.
            caps.add_experimental_option(
                "mobileEmulation",
                serde_json::json!({
                    "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true }
                }),
            )?;
        }
        Ok(WebDriver::new(self.url.clone(), caps).await?)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a test's screenshots go: `target/e2e-screenshots/<test>/`, emptied first.
pub fn screenshot_dir(test: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("e2e-screenshots").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// A named browser session of one person, with the test's screenshot folder.
pub struct Person {
    pub name: &'static str,
    pub web: WebDriver,
    pub shots: PathBuf,
}

impl Person {
    pub async fn open(
        driver: &Driver,
        name: &'static str,
        shots: &Path,
        size: (u32, u32),
    ) -> anyhow::Result<Person> {
        Self::open_in(driver, name, shots, size, "en-US").await
    }

    /// A person whose browser asks for `lang` first.
    pub async fn open_in(
        driver: &Driver,
        name: &'static str,
        shots: &Path,
        size: (u32, u32),
        lang: &str,
    ) -> anyhow::Result<Person> {
        Ok(Person {
            name,
            web: driver.session(size.0, size.1, lang).await?,
            shots: shots.to_path_buf(),
        })
    }

    /// Saves `<nn-page>.png` in the test's screenshot folder.
    pub async fn shot(&self, file: &str) -> anyhow::Result<()> {
        let path = self.shots.join(format!("{file}.png"));
        self.web
            .screenshot(&path)
            .await
            .with_context(|| format!("screenshot {}", path.display()))
    }

    pub async fn goto(&self, app: &App, path: &str) -> anyhow::Result<()> {
        self.web.goto(app.url(path)).await?;
        Ok(())
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn el(&self, css: &str) -> anyhow::Result<WebElement> {
        self.web
            .query(By::Css(css))
            .first()
            .await
            .with_context(|| format!("{}: no element matches {css}", self.name))
    }

    pub async fn all(&self, css: &str) -> anyhow::Result<Vec<WebElement>> {
        Ok(self.web.find_all(By::Css(css)).await?)
    }

    pub async fn exists(&self, css: &str) -> anyhow::Result<bool> {
        Ok(!self.all(css).await?.is_empty())
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let el = self.el(css).await?;
        el.scroll_into_view().await?;
        el.click()
            .await
            .with_context(|| format!("{}: clicking {css}", self.name))
    }

    /// Replaces the value of the field matching `css` by typing `text`.
    /// Clicks a submit button and waits until the next page has replaced this one.
    pub async fn submit(&self, css: &str) -> anyhow::Result<()> {
        let old = self.el("html").await?;
        self.click(css).await?;
        old.wait_until()
            .stale()
            .await
            .with_context(|| format!("{}: no new page after clicking {css}", self.name))
    }

    /// Reloads the page shown now.
    pub async fn reload(&self) -> anyhow::Result<()> {
        self.web.refresh().await?;
        Ok(())
    }

    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let el = self.el(css).await?;
        el.clear().await?;
        el.send_keys(text).await?;
        Ok(())
    }

    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.el(css).await?.text().await?.trim().to_string())
    }

    pub async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.el(css).await?.attr(name).await?)
    }

    pub async fn classes(&self, css: &str) -> anyhow::Result<Vec<String>> {
        Ok(self
            .el(css)
            .await?
            .class_name()
            .await?
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect())
    }

    pub async fn has_class(&self, css: &str, class: &str) -> anyhow::Result<bool> {
        Ok(self.classes(css).await?.iter().any(|c| c == class))
    }

    /// The path of the page shown now.
    pub async fn path(&self) -> anyhow::Result<String> {
        Ok(self.web.current_url().await?.path().to_string())
    }

    /// Waits until the page's path matches `pred` (after a form post and its redirect).
    pub async fn wait_for_path(&self, pred: impl Fn(&str) -> bool) -> anyhow::Result<String> {
        for _ in 0..100 {
            let path = self.path().await?;
            if pred(&path) {
                return Ok(path);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "{}: still on {} after waiting",
            self.name,
            self.path().await?
        )
    }

    /// Signs in through the login form.
    pub async fn sign_in(&self, app: &App, username: &str) -> anyhow::Result<()> {
        self.goto(app, "/login").await?;
        self.type_into("#username", username).await?;
        self.type_into("#password", PASSWORD).await?;
        self.submit("form[action='/login'] button[type=submit]")
            .await?;
        let path = self.path().await?;
        anyhow::ensure!(
            path != "/login",
            "{}: sign-in as {username} failed",
            self.name
        );
        Ok(())
    }
}

/// Screenshots every session as `failure-<name>.png`, closes them, then panics with `e`.
pub async fn fail(people: &[&Person], e: anyhow::Error) -> ! {
    for p in people {
        let _ = p.shot(&format!("failure-{}", p.name)).await;
    }
    for p in people {
        let _ = p.web.clone().quit().await;
    }
    panic!("{e:#}")
}

/// Closes every session.
pub async fn quit(people: Vec<Person>) {
    for p in people {
        let _ = p.web.quit().await;
    }
}
