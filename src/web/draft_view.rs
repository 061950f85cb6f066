//! The draft page's view: everything it shows, read through `db` and decided by the
//! domain in one place: the current revision,
//! the gate checklist (approvals and objections from the domain's rules, content checks,
//! schedule), the history, and what the viewer may do next.

use chrono_tz::Tz;

use crate::db::{self, drafts::DraftRow};
use crate::domain::checks::Level;
use crate::domain::gate::{GateReport, Rule};
use crate::domain::review::{
    self, DraftState, ReviewRequest, ReviewerStanding, Verdict, can_review,
};
use crate::domain::revision::DraftKind;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::{format_number, t, tf};
use crate::services::auth::ActiveSession;
use crate::services::gate;
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
    /// A page that shows more (the earlier release of a duplicate send); may be empty.
    pub link: String,
}

/// A release waiting for its send time, as the draft page shows it.
pub struct ScheduledView {
    pub at: String,
    /// Seconds until it starts (0 when due).
    pub seconds: i64,
    pub countdown: (String, String),
    pub can_cancel: bool,
}

/// The draft's newest release when it did not simply go out: held at its send time, or
/// partly or wholly refused by LINE (in LINE's words).
pub struct ReleaseNote {
    pub id: i64,
    pub state: String,
    pub held: Option<crate::web::releases::HeldView>,
    pub failures: Vec<crate::web::releases::FailureView>,
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
    /// The draft's live release, for the progress link.
    pub release: Option<i64>,
    /// A live release that has not started: when it starts, and whether this person may
    /// still cancel it (the undo window, a scheduled time).
    pub scheduled: Option<ScheduledView>,
    pub release_note: Option<ReleaseNote>,
    /// The monthly quota rule as the page can judge it (the preview's reading and today's
    /// reservations); `None` for a step.
    pub quota: Option<(bool, String)>,
    pub can_duplicate: bool,
    /// Every gate rule but the typed confirmation is green.
    pub ready: bool,
    pub ready_text: String,
    pub test_ok: bool,
    pub test_text: String,
    pub test_sends: Vec<TestSendView>,
    /// The test-send form's token: one test send per click.
    pub click_token: String,
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
    /// For a correction draft: the incident and how long ago the wrong message went out.
    pub correction: Option<CorrectionBanner>,
    /// A step of a scenario: its scenario sends it, so the page links there and leaves out
    /// the release-only gate items (the audience preview, the release link).
    pub is_step: bool,
    /// The scenario a step draft belongs to.
    pub scenario: Option<i64>,
    /// A greeting message: activated on the greeting page, never released, and with no
    /// audience to preview (it goes to each new friend).
    pub is_greeting: bool,
    /// The revision of this greeting draft that is the active greeting, if one is.
    pub active_greeting: Option<i64>,
    /// A greeting whose current revision is green, in review and not active yet.
    pub greeting_can_activate: bool,
}

pub struct CorrectionBanner {
    pub incident_id: i64,
    pub since_mistake: String,
    pub recipients: i64,
    /// How many had opened the wrong message, from LINE's statistics.
    pub opened: Option<String>,
}

async fn correction_banner(
    conn: &mut sqlx::SqliteConnection,
    now: chrono::DateTime<chrono::Utc>,
    incident_id: Option<i64>,
    tz: chrono_tz::Tz,
) -> AppResult<Option<CorrectionBanner>> {
    let Some(incident_id) = incident_id else {
        return Ok(None);
    };
    let Some(i) = db::incidents::find(&mut *conn, incident_id).await? else {
        return Ok(None);
    };
    let Some(release) = db::releases::find(&mut *conn, i.release_id).await? else {
        return Ok(None);
    };
    let sent = crate::services::incidents::sent_at(&release);
    Ok(Some(CorrectionBanner {
        incident_id,
        since_mistake: crate::web::views::duration(crate::domain::incident::minutes_between(
            sent, now,
        )),
        recipients: release.recipients,
        opened: crate::web::insights::correction_line(&mut *conn, &release, tz).await?,
    }))
}

