//! sendgate: a pre-send review gate for LINE Official Account messages.
//!
//! A tour, from the outside in:
//!
//! - [`cli`] parses the command line; [`startup::Application`] opens the database, runs
//!   the migrations and serves [`web::router`].
//! - [`web`] holds one module per area of the site. Handlers extract the signed-in user,
//!   check a [`domain::roles::Permission`], and call a service.
//! - [`services`] are the use cases: each loads what it needs, asks the [`domain`] for a
//!   decision, and writes the change and its audit event in one `BEGIN IMMEDIATE`
//!   transaction.
//! - [`render`] draws LINE messages as LINE shows them (HTML and CSS, pure code); every
//!   page that shows a message uses it.
//! - [`domain`] is pure: the rules of the gate, with no I/O, tested exhaustively.
//! - [`db`] holds all SQL, as compile-time checked queries; [`db::seal`] keeps the audit
//!   log's key and head file outside the database and attaches them to every connection.
//! - [`demo`] seeds the demo account of `serve --demo` through the services.
//!
//! - [`jobs`] is everything that works in the background: the release dispatcher, the
//!   step sender and the greeting sender (all ask the send-time gate,
//!   [`services::send_gate`], before each hand-off to LINE), the chat notifier and the
//!   reader of LINE's statistics.
//! - [`i18n`] is Japanese and English: the English text is the key, the language is
//!   decided once per request and read by the page layout.
//!
//! Time comes from a [`clock::Clock`], so tests can control it.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod render;
pub mod services;
pub mod startup;
pub mod state;
pub mod web;
