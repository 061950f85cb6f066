//! Step scenarios (ステップ配信, issue #7), pure: the trigger and who enters, the delay of a
//! step and the due-time arithmetic in the account's time zone, the scenario lifecycle,
//! the activation decision (gate rules 1, 2, 3 and 5 for every step, an acknowledged impact
//! preview, the typed name), and what happens to messages held while a step was edited.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::FieldError;
use super::policy::HeldMessages;

/// Longest delay a step may have.
pub const MAX_DELAY_DAYS: i64 = 365;
const DAY: i64 = 86_400;

/// Which follows put a friend into the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Only a friend's first add; a friend who unblocks does not enter.
    FirstAdd,
    /// Any add; a friend already in the scenario continues where they were.
    EveryAdd,
    /// Any add; a re-follow starts the scenario over for that friend.
    EveryAddRestart,
}

impl Trigger {
    pub const ALL: [Trigger; 3] = [
        Trigger::FirstAdd,
        Trigger::EveryAdd,
        Trigger::EveryAddRestart,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::FirstAdd => "first_add",
            Trigger::EveryAdd => "every_add",
            Trigger::EveryAddRestart => "every_add_restart",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Trigger::FirstAdd => "A friend was added for the first time (not an unblock)",
            Trigger::EveryAdd => {
                "A friend was added or unblocked (a friend already in it is not restarted)"
            }
            Trigger::EveryAddRestart => "A friend was added or unblocked, restarting it",
        }
    }
}

/// What a follow does to one friend's place in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrollment {
    /// Enters it now, first time.
    Enter,
    /// Starts over now as round `n`.
    Restart(i64),
    /// Nothing changes.
    Stay,
}

/// `new_friend`: the follow added a friend sendgate did not know. `round`: the friend's
/// current round in this scenario, if they are in it.
pub fn on_follow(trigger: Trigger, new_friend: bool, round: Option<i64>) -> Enrollment {
    match (trigger, round) {
        (Trigger::EveryAddRestart, Some(n)) => Enrollment::Restart(n + 1),
        (_, Some(_)) => Enrollment::Stay,
        (Trigger::FirstAdd, None) if !new_friend => Enrollment::Stay,
        (_, None) => Enrollment::Enter,
    }
}

/// When a step is due, counted from the moment the friend entered the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    /// Day 0: this many minutes after the friend was added (0 to 1439).
    MinutesAfter(i64),
    /// Day N (1 to 365) after the follow date, at this time of day in the account's zone.
    DayAt { days: i64, at: NaiveTime },
}

impl Delay {
    /// From the stored pair (days, minutes).
    pub fn from_parts(days: i64, minutes: i64) -> Delay {
        if days == 0 {
            Delay::MinutesAfter(minutes)
        } else {
            Delay::DayAt {
                days,
                at: NaiveTime::from_num_seconds_from_midnight_opt(
                    (minutes.rem_euclid(1440) * 60) as u32,
                    0,
                )
                .expect("minutes of a day"),
            }
        }
    }

    /// The stored pair (days, minutes).
    pub fn parts(self) -> (i64, i64) {
        match self {
            Delay::MinutesAfter(m) => (0, m),
            Delay::DayAt { days, at } => (days, i64::from(at.num_seconds_from_midnight()) / 60),
        }
    }

    /// Parses the step form: days, and the minutes (day 0) or the time of day (later days).
    pub fn parse(days: &str, minutes: &str, at: &str) -> Result<Delay, Vec<FieldError>> {
        let days = match days.trim().parse::<i64>() {
            Ok(d) if (0..=MAX_DELAY_DAYS).contains(&d) => d,
            _ => {
                return Err(vec![FieldError::new(
                    "delay_days",
                    format!("The delay must be a whole number of days from 0 to {MAX_DELAY_DAYS}."),
                )]);
            }
        };
        if days == 0 {
            let m = minutes.trim();
            let m = if m.is_empty() { "0" } else { m };
            match m.parse::<i64>() {
                Ok(m) if (0..1440).contains(&m) => Ok(Delay::MinutesAfter(m)),
                _ => Err(vec![FieldError::new(
                    "delay_minutes",
                    "On day 0 a step is sent a number of minutes after the friend was added: 0 to 1439.",
                )]),
            }
        } else {
            match NaiveTime::parse_from_str(at.trim(), "%H:%M") {
                Ok(at) => Ok(Delay::DayAt { days, at }),
                Err(_) => Err(vec![FieldError::new(
                    "delay_at",
                    "From day 1 on a step is sent at a time of day: enter it as HH:MM, for example 10:00.",
                )]),
            }
        }
    }

