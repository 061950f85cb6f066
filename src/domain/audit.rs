//! The audit trail's hash chain (DESIGN section 10): how one event's hash is computed and
//! how a whole chain is verified. Every edited, deleted or reordered event breaks it.

use sha2::{Digest, Sha256};

/// The hash the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event, as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    pub id: i64,
    /// RFC 3339 text exactly as stored, so verification does not depend on re-formatting.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedEvent {
    /// SHA-256 over every field of the event and the previous hash, each length-prefixed
    /// so no two different events can produce the same input. `hash` itself is ignored.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        let actor = self.actor_id.map(|a| a.to_string()).unwrap_or_default();
        for part in [
            self.prev_hash.as_str(),
            &self.id.to_string(),
            &self.at,
            &actor,
            &self.actor_name,
            &self.action,
            &self.subject,
            &self.details,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's own fields no longer produce its stored hash: it was edited.
    Edited { id: i64 },
    /// The event does not link to the one before it: something before it was deleted,
    /// inserted or edited.
    Unlinked { id: i64, previous_id: Option<i64> },
    /// The chain ends before the recorded head: newest events were deleted.
    Truncated { head_id: i64, last_id: Option<i64> },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Edited { id } => write!(f, "event {id} was edited after it was written"),
            ChainBreak::Unlinked { id, previous_id } => match previous_id {
                Some(p) => write!(
                    f,
                    "event {id} does not follow event {p}: an event between them was deleted or changed"
                ),
                None => write!(
                    f,
                    "event {id} is the first event left but does not start the chain: earlier events were deleted"
                ),
            },
            ChainBreak::Truncated { head_id, last_id } => write!(
                f,
                "the log ends at event {} but event {head_id} was written: newest events were deleted",
                last_id
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "none".into())
            ),
        }
    }
}

/// Incremental verifier, so a log of millions of events can be streamed, not loaded.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last: Option<(i64, String)>,
    count: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, e: &ChainedEvent) -> Result<(), ChainBreak> {
        let expected_prev = self
            .last
            .as_ref()
            .map(|(_, h)| h.as_str())
            .unwrap_or(GENESIS_HASH);
        if e.prev_hash != expected_prev {
            return Err(ChainBreak::Unlinked {
                id: e.id,
                previous_id: self.last.as_ref().map(|(id, _)| *id),
            });
        }
        if e.expected_hash() != e.hash {
            return Err(ChainBreak::Edited { id: e.id });
        }
        self.last = Some((e.id, e.hash.clone()));
        self.count += 1;
        Ok(())
    }

    /// Checks the end of the chain against the recorded head (`None` when no event was
    /// ever written) and returns how many events were verified.
    pub fn finish(self, head: Option<(i64, String)>) -> Result<u64, ChainBreak> {
        match (&head, &self.last) {
            (None, None) => Ok(self.count),
            (Some((hid, hhash)), Some((lid, lhash))) if hid == lid && hhash == lhash => {
                Ok(self.count)
            }
            (Some((hid, _)), last) => Err(ChainBreak::Truncated {
                head_id: *hid,
                last_id: last.as_ref().map(|(id, _)| *id),
            }),
            // Events exist but no head was ever recorded: the head row itself was removed.
            (None, Some((lid, _))) => Err(ChainBreak::Truncated {
                head_id: *lid,
                last_id: Some(*lid),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<ChainedEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|id| {
                let mut e = event(id, "alice", "login");
                e.prev_hash = prev.clone();
                e.hash = e.expected_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn event(id: i64, actor: &str, action: &str) -> ChainedEvent {
        ChainedEvent {
            id,
            at: format!("2026-11-21T10:00:{id:02}Z"),
            actor_id: Some(1),
            actor_name: actor.into(),
            action: action.into(),
            subject: "user:1".into(),
            details: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    fn verify(events: &[ChainedEvent], head: Option<(i64, String)>) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in events {
            v.push(e)?;
        }
        v.finish(head)
    }

    fn head_of(events: &[ChainedEvent]) -> Option<(i64, String)> {
        events.last().map(|e| (e.id, e.hash.clone()))
    }

    #[test]
    fn an_intact_chain_verifies_and_counts_its_events() {
        let events = chain(5);
        assert_eq!(verify(&events, head_of(&events)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn an_edited_event_is_named() {
        let mut events = chain(5);
        let head = head_of(&events);
        events[2].details = r#"{"roles":"admin"}"#.into();
        assert_eq!(verify(&events, head), Err(ChainBreak::Edited { id: 3 }));
    }

    #[test]
    fn a_deleted_event_in_the_middle_breaks_the_link_of_the_next() {
        let mut events = chain(5);
        let head = head_of(&events);
        events.remove(1);
        assert_eq!(
            verify(&events, head),
            Err(ChainBreak::Unlinked {
                id: 3,
                previous_id: Some(1)
            })
        );
    }

    #[test]
    fn deleting_the_newest_event_is_caught_by_the_head() {
        let mut events = chain(5);
        let head = head_of(&events);
        events.pop();
        assert_eq!(
            verify(&events, head),
            Err(ChainBreak::Truncated {
                head_id: 5,
                last_id: Some(4)
            })
        );
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_following_link() {
        let mut events = chain(4);
        let head = head_of(&events);
        let e = &mut events[1];
        e.actor_name = "mallory".into();
        e.hash = e.expected_hash();
        assert_eq!(
            verify(&events, head),
            Err(ChainBreak::Unlinked {
                id: 3,
                previous_id: Some(2)
            })
        );
    }

    #[test]
    fn length_prefixing_keeps_shifted_fields_apart() {
        let a = event(1, "ab", "c");
        let b = event(1, "a", "bc");
        assert_ne!(a.expected_hash(), b.expected_hash());
    }
}
