//! Who is told about what (issue #8): the events the gate tells people about, the words and
//! link of each notification, and the pure rule of who is concerned. Nobody is told about
//! their own action, and disabled users are never told anything.

/// Something happened that people may need to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A draft was submitted for review: reviewers are needed.
    DraftSubmitted {
        draft_id: i64,
        title: String,
        actor_id: i64,
    },
    /// A draft in review got a new revision: earlier approvals stopped counting.
    DraftChangedUnderReview {
        draft_id: i64,
        title: String,
        revision: i64,
        actor_id: i64,
    },
    /// A reviewer approved a revision: its authors want to know.
    Approved {
        draft_id: i64,
        title: String,
        author_ids: Vec<i64>,
        actor_id: i64,
        /// The reviewer's name, so the authors know who it was.
        actor_name: String,
    },
    /// A reviewer requested changes: its authors must act.
    ChangesRequested {
        draft_id: i64,
        title: String,
        author_ids: Vec<i64>,
        actor_id: i64,
        /// The reviewer's name, so the authors know who it was.
        actor_name: String,
    },
    /// A test send reached the testers and waits for someone to confirm it on a phone.
    TestSendAwaitsConfirmation {
        draft_id: i64,
        title: String,
        author_id: i64,
        actor_id: i64,
    },
    /// A draft was released (scheduled or due now).
    ReleaseScheduled {
        draft_id: i64,
        release_id: i64,
        title: String,
        author_id: i64,
        approver_ids: Vec<i64>,
        actor_id: i64,
    },
    /// The dispatcher finished a release.
    ReleaseFinished {
        draft_id: i64,
        release_id: i64,
        title: String,
        author_id: i64,
        released_by: i64,
        failed: bool,
    },
    /// The send-time gate held a release at its send time: nothing was sent.
    ReleaseHeld {
        draft_id: i64,
        release_id: i64,
        title: String,
        author_id: i64,
        released_by: i64,
        approver_ids: Vec<i64>,
        /// The first failing rule's reason.
        reason: String,
    },
    /// The send-time gate stopped a step of a scenario: its messages wait as held.
    StepHeld {
        scenario_id: i64,
        title: String,
        author_id: i64,
        approver_ids: Vec<i64>,
        reason: String,
    },
    /// The send-time gate was red when the active greeting message was about to answer a
    /// new friend: nothing is sent to new friends until a greeting is activated again.
    GreetingHeld {
        title: String,
        author_id: i64,
        activated_by: i64,
        approver_ids: Vec<i64>,
        reason: String,
    },
    /// An admin made a friend a tester: test sends now reach that phone.
    TesterAdded {
        /// The friend's display name, and whose phone it is.
        name: String,
        owner: String,
        actor_id: i64,
    },
    /// A mistake was reported on a sent release.
    IncidentOpened {
        incident_id: i64,
        title: String,
        severity: String,
        actor_id: i64,
    },
}

/// The kinds of event, as stored and as switched on or off for the chat webhook.
pub const EVENT_KINDS: [(&str, &str); 13] = [
    ("draft_submitted", "A draft was submitted for review"),
    ("draft_changed", "A draft in review was changed"),
    ("approved", "A revision was approved"),
    ("changes_requested", "Changes were requested"),
    ("test_send", "A test send awaits confirmation"),
    ("release_scheduled", "A release was scheduled"),
    ("release_sent", "A release was sent"),
    ("release_failed", "A release failed"),
    ("release_held", "A release was held at its send time"),
    ("step_held", "A step message was held at its send time"),
    (
        "greeting_held",
        "The greeting message was held at its send time",
    ),
    ("tester_added", "An admin added a tester"),
    ("incident_opened", "An incident was opened"),
];

