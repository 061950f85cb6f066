//! The first day: the path from an empty account to a first send, as the dashboard shows
//! it until the first release is sent. Five steps in the order a team takes them (friends,
//! the person's own tester phone, a segment, a first draft, enough reviewers), each done or
//! still to do, unless the person hid it. Pure: the facts are read by `db::first_day`.

/// The facts behind each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirstDayFacts {
    pub has_friends: bool,
    pub has_own_tester: bool,
    pub has_segment: bool,
    pub has_draft: bool,
    /// Active (not disabled) users with the reviewer role.
    pub reviewers: i64,
    pub anything_sent: bool,
    /// This person hid the path from their dashboard.
    pub hidden: bool,
}

/// One step of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Friends,
    TesterPhone,
    Segment,
    FirstDraft,
    Reviewers,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Friends => "friends",
            StepKind::TesterPhone => "tester",
            StepKind::Segment => "segment",
            StepKind::FirstDraft => "draft",
            StepKind::Reviewers => "reviewers",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathStep {
    pub kind: StepKind,
    pub done: bool,
}

/// The path in order, or `None` once a release was sent (the path has served its purpose)
/// or the person hid it.
/// `reviewers_needed` is the policy's required approvals: that many reviewers must exist
/// for a draft to be approved at all.
pub fn path(facts: &FirstDayFacts, reviewers_needed: i64) -> Option<Vec<PathStep>> {
    if facts.anything_sent || facts.hidden {
        return None;
    }
    let step = |kind, done| PathStep { kind, done };
    Some(vec![
        step(StepKind::Friends, facts.has_friends),
        step(StepKind::TesterPhone, facts.has_own_tester),
        step(StepKind::Segment, facts.has_segment),
        step(StepKind::FirstDraft, facts.has_draft),
        step(StepKind::Reviewers, facts.reviewers >= reviewers_needed),
    ])
}

/// The first step not done yet: the one the dashboard marks as next.
pub fn next(path: &[PathStep]) -> Option<StepKind> {
    path.iter().find(|s| !s.done).map(|s| s.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_account_has_every_step_to_do_and_friends_first() {
        let p = path(&FirstDayFacts::default(), 2).unwrap();
        assert_eq!(p.len(), 5);
        assert!(p.iter().all(|s| !s.done));
        assert_eq!(next(&p), Some(StepKind::Friends));
    }

    #[test]
    fn reviewers_count_as_done_only_when_enough_for_the_policy() {
        let facts = FirstDayFacts {
            reviewers: 1,
            ..FirstDayFacts::default()
        };
        assert!(!path(&facts, 2).unwrap()[4].done);
        assert!(path(&facts, 1).unwrap()[4].done);
    }

    #[test]
    fn the_path_is_gone_once_anything_was_sent() {
        let facts = FirstDayFacts {
            anything_sent: true,
            ..FirstDayFacts::default()
        };
        assert_eq!(path(&facts, 2), None);
    }

    #[test]
    fn the_path_is_gone_once_the_person_hid_it_whatever_is_left() {
        let facts = FirstDayFacts {
            hidden: true,
            ..FirstDayFacts::default()
        };
        assert_eq!(path(&facts, 2), None);
    }

    #[test]
    fn the_next_step_skips_what_is_done() {
        let facts = FirstDayFacts {
            has_friends: true,
            has_segment: true,
            ..FirstDayFacts::default()
        };
        let p = path(&facts, 2).unwrap();
        assert_eq!(next(&p), Some(StepKind::TesterPhone));
    }
}