    /// In words, for pages: "30 minutes after the friend was added", "day 1 at 10:00".
    pub fn describe(self) -> String {
        match self {
            Delay::MinutesAfter(0) => "as soon as the friend is added".into(),
            Delay::MinutesAfter(m) => format!("{m} minutes after the friend is added"),
            Delay::DayAt { days, at } => format!("day {days} at {}", at.format("%H:%M")),
        }
    }
}

/// The follow date in `tz`, as days since 1970-01-01.
pub fn local_day(at: i64, tz: Tz) -> i64 {
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let date = utc.with_timezone(&tz).date_naive();
    (date - epoch()).num_days()
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Unix seconds of `at` on local day `day` in `tz`. A time skipped by a clock change is
/// taken an hour later; an ambiguous one is the earlier.
fn local_moment(day: i64, at: NaiveTime, tz: Tz) -> i64 {
    let date = epoch() + chrono::Duration::days(day);
    let naive = date.and_time(at);
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.timestamp(),
        None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp())
            .unwrap_or_else(|| naive.and_utc().timestamp()),
    }
}

/// When the step is due for a friend who entered at `entered_at` (Unix seconds).
pub fn due_at(delay: Delay, entered_at: i64, tz: Tz) -> i64 {
    match delay {
        Delay::MinutesAfter(m) => entered_at + m * 60,
        Delay::DayAt { days, at } => local_moment(local_day(entered_at, tz) + days, at, tz),
    }
}

/// When the step is due for everyone who followed on local day `day` (a `DayAt` delay;
/// for day 0 it is the local midnight plus the minutes, which callers do not use).
pub fn due_for_day(delay: Delay, day: i64, tz: Tz) -> i64 {
    match delay {
        Delay::MinutesAfter(m) => local_moment(day, NaiveTime::MIN, tz) + m * 60,
        Delay::DayAt { days, at } => local_moment(day + days, at, tz),
    }
}

/// Who is due in `(from, to]`, as a range to look up by index: for day 0 a range of entry
/// times, for later days a range of local follow days. Both inclusive; `None` when nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueRange {
    EnteredBetween(i64, i64),
    LocalDays(i64, i64),
}

pub fn due_range(delay: Delay, from: i64, to: i64, tz: Tz) -> Option<DueRange> {
    if to <= from {
        return None;
    }
    match delay {
        Delay::MinutesAfter(m) => Some(DueRange::EnteredBetween(from - m * 60 + 1, to - m * 60)),
        Delay::DayAt { days, at } => {
            // Local days whose due moment falls in the window; due moments grow with the day.
            let first = local_day(from, tz) - days - 1;
            let last = local_day(to, tz) - days + 1;
            let due = |d: i64| local_moment(d + days, at, tz);
            let lo = (first..=last).find(|&d| due(d) > from)?;
            let hi = (lo..=last).take_while(|&d| due(d) <= to).last()?;
            Some(DueRange::LocalDays(lo, hi))
        }
    }
}

/// The lifecycle of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioState {
    Draft,
    Active,
    Paused,
    Deactivated,
}

