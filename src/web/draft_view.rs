//! The draft page's view: everything it shows, read through `db` and decided by the
//! domain in one place: the current revision,
//! the gate checklist (approvals and objections from the domain's rules, content checks,
//! schedule), the history, and what the viewer may do next.

use chrono_tz::Tz;

use crate::db::{self, drafts::DraftRow};
use crate::domain::audience::{PreviewFacts, preview_gate};
use crate::domain::checks::{CheckContext, Finding, Level, check_content};
use crate::domain::gate::{ReleaseFacts, TestSendFacts, evaluate, schedule_problem};
use crate::domain::review::{
    self, ApprovalInput, DraftState, ReviewRecord, ReviewRequest, ReviewerStanding, Verdict,
    approval_status, can_review,
};
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::auth::ActiveSession;
use crate::state::AppState;
use crate::web::views::{RevisionView, local_time};

pub struct ApprovalView {
    pub count: usize,
    pub required: usize,
    pub approvers: Vec<String>,
    pub objections: Vec<String>,
    pub approved: bool,
}

pub struct FindingView {
    pub level: &'static str,
    pub message: String,
    pub location: String,
}

pub struct ScheduleView {
    pub text: String,
    pub problem: Option<String>,
}

pub struct TimelineEntry {
    pub at: String,
    pub who: String,
    pub what: String,
    pub body: String,
    pub revision: i64,
    pub class: &'static str,
}

pub struct RevisionSummary {
    pub number: i64,
    pub author: String,
    pub created: String,
    pub hash_short: String,
}

pub struct PreviewItem {
    pub ok: bool,
    pub text: String,
    pub link: Option<String>,
    pub recipients: Option<i64>,
}

pub struct TesterResult {
    pub name: String,
    pub user_id: String,
    pub status: String,
    pub error: String,
}

pub struct TestSendView {
    pub id: i64,
    pub requested: String,
    pub requested_by: String,
    pub confirmed: Option<String>,
    pub results: Vec<TesterResult>,
    pub any_accepted: bool,
}

pub struct DraftView {
    /// Every gate rule but the typed confirmation is green.
    pub ready: bool,
    pub ready_text: String,
    pub test_ok: bool,
    pub test_text: String,
    pub test_sends: Vec<TestSendView>,
    pub can_test_send: bool,
    pub can_confirm_test: bool,
    pub testers: usize,
    pub preview: PreviewItem,
    pub can_preview: bool,
    pub draft: DraftRow,
    pub state: DraftState,
    pub state_label: String,
    pub time_zone: Tz,
    pub current: RevisionView,
    pub approval: ApprovalView,
    pub findings: Vec<FindingView>,
    pub error_count: usize,
    pub warning_count: usize,
    pub schedule: ScheduleView,
    pub timeline: Vec<TimelineEntry>,
    pub revisions: Vec<RevisionSummary>,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_withdraw: bool,
    pub can_comment: bool,
    /// `None` when the viewer may approve or object; otherwise why not (shown to reviewers).
    pub review_refusal: Option<String>,
    pub is_reviewer: bool,
    /// The revision the viewer last gave a verdict on, when it is older than the current
    /// one: the page offers "changes since your last review".
    pub changes_since_review: Option<i64>,
}

fn verdict_of(s: &str) -> Option<Verdict> {
    Verdict::parse(s)
}