/// One person as the rule needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub active: bool,
    pub marketer: bool,
    pub reviewer: bool,
    pub admin: bool,
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::DraftSubmitted { .. } => "draft_submitted",
            Event::DraftChangedUnderReview { .. } => "draft_changed",
            Event::Approved { .. } => "approved",
            Event::ChangesRequested { .. } => "changes_requested",
            Event::TestSendAwaitsConfirmation { .. } => "test_send",
            Event::ReleaseScheduled { .. } => "release_scheduled",
            Event::ReleaseFinished { failed: false, .. } => "release_sent",
            Event::ReleaseFinished { failed: true, .. } => "release_failed",
            Event::ReleaseHeld { .. } => "release_held",
            Event::StepHeld { .. } => "step_held",
            Event::GreetingHeld { .. } => "greeting_held",
            Event::TesterAdded { .. } => "tester_added",
            Event::IncidentOpened { .. } => "incident_opened",
        }
    }

    /// Where the notification leads.
    pub fn link(&self) -> String {
        match self {
            Event::DraftSubmitted { draft_id, .. }
            | Event::DraftChangedUnderReview { draft_id, .. }
            | Event::Approved { draft_id, .. }
            | Event::ChangesRequested { draft_id, .. }
            | Event::TestSendAwaitsConfirmation { draft_id, .. } => format!("/drafts/{draft_id}"),
            Event::ReleaseScheduled { release_id, .. }
            | Event::ReleaseFinished { release_id, .. }
            | Event::ReleaseHeld { release_id, .. } => format!("/releases/{release_id}"),
            Event::StepHeld { scenario_id, .. } => format!("/scenarios/{scenario_id}"),
            Event::GreetingHeld { .. } => "/greeting".to_string(),
            Event::TesterAdded { .. } => "/testers".to_string(),
            Event::IncidentOpened { incident_id, .. } => format!("/incidents/{incident_id}"),
        }
    }

    /// The English sentence of a notification of `kind`, with `{title}` (and `{revision}`,
    /// `{severity}`) to fill in. Notifications are stored filled in, in English; pages
    /// translate them back through this key (see `crate::web::notifications`).
    pub fn text_key(kind: &str) -> Option<&'static str> {
        Some(match kind {
            "draft_submitted" => "“{title}” was submitted and waits for your review.",
            "draft_changed" => {
                "“{title}” was changed in review (revision {revision}); earlier approvals no longer count."
            }
            "approved" => "{actor} approved “{title}”.",
            "changes_requested" => "{actor} asked for changes on “{title}”.",
            "test_send" => {
                "A test send of “{title}” reached the testers: confirm it arrived and looks right."
            }
            "release_scheduled" => "“{title}” was released.",
            "release_sent" => "“{title}” was sent.",
            "release_failed" => "Sending “{title}” failed: some batches were refused.",
            "release_held" => "“{title}” was held at its send time and nothing was sent: {reason}",
            "step_held" => {
                "The step message “{title}” was held at its send time and nothing was sent: {reason}"
            }
            "greeting_held" => {
                "The greeting message “{title}” was held when a new friend added the account, and nothing was sent: {reason}"
            }
            "tester_added" => "An admin made {title}'s phone ({owner}) a tester.",
            "incident_opened" => "Incident ({severity}): a mistake was reported in “{title}”.",
            _ => return None,
        })
    }

    /// One line for the notification list and the chat message.
    pub fn text(&self) -> String {
        let key = Event::text_key(self.kind()).unwrap_or_default();
        let (title, revision, severity) = match self {
            Event::DraftChangedUnderReview {
                title, revision, ..
            } => (title, revision.to_string(), String::new()),
            Event::IncidentOpened {
                title, severity, ..
            } => (title, String::new(), severity.clone()),
            Event::ReleaseHeld { title, reason, .. }
            | Event::StepHeld { title, reason, .. }
            | Event::GreetingHeld { title, reason, .. } => {
                // The reason is filled in before the title, so braces in it stay as written.
                return key.replace("{title}", title).replace("{reason}", reason);
            }
            Event::TesterAdded { name, owner, .. } => {
                return key.replace("{owner}", owner).replace("{title}", name);
            }
            Event::Approved {
                title, actor_name, ..
            }
            | Event::ChangesRequested {
                title, actor_name, ..
            } => {
                // Each value is put in once, so braces in a name or title stay as written.
                let (before, after) = key.split_once("{title}").unwrap_or((key, ""));
                return format!(
                    "{}{title}{}",
                    before.replace("{actor}", actor_name),
                    after.replace("{actor}", actor_name)
                );
            }
            Event::DraftSubmitted { title, .. }
            | Event::TestSendAwaitsConfirmation { title, .. }
            | Event::ReleaseScheduled { title, .. }
            | Event::ReleaseFinished { title, .. } => (title, String::new(), String::new()),
        };
        // The title goes in last, so braces in it are never taken for a placeholder.
        key.replace("{revision}", &revision)
            .replace("{severity}", &severity)
            .replace("{title}", title)
    }

    fn actor(&self) -> Option<i64> {
        match self {
            Event::DraftSubmitted { actor_id, .. }
            | Event::DraftChangedUnderReview { actor_id, .. }
            | Event::Approved { actor_id, .. }
            | Event::ChangesRequested { actor_id, .. }
            | Event::TestSendAwaitsConfirmation { actor_id, .. }
            | Event::ReleaseScheduled { actor_id, .. }
            | Event::IncidentOpened { actor_id, .. }
            | Event::TesterAdded { actor_id, .. } => Some(*actor_id),
            Event::ReleaseFinished { .. }
            | Event::ReleaseHeld { .. }
            | Event::StepHeld { .. }
            | Event::GreetingHeld { .. } => None,
        }
    }
}

