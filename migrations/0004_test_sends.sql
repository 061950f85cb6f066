-- Test sends (gate rule 3): a revision sent to the testers' phones, and a person's
-- confirmation that it arrived and looks right.

CREATE TABLE test_sends (
    id              INTEGER PRIMARY KEY,
    draft_id        INTEGER NOT NULL,
    revision_number INTEGER NOT NULL,
    -- The gate counts a test send only for the exact content that will be released.
    content_hash    TEXT    NOT NULL,
    requested_by    INTEGER NOT NULL REFERENCES users (id),
    requested_at    TEXT    NOT NULL,
    confirmed_by    INTEGER REFERENCES users (id),
    confirmed_at    TEXT,
    FOREIGN KEY (draft_id, revision_number) REFERENCES revisions (draft_id, number)
);
CREATE INDEX test_sends_by_draft ON test_sends (draft_id, id);

-- One row per tester, written with its retry key before the first attempt, so a retried
-- push can never reach the same phone twice.
CREATE TABLE test_send_recipients (
    test_send_id INTEGER NOT NULL REFERENCES test_sends (id),
    user_id      TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    retry_key    TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'failed')),
    error        TEXT,
    PRIMARY KEY (test_send_id, user_id)
) WITHOUT ROWID;
