//! The gate (DESIGN section 2) as one pure decision, asked at every moment a message can
//! reach a customer: when a person releases a draft, when the dispatcher is about to hand a
//! scheduled release to LINE, when a scenario is activated and each time one of its steps
//! is handed over, before a test send is pushed to the testers' phones, when a greeting
//! message is activated and each time it answers a new friend.
//!
//! [`evaluate`] takes the facts as they are at that [`Moment`] and checks the rules that
//! apply then ([`Moment::rules`]); [`decide`] turns the answer into what a sender does:
//! send, wait (quiet hours, a quota that could not be read), or hold with the reasons. No
//! sender keeps a copy of any rule: the release service, the release dispatcher, the step
//! dispatcher, the test-send service, the greeting service and the greeting sender all ask
//! here.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::audience::{PreviewFacts, PreviewGate, preview_gate};
use super::checks::Finding;
use super::message::with_commas;
use super::policy::QuietHours;
use super::review::ApprovalStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Approvals,
    Objections,
    TestSend,
    Preview,
    ContentChecks,
    Schedule,
    Quota,
    Confirmation,
    Testers,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::Approvals,
        Rule::Objections,
        Rule::TestSend,
        Rule::Preview,
        Rule::ContentChecks,
        Rule::Schedule,
        Rule::Quota,
        Rule::Confirmation,
        Rule::Testers,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Rule::Approvals => "Approvals",
            Rule::Objections => "No open objection",
            Rule::TestSend => "Test send",
            Rule::Preview => "Audience preview",
            Rule::ContentChecks => "Content checks",
            Rule::Schedule => "Schedule",
            Rule::Quota => "Monthly quota",
            Rule::Confirmation => "Confirmation",
            Rule::Testers => "Testers",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Approvals => "approvals",
            Rule::Objections => "objections",
            Rule::TestSend => "test_send",
            Rule::Preview => "preview",
            Rule::ContentChecks => "content_checks",
            Rule::Schedule => "schedule",
            Rule::Quota => "quota",
            Rule::Confirmation => "confirmation",
            Rule::Testers => "testers",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The moments the gate is asked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    /// A person releases a draft (and the draft and release pages show where it stands).
    Release,
    /// The dispatcher is about to start a scheduled release: the rules that can change
    /// with time are asked again (approvers' standing, policy, the number actually sent,
    /// broadcast drift, quota, quiet hours). A preview's age no longer matters: it was
    /// fresh when the person released.
    Dispatch,
    /// A scenario is activated: each step's revision. The scenario's impact preview and
    /// typed name stand in for rules 4 and 7, and a step has no send time of its own.
    Activation,
    /// One step's messages are about to be handed to LINE for some friends.
    Step,
    /// A test send is about to be pushed to the testers' phones. It reaches staff phones
    /// only, so the rules of a customer send do not apply; who may receive it does.
    TestSend,
    /// A greeting message's revision is activated: from then on every new friend gets it.
    /// Its audience is whoever adds the account next, so there is no preview and no send
    /// time; rule 7's phrase is the account's name.
    Greeting,
    /// The active greeting is about to answer a new friend's follow with a reply. The
    /// rules that can change with time are asked again (approvers' standing, objections,
    /// the checks with the policy of now). Not quiet hours: the greeting answers the
    /// friend's own action, the moment they take it. A reply is free, so not the quota.
    GreetingReply,
    /// The same, pushed because the reply token could not be used: a push uses the
    /// monthly quota, so the quota is asked too.
    GreetingPush,
}

impl Moment {
    /// The rules checked at this moment, in the order they are shown.
    pub fn rules(self) -> &'static [Rule] {
        use Rule::*;
        match self {
            Moment::Release => &[
                Approvals,
                Objections,
                TestSend,
                Preview,
                ContentChecks,
                Schedule,
                Quota,
                Confirmation,
            ],
            Moment::Dispatch => &[
                Approvals,
                Objections,
                TestSend,
                Preview,
                ContentChecks,
                Schedule,
                Quota,
            ],
            Moment::Activation => &[Approvals, Objections, TestSend, ContentChecks],
            Moment::Step => &[
                Approvals,
                Objections,
                TestSend,
                ContentChecks,
                Schedule,
                Quota,
            ],
            Moment::TestSend => &[Testers],
            Moment::Greeting => &[Approvals, Objections, TestSend, ContentChecks, Confirmation],
            Moment::GreetingReply => &[Approvals, Objections, TestSend, ContentChecks],
            Moment::GreetingPush => &[Approvals, Objections, TestSend, ContentChecks, Quota],
        }
    }

    pub fn checks(self, rule: Rule) -> bool {
        self.rules().contains(&rule)
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

/// Rule 4's inputs: the newest preview (for a release, the preview it was released with)
/// and the policy's limits.
#[derive(Debug, Clone)]
pub struct PreviewRule<'a> {
    pub preview: Option<&'a PreviewFacts>,
    /// Following friends now (a broadcast's preview can drift from it).
    pub friends_now: i64,
    pub max_age_minutes: i64,
    pub max_drift_percent: i64,
}

/// Rule 6's inputs.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleFacts {
    /// The revision's own send time; `None` means "when released".
    pub send_at: Option<DateTime<Utc>>,
    pub quiet_hours: QuietHours,
    pub time_zone: Tz,
    /// The undo window of an immediate release (`release_hold_seconds`).
    pub hold_seconds: i64,
}

