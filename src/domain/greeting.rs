//! The greeting message (あいさつメッセージ) as pure decisions, apart from the gate's rules
//! (which [`super::gate`] owns, at [`super::gate::Moment::Greeting`] and the two sending
//! moments):
//!
//! - [`on_follow`]: whether a follow queues a greeting (a re-follow only when the policy
//!   says so);
//! - [`plan`]: how the sender answers it: a free reply while the event's token is young
//!   enough, otherwise the policy's fallback (a push with a retry key, or not greeted), and
//!   never a push after a reply whose outcome is unknown (that could greet twice);
//! - [`GreetingState`]: the outcome recorded for each friend.

use super::policy::GreetingFallback;

/// What a follow event does about the greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFollow {
    /// Queue a greeting for this friend.
    Greet,
    /// Record the friend as not greeted, with this reason.
    Skip(&'static str),
}

/// A first follow is greeted; a re-follow (LINE's `isUnblocked`) only when the policy says
/// so, as LINE Official Account Manager's 「はじめて友だち追加されたときにのみ送信」 does.
pub fn on_follow(refollow: bool, greet_refollows: bool) -> OnFollow {
    if refollow && !greet_refollows {
        OnFollow::Skip(REFOLLOW_NOT_GREETED)
    } else {
        OnFollow::Greet
    }
}

pub const REFOLLOW_NOT_GREETED: &str = "A re-follow after a block: the release policy greets only friends who add the account for the first time.";
pub const NO_ACTIVE_GREETING: &str =
    "No greeting message was active any more when it came to be sent.";
pub const UNCERTAIN_REPLY: &str = "An earlier reply got no clear answer from LINE and may have reached the friend, so sendgate did not push the greeting as well: nobody is greeted twice.";
pub const EXPIRED_NOT_GREETED: &str = "The reply token was older than the policy's reply deadline, and the policy records the friend as not greeted instead of pushing (a push would use the monthly quota).";
pub const MISSING_NOT_GREETED: &str = "LINE sent no reply token with the follow, and the policy records the friend as not greeted instead of pushing.";
pub const REFUSED_NOT_GREETED: &str = "LINE would not take the reply token ({line}), and the policy records the friend as not greeted instead of pushing.";

/// Why the reply token cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    /// The follow came without one.
    Missing,
    /// Older than the policy's reply deadline.
    Expired,
    /// LINE refused it, in its words ("Invalid reply token").
    Refused(String),
}

/// What the sender does next for one friend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Reply,
    /// The token cannot be used: what the policy and the history say instead.
    Instead(Fallback),
}

/// What happens instead of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    Push,
    /// Nothing is sent; the friend is recorded as not greeted, with the reason.
    NotGreeted(String),
    /// Nothing more is sent: LINE may have taken an earlier reply.
    Unknown(String),
}

/// What [`plan`] needs to know about one friend's greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub reply_token: Option<&'a str>,
    /// How old the token is now, in milliseconds (from the follow's time).
    pub token_age_ms: i64,
    pub deadline_seconds: i64,
    pub fallback: GreetingFallback,
    /// An earlier reply attempt ended without a clear answer.
    pub reply_uncertain: bool,
    /// A push was already decided on (its retry key is stored): it is retried as it is.
    pub pushing: bool,
}

/// The next move: a reply while the token is young enough, otherwise what the token's
/// problem and the policy say.
pub fn plan(a: &Attempt<'_>) -> Plan {
    if a.pushing {
        return Plan::Instead(Fallback::Push);
    }
    let problem = match a.reply_token.filter(|t| !t.is_empty()) {
        None => TokenProblem::Missing,
        Some(_) if a.token_age_ms > a.deadline_seconds.saturating_mul(1000) => {
            TokenProblem::Expired
        }
        Some(_) => return Plan::Reply,
    };
    Plan::Instead(token_unusable(problem, a.reply_uncertain, a.fallback))
}

/// The token cannot be used (for `problem`): push when the policy says so, unless an
/// earlier reply may have got through; otherwise not greeted.
pub fn token_unusable(
    problem: TokenProblem,
    reply_uncertain: bool,
    fallback: GreetingFallback,
) -> Fallback {
    if reply_uncertain {
        return Fallback::Unknown(UNCERTAIN_REPLY.to_string());
    }
    match (fallback, problem) {
        (GreetingFallback::Push, _) => Fallback::Push,
        (GreetingFallback::NotGreeted, TokenProblem::Missing) => {
            Fallback::NotGreeted(MISSING_NOT_GREETED.to_string())
        }
        (GreetingFallback::NotGreeted, TokenProblem::Expired) => {
            Fallback::NotGreeted(EXPIRED_NOT_GREETED.to_string())
        }
        (GreetingFallback::NotGreeted, TokenProblem::Refused(line)) => {
            Fallback::NotGreeted(REFUSED_NOT_GREETED.replace("{line}", &line))
        }
    }
}

/// When the token was issued, in Unix milliseconds: LINE's event time, but never later
/// than the event arrived (a clock ahead of ours must not stretch the deadline).
pub fn token_issued_at_ms(event_at_ms: i64, received_at_ms: i64) -> i64 {
    if event_at_ms > 0 {
        event_at_ms.min(received_at_ms)
    } else {
        received_at_ms
    }
}

/// How long the sender waits before trying again after attempt number `attempts`
/// (1-based) failed for a reason that passes: 1 s, 2 s, 4 s, ... at most a minute.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    (1000i64 << (attempts - 1).clamp(0, 6)).min(60_000)
}

/// One friend's greeting, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GreetingState {
    Pending,
    Sending,
    Replied,
    Pushed,
    NotGreeted,
    Held,
    Unknown,
}

