//! The HTTP test suite: one binary, each test with its own server and SQLite file.

mod admin;
mod audience;
mod audit;
mod crash;
mod csrf;
mod demo;
mod drafts;
#[path = "../fake_line/mod.rs"]
pub mod fake_line;
mod first_day;
mod greeting;
mod greeting_line;
mod helpers;
mod i18n;
mod incidents;
mod insights;
mod insights_line;
mod line_client;
mod login;
mod media;
mod misc;
mod notifications;
mod release_ux;
mod releases;
mod render;
mod reviews;
mod scenarios;
mod send_gate;
mod setup;
mod test_sends;
mod through_line;
mod trust_audit;
mod trust_input;
mod trust_login;
mod trust_reauth;
