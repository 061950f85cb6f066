//! The page layout every template shares (who is signed in, navigation by role, the flash
//! message, the page's language) and the helpers that turn a template into a response.
//!
//! Templates translate through the layout: `{{ layout.t("Drafts") }}`, or with values
//! `{{ layout.t1("Revision {n}", n) }}` (English is the key; see [`crate::i18n`]). The
//! language comes from the request ([`crate::i18n::current`]), so the constructors keep
//! their signatures.

use std::fmt::Display;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::domain::FieldError;
use crate::domain::roles::Permission;
use crate::i18n::{self, Lang};
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
    pub lang: Lang,
    /// The path of this request, where the language switch comes back to.
    pub path: String,
    /// The LINE Official Account's name, shown above chat previews.
    pub account_name: String,
}

impl Layout {
    /// For pages seen before signing in (login, setup, errors).
    pub fn anonymous(title: &str, flash: Option<String>) -> Self {
        let lang = i18n::current();
        Self {
            title: i18n::t_in(lang, title).to_string(),
            sandbox: false,
            user: None,
            nav: Vec::new(),
            flash: flash.map(|f| i18n::translate(lang, &f).into_owned()),
            lang,
            path: crate::web::language::current_path(),
            account_name: crate::web::language::account_name(),
        }
    }

    /// `key` in the page's language; also translates messages the domain filled in with
    /// values (see [`i18n::translate`]).
    pub fn t<'a>(&self, key: &'a str) -> std::borrow::Cow<'a, str> {
        i18n::translate(self.lang, key)
    }

    /// `key` with its one `{placeholder}` filled.
    pub fn t1(&self, key: &str, a: impl Display) -> String {
        i18n::tf_in(self.lang, key, &[&a])
    }

    /// `key` with its two placeholders filled, in the order they appear in the key.
    pub fn t2(&self, key: &str, a: impl Display, b: impl Display) -> String {
        i18n::tf_in(self.lang, key, &[&a, &b])
    }

    /// `key` with its three placeholders filled, in the order they appear in the key.
    pub fn t3(&self, key: &str, a: impl Display, b: impl Display, c: impl Display) -> String {
        i18n::tf_in(self.lang, key, &[&a, &b, &c])
    }

    /// A count with thousands separators.
    pub fn num(&self, n: impl std::borrow::Borrow<i64>) -> String {
        i18n::format_number(*n.borrow())
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_ja(&self) -> bool {
        self.lang == Lang::Ja
    }

    /// For signed-in pages. `path` marks the current navigation entry.
    pub fn for_user(
        session: &ActiveSession,
        title: &str,
        path: &str,
        flash: Option<String>,
    ) -> Self {
        let roles = session.user.roles;
        let lang = i18n::current();
        let mut nav = vec![NavLink {
            href: "/",
            label: i18n::t_in(lang, "Dashboard"),
            current: path == "/",
        }];
        let admin_links: [(&str, &str, Permission); 12] = [
            ("/drafts", "Drafts", Permission::ReadDrafts),
            ("/media", "Images", Permission::ReadDrafts),
            ("/scenarios", "Scenarios", Permission::ReadDrafts),
            ("/greeting", "Greeting message", Permission::ReadDrafts),
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
                    label: i18n::t_in(lang, label),
                    current: path.starts_with(href),
                });
            }
        }
        Self {
            title: i18n::t_in(lang, title).to_string(),
            sandbox: session.sandbox,
            user: Some(LayoutUser {
                display_name: session.user.display_name.clone(),
                username: session.user.username.clone(),
                roles: role_names(roles),
                unread: session.unread,
            }),
            nav,
            flash: flash.map(|f| i18n::translate(lang, &f).into_owned()),
            lang,
            path: crate::web::language::current_path(),
            account_name: crate::web::language::account_name(),
        }
    }
}

/// Role names in the request's language: `marketer, reviewer` / `配信担当者、確認者`.
pub fn role_names(roles: crate::domain::roles::Roles) -> String {
    let lang = i18n::current();
    match lang {
        Lang::En => roles.to_string(),
        Lang::Ja => {
            let names: Vec<&str> = roles
                .list()
                .into_iter()
                .map(|r| i18n::t_in(lang, r.as_str()))
                .collect();
            if names.is_empty() {
                i18n::t_in(lang, "no role").to_string()
            } else {
                names.join("、")
            }
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
