//! Gathers everything the gate decides on, for one draft's revision, from one connection:
//! the draft page reads it, the release service reads it again inside its write
//! transaction so the decision and the release are one atomic step, and the senders read it
//! at the moment they hand a message to LINE ([`crate::services::send_gate`]). A greeting
//! that stays active while its draft is edited is read as of its own revision
//! ([`for_live_revision`]).

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::db::{
    self, drafts::DraftRow, drafts::RevisionRow, previews::PreviewRow, reviews::ReviewRow,
};
use crate::domain::audience::{PreviewFacts, PreviewGate, preview_gate};
use crate::domain::checks::{CheckContext, Finding, check_content, duplicate_send};
use crate::domain::gate::{
    Facts, GateReport, Moment, PreviewRule, QuotaFacts, QuotaReading, ScheduleFacts, TestSendFacts,
    evaluate, is_large_audience,
};
use crate::domain::incident;
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
    /// Rule 4 as a release would see it now.
    pub preview: PreviewGate,
    pub preview_facts: Option<PreviewFacts>,
    /// Following friends now: read only for a broadcast, the one kind whose audience LINE
    /// picks at send time (so a preview can drift from it).
    pub friends_now: Option<i64>,
    pub findings: Vec<Finding>,
    pub test_sends: Vec<TestSendFacts>,
    /// The incident this draft corrects, when it is a correction draft.
    pub correction_of: Option<i64>,
    /// Recipients of releases not yet handed to LINE.
    pub reserved: i64,
    /// Everyone who wrote a revision of the draft: none of them may approve it.
    pub contributors: Vec<i64>,
}

impl GateFacts {
    /// Who a release would reach now: every friend for a broadcast (LINE picks them), the
    /// frozen snapshot for a segment send (0 without a preview).
    pub fn recipients(&self, kind: DraftKind) -> i64 {
        recipients_of(kind, self.friends_now, self.latest_preview.as_ref())
    }

    /// The quota as the newest preview read it, with today's reservations: what a page can
    /// show without asking LINE. A release asks LINE again.
    pub fn quota_from_preview(&self, kind: DraftKind) -> QuotaFacts {
        QuotaFacts {
            needed: self.recipients(kind),
            reading: self
                .latest_preview
                .as_ref()
                .map_or(QuotaReading::Unknown, PreviewRow::quota_reading),
            reserved: self.reserved,
        }
    }

    /// The gate's input for the revision these facts were read of, as a page shows it: no warning acknowledged and no typed confirmation yet (the release adds
    /// those), the quota as the preview read it.
    pub fn facts<'a>(
        &'a self,
        row: &'a RevisionRow,
        content: &RevisionContent,
        policy: &ReleasePolicy,
        now: DateTime<Utc>,
    ) -> Facts<'a> {
        Facts {
            now,
            approval: Some(&self.status),
            content_hash: &row.content_hash,
            test_sends: &self.test_sends,
            preview: Some(PreviewRule {
                preview: self.preview_facts.as_ref(),
                friends_now: self.friends_now.unwrap_or(0),
                max_age_minutes: policy.preview_max_age_minutes,
                max_drift_percent: policy.max_drift_percent,
            }),
            findings: Some(&self.findings),
            acknowledged_warnings: &[],
            acknowledging: false,
            schedule: Some(ScheduleFacts {
                send_at: content.send_at(),
                quiet_hours: policy.quiet_hours,
                time_zone: policy.time_zone,
                hold_seconds: policy.release_hold_seconds,
            }),
            quota: Some(self.quota_from_preview(content.kind())),
            confirmation: None,
            testers: None,
        }
    }

    /// The gate as the draft and release pages show it.
    pub fn report(
        &self,
        row: &RevisionRow,
        content: &RevisionContent,
        policy: &ReleasePolicy,
        now: DateTime<Utc>,
    ) -> GateReport {
        evaluate(
            page_moment(content.kind()),
            &self.facts(row, content, policy, now),
        )
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

/// The moment a draft of `kind` is next asked at, as its pages show the gate: a step and
/// a greeting are activated, everything else released.
pub fn page_moment(kind: DraftKind) -> Moment {
    match kind {
        DraftKind::Step => Moment::Activation,
        DraftKind::Greeting => Moment::Greeting,
        DraftKind::Broadcast | DraftKind::Segment => Moment::Release,
    }
}

/// Who a send reaches: every friend following for a broadcast, the snapshot otherwise.
fn recipients_of(kind: DraftKind, friends_now: Option<i64>, preview: Option<&PreviewRow>) -> i64 {
    match (kind, preview) {
        (DraftKind::Broadcast, _) => friends_now.unwrap_or(0),
        (_, Some(p)) => p.recipient_count,
        (_, None) => 0,
    }
}

/// What the gate is judged by besides the facts read: the release policy, and this server's
/// public address (images under it are stored in sendgate and cannot change).
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub policy: &'a ReleasePolicy,
    pub media_base: &'a str,
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
    rules: &Rules<'_>,
) -> AppResult<GateFacts> {
    let read = read_one(conn, now, draft, row).await?;
    Ok(assemble(
        &Subject {
            draft,
            row,
            content,
        },
        now,
        rules,
        read,
    ))
}

