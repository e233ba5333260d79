-- SyncML / OMA DS state: sessions (so any node, or a restarted one, continues a session and
-- answers a resent message from its cached reply), LUID maps per device and datastore, and the
-- MD5 credential SyncML's auth-md5 needs (it cannot be checked against an argon2 hash).

CREATE TABLE syncml_sessions (
    -- The server's session token, carried in the RespURI.
    id             TEXT    PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id      INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    -- The client's Source LocURI and SessionID: a resent first message has no RespURI yet.
    client_uri     TEXT    NOT NULL,
    client_session TEXT    NOT NULL,
    -- The session state machine, JSON text.
    state          TEXT    NOT NULL,
    -- The last reply, for a resent message (same MsgID).
    last_msg_id    INTEGER,
    reply          BLOB,
    reply_type     TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX syncml_sessions_client ON syncml_sessions (client_uri, client_session);
CREATE INDEX syncml_sessions_expiry ON syncml_sessions (expires_at);

CREATE TABLE syncml_maps (
    device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    datastore TEXT    NOT NULL,
    luid      TEXT    NOT NULL,
    uid       TEXT    NOT NULL,
    PRIMARY KEY (device_id, datastore, luid)
) STRICT;
CREATE INDEX syncml_maps_uid ON syncml_maps (device_id, datastore, uid);

CREATE TABLE syncml_credentials (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- b64(md5(user:password)), the H(user:password) of OMA DS 1.2 §5.4 (auth-md5).
    md5_b64    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
