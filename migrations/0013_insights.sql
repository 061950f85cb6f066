-- LINE's own statistics of what was sent (issue #19): the unit name each release's
-- multicasts carry, the readings of LINE's figures, refresh requests, and the sandbox's
-- stand-ins for replies and unit names.

-- Six random hex digits per database, part of every unit name (`sg_{tag}_r{release}`), so
-- two installations sending through one LINE channel never add their figures together.
CREATE TABLE installation (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    unit_tag TEXT    NOT NULL CHECK (length(unit_tag) = 6 AND unit_tag NOT GLOB '*[^0-9a-f]*')
);
INSERT INTO installation (id, unit_tag) VALUES (1, lower(hex(randomblob(3))));

-- The `customAggregationUnits` name of a segment release, decided when its first batch is
-- handed to LINE and carried by every batch after it (a retry sends the same body). A
-- decision with no name means this month's 1,000 names (LINE's limit) were used up: the
-- release was sent without one and LINE has no statistics of it.
ALTER TABLE releases ADD COLUMN aggregation_unit TEXT
    CHECK (aggregation_unit IS NULL OR (length(aggregation_unit) BETWEEN 1 AND 30
                                        AND aggregation_unit NOT GLOB '*[^a-zA-Z0-9_]*'));
ALTER TABLE releases ADD COLUMN aggregation_unit_decided_at TEXT;
-- Names used this month are counted from this index.
CREATE INDEX releases_by_unit_decision ON releases (aggregation_unit_decided_at)
    WHERE aggregation_unit IS NOT NULL;

-- Every attempt at reading LINE's statistics of a release, kept with the time it was read:
-- LINE's figures lag and grow for days, so each reading is a snapshot, never updated.
-- A failed attempt keeps LINE's answer in `error`; `retryable` says whether it is tried
-- again soon (LINE busy or unreachable) or waits for the next scheduled reading.
CREATE TABLE insight_readings (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases (id),
    read_at     TEXT    NOT NULL,
    trigger     TEXT    NOT NULL CHECK (trigger IN ('scheduled', 'retry', 'refresh')),
    -- domain::insight::Figures as JSON; NULL when the attempt failed.
    figures     TEXT,
    error       TEXT,
    retryable   INTEGER NOT NULL DEFAULT 0,
    CHECK ((figures IS NULL) <> (error IS NULL))
);
CREATE INDEX insight_readings_by_release ON insight_readings (release_id, id);

-- "Refresh" asked on the release page: the reader takes it at its next step (LINE allows
-- 60 statistics calls an hour, so reads are paced, never made inside a page request).
CREATE TABLE insight_refresh_requests (
    release_id   INTEGER PRIMARY KEY REFERENCES releases (id),
    requested_at TEXT    NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES users (id)
);

-- The sandbox counts a batch under its unit name, as LINE does.
ALTER TABLE sandbox_batches ADD COLUMN aggregation_unit TEXT;
CREATE INDEX sandbox_batches_by_unit ON sandbox_batches (aggregation_unit, sent_at)
    WHERE aggregation_unit IS NOT NULL;

-- Reply tokens the sandbox issued for its stand-in webhook events: single use and
-- short-lived like LINE's (delivery::sandbox::REPLY_TOKEN_LIFETIME).
CREATE TABLE sandbox_reply_tokens (
    token     TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    used_at   TEXT
);
