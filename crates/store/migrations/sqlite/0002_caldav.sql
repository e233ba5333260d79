-- What the CalDAV server needs beside the journal: calendar time zones and dead properties, app
-- passwords, shares, alerts, the mass-deletion guard's index and plain WebDAV files.

ALTER TABLE calendars ADD COLUMN timezone TEXT;
-- Dead properties (PROPPATCH), JSON object: "{namespace}local" -> XML fragment.
ALTER TABLE calendars ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- The mass-deletion guard counts a device's recent tombstones in a calendar: this index holds
-- tombstones only (puts never touch it) and covers the query (seq is in it).
CREATE INDEX revisions_deletes ON revisions (calendar_id, device_id, at, seq) WHERE kind = 'delete';

-- Only the SHA-256 of a secret is kept; authentication finds it by (user, hash).
CREATE TABLE app_passwords (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    secret_sha256 TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    UNIQUE (user_id, name)
) STRICT;
CREATE INDEX app_passwords_secret ON app_passwords (user_id, secret_sha256);

-- A calendar shared with another user, mounted in the grantee's home under mount_name. The owner
-- is the calendar's user (never stored twice); purging the calendar or deleting either user
-- removes the share.
CREATE TABLE shares (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    grantee_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access      TEXT    NOT NULL CHECK (access IN ('read', 'read-write')),
    mount_name  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, grantee_id),
    UNIQUE (grantee_id, mount_name)
) STRICT;

-- Something a user should look at (e.g. a mass deletion), until resolved.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id INTEGER REFERENCES calendars (id) ON DELETE CASCADE,
    -- No foreign key: like a revision, an alert keeps naming the device after it is gone.
    device_id   INTEGER,
    kind        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    -- The snapshot that undoes it; NULL once that snapshot is gone.
    snapshot_id INTEGER REFERENCES snapshots (id) ON DELETE SET NULL,
    count       INTEGER NOT NULL,
    -- Kind-specific details, JSON text.
    data        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolution  TEXT
) STRICT;
CREATE INDEX alerts_user ON alerts (user_id, created_at);
CREATE INDEX alerts_calendar ON alerts (calendar_id);
CREATE INDEX alerts_snapshot ON alerts (snapshot_id);

-- Plain WebDAV resources in a user's home. Paths compare bytewise (BINARY collation), so the
-- descendants of `p` are the range ['p/', 'p0') of the (user_id, path) index.
CREATE TABLE dav_files (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path         TEXT    NOT NULL,
    collection   INTEGER NOT NULL,
    content      BLOB    NOT NULL,
    content_type TEXT,
    etag         TEXT    NOT NULL,
    -- Dead properties, JSON object: "{namespace}local" -> XML fragment.
    properties   TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    UNIQUE (user_id, path)
) STRICT;
