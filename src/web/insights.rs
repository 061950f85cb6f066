//! LINE's statistics of a sent release, as the release page, the incident page and a
//! correction draft show them (issue #19): delivered, opened and clicked per message and
//! per link, with the time LINE was read and what LINE's figures can and cannot say; and
//! `POST /releases/{id}/insights/refresh`, which asks the reader for fresh figures.
//!
//! Pages never call LINE: they show stored readings ([`crate::jobs::insights`] takes
//! them), so a page stays fast and LINE's 60 calls an hour are never spent by reloads.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum_extra::extract::Form;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db;
use crate::db::releases::ReleaseRow;
use crate::domain::insight::{self, Availability, Figures, Moment};
use crate::domain::roles::Permission;
use crate::error::AppResult;
use crate::i18n::{format_number, tf};
use crate::services::insights as service;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::redirect_with;
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new().route("/releases/{id}/insights/refresh", post(refresh))
}

/// A figure as shown: the number, or a dash where LINE hides it or has none yet.
fn figure(n: Option<i64>) -> String {
    n.map(format_number).unwrap_or_else(|| "—".into())
}

fn percent(n: Option<i64>) -> String {
    n.map(|p| format!("{p}%")).unwrap_or_default()
}

pub struct BubbleRow {
    pub seq: i64,
    pub impressions: String,
    pub opened: String,
}

pub struct LinkRow {
    pub seq: i64,
    pub url: String,
    pub clicks: String,
    pub clicked: String,
}

/// The newest reading of LINE's figures.
pub struct ReadingView {
    pub read_at: String,
    pub delivered: String,
    /// True when `delivered` is LINE's own count (a broadcast); otherwise it is the
    /// recipients sendgate handed to LINE (the per-unit statistics have no such figure).
    pub delivered_by_line: bool,
    pub opened: String,
    pub open_rate: String,
    pub clicked: String,
    pub click_rate: String,
    pub bubbles: Vec<BubbleRow>,
    pub links: Vec<LinkRow>,
}

/// One earlier reading, for the history under the figures.
pub struct HistoryRow {
    pub read_at: String,
    pub opened: String,
    pub clicked: String,
    pub error: String,
}

/// One "opened by N" or "link X clicked by N" entry of the incident timeline.
pub struct MomentView {
    pub at: String,
    pub text: String,
}

/// Everything the statistics card, the incident timeline and the correction need.
#[derive(Default)]
pub struct InsightsView {
    pub release_id: i64,
    /// Why LINE has no statistics of this release, when it has none.
    pub unavailable: Option<&'static str>,
    /// LINE can be read for this release (by request id or unit name).
    pub readable: bool,
    /// The unit name its multicasts carried.
    pub unit: Option<String>,
    pub latest: Option<ReadingView>,
    pub history: Vec<HistoryRow>,
    /// The last attempt failed: when, and LINE's answer.
    pub last_failure: Option<(String, String)>,
    pub refresh_requested_at: Option<String>,
    pub may_refresh: bool,
    /// Where the refresh form comes back to.
    pub back: String,
    /// Timeline entries, split around the incident's noticing and correction times.
    pub moments_before_notice: Vec<MomentView>,
    pub moments_before_correction: Vec<MomentView>,
    pub moments_after_correction: Vec<MomentView>,
    /// "N of the M recipients had opened the wrong message", for a correction.
    pub opened_line: Option<String>,
}

fn parse(figures: Option<&str>) -> Option<Figures> {
    figures.and_then(|f| serde_json::from_str(f).ok())
}

fn moment_text(m: &Moment) -> String {
    match m {
        Moment::Opened { people, .. } => tf(
            "Opened by {n} (LINE statistics)",
            &[&format_number(*people)],
        ),
        Moment::Clicked { url, people, .. } => tf(
            "Link {url} clicked by {n} (LINE statistics)",
            &[url, &format_number(*people)],
        ),
    }
}

/// The line a correction shows about the wrong message's reach.
fn opened_line(
    latest: Option<(DateTime<Utc>, &Figures)>,
    recipients: i64,
    tz: Tz,
) -> Option<String> {
    let (at, f) = latest?;
    Some(match f.opened {
        Some(n) => tf(
            "{n} of the {total} recipients had opened the wrong message by {time} (LINE statistics).",
            &[
                &format_number(n),
                &format_number(recipients),
                &local_time(at, tz),
            ],
        ),
        None => tf(
            "By {time} LINE showed no number of people who opened it: fewer than 20 had, or LINE had not counted them yet.",
            &[&local_time(at, tz)],
        ),
    })
}

