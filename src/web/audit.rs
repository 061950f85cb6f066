//! `GET /audit`: the audit log, newest first, filterable by actor and action, paginated by
//! event id, each change told in words; `GET /audit.csv` downloads the same events (all of
//! them, streamed) for a spreadsheet. Admins only.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;

use crate::db;
use crate::domain::input::{bounded, caps};
use crate::domain::roles::Permission;
use crate::domain::spreadsheet;
use crate::error::{AppError, AppResult, urlencode};
use crate::i18n::{self, Lang};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::pages::{Layout, render};

const PAGE_SIZE: i64 = 50;
/// Rows read per query while streaming the CSV.
const CSV_PAGE: i64 = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show))
        .route("/audit.csv", get(csv))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

pub struct EventView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The action in the page's language, empty when there is none (English shows the code).
    pub label: String,
    pub subject: String,
    /// The change in words, one line per thing recorded.
    pub lines: Vec<String>,
    /// What only an auditor needs (fingerprints, chain heads, request ids), in words.
    pub technical: Vec<String>,
    /// The details exactly as recorded (pretty JSON), for the `<details>` section.
    pub raw: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<EventView>,
    actor: String,
    action: String,
    actions: Vec<(String, String)>,
    next_page: Option<String>,
    csv_url: String,
}

/// An audit action's name in `lang` (`draft.submitted` → `レビューに提出`), empty in
/// English or when the action has no entry: the code itself is always shown next to it.
pub fn action_label(lang: Lang, action: &str) -> String {
    if lang == Lang::Ja && i18n::has_japanese(action) {
        i18n::t_in(lang, action).to_string()
    } else {
        String::new()
    }
}

/// When an event happened, to the second, in the account's zone: English keeps the
/// sortable `2026-11-20 10:00:05 +09:00`; Japanese reads `2026年11月20日 10:00:05 JST (+09:00)`.
fn event_time(lang: Lang, local: DateTime<Tz>) -> String {
    match lang {
        Lang::En => local.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        Lang::Ja => format!(
            "{}年{}月{}日 {}",
            local.year(),
            local.month(),
            local.day(),
            local.format("%H:%M:%S %Z (%:z)")
        ),
    }
}

