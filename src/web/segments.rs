//! `/segments...`: saved audience rules with a live count while editing.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::{Form, Query};
use serde_json::json;

use crate::db;
use crate::domain::audience::SegmentInput;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::audience;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list).post(create))
        .route("/segments/new", get(new_form))
        .route("/segments/count", get(count))
        .route("/segments/{id}", get(edit).post(update))
}

pub struct SegmentLine {
    pub id: i64,
    pub name: String,
    pub rules: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "segments/list.html")]
struct ListPage {
    layout: Layout,
    segments: Vec<SegmentLine>,
    can_manage: bool,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let now = state.clock.now();
    let tz = user.time_zone();
    let mut segments = Vec::new();
    for s in db::segments::list(&state.pool).await? {
        let rules = s.rules();
        let count =
            db::friends::segment_count(&state.pool, &rules, rules.follow_window(now, tz)).await?;
        segments.push(SegmentLine {
            id: s.id,
            rules: rules.describe_in(crate::i18n::current()),
            name: s.name,
            count,
        });
    }
    Ok(render(&ListPage {
        layout: Layout::for_user(&user.0, "Segments", "/segments", flash),
        segments,
        can_manage: user.0.user.roles.may(Permission::ManageAudience),
    }))
}

pub struct AttrRow {
    pub key: String,
    pub op: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "segments/form.html")]
struct FormPage {
    layout: Layout,
    id: Option<i64>,
    form: SegmentInput,
    attrs: Vec<AttrRow>,
    count: Option<i64>,
    total: i64,
    errors: FormErrors,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
    form: SegmentInput,
    errors: Vec<crate::domain::FieldError>,
    flash: Option<String>,
) -> AppResult<FormPage> {
    let count = match form.parse_rules() {
        Ok(rules) if errors.is_empty() || errors.iter().all(|e| e.field == "name") => {
            let tz = user.time_zone();
            Some(
                db::friends::segment_count(
                    &state.pool,
                    &rules,
                    rules.follow_window(state.clock.now(), tz),
                )
                .await?,
            )
        }
        _ => None,
    };
    let mut attrs: Vec<AttrRow> = (0..form.attr_key.len())
        .map(|i| AttrRow {
            key: form.attr_key[i].clone(),
            op: form.attr_op.get(i).cloned().unwrap_or_default(),
            value: form.attr_value.get(i).cloned().unwrap_or_default(),
        })
        .filter(|a| !a.key.trim().is_empty())
        .collect();
    while attrs.len() < 3 {
        attrs.push(AttrRow {
            key: String::new(),
            op: "equals".into(),
            value: String::new(),
        });
    }
    Ok(FormPage {
        layout: Layout::for_user(
            &user.0,
            if id.is_some() {
                "Edit segment"
            } else {
                "New segment"
            },
            "/segments",
            flash,
        ),
        id,
        form,
        attrs,
        count,
        total: db::friends::count_following(&state.pool).await?,
        errors: FormErrors(errors),
    })
}

async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Permission::ManageAudience)?;
    Ok(render(
        &form_page(
            &state,
            &user,
            None,
            SegmentInput::default(),
            Vec::new(),
            None,
        )
        .await?,
    ))
}

async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let s = db::segments::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = SegmentInput::from_rules(&s.name, &s.rules());
    Ok(render(
        &form_page(&state, &user, Some(id), form, Vec::new(), flash).await?,
    ))
}

/// The segment form: the rule fields plus which button was pressed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SegmentForm {
    name: String,
    tags_any: String,
    tags_all: String,
    tags_none: String,
    attr_key: Vec<String>,
    attr_op: Vec<String>,
    attr_value: Vec<String>,
    followed_op: String,
    followed_value: String,
    /// `count` re-renders with the count; anything else saves.
    action: String,
}

impl SegmentForm {
    fn input(self) -> (SegmentInput, String) {
        (
            SegmentInput {
                name: self.name,
                tags_any: self.tags_any,
                tags_all: self.tags_all,
                tags_none: self.tags_none,
                attr_key: self.attr_key,
                attr_op: self.attr_op,
                attr_value: self.attr_value,
                followed_op: self.followed_op,
                followed_value: self.followed_value,
            },
            self.action,
        )
    }
}

async fn save(
    state: AppState,
    user: CurrentUser,
    id: Option<i64>,
    form: SegmentForm,
) -> AppResult<Response> {
    user.require(Permission::ManageAudience)?;
    let (input, action) = form.input();
    if action == "count" {
        return Ok(render(
            &form_page(&state, &user, id, input, Vec::new(), None).await?,
        ));
    }
    match audience::save_segment(&state.pool, state.clock.now(), &user.actor(), id, &input).await {
        Ok(id) => Ok(redirect_with(
            &format!("/segments/{id}"),
            "Segment saved. Drafts keep the rules they were saved with.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = form_page(&state, &user, id, input, errors, None).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SegmentForm>,
) -> AppResult<Response> {
    save(state, user, None, form).await
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<SegmentForm>,
) -> AppResult<Response> {
    save(state, user, Some(id), form).await
}

/// The live count while editing: `{"count": n, "total": m}` or `{"error": "..."}`.
async fn count(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(input): Query<SegmentInput>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    match input.parse_rules() {
        Ok(rules) => {
            let tz = user.time_zone();
            let n = db::friends::segment_count(&state.pool, &rules, rules.follow_window(state.clock.now(), tz)).await?;
            let total = db::friends::count_following(&state.pool).await?;
            // `text` is the sentence in the request's language, for the live counter.
            let text = crate::i18n::tf(
                "{n} of {total} friends match.",
                &[
                    &crate::i18n::format_number(n),
                    &crate::i18n::format_number(total),
                ],
            );
            Ok(Json(
                json!({ "count": n, "total": total, "rules": rules.describe(), "text": text }),
            )
            .into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({ "error": errors.into_iter().map(|e| crate::i18n::tr(&e.message)).collect::<Vec<_>>().join(" ") }),
            ),
        )
            .into_response()),
    }
}
