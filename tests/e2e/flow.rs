//! The whole gate in a browser with three people: a marketer writes a segment draft, two
//! reviewers approve it, an edit resets their approvals, they approve again, the marketer
//! test-sends, confirms, previews, acknowledges and releases with the typed phrase, and the
//! message shows up in the sandbox.

use anyhow::ensure;

use crate::harness::*;

const FIRST_TEXT: &str = "VIP様限定：冬のセール、全品20%オフ。";
const EDITED_TEXT: &str = "VIP様限定：冬のセール、全品30%オフ！12月25日まで。";

/// Six friends, three tagged vip (the first is a tester), a VIP segment, four people.
async fn seed(app: &App) -> i64 {
    let admin = app.user("aki", "管理者 明", "admin").await;
    let marketer = app.user("mika", "佐藤 美香", "marketer").await;
    app.user("rei", "鈴木 玲", "reviewer").await;
    app.user("ren", "高橋 蓮", "reviewer").await;
    let mut csv = String::from("user_id,display_name,tags\n");
    for i in 1..=6u64 {
        let tags = if i <= 3 { "vip" } else { "new" };
        csv.push_str(&format!("U{i:032x},お客様 {i},{tags}\n"));
    }
    app.friends(&csv).await;
    // The first friend is the marketer's own phone, linked by the admin.
    app.tester(&format!("U{:032x}", 1), marketer, (admin, "aki"))
        .await;
    app.segment((marketer, "mika"), "VIP", "vip").await
}