/// The words for the keys events record; others are written out from their name.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("accepted", "Accepted"),
    ("acknowledged", "Warnings acknowledged"),
    ("acknowledged_warnings", "Warnings acknowledged"),
    ("approvers", "Approvers"),
    ("gate", "Checks before sending"),
    ("noticed_at", "Noticed at"),
    ("noticed_by", "Noticed by"),
    ("owner_name", "Owner name"),
    ("replaced", "Replaced"),
    ("replaced_draft", "Replaced draft"),
    ("replaced_revision", "Replaced revision"),
    ("send_at", "Send time"),
    ("timing", "Timing"),
    ("typed_phrase", "Typed phrase"),
    ("unit", "Figures read"),
    ("was", "Was"),
    ("what_was_wrong", "What was wrong"),
    ("action", "Action"),
    ("activation", "Activation"),
    ("at", "At"),
    ("attempts", "Attempts"),
    (
        "correction_required_approvals",
        "Approvals required for a correction",
    ),
    ("days", "Days"),
    ("due_at", "Due at"),
    ("error", "Error"),
    ("expires_at", "Expires at"),
    ("friend", "Friend"),
    ("friends", "Friends"),
    ("from_draft", "From draft"),
    ("from_revision", "From revision"),
    ("greet_refollows", "Greet friends who add the account again"),
    ("greeting", "Greeting message"),
    (
        "greeting_fallback",
        "When the greeting cannot be sent as a reply",
    ),
    (
        "greeting_reply_deadline_seconds",
        "Reply deadline of the greeting (seconds)",
    ),
    ("held", "Held"),
    ("held_messages", "Messages held while a scenario waits"),
    ("large_audience_threshold", "Large audience threshold"),
    ("left_out", "Left out"),
    ("link_allow_list", "Allowed link domains"),
    (
        "max_drift_percent",
        "Largest friend count change since the preview (%)",
    ),
    ("max_testers", "Most testers"),
    ("not_attempted", "Not attempted"),
    ("owner", "Owner"),
    ("pairing", "Pairing"),
    ("preview_max_age_hours", "Oldest preview allowed (hours)"),
    ("quiet_hours_end", "Quiet hours end"),
    ("quiet_hours_start", "Quiet hours start"),
    ("reauth_minutes", "Confirm it is them again after (minutes)"),
    ("reasons", "Reasons"),
    ("refusal", "Refusal"),
    (
        "release_hold_seconds",
        "Wait before sending starts (seconds)",
    ),
    ("required_approvals", "Required approvals"),
    ("session_idle_hours", "Sign out after inactivity (hours)"),
    ("skipped", "Skipped"),
    ("time_zone", "Time zone"),
    ("total", "Total"),
    (
        "totp_required_for_admins",
        "Two-step sign-in required for admins",
    ),
    (
        "totp_required_for_releasers",
        "Two-step sign-in required for senders",
    ),
    ("user_id", "LINE user ID"),
    ("added", "Added"),
    ("address", "Address"),
    ("batches", "Batches"),
    ("body", "Comment"),
    ("by", "By"),
    ("closing_note", "Closing note"),
    ("confirmed", "Confirmed"),
    ("content_hash", "Content hash"),
    ("count", "Count"),
    ("day", "Within 24 hours"),
    ("delay", "Delay"),
    ("display_name", "Display name"),
    ("draft", "Draft"),
    ("events", "Events"),
    ("failed", "Failed"),
    ("for", "For"),
    ("key_id", "Audit key"),
    ("kind", "Kind"),
    ("language", "Language"),
    ("minutes", "Minutes"),
    ("name", "Name"),
    ("new", "New friend"),
    ("oldest_sessions_ended", "Oldest sessions ended"),
    ("position", "Step number"),
    ("preview", "Preview"),
    ("previous_chain", "Chain before"),
    ("previous_hash", "Previous hash"),
    ("previous_head", "Head before"),
    ("reached", "Recipients reached"),
    ("reason", "Reason"),
    ("recipients", "Recipients"),
    ("recovery_codes", "Recovery codes"),
    ("recovery_codes_left", "Recovery codes left"),
    ("release", "Release"),
    ("revision", "Revision"),
    ("roles", "Roles"),
    ("rows", "Rows"),
    ("rules", "Rules"),
    ("second_factor", "Second factor"),
    ("sessions_ended", "Sessions ended"),
    ("severity", "Severity"),
    ("sign_in_backoff_cleared", "Sign-in backoff cleared"),
    ("snapshot_hash", "Snapshot hash"),
    ("state", "State"),
    ("step", "Step"),
    ("steps", "Steps"),
    ("week", "Within 7 days"),
    ("month", "Within 30 days"),
    ("test_send", "Test send"),
    ("testers", "Testers"),
    ("title", "Title"),
    ("trigger", "Trigger"),
    ("typed_name", "Typed name"),
    ("updated", "Updated"),
    ("username", "User name"),
    ("username_length", "User name length"),
    ("webhook", "Webhook set"),
];

/// Keys that only an auditor reads (fingerprints, chain heads, retry keys): shown in the
/// event's `<details>`, not among its changes.
const TECHNICAL: &[&str] = &[
    "batches",
    "content_hash",
    "key_id",
    "previous_chain",
    "previous_hash",
    "previous_head",
    "request_id",
    "retry_key",
    "snapshot_hash",
];

/// Keys whose values are what someone typed (a title, a name, a comment): shown as typed,
/// never looked up as words to translate.
const TYPED: &[&str] = &[
    "address",
    "approvers",
    "noticed_by",
    "owner_name",
    "typed_phrase",
    "what_was_wrong",
    "body",
    "closing_note",
    "display_name",
    "name",
    "title",
    "typed_name",
    "username",
    "link_allow_list",
];

