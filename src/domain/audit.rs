//! The audit trail's chain (DESIGN section 10, issue #18): how one event is sealed and how a
//! whole chain is verified. Each event's seal is an HMAC-SHA256, under a key kept outside
//! the database, of its fields and the seal of the event before it. So an edited, deleted,
//! reordered or inserted event breaks the chain, and so does a chain recomputed by someone
//! without the key. Heads anchored outside the database (the head file, the daily chat
//! message, an export's closing line) catch the newest events deleted, or all of them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The seal the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The secret that seals the chain: 32 bytes, written as 64 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(id {})", self.id())
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// 64 hex digits (surrounding whitespace, such as a file's newline, is ignored).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let mut bytes = [0u8; 32];
        match hex::decode_to_slice(text, &mut bytes) {
            Ok(()) => Ok(Self(bytes)),
            Err(_) => Err(format!(
                "an audit key is 64 hex digits (32 bytes); this one has {} characters",
                text.chars().count()
            )),
        }
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes a key of any size")
    }

    /// A key of its own for another purpose, derived from this one (HMAC-SHA256 of the
    /// purpose's name), so the audit key itself is used only to seal the chain.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = self.mac();
        mac.update(b"sendgate derived key: ");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A name for the key that does not reveal it: stored in the database, printed by the
    /// CLI, so a server started with the wrong key says so instead of writing events
    /// nobody could verify.
    pub fn id(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"sendgate audit key id");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }

    /// The seal of an event: HMAC-SHA256 over its fields and the previous seal. `hash`
    /// itself is ignored.
    pub fn seal(&self, e: &ChainedEvent) -> String {
        let mut mac = self.mac();
        for part in e.parts() {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The seal of an export's closing line: how many events and the last seal, so an
    /// export cut short, or with its last events removed, fails on its own.
    pub fn seal_end(&self, events: u64, last_hash: &str) -> String {
        let mut mac = self.mac();
        mac.update(b"sendgate audit export end");
        mac.update(&events.to_be_bytes());
        mac.update(last_hash.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// One stored event, as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Every field but the seal, in a fixed order; each is length-prefixed when hashed, so
    /// no two different events give the same input.
    fn parts(&self) -> [String; 8] {
        [
            self.prev_hash.clone(),
            self.id.to_string(),
            self.at.clone(),
            self.actor_id.map(|a| a.to_string()).unwrap_or_default(),
            self.actor_name.clone(),
            self.action.clone(),
            self.subject.clone(),
            self.details.clone(),
        ]
    }

    /// The unkeyed SHA-256 of the chain before issue #18, over the same fields: only read
    /// once, to check an old chain before it is sealed with the key.
    pub fn legacy_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in self.parts() {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A head recorded outside the database: "the chain had event `id`, sealed `hash`". `line`
/// says where it was written (a head file's line number), for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub id: i64,
    pub hash: String,
    pub line: u64,
}

impl Anchor {
    /// One line of a head file: `<event id> <seal>`.
    pub fn parse_line(text: &str, line: u64) -> Result<Self, ChainBreak> {
        let mut parts = text.split_whitespace();
        let id = parts.next().and_then(|p| p.parse::<i64>().ok());
        let hash = parts
            .next()
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        match (id, hash, parts.next()) {
            (Some(id), Some(hash), None) if id > 0 => Ok(Self {
                id,
                hash: hash.to_string(),
                line,
            }),
            _ => Err(ChainBreak::AnchorUnreadable { line }),
        }
    }

    pub fn line_text(id: i64, hash: &str) -> String {
        format!("{id} {hash}\n")
    }
}

/// The first thing wrong with a chain, in words that say which event and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's own fields no longer give its seal: it was edited, or the chain was
    /// recomputed without the key.
    Edited { id: i64 },
    /// The event does not link to the one before it: something before it was deleted,
    /// inserted, reordered or edited.
    Unlinked { id: i64, previous_id: Option<i64> },
    /// The numbering skips: events between were removed (and the chain re-linked).
    Missing { id: i64, previous_id: Option<i64> },
    /// The chain ends before the head the database itself recorded.
    Truncated { head_id: i64, last_id: Option<i64> },
    /// Events exist but the database's head record was removed.
    HeadRecordMissing { last_id: i64 },
    /// The chain ends before a head anchored outside the database.
    BehindAnchor {
        anchored_id: i64,
        last_id: Option<i64>,
        line: u64,
    },
    /// The event at an anchored head is not the one that was anchored.
    AnchorMismatch { id: i64, line: u64 },
    /// A head file line that is not `<id> <seal>`, or that goes backwards.
    AnchorUnreadable { line: u64 },
    /// An export without its sealed closing line: it was cut short.
    ExportCut { last_id: Option<i64> },
    /// An export's closing line that does not match its events, or whose seal is wrong.
    ExportEndMismatch,
    /// A line of an export that is not a header, an event or the closing line.
    ExportUnreadable { line: u64 },
    /// The chain was sealed with a different key than the one given.
    WrongKey { sealed_with: String, given: String },
}

fn or_none(id: Option<i64>) -> String {
    id.map(|i| format!("event {i}"))
        .unwrap_or_else(|| "no event at all".into())
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Edited { id } => write!(
                f,
                "event {id} was edited after it was written: its fields do not match its seal (a chain recomputed without the audit key fails here too)"
            ),
            ChainBreak::Unlinked { id, previous_id } => match previous_id {
                Some(p) => write!(
                    f,
                    "event {id} does not follow event {p}: an event between them was deleted, inserted, reordered or changed"
                ),
                None => write!(
                    f,
                    "event {id} is the first event left but does not start the chain: earlier events were deleted"
                ),
            },
            ChainBreak::Missing { id, previous_id } => write!(
                f,
                "event {id} comes right after {}: the events between them were deleted",
                or_none(*previous_id)
            ),
            ChainBreak::Truncated { head_id, last_id } => write!(
                f,
                "the log ends at {} but the database recorded event {head_id} as its newest: newest events were deleted",
                or_none(*last_id)
            ),
            ChainBreak::HeadRecordMissing { last_id } => write!(
                f,
                "the log's head record was removed (the log ends at event {last_id}): newest events may have been deleted"
            ),
            ChainBreak::BehindAnchor {
                anchored_id,
                last_id: Some(last),
                line,
            } => write!(
                f,
                "the log ends at event {last} but the head file recorded event {anchored_id} (line {line}): newest events were deleted"
            ),
            ChainBreak::BehindAnchor {
                anchored_id,
                last_id: None,
                line,
            } => write!(
                f,
                "the log has no events but the head file recorded event {anchored_id} (line {line}): every event was deleted"
            ),
            ChainBreak::AnchorMismatch { id, line } => write!(
                f,
                "event {id} is not the event the head file recorded at line {line}: the log was rewritten"
            ),
            ChainBreak::AnchorUnreadable { line } => write!(
                f,
                "line {line} of the head file is not \"<event id> <seal>\" in increasing order: the head file was changed"
            ),
            ChainBreak::ExportCut { last_id } => write!(
                f,
                "the export has no closing line after {}: it was cut short",
                or_none(*last_id)
            ),
            ChainBreak::ExportEndMismatch => write!(
                f,
                "the export's closing line does not match its events or its seal: events were removed from its end"
            ),
            ChainBreak::ExportUnreadable { line } => write!(
                f,
                "line {line} of the export is not an audit event: the file was changed"
            ),
            ChainBreak::WrongKey { sealed_with, given } => write!(
                f,
                "the log was sealed with the audit key {sealed_with}, not with the key given ({given})"
            ),
        }
    }
}

/// Incremental verifier, so a log of millions of events (and a long head file) can be
/// streamed, not loaded. Anchors are handed in increasing order as they are read.
pub struct ChainVerifier<'k> {
    key: &'k AuditKey,
    last: Option<(i64, String)>,
    count: u64,
    anchors: Box<dyn Iterator<Item = Result<Anchor, ChainBreak>> + 'k>,
    next_anchor: Option<Anchor>,
    prev_anchor: Option<Anchor>,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(key: &'k AuditKey) -> Self {
        Self::with_anchors(key, std::iter::empty())
    }

    pub fn with_anchors(
        key: &'k AuditKey,
        anchors: impl Iterator<Item = Result<Anchor, ChainBreak>> + 'k,
    ) -> Self {
        Self {
            key,
            last: None,
            count: 0,
            anchors: Box::new(anchors.fuse()),
            next_anchor: None,
            prev_anchor: None,
        }
    }

    fn last_id(&self) -> Option<i64> {
        self.last.as_ref().map(|(id, _)| *id)
    }

    /// The next anchor, checked to go forwards from the one before it.
    fn pull_anchor(&mut self) -> Result<(), ChainBreak> {
        if self.next_anchor.is_some() {
            return Ok(());
        }
        self.next_anchor = match self.anchors.next() {
            None => None,
            Some(Err(e)) => return Err(e),
            Some(Ok(a)) if self.prev_anchor.as_ref().is_some_and(|p| a.id < p.id) => {
                return Err(ChainBreak::AnchorUnreadable { line: a.line });
            }
            Some(Ok(a)) => Some(a),
        };
        Ok(())
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
                previous_id: self.last_id(),
            });
        }
        if self.key.seal(e) != e.hash {
            return Err(ChainBreak::Edited { id: e.id });
        }
        if e.id != self.last_id().unwrap_or(0) + 1 {
            return Err(ChainBreak::Missing {
                id: e.id,
                previous_id: self.last_id(),
            });
        }
        self.last = Some((e.id, e.hash.clone()));
        self.count += 1;
        // Anchors up to this event must name events of this chain (several lines may name
        // the same head).
        loop {
            self.pull_anchor()?;
            match &self.next_anchor {
                Some(a) if a.id == e.id => {
                    if a.hash != e.hash {
                        return Err(ChainBreak::AnchorMismatch {
                            id: a.id,
                            line: a.line,
                        });
                    }
                    self.prev_anchor = self.next_anchor.take();
                }
                // Ids are consecutive, so an anchor below this one was never reached: the
                // file names an id that does not exist in order.
                Some(a) if a.id < e.id => {
                    return Err(ChainBreak::AnchorUnreadable { line: a.line });
                }
                _ => return Ok(()),
            }
        }
    }

    /// Checks the end of the chain: against the head the database recorded (`None` when
    /// no event was ever written), and against any anchor beyond the last event. Returns
    /// how many events were verified.
    pub fn finish(mut self, head: Option<(i64, String)>) -> Result<u64, ChainBreak> {
        self.pull_anchor()?;
        if let Some(a) = &self.next_anchor {
            return Err(ChainBreak::BehindAnchor {
                anchored_id: a.id,
                last_id: self.last_id(),
                line: a.line,
            });
        }
        match (&head, &self.last) {
            (None, None) => Ok(self.count),
            (Some((hid, hhash)), Some((lid, lhash))) if hid == lid && hhash == lhash => {
                Ok(self.count)
            }
            (Some((hid, _)), last) => Err(ChainBreak::Truncated {
                head_id: *hid,
                last_id: last.as_ref().map(|(id, _)| *id),
            }),
            (None, Some((lid, _))) => Err(ChainBreak::HeadRecordMissing { last_id: *lid }),
        }
    }

    /// Checks the end of an export against its sealed closing line (`None` when the file
    /// ended without one).
    pub fn finish_export(self, end: Option<&ExportEnd>) -> Result<u64, ChainBreak> {
        let Some(end) = end else {
            return Err(ChainBreak::ExportCut {
                last_id: self.last_id(),
            });
        };
        let last_hash = self
            .last
            .as_ref()
            .map(|(_, h)| h.as_str())
            .unwrap_or(GENESIS_HASH);
        if end.events != self.count
            || end.hash != last_hash
            || end.seal != self.key.seal_end(end.events, &end.hash)
        {
            return Err(ChainBreak::ExportEndMismatch);
        }
        Ok(self.count)
    }
}