/// Runs the whole flow with three browsers asking for `lang`, then `check` on the
/// marketer's browser at the end.
async fn run_flow(test: &str, lang: &str, japanese: bool) {
    if !browser_available() {
        return;
    }
    let app = App::spawn().await;
    let segment = seed(&app).await;
    let shots = screenshot_dir(test);
    let driver = Driver::start().await.expect("chromedriver starts");
    let size = (1280, 1000);
    let marketer = Person::open_in(&driver, "marketer", &shots, size, lang)
        .await
        .expect("marketer's browser");
    let a = Person::open_in(&driver, "reviewer-a", &shots, size, lang)
        .await
        .expect("reviewer A's browser");
    let b = Person::open_in(&driver, "reviewer-b", &shots, size, lang)
        .await
        .expect("reviewer B's browser");
    if let Err(e) = flow(&app, segment, &marketer, &a, &b, japanese).await {
        fail(&[&marketer, &a, &b], e).await;
    }
    quit(vec![marketer, a, b]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_draft_goes_through_review_test_preview_and_release_in_a_browser() {
    run_flow("full_flow", "en-US", false).await;
}

/// The same path for people whose browsers ask for Japanese: every page they pass is in
/// Japanese, including the irreversibility warning and the release button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_in_japanese_browsers_is_in_japanese() {
    run_flow("full_flow_ja", "ja", true).await;
}

/// In a Japanese browser: the page is marked Japanese and shows `expected`.
async fn japanese(p: &Person, css: &str, expected: &str) -> anyhow::Result<()> {
    let lang = p.attr("html", "lang").await?;
    ensure!(
        lang.as_deref() == Some("ja"),
        "{}: page {} is in {lang:?}, not Japanese",
        p.name,
        p.path().await?
    );
    let text = p.text(css).await?;
    ensure!(
        text.contains(expected),
        "{}: {css} reads {text:?}, expected it to contain {expected:?}",
        p.name
    );
    Ok(())
}

async fn flow(
    app: &App,
    segment: i64,
    m: &Person,
    a: &Person,
    b: &Person,
    ja: bool,
) -> anyhow::Result<()> {
    // The marketer writes a segment draft in the editor.
    m.sign_in(app, "mika").await?;
    if ja {
        japanese(m, "h1", "ダッシュボード").await?;
    }
    m.shot("01-dashboard").await?;
    m.goto(app, "/drafts/new").await?;
    m.type_into("#title", "VIP冬のセール").await?;
    m.click("input[name=kind][value=segment]").await?;
    m.click(&format!("#segment_id option[value='{segment}']"))
        .await?;
    m.type_into("textarea[name=text]", FIRST_TEXT).await?;
    m.shot("02-editor").await?;
    m.submit("button[name=action][value=save]").await?;
    let path = m.path().await?;
    let draft: i64 = path
        .strip_prefix("/drafts/")
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("saving went to {path}, not a draft page"))?;
    ensure!(
        m.exists(".page-head .state.state-draft").await?,
        "a new draft is a draft"
    );
    let draft_path = format!("/drafts/{draft}");

    m.submit(&format!("form[action='{draft_path}/submit'] button"))
        .await?;
    ensure!(
        m.exists(".page-head .state.state-in_review").await?,
        "submitting puts the draft in review"
    );
    ensure!(m.has_class("#gate-approvals", "missing").await?);
    if ja {
        japanese(m, ".irreversible", "送信を取り消すAPIはありません").await?;
    }
    m.shot("03-draft-in-review").await?;

    // Both reviewers approve revision 1.
    for (n, r, who) in [(4, a, "rei"), (5, b, "ren")] {
        r.sign_in(app, who).await?;
        r.goto(app, &draft_path).await?;
        r.submit("button[name=verdict][value=approve]").await?;
        r.shot(&format!("{n:02}-approved-by-{who}")).await?;
    }
    b.reload().await?;
    ensure!(
        b.all(".timeline li.t-approve").await?.len() == 2,
        "two approvals in the history"
    );
    ensure!(
        b.has_class("#gate-approvals", "ok").await?,
        "two approvals satisfy the policy"
    );

    // An edit by the marketer makes revision 2, and the approvals no longer count.
    m.goto(app, &format!("{draft_path}/edit")).await?;
    m.type_into("textarea[name=text]", EDITED_TEXT).await?;
    m.shot("06-editing").await?;
    m.submit("button[name=action][value=save]").await?;
    ensure!(
        m.path().await? == draft_path,
        "the edit returns to the draft"
    );
    ensure!(
        m.has_class("#gate-approvals", "missing").await?,
        "the edit reset the approvals"
    );
    ensure!(m.all(".revisions li").await?.len() == 2, "two revisions");
    m.shot("07-edited-approvals-reset").await?;

    // Both approve revision 2; each sees what changed since their review first.
    for (n, r) in [(8, a), (9, b)] {
        r.reload().await?;
        ensure!(
            r.exists(&format!("a[href='{draft_path}/diff?from=1&to=2']"))
                .await?,
            "{} is pointed at the changes since their review",
            r.name
        );
        ensure!(
            r.el("input[name=revision]")
                .await?
                .value()
                .await?
                .as_deref()
                == Some("2")
        );
        r.submit("button[name=verdict][value=approve]").await?;
        r.shot(&format!("{n:02}-reapproved-by-{}", r.name)).await?;
    }
    m.reload().await?;
    ensure!(
        m.has_class("#gate-approvals", "ok").await?,
        "revision 2 approved twice"
    );
    ensure!(m.has_class("#gate-objections", "ok").await?);

    // Test send to the tester, then confirm it arrived.
    ensure!(m.has_class("#gate-test-send", "missing").await?);
    m.submit(&format!("form[action='{draft_path}/test-sends'] button"))
        .await?;
    ensure!(
        m.exists("#test-sends .result-accepted").await?,
        "the sandbox accepted the test send"
    );
    m.shot("10-test-sent").await?;
    m.submit(&format!(
        "#test-sends form[action^='{draft_path}/test-sends/'][action$='/confirm'] button"
    ))
    .await?;
    ensure!(
        m.has_class("#gate-test-send", "ok").await?,
        "a confirmed test send satisfies the gate"
    );

    // Preview the audience and acknowledge it.
    m.submit("#gate-preview form button").await?;
    ensure!(
        m.path()
            .await?
            .starts_with(&format!("{draft_path}/previews/")),
        "taking a preview opens it"
    );
    ensure!(
        m.attr("#recipient-count", "data-count").await?.as_deref() == Some("3"),
        "the VIP segment has three friends"
    );
    ensure!(m.all(".sample li code").await?.len() == 3);
    m.shot("11-preview").await?;
    m.submit("form[action$='/acknowledge'] button").await?;
    ensure!(
        m.path().await? == draft_path,
        "acknowledging returns to the draft"
    );

    // The gate is green: release with the typed phrase.
    ensure!(
        m.has_class("#gate-summary", "gate-ready").await?,
        "gate is green"
    );
    ensure!(m.has_class("#gate-preview", "ok").await?);
    m.shot("12-draft-ready").await?;
    m.submit("#release-link").await?;
    ensure!(m.path().await? == format!("{draft_path}/release"));
    let recipients = m.text("#release-recipients").await?;
    ensure!(
        recipients == "3",
        "the release page shows 3 recipients, not {recipients}"
    );
    for ack in m.all("input[name=ack]").await? {
        ack.click().await?;
    }
    m.click("input[name=read_warning]").await?;
    m.type_into("#typed_phrase", &recipients).await?;
    if ja {
        japanese(m, ".irreversible", "送信を取り消すAPIはありません").await?;
        japanese(
            m,
            "form.release-form button[type=submit]",
            "取り消しできません",
        )
        .await?;
    }
    m.shot("13-release-page").await?;
    m.submit("form.release-form button[type=submit]").await?;
    let release_path = m.path().await?;
    ensure!(
        release_path.starts_with("/releases/"),
        "releasing opens the progress page, not {release_path}"
    );

    // It waits out the undo window (60 seconds by default), cancellable, with a countdown.
    m.el("#undo-window #countdown").await?;
    m.el("#undo-window #cancel-release").await?;
    m.shot("13b-undo-window").await?;
    app.clock.advance(chrono::Duration::seconds(61));
    // The page refreshes itself until the dispatcher has sent it.
    m.el("#release-state.state-sent").await?;
    if ja {
        japanese(m, "h1", "配信").await?;
    }
    ensure!(m.text("#release-progress").await?.contains('3'));
    m.shot("14-release-sent").await?;

    // Each VIP friend got revision 2's text in the sandbox; the others got nothing.
    for (friend, expected) in [(2u64, 1), (3, 1), (4, 0), (6, 0)] {
        m.goto(app, &format!("/sandbox?user=U{friend:032x}"))
            .await?;
        let mut got = 0;
        for d in m.all(".delivery").await? {
            let text = d.text().await?;
            ensure!(!text.contains(FIRST_TEXT), "revision 1 was never sent");
            if text.contains(EDITED_TEXT) {
                got += 1;
            }
        }
        ensure!(
            got == expected,
            "friend {friend} got {got} messages in the sandbox, expected {expected}"
        );
    }
    m.goto(app, "/sandbox").await?;
    m.shot("15-sandbox").await?;

    // The reviewers see the draft as sent and read-only.
    a.goto(app, &draft_path).await?;
    ensure!(a.exists(".page-head .state.state-sent").await?);
    ensure!(!a.exists("button[name=verdict][value=approve]").await?);
    a.shot("16-sent-draft").await?;
    Ok(())
}
