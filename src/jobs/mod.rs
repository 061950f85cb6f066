//! The background family (DESIGN section 8): everything that hands messages to LINE or
//! reads from it on its own, each a loop around a public one-step function that tests call
//! directly.
//!
//! - [`releases`]: the release dispatcher. It asks the send-time gate before it starts a
//!   scheduled release, then sends its delivery rows with their stored retry keys.
//! - [`steps`]: the step sender, stepped by the dispatcher's first worker. It asks the
//!   send-time gate before each group of a step.
//! - [`greetings`]: the greeting sender. It answers each new friend's follow with the
//!   active greeting message, asking the send-time gate before each reply or push.
//! - [`notifier`]: posts the chat webhook's messages from their outbox.
//! - [`insights`]: reads LINE's statistics of what was sent.
//!
//! Every sender asks the same evaluation ([`crate::services::send_gate`]) at the moment of
//! the hand-off; none keeps a rule of its own.

use crate::db::audit::Actor;

pub mod greetings;
pub mod insights;
pub mod notifier;
pub mod releases;
pub mod steps;

/// Who the senders' audit events name: the background dispatcher, not a person.
pub(crate) fn system() -> Actor {
    Actor {
        id: None,
        name: "dispatcher".into(),
    }
}
