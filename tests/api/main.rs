//! The HTTP test suite: one binary, each test with its own server and SQLite file.

mod admin;
mod audience;
mod audit;
mod csrf;
mod drafts;
mod helpers;
mod login;
mod misc;
mod reviews;
mod setup;
mod test_sends;