/// What LINE said of this month's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaReading {
    /// The plan has no monthly limit.
    Unlimited,
    Limited {
        limit: i64,
        used: i64,
    },
    /// LINE could not be asked just now.
    Unknown,
}

/// The quota rule's inputs: what this send needs, what LINE reports, and what releases
/// not yet sent have reserved of what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaFacts {
    pub needed: i64,
    pub reading: QuotaReading,
    /// Recipients of other releases not yet handed to LINE (scheduled, or still sending).
    pub reserved: i64,
}

impl QuotaFacts {
    /// Messages left for this send: the month's limit, less what was used and reserved.
    pub fn available(&self) -> Option<i64> {
        match self.reading {
            QuotaReading::Limited { limit, used } => Some((limit - used - self.reserved).max(0)),
            _ => None,
        }
    }
}

/// The test-send rule's inputs: the staff phones that may receive a test now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TesterFacts {
    /// Testers paired to an active staff member who have not blocked the account.
    pub eligible: usize,
    /// The policy's `max_testers`.
    pub max: i64,
}

/// Everything the gate may be asked about. Each moment reads the facts of its rules; a
/// rule whose fact is missing fails (the gate never passes on what it was not told).
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub now: DateTime<Utc>,
    pub approval: Option<&'a ApprovalStatus>,
    /// The content hash of the revision that would be sent.
    pub content_hash: &'a str,
    pub test_sends: &'a [TestSendFacts],
    pub preview: Option<PreviewRule<'a>>,
    /// The pre-send checks' findings; `None` when they were not run.
    pub findings: Option<&'a [Finding]>,
    /// `Finding::key()`s of the warnings the person acknowledged.
    pub acknowledged_warnings: &'a [String],
    /// True when warnings must be acknowledged now (releasing, activating, sending);
    /// false when only showing where a draft stands.
    pub acknowledging: bool,
    pub schedule: Option<ScheduleFacts>,
    pub quota: Option<QuotaFacts>,
    /// Required to release; `None` when only showing the gate.
    pub confirmation: Option<Confirmation<'a>>,
    pub testers: Option<TesterFacts>,
}

impl<'a> Facts<'a> {
    /// Facts with nothing known yet, at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        Facts {
            now,
            approval: None,
            content_hash: "",
            test_sends: &[],
            preview: None,
            findings: None,
            acknowledged_warnings: &[],
            acknowledging: false,
            schedule: None,
            quota: None,
            confirmation: None,
            testers: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub rule: Rule,
    pub ok: bool,
    /// Why it is not green, or what made it green, in words for the person.
    pub reason: String,
    /// For a red check that turns green by itself (quiet hours end, LINE answers again):
    /// when to look again.
    pub passes_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateReport {
    pub moment: Moment,
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

    /// Whether `rule` is green, or not asked at this moment.
    pub fn ok(&self, rule: Rule) -> bool {
        self.check(rule).is_none_or(|c| c.ok)
    }
}

/// What a sender does with the gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Nothing is wrong that a person must fix; look again at this time.
    Wait {
        until: DateTime<Utc>,
    },
    /// A person must act: nothing is sent, and the failing checks say why.
    Hold {
        reasons: Vec<Check>,
    },
}

/// What a sender does at `report.moment`. A step waits out quiet hours (and a quota LINE
/// could not report); a scheduled release and a greeting's push wait only for the quota
/// reading, and a release is held when it would start in quiet hours (a person chose that
/// time). Everything else holds.
pub fn decide(report: &GateReport) -> Decision {
    let failing: Vec<&Check> = report.failing().collect();
    if failing.is_empty() {
        return Decision::Send;
    }
    let may_wait = |c: &Check| match report.moment {
        Moment::Step => c.passes_at.is_some(),
        Moment::Dispatch | Moment::GreetingPush => c.rule == Rule::Quota && c.passes_at.is_some(),
        _ => false,
    };
    if failing.iter().all(|c| may_wait(c))
        && let Some(until) = failing.iter().filter_map(|c| c.passes_at).max()
    {
        return Decision::Wait { until };
    }
    Decision::Hold {
        reasons: failing.into_iter().cloned().collect(),
    }
}

/// Rule 1's extra approval: an audience at or above the threshold needs one more. Judged
/// on the number actually sent (the friend count for a broadcast, the snapshot for a
/// segment send), at release and again at dispatch.
pub fn is_large_audience(recipients: i64, threshold: i64) -> bool {
    recipients >= threshold.max(1)
}

/// When a release made at `now` is handed to LINE: the revision's own send time, or after
/// the undo window, moved to the end of quiet hours when it would fall inside them. An
/// error says why it cannot be released as it is.
pub fn release_time(
    s: &ScheduleFacts,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Timing), String> {
    let quiet = s.quiet_hours;
    let window = format!(
        "{} to {} {}",
        quiet.start.format("%H:%M"),
        quiet.end.format("%H:%M"),
        s.time_zone.name()
    );
    match s.send_at {
        Some(at) if at < now => Err("The send time is in the past; choose a new one.".into()),
        Some(at) if quiet.contains(at, s.time_zone) => Err(format!(
            "The send time falls in quiet hours ({window}); choose another time. An admin can change quiet hours in the release policy."
        )),
        Some(at) => Ok((at, Timing::At)),
        None => {
            let after_hold = now + Duration::seconds(s.hold_seconds.max(0));
            if quiet.contains(after_hold, s.time_zone) {
                Ok((quiet.next_open(after_hold, s.time_zone), Timing::QuietEnd))
            } else {
                Ok((after_hold, Timing::Now))
            }
        }
    }
}

