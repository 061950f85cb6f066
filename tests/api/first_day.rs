//! The first day (issue #16): the empty dashboard shows the path to a first send, each
//! step linking to where it is done and ticked once it is; the README's sample CSV imports
//! through the real import; the dashboard lists each draft once; the sandbox inbox pages and
//! searches by name; the draft history shows submit, test send and preview; saving a
//! segment says so; each person can hide the path for themselves.

use reqwest::{Client, StatusCode};
use scraper::{Html, Selector};

use crate::helpers::*;

/// The sample CSV the README points to.
fn sample_csv() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/friends.csv"))
        .expect("examples/friends.csv is in the repository")
}

/// Each first-day step as (id, done, next, link).
fn steps(doc: &Html) -> Vec<(String, bool, bool, Option<String>)> {
    let li = Selector::parse("#first-day li.first-day-step").unwrap();
    let a = Selector::parse("a.step-link").unwrap();
    doc.select(&li)
        .map(|e| {
            let classes: Vec<&str> = e.value().classes().collect();
            (
                e.value().attr("data-step").unwrap_or_default().to_string(),
                classes.contains(&"done"),
                classes.contains(&"next"),
                e.select(&a)
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .map(str::to_string),
            )
        })
        .collect()
}

fn done(doc: &Html) -> Vec<String> {
    steps(doc)
        .into_iter()
        .filter(|s| s.1)
        .map(|s| s.0)
        .collect()
}

fn next(doc: &Html) -> Vec<String> {
    steps(doc)
        .into_iter()
        .filter(|s| s.2)
        .map(|s| s.0)
        .collect()
}

async fn dashboard(app: &TestApp, c: &Client) -> Html {
    let r = app.get(c, "/").await;
    assert_eq!(r.status(), StatusCode::OK);
    html(r).await
}

#[tokio::test]
async fn the_empty_dashboard_shows_the_path_to_a_first_send_and_ticks_each_step_as_it_is_done() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("hana", "admin,marketer").await;
    let c = app.signed_in(&admin).await;

    let doc = dashboard(&app, &c).await;
    let all = steps(&doc);
    assert_eq!(
        all.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["friends", "tester", "segment", "draft", "reviewers"],
        "the steps in the order a team takes them"
    );
    assert!(done(&doc).is_empty());
    assert_eq!(next(&doc), ["friends"]);
    assert_eq!(
        all.iter().map(|s| s.3.as_deref()).collect::<Vec<_>>(),
        [
            Some("/friends"),
            Some("/testers"),
            Some("/segments/new"),
            Some("/drafts/new"),
            Some("/admin/users/new")
        ],
        "each step links to where it is done; an admin gets the link to add users"
    );
    assert!(text(&doc, "#first-day li[data-step=reviewers]").contains("2 reviewers"));

    // Friends, by the sample CSV the README points to.
    assert_eq!(
        app.import_csv(&c, sample_csv()).await.status(),
        StatusCode::SEE_OTHER
    );
    let doc = dashboard(&app, &c).await;
    assert_eq!(done(&doc), ["friends"]);
    assert!(text(&doc, "#first-day li[data-step=friends]").contains('✓'));
    assert_eq!(next(&doc), ["tester"]);

    // Their own tester phone, paired from LINE.
    app.pair_phone(&c, "U0000000000000000000000000000a001")
        .await;
    assert_eq!(done(&dashboard(&app, &c).await), ["friends", "tester"]);

    // A segment: saving it says so.
    let r = app
        .post(&c, "/segments", &[("name", "VIP"), ("tags_any", "VIP")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = html(app.get(&c, &location(&r)).await).await;
    assert!(
        text(&saved, ".flash").contains("Segment saved."),
        "the segment page says it was saved: {:?}",
        text(&saved, ".flash")
    );
    assert_eq!(
        done(&dashboard(&app, &c).await),
        ["friends", "tester", "segment"]
    );

    // A first draft.
    app.create_draft(&c, "はじめての配信", &["こんにちは"])
        .await;
    let doc = dashboard(&app, &c).await;
    assert_eq!(done(&doc), ["friends", "tester", "segment", "draft"]);
    assert_eq!(next(&doc), ["reviewers"]);

    // Two reviewers: one is not enough for the default policy.
    app.create_user("rei", "reviewer").await;
    assert!(!done(&dashboard(&app, &c).await).contains(&"reviewers".to_string()));
    app.create_user("ren", "reviewer").await;
    let doc = dashboard(&app, &c).await;
    assert_eq!(done(&doc).len(), 5, "every step is done");
    assert!(next(&doc).is_empty());
}

#[tokio::test]
async fn a_marketer_who_is_no_admin_is_told_an_administrator_adds_reviewers() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let c = app.signed_in(&m).await;
    let doc = dashboard(&app, &c).await;
    let reviewers = steps(&doc).pop().unwrap();
    assert_eq!(reviewers.0, "reviewers");
    assert_eq!(reviewers.3, None, "no link to a page they may not open");
    assert!(
        text(&doc, "#first-day li[data-step=reviewers]").contains("An administrator adds them")
    );
}