fn field_label(lang: Lang, key: &str) -> String {
    match FIELD_LABELS.iter().find(|(k, _)| *k == key) {
        Some((_, label)) => i18n::t_in(lang, label).to_string(),
        None => {
            let words = key.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// How the words of a recorded value are read: as typed, or as words sendgate wrote
/// (a role, a state, yes/no), which are put in the reader's language.
#[derive(Clone, Copy, PartialEq)]
enum Words {
    Typed,
    Ours,
}

/// One recorded value in words: hashes shortened, yes/no, numbers with separators, times
/// in the account's zone, lists joined, sendgate's own words translated.
fn value_words(lang: Lang, tz: Tz, words: Words, v: &Value) -> String {
    let list = if lang == Lang::Ja { "、" } else { ", " };
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => i18n::t_in(lang, if *b { "yes" } else { "no" }).to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i18n::format_number(i),
            None => n.to_string(),
        },
        Value::String(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}…", &s[..12])
        }
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) if s.len() >= 20 => i18n::format_time(lang, at.with_timezone(&chrono::Utc), tz),
            _ if words == Words::Typed => s.clone(),
            _ if !s.is_empty() && s.len() < 16 && s.bytes().all(|b| b.is_ascii_digit()) => s
                .parse::<i64>()
                .map(i18n::format_number)
                .unwrap_or_else(|_| s.clone()),
            _ if s == "true" || s == "false" => {
                i18n::t_in(lang, if s == "true" { "yes" } else { "no" }).to_string()
            }
            // "admin, reviewer": each of sendgate's words on its own.
            _ if s.contains(", ") => s
                .split(", ")
                .map(|w| i18n::translate(lang, w).into_owned())
                .collect::<Vec<_>>()
                .join(list),
            _ => i18n::translate(lang, s).into_owned(),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| value_words(lang, tz, words, i))
            .collect::<Vec<_>>()
            .join(list),
        Value::Object(map) => match (map.get("from"), map.get("to")) {
            (Some(from), Some(to)) => {
                format!(
                    "{} → {}",
                    value_words(lang, tz, words, from),
                    value_words(lang, tz, words, to)
                )
            }
            _ => map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} {}",
                        field_label(lang, k),
                        value_words(lang, tz, words_of(k), v)
                    )
                })
                .collect::<Vec<_>>()
                .join(list),
        },
    }
}

fn words_of(key: &str) -> Words {
    if TYPED.contains(&key) {
        Words::Typed
    } else {
        Words::Ours
    }
}

/// An event's details for the page: the changes in words, the technical lines, and the
/// recorded JSON as it is.
pub struct Details {
    pub lines: Vec<String>,
    pub technical: Vec<String>,
    pub raw: String,
}

/// [`detail_lines`] split for the page: what changed, then what only an auditor needs.
pub fn details_for_page(lang: Lang, tz: Tz, details: &str) -> Details {
    let raw = serde_json::from_str::<Value>(details)
        .ok()
        .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()))
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default();
    let (mut lines, mut technical) = (Vec::new(), Vec::new());
    for (key, line) in keyed_lines(lang, tz, details) {
        let english_only = lang != Lang::En && key.as_deref() == Some("rules");
        if english_only {
            continue;
        }
        if key.as_deref().is_some_and(|k| TECHNICAL.contains(&k)) {
            technical.push(line);
        } else {
            lines.push(line);
        }
    }
    Details {
        lines,
        technical,
        raw,
    }
}

/// An event's details in words, one line each: `Roles: reviewer → admin, reviewer`.
pub fn detail_lines(lang: Lang, details: &str) -> Vec<String> {
    keyed_lines(lang, chrono_tz::UTC, details)
        .into_iter()
        .map(|(_, line)| line)
        .collect()
}

/// [`detail_lines`] with the key each line tells (none for a `from`/`to` change).
fn keyed_lines(lang: Lang, tz: Tz, details: &str) -> Vec<(Option<String>, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(details) else {
        return if details.trim().is_empty() {
            Vec::new()
        } else {
            vec![(None, details.to_string())]
        };
    };
    let mut lines = Vec::new();
    // A change of one thing records `from` and `to` side by side.
    if let (Some(from), Some(to)) = (map.get("from"), map.get("to")) {
        lines.push((
            None,
            i18n::tf_in(
                lang,
                "Changed from {from} to {to}",
                &[
                    &value_words(lang, tz, Words::Ours, from),
                    &value_words(lang, tz, Words::Ours, to),
                ],
            ),
        ));
    }
    for (key, value) in &map {
        if matches!(key.as_str(), "from" | "to") {
            continue;
        }
        if key == "confirmed"
            && let Some(by) = value.get("by").and_then(Value::as_str)
        {
            let by = i18n::t_in(lang, by);
            lines.push((
                Some(key.clone()),
                if value.get("just_now").and_then(Value::as_bool) == Some(true) {
                    i18n::tf_in(lang, "Confirmed it was them just now ({by})", &[&by])
                } else {
                    i18n::tf_in(lang, "Confirmed it was them recently ({by})", &[&by])
                },
            ));
            continue;
        }
        let colon = if lang == Lang::Ja { "：" } else { ": " };
        lines.push((
            Some(key.clone()),
            format!(
                "{}{colon}{}",
                field_label(lang, key),
                value_words(lang, tz, words_of(key), value)
            ),
        ));
    }
    lines
}

