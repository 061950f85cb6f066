-- Foundation: people, their sessions, the release policy and the audit trail.
-- Times are stored as RFC 3339 UTC text (what sqlx writes for chrono::DateTime<Utc>), so
-- a row read by hand in the sqlite3 shell still makes sense.

-- Roles are three flags rather than a join table: the set is closed (DESIGN section 1),
-- and the questions asked of it ("is the last active admin being removed?", "does this
-- approver still hold the reviewer role?") become one indexed predicate.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    is_admin       INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    is_marketer    INTEGER NOT NULL DEFAULT 0 CHECK (is_marketer IN (0, 1)),
    is_reviewer    INTEGER NOT NULL DEFAULT 0 CHECK (is_reviewer IN (0, 1)),
    -- NULL while the account may sign in; disabling keeps the row so history still names it.
    disabled_at    TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

-- Only the SHA-256 of the cookie token is stored: a copy of this table does not let anyone
-- sign in. Sessions die with their user (ON DELETE CASCADE) and are deleted explicitly on
-- logout, disable and password reset.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Exactly one row (id = 1): the values the gate reads at the moment of release.
CREATE TABLE release_policy (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    required_approvals       INTEGER NOT NULL DEFAULT 2 CHECK (required_approvals BETWEEN 1 AND 5),
    large_audience_threshold INTEGER NOT NULL DEFAULT 10000 CHECK (large_audience_threshold >= 1),
    preview_max_age_minutes  INTEGER NOT NULL DEFAULT 1440 CHECK (preview_max_age_minutes >= 1),
    max_drift_percent        INTEGER NOT NULL DEFAULT 5 CHECK (max_drift_percent BETWEEN 0 AND 100),
    quiet_hours_start        TEXT    NOT NULL DEFAULT '22:00',
    quiet_hours_end          TEXT    NOT NULL DEFAULT '08:00',
    time_zone                TEXT    NOT NULL DEFAULT 'Asia/Tokyo',
    -- Hosts links may point at without a warning, one per line; empty means no list.
    link_allow_list          TEXT    NOT NULL DEFAULT '',
    updated_at               TEXT,
    updated_by               INTEGER REFERENCES users (id)
);
INSERT INTO release_policy (id) VALUES (1);

-- The audit trail is append-only and hash-chained: each row stores the hash of the row
-- before it, and its own hash covers its id, so editing, deleting or reordering a row
-- breaks the chain. AUTOINCREMENT keeps ids from ever being reused after a delete.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    -- NULL for the system and the CLI; actor_name keeps the name as it was.
    actor_id    INTEGER REFERENCES users (id),
    actor_name  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    details     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_by_actor ON audit_events (actor_id, id);
CREATE INDEX audit_by_action ON audit_events (action, id);

-- The newest event's id and hash, written in the same transaction as the event. Without it
-- a deleted newest row would leave a chain that still verifies.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
