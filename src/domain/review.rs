//! Reviews and the lifecycle of a draft, as pure functions.
//!
//! Guards gate rules 1 and 2 of DESIGN section 2 and the lifecycle of section 3:
//!
//! - [`approval_status`]: enough distinct reviewers approved the current revision itself;
//!   nobody who wrote any revision of the draft counts (not only the newest revision's
//!   author: GitHub's "last pusher" rule, widened for sends that cannot be undone), nor do
//!   approvals by people since disabled or no longer reviewers; large audiences need one
//!   more; no open objection.
//! - [`can_review`]: who may approve, request changes or comment, on which revision, when.
//! - [`DraftState`] and its transitions (`submit`, `withdraw`, `edit`, `release`,
//!   `start_sending`, `finish_sending`, `cancel`). `approved`, `tested`, `previewed` and
//!   `ready` are computed from the current revision, never states.
//!
//! Objections. A reviewer's "request changes" on revision r stays open until that same
//! reviewer approves r or a later revision after it; a comment changes nothing, and a new
//! revision alone does not clear it. An objection counts only from someone whose approval
//! of the current revision would count: when its author is disabled, loses the reviewer
//! role, or wrote the current revision (answering their own request), the objection is
//! set aside (shown, not blocking) so a departed reviewer cannot block a draft forever.
//! Disabling a reviewer is an admin action written to the audit log.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use thiserror::Error;

/// What a reviewer said about a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    Approve,
    RequestChanges,
    /// A remark; it neither approves nor objects.
    Comment,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Approve, Verdict::RequestChanges, Verdict::Comment];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::RequestChanges => "request_changes",
            Verdict::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim() {
            "approve" => Some(Verdict::Approve),
            "request_changes" => Some(Verdict::RequestChanges),
            "comment" => Some(Verdict::Comment),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Approve => "Approved",
            Verdict::RequestChanges => "Changes requested",
            Verdict::Comment => "Comment",
        }
    }

    /// Approve and request changes decide; a comment does not.
    pub fn is_decisive(self) -> bool {
        !matches!(self, Verdict::Comment)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One review of one revision of a draft, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRecord {
    pub reviewer_id: i64,
    pub revision_number: i64,
    pub verdict: Verdict,
    pub at: DateTime<Utc>,
}

/// Whether a user's review counts today. Users without a standing are treated as unknown
/// and their reviews do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewerStanding {
    pub user_id: i64,
    /// False once disabled.
    pub active: bool,
    pub is_reviewer: bool,
}

/// Everything [`approval_status`] needs about one draft.
#[derive(Debug, Clone, Copy)]
pub struct ApprovalInput<'a> {
    /// From the policy, 1..=5. Values below 1 are read as 1 (never fewer); values above 5
    /// are kept (stricter is safe).
    pub required_approvals: i64,
    /// The audience is at or above `large_audience_threshold`: one more approval.
    pub extra_approval_needed: bool,
    pub draft_author_id: i64,
    pub current_revision: i64,
    pub current_revision_author_id: i64,
    /// Everyone who wrote any revision of the draft (the two above may be among them).
    pub contributors: &'a [i64],
    /// All reviews of the draft, of every revision, in any order.
    pub reviews: &'a [ReviewRecord],
    /// The standing of (at least) every reviewer in `reviews`.
    pub standings: &'a [ReviewerStanding],
}

/// Why a review does not count (shown beside it, so nobody wonders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotCounted {
    DraftAuthor,
    RevisionAuthor,
    /// Wrote another revision of the draft; their text may still be in this one.
    Contributor,
    Disabled,
    NoLongerReviewer,
    UnknownUser,
}

impl fmt::Display for NotCounted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotCounted::DraftAuthor => "wrote this draft",
            NotCounted::RevisionAuthor => "wrote the current revision",
            NotCounted::Contributor => "wrote another revision of this draft",
            NotCounted::Disabled => "has been disabled",
            NotCounted::NoLongerReviewer => "no longer has the reviewer role",
            NotCounted::UnknownUser => "is not a known user",
        })
    }
}

/// Rules 1 and 2 for the current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalStatus {
    /// Distinct reviewers whose approval of the current revision counts, ascending.
    pub approvers: Vec<i64>,
    /// Approvals needed: the policy's number, plus one for a large audience.
    pub required: usize,
    /// Whether `required` includes the large audience's extra approval.
    pub extra_for_large_audience: bool,
    /// Reviewers whose request for changes is still open, ascending. Any one blocks.
    pub objections: Vec<i64>,
    /// Approvals of the current revision that do not count, and why.
    pub approvals_not_counted: Vec<(i64, NotCounted)>,
    /// Open requests for changes that do not block, and why.
    pub objections_set_aside: Vec<(i64, NotCounted)>,
}

impl ApprovalStatus {
    /// Enough approvals and no open objection.
    pub fn is_approved(&self) -> bool {
        self.approvers.len() >= self.required && self.objections.is_empty()
    }

    /// How many more approvals are needed (0 when there are enough).
    pub fn missing_approvals(&self) -> usize {
        self.required.saturating_sub(self.approvers.len())
    }
}

fn counts(
    user_id: i64,
    draft_author_id: i64,
    revision_author_id: i64,
    contributors: &[i64],
    standings: &[ReviewerStanding],
) -> Result<(), NotCounted> {
    if user_id == draft_author_id {
        return Err(NotCounted::DraftAuthor);
    }
    if user_id == revision_author_id {
        return Err(NotCounted::RevisionAuthor);
    }
    if contributors.contains(&user_id) {
        return Err(NotCounted::Contributor);
    }
    match standings.iter().find(|s| s.user_id == user_id) {
        None => Err(NotCounted::UnknownUser),
        Some(s) if !s.active => Err(NotCounted::Disabled),
        Some(s) if !s.is_reviewer => Err(NotCounted::NoLongerReviewer),
        Some(_) => Ok(()),
    }
}