/// A filter as typed: trimmed, empty means none, and never longer than a search box allows.
fn filter(raw: &Option<String>, field: &str) -> AppResult<Option<String>> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(
            bounded(field, s, caps::SEARCH).map_err(|e| AppError::Invalid(vec![e]))?,
        )),
    }
}

/// The actors that are sendgate itself, named in the reader's language.
const SYSTEM_ACTORS: &[&str] = &["cli", "dispatcher", "system", "webhook", "scheduler"];

fn view(lang: Lang, tz: Tz, r: db::audit::EventRow) -> EventView {
    let details = details_for_page(lang, tz, &r.details);
    EventView {
        id: r.id,
        at: DateTime::parse_from_rfc3339(&r.at)
            .map(|t| event_time(lang, t.with_timezone(&tz)))
            .unwrap_or(r.at),
        actor: if lang == Lang::Ja && SYSTEM_ACTORS.contains(&r.actor_name.as_str()) {
            i18n::t_in(lang, &r.actor_name).to_string()
        } else {
            r.actor_name
        },
        label: action_label(lang, &r.action),
        action: r.action,
        // A bare subject ("friends", "policy") is one of sendgate's words; "draft:5" is a code.
        subject: if lang == Lang::Ja && i18n::has_japanese(&r.subject) {
            i18n::t_in(lang, &r.subject).to_string()
        } else {
            r.subject
        },
        lines: details.lines,
        technical: details.technical,
        raw: details.raw,
    }
}

fn filter_query(actor: Option<&str>, action: Option<&str>) -> String {
    let mut query = String::new();
    if let Some(a) = actor {
        query.push_str(&format!("&actor={}", urlencode(a)));
    }
    if let Some(a) = action {
        query.push_str(&format!("&action={}", urlencode(a)));
    }
    query
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadAudit)?;
    let tz = user.time_zone();
    let actor = filter(&q.actor, "actor")?;
    let action = filter(&q.action, "action")?;
    let (actor, action) = (actor.as_deref(), action.as_deref());
    let rows = db::audit::list(&state.pool, actor, action, q.before, PAGE_SIZE + 1).await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let lang = i18n::current();
    let events: Vec<EventView> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| view(lang, tz, r))
        .collect();
    let query = filter_query(actor, action);
    let next_page = match (has_more, events.last()) {
        (true, Some(last)) => Some(format!("/audit?before={}{query}", last.id)),
        _ => None,
    };
    Ok(render(&AuditPage {
        layout: Layout::for_user(&user.0, "Audit log", "/audit", None),
        events,
        actor: actor.unwrap_or_default().to_string(),
        action: action.unwrap_or_default().to_string(),
        actions: db::audit::actions(&state.pool)
            .await?
            .into_iter()
            .map(|a| {
                let label = action_label(lang, &a);
                (a, label)
            })
            .collect(),
        next_page,
        csv_url: format!("/audit.csv?{}", query.trim_start_matches('&')),
    }))
}

