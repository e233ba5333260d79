-- What the CalDAV server needs beside the journal: calendar time zones and dead properties, app
-- passwords, shares, alerts, the mass-deletion guard's index and plain WebDAV files. Plain tables,
-- indexes and cascades, as in 0001; these tables are not hot, so they keep their foreign keys.

ALTER TABLE calendars ADD COLUMN timezone TEXT;
-- Dead properties (PROPPATCH), JSON object: "{namespace}local" -> XML fragment.
ALTER TABLE calendars ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- The mass-deletion guard counts a device's recent tombstones in a calendar: this index holds
-- tombstones only (puts never touch it) and covers the query (seq is in it).
CREATE INDEX revisions_deletes ON revisions (calendar_id, device_id, at, seq) WHERE kind = 'delete';

-- Only the SHA-256 of a secret is kept; authentication finds it by (user, hash).
CREATE TABLE app_passwords (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT   NOT NULL,
    secret_sha256 TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    CONSTRAINT app_passwords_name UNIQUE (user_id, name)
);
CREATE INDEX app_passwords_secret ON app_passwords (user_id, secret_sha256);

-- A calendar shared with another user, mounted in the grantee's home under mount_name. The owner
-- is the calendar's user (never stored twice); purging the calendar or deleting either user
-- removes the share.
CREATE TABLE shares (
    calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    grantee_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access      TEXT   NOT NULL CHECK (access IN ('read', 'read-write')),
    mount_name  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, grantee_id),
    CONSTRAINT shares_mount_name UNIQUE (grantee_id, mount_name)
);

-- Something a user should look at (e.g. a mass deletion), until resolved.
CREATE TABLE alerts (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id BIGINT REFERENCES calendars (id) ON DELETE CASCADE,
    -- No foreign key: like a revision, an alert keeps naming the device after it is gone.
    device_id   BIGINT,
    kind        TEXT   NOT NULL,
    message     TEXT   NOT NULL,
    -- The snapshot that undoes it; NULL once that snapshot is gone.
    snapshot_id BIGINT REFERENCES snapshots (id) ON DELETE SET NULL,
    count       BIGINT NOT NULL,
    -- Kind-specific details, JSON text (TEXT, not JSONB: the store never looks inside).
    data        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution  TEXT
);
CREATE INDEX alerts_user ON alerts (user_id, created_at);
CREATE INDEX alerts_calendar ON alerts (calendar_id);
CREATE INDEX alerts_snapshot ON alerts (snapshot_id);

-- Plain WebDAV resources in a user's home. `path_key` is the path's UTF-8 bytes: BYTEA compares
-- bytewise on PostgreSQL, CockroachDB and YugabyteDB alike, whatever the database's collation,
-- so the descendants of `p` are the range ['p/', 'p0') of the (user_id, path_key) index. (A
-- `COLLATE "C"` column would do on PostgreSQL, but CockroachDB cannot create one.)
CREATE TABLE dav_files (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path         TEXT    NOT NULL,
    path_key     BYTEA   NOT NULL,
    collection   BOOLEAN NOT NULL,
    content      BYTEA   NOT NULL,
    content_type TEXT,
    etag         TEXT    NOT NULL,
    -- Dead properties, JSON object: "{namespace}local" -> XML fragment.
    properties   TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL,
    modified_at  BIGINT  NOT NULL,
    CONSTRAINT dav_files_path UNIQUE (user_id, path_key)
);
