//! The pure core of sendgate: the rules, with no HTTP, database or clock of their own.
//!
//! Everything here takes plain values and returns decisions, so every rule of
//! `DESIGN.md` can be tested exhaustively without a server. Services load the inputs,
//! ask these functions, and write what they decide.

pub mod actions;
pub mod audience;
pub mod audit;
pub mod builders;
pub mod checks;
pub mod device;
pub mod diff;
pub mod first_day;
pub mod gate;
pub mod greeting;
pub mod incident;
pub mod input;
pub mod insight;
pub mod line_schema;
pub mod link_checks;
pub mod media;
pub mod message;
pub mod notification;
pub mod policy;
pub mod review;
pub mod revision;
pub mod roles;
pub mod scenario;
pub mod spreadsheet;
pub mod testers;
pub mod throttle;
pub mod two_factor;
pub mod user;

#[cfg(test)]
mod parser_properties;

/// A problem with one field of a submitted form, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
