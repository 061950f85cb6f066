//! `/friends` (list, search, filter, counts) and `POST /friends/import` (CSV).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::db;
use crate::db::friends::{FriendFilter, FriendRow};
use crate::domain::input::{bounded, caps};
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::audience::{self, ImportError, RowError};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{Layout, render, render_with_status};
use crate::web::views::local_time;

/// A CSV of a million friends is about 70 MB.
const IMPORT_LIMIT: usize = 256 * 1024 * 1024;
const PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/friends", get(list)).route(
        "/friends/import",
        post(import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
    )
}

pub struct FriendView {
    pub id: i64,
    pub user_id: String,
    pub display_name: String,
    pub tags: String,
    pub followed: String,
    pub blocked: bool,
    pub is_tester: bool,
}

impl FriendView {
    fn new(f: FriendRow, tz: chrono_tz::Tz) -> Self {
        Self {
            followed: DateTime::<Utc>::from_timestamp(f.followed_at, 0)
                .map(|t| local_time(t, tz))
                .unwrap_or_default(),
            id: f.id,
            user_id: f.user_id,
            display_name: f.display_name,
            tags: f.tags,
            blocked: f.blocked,
            is_tester: f.is_tester,
        }
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    tag: Option<String>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "friends/list.html")]
struct FriendsPage {
    layout: Layout,
    counts: db::friends::Counts,
    friends: Vec<FriendView>,
    q: String,
    tag: String,
    status: String,
    tags: Vec<(String, i64)>,
    can_manage: bool,
    import_problem: Option<String>,
    import_rows: Vec<RowError>,
    import_total: usize,
    prev_page: Option<String>,
    next_page: Option<String>,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

async fn friends_page(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    flash: Option<String>,
    import_problem: Option<String>,
    import_rows: Vec<RowError>,
    import_total: usize,
) -> AppResult<FriendsPage> {
    let tz = user.time_zone();
    let filter = FriendFilter {
        search: clean(&q.q),
        tag: clean(&q.tag),
        status: clean(&q.status),
    };
    let page = q.page.unwrap_or(0).max(0);
    let rows = db::friends::list(&state.pool, &filter, PAGE + 1, page * PAGE).await?;
    let has_more = rows.len() as i64 > PAGE;
    let link = |p: i64| {
        let mut url = format!("/friends?page={p}");
        for (k, v) in [
            ("q", &filter.search),
            ("tag", &filter.tag),
            ("status", &filter.status),
        ] {
            if let Some(v) = v {
                url.push_str(&format!("&{k}={}", crate::error::urlencode(v)));
            }
        }
        url
    };
    Ok(FriendsPage {
        layout: Layout::for_user(&user.0, "Friends", "/friends", flash),
        counts: db::friends::counts(&state.pool).await?,
        friends: rows
            .into_iter()
            .take(PAGE as usize)
            .map(|f| FriendView::new(f, tz))
            .collect(),
        q: filter.search.clone().unwrap_or_default(),
        tag: filter.tag.clone().unwrap_or_default(),
        status: filter.status.clone().unwrap_or_default(),
        tags: db::friends::tag_counts(&state.pool).await?,
        can_manage: user.0.user.roles.may(Permission::ManageAudience),
        import_problem,
        import_rows,
        import_total,
        prev_page: (page > 0).then(|| link(page - 1)),
        next_page: has_more.then(|| link(page + 1)),
    })
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    // A search longer than any name or tag is refused, not run.
    let too_long = [&q.q, &q.tag]
        .into_iter()
        .flatten()
        .find_map(|v| bounded("q", v, caps::SEARCH).err());
    if let Some(e) = too_long {
        let page = friends_page(
            &state,
            &user,
            &ListQuery::default(),
            flash,
            Some(e.message),
            Vec::new(),
            0,
        )
        .await?;
        return Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let page = friends_page(&state, &user, &q, flash, None, Vec::new(), 0).await?;
    Ok(render(&page))
}

async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Permission::ManageAudience)?;
    let mut bytes = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::invalid("file", format!("The upload did not arrive whole: {e}")))?
    {
        if field.name() == Some("file") {
            bytes = field
                .bytes()
                .await
                .map_err(|e| {
                    AppError::invalid("file", format!("The upload did not arrive whole: {e}"))
                })?
                .to_vec();
        }
    }
    let rerender = |problem: Option<String>, rows: Vec<RowError>, total: usize| {
        let state = state.clone();
        let user = &user;
        async move {
            let page = friends_page(
                &state,
                user,
                &ListQuery::default(),
                None,
                problem,
                rows,
                total,
            )
            .await?;
            Ok::<_, AppError>(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    };
    if bytes.is_empty() {
        return rerender(Some("Choose a CSV file to import.".into()), Vec::new(), 0).await;
    }
    let tz = db::policy::get(&state.pool).await?.time_zone;
    match audience::import_csv(&state.pool, state.clock.now(), &user.actor(), bytes, tz).await {
        Ok(r) => Ok(redirect_with(
            "/friends",
            &crate::i18n::tf(
                "Imported {rows} rows: {added} friends added, {updated} updated.",
                &[&r.rows, &r.added, &r.updated],
            ),
        )),
        Err(ImportError::File(why)) => rerender(Some(why), Vec::new(), 0).await,
        Err(ImportError::Rows { errors, total }) => rerender(
            Some(format!(
                "Nothing was imported: {total} row{} {} problems. Fix them and import the whole file again.",
                if total == 1 { "" } else { "s" },
                if total == 1 { "has" } else { "have" }
            )),
            errors,
            total,
        )
        .await,
        Err(ImportError::Internal(e)) => Err(e),
    }
}