/// The newest release of a draft, when it was held or LINE refused some of it.
async fn release_note(
    conn: &mut sqlx::SqliteConnection,
    draft_id: i64,
    tz: chrono_tz::Tz,
) -> AppResult<Option<ReleaseNote>> {
    let Some(id) = db::releases::latest_for_draft(&mut *conn, draft_id).await? else {
        return Ok(None);
    };
    let Some(r) = db::releases::find(&mut *conn, id).await? else {
        return Ok(None);
    };
    if !matches!(r.state.as_str(), "held" | "failed") {
        return Ok(None);
    }
    let failures = crate::web::releases::failure_views(&mut *conn, id).await?;
    Ok(Some(ReleaseNote {
        id,
        held: crate::web::releases::HeldView::of(&r, tz),
        state: r.state,
        failures,
    }))
}

/// Where a draft's current revision stands at the gate, without the rest of the page: what
/// the dashboard needs to tell its author the next move.
pub struct GateSummary {
    pub kind: DraftKind,
    pub report: GateReport,
    pub approvals: usize,
    pub required: usize,
}

impl GateSummary {
    /// Whether `rule` is green, or does not apply to this kind of draft.
    pub fn ok(&self, rule: Rule) -> bool {
        self.report.ok(rule)
    }

    pub fn ready(&self) -> bool {
        self.report.is_green()
    }
}

/// Where each of `drafts` stands at the gate, in their order: one read for all of them, on
/// the caller's connection, with the caller's policy.
pub async fn gate_summaries(
    conn: &mut sqlx::SqliteConnection,
    now: chrono::DateTime<chrono::Utc>,
    rules: &gate::Rules<'_>,
    drafts: &[&DraftRow],
) -> AppResult<Vec<GateSummary>> {
    let current = gate::current_many(conn, now, rules, drafts).await?;
    Ok(current
        .iter()
        .map(|c| GateSummary {
            kind: c.content.kind(),
            report: c.facts.report(&c.row, &c.content, rules.policy, now),
            approvals: c.facts.status.approvers.len(),
            required: c.facts.status.required,
        })
        .collect())
}

