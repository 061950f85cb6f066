use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn two_reviewers_approve_and_the_page_says_approved_2_of_2_with_their_names() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    assert_eq!(
        app.review(&s.a, s.draft, 1, "approve", "").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.review(&s.b, s.draft, 1, "approve", "LGTM")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let doc = app.draft_page(&s.marketer, s.draft).await;
    let approvals = text(&doc, "#gate-approvals");
    assert!(approvals.contains("Approvals: 2 of 2"), "{approvals}");
    assert!(
        approvals.contains("rei") && approvals.contains("ren"),
        "{approvals}"
    );
    assert!(
        doc.select(&scraper::Selector::parse("#gate-approvals.ok").unwrap())
            .next()
            .is_some()
    );
}

#[tokio::test]
async fn an_edit_after_approval_resets_the_approvals() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.review(&s.a, s.draft, 1, "approve", "").await;
    // The marketer fixes a typo: A's approval was for revision 1 and no longer counts.
    let r = app
        .edit_draft(
            &s.marketer,
            s.draft,
            1,
            "Winter sale",
            &[
                "冬のセール開催中！",
                "全品20%オフ、12月24日まで。",
                "ご来店お待ちしています。",
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 0 of 2"));
    assert!(
        text(&doc, "ol.timeline")
            .contains("approved revision 1 (an earlier revision; no longer counts)")
    );
    assert_eq!(
        text(&doc, ".meta .state"),
        "In review",
        "an edit keeps the draft in review"
    );
    // A sees what changed since their review, then A and B approve revision 2.
    let doc = app.draft_page(&s.a, s.draft).await;
    assert!(text(&doc, ".notice").contains("since you reviewed revision 1"));
    let diff = html(
        app.get(&s.a, &format!("/drafts/{}/diff?from=1&to=2", s.draft))
            .await,
    )
    .await;
    assert_eq!(texts(&diff, "ins"), ["24"], "numbers are whole words");
    app.review(&s.a, s.draft, 2, "approve", "").await;
    app.review(&s.b, s.draft, 2, "approve", "").await;
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 2 of 2"));
    let actions = app.audit_actions().await;
    for a in [
        "draft.created",
        "draft.submitted",
        "review.approved",
        "draft.revised",
    ] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} missing from {actions:?}"
        );
    }
    assert_eq!(
        actions.iter().filter(|a| *a == "review.approved").count(),
        3
    );
}

#[tokio::test]
async fn a_review_of_an_old_revision_is_refused() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.edit_draft(&s.marketer, s.draft, 1, "Winter sale", &["changed"])
        .await;
    let r = app.review(&s.a, s.draft, 1, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("You can only review the current revision 2"));
    assert_eq!(app.count("reviews").await, 0);
}

#[tokio::test]
async fn a_second_approval_by_the_same_person_is_refused() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.review(&s.a, s.draft, 1, "approve", "").await;
    let r = app.review(&s.a, s.draft, 1, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("You already approved revision 1"));
    assert_eq!(app.count("reviews").await, 1);
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 1 of 2"));
}

#[tokio::test]
async fn the_author_of_the_draft_cannot_approve_it() {
    let app = TestApp::spawn().await;
    let both = app.create_user("sora", "marketer,reviewer").await;
    let c = app.signed_in(&both).await;
    let id = app.create_draft(&c, "Sale", &["Hello"]).await;
    app.post(&c, &format!("/drafts/{id}/submit"), &[]).await;
    let doc = app.draft_page(&c, id).await;
    assert!(text(&doc, "#review-refusal").contains("You wrote this draft"));
    assert!(
        texts(&doc, "button[value=approve]").is_empty(),
        "no approve button for the author"
    );
    let r = app.review(&c, id, 1, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("You wrote this draft"));
    assert_eq!(app.count("reviews").await, 0);
}

#[tokio::test]
async fn the_author_of_the_current_revision_cannot_approve_it() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let editor = app.create_user("kai", "marketer,reviewer").await;
    let kc = app.signed_in(&editor).await;
    app.edit_draft(&kc, s.draft, 1, "Winter sale", &["Kai's version"])
        .await;
    let r = app.review(&kc, s.draft, 2, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("You wrote revision 2"));
}

#[tokio::test]
async fn an_earlier_editor_cannot_approve_after_another_persons_small_edit() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let editor = app.create_user("kai", "marketer,reviewer").await;
    let kc = app.signed_in(&editor).await;
    app.edit_draft(&kc, s.draft, 1, "Winter sale", &["Kai's version"])
        .await;
    // Another person's small edit: Kai's text is still in revision 3.
    app.edit_draft(&s.marketer, s.draft, 2, "Winter sale", &["Kai's version!"])
        .await;
    let r = app.review(&kc, s.draft, 3, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("You wrote an earlier revision of this draft"));
    assert_eq!(app.count("reviews WHERE verdict = 'approve'").await, 0);
    // Kai may still answer a reviewer with a comment.
    assert_eq!(
        app.review(&kc, s.draft, 3, "comment", "Fixed the price")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // An approval recorded before Kai's edit (not possible through the form, but present in
    // older data) does not count either.
    let doc = app.draft_page(&s.a, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("0 of 2"));
}

