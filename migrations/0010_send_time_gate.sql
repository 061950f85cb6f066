-- no-transaction
-- The send-time gate (issue #15) and the undo window (issue #16).
--
-- Releases gain a `held` state and deliveries a `not_attempted` one, and both tables carry
-- what the dispatcher needs to ask the gate again at the moment it hands a release to LINE.
-- SQLite cannot change a CHECK constraint in place, so the two tables are rebuilt the way
-- https://sqlite.org/lang_altertable.html#otheralter describes: with foreign keys off
-- (which only works outside a transaction, hence `no-transaction` above), inside one
-- transaction of our own; every row keeps its id, so the references stay whole.

PRAGMA foreign_keys = OFF;
BEGIN;

-- The policy: how many staff phones may receive test sends, and how long an immediate
-- release waits (the undo window) before the dispatcher may start it.
ALTER TABLE release_policy ADD COLUMN max_testers INTEGER NOT NULL DEFAULT 10
    CHECK (max_testers BETWEEN 1 AND 100);
ALTER TABLE release_policy ADD COLUMN release_hold_seconds INTEGER NOT NULL DEFAULT 60
    CHECK (release_hold_seconds BETWEEN 0 AND 3600);

-- A tester is a staff member's own LINE account, never a customer: whose phone it is, and
-- how it became a tester (the person paired it from LINE, or an admin added it). Testers
-- marked before this migration have no owner; they receive no test send until an admin
-- says whose phone each is.
ALTER TABLE friends ADD COLUMN tester_user_id INTEGER REFERENCES users (id);
ALTER TABLE friends ADD COLUMN tester_via TEXT CHECK (tester_via IN ('pairing', 'admin'));
ALTER TABLE friends ADD COLUMN tester_since TEXT;
-- LINE may deliver webhook events late and out of order: the timestamp (ms) of the newest
-- follow or unfollow applied, so an older event never overrides a newer state.
ALTER TABLE friends ADD COLUMN state_event_at INTEGER;

-- One-time codes a signed-in person sends from LINE to pair their own phone. Only the
-- SHA-256 of the code is kept; the person sees the code once.
CREATE TABLE tester_pairings (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id),
    code_hash      TEXT    NOT NULL UNIQUE,
    created_at     TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    -- Set when a LINE message carried the code: paired, or why it could not be.
    used_at        TEXT,
    friend_user_id TEXT,
    refusal        TEXT
);
CREATE INDEX tester_pairings_by_user ON tester_pairings (user_id, id);

-- A test send is made once per click: the form carries a token, and a second post of the
-- same token (a double click, a retried request) finds the first test send.
ALTER TABLE test_sends ADD COLUMN click_token TEXT;
CREATE UNIQUE INDEX test_sends_once_per_click
    ON test_sends (draft_id, revision_number, click_token) WHERE click_token IS NOT NULL;

-- A step the send-time gate stopped (an approver disabled, the quota gone): its messages
-- wait as held until the scenario is activated again. Warnings acknowledged at activation
-- are kept, so each hand-off asks the gate exactly what the activation asked.
ALTER TABLE scenario_steps ADD COLUMN hold_reason TEXT;
ALTER TABLE scenario_steps ADD COLUMN live_acknowledged TEXT NOT NULL DEFAULT '[]';

CREATE TABLE releases_new (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL REFERENCES drafts (id),
    revision_number INTEGER NOT NULL,
    content_hash    TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    preview_id      INTEGER REFERENCES previews (id),
    snapshot_hash   TEXT,
    recipients      INTEGER NOT NULL,
    approvers       TEXT    NOT NULL,
    released_by     INTEGER NOT NULL REFERENCES users (id),
    typed_phrase    TEXT    NOT NULL,
    send_at         TEXT    NOT NULL,
    -- held: the send-time gate was red when the dispatcher came to start it; nothing went.
    state           TEXT    NOT NULL CHECK (state IN ('scheduled', 'sending', 'sent', 'failed', 'cancelled', 'held')),
    created_at      TEXT    NOT NULL,
    finished_at     TEXT,
    error           TEXT,
    -- JSON array of the warning keys the releasing person acknowledged: the dispatcher asks
    -- the gate with the same acknowledgements.
    acknowledged_warnings TEXT NOT NULL DEFAULT '[]',
    -- 'now' (sent after the undo window), 'at' (the revision's own send time) or
    -- 'quiet_end' (released during quiet hours, sent when they end).
    timing          TEXT    NOT NULL DEFAULT 'at' CHECK (timing IN ('now', 'at', 'quiet_end')),
    -- Why the send-time gate held it (JSON array of {rule, reason}).
    hold_reasons    TEXT,
    -- The dispatcher looks again no earlier than this (LINE's quota could not be read).
    recheck_at      TEXT,
    -- Who LINE accepted, once finished: their number and the hash of their sorted user
    -- ids (a correction must reach exactly them).
    accepted        INTEGER,
    accepted_hash   TEXT,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
INSERT INTO releases_new (id, draft_id, revision_number, content_hash, kind, preview_id,
                          snapshot_hash, recipients, approvers, released_by, typed_phrase,
                          send_at, state, created_at, finished_at, error)
SELECT id, draft_id, revision_number, content_hash, kind, preview_id, snapshot_hash,
       recipients, approvers, released_by, typed_phrase, send_at, state, created_at,
       finished_at, error
FROM releases;

CREATE TABLE deliveries_new (
    id             INTEGER PRIMARY KEY,
    release_id     INTEGER NOT NULL REFERENCES releases (id),
    seq            INTEGER NOT NULL,
    method         TEXT    NOT NULL CHECK (method IN ('multicast', 'broadcast')),
    first_user_id  TEXT,
    last_user_id   TEXT,
    recipients     INTEGER NOT NULL,
    retry_key      TEXT    NOT NULL UNIQUE,
    -- failed: LINE refused this call; not_attempted: never handed to LINE because the
    -- send stopped (the quota ran out, or the release was held).
    state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'not_attempted')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    request_id     TEXT,
    error          TEXT,
    UNIQUE (release_id, seq)
);
INSERT INTO deliveries_new (id, release_id, seq, method, first_user_id, last_user_id,
                            recipients, retry_key, state, attempts, next_attempt_at,
                            request_id, error)
SELECT id, release_id, seq, method, first_user_id, last_user_id, recipients, retry_key,
       -- Rows failed by `fail_unsent` were never attempted.
       CASE WHEN state = 'failed' AND attempts = 0 THEN 'not_attempted' ELSE state END,
       attempts, next_attempt_at, request_id, error
FROM deliveries;

DROP TABLE deliveries;
DROP TABLE releases;
ALTER TABLE releases_new RENAME TO releases;
ALTER TABLE deliveries_new RENAME TO deliveries;

-- One live release per draft: a double click, a second tab or two people at once produce
-- exactly one. A held release no longer counts: the draft may be released again.
CREATE UNIQUE INDEX one_live_release_per_draft ON releases (draft_id)
    WHERE state NOT IN ('cancelled', 'held');
CREATE INDEX releases_due ON releases (state, send_at);
CREATE INDEX releases_by_draft ON releases (draft_id, id);
CREATE INDEX deliveries_by_state ON deliveries (state, release_id, id);

COMMIT;
PRAGMA foreign_keys = ON;