/// Reviews in the order they happened: by time, then by their order in the input.
fn in_order(reviews: &[ReviewRecord]) -> Vec<&ReviewRecord> {
    let mut ordered: Vec<&ReviewRecord> = reviews.iter().collect();
    ordered.sort_by_key(|r| r.at);
    ordered
}

/// The reviewer's last approve or request-changes on `revision`, if any.
fn latest_decision(ordered: &[&ReviewRecord], reviewer_id: i64, revision: i64) -> Option<Verdict> {
    ordered
        .iter()
        .rev()
        .find(|r| {
            r.reviewer_id == reviewer_id && r.revision_number == revision && r.verdict.is_decisive()
        })
        .map(|r| r.verdict)
}

/// True when some request for changes by this reviewer is not followed by their approval
/// of the same or a later revision.
fn has_open_objection(ordered: &[&ReviewRecord], reviewer_id: i64) -> bool {
    ordered.iter().enumerate().any(|(i, objection)| {
        objection.reviewer_id == reviewer_id
            && objection.verdict == Verdict::RequestChanges
            && !ordered[i + 1..].iter().any(|later| {
                later.reviewer_id == reviewer_id
                    && later.verdict == Verdict::Approve
                    && later.revision_number >= objection.revision_number
            })
    })
}

/// Gate rules 1 and 2 for the current revision of a draft.
pub fn approval_status(input: &ApprovalInput<'_>) -> ApprovalStatus {
    let ordered = in_order(input.reviews);
    let reviewers: BTreeSet<i64> = input.reviews.iter().map(|r| r.reviewer_id).collect();
    let mut status = ApprovalStatus {
        approvers: Vec::new(),
        required: usize::try_from(input.required_approvals.max(1)).unwrap_or(usize::MAX)
            + usize::from(input.extra_approval_needed),
        extra_for_large_audience: input.extra_approval_needed,
        objections: Vec::new(),
        approvals_not_counted: Vec::new(),
        objections_set_aside: Vec::new(),
    };
    for reviewer in reviewers {
        let standing = counts(
            reviewer,
            input.draft_author_id,
            input.current_revision_author_id,
            input.contributors,
            input.standings,
        );
        if latest_decision(&ordered, reviewer, input.current_revision) == Some(Verdict::Approve) {
            match standing {
                Ok(()) => status.approvers.push(reviewer),
                Err(why) => status.approvals_not_counted.push((reviewer, why)),
            }
        }
        if has_open_objection(&ordered, reviewer) {
            match standing {
                Ok(()) => status.objections.push(reviewer),
                Err(why) => status.objections_set_aside.push((reviewer, why)),
            }
        }
    }
    status
}

/// Why a review is refused. The messages are shown to the person who tried.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReviewRefusal {
    #[error("This draft is {} and read-only; nothing about it can change.", .0.label_lower())]
    ReadOnly(DraftState),
    #[error("Your account is disabled.")]
    Disabled,
    #[error("Only reviewers can review; you do not have the reviewer role.")]
    NotAReviewer,
    #[error(
        "This draft is not in review (it is {}); reviews are taken after it is submitted and before it is released.",
        .0.label_lower()
    )]
    NotInReview(DraftState),
    #[error("You can only review the current revision {current}.")]
    NotCurrentRevision { current: i64 },
    #[error(
        "You wrote this draft, so you cannot approve it or request changes; ask another reviewer."
    )]
    DraftAuthor,
    #[error(
        "You wrote revision {revision}, so you cannot approve it or request changes; ask another reviewer."
    )]
    RevisionAuthor { revision: i64 },
    #[error(
        "You wrote an earlier revision of this draft and your text may still be in it, so you cannot approve it or request changes; ask another reviewer."
    )]
    Contributor,
    #[error("You already approved revision {revision}.")]
    AlreadyApproved { revision: i64 },
}

/// One attempt to review.
#[derive(Debug, Clone, Copy)]
pub struct ReviewRequest<'a> {
    pub reviewer: ReviewerStanding,
    pub verdict: Verdict,
    /// The revision the reviewer was looking at.
    pub revision: i64,
    pub draft_state: DraftState,
    pub draft_author_id: i64,
    pub current_revision: i64,
    pub current_revision_author_id: i64,
    /// Everyone who wrote any revision of the draft.
    pub contributors: &'a [i64],
    /// All reviews of the draft so far.
    pub reviews: &'a [ReviewRecord],
}

/// Whether this review may be recorded. Anyone who wrote a revision of the draft may
/// comment (to answer a reviewer) if they are a reviewer, but not approve or object.
/// Approving again after one's own approval is refused; approving after one's own request
/// for changes on the same revision is how that request is withdrawn.
pub fn can_review(req: &ReviewRequest<'_>) -> Result<(), ReviewRefusal> {
    if req.draft_state.is_read_only() {
        return Err(ReviewRefusal::ReadOnly(req.draft_state));
    }
    if !req.reviewer.active {
        return Err(ReviewRefusal::Disabled);
    }
    if !req.reviewer.is_reviewer {
        return Err(ReviewRefusal::NotAReviewer);
    }
    if req.draft_state != DraftState::InReview {
        return Err(ReviewRefusal::NotInReview(req.draft_state));
    }
    if req.revision != req.current_revision {
        return Err(ReviewRefusal::NotCurrentRevision {
            current: req.current_revision,
        });
    }
    if !req.verdict.is_decisive() {
        return Ok(());
    }
    let me = req.reviewer.user_id;
    if me == req.draft_author_id {
        return Err(ReviewRefusal::DraftAuthor);
    }
    if me == req.current_revision_author_id {
        return Err(ReviewRefusal::RevisionAuthor {
            revision: req.current_revision,
        });
    }
    if req.contributors.contains(&me) {
        return Err(ReviewRefusal::Contributor);
    }
    if req.verdict == Verdict::Approve
        && latest_decision(&in_order(req.reviews), me, req.current_revision)
            == Some(Verdict::Approve)
    {
        return Err(ReviewRefusal::AlreadyApproved {
            revision: req.current_revision,
        });
    }
    Ok(())
}

