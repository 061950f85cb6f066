-- no-transaction
-- The greeting message (あいさつメッセージ) behind the gate (issue #19): a draft kind of its
-- own, the greeting that is active (one at a time), every greeting sent to a new friend
-- with its outcome, and the policy's three greeting settings.
--
-- `drafts` and `previews` gain 'greeting' in their kind CHECK. SQLite cannot change a
-- CHECK constraint in place, so both are rebuilt as migration 0010 rebuilt releases and
-- deliveries (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off (only
-- possible outside a transaction, hence `no-transaction` above), one transaction of our
-- own, every row keeping its id so the tables that refer to them stay whole, and every
-- index of the rebuilt tables made again (neither has a trigger).

PRAGMA foreign_keys = OFF;
BEGIN;

-- The policy. A re-follow (LINE's `follow.isUnblocked`: the friend had blocked the account
-- and unblocked it) is greeted only when an admin says so: LINE Official Account Manager
-- calls the same choice 「はじめて友だち追加されたときにのみ送信」, and someone coming back
-- has had the greeting already.
ALTER TABLE release_policy ADD COLUMN greet_refollows INTEGER NOT NULL DEFAULT 0
    CHECK (greet_refollows IN (0, 1));
-- When the reply token cannot be used (expired, or LINE refused it): push the greeting
-- instead (it then uses the monthly quota, and arrives late), or record the friend as not
-- greeted. Not greeted is the default: it sends nothing nobody asked for, costs nothing,
-- and never risks greeting twice after a reply whose outcome is unknown.
ALTER TABLE release_policy ADD COLUMN greeting_fallback TEXT NOT NULL DEFAULT 'not_greeted'
    CHECK (greeting_fallback IN ('push', 'not_greeted'));
-- How old a reply token may be when sendgate uses it. LINE wants the reply within about
-- a minute of the event; a little less leaves room for the call itself.
ALTER TABLE release_policy ADD COLUMN greeting_reply_deadline_seconds INTEGER NOT NULL DEFAULT 50
    CHECK (greeting_reply_deadline_seconds BETWEEN 5 AND 60);

CREATE TABLE drafts_new (
    id               INTEGER PRIMARY KEY,
    author_id        INTEGER NOT NULL REFERENCES users (id),
    state            TEXT    NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'in_review', 'scheduled', 'sending', 'sent', 'failed', 'cancelled')),
    -- greeting: the reply to a new friend (DESIGN section 2); activated, never released.
    kind             TEXT    NOT NULL CHECK (kind IN ('broadcast', 'segment', 'step', 'greeting')),
    title            TEXT    NOT NULL,
    current_revision INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
INSERT INTO drafts_new (id, author_id, state, kind, title, current_revision, created_at, updated_at)
SELECT id, author_id, state, kind, title, current_revision, created_at, updated_at FROM drafts;

CREATE TABLE previews_new (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL,
    revision_number INTEGER NOT NULL,
    content_hash    TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('broadcast', 'segment', 'step', 'greeting')),
    recipient_count INTEGER NOT NULL,
    friend_count    INTEGER NOT NULL,
    snapshot_hash   TEXT,
    quota_limit     INTEGER,
    quota_used      INTEGER,
    sample          TEXT    NOT NULL,
    taken_by        INTEGER NOT NULL REFERENCES users (id),
    taken_at        TEXT    NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
INSERT INTO previews_new (id, draft_id, revision_number, content_hash, kind, recipient_count,
                          friend_count, snapshot_hash, quota_limit, quota_used, sample,
                          taken_by, taken_at, acknowledged_by, acknowledged_at)
SELECT id, draft_id, revision_number, content_hash, kind, recipient_count, friend_count,
       snapshot_hash, quota_limit, quota_used, sample, taken_by, taken_at, acknowledged_by,
       acknowledged_at
FROM previews;

DROP TABLE previews;
DROP TABLE drafts;
ALTER TABLE drafts_new RENAME TO drafts;
ALTER TABLE previews_new RENAME TO previews;

-- The indexes of migrations 0002 and 0003, as they were.
CREATE INDEX drafts_by_state ON drafts (state, updated_at);
CREATE INDEX drafts_by_author ON drafts (author_id, updated_at);
CREATE INDEX drafts_by_update ON drafts (updated_at);
CREATE INDEX previews_by_draft ON previews (draft_id, revision_number, id);

-- Every activation of a greeting revision. The one not ended is the active greeting; the
-- unique index makes "one at a time" hold even when two people activate at once. A
-- revision is activated exactly as approved: its hash, who approved it, the warnings the
-- person acknowledged (each send asks the gate with them) and what they typed.
CREATE TABLE greeting_activations (
    id                    INTEGER PRIMARY KEY,
    draft_id              INTEGER NOT NULL REFERENCES drafts (id),
    revision_number       INTEGER NOT NULL,
    content_hash          TEXT    NOT NULL,
    -- JSON array of the approvers' names at activation.
    approvers             TEXT    NOT NULL,
    acknowledged_warnings TEXT    NOT NULL DEFAULT '[]',
    typed_name            TEXT    NOT NULL,
    activated_by          INTEGER NOT NULL REFERENCES users (id),
    activated_at          TEXT    NOT NULL,
    -- Set when the send-time gate was red for a new friend (an approver disabled, an
    -- objection): nothing is sent until someone activates a greeting again. JSON array of
    -- {rule, reason}.
    held_at               TEXT,
    hold_reasons          TEXT,
    -- 'replaced' by another activation, or 'deactivated' by a person.
    ended_at              TEXT,
    ended_by              INTEGER REFERENCES users (id),
    end_reason            TEXT    CHECK (end_reason IN ('replaced', 'deactivated')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
CREATE UNIQUE INDEX one_active_greeting ON greeting_activations ((1)) WHERE ended_at IS NULL;
CREATE INDEX greeting_activations_by_draft ON greeting_activations (draft_id, id);

-- One greeting per friend per follow event, queued by the webhook in the transaction that
-- applies the follow and answered by the greeting sender (src/jobs/greetings.rs). The
-- unique key is what makes a redelivered follow greet nobody twice; the push fallback's
-- retry key is stored here before the call, so a retried push reaches the friend once.
CREATE TABLE greeting_sends (
    id              INTEGER PRIMARY KEY,
    -- LINE's webhookEventId, or `at:{timestamp}` for an event without one.
    event_key       TEXT    NOT NULL,
    friend_id       INTEGER NOT NULL REFERENCES friends (id),
    user_id         TEXT    NOT NULL,
    -- Single use and short-lived; cleared once the greeting is settled.
    reply_token     TEXT,
    -- Unix milliseconds: when the friend followed (LINE's event time, never later than it
    -- arrived). The reply deadline counts from here.
    followed_at_ms  INTEGER NOT NULL,
    received_at     TEXT    NOT NULL,
    refollow        INTEGER NOT NULL CHECK (refollow IN (0, 1)),
    -- pending: waiting for the sender; sending: handed to LINE (a crash leaves it here and
    -- the sender resumes it); replied / pushed: greeted; not_greeted: nothing was sent, and
    -- `reason` says why; held: the send-time gate said no; unknown: LINE may have taken a
    -- reply whose answer never came, so nothing more is tried.
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'replied', 'pushed', 'not_greeted', 'held', 'unknown')),
    method          TEXT    CHECK (method IN ('reply', 'push')),
    retry_key       TEXT    UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- A reply attempt ended without a clear answer (a timeout, a 500): LINE may have
    -- delivered it, so this friend is never pushed the greeting as well.
    reply_uncertain INTEGER NOT NULL DEFAULT 0 CHECK (reply_uncertain IN (0, 1)),
    -- Unix milliseconds; the sender takes rows due by now.
    next_attempt_at INTEGER NOT NULL,
    -- The activation whose revision was (or would have been) sent.
    activation_id   INTEGER REFERENCES greeting_activations (id),
    reason          TEXT,
    hold_reasons    TEXT,
    request_id      TEXT,
    finished_at     TEXT,
    UNIQUE (event_key, friend_id)
);
CREATE INDEX greeting_sends_due ON greeting_sends (next_attempt_at) WHERE state = 'pending';
CREATE INDEX greeting_sends_in_flight ON greeting_sends (id) WHERE state = 'sending';
CREATE INDEX greeting_sends_by_friend ON greeting_sends (friend_id);

COMMIT;
PRAGMA foreign_keys = ON;
