//! The release gate (DESIGN section 2, rules 1 to 7) as one pure decision. The draft page
//! shows it; the release service evaluates it again inside the transaction that records a
//! release, so nothing is ever sent on a stale answer.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::audience::PreviewGate;
use super::checks::Finding;
use super::policy::QuietHours;
use super::review::ApprovalStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Approvals,
    Objections,
    TestSend,
    Preview,
    ContentChecks,
    Schedule,
    Confirmation,
}

impl Rule {
    pub fn label(self) -> &'static str {
        match self {
            Rule::Approvals => "Approvals",
            Rule::Objections => "No open objection",
            Rule::TestSend => "Test send",
            Rule::Preview => "Audience preview",
            Rule::ContentChecks => "Content checks",
            Rule::Schedule => "Schedule",
            Rule::Confirmation => "Confirmation",
        }
    }

    /// Whether a step scenario's activation checks this rule for each step (gate rules 1,
    /// 2, 3 and 5): the scenario has its own impact preview, schedule and typed name.
    pub fn checked_for_steps(self) -> bool {
        matches!(
            self,
            Rule::Approvals | Rule::Objections | Rule::TestSend | Rule::ContentChecks
        )
    }
}

/// One test send of some revision, as the gate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSendFacts {
    pub content_hash: String,
    /// Testers whose phone the provider accepted it for.
    pub accepted: usize,
    /// Who confirmed it arrived and looks right.
    pub confirmed_by: Option<String>,
}

/// What the releasing person typed, and what they had to type.
#[derive(Debug, Clone, Copy)]
pub struct Confirmation<'a> {
    pub typed: &'a str,
    pub expected: &'a str,
    pub read_warning: bool,
}

pub struct ReleaseFacts<'a> {
    pub approval: &'a ApprovalStatus,
    pub current_content_hash: &'a str,
    pub test_sends: &'a [TestSendFacts],
    pub preview: PreviewGate,
    pub findings: &'a [Finding],
    /// `Finding::key()`s of the warnings the person acknowledged.
    pub acknowledged_warnings: &'a [String],
    pub send_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    pub quiet_hours: QuietHours,
    pub time_zone: Tz,
    /// `None` when only showing the gate (the draft page); required to release.
    pub confirmation: Option<Confirmation<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub rule: Rule,
    pub ok: bool,
    /// Why it is not green, or what made it green, in words for the person.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateReport {
    pub checks: Vec<Check>,
}

impl GateReport {
    pub fn is_green(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    pub fn failing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    pub fn check(&self, rule: Rule) -> Option<&Check> {
        self.checks.iter().find(|c| c.rule == rule)
    }
}

/// Rule 6: a send time must be now or later and outside quiet hours.
pub fn schedule_problem(
    send_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    quiet: QuietHours,
    tz: Tz,
) -> Option<String> {
    let at = send_at.unwrap_or(now);
    if at < now {
        return Some("The send time is in the past; choose a new one.".into());
    }
    if quiet.contains(at, tz) {
        return Some(format!(
            "{} falls in quiet hours ({} to {} {}); choose another time.",
            if send_at.is_some() {
                "The send time"
            } else {
                "Now"
            },
            quiet.start.format("%H:%M"),
            quiet.end.format("%H:%M"),
            tz.name()
        ));
    }
    None
}

/// Rule 7 compares numbers as people type them: `12,340`, `12340` and `１２３４０` match.
pub fn phrase_matches(typed: &str, expected: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                ',' | '，' | ' ' | '\u{3000}' | '_' => None,
                c => Some(c),
            })
            .collect()
    };
    let (t, e) = (norm(typed.trim()), norm(expected.trim()));
    !e.is_empty() && t == e
}

fn check(rule: Rule, problem: Option<String>, fine: impl Into<String>) -> Check {
    match problem {
        Some(reason) => Check {
            rule,
            ok: false,
            reason,
        },
        None => Check {
            rule,
            ok: true,
            reason: fine.into(),
        },
    }
}

