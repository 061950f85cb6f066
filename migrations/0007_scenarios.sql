-- Step scenarios (issue #7): a scenario is a trigger (a friend was added) and ordered steps,
-- each step a draft of kind 'step' sent a fixed delay after the friend entered. Activation
-- is the scenario's release; each step records the revision it approved (live_revision).

-- What happens to step messages held while their step was being re-approved.
ALTER TABLE release_policy ADD COLUMN held_messages TEXT NOT NULL DEFAULT 'within_24h'
    CHECK (held_messages IN ('within_24h', 'skip'));

CREATE TABLE scenarios (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    -- first_add: only a first follow enters; every_add: unblocks enter friends not yet in it;
    -- every_add_restart: every follow (re)starts it.
    trigger_kind TEXT    NOT NULL CHECK (trigger_kind IN ('first_add', 'every_add', 'every_add_restart')),
    state        TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'paused', 'deactivated')),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    activated_at TEXT,
    updated_at   TEXT    NOT NULL
);

CREATE TABLE scenario_steps (
    id            INTEGER PRIMARY KEY,
    scenario_id   INTEGER NOT NULL REFERENCES scenarios (id),
    position      INTEGER NOT NULL,
    delay_days    INTEGER NOT NULL CHECK (delay_days BETWEEN 0 AND 365),
    -- Day 0: minutes after the friend was added. Later days: minutes past local midnight.
    delay_minutes INTEGER NOT NULL CHECK (delay_minutes BETWEEN 0 AND 1439),
    draft_id      INTEGER NOT NULL UNIQUE REFERENCES drafts (id),
    -- The revision the last activation approved; the step sends only while it is current.
    live_revision INTEGER,
    -- Unix seconds: due (friend, step) pairs up to here have delivery rows.
    scanned_until INTEGER,
    UNIQUE (scenario_id, position)
);

-- Who is in a scenario since when. `local_day` is the follow date in the account's time
-- zone (days since 1970-01-01), so "day N at 10:00" is one indexed range.
CREATE TABLE scenario_enrollments (
    scenario_id INTEGER NOT NULL REFERENCES scenarios (id),
    friend_id   INTEGER NOT NULL REFERENCES friends (id),
    round       INTEGER NOT NULL DEFAULT 1,
    enrolled_at INTEGER NOT NULL,
    local_day   INTEGER NOT NULL,
    PRIMARY KEY (scenario_id, friend_id)
) WITHOUT ROWID;
CREATE INDEX enrollments_by_time ON scenario_enrollments (scenario_id, enrolled_at);
CREATE INDEX enrollments_by_day ON scenario_enrollments (scenario_id, local_day);

-- One row per (step, friend, round), written with its retry key before any provider call:
-- the unique key is what makes "never twice" hold across retries and restarts.
CREATE TABLE step_deliveries (
    id              INTEGER PRIMARY KEY,
    step_id         INTEGER NOT NULL REFERENCES scenario_steps (id),
    friend_id       INTEGER NOT NULL REFERENCES friends (id),
    round           INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    revision_number INTEGER,
    retry_key       TEXT    NOT NULL UNIQUE,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'held', 'skipped', 'failed')),
    -- The retry key of the call that carries this row (its own for a push, shared by a
    -- multicast group), stored when the row is claimed, before the call.
    batch_key       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    reason          TEXT,
    sent_at         TEXT,
    UNIQUE (step_id, friend_id, round)
);
-- The dispatcher's two claims: new rows by due time, and groups claimed before (retries,
-- or interrupted by a restart). Partial on exactly the terms the queries use.
CREATE INDEX step_deliveries_unclaimed ON step_deliveries (due_at) WHERE state = 'pending' AND batch_key IS NULL;
CREATE INDEX step_deliveries_reclaim ON step_deliveries (due_at) WHERE state = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX step_deliveries_held ON step_deliveries (step_id) WHERE state = 'held';
CREATE INDEX step_deliveries_by_batch ON step_deliveries (batch_key) WHERE batch_key IS NOT NULL;
CREATE INDEX step_deliveries_by_friend ON step_deliveries (friend_id);

-- The impact preview of a scenario: per step, who receives it in the next 24 h, 7 and 30
-- days. It counts only for the exact set of step revisions and delays it was taken of.
CREATE TABLE scenario_previews (
    id              INTEGER PRIMARY KEY,
    scenario_id     INTEGER NOT NULL REFERENCES scenarios (id),
    fingerprint     TEXT    NOT NULL,
    -- JSON array of {"step", "day", "week", "month"}.
    counts          TEXT    NOT NULL,
    quota_limit     INTEGER,
    quota_used      INTEGER,
    taken_by        INTEGER NOT NULL REFERENCES users (id),
    taken_at        TEXT    NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT
);
CREATE INDEX scenario_previews_by_scenario ON scenario_previews (scenario_id, id);