pub async fn load(state: &AppState, draft_id: i64, viewer: &ActiveSession) -> AppResult<DraftView> {
    // One connection for the whole page: each checkout from the pool costs a hand-off.
    let mut conn = state.pool.acquire().await?;
    let conn = &mut *conn;
    let draft = db::drafts::find(&mut *conn, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft_state = crate::services::drafts::state_of(&draft)?;
    let policy = &viewer.policy;
    let tz = policy.time_zone;
    let now = state.clock.now();
    // The current revision comes with its gate facts, in one read.
    let gate::Current {
        row,
        content,
        facts,
    } = gate::current_many(
        &mut *conn,
        now,
        &gate::Rules {
            policy,
            media_base: &state.settings.public_url(),
        },
        &[&draft],
    )
    .await?
    .remove(0);
    let report = facts.report(&row, &content, policy, now);
    let current = RevisionView::from_content(&row, content, tz);
    let gate = facts.preview.clone();
    let latest = facts.latest_preview.clone();
    let recipients = latest.as_ref().map(|p| p.recipient_count);
    let status = facts.status.clone();
    let records = facts.records.clone();
    let reviews = facts.reviews.clone();
    let findings = facts.findings.clone();
    let name_of = |id: i64| facts.name_of(id);
    let approval = ApprovalView {
        count: status.approvers.len(),
        required: status.required,
        approvers: status.approvers.iter().map(|id| name_of(*id)).collect(),
        objections: status.objections.iter().map(|id| name_of(*id)).collect(),
        approved: status.is_approved(),
    };
    let error_count = findings.iter().filter(|f| f.level == Level::Error).count();
    let warning_count = findings.len() - error_count;
    let finding_views = findings
        .iter()
        .cloned()
        .map(|f| FindingView {
            level: f.level.as_str(),
            message: f.message,
            location: f.location.unwrap_or_default(),
            link: f.link.unwrap_or_default(),
        })
        .collect();

    let schedule = ScheduleView {
        text: match (current.content.kind(), current.content.send_at()) {
            (DraftKind::Greeting, _) => t("Sent the moment a friend adds the account").to_string(),
            (_, Some(at)) => local_time(at, tz),
            (_, None) => t("Sent when released").to_string(),
        },
        problem: report
            .check(Rule::Schedule)
            .filter(|c| !c.ok)
            .map(|c| c.reason.clone()),
    };

    let revisions = db::drafts::revisions(&mut *conn, draft_id).await?;
    let mut timeline: Vec<(chrono::DateTime<chrono::Utc>, TimelineEntry)> = revisions
        .iter()
        .map(|r| {
            (
                r.created_at,
                TimelineEntry {
                    at: local_time(r.created_at, tz),
                    who: r.author_name.clone(),
                    what: if r.number == 1 {
                        t("created revision 1").to_string()
                    } else {
                        tf("saved revision {n}", &[&r.number])
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
            "approve" => ("approved revision {n}", "approve"),
            "request_changes" => ("requested changes to revision {n}", "object"),
            _ => ("commented on revision {n}", "comment"),
        };
        let stale = if r.revision_number < draft.current_revision && r.verdict == "approve" {
            t(" (an earlier revision; no longer counts)")
        } else {
            ""
        };
        timeline.push((
            r.created_at,
            TimelineEntry {
                at: local_time(r.created_at, tz),
                who: r.reviewer_name.clone(),
                what: format!("{}{stale}", tf(what, &[&r.revision_number])),
                body: r.body.clone(),
                revision: r.revision_number,
                class,
            },
        ));
    }
    for e in db::drafts::history_events(&mut *conn, draft_id).await? {
        let (what, class) = match e.kind.as_str() {
            "submitted" => (
                tf("submitted revision {n} for review", &[&e.revision]),
                "submit",
            ),
            "withdrawn" => (
                tf("withdrew revision {n} from review", &[&e.revision]),
                "submit",
            ),
            "test_sent" => (
                tf(
                    "sent revision {n} to the tester phones as a test",
                    &[&e.revision],
                ),
                "test-send",
            ),
            "test_confirmed" => (
                tf(
                    "confirmed the test of revision {n} arrived and looks right",
                    &[&e.revision],
                ),
                "test-send",
            ),
            "preview_taken" => (
                tf(
                    "previewed the audience of revision {n}: {count} recipients",
                    &[&e.revision, &crate::i18n::format_number(e.recipients)],
                ),
                "preview",
            ),
            _ => (
                tf(
                    "acknowledged the audience preview of revision {n}",
                    &[&e.revision],
                ),
                "preview",
            ),
        };
        timeline.push((
            e.at,
            TimelineEntry {
                at: local_time(e.at, tz),
                who: e.who,
                what,
                body: String::new(),
                revision: e.revision,
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
            contributors: &facts.contributors,
            reviews: &records,
        })
        .err()
        .map(|e| crate::i18n::tr(&e.to_string()))
    } else {
        Some(t("Only reviewers can approve or request changes.").to_string())
    };
    let last_reviewed = records
        .iter()
        .filter(|r| r.reviewer_id == viewer.user.id && r.verdict != Verdict::Comment)
        .map(|r| r.revision_number)
        .max();

    // Gate rule 3: a confirmed test send of this exact content that a phone accepted.
    let mut test_sends = Vec::new();
    let mut confirmed_test: Option<String> = None;
    let testers_reached =
        db::test_sends::recipients_of_revision(&mut *conn, draft_id, draft.current_revision)
            .await?;
    for t in db::test_sends::for_revision(&mut *conn, draft_id, draft.current_revision).await? {
        let results: Vec<TesterResult> = testers_reached
            .iter()
            .filter(|r| r.test_send_id == t.id)
            .cloned()
            .map(|r| TesterResult {
                name: r.display_name,
                user_id: r.user_id,
                status: r.status,
                error: r.error.unwrap_or_default(),
            })
            .collect();
        let any_accepted = results.iter().any(|r| r.status == "accepted");
        if t.content_hash == row.content_hash
            && any_accepted
            && confirmed_test.is_none()
            && let (Some(by), Some(at)) = (&t.confirmed_by_name, t.confirmed_at)
        {
            confirmed_test = Some(tf(
                "Received on a phone and confirmed by {name}, {time}",
                &[by, &local_time(at, tz)],
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
    let testers = db::friends::testers(&mut *conn)
        .await?
        .iter()
        .filter(|t| t.candidate().is_eligible())
        .count();
    let is_step = current.content.kind() == DraftKind::Step;
    let is_greeting = current.content.kind() == DraftKind::Greeting;
    let missing: Vec<&str> = report.failing().map(|c| t(c.rule.label())).collect();
    let ready = missing.is_empty();
    let ready_text = if ready && is_greeting {
        t("Every gate item is green for this revision; activate it on the greeting page.")
            .to_string()
    } else if is_greeting {
        tf(
            "Not ready to activate as the greeting message. Missing: {items}.",
            &[&missing.join(t(", "))],
        )
    } else if ready && is_step {
        t("Every gate item is green for this revision; its scenario's activation sends it.")
            .to_string()
    } else if ready {
        t("Every gate item is green for this revision.").to_string()
    } else if is_step {
        tf(
            "Not ready for its scenario's activation. Missing: {items}.",
            &[&missing.join(t(", "))],
        )
    } else {
        let sep = t(", ");
        tf(
            "Not ready to release. Missing: {items}.",
            &[&missing.join(sep)],
        )
    };
    let preview = PreviewItem {
        ok: gate.is_ok(),
        text: match (&gate, &latest) {
            (g, Some(p)) if g.is_ok() => tf(
                "{n} recipients, acknowledged by {name}",
                &[
                    &format_number(p.recipient_count),
                    &p.acknowledged_by_name.clone().unwrap_or_default(),
                ],
            ),
            (g, _) => crate::i18n::tr(&g.explain()),
        },
        link: latest
            .as_ref()
            .map(|p| format!("/drafts/{draft_id}/previews/{}", p.id)),
        recipients,
    };
    let active_greeting = if is_greeting {
        db::greetings::active(&mut *conn)
            .await?
            .filter(|a| a.draft_id == draft_id)
            .map(|a| a.revision_number)
    } else {
        None
    };
    let live = match db::releases::live_for_draft(&mut *conn, draft_id).await? {
        Some(id) => db::releases::find(&mut *conn, id).await?,
        None => None,
    };
    Ok(DraftView {
        correction: correction_banner(&mut *conn, now, facts.correction_of, tz).await?,
        scheduled: match &live {
            Some(r) if r.state == "scheduled" => Some(ScheduledView {
                at: local_time(r.send_at, tz),
                seconds: (r.send_at - now).num_seconds().max(0),
                countdown: crate::web::releases::around_number("Sending starts in {n} seconds"),
                can_cancel: may_write,
            }),
            _ => None,
        },
        release: live.as_ref().map(|r| r.id),
        release_note: release_note(&mut *conn, draft_id, tz).await?,
        quota: report
            .check(Rule::Quota)
            .map(|c| (c.ok, c.reason.clone())),
        can_duplicate: may_write,
        ready,
        ready_text,
        test_ok: confirmed_test.is_some(),
        test_text: confirmed_test.unwrap_or_else(|| {
            if test_sends.is_empty() {
                t("Send a test of this revision to the testers' phones, then confirm it arrived and looks right.").to_string()
            } else {
                t("A test was sent; someone must confirm it arrived on a phone and looks right.").to_string()
            }
        }),
        test_sends,
        // One test send per click: a double click or a retried post finds the first.
        click_token: uuid::Uuid::new_v4().to_string(),
        can_test_send: may_write && !draft_state.is_read_only(),
        can_confirm_test: roles.may(Permission::ConfirmTestSend) && !draft_state.is_read_only(),
        testers,
        preview,
        can_preview: may_write && !draft_state.is_read_only() && !is_step && !is_greeting,
        greeting_can_activate: is_greeting
            && ready
            && may_write
            && draft_state == DraftState::InReview
            && active_greeting != Some(draft.current_revision),
        active_greeting,
        is_greeting,
        scenario: if is_step {
            db::scenarios::scenario_of_draft(&mut *conn, draft_id).await?
        } else {
            None
        },
        is_step,
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
