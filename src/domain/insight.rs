//! What LINE's own statistics say about a sent message (issue #19): who opened it and who
//! clicked its links. Pure rules, no I/O:
//!
//! - [`AggregationUnit`]: the `customAggregationUnits` name a release's multicasts carry,
//!   parsed once (`^[a-zA-Z0-9_]{1,30}$`, case-sensitive), and the one name per release
//!   ([`AggregationUnit::for_release`]) within LINE's monthly limit of
//!   [`MONTHLY_UNIT_NAME_LIMIT`] names ([`may_use_new_unit_name`]).
//! - [`Figures`]: one reading of LINE's figures, with LINE's privacy rule (values under
//!   [`PRIVACY_THRESHOLD`] people are hidden: `None`).
//! - When to read: [`reading_due`] (1 h, 6 h, 24 h, 3 days and 7 days after sending, a
//!   retry after a temporary failure, and on request) and the UTC+9 date range the
//!   per-unit endpoint takes ([`aggregation_period`]).
//! - [`moments`]: the incident timeline's "opened by N" and "link X clicked by N" entries,
//!   as readings arrive.
//! - [`sandbox_figures`]: plausible, deterministic figures for what the sandbox sent, so
//!   the demo shows statistics without LINE.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// LINE's limit on distinct unit names per channel in a month (reset on the 1st).
pub const MONTHLY_UNIT_NAME_LIMIT: i64 = 1_000;

/// LINE shows a figure about people's actions only when at least this many people did it;
/// below, the value is `null` (LINE's "Notes on aggregated statistics").
pub const PRIVACY_THRESHOLD: i64 = 20;

/// How long after sending the figures are read: LINE keeps updating them for days.
pub const READING_SCHEDULE: [Duration; 5] = [
    Duration::hours(1),
    Duration::hours(6),
    Duration::hours(24),
    Duration::days(3),
    Duration::days(7),
];

/// A reading that failed for a temporary reason is tried again after this long.
pub const RETRY_AFTER: Duration = Duration::minutes(15);

/// After the last scheduled reading, a failed one is retried for this long at most.
pub const RETRY_WINDOW: Duration = Duration::days(1);

/// The per-unit endpoint takes a period of at most this many days after its start.
pub const MAX_PERIOD_DAYS: i64 = 30;

/// LINE's dates (`yyyyMMdd`) are in UTC+9.
fn line_zone() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// A `customAggregationUnits` name: 1 to 30 ASCII letters, digits or underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggregationUnit(String);

/// Why a unit name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a unit name is 1 to 30 letters (a-z, A-Z), digits or underscores; {0:?} is not")]
pub struct InvalidUnitName(pub String);

