-- Trust (issue #18): sign-in throttling shared by every process, two-factor sign-in,
-- re-authentication, sessions a person can see, and the keyed audit chain.

-- Failed sign-ins per key, in the database so every server on this file and every restart
-- sees the same counts (an in-process throttle forgot them). Keys name what they slow:
-- `addr:<ip>` (one client address, any account), `pair:<name>@<ip>` (one account from one
-- address) and `acct:<name>` (one account from everywhere, which only many addresses
-- together can fill). An attempt is counted before its password is checked, so parallel
-- attempts cannot all slip through between the read and the write.
CREATE TABLE login_throttle (
    key               TEXT    PRIMARY KEY,
    failures          INTEGER NOT NULL DEFAULT 0,
    window_started_at TEXT    NOT NULL,
    -- How often this key was locked out recently: each lockout lasts twice the one before.
    lockouts          INTEGER NOT NULL DEFAULT 0,
    locked_until      TEXT,
    updated_at        TEXT    NOT NULL
) WITHOUT ROWID;

-- How many failed sign-ins were written to the audit log in the current minute, and how
-- many were only counted: a flood from outside cannot grow the log without bound.
CREATE TABLE login_audit_budget (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    window_started_at TEXT    NOT NULL,
    logged            INTEGER NOT NULL DEFAULT 0,
    suppressed        INTEGER NOT NULL DEFAULT 0
);

-- Sessions a person can see and end: a random handle to name one in a form (never the
-- token's hash), the browser and address it signed in from, and when its owner last
-- proved who they are (sign-in, password or code), for re-authentication. Sessions from
-- before this migration have no proof yet and are asked for one before a sensitive action.
ALTER TABLE sessions ADD COLUMN handle TEXT;
UPDATE sessions SET handle = lower(hex(randomblob(12)));
CREATE UNIQUE INDEX sessions_by_handle ON sessions (handle);
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN proved_at TEXT;
ALTER TABLE sessions ADD COLUMN proof TEXT;

-- TOTP (RFC 6238). The secret is kept while enrolment waits for its first code
-- (confirmed_at NULL). last_step is the newest 30-second step a code was accepted for, so
-- a code seen over someone's shoulder cannot be used a second time.
CREATE TABLE user_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT    NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL
);

-- One-time recovery codes, for a lost phone. Only the SHA-256 of each is stored: a code
-- is 80 random bits, too many to guess from the hash.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- The password was right and the second factor is awaited. Keyed by the SHA-256 of a
-- token held in a short-lived cookie; a few wrong codes end it.
CREATE TABLE login_challenges (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next       TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    user_agent TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT    NOT NULL
) WITHOUT ROWID;

-- The policy's trust settings: how old a proof may be before a release, an activation or a
-- change of roles or policy asks again; when idle sessions end; who must use two-factor.
ALTER TABLE release_policy ADD COLUMN reauth_minutes INTEGER NOT NULL DEFAULT 10
    CHECK (reauth_minutes BETWEEN 1 AND 1440);
ALTER TABLE release_policy ADD COLUMN session_idle_minutes INTEGER NOT NULL DEFAULT 480
    CHECK (session_idle_minutes BETWEEN 5 AND 525600);
ALTER TABLE release_policy ADD COLUMN totp_required_for_admins INTEGER NOT NULL DEFAULT 0
    CHECK (totp_required_for_admins IN (0, 1));
ALTER TABLE release_policy ADD COLUMN totp_required_for_releasers INTEGER NOT NULL DEFAULT 0
    CHECK (totp_required_for_releasers IN (0, 1));

-- Which key seals the audit chain (HMAC-SHA256; the key itself lives outside the
-- database): an id derived from the key, so a server started with another key refuses to
-- write events nobody could verify. No row yet means the chain is still the unkeyed
-- SHA-256 chain of before; the first start re-seals it with the key (audited).
CREATE TABLE audit_seal (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    key_id    TEXT    NOT NULL,
    sealed_at TEXT    NOT NULL
);

-- The daily chat message that anchors the audit head asks when the last one was queued.
CREATE INDEX webhook_outbox_by_event ON webhook_outbox (event, created_at);
