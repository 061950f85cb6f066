-- The audience (DESIGN section 7), audience previews (gate rule 4) and the sandbox outbox.
-- Sized for a million friends: segment counts must stay well under 150 ms there.

-- Friends get a small integer id so tag, attribute and snapshot rows stay compact and a
-- segment can drive its scan from a tag's rows by rowid. `followed_at` is Unix seconds:
-- follow-date rules compare a million of them.
CREATE TABLE friends (
    id           INTEGER PRIMARY KEY,
    user_id      TEXT    NOT NULL UNIQUE CHECK (length(user_id) = 33 AND substr(user_id, 1, 1) = 'U'),
    display_name TEXT    NOT NULL DEFAULT '',
    followed_at  INTEGER NOT NULL,
    blocked      INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    is_tester    INTEGER NOT NULL DEFAULT 0 CHECK (is_tester IN (0, 1)),
    updated_at   TEXT    NOT NULL
);
CREATE INDEX friends_by_follow ON friends (blocked, followed_at);
CREATE INDEX friends_testers ON friends (is_tester) WHERE is_tester = 1;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
-- Keyed by tag first: "everyone tagged vip" is one range scan.
CREATE TABLE friend_tags (
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    friend_id INTEGER NOT NULL REFERENCES friends (id) ON DELETE CASCADE,
    PRIMARY KEY (tag_id, friend_id)
) WITHOUT ROWID;
CREATE INDEX friend_tags_by_friend ON friend_tags (friend_id);

CREATE TABLE friend_attributes (
    friend_id INTEGER NOT NULL REFERENCES friends (id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    PRIMARY KEY (friend_id, key)
) WITHOUT ROWID;
CREATE INDEX friend_attributes_by_key ON friend_attributes (key, value);

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    -- JSON of domain::audience::SegmentRules.
    rules      TEXT    NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- LINE redelivers webhook events; remembering their ids makes a redelivery a no-op.
CREATE TABLE webhook_events (
    event_id    TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
) WITHOUT ROWID;

-- An audience preview of one revision. For segment sends the recipient list is frozen in
-- preview_recipients (by user id, so later friend changes cannot alter it) with its hash.
CREATE TABLE previews (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL,
    revision_number INTEGER NOT NULL,
    content_hash    TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('broadcast', 'segment', 'step')),
    recipient_count INTEGER NOT NULL,
    -- Friends who had not blocked the account when the preview was taken.
    friend_count    INTEGER NOT NULL,
    snapshot_hash   TEXT,
    quota_limit     INTEGER,
    quota_used      INTEGER,
    -- JSON array of {"user_id", "display_name"}: what the person looked at.
    sample          TEXT    NOT NULL,
    taken_by        INTEGER NOT NULL REFERENCES users (id),
    taken_at        TEXT    NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
CREATE INDEX previews_by_draft ON previews (draft_id, revision_number, id);

CREATE TABLE preview_recipients (
    preview_id INTEGER NOT NULL REFERENCES previews (id),
    user_id    TEXT    NOT NULL,
    PRIMARY KEY (preview_id, user_id)
) WITHOUT ROWID;

-- What the sandbox provider "sent": one row per accepted batch, one per recipient.
CREATE TABLE sandbox_batches (
    id           INTEGER PRIMARY KEY,
    retry_key    TEXT    NOT NULL UNIQUE,
    method       TEXT    NOT NULL,
    messages     TEXT    NOT NULL,
    notification_disabled INTEGER NOT NULL,
    recipients   INTEGER NOT NULL,
    sent_at      TEXT    NOT NULL
);
CREATE TABLE sandbox_inbox (
    batch_id INTEGER NOT NULL REFERENCES sandbox_batches (id),
    user_id  TEXT    NOT NULL,
    PRIMARY KEY (user_id, batch_id)
) WITHOUT ROWID;