impl GreetingState {
    pub const ALL: [GreetingState; 7] = [
        GreetingState::Pending,
        GreetingState::Sending,
        GreetingState::Replied,
        GreetingState::Pushed,
        GreetingState::NotGreeted,
        GreetingState::Held,
        GreetingState::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GreetingState::Pending => "pending",
            GreetingState::Sending => "sending",
            GreetingState::Replied => "replied",
            GreetingState::Pushed => "pushed",
            GreetingState::NotGreeted => "not_greeted",
            GreetingState::Held => "held",
            GreetingState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<GreetingState> {
        GreetingState::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// How the greeting pages name the outcome.
    pub fn label(self) -> &'static str {
        match self {
            GreetingState::Pending => "Waiting to be sent",
            GreetingState::Sending => "Being sent",
            GreetingState::Replied => "Greeted by reply",
            GreetingState::Pushed => "Greeted by push",
            GreetingState::NotGreeted => "Not greeted",
            GreetingState::Held => "Held: nothing sent",
            GreetingState::Unknown => "Outcome unknown",
        }
    }

    /// The friend received the greeting.
    pub fn is_greeted(self) -> bool {
        matches!(self, GreetingState::Replied | GreetingState::Pushed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> Attempt<'static> {
        Attempt {
            reply_token: Some("token"),
            token_age_ms: 2_000,
            deadline_seconds: 50,
            fallback: GreetingFallback::NotGreeted,
            reply_uncertain: false,
            pushing: false,
        }
    }

    #[test]
    fn a_first_follow_is_greeted_and_a_re_follow_only_when_the_policy_says_so() {
        assert_eq!(on_follow(false, false), OnFollow::Greet);
        assert_eq!(on_follow(false, true), OnFollow::Greet);
        assert_eq!(on_follow(true, false), OnFollow::Skip(REFOLLOW_NOT_GREETED));
        assert_eq!(on_follow(true, true), OnFollow::Greet);
    }

    #[test]
    fn a_young_token_is_replied_with_and_an_old_one_follows_the_policy() {
        assert_eq!(plan(&attempt()), Plan::Reply);
        let at_deadline = Attempt {
            token_age_ms: 50_000,
            ..attempt()
        };
        assert_eq!(plan(&at_deadline), Plan::Reply);
        let late = Attempt {
            token_age_ms: 50_001,
            ..attempt()
        };
        assert_eq!(
            plan(&late),
            Plan::Instead(Fallback::NotGreeted(EXPIRED_NOT_GREETED.into()))
        );
        let push = Attempt {
            fallback: GreetingFallback::Push,
            ..late
        };
        assert_eq!(plan(&push), Plan::Instead(Fallback::Push));
        let none = Attempt {
            reply_token: None,
            ..attempt()
        };
        assert_eq!(
            plan(&none),
            Plan::Instead(Fallback::NotGreeted(MISSING_NOT_GREETED.into()))
        );
        let empty = Attempt {
            reply_token: Some(""),
            fallback: GreetingFallback::Push,
            ..attempt()
        };
        assert_eq!(plan(&empty), Plan::Instead(Fallback::Push));
    }

    #[test]
    fn a_refused_token_follows_the_policy_in_lines_words() {
        let refused = || TokenProblem::Refused("Invalid reply token".into());
        assert_eq!(
            token_unusable(refused(), false, GreetingFallback::NotGreeted),
            Fallback::NotGreeted(
                "LINE would not take the reply token (Invalid reply token), and the policy records the friend as not greeted instead of pushing.".into()
            )
        );
        assert_eq!(
            token_unusable(refused(), false, GreetingFallback::Push),
            Fallback::Push
        );
    }

    #[test]
    fn after_a_reply_with_no_clear_answer_nothing_is_pushed_whatever_the_policy() {
        for fallback in [GreetingFallback::Push, GreetingFallback::NotGreeted] {
            for problem in [
                TokenProblem::Missing,
                TokenProblem::Expired,
                TokenProblem::Refused("Invalid reply token".into()),
            ] {
                assert_eq!(
                    token_unusable(problem, true, fallback),
                    Fallback::Unknown(UNCERTAIN_REPLY.into())
                );
            }
        }
        // While the token is young, the reply is simply tried again: LINE refuses a used
        // token, so a reply that got through is never made twice.
        let again = Attempt {
            reply_uncertain: true,
            ..attempt()
        };
        assert_eq!(plan(&again), Plan::Reply);
    }

    #[test]
    fn a_push_once_decided_is_retried_as_it_is() {
        let pushing = Attempt {
            pushing: true,
            token_age_ms: 0,
            ..attempt()
        };
        assert_eq!(plan(&pushing), Plan::Instead(Fallback::Push));
    }

    #[test]
    fn the_token_counts_from_the_follow_but_never_from_after_it_arrived() {
        assert_eq!(token_issued_at_ms(1_000, 5_000), 1_000);
        assert_eq!(token_issued_at_ms(9_000, 5_000), 5_000);
        assert_eq!(token_issued_at_ms(0, 5_000), 5_000);
    }

    #[test]
    fn retries_back_off_up_to_a_minute() {
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(7), 60_000);
        assert_eq!(retry_delay_ms(30), 60_000);
    }

    #[test]
    fn states_round_trip_and_only_a_reply_or_a_push_greets() {
        for s in GreetingState::ALL {
            assert_eq!(GreetingState::parse(s.as_str()), Some(s));
        }
        let greeted: Vec<GreetingState> = GreetingState::ALL
            .into_iter()
            .filter(|s| s.is_greeted())
            .collect();
        assert_eq!(greeted, [GreetingState::Replied, GreetingState::Pushed]);
    }
}