impl ScenarioState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioState::Draft => "draft",
            ScenarioState::Active => "active",
            ScenarioState::Paused => "paused",
            ScenarioState::Deactivated => "deactivated",
        }
    }

    pub fn parse(s: &str) -> Option<ScenarioState> {
        [
            ScenarioState::Draft,
            ScenarioState::Active,
            ScenarioState::Paused,
            ScenarioState::Deactivated,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Steps and their delays can change only before the first activation.
    pub fn steps_editable(self) -> bool {
        self == ScenarioState::Draft
    }

    /// New friends enter while it is active or paused (paused holds their messages).
    pub fn enrolls(self) -> bool {
        matches!(self, ScenarioState::Active | ScenarioState::Paused)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pause,
    Resume,
    Deactivate,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Deactivate => "deactivate",
        }
    }
}

/// Pause, resume, deactivate. Activation has its own decision ([`activation`]).
pub fn transition(from: ScenarioState, action: Action) -> Result<ScenarioState, String> {
    use ScenarioState::*;
    match (from, action) {
        (Active, Action::Pause) => Ok(Paused),
        (Paused, Action::Resume) => Ok(Active),
        (Active | Paused, Action::Deactivate) => Ok(Deactivated),
        (Deactivated, _) => Err("This scenario was deactivated; it cannot change any more.".into()),
        (Draft, _) => Err("This scenario was never activated.".into()),
        (Active, Action::Resume) => Err("This scenario is already running.".into()),
        (Paused, Action::Pause) => Err("This scenario is already paused.".into()),
    }
}

/// One step's standing at activation: rules 1, 2, 3 and 5 of its current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReadiness {
    pub position: i64,
    /// `(rule label, reason)` of every failing rule among 1, 2, 3, 5.
    pub failing: Vec<(String, String)>,
}

pub struct ActivationFacts<'a> {
    pub state: ScenarioState,
    pub steps: &'a [StepReadiness],
    /// Why the impact preview does not count, or `None` when it is acknowledged and valid.
    pub preview_problem: Option<String>,
    pub name: &'a str,
    pub typed_name: &'a str,
    pub read_warning: bool,
}

/// Whether the scenario may be (re-)activated now; every reason when not.
pub fn activation(f: &ActivationFacts<'_>) -> Result<(), Vec<String>> {
    let mut reasons = Vec::new();
    if f.state == ScenarioState::Deactivated {
        reasons.push("This scenario was deactivated; it cannot be activated again.".to_string());
    }
    if f.steps.is_empty() {
        reasons.push("Add at least one step first.".to_string());
    }
    for s in f.steps {
        for (rule, why) in &s.failing {
            reasons.push(format!("Step {}: {rule}: {why}", s.position));
        }
    }
    if let Some(p) = &f.preview_problem {
        reasons.push(format!("Impact preview: {p}"));
    }
    if !f.read_warning {
        reasons.push("Confirm that you read that step messages cannot be taken back.".into());
    }
    if f.typed_name.trim() != f.name.trim() {
        reasons.push(format!(
            "Type the scenario's name exactly ({}) to activate it.",
            f.name
        ));
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

/// A taken impact preview, as the activation needs it.
pub struct PreviewFacts<'a> {
    pub fingerprint: &'a str,
    pub taken_at: DateTime<Utc>,
    pub acknowledged: bool,
}

/// Rule 4 for scenarios: a preview of exactly these steps, young enough, acknowledged.
pub fn preview_problem(
    preview: Option<&PreviewFacts<'_>>,
    current_fingerprint: &str,
    now: DateTime<Utc>,
    max_age_minutes: i64,
) -> Option<String> {
    let Some(p) = preview else {
        return Some("Take an impact preview and acknowledge it.".into());
    };
    if p.fingerprint != current_fingerprint {
        return Some("The steps changed since the preview; take a new one.".into());
    }
    if now - p.taken_at > chrono::Duration::minutes(max_age_minutes) {
        return Some("The preview is too old; take a new one.".into());
    }
    if !p.acknowledged {
        return Some("Acknowledge the preview.".into());
    }
    None
}

/// What becomes of a message held while its step waited for re-approval, once the step is
/// live again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldOutcome {
    Send,
    Skip,
}

pub fn held_outcome(policy: HeldMessages, due_at: i64, now: i64) -> HeldOutcome {
    match policy {
        HeldMessages::Skip => HeldOutcome::Skip,
        HeldMessages::Within24h if now - due_at <= DAY => HeldOutcome::Send,
        HeldMessages::Within24h => HeldOutcome::Skip,
    }
}