/// Every matching event, newest first, as CSV for a spreadsheet: cells that Excel would
/// run as formulas are neutralised; the download is never cached.
async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadAudit)?;
    let tz = user.time_zone();
    let lang = i18n::current();
    let actor = filter(&q.actor, "actor")?;
    let action = filter(&q.action, "action")?;
    let pool = state.pool.clone();
    let header = spreadsheet::line(
        ["id", "at", "actor", "action", "subject", "details", "hash"]
            .into_iter()
            .map(|h| i18n::t_in(lang, h)),
    );
    // State: the id to read before (None once done), and the header still to send.
    let stream =
        futures_util::stream::unfold((Some(i64::MAX), Some(header)), move |(before, header)| {
            let (pool, actor, action) = (pool.clone(), actor.clone(), action.clone());
            async move {
                if let Some(h) = header {
                    return Some((
                        Ok::<_, sqlx::Error>(format!("\u{feff}{h}").into_bytes()),
                        (before, None),
                    ));
                }
                let before = before?;
                let rows = match db::audit::list_with_hash(
                    &pool,
                    actor.as_deref(),
                    action.as_deref(),
                    before,
                    CSV_PAGE,
                )
                .await
                {
                    Ok(rows) => rows,
                    Err(e) => return Some((Err(e), (None, None))),
                };
                if rows.is_empty() {
                    return None;
                }
                let next = (rows.len() as i64 == CSV_PAGE)
                    .then(|| rows.last().map(|r| r.0.id))
                    .flatten();
                let mut out = String::new();
                for (row, hash) in rows {
                    let id = row.id.to_string();
                    let at = DateTime::parse_from_rfc3339(&row.at)
                        .map(|t| t.with_timezone(&tz).to_rfc3339())
                        .unwrap_or_else(|_| row.at.clone());
                    let details = detail_lines(lang, &row.details).join("; ");
                    out.push_str(&spreadsheet::line([
                        id.as_str(),
                        at.as_str(),
                        row.actor_name.as_str(),
                        row.action.as_str(),
                        row.subject.as_str(),
                        details.as_str(),
                        hash.as_str(),
                    ]));
                }
                Some((Ok(out.into_bytes()), (next, None)))
            }
        });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"sendgate-audit.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_told_in_words_not_json() {
        let lines = detail_lines(
            Lang::En,
            r#"{"username":"rei","from":"reviewer","to":"admin, reviewer","sessions_ended":2,"webhook":true,"content_hash":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}"#,
        );
        assert_eq!(
            lines,
            [
                "Changed from reviewer to admin, reviewer",
                "User name: rei",
                "Sessions ended: 2",
                "Webhook set: yes",
                "Content hash: 0123456789ab…",
            ]
        );
    }

    #[test]
    fn every_field_label_has_japanese() {
        let missing: Vec<&str> = FIELD_LABELS
            .iter()
            .map(|(_, label)| *label)
            .filter(|label| !i18n::has_japanese(label))
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn japanese_pages_read_the_change_and_keep_fingerprints_and_json_aside() {
        let d = details_for_page(
            Lang::Ja,
            chrono_tz::Asia::Tokyo,
            r#"{"required_approvals":{"from":"2","to":"3"},"large_audience_threshold":{"from":"10000","to":"29999"},"roles":"admin, reviewer","revision":2,"content_hash":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","at":"2026-11-20T01:00:00Z"}"#,
        );
        assert_eq!(
            d.lines,
            [
                "必要な承認数：2 → 3",
                "大規模配信のしきい値：10,000 → 29,999",
                "役割：管理者、確認者",
                "版：2",
                "日時：2026年11月20日 10:00 JST (+09:00)",
            ]
        );
        assert_eq!(d.technical, ["確認コード（内容の指紋）：0123456789ab…"]);
        assert!(d.raw.contains("\"required_approvals\""), "{}", d.raw);
        let empty = details_for_page(Lang::Ja, chrono_tz::Asia::Tokyo, "{}");
        assert!(empty.lines.is_empty() && empty.raw.is_empty());
    }

    #[test]
    fn nested_changes_and_confirmations_read_as_sentences() {
        let lines = detail_lines(
            Lang::En,
            r#"{"required_approvals":{"from":"2","to":"3"},"confirmed":{"by":"totp","at":"2026-11-20T01:00:00Z","just_now":true}}"#,
        );
        assert_eq!(
            lines,
            [
                "Required approvals: 2 → 3",
                "Confirmed it was them just now (totp)",
            ]
        );
        assert!(detail_lines(Lang::En, "{}").is_empty());
        assert_eq!(detail_lines(Lang::En, "not json"), ["not json"]);
    }
}
