-- Drafts, their immutable revisions, and the reviews given on each revision
-- (DESIGN sections 2 and 3).

-- A draft is the thing people talk about ("the winter sale broadcast"). Its content lives in
-- revisions; kind and title are copied from the current revision so lists and the
-- dashboard never parse JSON. States approved/tested/ready are computed, never stored.
CREATE TABLE drafts (
    id               INTEGER PRIMARY KEY,
    author_id        INTEGER NOT NULL REFERENCES users (id),
    state            TEXT    NOT NULL DEFAULT 'draft'
                     CHECK (state IN ('draft', 'in_review', 'scheduled', 'sending', 'sent', 'failed', 'cancelled')),
    kind             TEXT    NOT NULL CHECK (kind IN ('broadcast', 'segment', 'step')),
    title            TEXT    NOT NULL,
    current_revision INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX drafts_by_state ON drafts (state, updated_at);
CREATE INDEX drafts_by_author ON drafts (author_id, updated_at);
CREATE INDEX drafts_by_update ON drafts (updated_at);

-- A revision is what gets approved and, one day, sent. `content` is the canonical JSON the
-- content hash is computed over, so what was approved can always be shown exactly.
CREATE TABLE revisions (
    draft_id     INTEGER NOT NULL REFERENCES drafts (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    author_id    INTEGER NOT NULL REFERENCES users (id),
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (draft_id, number)
) WITHOUT ROWID;

-- Immutability is enforced by the database too, not only by the code that writes it.
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'a revision is immutable');
END;
CREATE TRIGGER revisions_are_never_deleted BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'a revision is immutable');
END;

-- Every verdict is on one revision. Older reviews stay (history), they just stop counting.
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL,
    revision_number INTEGER NOT NULL,
    reviewer_id     INTEGER NOT NULL REFERENCES users (id),
    verdict         TEXT    NOT NULL CHECK (verdict IN ('approve', 'request_changes', 'comment')),
    body            TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
CREATE INDEX reviews_by_draft ON reviews (draft_id, id);
CREATE INDEX reviews_by_reviewer ON reviews (reviewer_id, draft_id);
-- A second approval of the same revision by the same person is refused by the service;
-- this makes it impossible even when two clicks race.
CREATE UNIQUE INDEX one_approval_per_reviewer_and_revision
    ON reviews (draft_id, revision_number, reviewer_id) WHERE verdict = 'approve';
