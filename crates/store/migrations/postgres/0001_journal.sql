-- The journal store of calvault (PostgreSQL). Plain tables, indexes and cascades only, so that
-- CockroachDB and YugabyteDB run it too. Every table is reached through its user or calendar.
--
-- The three journal tables (revisions, objects, tombstones) carry no foreign key to calendars:
-- PostgreSQL checks a foreign key with one trigger call per row, which costs a third of a
-- thousand-change commit. Every write to them locks the calendar row first (SELECT ... FOR
-- UPDATE) and fails when it is gone; purging a calendar or deleting a user deletes their journal
-- rows explicitly in the same transaction; `check` reports journal rows without a calendar.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT   NOT NULL UNIQUE,
    email         TEXT,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE calendars (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT   NOT NULL,
    display_name    TEXT   NOT NULL,
    color           TEXT,
    description     TEXT,
    -- JSON array of component names, e.g. ["VEVENT","VTODO"].
    components      TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT,
    -- The newest seq written in this calendar.
    position        BIGINT NOT NULL DEFAULT 0,
    -- Sync positions below this one are refused (retention purged tombstones after them).
    oldest_position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX calendars_user ON calendars (user_id, name);
-- A name is unique among a user's live calendars; trashed ones may share it.
CREATE UNIQUE INDEX calendars_live_name ON calendars (user_id, name) WHERE deleted_at IS NULL;

-- The journal: append-only, one row per change. The data of an object version lives here only.
-- A tombstone ('delete') carries the data, name and summary of the version it deleted.
CREATE TABLE revisions (
    calendar_id BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    uid         TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('put', 'delete')),
    at          BIGINT NOT NULL,
    source      TEXT   NOT NULL,
    -- No foreign key: a revision keeps naming the device that wrote it after the device is gone.
    device_id   BIGINT,
    note        TEXT,
    data        TEXT   NOT NULL,
    -- The facts of a put (NULL for a tombstone, except its summary).
    component   TEXT,
    first_start BIGINT,
    last_end    BIGINT,
    fingerprint TEXT,
    summary     TEXT,
    PRIMARY KEY (calendar_id, seq),
    CHECK ((kind = 'put') = (component IS NOT NULL AND fingerprint IS NOT NULL))
);
CREATE INDEX revisions_uid ON revisions (calendar_id, uid, seq);

-- The current state: one row per live UID, pointing at its newest revision (calendar_id, seq).
-- The key leads with calendar_id: a calendar's rows sit together (and pages by id need no
-- other index); the id alone is unique too, it comes from a sequence.
CREATE TABLE objects (
    id          BIGSERIAL,
    calendar_id BIGINT NOT NULL,
    uid         TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    component   TEXT   NOT NULL,
    first_start BIGINT,
    last_end    BIGINT,
    fingerprint TEXT   NOT NULL,
    summary     TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, id),
    CONSTRAINT objects_uid UNIQUE (calendar_id, uid),
    CONSTRAINT objects_name UNIQUE (calendar_id, name)
);
CREATE INDEX objects_fingerprint ON objects (calendar_id, fingerprint);
CREATE INDEX objects_first_start ON objects (calendar_id, first_start);
CREATE INDEX objects_last_end ON objects (calendar_id, last_end);

-- The trash: UIDs whose newest revision is a tombstone. Filled by a delete, emptied when the UID
-- comes back or retention purges the tombstone.
CREATE TABLE tombstones (
    calendar_id BIGINT NOT NULL,
    uid         TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    deleted_at  BIGINT NOT NULL,
    PRIMARY KEY (calendar_id, uid)
);
CREATE INDEX tombstones_deleted_at ON tombstones (calendar_id, deleted_at);

-- A snapshot is a named journal position; it pins, per UID, the newest revision at or before it.
CREATE TABLE snapshots (
    id          BIGSERIAL PRIMARY KEY,
    calendar_id BIGINT  NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    position    BIGINT  NOT NULL,
    label       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    automatic   BOOLEAN NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX snapshots_calendar ON snapshots (calendar_id, position);

CREATE TABLE devices (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    protocol   TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL,
    last_sync  BIGINT,
    -- Protocol-owned state, JSON text (TEXT, not JSONB: the store never looks inside).
    state      TEXT   NOT NULL DEFAULT '{}',
    CONSTRAINT devices_key UNIQUE (user_id, protocol, key)
);