#[tokio::test]
async fn a_request_for_changes_blocks_until_that_reviewer_approves() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.review(&s.a, s.draft, 1, "request_changes", "The date is wrong")
        .await;
    app.review(&s.b, s.draft, 1, "approve", "").await;
    app.edit_draft(&s.marketer, s.draft, 1, "Winter sale", &["fixed"])
        .await;
    app.review(&s.b, s.draft, 2, "approve", "").await;
    let third = app.create_user("rin", "reviewer").await;
    let rc = app.signed_in(&third).await;
    app.review(&rc, s.draft, 2, "approve", "").await;
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 2 of 2"));
    assert!(text(&doc, "#gate-objections").contains("Changes requested by rei"));
    assert!(text(&doc, "ol.timeline").contains("The date is wrong"));
    app.review(&s.a, s.draft, 2, "approve", "").await;
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-objections").contains("No open objections"));
}

#[tokio::test]
async fn requesting_changes_needs_a_note_and_keeps_the_form() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let r = app.review(&s.a, s.draft, 1, "request_changes", "   ").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&html(r).await, ".alert").contains("Say what needs to change"));
    assert_eq!(app.count("reviews").await, 0);
}

#[tokio::test]
async fn approvals_by_disabled_users_or_lost_reviewer_roles_stop_counting() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.review(&s.a, s.draft, 1, "approve", "").await;
    app.review(&s.b, s.draft, 1, "approve", "").await;
    let actor = sendgate::db::audit::Actor::cli();
    app.create_user("root", "admin").await;
    sendgate::services::users::disable(app.pool(), app.clock_now(), &actor, s.a_user.id)
        .await
        .unwrap();
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 1 of 2"));
    sendgate::services::users::enable(app.pool(), app.clock_now(), &actor, s.a_user.id)
        .await
        .unwrap();
    sendgate::services::users::set_roles(
        app.pool(),
        app.clock_now(),
        &actor,
        s.a_user.id,
        sendgate::domain::roles::Roles::parse_list("marketer").unwrap(),
    )
    .await
    .unwrap();
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 1 of 2"));
}

#[tokio::test]
async fn the_policy_decides_how_many_approvals_are_needed() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    sqlx::query("UPDATE release_policy SET required_approvals = 3")
        .execute(app.pool())
        .await
        .unwrap();
    app.review(&s.a, s.draft, 1, "approve", "").await;
    app.review(&s.b, s.draft, 1, "approve", "").await;
    let doc = app.draft_page(&s.marketer, s.draft).await;
    assert!(text(&doc, "#gate-approvals").contains("Approvals: 2 of 3"));
}

#[tokio::test]
async fn marketers_cannot_approve_but_can_comment() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let r = app.review(&s.marketer, s.draft, 1, "approve", "").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .review(
            &s.marketer,
            s.draft,
            1,
            "comment",
            "Fixed the date, please look again",
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let doc = app.draft_page(&s.a, s.draft).await;
    assert!(text(&doc, "ol.timeline").contains("Fixed the date, please look again"));
    assert!(
        app.audit_actions()
            .await
            .contains(&"review.commented".to_string())
    );
}

#[tokio::test]
async fn a_draft_not_in_review_cannot_be_approved() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    app.post(&s.marketer, &format!("/drafts/{}/withdraw", s.draft), &[])
        .await;
    let r = app.review(&s.a, s.draft, 1, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(text(&html(r).await, ".alert").contains("not in review"));
}

#[tokio::test]
async fn the_dashboard_shows_each_reviewer_what_waits_for_them() {
    let app = TestApp::spawn().await;
    let s = ReviewSetup::new(&app).await;
    let waiting = |doc: scraper::Html| texts(&doc, "#waiting-for-review li a");
    assert_eq!(
        waiting(html(app.get(&s.a, "/").await).await),
        ["Winter sale"]
    );
    app.review(&s.a, s.draft, 1, "approve", "").await;
    assert!(waiting(html(app.get(&s.a, "/").await).await).is_empty());
    assert_eq!(
        waiting(html(app.get(&s.b, "/").await).await),
        ["Winter sale"]
    );
    // An edit puts it back in front of A.
    app.edit_draft(&s.marketer, s.draft, 1, "Winter sale", &["changed"])
        .await;
    assert_eq!(
        waiting(html(app.get(&s.a, "/").await).await),
        ["Winter sale"]
    );
    let mine = texts(
        &html(app.get(&s.marketer, "/").await).await,
        "#my-drafts li a",
    );
    assert_eq!(mine, ["Winter sale"]);
}
