//! The audit trail as a whole (issue #18): sealing an old unkeyed chain with the key on
//! first start, verifying the chain against its key, the database's head record and the
//! heads anchored in the head file (streamed, so a long log does not have to fit in
//! memory), and exporting it as JSON Lines that verify on their own against the key.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor, seal::Seal};
use crate::domain::audit::{
    AuditKey, ChainBreak, ChainVerifier, ChainedEvent, ExportEnd, GENESIS_HASH,
};

/// Events read per query while streaming the chain.
const PAGE: i64 = 1000;

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact { events: u64 },
    Broken(ChainBreak),
}

/// What [`seal_chain`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Sealing {
    /// Nothing to do: the chain was sealed with this key already, or the log is new (its
    /// seal is recorded, and its first event will be sealed with the key).
    Unchanged,
    /// An old unkeyed chain of this many events was sealed with the key now; `broken` says
    /// where the old chain was already broken, if it was.
    Sealed { events: u64, broken: Option<String> },
}

/// Makes sure the chain is sealed with `seal`'s key, at startup, before anything appends.
///
/// A database from before issue #18 holds an unkeyed SHA-256 chain: it is checked, every
/// event is sealed again with the key (in one transaction), and an `audit.sealed` event
/// records how many there were, the old head and whether the old chain was intact. A
/// database sealed with another key is refused: events written with this one would never
/// verify. A database whose seal record is gone although the head file has anchors was
/// tampered with, and is refused too rather than sealed afresh.
pub async fn seal_chain(
    pool: &SqlitePool,
    seal: &Seal,
    now: DateTime<Utc>,
) -> anyhow::Result<Sealing> {
    let key = seal.key();
    let mut tx = db::begin_write(pool).await?;
    match db::audit::sealed_with(&mut *tx).await? {
        Some(id) if id == key.id() => return Ok(Sealing::Unchanged),
        Some(id) => anyhow::bail!(
            "{}. Start sendgate with the key the log was sealed with (SENDGATE_AUDIT_KEY, or the audit key file beside the database)",
            ChainBreak::WrongKey {
                sealed_with: id,
                given: key.id()
            }
        ),
        None => {}
    }
    if let Some(anchor) = seal.last_anchor()? {
        anyhow::bail!(
            "the audit log's seal record is missing from the database, but the head file {} records event {}: the database was changed. Run `sendgate audit verify` and restore the database from a backup",
            seal.head_file().display(),
            anchor.id
        );
    }
    let head = db::audit::head(&mut *tx).await?;
    let mut broken: Option<String> = None;
    let (mut legacy_prev, mut sealed_prev) = (GENESIS_HASH.to_string(), GENESIS_HASH.to_string());
    let (mut count, mut last_id) = (0u64, 0i64);
    loop {
        let page = db::audit::chain_page(&mut *tx, last_id, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            if broken.is_none() {
                broken = if e.prev_hash != legacy_prev {
                    Some(
                        ChainBreak::Unlinked {
                            id: e.id,
                            previous_id: (last_id > 0).then_some(last_id),
                        }
                        .to_string(),
                    )
                } else if e.legacy_hash() != e.hash {
                    Some(ChainBreak::Edited { id: e.id }.to_string())
                } else {
                    None
                };
            }
            legacy_prev = e.hash.clone();
            let mut sealed = ChainedEvent {
                prev_hash: sealed_prev,
                ..e
            };
            sealed.hash = key.seal(&sealed);
            db::audit::reseal(&mut *tx, sealed.id, &sealed.prev_hash, &sealed.hash).await?;
            sealed_prev = sealed.hash;
            last_id = sealed.id;
            count += 1;
        }
    }
    if broken.is_none()
        && head.as_ref().map(|(id, h)| (*id, h.as_str()))
            != (count > 0).then_some((last_id, legacy_prev.as_str()))
    {
        broken = Some(
            ChainBreak::Truncated {
                head_id: head.as_ref().map(|(id, _)| *id).unwrap_or(0),
                last_id: (count > 0).then_some(last_id),
            }
            .to_string(),
        );
    }
    db::audit::record_seal(&mut *tx, &key.id(), now).await?;
    if count > 0 {
        db::audit::set_head(&mut *tx, last_id, &sealed_prev).await?;
        db::audit::append(
            &mut tx,
            now,
            &Actor::system(),
            "audit.sealed",
            "audit",
            &json!({
                "events": count,
                "key_id": key.id(),
                "previous_head": legacy_prev,
                "previous_chain": broken.as_deref().unwrap_or("intact"),
            }),
        )
        .await?;
    }
    tx.commit().await?;
    if count == 0 {
        return Ok(Sealing::Unchanged);
    }
    Ok(Sealing::Sealed {
        events: count,
        broken,
    })
}

