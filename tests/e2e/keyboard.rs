//! A reviewer on a phone-sized window approves a draft with the keyboard alone: Tab moves
//! focus through the page to the approve button, Enter presses it.

use anyhow::{bail, ensure};
use sendgate::db::audit::Actor;
use sendgate::domain::message::MessageInput;
use sendgate::services::drafts::{self, DraftInput};
use thirtyfour::prelude::*;

use crate::harness::*;

/// A submitted broadcast draft by a marketer; returns its id.
async fn submitted_draft(app: &App) -> i64 {
    let marketer = app.user("mika", "佐藤 美香", "marketer").await;
    app.user("rei", "鈴木 玲", "reviewer").await;
    app.friends("user_id,display_name,tags\nU00000000000000000000000000000001,お客様 1,vip\n")
        .await;
    let actor = Actor::user(marketer, "mika");
    let content = drafts::parse_input(
        &app.state.pool,
        &DraftInput {
            kind: "broadcast".into(),
            title: "新商品のお知らせ".into(),
            messages: vec![MessageInput::text("冬の新商品が入荷しました。")],
            ..DraftInput::default()
        },
    )
    .await
    .expect("valid draft");
    let id = drafts::create(&app.state.pool, app.now(), &actor, &content)
        .await
        .expect("draft created");
    drafts::submit(&app.state.pool, app.now(), &actor, id)
        .await
        .expect("draft submitted");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_on_a_phone_approves_a_draft_with_the_keyboard_alone() {
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    let draft = submitted_draft(&app).await;
    let shots = screenshot_dir("keyboard_phone");
    let driver = Driver::start().await.expect("chromedriver starts");
    let reviewer = Person::open(&driver, "reviewer", &shots, (390, 844))
        .await
        .expect("reviewer's browser");
    if let Err(e) = by_keyboard(&app, draft, &reviewer).await {
        fail(&[&reviewer], e).await;
    }
    quit(vec![reviewer]).await;
}

async fn press(r: &Person, key: Key) -> anyhow::Result<()> {
    r.web.action_chain().send_keys(key).perform().await?;
    Ok(())
}

/// Presses Tab until the focused element matches `is_it`; fails after `max` presses.
async fn tab_to(
    r: &Person,
    max: usize,
    what: &str,
    is_it: impl AsyncFn(&WebElement) -> anyhow::Result<bool>,
) -> anyhow::Result<WebElement> {
    for _ in 0..max {
        press(r, Key::Tab).await?;
        let focused = r.web.active_element().await?;
        if is_it(&focused).await? {
            return Ok(focused);
        }
    }
    bail!("{max} presses of Tab never reached {what}")
}

async fn by_keyboard(app: &App, draft: i64, r: &Person) -> anyhow::Result<()> {
    // Sign in: the user name field has focus; type, Tab, type, Enter.
    r.goto(app, &format!("/login?next=/drafts/{draft}")).await?;
    r.shot("01-login").await?;
    let focused = r.web.active_element().await?;
    ensure!(
        focused.id().await?.as_deref() == Some("username"),
        "the login page puts focus in the user name field"
    );
    r.web
        .action_chain()
        .send_keys("rei")
        .send_keys(Key::Tab)
        .send_keys(PASSWORD)
        .send_keys(Key::Enter)
        .perform()
        .await?;
    let path = r.wait_for_path(|p| p != "/login").await?;
    if path != format!("/drafts/{draft}") {
        r.goto(app, &format!("/drafts/{draft}")).await?;
    }
    ensure!(r.has_class("#gate-approvals", "missing").await?);
    let viewport = r.web.execute("return window.innerWidth;", vec![]).await?;
    ensure!(
        viewport.convert::<i64>()? == 390,
        "the page is laid out for a 390 px wide phone"
    );
    r.shot("02-draft").await?;

    let approve = tab_to(r, 120, "the approve button", async |el: &WebElement| {
        Ok(el.attr("name").await?.as_deref() == Some("verdict")
            && el.attr("value").await?.as_deref() == Some("approve"))
    })
    .await?;
    ensure!(
        approve.is_displayed().await?,
        "the focused approve button is on screen"
    );
    r.shot("03-approve-focused").await?;
    let old = r.el("html").await?;
    press(r, Key::Enter).await?;
    old.wait_until().stale().await?;

    ensure!(
        r.all(".timeline li.t-approve").await?.len() == 1,
        "Enter on the focused button recorded the approval"
    );
    r.shot("04-approved").await?;
    Ok(())
}
