-- Incidents (a wrong message went out), correction sends, notifications and the outgoing
-- chat webhook (issue #8).

-- How many approvals a correction of an incident needs (the author never counts).
ALTER TABLE release_policy ADD COLUMN correction_required_approvals INTEGER NOT NULL DEFAULT 1
    CHECK (correction_required_approvals BETWEEN 1 AND 5);

-- The apology text a correction draft starts from, one per language, editable by admins.
-- Placeholders: {title}, {sent_at}, {what_was_wrong}.
CREATE TABLE apology_templates (
    language   TEXT    PRIMARY KEY CHECK (language IN ('ja', 'en')),
    body       TEXT    NOT NULL,
    updated_at TEXT,
    updated_by INTEGER REFERENCES users (id)
);
INSERT INTO apology_templates (language, body) VALUES
('ja', '【お詫びと訂正】
{sent_at}にお送りした「{title}」のメッセージに誤りがございました。
誤りの内容：{what_was_wrong}
正しい内容は次のメッセージのとおりです。ご迷惑をおかけし、誠に申し訳ございません。'),
('en', 'Correction and apology
The message "{title}" we sent on {sent_at} contained a mistake: {what_was_wrong}
The correct information is in the next message. We are very sorry for the confusion.');

-- One incident per reported mistake on a sent release. The correction draft, once made,
-- targets exactly the release's recipients (services::incidents guards it).
CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    release_id          INTEGER NOT NULL REFERENCES releases (id),
    what_was_wrong      TEXT    NOT NULL,
    severity            TEXT    NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    -- Who noticed, in words: a colleague, "a customer by phone", ...
    noticed_by          TEXT    NOT NULL,
    noticed_at          TEXT    NOT NULL,
    reported_by         INTEGER NOT NULL REFERENCES users (id),
    reported_at         TEXT    NOT NULL,
    correction_draft_id INTEGER UNIQUE REFERENCES drafts (id),
    state               TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    closing_note        TEXT,
    closed_by           INTEGER REFERENCES users (id),
    closed_at           TEXT
);
CREATE INDEX incidents_by_state ON incidents (state, id);
CREATE INDEX incidents_by_release ON incidents (release_id);

-- In-app notifications: one row per person concerned, written in the same transaction as
-- the change that causes it.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    event      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- The outgoing chat webhook (Slack-compatible `{"text": ...}`): where to post and which
-- events, set by an admin on /admin/notifications, with the last delivery error shown there.
CREATE TABLE notification_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    webhook_url     TEXT    NOT NULL DEFAULT '',
    -- Comma-separated event kinds (domain::notification::EVENT_KINDS) that are posted.
    webhook_events  TEXT    NOT NULL DEFAULT '',
    last_error      TEXT,
    last_error_at   TEXT,
    last_success_at TEXT,
    updated_at      TEXT,
    updated_by      INTEGER REFERENCES users (id)
);
INSERT INTO notification_settings (id) VALUES (1);

-- Chat messages waiting to be posted, written in the same transaction as the event; the
-- notifier posts them in the background with retries, so a dead receiver never blocks a
-- review or a release.
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY,
    event           TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    link            TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_attempt_at);
