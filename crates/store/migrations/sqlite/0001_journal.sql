-- The journal store of calvault (SQLite). Every table is reached through its user or calendar.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    email         TEXT,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE calendars (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    color           TEXT,
    description     TEXT,
    -- JSON array of component names, e.g. ["VEVENT","VTODO"].
    components      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER,
    -- The newest seq written in this calendar.
    position        INTEGER NOT NULL DEFAULT 0,
    -- Sync positions below this one are refused (retention purged tombstones after them).
    oldest_position INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX calendars_user ON calendars (user_id, name);
-- A name is unique among a user's live calendars; trashed ones may share it.
CREATE UNIQUE INDEX calendars_live_name ON calendars (user_id, name) WHERE deleted_at IS NULL;

-- The journal: append-only, one row per change. The data of an object version lives here only.
-- A tombstone ('delete') carries the data, name and summary of the version it deleted.
CREATE TABLE revisions (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    uid         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('put', 'delete')),
    at          INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    -- No foreign key: a revision keeps naming the device that wrote it after the device is gone.
    device_id   INTEGER,
    note        TEXT,
    data        TEXT    NOT NULL,
    -- The facts of a put (NULL for a tombstone, except its summary).
    component   TEXT,
    first_start INTEGER,
    last_end    INTEGER,
    fingerprint TEXT,
    summary     TEXT,
    PRIMARY KEY (calendar_id, seq),
    CHECK ((kind = 'put') = (component IS NOT NULL AND fingerprint IS NOT NULL))
) STRICT;
CREATE INDEX revisions_uid ON revisions (calendar_id, uid, seq);

-- The current state: one row per live UID, pointing at its newest revision (calendar_id, seq).
CREATE TABLE objects (
    id          INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid         TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    component   TEXT    NOT NULL,
    first_start INTEGER,
    last_end    INTEGER,
    fingerprint TEXT    NOT NULL,
    summary     TEXT,
    updated_at  INTEGER NOT NULL,
    UNIQUE (calendar_id, uid),
    UNIQUE (calendar_id, name)
) STRICT;
-- (calendar_id, rowid): pages of a calendar ordered by id.
CREATE INDEX objects_calendar ON objects (calendar_id);
CREATE INDEX objects_fingerprint ON objects (calendar_id, fingerprint);
CREATE INDEX objects_first_start ON objects (calendar_id, first_start);
CREATE INDEX objects_last_end ON objects (calendar_id, last_end);

-- The trash: UIDs whose newest revision is a tombstone. Filled by a delete, emptied when the UID
-- comes back or retention purges the tombstone.
CREATE TABLE tombstones (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid         TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    deleted_at  INTEGER NOT NULL,
    PRIMARY KEY (calendar_id, uid)
) STRICT, WITHOUT ROWID;
CREATE INDEX tombstones_deleted_at ON tombstones (calendar_id, deleted_at);

-- A snapshot is a named journal position; it pins, per UID, the newest revision at or before it.
CREATE TABLE snapshots (
    id          INTEGER PRIMARY KEY,
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    automatic   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX snapshots_calendar ON snapshots (calendar_id, position);

CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    protocol   TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    last_sync  INTEGER,
    -- Protocol-owned state, JSON text.
    state      TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (user_id, protocol, key)
) STRICT;