/// An export's closing line: how many events it holds, the last seal, and a seal over both.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportEnd {
    pub events: u64,
    pub hash: String,
    pub seal: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::from_bytes([7; 32])
    }

    fn chain(n: i64) -> Vec<ChainedEvent> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|id| {
                let mut e = event(id, "alice", "login");
                e.prev_hash = prev.clone();
                e.hash = key().seal(&e);
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
        verify_anchored(events, head, &[])
    }

    fn verify_anchored(
        events: &[ChainedEvent],
        head: Option<(i64, String)>,
        anchors: &[Anchor],
    ) -> Result<u64, ChainBreak> {
        let key = key();
        let mut v = ChainVerifier::with_anchors(&key, anchors.iter().cloned().map(Ok));
        for e in events {
            v.push(e)?;
        }
        v.finish(head)
    }

    fn head_of(events: &[ChainedEvent]) -> Option<(i64, String)> {
        events.last().map(|e| (e.id, e.hash.clone()))
    }

    fn anchor_of(e: &ChainedEvent, line: u64) -> Anchor {
        Anchor {
            id: e.id,
            hash: e.hash.clone(),
            line,
        }
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
    fn a_chain_recomputed_without_the_key_fails_at_its_first_event() {
        let mut events = chain(4);
        events[2].actor_name = "mallory".into();
        let mut prev = GENESIS_HASH.to_string();
        for e in &mut events {
            e.prev_hash = prev.clone();
            e.hash = e.legacy_hash();
            prev = e.hash.clone();
        }
        let head = head_of(&events);
        assert_eq!(verify(&events, head), Err(ChainBreak::Edited { id: 1 }));
        // And with another key just the same.
        let other = AuditKey::from_bytes([8; 32]);
        let mut v = ChainVerifier::new(&other);
        assert_eq!(v.push(&chain(1)[0]), Err(ChainBreak::Edited { id: 1 }));
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
    fn two_events_swapped_break_the_chain_where_the_first_moved() {
        let mut events = chain(5);
        let head = head_of(&events);
        events.swap(1, 2);
        assert_eq!(
            verify(&events, head),
            Err(ChainBreak::Unlinked {
                id: 3,
                previous_id: Some(1)
            })
        );
    }

    #[test]
    fn an_inserted_event_without_the_key_is_caught() {
        let mut events = chain(3);
        let mut forged = event(4, "mallory", "user.roles_changed");
        forged.prev_hash = events[2].hash.clone();
        forged.hash = forged.legacy_hash();
        events.push(forged.clone());
        let head = head_of(&events);
        assert_eq!(verify(&events, head), Err(ChainBreak::Edited { id: 4 }));
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
    fn deleting_the_newest_events_and_their_head_record_is_caught_by_an_anchor() {
        let events = chain(5);
        let anchors: Vec<Anchor> = events
            .iter()
            .enumerate()
            .map(|(i, e)| anchor_of(e, i as u64 + 1))
            .collect();
        let kept = &events[..3];
        let forged_head = head_of(kept);
        assert_eq!(
            verify_anchored(kept, forged_head, &anchors),
            Err(ChainBreak::BehindAnchor {
                anchored_id: 4,
                last_id: Some(3),
                line: 4
            })
        );
        assert_eq!(
            verify_anchored(&[], None, &anchors),
            Err(ChainBreak::BehindAnchor {
                anchored_id: 1,
                last_id: None,
                line: 1
            })
        );
        assert_eq!(verify_anchored(&events, head_of(&events), &anchors), Ok(5));
    }

    #[test]
    fn an_anchor_that_names_another_seal_is_caught() {
        let events = chain(3);
        let mut a = anchor_of(&events[1], 1);
        a.hash = "ab".repeat(32);
        assert_eq!(
            verify_anchored(&events, head_of(&events), &[a]),
            Err(ChainBreak::AnchorMismatch { id: 2, line: 1 })
        );
    }

    #[test]
    fn head_file_lines_parse_and_refuse_anything_else() {
        let line = Anchor::line_text(12, &"a1".repeat(32));
        assert_eq!(
            Anchor::parse_line(&line, 3),
            Ok(Anchor {
                id: 12,
                hash: "a1".repeat(32),
                line: 3
            })
        );
        for bad in [
            "",
            "12",
            "x abc",
            "12 abc",
            &format!("0 {}", "a1".repeat(32)),
        ] {
            assert_eq!(
                Anchor::parse_line(bad, 9),
                Err(ChainBreak::AnchorUnreadable { line: 9 }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_export_needs_its_sealed_closing_line() {
        let key = key();
        let events = chain(3);
        let push_all = |events: &[ChainedEvent]| {
            let mut v = ChainVerifier::new(&key);
            for e in events {
                v.push(e).unwrap();
            }
            v
        };
        let end = ExportEnd {
            events: 3,
            hash: events[2].hash.clone(),
            seal: key.seal_end(3, &events[2].hash),
        };
        assert_eq!(push_all(&events).finish_export(Some(&end)), Ok(3));
        assert_eq!(
            push_all(&events).finish_export(None),
            Err(ChainBreak::ExportCut { last_id: Some(3) })
        );
        assert_eq!(
            push_all(&events[..2]).finish_export(Some(&end)),
            Err(ChainBreak::ExportEndMismatch)
        );
        let forged = ExportEnd {
            events: 2,
            hash: events[1].hash.clone(),
            seal: "00".repeat(32),
        };
        assert_eq!(
            push_all(&events[..2]).finish_export(Some(&forged)),
            Err(ChainBreak::ExportEndMismatch)
        );
    }

    #[test]
    fn keys_parse_from_hex_and_have_a_stable_id_that_is_not_the_key() {
        let k = AuditKey::parse(&format!(" {}\n", "0f".repeat(32))).unwrap();
        assert_eq!(k.to_hex(), "0f".repeat(32));
        assert_eq!(k.id().len(), 16);
        assert!(!k.to_hex().contains(&k.id()));
        assert_ne!(k.id(), key().id());
        assert!(AuditKey::parse("abc").is_err());
        assert!(!format!("{k:?}").contains("0f0f"));
    }

    #[test]
    fn length_prefixing_keeps_shifted_fields_apart() {
        let a = event(1, "ab", "c");
        let b = event(1, "a", "bc");
        assert_ne!(key().seal(&a), key().seal(&b));
        assert_ne!(a.legacy_hash(), b.legacy_hash());
    }
}
