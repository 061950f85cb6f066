//! Gathers everything the release gate decides on, for one draft's current revision, from
//! one connection: the draft page reads it, and the release service reads it again inside
//! its write transaction so the decision and the release are one atomic step.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::db::{
    self, drafts::DraftRow, drafts::RevisionRow, previews::PreviewRow, reviews::ReviewRow,
};
use crate::domain::audience::{PreviewFacts, PreviewGate, preview_gate};
use crate::domain::checks::{CheckContext, Finding, check_content};
use crate::domain::gate::{ReleaseFacts, TestSendFacts};
use crate::domain::policy::ReleasePolicy;
use crate::domain::review::{
    ApprovalInput, ApprovalStatus, ReviewRecord, ReviewerStanding, approval_status,
};
use crate::domain::revision::{DraftKind, RevisionContent};
use crate::error::{AppError, AppResult};

pub struct GateFacts {
    pub reviews: Vec<db::reviews::ReviewRow>,
    pub records: Vec<ReviewRecord>,
    pub status: ApprovalStatus,
    pub latest_preview: Option<PreviewRow>,
    pub preview: PreviewGate,
    /// Following friends now: read only for a broadcast, the one kind whose audience LINE
    /// picks at send time (so a preview can drift from it).
    pub friends_now: Option<i64>,
    pub findings: Vec<Finding>,
    pub test_sends: Vec<TestSendFacts>,
    /// The incident this draft corrects, when it is a correction draft.
    pub correction_of: Option<i64>,
}

impl GateFacts {
    /// Who a release would reach now: every friend for a broadcast (LINE picks them), the
    /// frozen snapshot for a segment send (0 without a preview).
    pub fn recipients(&self, kind: DraftKind) -> i64 {
        match (kind, &self.latest_preview) {
            (DraftKind::Broadcast, _) => self.friends_now.unwrap_or(0),
            (_, Some(p)) => p.recipient_count,
            (_, None) => 0,
        }
    }

    /// The release gate's input for the current revision as a page shows it: no warning
    /// acknowledged and no typed confirmation yet (the release itself adds those).
    pub fn release_facts<'a>(
        &'a self,
        row: &'a RevisionRow,
        content: &RevisionContent,
        policy: &ReleasePolicy,
        now: DateTime<Utc>,
    ) -> ReleaseFacts<'a> {
        ReleaseFacts {
            approval: &self.status,
            current_content_hash: &row.content_hash,
            test_sends: &self.test_sends,
            preview: self.preview.clone(),
            findings: &self.findings,
            acknowledged_warnings: &[],
            send_at: content.send_at(),
            now,
            quiet_hours: policy.quiet_hours,
            time_zone: policy.time_zone,
            confirmation: None,
        }
    }

    /// The name of a reviewer of this draft (approvers and objectors always are).
    pub fn name_of(&self, id: i64) -> String {
        self.reviews
            .iter()
            .find(|r| r.reviewer_id == id)
            .map(|r| r.reviewer_name.clone())
            .unwrap_or_else(|| format!("user {id}"))
    }
}

/// One draft whose gate is read: the draft, its current revision and that revision parsed.
struct Subject<'a> {
    draft: &'a DraftRow,
    row: &'a RevisionRow,
    content: &'a RevisionContent,
}

/// The gate facts of a draft whose current revision the caller has already read and parsed
/// (the release reads both inside its write transaction).
pub async fn collect(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    draft: &DraftRow,
    row: &RevisionRow,
    content: &RevisionContent,
    policy: &ReleasePolicy,
) -> AppResult<GateFacts> {
    let mut reads = read(conn, std::iter::once(draft)).await?;
    let subject = Subject {
        draft,
        row,
        content,
    };
    Ok(assemble(&subject, now, policy, take(&mut reads, draft.id)?))
}

/// A draft's current revision, parsed, with its gate facts.
pub struct Current {
    pub row: RevisionRow,
    pub content: RevisionContent,
    pub facts: GateFacts,
}

