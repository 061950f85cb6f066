-- Releases and their delivery rows (DESIGN section 6). A release records exactly what was
-- approved and who released it; its delivery rows (one per API call) are written in the
-- same transaction, each with the retry key every attempt will carry.

CREATE TABLE releases (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL REFERENCES drafts (id),
    revision_number INTEGER NOT NULL,
    content_hash    TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    preview_id      INTEGER REFERENCES previews (id),
    snapshot_hash   TEXT,
    recipients      INTEGER NOT NULL,
    -- JSON array of the approvers' names at release time.
    approvers       TEXT    NOT NULL,
    released_by     INTEGER NOT NULL REFERENCES users (id),
    typed_phrase    TEXT    NOT NULL,
    send_at         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('scheduled', 'sending', 'sent', 'failed', 'cancelled')),
    created_at      TEXT    NOT NULL,
    finished_at     TEXT,
    error           TEXT,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
-- One live release per draft: a double click, a second tab or two people at once produce
-- exactly one.
CREATE UNIQUE INDEX one_live_release_per_draft ON releases (draft_id) WHERE state <> 'cancelled';
CREATE INDEX releases_due ON releases (state, send_at);

CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY,
    release_id     INTEGER NOT NULL REFERENCES releases (id),
    seq            INTEGER NOT NULL,
    method         TEXT    NOT NULL CHECK (method IN ('multicast', 'broadcast')),
    -- For multicast: the batch is the snapshot's user ids from first to last, inclusive.
    first_user_id  TEXT,
    last_user_id   TEXT,
    recipients     INTEGER NOT NULL,
    retry_key      TEXT    NOT NULL UNIQUE,
    state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    request_id     TEXT,
    error          TEXT,
    UNIQUE (release_id, seq)
);
CREATE INDEX deliveries_by_state ON deliveries (state, release_id, id);
