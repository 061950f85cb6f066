-- The draft page's history (submitted, withdrawn) reads a draft's own audit events by
-- subject. Without an index SQLite walked every `draft.submitted` event of every draft
-- through `audit_by_action` and read each row to compare its subject: with 3,334 such
-- events that was 2-6 ms of a draft page's 6 ms, and it grew with every submission
-- (issue #17's "the draft page keeps its page-speed figures"). Ordered by id so a subject's
-- events come back in the chain's order.
CREATE INDEX audit_by_subject ON audit_events (subject, id);
