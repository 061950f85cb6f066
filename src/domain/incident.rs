//! Incidents: what the team records when a wrong message went out (issue #8). Pure rules:
//! the report form's validation, severities, the timeline and its minutes, and filling the
//! apology template's placeholders for the correction draft.

use chrono::{DateTime, Utc};

use super::FieldError;

/// At most this many characters describe what was wrong.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low: a typo, nobody is misled",
            Severity::Medium => "Medium: misleading, few people affected",
            Severity::High => "High: a wrong price, date or link",
            Severity::Critical => "Critical: personal data, legal or safety issue",
        }
    }
}

/// A validated incident report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentReport {
    pub what_was_wrong: String,
    pub severity: Severity,
    pub noticed_by: String,
    pub noticed_at: DateTime<Utc>,
}

/// Validates a report. `noticed_at` was parsed by the caller (it needs the time zone);
/// a time after `now` or before the send is refused, since a mistake cannot be noticed
/// before it went out.
pub fn validate_report(
    what_was_wrong: &str,
    severity: &str,
    noticed_by: &str,
    noticed_at: Option<DateTime<Utc>>,
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<IncidentReport, Vec<FieldError>> {
    let mut errors = Vec::new();
    let what = what_was_wrong.trim().replace("\r\n", "\n");
    if what.is_empty() {
        errors.push(FieldError::new(
            "what_was_wrong",
            "Say what was wrong, for example “the price said 2,000 yen instead of 20,000 yen”.",
        ));
    } else if what.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(FieldError::new(
            "what_was_wrong",
            format!("Keep it under {MAX_DESCRIPTION_CHARS} characters."),
        ));
    }
    let severity = Severity::parse(severity);
    if severity.is_none() {
        errors.push(FieldError::new("severity", "Choose a severity."));
    }
    let noticed_by = noticed_by.trim();
    if noticed_by.is_empty() {
        errors.push(FieldError::new(
            "noticed_by",
            "Say who noticed it (a colleague, a customer by phone, ...).",
        ));
    } else if let Err(e) =
        super::input::bounded("noticed_by", noticed_by, super::input::caps::NOTICED_BY)
    {
        errors.push(e);
    }
    let noticed_at = noticed_at.unwrap_or(now);
    if noticed_at > now {
        errors.push(FieldError::new(
            "noticed_at",
            "The time it was noticed is in the future.",
        ));
    } else if noticed_at < sent_at {
        errors.push(FieldError::new(
            "noticed_at",
            "The time it was noticed is before the message was sent.",
        ));
    }
    match (errors.is_empty(), severity) {
        (true, Some(severity)) => Ok(IncidentReport {
            what_was_wrong: what,
            severity,
            noticed_by: noticed_by.to_string(),
            noticed_at,
        }),
        _ => Err(errors),
    }
}

/// Whole minutes from `from` to `to` (never negative).
pub fn minutes_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_minutes().max(0)
}

/// A short duration split the way people read it: minutes under an hour, hours and
/// minutes under two days, days and hours beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Minutes(i64),
    HoursMinutes(i64, i64),
    DaysHours(i64, i64),
}

pub fn span(minutes: i64) -> Span {
    let m = minutes.max(0);
    if m < 60 {
        Span::Minutes(m)
    } else if m < 48 * 60 {
        Span::HoursMinutes(m / 60, m % 60)
    } else {
        Span::DaysHours(m / (24 * 60), (m / 60) % 24)
    }
}

/// The three moments of an incident and the minutes between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub sent_at: DateTime<Utc>,
    pub noticed_at: DateTime<Utc>,
    pub correction_sent_at: Option<DateTime<Utc>>,
    /// From the send to someone noticing.
    pub minutes_to_notice: i64,
    /// From noticing to the correction going out.
    pub minutes_to_correct: Option<i64>,
    /// From the wrong send to the correction: how long recipients had it uncorrected.
    pub minutes_uncorrected: Option<i64>,
}