/// The people concerned by `event`, in id order, each once: never the person who acted,
/// never a disabled user.
pub fn concerned(event: &Event, people: &[Person]) -> Vec<i64> {
    let named = |ids: &[i64]| -> Vec<i64> { ids.to_vec() };
    let reviewers = || -> Vec<i64> { people.iter().filter(|p| p.reviewer).map(|p| p.id).collect() };
    let mut ids: Vec<i64> = match event {
        Event::DraftSubmitted { .. } | Event::DraftChangedUnderReview { .. } => reviewers(),
        Event::Approved { author_ids, .. } | Event::ChangesRequested { author_ids, .. } => {
            named(author_ids)
        }
        Event::TestSendAwaitsConfirmation { author_id, .. } => {
            let mut v = reviewers();
            v.push(*author_id);
            v
        }
        Event::ReleaseScheduled {
            author_id,
            approver_ids,
            ..
        } => {
            let mut v = named(approver_ids);
            v.push(*author_id);
            v
        }
        Event::ReleaseFinished {
            author_id,
            released_by,
            ..
        } => vec![*author_id, *released_by],
        Event::ReleaseHeld {
            author_id,
            released_by,
            approver_ids,
            ..
        } => {
            let mut v = named(approver_ids);
            v.extend([*author_id, *released_by]);
            v
        }
        Event::StepHeld {
            author_id,
            approver_ids,
            ..
        } => {
            let mut v = named(approver_ids);
            v.push(*author_id);
            v
        }
        // Every new friend goes ungreeted until someone acts: the admins are told too.
        Event::GreetingHeld {
            author_id,
            activated_by,
            approver_ids,
            ..
        } => {
            let mut v = named(approver_ids);
            v.extend([*author_id, *activated_by]);
            v.extend(people.iter().filter(|p| p.admin).map(|p| p.id));
            v
        }
        Event::TesterAdded { .. } => people.iter().filter(|p| p.admin).map(|p| p.id).collect(),
        Event::IncidentOpened { .. } => people
            .iter()
            .filter(|p| p.marketer || p.reviewer || p.admin)
            .map(|p| p.id)
            .collect(),
    };
    let actor = event.actor();
    ids.retain(|id| Some(*id) != actor && people.iter().any(|p| p.id == *id && p.active));
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Attempts to post one chat message before it is given up.
pub const WEBHOOK_MAX_ATTEMPTS: i64 = 8;

/// How long to wait after failed attempt number `attempts` (1-based): 2 s, 4 s, 8 s, ...
/// capped at 10 minutes; `None` once the message is given up.
pub fn webhook_retry_delay_seconds(attempts: i64) -> Option<i64> {
    (attempts < WEBHOOK_MAX_ATTEMPTS).then(|| (1i64 << attempts.clamp(1, 20)).min(600))
}

/// A webhook URL as an admin typed it: empty (off), or an `https://` URL without
/// credentials in it (issue #18: the chat tool's secret must not travel in the clear).
/// Plain `http://` is accepted only for a loopback address and only when
/// `allow_http_loopback` is set (tests).
pub fn validate_webhook_url(
    raw: &str,
    allow_http_loopback: bool,
) -> Result<String, super::FieldError> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(String::new());
    }
    let refuse = |message: &str| Err(super::FieldError::new("webhook_url", message));
    let parsed = match url::Url::parse(url) {
        Ok(u) if url.len() <= 2000 && !url.chars().any(char::is_whitespace) => u,
        _ => {
            return refuse(
                "Enter the incoming-webhook URL your chat tool gave you (https://...), or leave it empty to turn it off.",
            );
        }
    };
    let Some(host) = parsed.host() else {
        return refuse(
            "Enter the incoming-webhook URL your chat tool gave you (https://...), or leave it empty to turn it off.",
        );
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refuse("The webhook URL must not contain a user name or password.");
    }
    let loopback = match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    match parsed.scheme() {
        "https" => Ok(url.to_string()),
        "http" if loopback && allow_http_loopback => Ok(url.to_string()),
        "http" => refuse(
            "The webhook URL must start with https://: chat messages and the URL's secret must not travel unencrypted.",
        ),
        _ => refuse(
            "Enter the incoming-webhook URL your chat tool gave you (https://...), or leave it empty to turn it off.",
        ),
    }
}

