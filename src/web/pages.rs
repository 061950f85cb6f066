//! The page layout every template shares (who is signed in, navigation by role, the flash
//! message) and the helpers that turn a template into a response.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::domain::FieldError;
use crate::domain::roles::Permission;
use crate::services::auth::ActiveSession;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct LayoutUser {
    pub display_name: String,
    pub username: String,
    pub roles: String,
    /// Unread notifications, shown as a count in the header.
    pub unread: i64,
}

pub struct Layout {
    pub title: String,
    /// Show the "sandbox: nothing leaves this machine" banner.
    pub sandbox: bool,
    pub user: Option<LayoutUser>,
    pub nav: Vec<NavLink>,
    pub flash: Option<String>,
}

impl Layout {
    /// For pages seen before signing in (login, setup, errors).
    pub fn anonymous(title: &str, flash: Option<String>) -> Self {
        Self {
            title: title.to_string(),
            sandbox: false,
            user: None,
            nav: Vec::new(),
            flash,
        }
    }

    /// For signed-in pages. `path` marks the current navigation entry.
    pub fn for_user(
        session: &ActiveSession,
        title: &str,
        path: &str,
        flash: Option<String>,
    ) -> Self {
        let roles = session.user.roles;
        let mut nav = vec![NavLink {
            href: "/",
            label: "Dashboard",
            current: path == "/",
        }];
        let admin_links: [(&str, &str, Permission); 10] = [
            ("/drafts", "Drafts", Permission::ReadDrafts),
            ("/scenarios", "Scenarios", Permission::ReadDrafts),
            ("/incidents", "Incidents", Permission::ReadDrafts),
            ("/friends", "Friends", Permission::ReadDrafts),
            ("/segments", "Segments", Permission::ReadDrafts),
            ("/testers", "Testers", Permission::ReadDrafts),
            ("/sandbox", "Sandbox", Permission::ReadDrafts),
            ("/admin/users", "Users", Permission::ManageUsers),
            ("/admin/policy", "Release policy", Permission::ManagePolicy),
            ("/audit", "Audit log", Permission::ReadAudit),
        ];
        for (href, label, permission) in admin_links {
            if roles.may(permission) {
                nav.push(NavLink {
                    href,
                    label,
                    current: path.starts_with(href),
                });
            }
        }
        Self {
            title: title.to_string(),
            sandbox: session.sandbox,
            user: Some(LayoutUser {
                display_name: session.user.display_name.clone(),
                username: session.user.username.clone(),
                roles: roles.to_string(),
                unread: session.unread,
            }),
            nav,
            flash,
        }
    }
}

/// Field errors of a re-rendered form, looked up by field name in templates.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn render(template: &impl Template) -> Response {
    render_with_status(StatusCode::OK, template)
}

pub fn render_with_status(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    heading: &'a str,
    detail: &'a str,
}

pub fn error_page(status: StatusCode, heading: &str, detail: &str) -> Response {
    render_with_status(
        status,
        &ErrorPage {
            layout: Layout::anonymous(heading, None),
            status: status.as_u16(),
            heading,
            detail,
        },
    )
}