pub fn timeline(
    sent_at: DateTime<Utc>,
    noticed_at: DateTime<Utc>,
    correction_sent_at: Option<DateTime<Utc>>,
) -> Timeline {
    Timeline {
        sent_at,
        noticed_at,
        correction_sent_at,
        minutes_to_notice: minutes_between(sent_at, noticed_at),
        minutes_to_correct: correction_sent_at.map(|c| minutes_between(noticed_at, c)),
        minutes_uncorrected: correction_sent_at.map(|c| minutes_between(sent_at, c)),
    }
}

/// The languages an apology template exists in.
pub const APOLOGY_LANGUAGES: [&str; 2] = ["ja", "en"];

/// What the apology template's placeholders stand for.
pub struct ApologyFacts<'a> {
    pub title: &'a str,
    /// The send time as the account's people read it.
    pub sent_at: &'a str,
    pub what_was_wrong: &'a str,
}

/// Fills `{title}`, `{sent_at}` and `{what_was_wrong}`. Other braces stay as they are, so
/// the pre-send checks still catch a leftover `{{...}}` placeholder.
pub fn fill_apology(template: &str, facts: &ApologyFacts<'_>) -> String {
    template
        .replace("\r\n", "\n")
        .replace("{title}", facts.title)
        .replace("{sent_at}", facts.sent_at)
        .replace("{what_was_wrong}", facts.what_was_wrong)
}

/// What a correction's apology says in place of sendgate's internal words: the draft's
/// title and the incident's note are for the team, not for customers. The leftover `○○`
/// is a pre-send error, so the person writes what customers should read before it can go.
pub const WRITE_HERE: &str = "○○";

/// The facts a correction's apology is filled with: the send time, and `○○` where the
/// person must write what the customers should read (never the internal title or note).
pub fn customer_facing(sent_at: &str) -> ApologyFacts<'_> {
    ApologyFacts {
        title: WRITE_HERE,
        sent_at,
        what_was_wrong: WRITE_HERE,
    }
}