/// Builds the statistics of `release` for a page seen by `user`. `incident` gives the
/// noticing and correction times the timeline entries are placed around.
pub async fn view(
    state: &AppState,
    user: &CurrentUser,
    release: &ReleaseRow,
    incident: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    back: &str,
) -> AppResult<InsightsView> {
    let tz = user.time_zone();
    let mut conn = state.pool.acquire().await?;
    let availability = service::availability(&mut conn, release).await?;
    let readings = db::insights::readings(&mut *conn, release.id).await?;
    let refresh = db::insights::refresh_requested_at(&mut *conn, release.id).await?;
    let reached = db::releases::progress(&mut *conn, release.id)
        .await?
        .recipients_reached;
    drop(conn);

    let (readable, unavailable, unit) = match &availability {
        Availability::ByRequest(_) => (true, None, None),
        Availability::ByUnit(u) => (true, None, Some(u.as_str().to_string())),
        Availability::NotSent => (
            false,
            Some("LINE's statistics appear here once the message was sent."),
            None,
        ),
        Availability::UnitLimitReached => (
            false,
            Some(
                "LINE has no statistics of this release: this month's 1,000 unit names (LINE's limit) were used up when it was sent, so its messages went without one.",
            ),
            None,
        ),
        Availability::NoUnit => (
            false,
            Some(
                "LINE has no statistics of this release: its messages were sent without a unit name.",
            ),
            None,
        ),
    };
    let successes: Vec<(DateTime<Utc>, Figures)> = readings
        .iter()
        .filter_map(|r| parse(r.figures.as_deref()).map(|f| (r.read_at, f)))
        .collect();
    let latest = successes.last().map(|(at, f)| {
        let by_line = f.delivered.is_some();
        let recipients = f.delivered.unwrap_or(reached);
        ReadingView {
            read_at: local_time(*at, tz),
            delivered: format_number(recipients),
            delivered_by_line: by_line,
            opened: figure(f.opened),
            open_rate: percent(f.open_rate(recipients)),
            clicked: figure(f.clicked),
            click_rate: percent(f.click_rate(recipients)),
            bubbles: f
                .bubbles
                .iter()
                .map(|b| BubbleRow {
                    seq: b.seq,
                    impressions: figure(b.impressions),
                    opened: figure(b.opened),
                })
                .collect(),
            links: f
                .links
                .iter()
                .map(|l| LinkRow {
                    seq: l.seq,
                    url: l.url.clone(),
                    clicks: figure(l.clicks),
                    clicked: figure(l.clicked),
                })
                .collect(),
        }
    });
    let last_failure = readings.last().and_then(|r| {
        r.error
            .as_ref()
            .map(|e| (local_time(r.read_at, tz), e.clone()))
    });
    let history = readings
        .iter()
        .rev()
        .map(|r| {
            let f = parse(r.figures.as_deref());
            HistoryRow {
                read_at: local_time(r.read_at, tz),
                opened: f.as_ref().map(|f| figure(f.opened)).unwrap_or_default(),
                clicked: f.as_ref().map(|f| figure(f.clicked)).unwrap_or_default(),
                error: r.error.clone().unwrap_or_default(),
            }
        })
        .collect();

    let refs: Vec<(DateTime<Utc>, &Figures)> = successes.iter().map(|(at, f)| (*at, f)).collect();
    let mut view = InsightsView {
        release_id: release.id,
        unavailable,
        readable,
        unit,
        latest,
        history,
        last_failure,
        refresh_requested_at: refresh.map(|t| local_time(t, tz)),
        may_refresh: readable && user.0.user.roles.may(Permission::RefreshStatistics),
        back: back.to_string(),
        opened_line: opened_line(refs.last().copied(), release.recipients, tz),
        ..InsightsView::default()
    };
    if let Some((noticed, corrected)) = incident {
        for m in insight::moments(&refs) {
            let shown = MomentView {
                at: local_time(m.at(), tz),
                text: moment_text(&m),
            };
            if m.at() < noticed {
                view.moments_before_notice.push(shown);
            } else if corrected.is_none_or(|c| m.at() < c) {
                view.moments_before_correction.push(shown);
            } else {
                view.moments_after_correction.push(shown);
            }
        }
    }
    Ok(view)
}

/// The correction banner's line about how many had opened the wrong message.
pub async fn correction_line(
    conn: &mut sqlx::SqliteConnection,
    release: &ReleaseRow,
    tz: Tz,
) -> AppResult<Option<String>> {
    let readings = db::insights::readings(&mut *conn, release.id).await?;
    let latest = readings
        .iter()
        .rev()
        .find_map(|r| parse(r.figures.as_deref()).map(|f| (r.read_at, f)));
    Ok(opened_line(
        latest.as_ref().map(|(at, f)| (*at, f)),
        release.recipients,
        tz,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RefreshForm {
    back: String,
}

/// Where a refresh comes back to: the release page or an incident page, nothing else.
fn back_to(back: &str, release_id: i64) -> String {
    let ok = |prefix: &str| {
        back.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    };
    if ok("/incidents/") || ok("/releases/") {
        back.to_string()
    } else {
        format!("/releases/{release_id}")
    }
}

async fn refresh(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RefreshForm>,
) -> AppResult<Response> {
    user.require(Permission::RefreshStatistics)?;
    let asked = service::request_refresh(&state.pool, state.clock.now(), &user.actor(), id).await?;
    let to = back_to(&form.back, id);
    Ok(redirect_with(
        &format!("{to}#insights"),
        if asked {
            "Fresh figures were asked of LINE; they appear here within a minute."
        } else {
            "Fresh figures were already asked of LINE; they appear here within a minute."
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_comes_back_only_to_a_release_or_incident_page() {
        assert_eq!(back_to("/incidents/3", 7), "/incidents/3");
        assert_eq!(back_to("/releases/7", 7), "/releases/7");
        for bad in [
            "",
            "//evil.example/",
            "/incidents/",
            "/incidents/3/x",
            "https://x/releases/1",
        ] {
            assert_eq!(back_to(bad, 7), "/releases/7", "{bad:?}");
        }
    }

    #[test]
    fn a_hidden_figure_is_a_dash() {
        assert_eq!(figure(Some(12_340)), "12,340");
        assert_eq!(figure(None), "—");
        assert_eq!(percent(Some(87)), "87%");
        assert_eq!(percent(None), "");
    }
}