pub fn evaluate(f: &ReleaseFacts<'_>) -> GateReport {
    let mut checks = vec![
        approvals_check(f.approval),
        objections_check(f.approval),
        test_send_check(f.test_sends, f.current_content_hash),
        check(
            Rule::Preview,
            (!f.preview.is_ok()).then(|| f.preview.explain()),
            f.preview.explain(),
        ),
        content_check(
            f.findings,
            f.acknowledged_warnings,
            f.confirmation.is_some(),
        ),
        check(
            Rule::Schedule,
            schedule_problem(f.send_at, f.now, f.quiet_hours, f.time_zone),
            "The send time is fine.",
        ),
    ];
    if let Some(c) = f.confirmation {
        let problem = if !c.read_warning {
            Some("Confirm that you read that this cannot be taken back.".to_string())
        } else if !phrase_matches(c.typed, c.expected) {
            Some(format!("Type {} to confirm.", c.expected))
        } else {
            None
        };
        checks.push(check(Rule::Confirmation, problem, "Confirmed."));
    }
    GateReport { checks }
}

/// What one step's current revision is judged on before its scenario is activated.
pub struct StepFacts<'a> {
    pub approval: &'a ApprovalStatus,
    pub current_content_hash: &'a str,
    pub test_sends: &'a [TestSendFacts],
    pub findings: &'a [Finding],
    /// `Finding::key()`s of the warnings the person acknowledged.
    pub acknowledged_warnings: &'a [String],
    /// True when activating (every warning must then be acknowledged); false when only
    /// showing where the step stands.
    pub activating: bool,
}

/// The gate of a step: rules 1, 2, 3 and 5 ([`Rule::checked_for_steps`]). The scenario's
/// own impact preview and typed activation stand in for rules 4 and 7, and a step has no
/// send time of its own (rule 6).
pub fn evaluate_step(f: &StepFacts<'_>) -> GateReport {
    GateReport {
        checks: vec![
            approvals_check(f.approval),
            objections_check(f.approval),
            test_send_check(f.test_sends, f.current_content_hash),
            content_check(f.findings, f.acknowledged_warnings, f.activating),
        ],
    }
}

/// Rule 1: enough approvals of this exact revision by reviewers other than its authors.
fn approvals_check(a: &ApprovalStatus) -> Check {
    check(
        Rule::Approvals,
        (!a.is_approved() || a.approvers.len() < a.required).then(|| {
            format!(
                "{} of {} approvals of this exact revision by reviewers other than its authors.",
                a.approvers.len(),
                a.required
            )
        }),
        format!("{} of {} approvals.", a.approvers.len(), a.required),
    )
}

/// Rule 2: no standing request for changes.
fn objections_check(a: &ApprovalStatus) -> Check {
    check(
        Rule::Objections,
        (!a.objections.is_empty()).then(|| {
            format!(
                "{} reviewer{} requested changes and must approve a revision first.",
                a.objections.len(),
                if a.objections.len() == 1 { "" } else { "s" }
            )
        }),
        "Nobody requested changes.",
    )
}

/// Rule 3: a test of this exact content reached a phone and someone confirmed it.
fn test_send_check(test_sends: &[TestSendFacts], current_content_hash: &str) -> Check {
    let confirmed = test_sends.iter().find(|t| {
        t.content_hash == current_content_hash && t.accepted > 0 && t.confirmed_by.is_some()
    });
    match confirmed {
        Some(t) => check(
            Rule::TestSend,
            None,
            format!(
                "Received on a phone and confirmed by {}.",
                t.confirmed_by.as_deref().unwrap_or_default()
            ),
        ),
        None => {
            let sent = test_sends
                .iter()
                .any(|t| t.content_hash == current_content_hash && t.accepted > 0);
            check(
                Rule::TestSend,
                Some(if sent {
                    "A test of this revision arrived, but nobody confirmed it looks right yet."
                        .into()
                } else {
                    "Send a test of this revision to a tester's phone and confirm it.".into()
                }),
                "",
            )
        }
    }
}