pub async fn load(state: &AppState, draft_id: i64, viewer: &ActiveSession) -> AppResult<DraftView> {
    let pool = &state.pool;
    let draft = db::drafts::find(pool, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft_state = crate::services::drafts::state_of(&draft)?;
    let policy = db::policy::get(pool).await?;
    let tz = policy.time_zone;
    let row = db::drafts::revision(pool, draft_id, draft.current_revision)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "draft {draft_id} lost its current revision"
            ))
        })?;
    let current = RevisionView::new(&row, tz)?;
    let reviews = db::reviews::for_draft(pool, draft_id).await?;
    let users = db::users::list(pool).await?;
    let name_of = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| format!("user {id}"))
    };

    let records: Vec<ReviewRecord> = reviews
        .iter()
        .filter_map(|r| {
            verdict_of(&r.verdict).map(|verdict| ReviewRecord {
                reviewer_id: r.reviewer_id,
                revision_number: r.revision_number,
                verdict,
                at: r.created_at,
            })
        })
        .collect();
    let standings: Vec<ReviewerStanding> = users
        .iter()
        .map(|u| ReviewerStanding {
            user_id: u.id,
            active: u.is_active(),
            is_reviewer: u.roles.reviewer,
        })
        .collect();
    let latest = db::previews::latest_for_revision(pool, draft_id, draft.current_revision).await?;
    let friends_now = db::friends::count_following(pool).await?;
    let facts = latest.as_ref().map(|p| PreviewFacts {
        content_hash: p.content_hash.clone(),
        taken_at: p.taken_at,
        acknowledged: p.acknowledged_at.is_some(),
        is_broadcast: p.kind == "broadcast",
        friend_count: p.friend_count,
    });
    let gate = preview_gate(
        facts.as_ref(),
        &row.content_hash,
        state.clock.now(),
        policy.preview_max_age_minutes,
        policy.max_drift_percent,
        friends_now,
    );
    let recipients = latest.as_ref().map(|p| p.recipient_count);
    let input = ApprovalInput {
        required_approvals: policy.required_approvals,
        // Large audiences (as the newest preview counted them) need one more approval.
        extra_approval_needed: recipients.is_some_and(|n| n >= policy.large_audience_threshold),
        draft_author_id: draft.author_id,
        current_revision: draft.current_revision,
        current_revision_author_id: row.author_id,
        reviews: &records,
        standings: &standings,
    };
    let status = approval_status(&input);
    let approval = ApprovalView {
        count: status.approvers.len(),
        required: status.required,
        approvers: status.approvers.iter().map(|id| name_of(*id)).collect(),
        objections: status.objections.iter().map(|id| name_of(*id)).collect(),
        approved: status.is_approved(),
    };

    let mut findings = check_content(
        &current.content,
        &CheckContext {
            link_allow_list: policy.link_allow_list.clone(),
        },
    );
    // The audience rows of DESIGN section 5, from the newest preview.
    if let Some(p) = &latest {
        if p.recipient_count == 0 {
            findings.push(Finding::error(
                "audience_empty",
                "The audience is empty: nobody would receive this.",
                None,
            ));
        }
        if let (Some(limit), Some(used)) = (p.quota_limit, p.quota_used)
            && used + p.recipient_count > limit
        {
            findings.push(Finding::error(
                "quota_exceeded",
                format!(
                    "This send needs {} messages but only {} are left this month.",
                    p.recipient_count,
                    (limit - used).max(0)
                ),
                None,
            ));
        }
        if p.kind == "segment" && p.friend_count > 0 && p.recipient_count * 2 > p.friend_count {
            findings.push(Finding::warning(
                "segment_over_half",
                format!(
                    "This segment reaches {} of {} friends, more than half: check it is not meant as a broadcast.",
                    p.recipient_count, p.friend_count
                ),
                None,
            ));
        }
    }
    findings.sort_by_key(|f| !f.is_error());
    let error_count = findings.iter().filter(|f| f.level == Level::Error).count();
    let warning_count = findings.len() - error_count;
    let finding_views = findings
        .iter()
        .cloned()
        .map(|f| FindingView {
            level: f.level.as_str(),
            message: f.message,
            location: f.location.unwrap_or_default(),
        })
        .collect();

    let now = state.clock.now();
    let schedule = ScheduleView {
        text: current
            .content
            .send_at()
            .map(|at| local_time(at, tz))
            .unwrap_or_else(|| "Sent when released".into()),
        problem: schedule_problem(current.content.send_at(), now, policy.quiet_hours, tz),
    };

    let revisions = db::drafts::revisions(pool, draft_id).await?;
    let mut timeline: Vec<(chrono::DateTime<chrono::Utc>, TimelineEntry)> = revisions
        .iter()
        .map(|r| {
            (
                r.created_at,
                TimelineEntry {
                    at: local_time(r.created_at, tz),
                    who: r.author_name.clone(),
                    what: if r.number == 1 {
                        "created revision 1".into()
                    } else {
                        format!("saved revision {}", r.number)
                    },
                    body: String::new(),
                    revision: r.number,
                    class: "revision",
                },
            )
        })
        .collect();
    for r in &reviews {
        let (what, class) = match r.verdict.as_str() {
            "approve" => ("approved", "approve"),
            "request_changes" => ("requested changes to", "object"),
            _ => ("commented on", "comment"),
        };
        let stale = if r.revision_number < draft.current_revision && r.verdict == "approve" {
            " (an earlier revision; no longer counts)"
        } else {
            ""
        };
        timeline.push((
            r.created_at,
            TimelineEntry {
                at: local_time(r.created_at, tz),
                who: r.reviewer_name.clone(),
                what: format!("{what} revision {}{stale}", r.revision_number),
                body: r.body.clone(),
                revision: r.revision_number,
                class,
            },
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let timeline = timeline.into_iter().map(|(_, e)| e).rev().collect();

    let roles = viewer.user.roles;
    let may_write = roles.may(Permission::WriteDrafts);
    let review_refusal = if roles.may(Permission::Review) {
        can_review(&ReviewRequest {
            reviewer: ReviewerStanding {
                user_id: viewer.user.id,
                active: viewer.user.is_active(),
                is_reviewer: true,
            },
            verdict: Verdict::Approve,
            revision: draft.current_revision,
            draft_state,
            draft_author_id: draft.author_id,
            current_revision: draft.current_revision,
            current_revision_author_id: row.author_id,
            reviews: &records,
        })
        .err()
        .map(|e| e.to_string())
    } else {
        Some("Only reviewers can approve or request changes.".into())
    };
    let last_reviewed = records
        .iter()
        .filter(|r| r.reviewer_id == viewer.user.id && r.verdict != Verdict::Comment)
        .map(|r| r.revision_number)
        .max();

    // Gate rule 3: a confirmed test send of this exact content that a phone accepted.
    let mut test_sends = Vec::new();
    let mut test_facts = Vec::new();
    let mut confirmed_test: Option<String> = None;
    for t in db::test_sends::for_revision(pool, draft_id, draft.current_revision).await? {
        let results: Vec<TesterResult> = db::test_sends::recipients(pool, t.id)
            .await?
            .into_iter()
            .map(|r| TesterResult {
                name: r.display_name,
                user_id: r.user_id,
                status: r.status,
                error: r.error.unwrap_or_default(),
            })
            .collect();
        let any_accepted = results.iter().any(|r| r.status == "accepted");
        test_facts.push(TestSendFacts {
            content_hash: t.content_hash.clone(),
            accepted: results.iter().filter(|r| r.status == "accepted").count(),
            confirmed_by: t.confirmed_by_name.clone(),
        });
        if t.content_hash == row.content_hash
            && any_accepted
            && confirmed_test.is_none()
            && let (Some(by), Some(at)) = (&t.confirmed_by_name, t.confirmed_at)
        {
            confirmed_test = Some(format!(
                "Received on a phone and confirmed by {by}, {}",
                local_time(at, tz)
            ));
        }
        test_sends.push(TestSendView {
            id: t.id,
            requested: local_time(t.requested_at, tz),
            requested_by: t.requested_by_name,
            confirmed: t.confirmed_at.map(|at| {
                format!(
                    "{}, {}",
                    t.confirmed_by_name.clone().unwrap_or_default(),
                    local_time(at, tz)
                )
            }),
            results,
            any_accepted,
        });
    }
    let testers = db::friends::testers(pool)
        .await?
        .iter()
        .filter(|t| !t.blocked)
        .count();
    // The whole gate, as the release will evaluate it (minus the typed confirmation).
    let report = evaluate(&ReleaseFacts {
        approval: &status,
        current_content_hash: &row.content_hash,
        test_sends: &test_facts,
        preview: gate.clone(),
        findings: &findings,
        acknowledged_warnings: &[],
        send_at: current.content.send_at(),
        now,
        quiet_hours: policy.quiet_hours,
        time_zone: tz,
        confirmation: None,
    });
    let missing: Vec<&str> = report.failing().map(|c| c.rule.label()).collect();
    let ready = missing.is_empty();
    let ready_text = if ready {
        "Every gate item is green for this revision.".to_string()
    } else {
        format!("Not ready to release. Missing: {}.", missing.join(", "))
    };
    let preview = PreviewItem {
        ok: gate.is_ok(),
        text: match (&gate, &latest) {
            (g, Some(p)) if g.is_ok() => format!(
                "{} recipients, acknowledged by {}",
                p.recipient_count,
                p.acknowledged_by_name.clone().unwrap_or_default()
            ),
            (g, _) => g.explain(),
        },
        link: latest
            .as_ref()
            .map(|p| format!("/drafts/{draft_id}/previews/{}", p.id)),
        recipients,
    };
    Ok(DraftView {
        ready,
        ready_text,
        test_ok: confirmed_test.is_some(),
        test_text: confirmed_test.unwrap_or_else(|| {
            if test_sends.is_empty() {
                "Send a test of this revision to the testers' phones, then confirm it arrived and looks right.".into()
            } else {
                "A test was sent; someone must confirm it arrived on a phone and looks right.".into()
            }
        }),
        test_sends,
        can_test_send: may_write && !draft_state.is_read_only(),
        can_confirm_test: roles.may(Permission::ConfirmTestSend) && !draft_state.is_read_only(),
        testers,
        preview,
        can_preview: may_write
            && !draft_state.is_read_only()
            && current.content.kind() != crate::domain::revision::DraftKind::Step,
        state_label: draft_state.label().to_string(),
        can_edit: may_write && draft_state.is_editable(),
        can_submit: may_write && review::submit(draft_state, draft.current_revision).is_ok(),
        can_withdraw: may_write && review::withdraw(draft_state).is_ok(),
        can_comment: roles.may(Permission::ReadDrafts),
        is_reviewer: roles.may(Permission::Review),
        changes_since_review: last_reviewed.filter(|n| *n < draft.current_revision),
        review_refusal,
        state: draft_state,
        time_zone: tz,
        approval,
        findings: finding_views,
        error_count,
        warning_count,
        schedule,
        timeline,
        revisions: revisions
            .iter()
            .rev()
            .map(|r| RevisionSummary {
                number: r.number,
                author: r.author_name.clone(),
                created: local_time(r.created_at, tz),
                hash_short: r.content_hash.chars().take(12).collect(),
            })
            .collect(),
        current,
        draft,
    })
}