/// The original messages a correction still carries unchanged, by their number in the
/// original (1-based). When it carries every one of them, it repeats the mistake.
pub fn unchanged_originals(
    original: &[serde_json::Value],
    correction: &[serde_json::Value],
) -> Vec<usize> {
    original
        .iter()
        .enumerate()
        .filter(|(_, m)| correction.contains(m))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Whether a correction sends the wrong message again: every message of the original is
/// in it, unchanged.
pub fn repeats_mistake(original: &[serde_json::Value], correction: &[serde_json::Value]) -> bool {
    !original.is_empty() && unchanged_originals(original, correction).len() == original.len()
}

/// A template must not be empty and may only use the known placeholders.
pub fn validate_template(field: &str, body: &str) -> Result<String, FieldError> {
    let body = body.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(FieldError::new(field, "The apology text cannot be empty."));
    }
    super::input::bounded(field, &body, super::input::caps::TEMPLATE)?;
    let stripped = fill_apology(
        &body,
        &ApologyFacts {
            title: "",
            sent_at: "",
            what_was_wrong: "",
        },
    );
    let mut rest = stripped.as_str();
    while let Some(start) = rest.find('{') {
        if let Some(len) = rest[start..].find('}')
            && rest[start + 1..start + len]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && len > 1
        {
            return Err(FieldError::new(
                field,
                format!(
                    "Unknown placeholder {}; use {{title}}, {{sent_at}} or {{what_was_wrong}}.",
                    &rest[start..=start + len]
                ),
            ));
        }
        rest = &rest[start + 1..];
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap()
    }

    #[test]
    fn severities_parse_from_their_names_in_any_case() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
            assert_eq!(Severity::parse(&s.as_str().to_uppercase()), Some(s));
        }
        assert_eq!(Severity::parse("urgent"), None);
        assert_eq!(Severity::parse(""), None);
    }

    #[test]
    fn a_report_needs_what_who_and_a_severity() {
        let e = validate_report("  ", "nope", "", None, t(1, 0), t(2, 0)).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["what_was_wrong", "severity", "noticed_by"]);
    }

    #[test]
    fn a_report_defaults_noticed_at_to_now_and_refuses_impossible_times() {
        let r = validate_report("price", "high", "Aki", None, t(1, 0), t(2, 0)).unwrap();
        assert_eq!(r.noticed_at, t(2, 0));
        assert_eq!(r.severity, Severity::High);
        let future = validate_report("price", "high", "Aki", Some(t(3, 0)), t(1, 0), t(2, 0));
        assert_eq!(future.unwrap_err()[0].field, "noticed_at");
        let before = validate_report("price", "high", "Aki", Some(t(0, 30)), t(1, 0), t(2, 0));
        assert_eq!(before.unwrap_err()[0].field, "noticed_at");
    }

    #[test]
    fn the_timeline_counts_minutes_between_send_notice_and_correction() {
        let tl = timeline(t(1, 0), t(1, 25), Some(t(2, 10)));
        assert_eq!(tl.minutes_to_notice, 25);
        assert_eq!(tl.minutes_to_correct, Some(45));
        assert_eq!(tl.minutes_uncorrected, Some(70));
        let open = timeline(t(1, 0), t(1, 25), None);
        assert_eq!(open.minutes_to_correct, None);
        assert_eq!(open.minutes_uncorrected, None);
    }

    #[test]
    fn durations_read_as_minutes_hours_or_days() {
        assert_eq!(span(45), Span::Minutes(45));
        assert_eq!(span(125), Span::HoursMinutes(2, 5));
        assert_eq!(span(3 * 24 * 60 + 60), Span::DaysHours(3, 1));
        assert_eq!(span(-5), Span::Minutes(0));
    }

    #[test]
    fn the_apology_template_fills_every_known_placeholder() {
        let filled = fill_apology(
            "「{title}」({sent_at}): {what_was_wrong} / {title}",
            &ApologyFacts {
                title: "冬のセール",
                sent_at: "2026-11-20 10:00 +09:00",
                what_was_wrong: "価格の誤り",
            },
        );
        assert_eq!(
            filled,
            "「冬のセール」(2026-11-20 10:00 +09:00): 価格の誤り / 冬のセール"
        );
    }

    #[test]
    fn a_template_with_an_unknown_placeholder_or_no_text_is_refused() {
        assert!(validate_template("ja", "  ").is_err());
        let e = validate_template("ja", "Dear {name}, sorry").unwrap_err();
        assert!(e.message.contains("{name}"), "{}", e.message);
        assert_eq!(
            validate_template("en", "Sorry about {title} {}\r\n").unwrap(),
            "Sorry about {title} {}"
        );
    }

    #[test]
    fn a_correction_that_still_carries_every_original_message_repeats_the_mistake() {
        use serde_json::json;
        let original = [
            json!({"type":"text","text":"50% off"}),
            json!({"type":"text","text":"until Sunday"}),
        ];
        let apology = json!({"type":"text","text":"Sorry"});
        let copied = [apology.clone(), original[0].clone(), original[1].clone()];
        assert!(repeats_mistake(&original, &copied));
        let fixed = [
            apology,
            json!({"type":"text","text":"30% off"}),
            original[1].clone(),
        ];
        assert!(!repeats_mistake(&original, &fixed));
        assert_eq!(unchanged_originals(&original, &fixed), [2]);
        assert!(!repeats_mistake(&[], &fixed));
    }

    #[test]
    fn the_apology_never_carries_the_internal_title_or_note() {
        let text = fill_apology(
            "「{title}」({sent_at}): {what_was_wrong}",
            &customer_facing("11月20日 10:00"),
        );
        assert_eq!(text, "「○○」(11月20日 10:00): ○○");
    }
}
