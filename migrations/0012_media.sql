-- Images uploaded into sendgate (issue #17), addressed by the SHA-256 of their bytes: a
-- message names an image by a URL that contains that hash, so what reviewers approved is
-- byte for byte what LINE fetches, and the revision's content hash covers the image's.
--
-- Stored in SQLite rather than as files beside it: one file to back up and restore (the
-- revisions and the images they name travel together), an upload and its audit event commit
-- in one transaction, nothing to clean up when a write fails half way, and each test's
-- database holds its own images. LINE takes images up to 10 MB, a size SQLite reads and
-- writes as one blob without trouble. Rows are never updated or deleted: an approved
-- revision may name any of them.
CREATE TABLE media (
    sha256       TEXT    PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT    NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    byte_size    INTEGER NOT NULL CHECK (byte_size > 0),
    file_name    TEXT    NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    uploaded_at  TEXT    NOT NULL,
    bytes        BLOB    NOT NULL
);
CREATE INDEX media_newest_first ON media (uploaded_at DESC);

-- The sizes LINE asks for, made once at upload from the original: the imagemap widths
-- (240, 300, 460, 700, 1040 at `{baseUrl}/{width}`), the card width and the preview image.
-- Derived from the hashed original and as immutable as it.
CREATE TABLE media_variants (
    sha256       TEXT    NOT NULL REFERENCES media (sha256),
    variant      TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        BLOB    NOT NULL,
    PRIMARY KEY (sha256, variant)
);