impl AggregationUnit {
    pub fn parse(name: &str) -> Result<Self, InvalidUnitName> {
        let ok = (1..=30).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(Self(name.to_string()))
        } else {
            Err(InvalidUnitName(name.to_string()))
        }
    }

    /// The name of a release's unit: `sg_` + the installation's tag + `_r` + the release
    /// id. The tag is random per database, so two sendgate installations sending through
    /// one channel never add their figures together. At most 30 characters for any id.
    pub fn for_release(installation_tag: &str, release_id: i64) -> Result<Self, InvalidUnitName> {
        // Six characters of tag leave room for the largest id (19 digits) within 30.
        let tag: String = installation_tag.chars().take(6).collect();
        Self::parse(&format!("sg_{tag}_r{release_id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AggregationUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether one more unit name may be used this month, given how many were used.
pub fn may_use_new_unit_name(names_used_this_month: i64) -> bool {
    names_used_this_month < MONTHLY_UNIT_NAME_LIMIT
}

/// The start of the month `at` falls in, in UTC+9, where LINE counts unit names.
pub fn month_start(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let local = at.with_timezone(&line_zone());
    line_zone()
        .with_ymd_and_hms(local.year(), local.month(), 1, 0, 0, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(at)
}

/// One bubble's figures (`messages[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bubble {
    /// 1 for the first message object of the send.
    pub seq: i64,
    /// How many times it was shown.
    pub impressions: Option<i64>,
    /// How many people it was shown to (per-unit statistics only).
    pub opened: Option<i64>,
}

/// One link's figures (`clicks[]`). LINE's `seq` is the bubble the URL is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub seq: i64,
    pub url: String,
    /// How many times it was opened.
    pub clicks: Option<i64>,
    /// How many people opened it.
    pub clicked: Option<i64>,
}

/// One reading of LINE's statistics for a send. `None` is a figure LINE hides (fewer
/// than [`PRIVACY_THRESHOLD`] people) or does not have yet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Figures {
    /// Messages delivered, as LINE counts them (broadcast statistics only; the per-unit
    /// endpoint has no such figure). LINE shows it below 20 too.
    pub delivered: Option<i64>,
    /// People who opened the message (displayed at least one bubble).
    pub opened: Option<i64>,
    /// People who opened any link in it.
    pub clicked: Option<i64>,
    pub bubbles: Vec<Bubble>,
    pub links: Vec<Link>,
}

fn shown(value: Option<i64>) -> Option<i64> {
    value.filter(|v| *v >= PRIVACY_THRESHOLD)
}

impl Figures {
    /// LINE's privacy rule applied: every figure about people's actions under the
    /// threshold is hidden, and so is a count of actions whose people are under it
    /// (30 clicks by 15 people hide both). `delivered` is not about actions.
    pub fn with_privacy_threshold(mut self) -> Self {
        self.opened = shown(self.opened);
        self.clicked = shown(self.clicked);
        for b in &mut self.bubbles {
            let people = b.opened.or(self.opened);
            b.opened = shown(b.opened);
            b.impressions = if people.is_some_and(|p| p >= PRIVACY_THRESHOLD) {
                shown(b.impressions)
            } else {
                None
            };
        }
        for l in &mut self.links {
            l.clicks = if l.clicked.is_some_and(|p| p >= PRIVACY_THRESHOLD) {
                shown(l.clicks)
            } else {
                None
            };
            l.clicked = shown(l.clicked);
        }
        self
    }

    /// `opened` as a share of `recipients`, in whole percent.
    pub fn open_rate(&self, recipients: i64) -> Option<i64> {
        rate(self.opened, recipients)
    }

    /// `clicked` as a share of `recipients`, in whole percent.
    pub fn click_rate(&self, recipients: i64) -> Option<i64> {
        rate(self.clicked, recipients)
    }
}

fn rate(people: Option<i64>, recipients: i64) -> Option<i64> {
    let people = people?;
    (recipients > 0).then(|| ((people * 100 + recipients / 2) / recipients).min(100))
}

/// Where a release's statistics come from, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// A broadcast: `GET /v2/bot/insight/message/event?requestId=`.
    ByRequest(String),
    /// A segment send's multicasts: `GET /v2/bot/insight/message/event/aggregation`.
    ByUnit(AggregationUnit),
    /// Nothing was handed to LINE yet (or LINE named no request for the broadcast).
    NotSent,
    /// The multicasts went without a unit name: this month's names were used up.
    UnitLimitReached,
    /// The multicasts went without a unit name (sent before sendgate named them).
    NoUnit,
}

/// What a release's statistics can be read by.
pub fn availability(
    broadcast: bool,
    sent: bool,
    request_id: Option<&str>,
    unit: Option<&AggregationUnit>,
    unit_decided: bool,
) -> Availability {
    match (broadcast, sent, request_id, unit) {
        (_, false, ..) => Availability::NotSent,
        (true, true, Some(id), _) => Availability::ByRequest(id.to_string()),
        (true, true, None, _) => Availability::NotSent,
        (false, true, _, Some(u)) => Availability::ByUnit(u.clone()),
        (false, true, _, None) if unit_decided => Availability::UnitLimitReached,
        (false, true, _, None) => Availability::NoUnit,
    }
}

/// Why a reading is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A point of [`READING_SCHEDULE`] passed.
    Scheduled,
    /// The last attempt failed for a temporary reason.
    Retry,
    /// Someone asked for fresh figures.
    Refresh,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Scheduled => "scheduled",
            Trigger::Retry => "retry",
            Trigger::Refresh => "refresh",
        }
    }
}

/// The latest attempt at reading a release's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastAttempt {
    pub at: DateTime<Utc>,
    /// It failed and trying again may work (LINE busy, rate limited, unreachable).
    pub retryable_failure: bool,
}