/// How a release's send time was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Released "now": sent once the undo window has passed.
    Now,
    /// At the revision's own send time.
    At,
    /// Released during quiet hours: sent when they end.
    QuietEnd,
}

impl Timing {
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::Now => "now",
            Timing::At => "at",
            Timing::QuietEnd => "quiet_end",
        }
    }

    pub fn parse(s: &str) -> Option<Timing> {
        [Timing::Now, Timing::At, Timing::QuietEnd]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// A count as people read it: `12,340`.
fn commas(n: i64) -> String {
    let digits = with_commas(n.unsigned_abs() as usize);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// The local time people read, with the zone: `2026-11-21 08:00 Asia/Tokyo`.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} {}",
        at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        tz.name()
    )
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
            passes_at: None,
        },
        None => Check {
            rule,
            ok: true,
            reason: fine.into(),
            passes_at: None,
        },
    }
}

fn not_known(rule: Rule) -> Check {
    check(
        rule,
        Some("sendgate could not tell; it was not checked.".into()),
        "",
    )
}

/// The gate at `moment`: every rule of the moment, each green or red with its reason.
pub fn evaluate(moment: Moment, f: &Facts<'_>) -> GateReport {
    let checks = moment
        .rules()
        .iter()
        .filter_map(|rule| match rule {
            Rule::Approvals => Some(f.approval.map_or_else(|| not_known(*rule), approvals_check)),
            Rule::Objections => Some(
                f.approval
                    .map_or_else(|| not_known(*rule), objections_check),
            ),
            Rule::TestSend => Some(test_send_check(f.test_sends, f.content_hash)),
            Rule::Preview => Some(
                f.preview
                    .as_ref()
                    .map_or_else(|| not_known(*rule), |p| preview_check(moment, p, f)),
            ),
            Rule::ContentChecks => Some(f.findings.map_or_else(
                || not_known(*rule),
                |findings| content_check(findings, f.acknowledged_warnings, f.acknowledging),
            )),
            Rule::Schedule => Some(
                f.schedule
                    .as_ref()
                    .map_or_else(|| not_known(*rule), |s| schedule_check(moment, s, f.now)),
            ),
            Rule::Quota => Some(
                f.quota
                    .as_ref()
                    .map_or_else(|| not_known(*rule), |q| quota_check(moment, q, f.now)),
            ),
            // Shown only once the person has filled in the release form.
            Rule::Confirmation => f.confirmation.map(confirmation_check),
            Rule::Testers => Some(f.testers.map_or_else(|| not_known(*rule), testers_check)),
        })
        .collect();
    GateReport { moment, checks }
}