/// Walks the chain with the key, against the head record and the head file's anchors.
pub async fn verify(pool: &SqlitePool, seal: &Seal) -> anyhow::Result<Verification> {
    let key = seal.key();
    if let Some(id) = db::audit::sealed_with(pool).await?
        && id != key.id()
    {
        return Ok(Verification::Broken(ChainBreak::WrongKey {
            sealed_with: id,
            given: key.id(),
        }));
    }
    // The head file as it is before the snapshot below begins: every anchor in it was
    // written by a commit that the snapshot sees (a commit still in flight then is the one
    // race left, microseconds wide).
    let anchors = seal.anchors_up_to(seal.head_file_len()?)?;
    // One read transaction: the head record and every event from the same snapshot, so
    // events appended meanwhile are neither half seen nor taken for tampering.
    let mut tx = pool.begin().await?;
    let head = db::audit::head(&mut *tx).await?;
    let mut verifier = ChainVerifier::with_anchors(key, anchors);
    let mut after = 0;
    loop {
        let page = db::audit::chain_page(&mut *tx, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for event in &page {
            if let Err(b) = verifier.push(event) {
                return Ok(Verification::Broken(b));
            }
        }
    }
    drop(tx);
    Ok(match verifier.finish(head) {
        Ok(events) => Verification::Intact { events },
        Err(b) => Verification::Broken(b),
    })
}

/// The first line of an export: what it is and which key seals it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ExportHeader {
    sendgate_audit_export: u32,
    key_id: String,
    exported_at: String,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ExportClosing {
    end: ExportEnd,
}

/// Writes the whole chain as JSON Lines: a header naming the key, one event per line, and
/// a closing line sealed with the key (how many events, the last seal). Returns the count.
pub async fn export(
    pool: &SqlitePool,
    seal: &Seal,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> anyhow::Result<u64> {
    let key = seal.key();
    let header = ExportHeader {
        sendgate_audit_export: 1,
        key_id: key.id(),
        exported_at: now.to_rfc3339(),
    };
    writeln!(out, "{}", serde_json::to_string(&header)?)?;
    // One read transaction, so the export is one consistent chain even while the app
    // appends.
    let mut tx = pool.begin().await?;
    let (mut after, mut count, mut last_hash) = (0, 0u64, GENESIS_HASH.to_string());
    loop {
        let page = db::audit::chain_page(&mut *tx, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in &page {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
            last_hash = e.hash.clone();
            count += 1;
        }
    }
    drop(tx);
    let end = ExportEnd {
        events: count,
        seal: key.seal_end(count, &last_hash),
        hash: last_hash,
    };
    writeln!(out, "{}", serde_json::to_string(&ExportClosing { end })?)?;
    out.flush()?;
    Ok(count)
}

/// Verifies an export on its own against `key`: its header names the key, every event's
/// seal and link, and its sealed closing line.
pub fn verify_export(input: impl BufRead, key: &AuditKey) -> anyhow::Result<Verification> {
    let mut lines = input.lines().enumerate();
    let header = match lines.next() {
        Some((_, line)) => serde_json::from_str::<ExportHeader>(&line?).ok(),
        None => None,
    };
    let Some(header) = header else {
        return Ok(Verification::Broken(ChainBreak::ExportUnreadable {
            line: 1,
        }));
    };
    if header.key_id != key.id() {
        return Ok(Verification::Broken(ChainBreak::WrongKey {
            sealed_with: header.key_id,
            given: key.id(),
        }));
    }
    let mut verifier = ChainVerifier::new(key);
    let mut end = None;
    for (i, line) in lines {
        let line = line?;
        let n = i as u64 + 1;
        if end.is_some() {
            if line.trim().is_empty() {
                continue;
            }
            return Ok(Verification::Broken(ChainBreak::ExportUnreadable {
                line: n,
            }));
        }
        if let Ok(e) = serde_json::from_str::<ChainedEvent>(&line) {
            if let Err(b) = verifier.push(&e) {
                return Ok(Verification::Broken(b));
            }
        } else if let Ok(closing) = serde_json::from_str::<ExportClosing>(&line) {
            end = Some(closing.end);
        } else {
            return Ok(Verification::Broken(ChainBreak::ExportUnreadable {
                line: n,
            }));
        }
    }
    Ok(match verifier.finish_export(end.as_ref()) {
        Ok(events) => Verification::Intact { events },
        Err(b) => Verification::Broken(b),
    })
}

/// The chain's head in words, for the daily chat message that anchors it outside this
/// machine: `None` while the log is empty.
pub async fn head_line(pool: &SqlitePool) -> anyhow::Result<Option<String>> {
    Ok(db::audit::head(pool)
        .await?
        .map(|(id, hash)| format!("Audit log head: {id} events, newest seal {hash}")))
}
