//! The LINE Messaging API client (being written).
