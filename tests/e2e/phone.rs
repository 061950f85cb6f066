//! Issue #16 on a phone (390×844) and in the editor: what goes out comes before the
//! buttons (by the elements' positions on the page), an immediate release cancelled within
//! its undo window reaches nobody, and the editor's LINE-like preview follows the typing
//! before anything is saved.

use std::time::Duration;

use anyhow::{bail, ensure};

use crate::harness::*;
use crate::ready::{self, Stage, customers_reached, top};

const PHONE: (u32, u32) = (390, 844);

async fn drafts_count(app: &App) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM drafts")
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

async fn release_state(app: &App, id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM releases WHERE id = ?")
        .bind(id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_messages_come_before_approve_the_test_confirmation_and_send() {
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    let t = ready::team(&app).await;
    let half = ready::draft(
        &app,
        &t,
        "冬のセール",
        "冬のセール開催中！全品20%オフ。",
        Stage::HalfWay,
    )
    .await;
    let ready_id = ready::draft(
        &app,
        &t,
        "年末のご挨拶",
        "今年もありがとうございました。",
        Stage::Ready,
    )
    .await;
    let shots = screenshot_dir("phone_order");
    let driver = Driver::start().await.expect("chromedriver starts");
    let ren = Person::open_in(&driver, "reviewer", &shots, PHONE, "ja")
        .await
        .expect("reviewer's phone");
    let mika = Person::open_in(&driver, "marketer", &shots, PHONE, "ja")
        .await
        .expect("marketer's phone");
    let run = async {
        ren.sign_in(&app, "ren").await?;
        ren.goto(&app, &format!("/drafts/{half}")).await?;
        let width = ren.web.execute("return window.innerWidth;", vec![]).await?;
        ensure!(width.convert::<i64>()? == 390, "a 390 px wide phone");
        ren.shot("01-draft-reviewer").await?;
        let preview = top(&ren, ".line-preview .lp-bubble").await?;
        let approve = top(&ren, "button[name=verdict][value=approve]").await?;
        let confirm = top(&ren, "#test-sends form[action$='/confirm'] button").await?;
        ensure!(
            preview < approve,
            "the message ({preview}) comes before Approve ({approve})"
        );
        ensure!(
            preview < confirm,
            "the message ({preview}) comes before confirming the test ({confirm})"
        );

        mika.sign_in(&app, "mika").await?;
        mika.goto(&app, &format!("/drafts/{ready_id}/release"))
            .await?;
        mika.shot("02-release").await?;
        let preview = top(&mika, ".line-preview .lp-bubble").await?;
        let recipients = top(&mika, "#release-recipients").await?;
        let send = top(&mika, "#release-button").await?;
        ensure!(
            preview < send && recipients < send,
            "the messages ({preview}) and the recipients ({recipients}) come before Send ({send})"
        );
        // The send button looks irreversible: its own dark red, not the green of Save.
        let bg = mika
            .web
            .execute(
                "return getComputedStyle(document.getElementById('release-button')).backgroundColor;",
                vec![],
            )
            .await?
            .convert::<String>()?;
        ensure!(
            bg == "rgb(155, 28, 28)",
            "the send button is dark red: {bg}"
        );
        mika.el("#release-button").await?.scroll_into_view().await?;
        mika.shot("03-release-button").await?;
        Ok(())
    };
    if let Err(e) = run.await {
        fail(&[&ren, &mika], e).await;
    }
    quit(vec![ren, mika]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_release_cancelled_from_a_phone_within_its_window_reaches_nobody() {
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    let t = ready::team(&app).await;
    let draft = ready::draft(
        &app,
        &t,
        "年末のご挨拶",
        "今年もありがとうございました。",
        Stage::Ready,
    )
    .await;
    let shots = screenshot_dir("phone_cancel");
    let driver = Driver::start().await.expect("chromedriver starts");
    let mika = Person::open_in(&driver, "marketer", &shots, PHONE, "ja")
        .await
        .expect("marketer's phone");
    let run = async {
        mika.sign_in(&app, "mika").await?;
        mika.goto(&app, &format!("/drafts/{draft}/release")).await?;
        mika.click("input[name=read_warning]").await?;
        for ack in mika.all("input[name=ack]").await? {
            ack.click().await?;
        }
        mika.type_into("#typed_phrase", &t.friends.to_string())
            .await?;
        mika.shot("01-release-typed").await?;
        mika.submit("#release-button").await?;
        let path = mika.wait_for_path(|p| p.starts_with("/releases/")).await?;
        let release: i64 = path.trim_start_matches("/releases/").parse()?;
        let seconds: i64 = mika.text("#countdown").await?.replace(',', "").parse()?;
        ensure!(
            seconds > 0 && seconds <= 60,
            "a countdown inside the undo window: {seconds}"
        );
        ensure!(mika.exists("#cancel-release").await?);
        mika.shot("02-countdown").await?;
        // The dashboard shows the same window with its own cancel button.
        mika.goto(&app, "/").await?;
        ensure!(
            mika.exists(&format!("#undo-release-{release} .countdown-seconds"))
                .await?,
            "the dashboard lists the release in its window"
        );
        ensure!(mika.exists(&format!("#cancel-release-{release}")).await?);
        mika.shot("03-dashboard-window").await?;
        mika.goto(&app, &path).await?;
        mika.submit("#cancel-release").await?;
        mika.shot("04-cancelled").await?;
        ensure!(release_state(&app, release).await == "cancelled");
        // Past the window, with the dispatcher running: still nothing sent.
        app.clock.advance(chrono::Duration::seconds(120));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ensure!(
            customers_reached(&app).await == 0,
            "nothing reached the sandbox"
        );
        ensure!(release_state(&app, release).await == "cancelled");
        mika.goto(&app, &path).await?;
        ensure!(
            mika.has_class("#release-state", "state-cancelled").await?,
            "the release shows cancelled"
        );
        ensure!(!mika.exists("#cancel-release").await?);
        mika.shot("05-progress-cancelled").await?;
        Ok(())
    };
    if let Err(e) = run.await {
        fail(&[&mika], e).await;
    }
    quit(vec![mika]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_preview_follows_the_typing_before_anything_is_saved() {
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    app.user("mika", "佐藤 美香", "marketer").await;
    let shots = screenshot_dir("live_preview");
    let driver = Driver::start().await.expect("chromedriver starts");
    let mika = Person::open_in(&driver, "marketer", &shots, (1280, 1000), "ja")
        .await
        .expect("marketer's browser");
    let bubble = async |p: &Person, expected: &str| -> anyhow::Result<()> {
        for _ in 0..50 {
            let shown: Vec<String> = {
                let mut v = Vec::new();
                for el in p.all("#editor-preview-body .lp-bubble").await? {
                    v.push(el.text().await?);
                }
                v
            };
            if shown.iter().any(|s| s.trim() == expected) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the preview never showed {expected:?}")
    };
    let run = async {
        mika.sign_in(&app, "mika").await?;
        mika.goto(&app, "/drafts/new").await?;
        ensure!(
            !mika.exists("#editor-preview-body .lp-bubble").await?,
            "no bubble before typing"
        );
        mika.type_into("#text_0", "冬のセール開催中！").await?;
        bubble(&mika, "冬のセール開催中！").await?;
        mika.shot("01-typed").await?;
        mika.el("#text_0")
            .await?
            .send_keys("全品20%オフ <b>本日</b>")
            .await?;
        bubble(&mika, "冬のセール開催中！全品20%オフ <b>本日</b>").await?;
        ensure!(
            !mika.exists("#editor-preview-body b").await?,
            "typed markup is shown as text"
        );
        mika.shot("02-typed-more").await?;
        ensure!(mika.path().await? == "/drafts/new", "still on the editor");
        ensure!(drafts_count(&app).await == 0, "nothing was saved");
        Ok(())
    };
    if let Err(e) = run.await {
        fail(&[&mika], e).await;
    }
    quit(vec![mika]).await;
}