/// At most this much of a receiver's answer is kept to show why a post failed.
pub const RESPONSE_EXCERPT_CHARS: usize = 200;

/// A short, single-line excerpt of a receiver's answer for the error shown to admins.
pub fn response_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    super::input::excerpt(&flat, RESPONSE_EXCERPT_CHARS)
}

/// The Slack-compatible body: `{"text": "..."}` with the link to the page.
pub fn chat_body(text: &str, public_url: &str, link: &str) -> serde_json::Value {
    serde_json::json!({ "text": format!("[sendgate] {text} {}{link}", public_url.trim_end_matches('/')) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, roles: &str) -> Person {
        Person {
            id,
            active: true,
            marketer: roles.contains('m'),
            reviewer: roles.contains('r'),
            admin: roles.contains('a'),
        }
    }

    /// 1 marketer, 2 and 3 reviewers, 4 admin, 5 a disabled reviewer, 6 marketer+reviewer.
    fn team() -> Vec<Person> {
        let mut v = vec![
            person(1, "m"),
            person(2, "r"),
            person(3, "r"),
            person(4, "a"),
            person(5, "r"),
            person(6, "mr"),
        ];
        v[4].active = false;
        v
    }

    #[test]
    fn a_submitted_draft_concerns_the_active_reviewers_but_not_the_submitter() {
        let e = Event::DraftSubmitted {
            draft_id: 1,
            title: "t".into(),
            actor_id: 6,
        };
        assert_eq!(concerned(&e, &team()), vec![2, 3]);
    }

    #[test]
    fn a_verdict_concerns_the_authors_only() {
        let e = Event::Approved {
            draft_id: 1,
            title: "t".into(),
            author_ids: vec![1, 1, 6],
            actor_id: 2,
            actor_name: "鈴木 健太".into(),
        };
        assert_eq!(e.text(), "鈴木 健太 approved “t”.");
        assert_eq!(concerned(&e, &team()), vec![1, 6]);
        let e = Event::ChangesRequested {
            draft_id: 1,
            title: "t".into(),
            author_ids: vec![6],
            actor_id: 6,
            actor_name: "{title}".into(),
        };
        assert_eq!(e.text(), "{title} asked for changes on “t”.");
        assert!(
            concerned(&e, &team()).is_empty(),
            "nobody is told of their own act"
        );
    }

    #[test]
    fn a_test_send_concerns_the_reviewers_and_the_author() {
        let e = Event::TestSendAwaitsConfirmation {
            draft_id: 1,
            title: "t".into(),
            author_id: 1,
            actor_id: 1,
        };
        assert_eq!(concerned(&e, &team()), vec![2, 3, 6]);
    }

    #[test]
    fn a_finished_release_concerns_the_author_and_the_releaser() {
        let e = Event::ReleaseFinished {
            draft_id: 1,
            release_id: 9,
            title: "t".into(),
            author_id: 1,
            released_by: 6,
            failed: true,
        };
        assert_eq!(concerned(&e, &team()), vec![1, 6]);
        assert_eq!(e.kind(), "release_failed");
        assert_eq!(e.link(), "/releases/9");
    }

    #[test]
    fn an_incident_concerns_everyone_with_a_role_except_the_reporter_and_disabled_users() {
        let mut people = team();
        people.push(person(7, ""));
        let e = Event::IncidentOpened {
            incident_id: 3,
            title: "t".into(),
            severity: "high".into(),
            actor_id: 1,
        };
        assert_eq!(concerned(&e, &people), vec![2, 3, 4, 6]);
        assert_eq!(e.link(), "/incidents/3");
    }

    #[test]
    fn a_held_release_concerns_its_author_releaser_and_approvers_with_the_reason() {
        let e = Event::ReleaseHeld {
            draft_id: 1,
            release_id: 9,
            title: "Sale {x}".into(),
            author_id: 1,
            released_by: 6,
            approver_ids: vec![2, 5],
            reason: "1 of 2 approvals {title}".into(),
        };
        assert_eq!(concerned(&e, &team()), vec![1, 2, 6], "5 is disabled");
        assert_eq!(
            e.text(),
            "“Sale {x}” was held at its send time and nothing was sent: 1 of 2 approvals {title}"
        );
        assert_eq!(e.link(), "/releases/9");
    }

    #[test]
    fn a_held_greeting_concerns_its_author_activator_approvers_and_the_admins() {
        let e = Event::GreetingHeld {
            title: "ようこそ".into(),
            author_id: 1,
            activated_by: 6,
            approver_ids: vec![2, 5],
            reason: "1 of 2 approvals.".into(),
        };
        assert_eq!(concerned(&e, &team()), vec![1, 2, 4, 6], "5 is disabled");
        assert_eq!(e.kind(), "greeting_held");
        assert_eq!(e.link(), "/greeting");
        assert_eq!(
            e.text(),
            "The greeting message “ようこそ” was held when a new friend added the account, and nothing was sent: 1 of 2 approvals."
        );
    }

    #[test]
    fn an_admin_adding_a_tester_concerns_every_other_admin() {
        let mut people = team();
        people.push(person(7, "a"));
        let e = Event::TesterAdded {
            name: "Mika".into(),
            owner: "mika".into(),
            actor_id: 4,
        };
        assert_eq!(concerned(&e, &people), vec![7]);
        assert_eq!(e.text(), "An admin made Mika's phone (mika) a tester.");
    }

    #[test]
    fn webhook_retries_back_off_exponentially_and_give_up() {
        assert_eq!(webhook_retry_delay_seconds(1), Some(2));
        assert_eq!(webhook_retry_delay_seconds(2), Some(4));
        assert_eq!(webhook_retry_delay_seconds(7), Some(128));
        assert_eq!(webhook_retry_delay_seconds(WEBHOOK_MAX_ATTEMPTS), None);
    }

    #[test]
    fn a_webhook_url_is_empty_or_https() {
        assert_eq!(validate_webhook_url("  ", false).unwrap(), "");
        assert_eq!(
            validate_webhook_url(" https://hooks.example.com/T1 ", false).unwrap(),
            "https://hooks.example.com/T1"
        );
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "http://hooks.example.com/T1",
            "http://127.0.0.1:9/h",
            "https://user:secret@hooks.example.com/",
            "javascript:alert(1)",
        ] {
            assert!(validate_webhook_url(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_is_only_for_loopback_when_allowed() {
        assert!(validate_webhook_url("http://127.0.0.1:9/h", true).is_ok());
        assert!(validate_webhook_url("http://[::1]:9/h", true).is_ok());
        assert!(validate_webhook_url("http://localhost:9/h", true).is_ok());
        assert!(validate_webhook_url("http://10.0.0.1/h", true).is_err());
        assert!(validate_webhook_url("http://127.0.0.1.example.com/h", true).is_err());
    }

    #[test]
    fn a_receivers_answer_is_shown_as_a_short_single_line() {
        assert_eq!(response_excerpt(b"no_service\n"), "no_service");
        let long = "x".repeat(10_000);
        let e = response_excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), RESPONSE_EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(response_excerpt(b"a\r\n\tb"), "a b");
    }

    #[test]
    fn the_chat_body_is_slack_compatible_text_with_the_link() {
        assert_eq!(
            chat_body(
                "“Sale” was sent.",
                "https://gate.example.com/",
                "/releases/1"
            ),
            serde_json::json!({ "text": "[sendgate] “Sale” was sent. https://gate.example.com/releases/1" })
        );
    }

    #[test]
    fn every_kind_has_a_sentence_and_a_title_with_braces_stays_as_typed() {
        for (kind, _) in EVENT_KINDS {
            assert!(Event::text_key(kind).is_some(), "{kind}");
        }
        let e = Event::DraftChangedUnderReview {
            draft_id: 1,
            title: "Sale {revision}".into(),
            revision: 2,
            actor_id: 1,
        };
        assert_eq!(
            e.text(),
            "“Sale {revision}” was changed in review (revision 2); earlier approvals no longer count."
        );
    }

    #[test]
    fn every_event_kind_is_listed_for_the_webhook_switches() {
        let kinds: Vec<&str> = EVENT_KINDS.iter().map(|(k, _)| *k).collect();
        let e = Event::ReleaseScheduled {
            draft_id: 1,
            release_id: 2,
            title: "t".into(),
            author_id: 1,
            approver_ids: vec![2, 3],
            actor_id: 6,
        };
        assert!(kinds.contains(&e.kind()));
        assert_eq!(concerned(&e, &team()), vec![1, 2, 3]);
    }
}
