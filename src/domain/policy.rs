//! The release policy of DESIGN section 2: the numbers the gate reads, their allowed
//! ranges, and quiet hours in the account's time zone.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::FieldError;

#[derive(Debug, Clone, PartialEq)]
pub struct ReleasePolicy {
    /// Distinct reviewers other than the authors who must approve (1..=5).
    pub required_approvals: i64,
    /// Approvals a correction of an incident needs (1..=5); its authors never count.
    pub correction_required_approvals: i64,
    /// Audiences at or above this many recipients need one more approval.
    pub large_audience_threshold: i64,
    /// How old an acknowledged audience preview may be.
    pub preview_max_age_minutes: i64,
    /// How far a broadcast's friend count may drift since its preview, in percent.
    pub max_drift_percent: i64,
    pub quiet_hours: QuietHours,
    pub time_zone: Tz,
    /// Hosts that links may point at without a warning; empty means no list.
    pub link_allow_list: Vec<String>,
    /// What happens to step messages held while their step was re-approved.
    pub held_messages: HeldMessages,
    /// How many staff phones may receive test sends (1..=100).
    pub max_testers: i64,
    /// The undo window: how long an immediate release waits before the dispatcher may
    /// start it, in seconds (0..=3600).
    pub release_hold_seconds: i64,
    /// How old the last proof of who someone is (sign-in, password, code) may be before a
    /// release, an activation or a change of roles or policy asks for it again.
    pub reauth_minutes: i64,
    /// Sessions unused this long end.
    pub session_idle_minutes: i64,
    /// Who must sign in with a second factor (TOTP).
    pub totp_required_for_admins: bool,
    /// ... everyone who can release or activate (marketers).
    pub totp_required_for_releasers: bool,
    /// Whether a re-follow (LINE's `isUnblocked`: the friend had blocked the account) gets
    /// the greeting message too. LINE Official Account Manager's 「はじめて友だち追加された
    /// ときにのみ送信」 is the opposite choice.
    pub greet_refollows: bool,
    /// What happens when a greeting's reply token cannot be used.
    pub greeting_fallback: GreetingFallback,
    /// How old a reply token may be when sendgate replies with it (5..=60 seconds).
    pub greeting_reply_deadline_seconds: i64,
}

/// A greeting whose reply token cannot be used (it expired, or LINE refused it): record
/// the friend as not greeted (the default), or push the greeting instead, which uses the
/// monthly quota and arrives later than the friend's follow.
///
/// Not greeted is the safer default: it sends nothing the gate did not plan as a free
/// reply, costs no quota, and can never greet a friend twice when a reply's outcome was
/// unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GreetingFallback {
    #[default]
    NotGreeted,
    Push,
}

impl GreetingFallback {
    pub fn as_str(self) -> &'static str {
        match self {
            GreetingFallback::NotGreeted => "not_greeted",
            GreetingFallback::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<GreetingFallback> {
        match s.trim() {
            "not_greeted" => Some(GreetingFallback::NotGreeted),
            "push" => Some(GreetingFallback::Push),
            _ => None,
        }
    }
}

/// Step messages held while their step waited for re-approval: sent after re-activation
/// when still within 24 hours of their due time (the default), or always skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeldMessages {
    #[default]
    Within24h,
    Skip,
}

impl HeldMessages {
    pub fn as_str(self) -> &'static str {
        match self {
            HeldMessages::Within24h => "within_24h",
            HeldMessages::Skip => "skip",
        }
    }

    pub fn parse(s: &str) -> Option<HeldMessages> {
        match s.trim() {
            "within_24h" => Some(HeldMessages::Within24h),
            "skip" => Some(HeldMessages::Skip),
            _ => None,
        }
    }
}