/// Where a draft is in its life (DESIGN section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftState {
    Draft,
    InReview,
    Scheduled,
    Sending,
    Sent,
    /// Some batches were refused by LINE.
    Failed,
    Cancelled,
}

impl DraftState {
    pub const ALL: [DraftState; 7] = [
        DraftState::Draft,
        DraftState::InReview,
        DraftState::Scheduled,
        DraftState::Sending,
        DraftState::Sent,
        DraftState::Failed,
        DraftState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Draft => "draft",
            DraftState::InReview => "in_review",
            DraftState::Scheduled => "scheduled",
            DraftState::Sending => "sending",
            DraftState::Sent => "sent",
            DraftState::Failed => "failed",
            DraftState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<DraftState> {
        DraftState::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            DraftState::Draft => "Draft",
            DraftState::InReview => "In review",
            DraftState::Scheduled => "Scheduled",
            DraftState::Sending => "Sending",
            DraftState::Sent => "Sent",
            DraftState::Failed => "Failed",
            DraftState::Cancelled => "Cancelled",
        }
    }

    fn label_lower(self) -> &'static str {
        match self {
            DraftState::Draft => "a draft",
            DraftState::InReview => "in review",
            DraftState::Scheduled => "scheduled",
            DraftState::Sending => "being sent",
            DraftState::Sent => "sent",
            DraftState::Failed => "failed",
            DraftState::Cancelled => "cancelled",
        }
    }

    /// Sent, failed and cancelled drafts never change again.
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            DraftState::Sent | DraftState::Failed | DraftState::Cancelled
        )
    }

    /// A new revision can be saved in draft and in review.
    pub fn is_editable(self) -> bool {
        matches!(self, DraftState::Draft | DraftState::InReview)
    }
}

impl fmt::Display for DraftState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused state change, with the reason to show (HTTP 409).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reason}")]
pub struct TransitionRefusal {
    pub action: &'static str,
    pub from: DraftState,
    pub reason: String,
}

fn refuse(action: &'static str, from: DraftState, reason: impl Into<String>) -> TransitionRefusal {
    TransitionRefusal {
        action,
        from,
        reason: reason.into(),
    }
}

/// The refusal for any change to a finished draft.
fn finished(action: &'static str, from: DraftState) -> TransitionRefusal {
    refuse(
        action,
        from,
        format!(
            "This draft is {} and read-only; duplicate it to send something similar.",
            from.label_lower()
        ),
    )
}

/// Draft -> in review. Needs at least one saved revision.
pub fn submit(state: DraftState, revision_count: i64) -> Result<DraftState, TransitionRefusal> {
    const A: &str = "submit";
    match state {
        DraftState::Draft if revision_count >= 1 => Ok(DraftState::InReview),
        DraftState::Draft => Err(refuse(
            A,
            state,
            "Save the draft first; there is no revision to review yet.",
        )),
        DraftState::InReview => Err(refuse(A, state, "This draft is already in review.")),
        DraftState::Scheduled | DraftState::Sending => {
            Err(refuse(A, state, "This draft has been released already."))
        }
        _ => Err(finished(A, state)),
    }
}

/// In review -> draft. Reviews stay in the history.
pub fn withdraw(state: DraftState) -> Result<DraftState, TransitionRefusal> {
    const A: &str = "withdraw";
    match state {
        DraftState::InReview => Ok(DraftState::Draft),
        DraftState::Draft => Err(refuse(A, state, "This draft is not in review.")),
        DraftState::Scheduled | DraftState::Sending => Err(refuse(
            A,
            state,
            "This draft has been released; cancel the scheduled release instead.",
        )),
        _ => Err(finished(A, state)),
    }
}

/// Saving a new revision. The state stays what it was: an edit in review stays in review
/// (approvals, test sends and previews of older revisions simply stop counting).
pub fn edit(state: DraftState) -> Result<DraftState, TransitionRefusal> {
    const A: &str = "edit";
    match state {
        DraftState::Draft | DraftState::InReview => Ok(state),
        DraftState::Scheduled => Err(refuse(
            A,
            state,
            "This draft is scheduled and its released revision is frozen; cancel the release \
             and duplicate the draft to change it.",
        )),
        DraftState::Sending => Err(refuse(
            A,
            state,
            "This draft is being sent to LINE; it can no longer be changed or stopped.",
        )),
        _ => Err(finished(A, state)),
    }
}

/// In review -> scheduled. Only the state: whether the gate is green is decided by the
/// release gate in the same transaction.
pub fn release(state: DraftState) -> Result<DraftState, TransitionRefusal> {
    const A: &str = "release";
    match state {
        DraftState::InReview => Ok(DraftState::Scheduled),
        DraftState::Draft => Err(refuse(
            A,
            state,
            "Submit the draft for review first; only a draft in review can be released.",
        )),
        DraftState::Scheduled | DraftState::Sending => {
            Err(refuse(A, state, "This draft has been released already."))
        }
        _ => Err(finished(A, state)),
    }
}

/// Scheduled -> sending, when the dispatcher starts handing the release to LINE. From
/// here on it cannot be cancelled.
pub fn start_sending(state: DraftState) -> Result<DraftState, TransitionRefusal> {
    match state {
        DraftState::Scheduled => Ok(DraftState::Sending),
        _ => Err(refuse(
            "start_sending",
            state,
            format!(
                "Only a scheduled release can start sending; this draft is {}.",
                state.label_lower()
            ),
        )),
    }
}

