//! Incidents (issue #8): `GET,POST /releases/{id}/report` (report a mistake on a sent
//! release), `GET /incidents` (open and closed), `GET /incidents/{id}` (timeline, the exact
//! original message, the recipients), `GET /incidents/{id}/recipients.csv` (streamed, with
//! a BOM for Excel), `POST /incidents/{id}/correction` (the correction draft in one click),
//! `POST /incidents/{id}/close`, and `GET,POST /admin/apology` (the apology templates).

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::incident::{self, Severity};
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, tf};
use crate::services::incidents::{self as service, ReportInput};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::views::{RevisionView, duration, local_time};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/releases/{id}/report", get(report_form).post(report))
        .route("/incidents", get(list))
        .route("/incidents/{id}", get(show))
        .route("/incidents/{id}/recipients.csv", get(recipients_csv))
        .route("/incidents/{id}/correction", post(correction))
        .route("/incidents/{id}/close", post(close))
        .route("/admin/apology", get(templates_form).post(save_templates))
}

pub struct SeverityOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn severity_options(selected: &str) -> Vec<SeverityOption> {
    Severity::ALL
        .into_iter()
        .map(|s| SeverityOption {
            value: s.as_str(),
            label: s.label(),
            selected: s.as_str() == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "incidents/report.html")]
struct ReportPage {
    layout: Layout,
    release_id: i64,
    title: String,
    sent_at: String,
    form: ReportInput,
    severities: Vec<SeverityOption>,
    errors: FormErrors,
}

async fn report_page(
    state: &AppState,
    user: &CurrentUser,
    release_id: i64,
    form: ReportInput,
    errors: FormErrors,
) -> AppResult<ReportPage> {
    let release = db::releases::find(&state.pool, release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft = db::drafts::find(&state.pool, release.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = user.time_zone();
    Ok(ReportPage {
        layout: Layout::for_user(&user.0, "Report a mistake", "/incidents", None),
        release_id,
        title: draft.title,
        sent_at: local_time(service::sent_at(&release), tz),
        severities: severity_options(&form.severity),
        form,
        errors,
    })
}

async fn report_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let form = ReportInput {
        severity: "high".into(),
        ..ReportInput::default()
    };
    Ok(render(
        &report_page(&state, &user, id, form, FormErrors::default()).await?,
    ))
}

async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReportInput>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    match service::report(&state.pool, state.clock.now(), &user.actor(), id, &form).await {
        Ok(incident) => Ok(redirect_with(
            &format!("/incidents/{incident}"),
            "Incident opened; the team was told. Next: make the correction draft.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = report_page(&state, &user, id, form, FormErrors(errors)).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

pub struct IncidentLineView {
    pub id: i64,
    pub title: String,
    pub severity: String,
    pub state: String,
    pub noticed: String,
    pub correction: String,
    pub closing_note: String,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    layout: Layout,
    open: Vec<IncidentLineView>,
    closed: Vec<IncidentLineView>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let tz = user.time_zone();
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for l in db::incidents::list(&state.pool).await? {
        let view = IncidentLineView {
            id: l.id,
            title: l.title,
            severity: l.severity,
            noticed: local_time(l.noticed_at, tz),
            correction: match (l.correction_draft_id, l.correction_state) {
                (Some(d), Some(s)) => format!("#{d} ({})", t(&s)),
                _ => t("none yet").to_string(),
            },
            closing_note: l.closing_note.unwrap_or_default(),
            state: l.state,
        };
        if view.state == "open" {
            open.push(view);
        } else {
            closed.push(view);
        }
    }
    Ok(render(&ListPage {
        layout: Layout::for_user(&user.0, "Incidents", "/incidents", flash),
        open,
        closed,
    }))
}

#[derive(Template)]
#[template(path = "incidents/show.html")]
struct IncidentPage {
    layout: Layout,
    i: db::incidents::IncidentRow,
    release: db::releases::ReleaseRow,
    revision: RevisionView,
    sent_at: String,
    noticed_at: String,
    reported_at: String,
    correction_sent_at: String,
    /// The correction went out (a draft alone has no minutes to show yet).
    correction_sent: bool,
    to_notice: String,
    to_correct: String,
    uncorrected: String,
    is_broadcast: bool,
    friends_now: i64,
    /// Signed: `+2`, `-1`, `+0`.
    friend_difference: String,
    correction_draft: Option<(i64, String)>,
    may_correct: bool,
    may_close: bool,
    closed_at: String,
    close_error: Option<String>,
    insights: crate::web::insights::InsightsView,
}

async fn incident_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    flash: Option<String>,
    close_error: Option<String>,
) -> AppResult<IncidentPage> {
    let pool = &state.pool;
    let i = db::incidents::find(pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let release = db::releases::find(pool, i.release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = user.time_zone();
    let row = db::drafts::revision(pool, release.draft_id, release.revision_number)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = RevisionView::new(&row, tz)?;
    let (correction_draft, correction_sent) = match i.correction_draft_id {
        Some(d) => {
            let state = db::drafts::find(pool, d)
                .await?
                .map(|d| d.state)
                .unwrap_or_default();
            (
                Some((d, state)),
                db::incidents::correction_sent_at(pool, d).await?,
            )
        }
        None => (None, None),
    };
    let tl = incident::timeline(service::sent_at(&release), i.noticed_at, correction_sent);
    let friends_now = db::friends::count_following(pool).await?;
    let insights = crate::web::insights::view(
        state,
        user,
        &release,
        Some((tl.noticed_at, tl.correction_sent_at)),
        &format!("/incidents/{id}"),
    )
    .await?;
    let minutes = |m: Option<i64>| m.map(duration).unwrap_or_else(|| t("not yet").into());
    Ok(IncidentPage {
        layout: Layout::for_user(&user.0, &tf("Incident #{id}", &[&id]), "/incidents", flash),
        sent_at: local_time(tl.sent_at, tz),
        noticed_at: local_time(tl.noticed_at, tz),
        reported_at: local_time(i.reported_at, tz),
        correction_sent: tl.correction_sent_at.is_some(),
        correction_sent_at: tl
            .correction_sent_at
            .map(|t| local_time(t, tz))
            .unwrap_or_else(|| t("not yet").into()),
        to_notice: duration(tl.minutes_to_notice),
        to_correct: minutes(tl.minutes_to_correct),
        uncorrected: minutes(tl.minutes_uncorrected),
        is_broadcast: release.kind == "broadcast",
        friends_now,
        friend_difference: format!("{:+}", friends_now - release.recipients),
        may_correct: user.0.user.roles.may(Permission::WriteDrafts)
            && i.correction_draft_id.is_none()
            && i.state == "open"
            && release.kind != "step",
        may_close: user.0.user.roles.may(Permission::WriteDrafts) && i.state == "open",
        closed_at: i.closed_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        correction_draft,
        close_error,
        insights,
        revision,
        release,
        i,
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(
        &incident_page(&state, &user, id, flash, None).await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CorrectionForm {
    language: String,
}

async fn correction(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CorrectionForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let draft = service::create_correction(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        id,
        &form.language,
    )
    .await?;
    let mut message = t("Correction draft ready, addressed to exactly the recipients who received the original. Write what customers should read in place of ○○, fix the text, submit it, test-send it.").to_string();
    if !draft.left_out.is_empty() {
        let numbers: Vec<String> = draft.left_out.iter().map(|n| n.to_string()).collect();
        message.push(' ');
        message.push_str(&tf(
            "LINE takes five messages at most, so the original's message {numbers} did not fit beside the apology: add it back in place of another if it must be corrected.",
            &[&numbers.join(", ")],
        ));
    }
    Ok(redirect_with(
        &format!("/drafts/{}", draft.draft_id),
        &message,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    closing_note: String,
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    match service::close(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        id,
        &form.closing_note,
    )
    .await
    {
        Ok(()) => Ok(redirect_with("/incidents", "Incident closed.")),
        Err(AppError::Invalid(errors)) => {
            let why = errors.first().map(|e| e.message.clone());
            let page = incident_page(&state, &user, id, None, why).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

/// CSV rows per database page while streaming.
const CSV_PAGE: i64 = 5_000;

/// The recipients LINE accepted, streamed page by page: the frozen snapshot's users in the
/// batches LINE took for segment sends, the friends following now for a broadcast (LINE
/// picked its recipients).
async fn recipients_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let i = db::incidents::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let release = db::releases::find(&state.pool, i.release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let preview = release.preview_id.filter(|_| release.kind != "broadcast");
    let release_id = release.id;
    // Nobody received a broadcast that LINE refused.
    let received_broadcast = release.accepted.unwrap_or(release.recipients) > 0;
    let pool = state.pool.clone();
    // State: the last user id written, or None once done. The header goes first.
    let header = String::from("\u{feff}user_id,display_name\r\n");
    let stream = futures_util::stream::unfold(
        (Some(String::new()), Some(header)),
        move |(after, header)| {
            let pool = pool.clone();
            async move {
                if let Some(h) = header {
                    return Some((Ok::<_, sqlx::Error>(h.into_bytes()), (after, None)));
                }
                let after = after?;
                let page = match preview {
                    Some(p) => {
                        db::incidents::accepted_recipients(&pool, release_id, p, &after, CSV_PAGE)
                            .await
                    }
                    None if received_broadcast => {
                        db::incidents::following_recipients(&pool, &after, CSV_PAGE).await
                    }
                    None => Ok(Vec::new()),
                };
                match page {
                    Err(e) => Some((Err(e), (None, None))),
                    Ok(rows) if rows.is_empty() => None,
                    Ok(rows) => {
                        let mut out = String::new();
                        for r in &rows {
                            // Names Excel would run as formulas stay text.
                            out.push_str(&crate::domain::spreadsheet::line([
                                r.user_id.as_str(),
                                r.display_name.as_str(),
                            ]));
                        }
                        let next = (rows.len() as i64 == CSV_PAGE)
                            .then(|| rows.last().map(|r| r.user_id.clone()))
                            .flatten();
                        Some((Ok(out.into_bytes()), (next, None)))
                    }
                }
            }
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"incident-{id}-recipients.csv\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplatesForm {
    apology_ja: String,
    apology_en: String,
}

#[derive(Template)]
#[template(path = "incidents/apology.html")]
struct TemplatesPage {
    layout: Layout,
    ja: String,
    en: String,
    errors: FormErrors,
}

async fn templates_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    Ok(render(&TemplatesPage {
        layout: Layout::for_user(&user.0, "Apology templates", "/admin/policy", flash),
        ja: db::incidents::apology_template(&state.pool, "ja")
            .await?
            .unwrap_or_default(),
        en: db::incidents::apology_template(&state.pool, "en")
            .await?
            .unwrap_or_default(),
        errors: FormErrors::default(),
    }))
}

async fn save_templates(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TemplatesForm>,
) -> AppResult<Response> {
    user.require(Permission::ManagePolicy)?;
    match service::update_templates(
        &state.pool,
        state.clock.now(),
        &user.actor(),
        &form.apology_ja,
        &form.apology_en,
    )
    .await
    {
        Ok(()) => Ok(redirect_with("/admin/apology", "Apology templates saved.")),
        Err(AppError::Invalid(errors)) => Ok(render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &TemplatesPage {
                layout: Layout::for_user(&user.0, "Apology templates", "/admin/policy", None),
                ja: form.apology_ja,
                en: form.apology_en,
                errors: FormErrors(errors),
            },
        )),
        Err(e) => Err(e),
    }
}