/// The gate facts of a release's revision at the moment it is handed to LINE: everything
/// as it is now (reviews and their authors' standing, policy, friends, reservations),
/// judged with the preview the release was made with.
pub async fn for_release(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    draft: &DraftRow,
    row: &RevisionRow,
    content: &RevisionContent,
    rules: &Rules<'_>,
    preview: Option<PreviewRow>,
) -> AppResult<GateFacts> {
    let mut read = read_one(conn, now, draft, row).await?;
    read.latest_preview = preview;
    Ok(assemble(
        &Subject {
            draft,
            row,
            content,
        },
        now,
        rules,
        read,
    ))
}

/// What the gate reads about one revision of a draft.
async fn read_one(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    draft: &DraftRow,
    row: &RevisionRow,
) -> AppResult<db::gate::GateRead> {
    let mut reads = read(conn, now, [key(draft, row.number)]).await?;
    take(&mut reads, draft.id)
}

/// The gate facts of a revision that stays live while its draft goes on (the active
/// greeting while a newer revision is in review), judged by its own history: the reviews
/// of it and the revisions before it, and the people who wrote those. A request for
/// changes of the newer revision is about that revision, and its writer wrote nothing of
/// this one; everything else (approvers' standing now, the policy, the checks) is as of
/// now, as for any send.
pub async fn for_live_revision(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    draft: &DraftRow,
    row: &RevisionRow,
    content: &RevisionContent,
    rules: &Rules<'_>,
) -> AppResult<GateFacts> {
    let mut reads = read(conn, now, [key(draft, row.number)]).await?;
    let mut read = take(&mut reads, draft.id)?;
    read.reviews.retain(|r| r.revision_number <= row.number);
    read.contributors = db::drafts::revisions(&mut *conn, draft.id)
        .await?
        .into_iter()
        .filter(|r| r.number <= row.number)
        .map(|r| r.author_id)
        .collect();
    read.contributors.sort_unstable();
    read.contributors.dedup();
    let subject = Subject {
        draft,
        row,
        content,
    };
    Ok(assemble(&subject, now, rules, read))
}

/// What [`read`] needs of one subject: its draft, the revision, whether friends are
/// counted (a broadcast's audience is picked by LINE when it is sent).
fn key(draft: &DraftRow, revision: i64) -> (i64, i64, bool) {
    (
        draft.id,
        revision,
        DraftKind::parse(&draft.kind) == Some(DraftKind::Broadcast),
    )
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
    rules: &Rules<'_>,
    drafts: &[&DraftRow],
) -> AppResult<Vec<Current>> {
    let mut reads = read(conn, now, drafts.iter().map(|d| key(d, d.current_revision))).await?;
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
            let facts = assemble(&subject, now, rules, read);
            Ok(Current {
                row,
                content,
                facts,
            })
        })
        .collect()
}

/// Everything the gate reads about the given revisions (`(draft, revision, broadcast)`),
/// in one query. The friends are counted only when one is a broadcast (the one kind whose
/// audience LINE picks at send time); a draft row's kind is its revisions' kind.
async fn read(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    subjects: impl IntoIterator<Item = (i64, i64, bool)>,
) -> AppResult<Vec<db::gate::GateRead>> {
    let subjects: Vec<(i64, i64, bool)> = subjects.into_iter().collect();
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let revisions = db::json_revisions(subjects.iter().map(|(d, r, _)| (*d, *r)));
    let any_broadcast = subjects.iter().any(|(_, _, b)| *b);
    Ok(db::gate::for_revisions(
        &mut *conn,
        &revisions,
        any_broadcast,
        now - chrono::Duration::days(DUPLICATE_WINDOW_DAYS),
    )
    .await?)
}