/// Sending -> sent, or failed when some batches were refused.
pub fn finish_sending(
    state: DraftState,
    all_accepted: bool,
) -> Result<DraftState, TransitionRefusal> {
    match state {
        DraftState::Sending if all_accepted => Ok(DraftState::Sent),
        DraftState::Sending => Ok(DraftState::Failed),
        _ => Err(refuse(
            "finish_sending",
            state,
            format!(
                "Only a release that is sending can finish; this draft is {}.",
                state.label_lower()
            ),
        )),
    }
}

/// Scheduled -> cancelled. Too late once sending has started.
pub fn cancel(state: DraftState) -> Result<DraftState, TransitionRefusal> {
    const A: &str = "cancel";
    match state {
        DraftState::Scheduled => Ok(DraftState::Cancelled),
        DraftState::Sending => Err(refuse(
            A,
            state,
            "This release is already being handed to LINE; it can no longer be stopped.",
        )),
        DraftState::Draft | DraftState::InReview => Err(refuse(
            A,
            state,
            "Only a scheduled release can be cancelled; this draft has not been released.",
        )),
        _ => Err(finished(A, state)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use std::collections::HashMap;

    const AUTHOR: i64 = 1;
    const EDITOR: i64 = 2;
    const ANN: i64 = 10;
    const BEN: i64 = 11;
    const CAT: i64 = 12;

    fn t(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap() + Duration::seconds(n)
    }

    fn rec(reviewer_id: i64, revision_number: i64, verdict: Verdict, at: i64) -> ReviewRecord {
        ReviewRecord {
            reviewer_id,
            revision_number,
            verdict,
            at: t(at),
        }
    }

    fn reviewer(user_id: i64) -> ReviewerStanding {
        ReviewerStanding {
            user_id,
            active: true,
            is_reviewer: true,
        }
    }

    fn everyone() -> Vec<ReviewerStanding> {
        [AUTHOR, EDITOR, ANN, BEN, CAT].map(reviewer).to_vec()
    }

    /// Revision 3 by EDITOR of a draft by AUTHOR, two approvals required.
    fn status(reviews: &[ReviewRecord]) -> ApprovalStatus {
        status_with(reviews, &everyone(), 2, false)
    }

    fn status_with(
        reviews: &[ReviewRecord],
        standings: &[ReviewerStanding],
        required: i64,
        extra: bool,
    ) -> ApprovalStatus {
        approval_status(&ApprovalInput {
            required_approvals: required,
            extra_approval_needed: extra,
            draft_author_id: AUTHOR,
            current_revision: 3,
            current_revision_author_id: EDITOR,
            contributors: &[AUTHOR, EDITOR],
            reviews,
            standings,
        })
    }

    use Verdict::{Approve, Comment, RequestChanges};

    #[test]
    fn verdicts_and_states_round_trip_through_their_names() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("lgtm"), None);
        for s in DraftState::ALL {
            assert_eq!(DraftState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DraftState::parse("approved"), None);
        assert_eq!(DraftState::parse("ready"), None);
    }

    #[test]
    fn two_distinct_reviewers_approving_the_current_revision_approve_it() {
        let s = status(&[rec(ANN, 3, Approve, 1), rec(BEN, 3, Approve, 2)]);
        assert_eq!(s.approvers, [ANN, BEN]);
        assert!(s.is_approved());
        assert_eq!(s.missing_approvals(), 0);
    }

    #[test]
    fn one_approval_is_not_enough_when_two_are_required() {
        let s = status(&[rec(ANN, 3, Approve, 1)]);
        assert!(!s.is_approved());
        assert_eq!(s.missing_approvals(), 1);
    }

    #[test]
    fn the_same_reviewer_approving_twice_counts_once() {
        let s = status(&[rec(ANN, 3, Approve, 1), rec(ANN, 3, Approve, 2)]);
        assert_eq!(s.approvers, [ANN]);
        assert!(!s.is_approved());
    }

    #[test]
    fn approvals_of_an_older_revision_do_not_count() {
        let s = status(&[
            rec(ANN, 2, Approve, 1),
            rec(BEN, 2, Approve, 2),
            rec(CAT, 3, Approve, 3),
        ]);
        assert_eq!(s.approvers, [CAT]);
        assert!(!s.is_approved());
    }

    #[test]
    fn an_author_cannot_approve_their_own_draft() {
        let s = status(&[rec(AUTHOR, 3, Approve, 1), rec(ANN, 3, Approve, 2)]);
        assert_eq!(s.approvers, [ANN]);
        assert_eq!(s.approvals_not_counted, [(AUTHOR, NotCounted::DraftAuthor)]);
        assert!(!s.is_approved());
    }

    #[test]
    fn an_author_cannot_approve_their_own_revision() {
        let s = status(&[rec(EDITOR, 3, Approve, 1), rec(ANN, 3, Approve, 2)]);
        assert_eq!(
            s.approvals_not_counted,
            [(EDITOR, NotCounted::RevisionAuthor)]
        );
        assert!(!s.is_approved());
    }

    #[test]
    fn someone_who_wrote_an_earlier_revision_cannot_approve_a_later_one() {
        // ANN wrote revision 2; EDITOR's small edit made revision 3. ANN's text is still in it.
        let s = approval_status(&ApprovalInput {
            required_approvals: 2,
            extra_approval_needed: false,
            draft_author_id: AUTHOR,
            current_revision: 3,
            current_revision_author_id: EDITOR,
            contributors: &[AUTHOR, ANN, EDITOR],
            reviews: &[
                rec(ANN, 3, Approve, 1),
                rec(BEN, 3, Approve, 2),
                rec(CAT, 3, RequestChanges, 3),
            ],
            standings: &everyone(),
        });
        assert_eq!(s.approvers, [BEN]);
        assert_eq!(s.approvals_not_counted, [(ANN, NotCounted::Contributor)]);
        assert!(!s.is_approved());
        let mut r = request(reviewer(ANN), Approve);
        r.contributors = &[AUTHOR, ANN, EDITOR];
        assert_eq!(can_review(&r), Err(ReviewRefusal::Contributor));
        r.verdict = Comment;
        assert_eq!(can_review(&r), Ok(()), "a contributor may still comment");
    }

    #[test]
    fn an_approval_by_a_since_disabled_user_does_not_count() {
        let mut standings = everyone();
        standings
            .iter_mut()
            .find(|s| s.user_id == BEN)
            .unwrap()
            .active = false;
        let s = status_with(
            &[rec(ANN, 3, Approve, 1), rec(BEN, 3, Approve, 2)],
            &standings,
            2,
            false,
        );
        assert_eq!(s.approvers, [ANN]);
        assert_eq!(s.approvals_not_counted, [(BEN, NotCounted::Disabled)]);
        assert!(!s.is_approved());
    }

    #[test]
    fn an_approval_by_someone_who_lost_the_reviewer_role_does_not_count() {
        let mut standings = everyone();
        standings
            .iter_mut()
            .find(|s| s.user_id == BEN)
            .unwrap()
            .is_reviewer = false;
        let s = status_with(
            &[rec(ANN, 3, Approve, 1), rec(BEN, 3, Approve, 2)],
            &standings,
            2,
            false,
        );
        assert_eq!(
            s.approvals_not_counted,
            [(BEN, NotCounted::NoLongerReviewer)]
        );
        assert!(!s.is_approved());
    }

    #[test]
    fn an_approval_by_an_unknown_user_does_not_count() {
        let s = status(&[rec(ANN, 3, Approve, 1), rec(99, 3, Approve, 2)]);
        assert_eq!(s.approvals_not_counted, [(99, NotCounted::UnknownUser)]);
        assert!(!s.is_approved());
    }

    #[test]
    fn a_large_audience_needs_one_more_approval() {
        let two = [rec(ANN, 3, Approve, 1), rec(BEN, 3, Approve, 2)];
        let s = status_with(&two, &everyone(), 2, true);
        assert_eq!(s.required, 3);
        assert!(!s.is_approved());
        let three = [two[0].clone(), two[1].clone(), rec(CAT, 3, Approve, 3)];
        assert!(status_with(&three, &everyone(), 2, true).is_approved());
    }

    #[test]
    fn required_approvals_is_never_read_as_less_than_one() {
        let s = status_with(&[], &everyone(), 0, false);
        assert_eq!(s.required, 1);
        assert!(!s.is_approved());
        assert_eq!(status_with(&[], &everyone(), -3, false).required, 1);
        assert_eq!(status_with(&[], &everyone(), 5, true).required, 6);
    }

    #[test]
    fn a_request_for_changes_blocks_even_with_enough_approvals() {
        let s = status(&[
            rec(ANN, 3, Approve, 1),
            rec(BEN, 3, Approve, 2),
            rec(CAT, 3, RequestChanges, 3),
        ]);
        assert_eq!(s.objections, [CAT]);
        assert!(!s.is_approved());
    }

    #[test]
    fn a_request_for_changes_on_an_older_revision_still_blocks() {
        let s = status(&[
            rec(CAT, 2, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
        ]);
        assert_eq!(s.objections, [CAT]);
        assert!(!s.is_approved());
    }

    #[test]
    fn the_objector_approving_a_later_revision_clears_their_objection() {
        let s = status(&[
            rec(CAT, 2, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(CAT, 3, Approve, 3),
        ]);
        assert!(s.objections.is_empty());
        assert_eq!(s.approvers, [ANN, CAT]);
        assert!(s.is_approved());
    }

    #[test]
    fn the_objector_approving_the_same_revision_later_clears_their_objection() {
        let s = status(&[
            rec(CAT, 3, RequestChanges, 1),
            rec(CAT, 3, Approve, 2),
            rec(ANN, 3, Approve, 3),
        ]);
        assert!(s.is_approved());
    }

    #[test]
    fn someone_else_approving_does_not_clear_an_objection() {
        let s = status(&[
            rec(CAT, 3, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
        ]);
        assert_eq!(s.objections, [CAT]);
    }

    #[test]
    fn an_approval_from_before_the_objection_does_not_clear_it() {
        let s = status(&[
            rec(CAT, 3, Approve, 1),
            rec(CAT, 3, RequestChanges, 2),
            rec(ANN, 3, Approve, 3),
            rec(BEN, 3, Approve, 4),
        ]);
        assert_eq!(s.objections, [CAT]);
        assert_eq!(
            s.approvers,
            [ANN, BEN],
            "a reviewer who changed their mind is not an approver"
        );
        assert!(!s.is_approved());
    }

    #[test]
    fn approving_an_older_revision_does_not_clear_a_newer_objection() {
        let s = status(&[
            rec(CAT, 3, RequestChanges, 1),
            rec(CAT, 2, Approve, 2),
            rec(ANN, 3, Approve, 3),
            rec(BEN, 3, Approve, 4),
        ]);
        assert_eq!(s.objections, [CAT]);
    }

    #[test]
    fn a_comment_neither_approves_nor_clears_nor_makes_an_objection() {
        let s = status(&[rec(CAT, 3, RequestChanges, 1), rec(CAT, 3, Comment, 2)]);
        assert_eq!(s.objections, [CAT]);
        let s = status(&[
            rec(ANN, 3, Approve, 1),
            rec(ANN, 3, Comment, 2),
            rec(BEN, 3, Comment, 3),
        ]);
        assert_eq!(s.approvers, [ANN]);
        assert!(s.objections.is_empty());
    }

    #[test]
    fn an_objection_by_a_disabled_or_demoted_reviewer_is_set_aside() {
        let reviews = [
            rec(CAT, 3, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
        ];
        let mut standings = everyone();
        standings
            .iter_mut()
            .find(|s| s.user_id == CAT)
            .unwrap()
            .active = false;
        let s = status_with(&reviews, &standings, 2, false);
        assert!(s.objections.is_empty());
        assert_eq!(s.objections_set_aside, [(CAT, NotCounted::Disabled)]);
        assert!(s.is_approved());
        let mut standings = everyone();
        standings
            .iter_mut()
            .find(|s| s.user_id == CAT)
            .unwrap()
            .is_reviewer = false;
        let s = status_with(&reviews, &standings, 2, false);
        assert_eq!(
            s.objections_set_aside,
            [(CAT, NotCounted::NoLongerReviewer)]
        );
        assert!(s.is_approved());
    }

    #[test]
    fn an_objection_blocks_again_when_its_author_is_re_enabled() {
        let reviews = [
            rec(CAT, 3, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
        ];
        assert!(!status_with(&reviews, &everyone(), 2, false).is_approved());
    }

    #[test]
    fn an_objection_by_the_author_of_the_current_revision_is_set_aside() {
        // EDITOR asked for changes on revision 2 and then made revision 3 themselves.
        let s = status(&[
            rec(EDITOR, 2, RequestChanges, 1),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
        ]);
        assert_eq!(
            s.objections_set_aside,
            [(EDITOR, NotCounted::RevisionAuthor)]
        );
        assert!(s.is_approved());
    }

    #[test]
    fn reviews_are_taken_in_time_order_whatever_order_they_are_given_in() {
        let s = status(&[
            rec(CAT, 3, Approve, 5),
            rec(ANN, 3, Approve, 2),
            rec(BEN, 3, Approve, 3),
            rec(CAT, 3, RequestChanges, 1),
        ]);
        assert!(s.objections.is_empty());
        assert_eq!(s.approvers, [ANN, BEN, CAT]);
    }

    #[test]
    fn reviews_at_the_same_instant_keep_their_given_order() {
        let s = status(&[rec(CAT, 3, RequestChanges, 1), rec(CAT, 3, Approve, 1)]);
        assert!(s.objections.is_empty());
        let s = status(&[rec(CAT, 3, Approve, 1), rec(CAT, 3, RequestChanges, 1)]);
        assert_eq!(s.objections, [CAT]);
    }

    fn request(user: ReviewerStanding, verdict: Verdict) -> ReviewRequest<'static> {
        ReviewRequest {
            reviewer: user,
            verdict,
            revision: 3,
            draft_state: DraftState::InReview,
            draft_author_id: AUTHOR,
            current_revision: 3,
            current_revision_author_id: EDITOR,
            contributors: &[AUTHOR, EDITOR],
            reviews: &[],
        }
    }

    #[test]
    fn a_reviewer_may_approve_object_or_comment_on_the_current_revision_in_review() {
        for v in Verdict::ALL {
            assert_eq!(can_review(&request(reviewer(ANN), v)), Ok(()));
        }
    }

    #[test]
    fn someone_without_the_reviewer_role_cannot_review() {
        let user = ReviewerStanding {
            is_reviewer: false,
            ..reviewer(ANN)
        };
        for v in Verdict::ALL {
            let e = can_review(&request(user, v)).unwrap_err();
            assert_eq!(e, ReviewRefusal::NotAReviewer);
            assert_eq!(
                e.to_string(),
                "Only reviewers can review; you do not have the reviewer role."
            );
        }
    }

    #[test]
    fn a_disabled_user_cannot_review() {
        let user = ReviewerStanding {
            active: false,
            ..reviewer(ANN)
        };
        assert_eq!(
            can_review(&request(user, Comment)),
            Err(ReviewRefusal::Disabled)
        );
    }

    #[test]
    fn the_draft_author_cannot_approve_or_object_but_may_comment() {
        for v in [Approve, RequestChanges] {
            assert_eq!(
                can_review(&request(reviewer(AUTHOR), v)),
                Err(ReviewRefusal::DraftAuthor)
            );
        }
        assert_eq!(can_review(&request(reviewer(AUTHOR), Comment)), Ok(()));
        assert!(
            ReviewRefusal::DraftAuthor
                .to_string()
                .contains("You wrote this draft")
        );
    }

    #[test]
    fn the_revision_author_cannot_approve_or_object_but_may_comment() {
        let e = can_review(&request(reviewer(EDITOR), Approve)).unwrap_err();
        assert_eq!(e, ReviewRefusal::RevisionAuthor { revision: 3 });
        assert!(e.to_string().contains("You wrote revision 3"), "{e}");
        assert_eq!(can_review(&request(reviewer(EDITOR), Comment)), Ok(()));
    }

    #[test]
    fn only_the_current_revision_can_be_reviewed() {
        for v in Verdict::ALL {
            let r = ReviewRequest {
                revision: 2,
                ..request(reviewer(ANN), v)
            };
            let e = can_review(&r).unwrap_err();
            assert_eq!(e.to_string(), "You can only review the current revision 3.");
        }
    }

    #[test]
    fn a_draft_that_is_not_in_review_cannot_be_reviewed() {
        for state in [
            DraftState::Draft,
            DraftState::Scheduled,
            DraftState::Sending,
        ] {
            let r = ReviewRequest {
                draft_state: state,
                ..request(reviewer(ANN), Approve)
            };
            assert_eq!(can_review(&r), Err(ReviewRefusal::NotInReview(state)));
        }
        let e = ReviewRefusal::NotInReview(DraftState::Draft).to_string();
        assert!(e.contains("not in review (it is a draft)"), "{e}");
    }

    #[test]
    fn a_sent_failed_or_cancelled_draft_is_read_only_even_for_comments() {
        for state in [DraftState::Sent, DraftState::Failed, DraftState::Cancelled] {
            let r = ReviewRequest {
                draft_state: state,
                ..request(reviewer(ANN), Comment)
            };
            assert_eq!(can_review(&r), Err(ReviewRefusal::ReadOnly(state)));
        }
        assert_eq!(
            ReviewRefusal::ReadOnly(DraftState::Sent).to_string(),
            "This draft is sent and read-only; nothing about it can change."
        );
    }

    #[test]
    fn a_second_approval_of_the_same_revision_by_the_same_person_is_refused() {
        let reviews = [rec(ANN, 3, Approve, 1), rec(ANN, 3, Comment, 2)];
        let r = ReviewRequest {
            reviews: &reviews,
            ..request(reviewer(ANN), Approve)
        };
        let e = can_review(&r).unwrap_err();
        assert_eq!(e.to_string(), "You already approved revision 3.");
        let r = ReviewRequest {
            reviews: &reviews,
            ..request(reviewer(ANN), RequestChanges)
        };
        assert_eq!(can_review(&r), Ok(()), "changing one's mind is allowed");
    }

    #[test]
    fn approving_again_after_requesting_changes_is_allowed() {
        let reviews = [rec(ANN, 3, Approve, 1), rec(ANN, 3, RequestChanges, 2)];
        let r = ReviewRequest {
            reviews: &reviews,
            ..request(reviewer(ANN), Approve)
        };
        assert_eq!(can_review(&r), Ok(()));
    }

    #[test]
    fn an_approval_of_an_older_revision_does_not_stop_approving_the_current_one() {
        let reviews = [rec(ANN, 2, Approve, 1)];
        let r = ReviewRequest {
            reviews: &reviews,
            ..request(reviewer(ANN), Approve)
        };
        assert_eq!(can_review(&r), Ok(()));
    }

    #[test]
    fn submit_moves_a_draft_with_a_revision_into_review() {
        assert_eq!(submit(DraftState::Draft, 1), Ok(DraftState::InReview));
        let e = submit(DraftState::Draft, 0).unwrap_err();
        assert!(e.to_string().contains("no revision"), "{e}");
        assert_eq!(e.action, "submit");
        assert!(
            submit(DraftState::InReview, 2)
                .unwrap_err()
                .to_string()
                .contains("already in review")
        );
    }

    #[test]
    fn withdraw_moves_a_draft_in_review_back_to_draft() {
        assert_eq!(withdraw(DraftState::InReview), Ok(DraftState::Draft));
        for s in DraftState::ALL
            .into_iter()
            .filter(|s| *s != DraftState::InReview)
        {
            assert!(withdraw(s).is_err(), "{s}");
        }
    }

    #[test]
    fn editing_keeps_the_state_in_draft_and_in_review_only() {
        assert_eq!(edit(DraftState::Draft), Ok(DraftState::Draft));
        assert_eq!(edit(DraftState::InReview), Ok(DraftState::InReview));
        assert!(
            edit(DraftState::Scheduled)
                .unwrap_err()
                .to_string()
                .contains("frozen")
        );
        assert!(
            edit(DraftState::Sending)
                .unwrap_err()
                .to_string()
                .contains("can no longer")
        );
        for s in [DraftState::Sent, DraftState::Failed, DraftState::Cancelled] {
            assert!(
                edit(s).unwrap_err().to_string().contains("read-only"),
                "{s}"
            );
        }
        for s in DraftState::ALL {
            assert_eq!(edit(s).is_ok(), s.is_editable(), "{s}");
        }
    }

    #[test]
    fn only_a_draft_in_review_can_be_released() {
        assert_eq!(release(DraftState::InReview), Ok(DraftState::Scheduled));
        assert!(
            release(DraftState::Draft)
                .unwrap_err()
                .to_string()
                .contains("Submit")
        );
        for s in DraftState::ALL
            .into_iter()
            .filter(|s| *s != DraftState::InReview)
        {
            assert!(release(s).is_err(), "{s}");
        }
    }

    #[test]
    fn sending_starts_from_scheduled_and_ends_sent_or_failed() {
        assert_eq!(
            start_sending(DraftState::Scheduled),
            Ok(DraftState::Sending)
        );
        assert_eq!(
            finish_sending(DraftState::Sending, true),
            Ok(DraftState::Sent)
        );
        assert_eq!(
            finish_sending(DraftState::Sending, false),
            Ok(DraftState::Failed)
        );
        for s in DraftState::ALL {
            if s != DraftState::Scheduled {
                assert!(start_sending(s).is_err(), "{s}");
            }
            if s != DraftState::Sending {
                assert!(finish_sending(s, true).is_err(), "{s}");
            }
        }
    }

    #[test]
    fn a_scheduled_release_can_be_cancelled_until_sending_starts() {
        assert_eq!(cancel(DraftState::Scheduled), Ok(DraftState::Cancelled));
        let e = cancel(DraftState::Sending).unwrap_err();
        assert!(e.to_string().contains("can no longer be stopped"), "{e}");
        assert!(
            cancel(DraftState::InReview)
                .unwrap_err()
                .to_string()
                .contains("not been released")
        );
        assert!(
            cancel(DraftState::Cancelled)
                .unwrap_err()
                .to_string()
                .contains("read-only")
        );
    }

    #[test]
    fn finished_drafts_refuse_every_transition() {
        for s in [DraftState::Sent, DraftState::Failed, DraftState::Cancelled] {
            assert!(s.is_read_only());
            assert!(submit(s, 1).is_err());
            assert!(withdraw(s).is_err());
            assert!(edit(s).is_err());
            assert!(release(s).is_err());
            assert!(start_sending(s).is_err());
            assert!(finish_sending(s, true).is_err());
            assert!(cancel(s).is_err());
        }
        for s in [
            DraftState::Draft,
            DraftState::InReview,
            DraftState::Scheduled,
            DraftState::Sending,
        ] {
            assert!(!s.is_read_only());
        }
    }

    // --- A random walk checked against an independent model of rules 1 and 2. ---

    const USERS: i64 = 5;

    #[derive(Debug, Clone)]
    enum Op {
        /// A new revision by this user.
        Edit(i64),
        /// A review through `can_review`.
        Review(i64, Verdict),
        /// A review recorded on some revision without asking (old data, a race).
        Recorded(i64, i64, Verdict),
        SetReviewer(i64, bool),
        SetActive(i64, bool),
    }

    fn verdict() -> impl Strategy<Value = Verdict> {
        prop_oneof![Just(Approve), Just(RequestChanges), Just(Comment)]
    }

    fn op() -> impl Strategy<Value = Op> {
        let user = 1..=USERS;
        prop_oneof![
            2 => user.clone().prop_map(Op::Edit),
            8 => (user.clone(), verdict()).prop_map(|(u, v)| Op::Review(u, v)),
            1 => (user.clone(), 0..4i64, verdict())
                .prop_map(|(u, back, v)| Op::Recorded(u, back, v)),
            1 => (user.clone(), any::<bool>()).prop_map(|(u, b)| Op::SetReviewer(u, b)),
            1 => (user, any::<bool>()).prop_map(|(u, b)| Op::SetActive(u, b)),
        ]
    }

    /// The rules written the other way round: state updated review by review.
    #[derive(Default)]
    struct Model {
        /// (user, revision) -> their last decisive verdict on it was approve.
        approves: HashMap<(i64, i64), bool>,
        /// user -> revisions they asked changes on and have not since approved (or later).
        open: HashMap<i64, Vec<i64>>,
    }

    impl Model {
        fn record(&mut self, user: i64, revision: i64, v: Verdict) {
            match v {
                Approve => {
                    self.approves.insert((user, revision), true);
                    self.open.entry(user).or_default().retain(|r| *r > revision);
                }
                RequestChanges => {
                    self.approves.insert((user, revision), false);
                    self.open.entry(user).or_default().push(revision);
                }
                Comment => {}
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn approval_status_matches_a_simple_model_after_every_step(
            required in 1..=3i64,
            extra in any::<bool>(),
            initial in prop::collection::vec((any::<bool>(), any::<bool>()), USERS as usize),
            ops in prop::collection::vec((op(), 0..2i64), 1..60),
        ) {
            let draft_author = 1;
            let mut revision = 1;
            let mut revision_author = draft_author;
            let mut contributors: Vec<i64> = vec![draft_author];
            let mut standings: Vec<ReviewerStanding> = initial
                .iter()
                .enumerate()
                .map(|(i, (active, is_reviewer))| ReviewerStanding {
                    user_id: i as i64 + 1,
                    active: *active,
                    is_reviewer: *is_reviewer,
                })
                .collect();
            let mut reviews: Vec<ReviewRecord> = Vec::new();
            let mut model = Model::default();
            let mut clock = 0;

            for (op, tick) in ops {
                clock += tick;
                match op {
                    Op::Edit(user) => {
                        revision += 1;
                        revision_author = user;
                        if !contributors.contains(&user) {
                            contributors.push(user);
                        }
                    }
                    Op::Review(user, v) => {
                        let me = standings[(user - 1) as usize];
                        let outcome = can_review(&ReviewRequest {
                            reviewer: me,
                            verdict: v,
                            revision,
                            draft_state: DraftState::InReview,
                            draft_author_id: draft_author,
                            current_revision: revision,
                            current_revision_author_id: revision_author,
                            contributors: &contributors,
                            reviews: &reviews,
                        });
                        let author = contributors.contains(&user);
                        let model_allows = me.active
                            && me.is_reviewer
                            && (v == Comment || !author)
                            && !(v == Approve
                                && model.approves.get(&(user, revision)) == Some(&true));
                        prop_assert_eq!(outcome.is_ok(), model_allows, "{:?}", outcome);
                        if outcome.is_ok() {
                            reviews.push(rec(user, revision, v, clock));
                            model.record(user, revision, v);
                        }
                    }
                    Op::Recorded(user, back, v) => {
                        let on = (revision - back).max(1);
                        reviews.push(rec(user, on, v, clock));
                        model.record(user, on, v);
                    }
                    Op::SetReviewer(user, b) => standings[(user - 1) as usize].is_reviewer = b,
                    Op::SetActive(user, b) => standings[(user - 1) as usize].active = b,
                }

                let counts = |u: i64| {
                    let s = standings[(u - 1) as usize];
                    s.active && s.is_reviewer && !contributors.contains(&u)
                };
                let approvers: Vec<i64> = (1..=USERS)
                    .filter(|&u| counts(u) && model.approves.get(&(u, revision)) == Some(&true))
                    .collect();
                let objections: Vec<i64> = (1..=USERS)
                    .filter(|&u| counts(u) && model.open.get(&u).is_some_and(|o| !o.is_empty()))
                    .collect();
                let model_approved = approvers.len() as i64 >= required + i64::from(extra)
                    && objections.is_empty();

                let status = approval_status(&ApprovalInput {
                    required_approvals: required,
                    extra_approval_needed: extra,
                    draft_author_id: draft_author,
                    current_revision: revision,
                    current_revision_author_id: revision_author,
                    contributors: &contributors,
                    reviews: &reviews,
                    standings: &standings,
                });
                prop_assert_eq!(&status.approvers, &approvers);
                prop_assert_eq!(&status.objections, &objections);
                prop_assert_eq!(status.is_approved(), model_approved);
            }
        }
    }
}
