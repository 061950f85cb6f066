-- The dashboard's first-day path (issue #16) stayed until the first message was sent. A
-- person who knows the way (an admin setting up a second account, a marketer who joined
-- later) can now hide it for themselves: the moment they did, NULL while it shows. It is a
-- preference of the page, not a change to the account, so it is not audited.
ALTER TABLE users ADD COLUMN first_day_hidden_at TEXT;