#[tokio::test]
async fn the_first_day_path_is_gone_once_the_first_release_was_sent() {
    let app = TestApp::spawn().await;
    let (client, draft) = crate::releases::ready(&app, 3, false).await;
    assert_eq!(
        steps(&dashboard(&app, &client).await).len(),
        5,
        "still shown before anything is sent"
    );
    let r = crate::releases::release(&app, &client, draft, "3").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.dispatch_all().await;
    let doc = dashboard(&app, &client).await;
    assert!(steps(&doc).is_empty(), "the path has served its purpose");
    assert!(
        doc.select(&Selector::parse("#first-day").unwrap())
            .next()
            .is_none()
    );
}

#[tokio::test]
async fn a_person_can_hide_the_first_day_path_for_themselves_only() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("aiko", "admin").await;
    let marketer = app.create_user("mika", "marketer").await;
    let a = app.signed_in(&admin).await;
    let m = app.signed_in(&marketer).await;
    let doc = dashboard(&app, &a).await;
    assert_eq!(steps(&doc).len(), 5);
    assert_eq!(
        doc.select(
            &Selector::parse(
                "#first-day form[action='/first-day/hide'][method=post] button#first-day-hide"
            )
            .unwrap()
        )
        .count(),
        1,
        "the card offers to hide it"
    );

    // Signed out, nothing is hidden: the sign-in page answers.
    let r = app.post(&app.client(), "/first-day/hide", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"), "{}", location(&r));
    assert_eq!(steps(&dashboard(&app, &a).await).len(), 5);

    let r = app.post(&a, "/first-day/hide", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    let doc = dashboard(&app, &a).await;
    assert!(
        doc.select(&Selector::parse("#first-day").unwrap())
            .next()
            .is_none(),
        "hidden for the admin"
    );
    assert!(
        text(&doc, ".flash").contains("hidden"),
        "a flash says so: {}",
        text(&doc, ".flash")
    );
    // Hiding it again keeps the first moment and still answers.
    let first: Option<String> =
        sqlx::query_scalar("SELECT first_day_hidden_at FROM users WHERE id = ?")
            .bind(admin.id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert!(first.is_some());
    app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(
        app.post(&a, "/first-day/hide", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    let again: Option<String> =
        sqlx::query_scalar("SELECT first_day_hidden_at FROM users WHERE id = ?")
            .bind(admin.id)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(again, first);
    // The marketer still sees it, and a new session of the admin does not.
    assert_eq!(steps(&dashboard(&app, &m).await).len(), 5);
    let a2 = app.signed_in(&admin).await;
    assert!(steps(&dashboard(&app, &a2).await).is_empty());
}

#[tokio::test]
async fn the_sample_csv_imports_through_the_real_import() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer").await;
    let c = app.signed_in(&m).await;
    let r = app.import_csv(&c, sample_csv()).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let doc = html(app.get(&c, "/friends").await).await;
    assert!(
        text(&doc, ".flash").contains("10 friends added, 0 updated"),
        "{}",
        text(&doc, ".flash")
    );
    // Its tags and attributes count in a segment.
    assert_eq!(app.segment_count(&c, "tags_any=VIP").await, 2);
    assert_eq!(app.segment_count(&c, "tags_all=東京").await, 4);
}

#[tokio::test]
async fn the_marketer_dashboard_lists_each_draft_once() {
    let app = TestApp::spawn().await;
    let m = app.create_user("mika", "marketer,reviewer").await;
    let other = app.create_user("yui", "marketer").await;
    let c = app.signed_in(&m).await;
    let oc = app.signed_in(&other).await;
    let mine = app.create_draft(&c, "Mine", &["a"]).await;
    let theirs = app.create_draft(&oc, "Theirs", &["b"]).await;
    app.post(&oc, &format!("/drafts/{theirs}/submit"), &[])
        .await;
    let untouched = app.create_draft(&oc, "Theirs, not in review", &["c"]).await;

    let doc = dashboard(&app, &c).await;
    let sel = Selector::parse("main a[href^='/drafts/']").unwrap();
    let hrefs: Vec<String> = doc
        .select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.trim_start_matches("/drafts/").parse::<i64>().is_ok())
        .map(str::to_string)
        .collect();
    for id in [mine, theirs, untouched] {
        let link = format!("/drafts/{id}");
        // The next-steps list may point at a draft too; the draft lists list it once.
        let in_lists = doc
            .select(&Selector::parse("#waiting-for-review a, #my-drafts a, #recent a").unwrap())
            .filter(|a| a.value().attr("href") == Some(link.as_str()))
            .count();
        assert_eq!(in_lists, 1, "draft {id} is listed once: {hrefs:?}");
    }
}

#[tokio::test]
async fn the_sandbox_inbox_pages_and_searches_by_name() {
    let app = TestApp::spawn().await;
    let (client, draft) = crate::releases::ready(&app, 60, false).await;
    // Name two friends so a search can find them.
    sqlx::query("UPDATE friends SET display_name = '佐藤 花子' WHERE user_id = ?")
        .bind(uid(7))
        .execute(app.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE friends SET display_name = 'Sato Taro' WHERE user_id = ?")
        .bind(uid(8))
        .execute(app.pool())
        .await
        .unwrap();
    let r = crate::releases::release(&app, &client, draft, "60").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.dispatch_all().await;
    let deliveries = Selector::parse("article.delivery").unwrap();

    // 60 recipients of the broadcast and the test sends: more than one page of 50.
    let first = html(app.get(&client, "/sandbox").await).await;
    assert_eq!(first.select(&deliveries).count(), 50);
    let older = Selector::parse("#inbox-pager a[rel=next]").unwrap();
    let next = first
        .select(&older)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link to older messages")
        .to_string();
    let second = html(app.get(&client, &next).await).await;
    let on_second = second.select(&deliveries).count();
    assert!(on_second > 0 && on_second <= 50, "{on_second}");
    assert!(
        second
            .select(&Selector::parse("#inbox-pager a[rel=prev]").unwrap())
            .next()
            .is_some(),
        "and back to newer ones"
    );

    // By name, any case, Japanese or not.
    let found = html(app.get(&client, "/sandbox?q=%E4%BD%90%E8%97%A4").await).await;
    let names = texts(&found, "article.delivery h2 a");
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n == "佐藤 花子"), "{names:?}");
    let found = html(app.get(&client, "/sandbox?q=sato").await).await;
    let names = texts(&found, "article.delivery h2 a");
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n == "Sato Taro"), "{names:?}");
    assert!(
        found.select(&older).next().is_none(),
        "one page of results has no link to more"
    );
}

#[tokio::test]
async fn the_draft_history_shows_submit_test_send_and_preview_with_who_did_each() {
    let app = TestApp::spawn().await;
    let (client, draft) = crate::releases::ready(&app, 3, false).await;
    let doc = app.draft_page(&client, draft).await;
    let history = texts(&doc, "ol.timeline li").join("\n");
    for line in [
        "submitted revision 1 for review",
        "sent revision 1 to the tester phones as a test",
        "confirmed the test of revision 1 arrived and looks right",
        "previewed the audience of revision 1: 3 recipients",
        "acknowledged the audience preview of revision 1",
    ] {
        assert!(history.contains(line), "{line:?} in\n{history}");
    }
    for class in ["t-submit", "t-test-send", "t-preview"] {
        assert!(
            doc.select(&Selector::parse(&format!("ol.timeline li.{class}")).unwrap())
                .next()
                .is_some(),
            "{class}"
        );
    }
    // Each names who did it: the marketer.
    assert!(
        texts(&doc, "ol.timeline li.t-submit strong")
            .iter()
            .all(|w| w == "mika"),
        "{history}"
    );
}