/// Whether a release sent at `sent_at` should be read now, and why. A reading serves
/// every schedule point before it, so a reader that was down catches up with one call.
pub fn reading_due(
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
    last: Option<LastAttempt>,
    refresh_requested: bool,
) -> Option<Trigger> {
    if refresh_requested {
        return Some(Trigger::Refresh);
    }
    let point = READING_SCHEDULE
        .iter()
        .rev()
        .map(|after| sent_at + *after)
        .find(|at| *at <= now)?;
    match last {
        None => Some(Trigger::Scheduled),
        Some(l) if l.at < point => Some(Trigger::Scheduled),
        Some(l)
            if l.retryable_failure
                && now - l.at >= RETRY_AFTER
                && now < sent_at + READING_SCHEDULE[4] + RETRY_WINDOW =>
        {
            Some(Trigger::Retry)
        }
        Some(_) => None,
    }
}

/// Releases sent since this moment may still have a scheduled reading (or retry) due.
pub fn oldest_still_scheduled(now: DateTime<Utc>) -> DateTime<Utc> {
    now - READING_SCHEDULE[4] - RETRY_WINDOW
}

/// The `from` and `to` dates (UTC+9) of the per-unit endpoint for a send at `sent_at`
/// read at `now`: from the day of the send to today, at most [`MAX_PERIOD_DAYS`] later.
pub fn aggregation_period(sent_at: DateTime<Utc>, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let from = sent_at.with_timezone(&line_zone()).date_naive();
    let today = now.with_timezone(&line_zone()).date_naive();
    let to = today.clamp(from, from + Duration::days(MAX_PERIOD_DAYS));
    (from, to)
}

/// A date as LINE writes it in a query: `20261120`.
pub fn line_date(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A new fact in the incident timeline, from the reading that first showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moment {
    Opened {
        at: DateTime<Utc>,
        people: i64,
    },
    Clicked {
        at: DateTime<Utc>,
        url: String,
        people: i64,
    },
}

impl Moment {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Moment::Opened { at, .. } | Moment::Clicked { at, .. } => *at,
        }
    }
}

/// The timeline entries of successive readings (oldest first): a figure enters when it
/// first shows and again whenever it changed since the last reading that showed it.
pub fn moments(readings: &[(DateTime<Utc>, &Figures)]) -> Vec<Moment> {
    let mut out = Vec::new();
    let mut opened: Option<i64> = None;
    let mut clicked: Vec<(String, i64)> = Vec::new();
    for (at, f) in readings {
        if let Some(n) = f.opened
            && opened != Some(n)
        {
            opened = Some(n);
            out.push(Moment::Opened { at: *at, people: n });
        }
        for link in &f.links {
            let Some(n) = link.clicked else { continue };
            match clicked.iter_mut().find(|(u, _)| *u == link.url) {
                Some((_, seen)) if *seen == n => continue,
                Some((_, seen)) => *seen = n,
                None => clicked.push((link.url.clone(), n)),
            }
            out.push(Moment::Clicked {
                at: *at,
                url: link.url.clone(),
                people: n,
            });
        }
    }
    out
}