/// The read for one draft's revision.
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

/// How far back the duplicate-send warning looks (DESIGN section 5).
pub const DUPLICATE_WINDOW_DAYS: i64 = 7;

/// Turns what was read into the facts the gate decides on.
fn assemble(
    s: &Subject<'_>,
    now: DateTime<Utc>,
    rules: &Rules<'_>,
    read: db::gate::GateRead,
) -> GateFacts {
    let policy = rules.policy;
    let db::gate::GateRead {
        friends_now,
        contributors,
        reserved,
        duplicates,
        original_messages,
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
    let preview_facts = latest_preview.as_ref().map(PreviewRow::facts);
    let preview = preview_gate(
        preview_facts.as_ref(),
        &row.content_hash,
        now,
        policy.preview_max_age_minutes,
        policy.max_drift_percent,
        // Drift is judged only for a broadcast preview of the current content, and the
        // count was read for every broadcast subject.
        friends_now.unwrap_or(0),
    );
    let kind = content.kind();
    let status = approval_status(&approval_input(
        policy,
        draft,
        row,
        correction_of.is_some(),
        // The extra approval of a large audience is judged on the number a release would
        // send now: the friends following for a broadcast, the snapshot for a segment.
        matches!(kind, DraftKind::Broadcast | DraftKind::Segment)
            && is_large_audience(
                recipients_of(kind, friends_now, latest_preview.as_ref()),
                policy.large_audience_threshold,
            ),
        &contributors,
        &records,
        &standings,
    ));

    let mut findings = check_content(
        content,
        &CheckContext {
            link_allow_list: policy.link_allow_list.clone(),
            media_base: Some(rules.media_base.to_string()),
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
    // A correction that still carries every original message unchanged would send the
    // mistake again.
    if let Some(original) = original_messages
        .as_deref()
        .and_then(|m| serde_json::from_str::<Vec<serde_json::Value>>(m).ok())
    {
        let now_sent: Vec<serde_json::Value> = content
            .messages()
            .iter()
            .map(|m| m.to_line_json())
            .collect();
        if incident::repeats_mistake(&original, &now_sent) {
            findings.push(Finding::error(
                "correction_repeats",
                "The correction repeats the mistake: every message of the original is still in it unchanged, so customers would receive the wrong message again. Fix what was wrong.",
                None,
            ));
        }
    }
    for d in &duplicates {
        findings.push(duplicate_send(
            d.release_id,
            &d.title,
            &crate::i18n::format_time(crate::i18n::Lang::En, d.sent_at, policy.time_zone),
        ));
    }
    findings.sort_by_key(|f| !f.is_error());

    GateFacts {
        reviews,
        records,
        status,
        latest_preview,
        preview,
        preview_facts,
        friends_now,
        findings,
        test_sends,
        correction_of,
        reserved,
        contributors,
    }
}

/// Rules 1 and 2's input for `row` of `draft`: the policy's number (a correction's own),
/// one more for a large audience, and nobody who wrote any revision.
#[allow(clippy::too_many_arguments)]
pub fn approval_input<'a>(
    policy: &ReleasePolicy,
    draft: &DraftRow,
    row: &RevisionRow,
    is_correction: bool,
    large_audience: bool,
    contributors: &'a [i64],
    records: &'a [ReviewRecord],
    standings: &'a [ReviewerStanding],
) -> ApprovalInput<'a> {
    ApprovalInput {
        // A correction of an incident goes through the same gate with its own, usually
        // smaller, number of approvals; its authors still never count.
        required_approvals: if is_correction {
            policy.correction_required_approvals
        } else {
            policy.required_approvals
        },
        extra_approval_needed: large_audience,
        draft_author_id: draft.author_id,
        current_revision: row.number,
        current_revision_author_id: row.author_id,
        contributors,
        reviews: records,
        standings,
    }
}
