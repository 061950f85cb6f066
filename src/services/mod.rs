//! Use cases. Each one loads what it needs, asks the domain, and writes the change with
//! its audit event in one `BEGIN IMMEDIATE` transaction. Services never render.

pub mod audience;
pub mod audit;
pub mod auth;
pub mod drafts;
pub mod gate;
pub mod greeting;
pub mod incidents;
pub mod insights;
pub mod media;
pub mod notifications;
pub mod passwords;
pub mod policy;
pub mod previews;
pub mod reauth;
pub mod releases;
pub mod reviews;
pub mod scenarios;
pub mod send_gate;
pub mod setup;
pub mod test_sends;
pub mod testers;
pub mod two_factor;
pub mod users;