/// The links of a send, as LINE reports clicks on them: `(bubble number, URL)` for every
/// URL in a text, a `uri` action or an imagemap's `linkUri`, each once per bubble.
pub fn links_in(messages: &[Value]) -> Vec<(i64, String)> {
    fn walk(value: &Value, key: Option<&str>, out: &mut Vec<String>) {
        match value {
            Value::String(s) if matches!(key, Some("text" | "uri" | "linkUri")) => {
                for url in crate::domain::checks::find_urls(s) {
                    if !out.iter().any(|u| u == url) {
                        out.push(url.to_string());
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            Value::Object(obj) => obj.iter().for_each(|(k, v)| walk(v, Some(k), out)),
            _ => {}
        }
    }
    let mut links = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let mut urls = Vec::new();
        walk(m, None, &mut urls);
        links.extend(urls.into_iter().map(|u| (i as i64 + 1, u)));
    }
    links
}

/// One batch the sandbox accepted, as [`sandbox_figures`] needs it.
#[derive(Debug, Clone)]
pub struct SandboxSend<'a> {
    /// The sandbox's batch id: varies the shares from one send to the next.
    pub id: i64,
    pub recipients: i64,
    pub messages: &'a [Value],
    pub sent_at: DateTime<Utc>,
}

/// Share of the final figure reached `hours` after the send: people open LINE messages
/// soon, then fewer and fewer (63 % of the final figure after 6 hours, 98 % after a day).
fn growth(hours: f64) -> f64 {
    if hours <= 0.0 {
        0.0
    } else {
        1.0 - (-hours / 6.0).exp()
    }
}

fn wobble(id: i64, salt: i64) -> f64 {
    // A small deterministic spread, 0.0 to 1.0, so two sends do not look identical.
    let x = (id.wrapping_mul(2_654_435_761).wrapping_add(salt * 40_503)).rem_euclid(1_000);
    x as f64 / 1_000.0
}

/// Plausible figures for what the sandbox sent, read at `now`: about 55-70 % of the
/// recipients open the message and about a tenth click its first link (fewer for later
/// ones), growing with the time since each send. Deterministic, with LINE's privacy rule.
pub fn sandbox_figures(sends: &[SandboxSend<'_>], now: DateTime<Utc>, broadcast: bool) -> Figures {
    let mut opened = 0i64;
    let mut delivered = 0i64;
    let mut bubbles: Vec<Bubble> = Vec::new();
    let mut links: Vec<Link> = Vec::new();
    for s in sends {
        delivered += s.recipients;
        let hours = (now - s.sent_at).num_seconds() as f64 / 3600.0;
        let g = growth(hours);
        let open_share = 0.55 + 0.15 * wobble(s.id, 1);
        let people = (s.recipients as f64 * open_share * g).floor() as i64;
        opened += people;
        for i in 0..s.messages.len() {
            let seq = i as i64 + 1;
            // Fewer people scroll to later bubbles; some look twice.
            let seen = (people as f64 * 0.95f64.powi(i as i32)).floor() as i64;
            let times = (seen as f64 * 1.25).floor() as i64;
            match bubbles.iter_mut().find(|b| b.seq == seq) {
                Some(b) => {
                    b.opened = Some(b.opened.unwrap_or(0) + seen);
                    b.impressions = Some(b.impressions.unwrap_or(0) + times);
                }
                None => bubbles.push(Bubble {
                    seq,
                    impressions: Some(times),
                    opened: Some(seen),
                }),
            }
        }
        for (n, (seq, url)) in links_in(s.messages).into_iter().enumerate() {
            let share = (0.08 + 0.06 * wobble(s.id, 2)) / 2f64.powi(n as i32);
            let clicked = (s.recipients as f64 * share * g).floor() as i64;
            let clicks = (clicked as f64 * 1.3).floor() as i64;
            match links.iter_mut().find(|l| l.seq == seq && l.url == url) {
                Some(l) => {
                    l.clicked = Some(l.clicked.unwrap_or(0) + clicked);
                    l.clicks = Some(l.clicks.unwrap_or(0) + clicks);
                }
                None => links.push(Link {
                    seq,
                    url,
                    clicks: Some(clicks),
                    clicked: Some(clicked),
                }),
            }
        }
    }
    // Some people open more than one link: the people who clicked any is a bit more than
    // the most-clicked link, never more than the people who opened.
    let most = links.iter().filter_map(|l| l.clicked).max().unwrap_or(0);
    let others: i64 = links.iter().filter_map(|l| l.clicked).sum::<i64>() - most;
    let clicked = (most + others / 2).min(opened);
    Figures {
        delivered: broadcast.then_some(delivered),
        opened: Some(opened),
        clicked: Some(clicked),
        // The per-unit endpoint reports bubbles' people; the broadcast one does not.
        bubbles: bubbles
            .into_iter()
            .map(|b| Bubble {
                opened: if broadcast { None } else { b.opened },
                ..b
            })
            .collect(),
        links,
    }
    .with_privacy_threshold()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    #[test]
    fn a_unit_name_is_1_to_30_ascii_letters_digits_or_underscores() {
        for ok in ["a", "promotion_A", "sg_0a1b2c_r123", &"x".repeat(30), "_"] {
            assert_eq!(AggregationUnit::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            &"x".repeat(31),
            "with space",
            "dash-ed",
            "日本語",
            "semi;colon",
            "ｆｕｌｌ",
        ] {
            assert_eq!(
                AggregationUnit::parse(bad),
                Err(InvalidUnitName(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_release_unit_name_carries_the_installation_and_fits_any_release_id() {
        assert_eq!(
            AggregationUnit::for_release("0a1b2c", 42).unwrap().as_str(),
            "sg_0a1b2c_r42"
        );
        let longest = AggregationUnit::for_release("0a1b2c", i64::MAX).unwrap();
        assert_eq!(longest.as_str().len(), 30);
        assert_ne!(
            AggregationUnit::for_release("0a1b2c", 7).unwrap(),
            AggregationUnit::for_release("ffee00", 7).unwrap(),
            "two installations never share a name"
        );
        assert!(AggregationUnit::for_release("bad-tag", 1).is_err());
    }

    #[test]
    fn the_thousandth_unit_name_is_the_last_of_the_month() {
        assert!(may_use_new_unit_name(0));
        assert!(may_use_new_unit_name(999));
        assert!(!may_use_new_unit_name(1_000));
        assert!(!may_use_new_unit_name(1_500));
    }

    #[test]
    fn unit_names_are_counted_from_the_first_of_the_month_in_utc_plus_9() {
        // 30 Nov 16:00 UTC is 1 Dec 01:00 in Japan.
        assert_eq!(
            month_start(at(30, 16, 0)),
            Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap()
        );
        assert_eq!(
            month_start(at(20, 1, 0)),
            Utc.with_ymd_and_hms(2026, 10, 31, 15, 0, 0).unwrap()
        );
    }

    #[test]
    fn figures_under_twenty_people_are_hidden_and_so_are_their_counts() {
        let f = Figures {
            delivered: Some(12),
            opened: Some(19),
            clicked: Some(20),
            bubbles: vec![Bubble {
                seq: 1,
                impressions: Some(30),
                opened: Some(15),
            }],
            links: vec![
                Link {
                    seq: 1,
                    url: "https://a.example/".into(),
                    clicks: Some(30),
                    clicked: Some(15),
                },
                Link {
                    seq: 1,
                    url: "https://b.example/".into(),
                    clicks: Some(25),
                    clicked: Some(21),
                },
            ],
        }
        .with_privacy_threshold();
        assert_eq!(f.delivered, Some(12), "delivered is shown under 20 too");
        assert_eq!(f.opened, None);
        assert_eq!(f.clicked, Some(20));
        assert_eq!(
            f.bubbles[0],
            Bubble {
                seq: 1,
                impressions: None,
                opened: None
            }
        );
        assert_eq!((f.links[0].clicks, f.links[0].clicked), (None, None));
        assert_eq!(
            (f.links[1].clicks, f.links[1].clicked),
            (Some(25), Some(21))
        );
    }

    #[test]
    fn rates_are_whole_percent_of_the_recipients() {
        let f = Figures {
            opened: Some(433),
            clicked: Some(323),
            ..Figures::default()
        };
        assert_eq!(f.open_rate(500), Some(87));
        assert_eq!(f.click_rate(500), Some(65));
        assert_eq!(f.open_rate(0), None);
        assert_eq!(Figures::default().open_rate(500), None);
    }

    #[test]
    fn broadcasts_are_read_by_request_and_segment_sends_by_unit() {
        let u = AggregationUnit::parse("sg_x_r1").unwrap();
        assert_eq!(
            availability(true, true, Some("req"), None, false),
            Availability::ByRequest("req".into())
        );
        assert_eq!(
            availability(false, true, Some("req"), Some(&u), true),
            Availability::ByUnit(u.clone())
        );
        assert_eq!(
            availability(false, true, None, None, true),
            Availability::UnitLimitReached
        );
        assert_eq!(
            availability(false, true, None, None, false),
            Availability::NoUnit
        );
        assert_eq!(
            availability(false, false, None, Some(&u), true),
            Availability::NotSent
        );
        assert_eq!(
            availability(true, true, None, None, false),
            Availability::NotSent
        );
    }

    #[test]
    fn readings_are_due_one_six_and_twenty_four_hours_then_three_and_seven_days_after_sending() {
        let sent = at(20, 1, 0);
        let read = |at: DateTime<Utc>| LastAttempt {
            at,
            retryable_failure: false,
        };
        assert_eq!(
            reading_due(sent, sent + Duration::minutes(59), None, false),
            None
        );
        assert_eq!(
            reading_due(sent, sent + Duration::hours(1), None, false),
            Some(Trigger::Scheduled)
        );
        let first = read(sent + Duration::minutes(61));
        assert_eq!(
            reading_due(sent, sent + Duration::hours(5), Some(first), false),
            None
        );
        assert_eq!(
            reading_due(sent, sent + Duration::hours(6), Some(first), false),
            Some(Trigger::Scheduled)
        );
        for (after, last) in [
            (Duration::hours(24), Duration::hours(6)),
            (Duration::days(3), Duration::hours(24)),
            (Duration::days(7), Duration::days(3)),
        ] {
            assert_eq!(
                reading_due(sent, sent + after, Some(read(sent + last)), false),
                Some(Trigger::Scheduled),
                "{after}"
            );
        }
        let last = read(sent + Duration::days(7));
        assert_eq!(
            reading_due(sent, sent + Duration::days(30), Some(last), false),
            None,
            "nothing after the seventh day"
        );
    }

    #[test]
    fn a_reader_that_was_down_catches_up_with_one_reading() {
        let sent = at(10, 1, 0);
        let last = LastAttempt {
            at: sent + Duration::hours(1),
            retryable_failure: false,
        };
        let now = sent + Duration::days(4);
        assert_eq!(
            reading_due(sent, now, Some(last), false),
            Some(Trigger::Scheduled)
        );
        let caught_up = LastAttempt { at: now, ..last };
        assert_eq!(
            reading_due(sent, now + Duration::hours(1), Some(caught_up), false),
            None
        );
    }

    #[test]
    fn a_temporary_failure_is_retried_after_a_quarter_hour_and_a_refusal_is_not() {
        let sent = at(20, 1, 0);
        let failed = LastAttempt {
            at: sent + Duration::hours(1),
            retryable_failure: true,
        };
        assert_eq!(
            reading_due(sent, failed.at + Duration::minutes(14), Some(failed), false),
            None
        );
        assert_eq!(
            reading_due(sent, failed.at + Duration::minutes(15), Some(failed), false),
            Some(Trigger::Retry)
        );
        let refused = LastAttempt {
            retryable_failure: false,
            ..failed
        };
        assert_eq!(
            reading_due(sent, failed.at + Duration::hours(2), Some(refused), false),
            None
        );
        let late = LastAttempt {
            at: sent + Duration::days(8),
            retryable_failure: true,
        };
        assert_eq!(
            reading_due(sent, late.at + Duration::hours(1), Some(late), false),
            None,
            "retries stop a day after the last scheduled reading"
        );
    }

    #[test]
    fn a_refresh_is_due_at_once_whenever_it_was_asked() {
        let sent = at(20, 1, 0);
        assert_eq!(
            reading_due(sent, sent + Duration::minutes(5), None, true),
            Some(Trigger::Refresh)
        );
        assert_eq!(
            reading_due(sent, sent + Duration::days(60), None, true),
            Some(Trigger::Refresh)
        );
    }

    #[test]
    fn the_unit_period_runs_from_the_send_date_to_today_in_utc_plus_9_for_30_days_at_most() {
        // 20 Nov 15:30 UTC is 21 Nov 00:30 in Japan.
        let sent = at(20, 15, 30);
        let (from, to) = aggregation_period(sent, at(20, 16, 0));
        assert_eq!(
            (line_date(from), line_date(to)),
            ("20261121".into(), "20261121".into())
        );
        let (from, to) = aggregation_period(sent, sent + Duration::days(3));
        assert_eq!(
            (line_date(from), line_date(to)),
            ("20261121".into(), "20261124".into())
        );
        let (_, to) = aggregation_period(sent, sent + Duration::days(90));
        assert_eq!(line_date(to), "20261221");
        let (from, to) = aggregation_period(sent, sent - Duration::days(1));
        assert_eq!(
            from, to,
            "a clock behind the send still gives a valid period"
        );
    }

    #[test]
    fn the_timeline_gets_an_entry_when_a_figure_first_shows_and_when_it_changes() {
        let link = |n: Option<i64>| Link {
            seq: 1,
            url: "https://shop.example/sale".into(),
            clicks: n,
            clicked: n,
        };
        let r1 = Figures {
            opened: None,
            links: vec![link(None)],
            ..Figures::default()
        };
        let r2 = Figures {
            opened: Some(40),
            links: vec![link(None)],
            ..Figures::default()
        };
        let r3 = Figures {
            opened: Some(40),
            links: vec![link(Some(22))],
            ..Figures::default()
        };
        let r4 = Figures {
            opened: Some(55),
            links: vec![link(Some(22))],
            ..Figures::default()
        };
        let m = moments(&[
            (at(20, 2, 0), &r1),
            (at(20, 7, 0), &r2),
            (at(21, 1, 0), &r3),
            (at(23, 1, 0), &r4),
        ]);
        assert_eq!(
            m,
            vec![
                Moment::Opened {
                    at: at(20, 7, 0),
                    people: 40
                },
                Moment::Clicked {
                    at: at(21, 1, 0),
                    url: "https://shop.example/sale".into(),
                    people: 22
                },
                Moment::Opened {
                    at: at(23, 1, 0),
                    people: 55
                },
            ]
        );
    }

    #[test]
    fn links_are_found_in_texts_uri_actions_and_imagemaps_but_not_images() {
        let messages = [
            json!({"type": "text", "text": "セール中！https://shop.example/sale です。https://shop.example/sale"}),
            json!({"type": "image", "originalContentUrl": "https://cdn.example/a.png", "previewImageUrl": "https://cdn.example/a.png"}),
            json!({"type": "template", "altText": "x", "template": {"type": "buttons", "text": "詳しく",
                   "actions": [{"type": "uri", "label": "見る", "uri": "https://shop.example/detail"}]}}),
            json!({"type": "imagemap", "baseUrl": "https://cdn.example/map", "altText": "m",
                   "actions": [{"type": "uri", "linkUri": "https://shop.example/map"}]}),
        ];
        assert_eq!(
            links_in(&messages),
            vec![
                (1, "https://shop.example/sale".to_string()),
                (3, "https://shop.example/detail".to_string()),
                (4, "https://shop.example/map".to_string()),
            ]
        );
    }

    #[test]
    fn sandbox_figures_grow_with_time_are_deterministic_and_never_exceed_the_recipients() {
        let messages = [
            json!({"type": "text", "text": "詳しくは https://shop.example/sale"}),
            json!({"type": "text", "text": "またのご来店を"}),
        ];
        let send = SandboxSend {
            id: 7,
            recipients: 400,
            messages: &messages,
            sent_at: at(20, 1, 0),
        };
        let read = |after: Duration| {
            sandbox_figures(std::slice::from_ref(&send), send.sent_at + after, false)
        };
        assert_eq!(read(Duration::zero()).opened, None, "nobody opened it yet");
        let hour = read(Duration::hours(1));
        let day = read(Duration::hours(24));
        let week = read(Duration::days(7));
        assert_eq!(read(Duration::hours(24)), day, "deterministic");
        let (h, d, w) = (
            hour.opened.unwrap(),
            day.opened.unwrap(),
            week.opened.unwrap(),
        );
        assert!(h < d && d <= w && w <= 400, "{h} {d} {w}");
        assert!((220..=280).contains(&w), "55-70 % open: {w}");
        let clicked = day.links[0].clicked.unwrap();
        assert!((20..=60).contains(&clicked), "{clicked}");
        assert!(day.clicked.unwrap() >= clicked && day.clicked.unwrap() <= d);
        assert_eq!(
            day.delivered, None,
            "the per-unit statistics have no delivered count"
        );
        assert_eq!(day.bubbles.len(), 2);
        assert!(day.bubbles[1].opened.unwrap() < day.bubbles[0].opened.unwrap());
        let broadcast = sandbox_figures(
            std::slice::from_ref(&send),
            send.sent_at + Duration::hours(24),
            true,
        );
        assert_eq!(broadcast.delivered, Some(400));
        assert_eq!(broadcast.bubbles[0].opened, None);
    }

    #[test]
    fn sandbox_figures_of_a_small_send_are_hidden_like_lines() {
        let messages = [json!({"type": "text", "text": "https://shop.example/"})];
        let send = SandboxSend {
            id: 1,
            recipients: 10,
            messages: &messages,
            sent_at: at(20, 1, 0),
        };
        let f = sandbox_figures(&[send], at(27, 1, 0), true);
        assert_eq!(f.delivered, Some(10));
        assert_eq!((f.opened, f.clicked), (None, None));
        assert_eq!(f.links[0].clicked, None);
    }
}