impl Default for ReleasePolicy {
    fn default() -> Self {
        Self {
            required_approvals: 2,
            correction_required_approvals: 1,
            large_audience_threshold: 10_000,
            preview_max_age_minutes: 24 * 60,
            max_drift_percent: 5,
            quiet_hours: QuietHours {
                start: NaiveTime::from_hms_opt(22, 0, 0).expect("valid time"),
                end: NaiveTime::from_hms_opt(8, 0, 0).expect("valid time"),
            },
            time_zone: chrono_tz::Asia::Tokyo,
            link_allow_list: Vec::new(),
            held_messages: HeldMessages::Within24h,
            max_testers: 10,
            release_hold_seconds: 60,
            reauth_minutes: 10,
            session_idle_minutes: 8 * 60,
            totp_required_for_admins: false,
            totp_required_for_releasers: false,
            greet_refollows: false,
            greeting_fallback: GreetingFallback::NotGreeted,
            greeting_reply_deadline_seconds: 50,
        }
    }
}

impl ReleasePolicy {
    /// Whether someone with `roles` must sign in with a second factor.
    pub fn requires_totp(&self, roles: super::roles::Roles) -> bool {
        (self.totp_required_for_admins && roles.admin)
            || (self.totp_required_for_releasers
                && roles.may(super::roles::Permission::WriteDrafts))
    }
}

/// A daily window, in the account's local time, in which nothing may be sent. It may wrap
/// midnight (22:00 to 08:00). Start equal to end means no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn contains_local(&self, t: NaiveTime) -> bool {
        if self.start == self.end {
            false
        } else if self.start < self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    pub fn contains(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        self.contains_local(tz.from_utc_datetime(&at.naive_utc()).time())
    }

    /// The first moment at or after `at` outside quiet hours: `at` itself, or the end of
    /// the quiet hours it falls in (the next morning's 08:00 for 23:30).
    pub fn next_open(&self, at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        if !self.contains(at, tz) {
            return at;
        }
        let local = tz.from_utc_datetime(&at.naive_utc());
        let mut day = local.date_naive();
        // Past the start of a window that wraps midnight: it ends tomorrow.
        if self.start > self.end && local.time() >= self.start {
            day = day.succ_opt().unwrap_or(day);
        }
        let end = day.and_time(self.end);
        // A clock change can skip the end's local time; the hour after it then opens.
        tz.from_local_datetime(&end)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(end + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(at)
    }
}

/// The policy form as submitted: every value still a string.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct PolicyInput {
    pub required_approvals: String,
    /// Empty (a form from before corrections existed) means the default, 1.
    #[serde(default)]
    pub correction_required_approvals: String,
    pub large_audience_threshold: String,
    pub preview_max_age_hours: String,
    pub max_drift_percent: String,
    pub quiet_hours_start: String,
    pub quiet_hours_end: String,
    pub time_zone: String,
    #[serde(default)]
    pub link_allow_list: String,
    #[serde(default)]
    pub held_messages: String,
    /// Empty (a form from before testers were staff phones) means the default, 10.
    #[serde(default)]
    pub max_testers: String,
    /// Empty means the default, 60.
    #[serde(default)]
    pub release_hold_seconds: String,
    /// Empty (a form from before issue #18) means the default, 10.
    #[serde(default)]
    pub reauth_minutes: String,
    /// Empty means the default, 8.
    #[serde(default)]
    pub session_idle_hours: String,
    /// Checkboxes: `on` when ticked.
    #[serde(default)]
    pub totp_required_for_admins: String,
    #[serde(default)]
    pub totp_required_for_releasers: String,
    /// `yes` or `no`; empty (a form from before greetings) means the default, no.
    #[serde(default)]
    pub greet_refollows: String,
    /// `not_greeted` or `push`; empty means the default, not greeted.
    #[serde(default)]
    pub greeting_fallback: String,
    /// Empty means the default, 50.
    #[serde(default)]
    pub greeting_reply_deadline_seconds: String,
}