/// The current revision of each draft with its gate facts, all in one read (the
/// dashboard's next steps), in the order of `drafts`.
pub async fn current_many(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    policy: &ReleasePolicy,
    drafts: &[&DraftRow],
) -> AppResult<Vec<Current>> {
    let mut reads = read(conn, drafts.iter().copied()).await?;
    drafts
        .iter()
        .map(|draft| {
            let read = take(&mut reads, draft.id)?;
            let row = read.revision.clone();
            let content = row.parsed()?;
            let subject = Subject {
                draft,
                row: &row,
                content: &content,
            };
            let facts = assemble(&subject, now, policy, read);
            Ok(Current {
                row,
                content,
                facts,
            })
        })
        .collect()
}

/// Everything the gate reads about the drafts' current revisions, in one query. The
/// friends are counted only when one is a broadcast (the one kind whose audience LINE picks
/// at send time); a draft row's kind is its current revision's.
async fn read<'a>(
    conn: &mut SqliteConnection,
    drafts: impl Iterator<Item = &'a DraftRow> + Clone,
) -> AppResult<Vec<db::gate::GateRead>> {
    if drafts.clone().next().is_none() {
        return Ok(Vec::new());
    }
    let revisions = db::json_revisions(drafts.clone().map(|d| (d.id, d.current_revision)));
    let any_broadcast = drafts
        .clone()
        .any(|d| DraftKind::parse(&d.kind) == Some(DraftKind::Broadcast));
    Ok(db::gate::for_revisions(&mut *conn, &revisions, any_broadcast).await?)
}

/// The read for one draft's current revision.
fn take(reads: &mut Vec<db::gate::GateRead>, draft_id: i64) -> AppResult<db::gate::GateRead> {
    let at = reads
        .iter()
        .position(|r| r.revision.draft_id == draft_id)
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "draft {draft_id} lost its current revision"
            ))
        })?;
    Ok(reads.swap_remove(at))
}

/// Turns what was read into the facts the gate decides on.
fn assemble(
    s: &Subject<'_>,
    now: DateTime<Utc>,
    policy: &ReleasePolicy,
    read: db::gate::GateRead,
) -> GateFacts {
    let db::gate::GateRead {
        friends_now,
        reviews,
        latest_preview,
        test_sends,
        ..
    } = read;
    let test_sends = test_sends
        .into_iter()
        .map(|t| TestSendFacts {
            content_hash: t.content_hash,
            accepted: t.accepted as usize,
            confirmed_by: t.confirmed_by_name,
        })
        .collect();
    let (draft, row, content) = (s.draft, s.row, s.content);
    let correction_of = draft.correction_of;
    let records: Vec<ReviewRecord> = reviews.iter().filter_map(ReviewRow::record).collect();
    // Every reviewer's standing came with their reviews: that is all the gate needs.
    let standings: Vec<ReviewerStanding> = reviews.iter().map(ReviewRow::standing).collect();
    let facts = latest_preview.as_ref().map(|p| PreviewFacts {
        content_hash: p.content_hash.clone(),
        taken_at: p.taken_at,
        acknowledged: p.acknowledged_at.is_some(),
        is_broadcast: p.kind == "broadcast",
        friend_count: p.friend_count,
    });
    let preview = preview_gate(
        facts.as_ref(),
        &row.content_hash,
        now,
        policy.preview_max_age_minutes,
        policy.max_drift_percent,
        // Drift is judged only for a broadcast preview of the current content, and the
        // count was read for every broadcast subject.
        friends_now.unwrap_or(0),
    );
    let recipients = latest_preview.as_ref().map(|p| p.recipient_count);
    // A correction of an incident goes through the same gate with its own, usually
    // smaller, number of approvals; its authors still never count.
    let status = approval_status(&ApprovalInput {
        required_approvals: if correction_of.is_some() {
            policy.correction_required_approvals
        } else {
            policy.required_approvals
        },
        // Large audiences (as the newest preview counted them) need one more approval.
        extra_approval_needed: recipients.is_some_and(|n| n >= policy.large_audience_threshold),
        draft_author_id: draft.author_id,
        current_revision: draft.current_revision,
        current_revision_author_id: row.author_id,
        reviews: &records,
        standings: &standings,
    });

    let mut findings = check_content(
        content,
        &CheckContext {
            link_allow_list: policy.link_allow_list.clone(),
        },
    );
    // The audience rows of DESIGN section 5, from the newest preview.
    if let Some(p) = &latest_preview {
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

    GateFacts {
        reviews,
        records,
        status,
        latest_preview,
        preview,
        friends_now,
        findings,
        test_sends,
        correction_of,
    }
}
