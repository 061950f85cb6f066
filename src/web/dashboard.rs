//! `GET /`: what needs the signed-in person next, by role.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::Flash;
use crate::web::pages::{Layout, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    is_admin: bool,
    is_marketer: bool,
    is_reviewer: bool,
}

async fn show(CurrentUser(session): CurrentUser, Flash(flash): Flash) -> Response {
    let roles = session.user.roles;
    render(&DashboardPage {
        layout: Layout::for_user(&session, "Dashboard", "/", flash),
        is_admin: roles.admin,
        is_marketer: roles.marketer,
        is_reviewer: roles.reviewer,
    })
}