impl PolicyInput {
    pub fn from_policy(p: &ReleasePolicy) -> Self {
        Self {
            required_approvals: p.required_approvals.to_string(),
            correction_required_approvals: p.correction_required_approvals.to_string(),
            large_audience_threshold: p.large_audience_threshold.to_string(),
            preview_max_age_hours: format_hours(p.preview_max_age_minutes),
            max_drift_percent: p.max_drift_percent.to_string(),
            quiet_hours_start: p.quiet_hours.start.format("%H:%M").to_string(),
            quiet_hours_end: p.quiet_hours.end.format("%H:%M").to_string(),
            time_zone: p.time_zone.name().to_string(),
            link_allow_list: p.link_allow_list.join("\n"),
            held_messages: p.held_messages.as_str().to_string(),
            max_testers: p.max_testers.to_string(),
            release_hold_seconds: p.release_hold_seconds.to_string(),
            reauth_minutes: p.reauth_minutes.to_string(),
            session_idle_hours: format_hours(p.session_idle_minutes),
            totp_required_for_admins: checkbox(p.totp_required_for_admins),
            totp_required_for_releasers: checkbox(p.totp_required_for_releasers),
            greet_refollows: if p.greet_refollows { "yes" } else { "no" }.to_string(),
            greeting_fallback: p.greeting_fallback.as_str().to_string(),
            greeting_reply_deadline_seconds: p.greeting_reply_deadline_seconds.to_string(),
        }
    }
}

fn checkbox(on: bool) -> String {
    if on { "on".into() } else { String::new() }
}

/// Most hosts the allow list may hold.
pub const MAX_ALLOW_LIST: usize = 200;

fn format_hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.2}", minutes as f64 / 60.0)
    }
}

fn int_in(
    field: &str,
    label: &str,
    raw: &str,
    min: i64,
    max: i64,
    errors: &mut Vec<FieldError>,
) -> i64 {
    match raw.trim().replace([',', '_'], "").parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => v,
        _ => {
            errors.push(FieldError::new(
                field,
                format!("{label} must be a whole number from {min} to {max}."),
            ));
            min
        }
    }
}

