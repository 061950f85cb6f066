-- Each person's interface language (issue #6): 'ja' or 'en', NULL until they pick one in
-- the header switch (then the browser's Accept-Language decides).
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('ja', 'en'));