/// The multicast group of a due row: rows of one step due in the same minute go together.
pub fn minute_of(at: i64) -> i64 {
    at.div_euclid(60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Tokyo;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp()
    }

    fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Tokyo
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp()
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_first_add_trigger_enters_only_new_friends() {
        assert_eq!(on_follow(Trigger::FirstAdd, true, None), Enrollment::Enter);
        assert_eq!(on_follow(Trigger::FirstAdd, false, None), Enrollment::Stay);
        assert_eq!(
            on_follow(Trigger::FirstAdd, false, Some(1)),
            Enrollment::Stay
        );
    }

    #[test]
    fn an_every_add_trigger_enters_unblocks_but_never_restarts() {
        assert_eq!(on_follow(Trigger::EveryAdd, true, None), Enrollment::Enter);
        assert_eq!(on_follow(Trigger::EveryAdd, false, None), Enrollment::Enter);
        assert_eq!(
            on_follow(Trigger::EveryAdd, false, Some(1)),
            Enrollment::Stay
        );
    }

    #[test]
    fn a_restarting_trigger_starts_a_new_round_on_every_follow() {
        assert_eq!(
            on_follow(Trigger::EveryAddRestart, false, Some(1)),
            Enrollment::Restart(2)
        );
        assert_eq!(
            on_follow(Trigger::EveryAddRestart, false, None),
            Enrollment::Enter
        );
    }

    #[test]
    fn triggers_round_trip_through_their_names() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::parse(t.as_str()), Some(t));
        }
        assert_eq!(Trigger::parse("sometimes"), None);
    }

    #[test]
    fn a_friend_added_at_2359_jst_gets_day_1_the_next_local_morning() {
        let added = jst(2026, 11, 20, 23, 59);
        let d = Delay::DayAt {
            days: 1,
            at: at(10, 0),
        };
        assert_eq!(due_at(d, added, Tokyo), jst(2026, 11, 21, 10, 0));
    }

    #[test]
    fn the_local_date_not_the_utc_date_counts() {
        // 08:59 JST on the 21st is 23:59 UTC on the 20th.
        let added = ts(2026, 11, 20, 23, 59);
        assert_eq!(
            local_day(added, Tokyo),
            local_day(jst(2026, 11, 21, 12, 0), Tokyo)
        );
        let d = Delay::DayAt {
            days: 1,
            at: at(10, 0),
        };
        assert_eq!(due_at(d, added, Tokyo), jst(2026, 11, 22, 10, 0));
    }

    #[test]
    fn day_0_counts_minutes_from_the_add() {
        let added = jst(2026, 11, 20, 23, 59);
        assert_eq!(due_at(Delay::MinutesAfter(0), added, Tokyo), added);
        assert_eq!(due_at(Delay::MinutesAfter(30), added, Tokyo), added + 1800);
    }

    #[test]
    fn day_365_is_a_year_of_local_days_later() {
        let added = jst(2026, 1, 1, 9, 0);
        let d = Delay::DayAt {
            days: 365,
            at: at(9, 30),
        };
        assert_eq!(due_at(d, added, Tokyo), jst(2027, 1, 1, 9, 30));
    }

    #[test]
    fn a_skipped_local_time_is_taken_an_hour_later() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let added = ny
            .with_ymd_and_hms(2026, 3, 7, 12, 0, 0)
            .unwrap()
            .timestamp();
        let d = Delay::DayAt {
            days: 1,
            at: at(2, 30),
        };
        assert_eq!(
            due_at(d, added, ny),
            ny.with_ymd_and_hms(2026, 3, 8, 3, 30, 0)
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn everyone_who_followed_on_one_local_day_is_due_at_one_moment() {
        let d = Delay::DayAt {
            days: 1,
            at: at(10, 0),
        };
        let added = jst(2026, 11, 20, 23, 59);
        assert_eq!(
            due_for_day(d, local_day(added, Tokyo), Tokyo),
            due_at(d, added, Tokyo)
        );
    }

    #[test]
    fn the_due_range_of_day_0_is_a_window_of_entry_times() {
        assert_eq!(
            due_range(Delay::MinutesAfter(10), 1000, 1600, Tokyo),
            Some(DueRange::EnteredBetween(401, 1000))
        );
        assert_eq!(due_range(Delay::MinutesAfter(10), 1000, 1000, Tokyo), None);
    }

    #[test]
    fn the_due_range_of_later_days_finds_exactly_the_days_due_in_the_window() {
        let d = Delay::DayAt {
            days: 1,
            at: at(10, 0),
        };
        let due = jst(2026, 11, 21, 10, 0);
        let day20 = local_day(jst(2026, 11, 20, 0, 0), Tokyo);
        assert_eq!(
            due_range(d, due - 60, due, Tokyo),
            Some(DueRange::LocalDays(day20, day20))
        );
        assert_eq!(due_range(d, due, due + 60, Tokyo), None);
        assert_eq!(due_range(d, due - 120, due - 60, Tokyo), None);
        // Three days of downtime catch up three follow days.
        assert_eq!(
            due_range(d, due - 60, due + 2 * DAY, Tokyo),
            Some(DueRange::LocalDays(day20, day20 + 2))
        );
    }

    #[test]
    fn every_due_moment_falls_in_exactly_one_window() {
        let d = Delay::DayAt {
            days: 2,
            at: at(9, 15),
        };
        let start = jst(2026, 11, 20, 0, 0);
        for entered in (0..3 * DAY).step_by(3571).map(|s| start + s) {
            let due = due_at(d, entered, Tokyo);
            let day = local_day(entered, Tokyo);
            let hits = (0..6 * 24 * 4)
                .map(|i| start + i * 900)
                .filter(|&from| match due_range(d, from, from + 900, Tokyo) {
                    Some(DueRange::LocalDays(lo, hi)) => (lo..=hi).contains(&day),
                    _ => false,
                })
                .count();
            assert_eq!(hits, 1, "entered {entered}, due {due}");
        }
    }

    #[test]
    fn delays_parse_from_the_form_and_round_trip() {
        assert_eq!(Delay::parse("0", "30", ""), Ok(Delay::MinutesAfter(30)));
        assert_eq!(Delay::parse("0", "", ""), Ok(Delay::MinutesAfter(0)));
        let d = Delay::parse("3", "", "10:30").unwrap();
        assert_eq!(
            d,
            Delay::DayAt {
                days: 3,
                at: at(10, 30)
            }
        );
        assert_eq!(Delay::from_parts(d.parts().0, d.parts().1), d);
        assert_eq!(d.describe(), "day 3 at 10:30");
        assert_eq!(
            Delay::MinutesAfter(0).describe(),
            "as soon as the friend is added"
        );
    }

    #[test]
    fn bad_delays_name_their_field() {
        for (days, minutes, time, field) in [
            ("366", "", "10:00", "delay_days"),
            ("-1", "", "10:00", "delay_days"),
            ("x", "", "", "delay_days"),
            ("0", "1440", "", "delay_minutes"),
            ("0", "soon", "", "delay_minutes"),
            ("1", "", "", "delay_at"),
            ("1", "", "25:00", "delay_at"),
        ] {
            let e = Delay::parse(days, minutes, time).unwrap_err();
            assert_eq!(e[0].field, field, "{days} {minutes} {time}");
        }
    }

    #[test]
    fn pause_resume_and_deactivate_follow_the_lifecycle() {
        use ScenarioState::*;
        assert_eq!(transition(Active, Action::Pause), Ok(Paused));
        assert_eq!(transition(Paused, Action::Resume), Ok(Active));
        assert_eq!(transition(Active, Action::Deactivate), Ok(Deactivated));
        assert_eq!(transition(Paused, Action::Deactivate), Ok(Deactivated));
        for a in [Action::Pause, Action::Resume, Action::Deactivate] {
            assert!(transition(Draft, a).is_err());
            assert!(transition(Deactivated, a).is_err());
        }
        assert!(transition(Active, Action::Resume).is_err());
        assert!(transition(Paused, Action::Pause).is_err());
    }

    #[test]
    fn states_round_trip_and_only_a_draft_has_editable_steps() {
        for s in ["draft", "active", "paused", "deactivated"] {
            assert_eq!(ScenarioState::parse(s).unwrap().as_str(), s);
        }
        assert!(ScenarioState::Draft.steps_editable());
        assert!(!ScenarioState::Active.steps_editable());
        assert!(ScenarioState::Paused.enrolls());
        assert!(!ScenarioState::Draft.enrolls());
        assert!(!ScenarioState::Deactivated.enrolls());
    }

    fn ready(position: i64) -> StepReadiness {
        StepReadiness {
            position,
            failing: Vec::new(),
        }
    }

    fn facts<'a>(steps: &'a [StepReadiness]) -> ActivationFacts<'a> {
        ActivationFacts {
            state: ScenarioState::Draft,
            steps,
            preview_problem: None,
            name: "Welcome",
            typed_name: "Welcome",
            read_warning: true,
        }
    }

    #[test]
    fn a_scenario_whose_steps_pass_and_whose_preview_is_acknowledged_activates() {
        let steps = [ready(1), ready(2)];
        assert_eq!(activation(&facts(&steps)), Ok(()));
    }

    #[test]
    fn one_failing_step_blocks_activation_and_is_named() {
        let steps = [
            ready(1),
            StepReadiness {
                position: 2,
                failing: vec![("Approvals".into(), "1 of 2 approvals.".into())],
            },
        ];
        let e = activation(&facts(&steps)).unwrap_err();
        assert_eq!(e, vec!["Step 2: Approvals: 1 of 2 approvals.".to_string()]);
    }

    #[test]
    fn activation_needs_steps_a_preview_the_warning_and_the_exact_name() {
        assert!(activation(&facts(&[])).is_err());
        let steps = [ready(1)];
        let mut f = facts(&steps);
        f.preview_problem = Some("Acknowledge the preview.".into());
        assert!(activation(&f).unwrap_err()[0].starts_with("Impact preview"));
        let mut f = facts(&steps);
        f.read_warning = false;
        assert!(activation(&f).is_err());
        let mut f = facts(&steps);
        f.typed_name = "welcome";
        assert!(activation(&f).is_err());
        let mut f = facts(&steps);
        f.state = ScenarioState::Deactivated;
        assert!(activation(&f).is_err());
    }

    #[test]
    fn a_preview_counts_only_for_the_same_steps_while_young_and_acknowledged() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap();
        let p = PreviewFacts {
            fingerprint: "abc",
            taken_at: now,
            acknowledged: true,
        };
        assert_eq!(preview_problem(Some(&p), "abc", now, 60), None);
        assert!(preview_problem(None, "abc", now, 60).is_some());
        assert!(preview_problem(Some(&p), "abd", now, 60).is_some());
        assert!(
            preview_problem(Some(&p), "abc", now + chrono::Duration::minutes(61), 60).is_some()
        );
        let unacked = PreviewFacts {
            acknowledged: false,
            ..p
        };
        assert!(preview_problem(Some(&unacked), "abc", now, 60).is_some());
    }

    #[test]
    fn held_messages_go_out_within_24_hours_of_their_due_time_by_default() {
        let due = 1_000_000;
        assert_eq!(
            held_outcome(HeldMessages::Within24h, due, due + DAY),
            HeldOutcome::Send
        );
        assert_eq!(
            held_outcome(HeldMessages::Within24h, due, due + DAY + 1),
            HeldOutcome::Skip
        );
        assert_eq!(
            held_outcome(HeldMessages::Skip, due, due),
            HeldOutcome::Skip
        );
        assert_eq!(HeldMessages::default(), HeldMessages::Within24h);
    }

    #[test]
    fn rows_due_in_the_same_minute_share_a_group() {
        assert_eq!(minute_of(120), minute_of(179));
        assert_ne!(minute_of(179), minute_of(180));
    }
}