pub fn parse_time_of_day(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// A host on the allow list: a bare host name such as `example.co.jp`.
fn parse_host(raw: &str) -> Option<String> {
    let h = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.contains('.')
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    ok.then_some(h)
}

impl ReleasePolicy {
    /// Parses the admin form, reporting every bad field at once.
    pub fn parse(input: &PolicyInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let required_approvals = int_in(
            "required_approvals",
            "Required approvals",
            &input.required_approvals,
            1,
            5,
            &mut errors,
        );
        let correction_required_approvals = if input.correction_required_approvals.trim().is_empty()
        {
            1
        } else {
            int_in(
                "correction_required_approvals",
                "Required approvals for a correction",
                &input.correction_required_approvals,
                1,
                5,
                &mut errors,
            )
        };
        let large_audience_threshold = int_in(
            "large_audience_threshold",
            "The large-audience threshold",
            &input.large_audience_threshold,
            1,
            100_000_000,
            &mut errors,
        );
        let preview_max_age_minutes = match input.preview_max_age_hours.trim().parse::<f64>() {
            Ok(h) if (0.25..=168.0).contains(&h) => (h * 60.0).round() as i64,
            _ => {
                errors.push(FieldError::new(
                    "preview_max_age_hours",
                    "The preview age limit must be a number of hours from 0.25 to 168.",
                ));
                60
            }
        };
        let max_drift_percent = int_in(
            "max_drift_percent",
            "The allowed drift",
            &input.max_drift_percent,
            0,
            100,
            &mut errors,
        );
        let start = parse_time_of_day(&input.quiet_hours_start);
        if start.is_none() {
            errors.push(FieldError::new(
                "quiet_hours_start",
                "Enter the start of quiet hours as HH:MM, for example 22:00.",
            ));
        }
        let end = parse_time_of_day(&input.quiet_hours_end);
        if end.is_none() {
            errors.push(FieldError::new(
                "quiet_hours_end",
                "Enter the end of quiet hours as HH:MM, for example 08:00.",
            ));
        }
        let time_zone = match input.time_zone.trim().parse::<Tz>() {
            Ok(tz) => tz,
            Err(_) => {
                errors.push(FieldError::new(
                    "time_zone",
                    "Enter an IANA time zone such as Asia/Tokyo.",
                ));
                chrono_tz::Asia::Tokyo
            }
        };
        let reauth_minutes = if input.reauth_minutes.trim().is_empty() {
            10
        } else {
            int_in(
                "reauth_minutes",
                "The time before asking again",
                &input.reauth_minutes,
                1,
                1440,
                &mut errors,
            )
        };
        let session_idle_minutes = if input.session_idle_hours.trim().is_empty() {
            8 * 60
        } else {
            match input.session_idle_hours.trim().parse::<f64>() {
                Ok(h) if (0.25..=8760.0).contains(&h) => (h * 60.0).round() as i64,
                _ => {
                    errors.push(FieldError::new(
                        "session_idle_hours",
                        "The idle time must be a number of hours from 0.25 to 8760.",
                    ));
                    8 * 60
                }
            }
        };
        let mut link_allow_list = Vec::new();
        if input
            .link_allow_list
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
            > MAX_ALLOW_LIST
        {
            errors.push(FieldError::new(
                "link_allow_list",
                format!("The allow list can hold at most {MAX_ALLOW_LIST} hosts."),
            ));
        }
        for line in input
            .link_allow_list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match parse_host(line) {
                Some(h) if !link_allow_list.contains(&h) => link_allow_list.push(h),
                Some(_) => {}
                None => errors.push(FieldError::new(
                    "link_allow_list",
                    format!("{line:?} is not a host name; write one host per line, such as shop.example.co.jp."),
                )),
            }
        }
        // An older form without the field keeps the default.
        let held_messages = if input.held_messages.trim().is_empty() {
            HeldMessages::default()
        } else {
            HeldMessages::parse(&input.held_messages).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "held_messages",
                    "Choose what happens to held step messages.",
                ));
                HeldMessages::default()
            })
        };
        let defaults = ReleasePolicy::default();
        let max_testers = if input.max_testers.trim().is_empty() {
            defaults.max_testers
        } else {
            int_in(
                "max_testers",
                "The number of testers",
                &input.max_testers,
                1,
                100,
                &mut errors,
            )
        };
        let release_hold_seconds = if input.release_hold_seconds.trim().is_empty() {
            defaults.release_hold_seconds
        } else {
            int_in(
                "release_hold_seconds",
                "The undo window",
                &input.release_hold_seconds,
                0,
                3600,
                &mut errors,
            )
        };
        let greet_refollows = match input.greet_refollows.trim() {
            "" => defaults.greet_refollows,
            "yes" => true,
            "no" => false,
            _ => {
                errors.push(FieldError::new(
                    "greet_refollows",
                    "Choose whether a friend who unblocks the account gets the greeting message again.",
                ));
                defaults.greet_refollows
            }
        };
        let greeting_fallback = if input.greeting_fallback.trim().is_empty() {
            defaults.greeting_fallback
        } else {
            GreetingFallback::parse(&input.greeting_fallback).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "greeting_fallback",
                    "Choose what happens when the reply to a new friend cannot be made in time.",
                ));
                defaults.greeting_fallback
            })
        };
        let greeting_reply_deadline_seconds =
            if input.greeting_reply_deadline_seconds.trim().is_empty() {
                defaults.greeting_reply_deadline_seconds
            } else {
                int_in(
                    "greeting_reply_deadline_seconds",
                    "The reply deadline",
                    &input.greeting_reply_deadline_seconds,
                    5,
                    60,
                    &mut errors,
                )
            };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            required_approvals,
            correction_required_approvals,
            large_audience_threshold,
            preview_max_age_minutes,
            max_drift_percent,
            quiet_hours: QuietHours {
                start: start.expect("checked above"),
                end: end.expect("checked above"),
            },
            time_zone,
            link_allow_list,
            held_messages,
            max_testers,
            release_hold_seconds,
            reauth_minutes,
            session_idle_minutes,
            totp_required_for_admins: !input.totp_required_for_admins.trim().is_empty(),
            totp_required_for_releasers: !input.totp_required_for_releasers.trim().is_empty(),
            greet_refollows,
            greeting_fallback,
            greeting_reply_deadline_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn default_quiet_hours_wrap_midnight() {
        let q = ReleasePolicy::default().quiet_hours;
        assert!(q.contains_local(t(22, 0)));
        assert!(q.contains_local(t(3, 0)));
        assert!(q.contains_local(t(7, 59)));
        assert!(!q.contains_local(t(8, 0)));
        assert!(!q.contains_local(t(21, 59)));
    }

    #[test]
    fn quiet_hours_are_read_in_the_account_time_zone() {
        let q = ReleasePolicy::default().quiet_hours;
        // 13:30 UTC is 22:30 in Tokyo.
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 13, 30, 0).unwrap();
        assert!(q.contains(at, chrono_tz::Asia::Tokyo));
        assert!(!q.contains(at, chrono_tz::UTC));
    }

    #[test]
    fn quiet_hours_open_again_at_their_end_in_the_account_time_zone() {
        let q = ReleasePolicy::default().quiet_hours;
        let tokyo = chrono_tz::Asia::Tokyo;
        // 23:30 Tokyo opens at 08:00 the next morning; 03:00 at 08:00 the same morning.
        let late = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap();
        let morning = Utc.with_ymd_and_hms(2026, 11, 20, 23, 0, 0).unwrap();
        assert_eq!(q.next_open(late, tokyo), morning);
        let three = Utc.with_ymd_and_hms(2026, 11, 20, 18, 0, 0).unwrap();
        assert_eq!(q.next_open(three, tokyo), morning);
        // Outside quiet hours it is open already.
        assert_eq!(q.next_open(morning, tokyo), morning);
        // A window that does not wrap midnight ends the same day.
        let lunch = QuietHours {
            start: t(12, 0),
            end: t(13, 0),
        };
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 3, 30, 0).unwrap(); // 12:30
        assert_eq!(
            lunch.next_open(at, tokyo),
            Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap()
        );
        // New York's spring-forward night: 02:30 does not exist; 08:00 still does.
        let ny = chrono_tz::America::New_York;
        let night = Utc.with_ymd_and_hms(2026, 3, 8, 5, 0, 0).unwrap(); // 00:00 EST
        assert_eq!(
            q.next_open(night, ny),
            Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap() // 08:00 EDT
        );
    }

    #[test]
    fn equal_start_and_end_means_no_quiet_hours() {
        let q = QuietHours {
            start: t(9, 0),
            end: t(9, 0),
        };
        assert!(!q.contains_local(t(9, 0)));
    }

    #[test]
    fn the_default_policy_round_trips_through_the_form() {
        let p = ReleasePolicy::default();
        assert_eq!(ReleasePolicy::parse(&PolicyInput::from_policy(&p)), Ok(p));
    }

    #[test]
    fn a_form_without_the_correction_approvals_means_one() {
        let mut input = PolicyInput::from_policy(&ReleasePolicy::default());
        input.correction_required_approvals = String::new();
        assert_eq!(
            ReleasePolicy::parse(&input)
                .unwrap()
                .correction_required_approvals,
            1
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = PolicyInput {
            required_approvals: "6".into(),
            correction_required_approvals: "0".into(),
            large_audience_threshold: "lots".into(),
            preview_max_age_hours: "0".into(),
            max_drift_percent: "101".into(),
            quiet_hours_start: "25:00".into(),
            quiet_hours_end: "8".into(),
            time_zone: "Tokyo".into(),
            link_allow_list: "https://example.com/path".into(),
            held_messages: "sometimes".into(),
            max_testers: "0".into(),
            release_hold_seconds: "3601".into(),
            reauth_minutes: "0".into(),
            session_idle_hours: "9000".into(),
            totp_required_for_admins: String::new(),
            totp_required_for_releasers: String::new(),
            greet_refollows: "maybe".into(),
            greeting_fallback: "email".into(),
            greeting_reply_deadline_seconds: "61".into(),
        };
        let fields: Vec<String> = ReleasePolicy::parse(&input)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "required_approvals",
                "correction_required_approvals",
                "large_audience_threshold",
                "preview_max_age_hours",
                "max_drift_percent",
                "quiet_hours_start",
                "quiet_hours_end",
                "time_zone",
                "reauth_minutes",
                "session_idle_hours",
                "link_allow_list",
                "held_messages",
                "max_testers",
                "release_hold_seconds",
                "greet_refollows",
                "greeting_fallback",
                "greeting_reply_deadline_seconds"
            ]
        );
    }

    #[test]
    fn a_form_without_the_trust_fields_keeps_their_defaults_and_ticked_boxes_turn_them_on() {
        let mut input = PolicyInput::from_policy(&ReleasePolicy::default());
        input.reauth_minutes = String::new();
        input.session_idle_hours = String::new();
        let p = ReleasePolicy::parse(&input).unwrap();
        assert_eq!((p.reauth_minutes, p.session_idle_minutes), (10, 480));
        assert!(!p.totp_required_for_admins);
        input.totp_required_for_releasers = "on".into();
        input.session_idle_hours = "0.5".into();
        let p = ReleasePolicy::parse(&input).unwrap();
        assert!(p.totp_required_for_releasers && !p.totp_required_for_admins);
        assert_eq!(p.session_idle_minutes, 30);
        use crate::domain::roles::Roles;
        assert!(p.requires_totp(Roles::parse_list("marketer").unwrap()));
        assert!(!p.requires_totp(Roles::parse_list("reviewer,admin").unwrap()));
    }

    #[test]
    fn the_allow_list_has_a_length_cap() {
        let mut input = PolicyInput::from_policy(&ReleasePolicy::default());
        input.link_allow_list = (0..=MAX_ALLOW_LIST)
            .map(|i| format!("h{i}.example.com"))
            .collect::<Vec<_>>()
            .join("\n");
        let errors = ReleasePolicy::parse(&input).unwrap_err();
        assert_eq!(errors[0].field, "link_allow_list");
    }

    #[test]
    fn greetings_by_default_skip_re_follows_and_record_an_unusable_token_as_not_greeted() {
        let p = ReleasePolicy::default();
        assert!(!p.greet_refollows);
        assert_eq!(p.greeting_fallback, GreetingFallback::NotGreeted);
        assert_eq!(p.greeting_reply_deadline_seconds, 50);
        // A form from before greetings keeps the defaults.
        let mut input = PolicyInput::from_policy(&p);
        input.greet_refollows = String::new();
        input.greeting_fallback = String::new();
        input.greeting_reply_deadline_seconds = String::new();
        assert_eq!(ReleasePolicy::parse(&input), Ok(p.clone()));
        input.greet_refollows = "yes".into();
        input.greeting_fallback = "push".into();
        input.greeting_reply_deadline_seconds = "30".into();
        let changed = ReleasePolicy::parse(&input).unwrap();
        assert!(changed.greet_refollows);
        assert_eq!(changed.greeting_fallback, GreetingFallback::Push);
        assert_eq!(changed.greeting_reply_deadline_seconds, 30);
        assert_eq!(
            ReleasePolicy::parse(&PolicyInput::from_policy(&changed)),
            Ok(changed)
        );
    }

    #[test]
    fn the_allow_list_is_normalised_and_deduplicated() {
        let mut input = PolicyInput::from_policy(&ReleasePolicy::default());
        input.link_allow_list = "Shop.Example.co.jp\n\nshop.example.co.jp.\nline.me".into();
        let p = ReleasePolicy::parse(&input).unwrap();
        assert_eq!(p.link_allow_list, ["shop.example.co.jp", "line.me"]);
    }
}