/// Rule 5: no content errors; when sending, every warning acknowledged.
fn content_check(findings: &[Finding], acknowledged: &[String], sending: bool) -> Check {
    let errors = findings.iter().filter(|x| x.is_error()).count();
    let unacknowledged = findings
        .iter()
        .filter(|x| !x.is_error() && !acknowledged.contains(&x.key()))
        .count();
    let problem = if errors > 0 {
        Some(format!(
            "{errors} error{} must be fixed first.",
            if errors == 1 { "" } else { "s" }
        ))
    } else if unacknowledged > 0 && sending {
        Some(format!(
            "{unacknowledged} warning{} must be acknowledged.",
            if unacknowledged == 1 { "" } else { "s" }
        ))
    } else {
        None
    };
    check(
        Rule::ContentChecks,
        problem,
        if findings.is_empty() {
            "No problems found."
        } else {
            "No errors; warnings are acknowledged at release."
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    use crate::domain::checks::Finding;

    #[test]
    fn a_step_is_checked_for_rules_1_2_3_and_5_only() {
        let checked: Vec<Rule> = [
            Rule::Approvals,
            Rule::Objections,
            Rule::TestSend,
            Rule::Preview,
            Rule::ContentChecks,
            Rule::Schedule,
            Rule::Confirmation,
        ]
        .into_iter()
        .filter(|r| r.checked_for_steps())
        .collect();
        assert_eq!(
            checked,
            [
                Rule::Approvals,
                Rule::Objections,
                Rule::TestSend,
                Rule::ContentChecks
            ]
        );
    }

    fn approved() -> ApprovalStatus {
        ApprovalStatus {
            approvers: vec![2, 3],
            required: 2,
            objections: vec![],
            approvals_not_counted: vec![],
            objections_set_aside: vec![],
        }
    }

    fn noon() -> DateTime<Utc> {
        // 12:00 in Tokyo.
        Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap()
    }

    fn quiet() -> QuietHours {
        QuietHours {
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        }
    }

    fn tested() -> Vec<TestSendFacts> {
        vec![TestSendFacts {
            content_hash: "h".into(),
            accepted: 1,
            confirmed_by: Some("rei".into()),
        }]
    }

    struct Case {
        approval: ApprovalStatus,
        tests: Vec<TestSendFacts>,
        preview: PreviewGate,
        findings: Vec<Finding>,
        acked: Vec<String>,
        send_at: Option<DateTime<Utc>>,
        typed: &'static str,
        read: bool,
    }

    fn green() -> Case {
        Case {
            approval: approved(),
            tests: tested(),
            preview: PreviewGate::Ok,
            findings: vec![],
            acked: vec![],
            send_at: None,
            typed: "1,234",
            read: true,
        }
    }

    fn run(c: &Case) -> GateReport {
        evaluate(&ReleaseFacts {
            approval: &c.approval,
            current_content_hash: "h",
            test_sends: &c.tests,
            preview: c.preview.clone(),
            findings: &c.findings,
            acknowledged_warnings: &c.acked,
            send_at: c.send_at,
            now: noon(),
            quiet_hours: quiet(),
            time_zone: chrono_tz::Asia::Tokyo,
            confirmation: Some(Confirmation {
                typed: c.typed,
                expected: "1234",
                read_warning: c.read,
            }),
        })
    }

    fn failing(c: &Case) -> Vec<Rule> {
        run(c).failing().map(|x| x.rule).collect()
    }

    fn step(c: &Case, activating: bool) -> GateReport {
        evaluate_step(&StepFacts {
            approval: &c.approval,
            current_content_hash: "h",
            test_sends: &c.tests,
            findings: &c.findings,
            acknowledged_warnings: &c.acked,
            activating,
        })
    }

    #[test]
    fn a_step_is_judged_on_exactly_the_rules_checked_for_steps() {
        let rules: Vec<Rule> = step(&green(), true).checks.iter().map(|c| c.rule).collect();
        let expected: Vec<Rule> = run(&green())
            .checks
            .iter()
            .map(|c| c.rule)
            .filter(|r| r.checked_for_steps())
            .collect();
        assert_eq!(rules, expected);
        assert!(step(&green(), true).is_green());
        // No preview, a send time in quiet hours: neither is a step's concern.
        let mut c = green();
        c.preview = PreviewGate::Missing;
        c.send_at = Some(noon() + chrono::Duration::hours(11));
        assert!(step(&c, true).is_green());
    }

    #[test]
    fn a_step_fails_on_its_own_rules_and_its_warnings_are_acknowledged_only_to_activate() {
        let mut c = green();
        c.approval.approvers = vec![2];
        c.tests.clear();
        let failing: Vec<Rule> = step(&c, false).failing().map(|x| x.rule).collect();
        assert_eq!(failing, [Rule::Approvals, Rule::TestSend]);

        let mut c = green();
        c.findings = vec![Finding::warning("long_text", "Long.", None)];
        assert!(step(&c, false).is_green(), "showing the state");
        let failing: Vec<Rule> = step(&c, true).failing().map(|x| x.rule).collect();
        assert_eq!(failing, [Rule::ContentChecks]);
        c.acked = vec![c.findings[0].key()];
        assert!(step(&c, true).is_green());
    }

    #[test]
    fn everything_in_place_is_green() {
        assert!(run(&green()).is_green());
    }

    #[test]
    fn each_missing_item_alone_turns_exactly_that_rule_red() {
        let mut c = green();
        c.approval.approvers = vec![2];
        assert_eq!(failing(&c), [Rule::Approvals]);

        let mut c = green();
        c.approval.objections = vec![4];
        assert_eq!(
            failing(&c),
            [Rule::Approvals, Rule::Objections],
            "an objection also blocks approval"
        );

        let mut c = green();
        c.tests[0].confirmed_by = None;
        assert_eq!(failing(&c), [Rule::TestSend]);

        let mut c = green();
        c.tests[0].content_hash = "older".into();
        assert_eq!(
            failing(&c),
            [Rule::TestSend],
            "a test of other content does not count"
        );

        let mut c = green();
        c.tests[0].accepted = 0;
        assert_eq!(failing(&c), [Rule::TestSend]);

        let mut c = green();
        c.preview = PreviewGate::NotAcknowledged;
        assert_eq!(failing(&c), [Rule::Preview]);

        let mut c = green();
        c.findings = vec![Finding::error("placeholder", "Leftover ○○", None)];
        assert_eq!(failing(&c), [Rule::ContentChecks]);

        let mut c = green();
        c.send_at = Some(noon() - chrono::Duration::minutes(1));
        assert_eq!(failing(&c), [Rule::Schedule]);

        let mut c = green();
        c.send_at = Some(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()); // 23:00 JST
        assert_eq!(failing(&c), [Rule::Schedule]);

        let mut c = green();
        c.typed = "1233";
        assert_eq!(failing(&c), [Rule::Confirmation]);

        let mut c = green();
        c.read = false;
        assert_eq!(failing(&c), [Rule::Confirmation]);
    }

    #[test]
    fn warnings_must_be_acknowledged_at_release_but_do_not_block_the_page() {
        let mut c = green();
        let w = Finding::warning("link_not_https", "http link", None);
        c.findings = vec![w.clone()];
        assert_eq!(failing(&c), [Rule::ContentChecks]);
        c.acked = vec![w.key()];
        assert!(run(&c).is_green());
        let page = evaluate(&ReleaseFacts {
            approval: &c.approval,
            current_content_hash: "h",
            test_sends: &c.tests,
            preview: PreviewGate::Ok,
            findings: &c.findings,
            acknowledged_warnings: &[],
            send_at: None,
            now: noon(),
            quiet_hours: quiet(),
            time_zone: chrono_tz::Asia::Tokyo,
            confirmation: None,
        });
        assert!(page.is_green());
        assert!(page.check(Rule::Confirmation).is_none());
    }

    #[test]
    fn sending_now_inside_quiet_hours_is_refused_with_the_window() {
        let late = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(); // 23:30 JST
        let why = schedule_problem(None, late, quiet(), chrono_tz::Asia::Tokyo).unwrap();
        assert!(why.contains("22:00 to 08:00 Asia/Tokyo"), "{why}");
    }

    #[test]
    fn the_typed_phrase_ignores_separators_and_full_width_digits() {
        assert!(phrase_matches("12,340", "12340"));
        assert!(phrase_matches("１２，３４０", "12340"));
        assert!(phrase_matches(" 12340 ", "12,340"));
        assert!(!phrase_matches("1234", "12340"));
        assert!(!phrase_matches("", ""));
    }
}