/// Rule 1: enough approvals of this exact revision by reviewers other than its authors.
fn approvals_check(a: &ApprovalStatus) -> Check {
    let (n, m) = (a.approvers.len(), a.required);
    let missing = !a.is_approved() || n < m;
    let reason = match (missing, a.extra_for_large_audience) {
        (true, false) => format!(
            "{n} of {m} approvals of this exact revision by reviewers who did not write any of it."
        ),
        (true, true) => format!(
            "{n} of {m} approvals of this exact revision by reviewers who did not write any of it (one more for a large audience)."
        ),
        (false, false) => format!("{n} of {m} approvals."),
        (false, true) => format!("{n} of {m} approvals (one more for a large audience)."),
    };
    Check {
        rule: Rule::Approvals,
        ok: !missing,
        reason,
        passes_at: None,
    }
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
fn test_send_check(test_sends: &[TestSendFacts], content_hash: &str) -> Check {
    let confirmed = test_sends
        .iter()
        .find(|t| t.content_hash == content_hash && t.accepted > 0 && t.confirmed_by.is_some());
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
                .any(|t| t.content_hash == content_hash && t.accepted > 0);
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

/// Rule 4. At release: previewed, acknowledged, fresh, and (broadcast) not drifted. At
/// dispatch the age no longer matters, the drift does.
fn preview_check(moment: Moment, p: &PreviewRule<'_>, f: &Facts<'_>) -> Check {
    let max_age = if moment == Moment::Dispatch {
        i64::MAX
    } else {
        p.max_age_minutes
    };
    let gate = preview_gate(
        p.preview,
        f.content_hash,
        f.now,
        max_age,
        p.max_drift_percent,
        p.friends_now,
    );
    check(
        Rule::Preview,
        (!gate.is_ok()).then(|| gate.explain()),
        gate.explain(),
    )
}

/// The preview rule's answer alone, for pages that show it in their own words.
pub fn preview_state(
    moment: Moment,
    p: &PreviewRule<'_>,
    content_hash: &str,
    now: DateTime<Utc>,
) -> PreviewGate {
    let max_age = if moment == Moment::Dispatch {
        i64::MAX
    } else {
        p.max_age_minutes
    };
    preview_gate(
        p.preview,
        content_hash,
        now,
        max_age,
        p.max_drift_percent,
        p.friends_now,
    )
}

/// Rule 5: no content errors; when sending, every warning acknowledged.
fn content_check(findings: &[Finding], acknowledged: &[String], acknowledging: bool) -> Check {
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
    } else if unacknowledged > 0 && acknowledging {
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

/// Rule 6. At release the send time must be ahead and outside quiet hours (a release "now"
/// inside them waits for their end). When handing over, now must be outside them.
fn schedule_check(moment: Moment, s: &ScheduleFacts, now: DateTime<Utc>) -> Check {
    if moment == Moment::Release {
        return match release_time(s, now) {
            Err(why) => check(Rule::Schedule, Some(why), ""),
            Ok((_, Timing::At)) => check(Rule::Schedule, None, "The send time is fine."),
            Ok((at, Timing::QuietEnd)) => check(
                Rule::Schedule,
                None,
                format!(
                    "Quiet hours are in force now: it will be sent at {}, when they end.",
                    local(at, s.time_zone)
                ),
            ),
            Ok((_, Timing::Now)) if s.hold_seconds > 0 => check(
                Rule::Schedule,
                None,
                format!(
                    "Sent {} seconds after release; until then it can be cancelled.",
                    s.hold_seconds
                ),
            ),
            Ok((_, Timing::Now)) => check(Rule::Schedule, None, "Sent when released."),
        };
    }
    let quiet = s.quiet_hours;
    if quiet.contains(now, s.time_zone) {
        let open = quiet.next_open(now, s.time_zone);
        return Check {
            rule: Rule::Schedule,
            ok: false,
            reason: format!(
                "Quiet hours ({} to {} {}) are in force now; nothing is sent before {}.",
                quiet.start.format("%H:%M"),
                quiet.end.format("%H:%M"),
                s.time_zone.name(),
                local(open, s.time_zone)
            ),
            passes_at: Some(open),
        };
    }
    check(Rule::Schedule, None, "Outside quiet hours.")
}

/// Every send's recipients against this month's quota, less what releases not yet sent
/// have reserved.
fn quota_check(moment: Moment, q: &QuotaFacts, now: DateTime<Utc>) -> Check {
    match q.reading {
        QuotaReading::Unlimited => check(Rule::Quota, None, "The plan has no monthly limit."),
        QuotaReading::Unknown if moment == Moment::Release => check(
            Rule::Quota,
            None,
            "LINE did not report the quota just now; it is checked again when sending.",
        ),
        QuotaReading::Unknown => Check {
            rule: Rule::Quota,
            ok: false,
            reason: "LINE did not report the monthly quota; sendgate asks again shortly.".into(),
            passes_at: Some(now + Duration::minutes(1)),
        },
        QuotaReading::Limited { limit, used } => {
            let left = q.available().unwrap_or(0);
            let (n, l, r) = (commas(q.needed), commas(left), commas(q.reserved));
            let (u, lim) = (commas(used), commas(limit));
            let reason = match (q.needed > left, q.reserved > 0) {
                (true, false) => {
                    format!("This send needs {n} messages but only {l} are left this month.")
                }
                (true, true) => format!(
                    "This send needs {n} messages but only {l} are left this month: {r} more are reserved by releases not yet sent."
                ),
                (false, false) => {
                    format!("Uses {n} of the {l} messages left this month ({u} of {lim} used).")
                }
                (false, true) => format!(
                    "Uses {n} of the {l} messages left this month ({u} of {lim} used; {r} more are reserved by releases not yet sent)."
                ),
            };
            Check {
                rule: Rule::Quota,
                ok: q.needed <= left,
                reason,
                passes_at: None,
            }
        }
    }
}

/// Rule 7: the irreversibility warning read, and the phrase typed.
fn confirmation_check(c: Confirmation<'_>) -> Check {
    let problem = if !c.read_warning {
        Some("Confirm that you read that this cannot be taken back.".to_string())
    } else if !phrase_matches(c.typed, c.expected) {
        Some(format!("Type {} to confirm.", c.expected))
    } else {
        None
    };
    check(Rule::Confirmation, problem, "Confirmed.")
}

/// Test sends reach only staff phones: paired testers of active staff members, within the
/// policy's number.
fn testers_check(t: TesterFacts) -> Check {
    check(
        Rule::Testers,
        if t.eligible == 0 {
            Some("No staff phone is paired as a tester yet: pair your own LINE account on the Testers page.".into())
        } else if t.eligible as i64 > t.max {
            Some(format!(
                "{} testers are paired but the policy allows {}; an admin must remove some first.",
                t.eligible, t.max
            ))
        } else {
            None
        },
        format!(
            "{} staff phone{}.",
            t.eligible,
            if t.eligible == 1 { "" } else { "s" }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone};

    use crate::domain::checks::Finding;

    fn approved() -> ApprovalStatus {
        ApprovalStatus {
            approvers: vec![2, 3],
            required: 2,
            extra_for_large_audience: false,
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

    fn preview_facts() -> PreviewFacts {
        PreviewFacts {
            content_hash: "h".into(),
            taken_at: noon() - Duration::hours(1),
            acknowledged: true,
            is_broadcast: true,
            friend_count: 1000,
        }
    }

    #[derive(Debug, Clone)]
    pub(super) struct Case {
        pub approval: ApprovalStatus,
        pub tests: Vec<TestSendFacts>,
        pub preview: Option<PreviewFacts>,
        pub friends_now: i64,
        pub findings: Vec<Finding>,
        pub acked: Vec<String>,
        pub send_at: Option<DateTime<Utc>>,
        pub now: DateTime<Utc>,
        pub quota: QuotaFacts,
        pub typed: &'static str,
        pub read: bool,
    }

    pub(super) fn green() -> Case {
        Case {
            approval: approved(),
            tests: tested(),
            preview: Some(preview_facts()),
            friends_now: 1000,
            findings: vec![],
            acked: vec![],
            send_at: None,
            now: noon(),
            quota: QuotaFacts {
                needed: 1000,
                reading: QuotaReading::Limited {
                    limit: 5000,
                    used: 0,
                },
                reserved: 0,
            },
            typed: "1,000",
            read: true,
        }
    }

    pub(super) fn run_at(moment: Moment, c: &Case) -> GateReport {
        evaluate(
            moment,
            &Facts {
                now: c.now,
                approval: Some(&c.approval),
                content_hash: "h",
                test_sends: &c.tests,
                preview: Some(PreviewRule {
                    preview: c.preview.as_ref(),
                    friends_now: c.friends_now,
                    max_age_minutes: 24 * 60,
                    max_drift_percent: 5,
                }),
                findings: Some(&c.findings),
                acknowledged_warnings: &c.acked,
                acknowledging: true,
                schedule: Some(ScheduleFacts {
                    send_at: c.send_at,
                    quiet_hours: quiet(),
                    time_zone: chrono_tz::Asia::Tokyo,
                    hold_seconds: 60,
                }),
                quota: Some(c.quota),
                confirmation: Some(Confirmation {
                    typed: c.typed,
                    expected: "1000",
                    read_warning: c.read,
                }),
                testers: None,
            },
        )
    }

    fn run(c: &Case) -> GateReport {
        run_at(Moment::Release, c)
    }

    fn failing_at(moment: Moment, c: &Case) -> Vec<Rule> {
        run_at(moment, c).failing().map(|x| x.rule).collect()
    }

    fn failing(c: &Case) -> Vec<Rule> {
        failing_at(Moment::Release, c)
    }

    /// Every moment a customer send is asked at.
    const SENDING_MOMENTS: [Moment; 7] = [
        Moment::Release,
        Moment::Dispatch,
        Moment::Activation,
        Moment::Step,
        Moment::Greeting,
        Moment::GreetingReply,
        Moment::GreetingPush,
    ];

    #[test]
    fn each_moment_checks_exactly_its_rules_in_order() {
        for moment in SENDING_MOMENTS {
            let rules: Vec<Rule> = run_at(moment, &green())
                .checks
                .iter()
                .map(|c| c.rule)
                .collect();
            assert_eq!(rules, moment.rules(), "{moment:?}");
        }
        assert_eq!(
            Moment::Activation.rules(),
            [
                Rule::Approvals,
                Rule::Objections,
                Rule::TestSend,
                Rule::ContentChecks
            ]
        );
        assert!(!Moment::Dispatch.checks(Rule::Confirmation));
        assert_eq!(Moment::TestSend.rules(), [Rule::Testers]);
        // A greeting is activated like a release, without a preview or a send time, and
        // sent without quiet hours; only its push uses quota.
        assert_eq!(
            Moment::Greeting.rules(),
            [
                Rule::Approvals,
                Rule::Objections,
                Rule::TestSend,
                Rule::ContentChecks,
                Rule::Confirmation
            ]
        );
        for moment in [
            Moment::Greeting,
            Moment::GreetingReply,
            Moment::GreetingPush,
        ] {
            assert!(!moment.checks(Rule::Schedule), "{moment:?}");
            assert!(!moment.checks(Rule::Preview), "{moment:?}");
        }
        assert!(!Moment::GreetingReply.checks(Rule::Quota));
        assert!(Moment::GreetingPush.checks(Rule::Quota));
    }

    #[test]
    fn everything_in_place_is_green_at_every_moment() {
        for moment in SENDING_MOMENTS {
            assert!(run_at(moment, &green()).is_green(), "{moment:?}");
            assert_eq!(decide(&run_at(moment, &green())), Decision::Send);
        }
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
        c.preview.as_mut().unwrap().acknowledged = false;
        assert_eq!(failing(&c), [Rule::Preview]);

        let mut c = green();
        c.findings = vec![Finding::error("placeholder", "Leftover ○○", None)];
        assert_eq!(failing(&c), [Rule::ContentChecks]);

        let mut c = green();
        c.send_at = Some(noon() - Duration::minutes(1));
        assert_eq!(failing(&c), [Rule::Schedule]);

        let mut c = green();
        c.send_at = Some(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()); // 23:00 JST
        assert_eq!(failing(&c), [Rule::Schedule]);

        let mut c = green();
        c.quota.reserved = 4500;
        assert_eq!(failing(&c), [Rule::Quota]);

        let mut c = green();
        c.typed = "999";
        assert_eq!(failing(&c), [Rule::Confirmation]);

        let mut c = green();
        c.read = false;
        assert_eq!(failing(&c), [Rule::Confirmation]);
    }

    #[test]
    fn a_missing_fact_fails_its_rule_instead_of_passing_it() {
        let report = evaluate(Moment::Dispatch, &Facts::at(noon()));
        let failing: Vec<Rule> = report.failing().map(|c| c.rule).collect();
        assert_eq!(failing, Moment::Dispatch.rules());
        assert!(matches!(decide(&report), Decision::Hold { .. }));
        let t = evaluate(Moment::TestSend, &Facts::at(noon()));
        assert!(!t.is_green());
    }

    #[test]
    fn warnings_must_be_acknowledged_at_release_but_do_not_block_the_page() {
        let mut c = green();
        let w = Finding::warning("link_not_https", "http link", None);
        c.findings = vec![w.clone()];
        assert_eq!(failing(&c), [Rule::ContentChecks]);
        c.acked = vec![w.key()];
        assert!(run(&c).is_green());
        let mut page = Facts {
            acknowledging: false,
            confirmation: None,
            ..Facts::at(noon())
        };
        let status = approved();
        let tests = tested();
        let p = preview_facts();
        page.approval = Some(&status);
        page.content_hash = "h";
        page.test_sends = &tests;
        page.findings = Some(&c.findings);
        page.preview = Some(PreviewRule {
            preview: Some(&p),
            friends_now: 1000,
            max_age_minutes: 1440,
            max_drift_percent: 5,
        });
        page.schedule = Some(ScheduleFacts {
            send_at: None,
            quiet_hours: quiet(),
            time_zone: chrono_tz::Asia::Tokyo,
            hold_seconds: 60,
        });
        page.quota = Some(green().quota);
        let report = evaluate(Moment::Release, &page);
        assert!(report.is_green(), "{report:?}");
        assert!(report.check(Rule::Confirmation).is_none());
    }

    #[test]
    fn a_release_now_inside_quiet_hours_is_sent_when_they_end_without_a_new_revision() {
        let mut c = green();
        c.now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(); // 23:30 JST
        c.preview.as_mut().unwrap().taken_at = c.now - Duration::hours(1);
        let report = run(&c);
        assert!(report.is_green(), "{report:?}");
        let why = &report.check(Rule::Schedule).unwrap().reason;
        assert!(why.contains("2026-11-21 08:00 Asia/Tokyo"), "{why}");
        let s = ScheduleFacts {
            send_at: None,
            quiet_hours: quiet(),
            time_zone: chrono_tz::Asia::Tokyo,
            hold_seconds: 60,
        };
        assert_eq!(
            release_time(&s, c.now),
            Ok((
                Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap(),
                Timing::QuietEnd
            ))
        );
        // Outside quiet hours: after the undo window.
        assert_eq!(
            release_time(&s, noon()),
            Ok((noon() + Duration::seconds(60), Timing::Now))
        );
        // The window ending inside quiet hours also waits for their end.
        let late = Utc.with_ymd_and_hms(2026, 11, 20, 12, 59, 30).unwrap(); // 21:59:30
        assert_eq!(release_time(&s, late).unwrap().1, Timing::QuietEnd);
    }

    #[test]
    fn an_explicit_send_time_in_quiet_hours_is_refused_saying_who_can_change_them() {
        let s = ScheduleFacts {
            send_at: Some(Utc.with_ymd_and_hms(2026, 11, 20, 14, 0, 0).unwrap()),
            quiet_hours: quiet(),
            time_zone: chrono_tz::Asia::Tokyo,
            hold_seconds: 60,
        };
        let why = release_time(&s, noon()).unwrap_err();
        assert!(why.contains("22:00 to 08:00 Asia/Tokyo"), "{why}");
        assert!(why.contains("An admin can change quiet hours"), "{why}");
    }

    #[test]
    fn at_dispatch_the_preview_may_be_old_but_a_broadcast_must_not_have_drifted() {
        let mut c = green();
        c.now = noon() + Duration::days(3);
        assert_eq!(failing_at(Moment::Release, &c), [Rule::Preview]);
        assert!(failing_at(Moment::Dispatch, &c).is_empty());
        c.friends_now = 2000;
        c.quota.needed = 2000;
        assert_eq!(failing_at(Moment::Dispatch, &c), [Rule::Preview]);
        assert!(matches!(
            decide(&run_at(Moment::Dispatch, &c)),
            Decision::Hold { .. }
        ));
    }

    #[test]
    fn a_scheduled_release_reaching_quiet_hours_is_held_but_a_step_waits_for_their_end() {
        let mut c = green();
        c.now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(); // 23:30 JST
        let dispatch = run_at(Moment::Dispatch, &c);
        assert_eq!(
            dispatch.failing().map(|x| x.rule).collect::<Vec<_>>(),
            [Rule::Schedule]
        );
        assert!(matches!(decide(&dispatch), Decision::Hold { .. }));
        let step = run_at(Moment::Step, &c);
        assert_eq!(
            decide(&step),
            Decision::Wait {
                until: Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap()
            }
        );
    }

    #[test]
    fn a_greeting_answers_a_new_friend_in_quiet_hours_too() {
        let mut c = green();
        c.now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap(); // 23:30 JST
        assert_eq!(failing_at(Moment::Step, &c), [Rule::Schedule]);
        for moment in [
            Moment::Greeting,
            Moment::GreetingReply,
            Moment::GreetingPush,
        ] {
            assert_eq!(decide(&run_at(moment, &c)), Decision::Send, "{moment:?}");
        }
    }

    #[test]
    fn a_greeting_is_activated_only_with_the_warning_read_and_the_name_typed() {
        let mut c = green();
        c.read = false;
        assert_eq!(failing_at(Moment::Greeting, &c), [Rule::Confirmation]);
        let mut c = green();
        c.typed = "another account";
        assert_eq!(failing_at(Moment::Greeting, &c), [Rule::Confirmation]);
        // An unapproved or untested greeting is refused like a release.
        let mut c = green();
        c.approval.approvers = vec![2];
        c.tests.clear();
        assert_eq!(
            failing_at(Moment::Greeting, &c),
            [Rule::Approvals, Rule::TestSend]
        );
        assert!(matches!(
            decide(&run_at(Moment::Greeting, &c)),
            Decision::Hold { .. }
        ));
    }

    #[test]
    fn a_greeting_push_waits_for_a_quota_line_did_not_report_and_a_reply_never_asks_it() {
        let mut c = green();
        c.quota.reading = QuotaReading::Unknown;
        assert_eq!(decide(&run_at(Moment::GreetingReply, &c)), Decision::Send);
        assert_eq!(
            decide(&run_at(Moment::GreetingPush, &c)),
            Decision::Wait {
                until: noon() + Duration::minutes(1)
            }
        );
        c.quota = QuotaFacts {
            needed: 1,
            reading: QuotaReading::Limited {
                limit: 10,
                used: 10,
            },
            reserved: 0,
        };
        assert_eq!(decide(&run_at(Moment::GreetingReply, &c)), Decision::Send);
        assert_eq!(failing_at(Moment::GreetingPush, &c), [Rule::Quota]);
        assert!(matches!(
            decide(&run_at(Moment::GreetingPush, &c)),
            Decision::Hold { .. }
        ));
        // A disabled approver holds the reply too: nothing of the approvals waits.
        let mut c = green();
        c.approval.approvers = vec![2];
        assert!(matches!(
            decide(&run_at(Moment::GreetingReply, &c)),
            Decision::Hold { .. }
        ));
    }

    #[test]
    fn an_unknown_quota_waits_when_sending_and_does_not_block_a_release() {
        let mut c = green();
        c.quota.reading = QuotaReading::Unknown;
        assert!(run(&c).is_green());
        for moment in [Moment::Dispatch, Moment::Step] {
            assert_eq!(
                decide(&run_at(moment, &c)),
                Decision::Wait {
                    until: noon() + Duration::minutes(1)
                },
                "{moment:?}"
            );
        }
        // With another problem it is held: waiting would not fix that.
        c.approval.approvers = vec![2];
        assert!(matches!(
            decide(&run_at(Moment::Dispatch, &c)),
            Decision::Hold { .. }
        ));
    }

    #[test]
    fn quota_counts_what_other_releases_reserved() {
        let q = QuotaFacts {
            needed: 600,
            reading: QuotaReading::Limited {
                limit: 1000,
                used: 0,
            },
            reserved: 500,
        };
        assert_eq!(q.available(), Some(500));
        let mut c = green();
        c.quota = q;
        let report = run(&c);
        let why = &report.check(Rule::Quota).unwrap().reason;
        assert!(!report.ok(Rule::Quota));
        assert!(why.contains("only 500 are left"), "{why}");
        assert!(why.contains("500 more are reserved"), "{why}");
        c.quota.reading = QuotaReading::Unlimited;
        assert!(run(&c).is_green());
    }

    #[test]
    fn the_large_audience_threshold_is_judged_on_the_number_sent() {
        assert!(!is_large_audience(9_999, 10_000));
        assert!(is_large_audience(10_000, 10_000));
        let mut c = green();
        c.approval.required = 3;
        c.approval.extra_for_large_audience = true;
        let report = run(&c);
        let why = &report.check(Rule::Approvals).unwrap().reason;
        assert!(
            why.contains("2 of 3") && why.contains("large audience"),
            "{why}"
        );
    }

    #[test]
    fn test_sends_need_a_paired_staff_phone_within_the_policy() {
        let at = |eligible, max| {
            evaluate(
                Moment::TestSend,
                &Facts {
                    testers: Some(TesterFacts { eligible, max }),
                    ..Facts::at(noon())
                },
            )
        };
        assert!(at(2, 10).is_green());
        assert!(!at(0, 10).is_green());
        let over = at(11, 10);
        assert!(over.failing().next().unwrap().reason.contains("allows 10"));
    }

    #[test]
    fn the_typed_phrase_ignores_separators_and_full_width_digits() {
        assert!(phrase_matches("12,340", "12340"));
        assert!(phrase_matches("１２，３４０", "12340"));
        assert!(phrase_matches(" 12340 ", "12,340"));
        assert!(!phrase_matches("1234", "12340"));
        assert!(!phrase_matches("", ""));
    }

    #[test]
    fn rules_and_timings_round_trip_through_their_names() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
        }
        for t in [Timing::Now, Timing::At, Timing::QuietEnd] {
            assert_eq!(Timing::parse(t.as_str()), Some(t));
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any facts a release could be asked with: counts, states, times and readings
        /// drawn freely, including the unlikely ones.
        fn case() -> impl Strategy<Value = Case> {
            (
                (0..4usize, 1..4usize, any::<bool>(), any::<bool>()),
                (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
                (0..3000i64, 0..72i64, 0..2000i64),
                (any::<bool>(), any::<bool>(), any::<bool>()),
                (0..48i64, prop::option::of(-12..48i64)),
                (0..3000i64, 0..3000i64, 0..3000i64, 0..3u8),
            )
                .prop_map(
                    |(
                        (approvers, required, objection, extra),
                        (tested, confirmed, previewed, acknowledged),
                        (friends_then, age_hours, friends_now),
                        (error, warning, acked),
                        (now_half_hours, send_in_half_hours),
                        (needed, limit, reserved, reading),
                    )| {
                        let now = noon() + Duration::minutes(30 * now_half_hours);
                        let mut c = green();
                        c.now = now;
                        c.approval.approvers = (10..10 + approvers as i64).collect();
                        c.approval.required = required;
                        c.approval.extra_for_large_audience = extra;
                        c.approval.objections = if objection { vec![99] } else { vec![] };
                        c.tests = if tested {
                            vec![TestSendFacts {
                                content_hash: "h".into(),
                                accepted: 1,
                                confirmed_by: confirmed.then(|| "rei".into()),
                            }]
                        } else {
                            vec![]
                        };
                        c.preview = previewed.then(|| PreviewFacts {
                            content_hash: "h".into(),
                            taken_at: now - Duration::hours(age_hours),
                            acknowledged,
                            is_broadcast: true,
                            friend_count: friends_then,
                        });
                        c.friends_now = friends_now;
                        c.findings = [
                            error.then(|| Finding::error("placeholder", "○○", None)),
                            warning.then(|| Finding::warning("link_not_https", "http", None)),
                        ]
                        .into_iter()
                        .flatten()
                        .collect();
                        c.acked = if acked {
                            c.findings.iter().map(Finding::key).collect()
                        } else {
                            vec![]
                        };
                        c.send_at = send_in_half_hours.map(|h| now + Duration::minutes(30 * h));
                        c.quota = QuotaFacts {
                            needed,
                            reading: match reading {
                                0 => QuotaReading::Limited { limit, used: 0 },
                                1 => QuotaReading::Unlimited,
                                _ => QuotaReading::Unknown,
                            },
                            reserved,
                        };
                        c
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// Whatever the facts, a sender sends only on a green gate, and a red gate at
            /// the moment of sending never sends.
            #[test]
            fn nothing_is_sent_unless_every_rule_of_the_moment_is_green(c in case()) {
                for moment in SENDING_MOMENTS {
                    let report = run_at(moment, &c);
                    prop_assert_eq!(decide(&report) == Decision::Send, report.is_green(), "{:?}", moment);
                    prop_assert!(report.checks.iter().all(|k| moment.checks(k.rule)));
                }
            }

            /// The rules a scheduled release is asked again at dispatch are the release's
            /// own: the same facts give the same answer, except the preview's age (it was
            /// fresh when the person released) and the schedule (now must be outside
            /// quiet hours, instead of the send time being ahead).
            #[test]
            fn dispatch_asks_the_release_rules_again_with_the_facts_of_the_moment(c in case()) {
                let release = run_at(Moment::Release, &c);
                let dispatch = run_at(Moment::Dispatch, &c);
                for rule in [Rule::Approvals, Rule::Objections, Rule::TestSend, Rule::ContentChecks] {
                    prop_assert_eq!(release.check(rule), dispatch.check(rule));
                }
                // A quota LINE did not report blocks no release but is waited for when sending.
                if c.quota.reading != QuotaReading::Unknown {
                    prop_assert_eq!(release.check(Rule::Quota), dispatch.check(Rule::Quota));
                }
                let mut fresh = c.clone();
                if let Some(p) = fresh.preview.as_mut() {
                    p.taken_at = fresh.now;
                }
                prop_assert_eq!(
                    run_at(Moment::Release, &fresh).ok(Rule::Preview),
                    dispatch.ok(Rule::Preview)
                );
                prop_assert_eq!(
                    dispatch.ok(Rule::Schedule),
                    !quiet().contains(c.now, chrono_tz::Asia::Tokyo)
                );
            }

            /// A step waits out quiet hours (and a quota LINE did not report) instead of
            /// being held; anything a person must fix holds it.
            #[test]
            fn a_step_waits_only_for_what_passes_by_itself(c in case()) {
                let report = run_at(Moment::Step, &c);
                match decide(&report) {
                    Decision::Wait { until } => {
                        prop_assert!(until > c.now);
                        prop_assert!(report.failing().all(|k| matches!(k.rule, Rule::Schedule | Rule::Quota)));
                        if !report.ok(Rule::Schedule) {
                            prop_assert!(!quiet().contains(until, chrono_tz::Asia::Tokyo));
                        }
                    }
                    Decision::Hold { reasons } => {
                        prop_assert!(reasons.iter().any(|k| k.passes_at.is_none()));
                    }
                    Decision::Send => prop_assert!(report.is_green()),
                }
            }

            /// A greeting is judged when it answers a friend by exactly the rules it was
            /// activated with, bar the typed name: the same facts give the same answers,
            /// whatever the hour; its push adds the quota, and nothing else.
            #[test]
            fn a_greeting_send_asks_its_activation_rules_again_at_any_hour(c in case()) {
                let activation = run_at(Moment::Greeting, &c);
                let reply = run_at(Moment::GreetingReply, &c);
                let push = run_at(Moment::GreetingPush, &c);
                for rule in [Rule::Approvals, Rule::Objections, Rule::TestSend, Rule::ContentChecks] {
                    prop_assert_eq!(activation.check(rule), reply.check(rule));
                    prop_assert_eq!(reply.check(rule), push.check(rule));
                }
                prop_assert!(reply.check(Rule::Schedule).is_none());
                prop_assert_eq!(
                    decide(&push) == Decision::Send,
                    reply.is_green() && push.ok(Rule::Quota)
                );
                if let Decision::Wait { .. } = decide(&push) {
                    prop_assert!(reply.is_green() && c.quota.reading == QuotaReading::Unknown);
                }
                let reply_waits = matches!(decide(&reply), Decision::Wait { .. });
                prop_assert!(!reply_waits);
            }

            /// An approver who leaves (disabled, or no longer a reviewer) can only turn the
            /// approvals rule red, at release and at dispatch alike.
            #[test]
            fn losing_an_approver_never_makes_a_gate_greener(c in case()) {
                let mut fewer = c.clone();
                fewer.approval.approvers.pop();
                for moment in SENDING_MOMENTS {
                    let before = run_at(moment, &c);
                    let after = run_at(moment, &fewer);
                    prop_assert!(before.ok(Rule::Approvals) || !after.ok(Rule::Approvals));
                    prop_assert!(before.is_green() || !after.is_green());
                }
            }
        }
    }
}
