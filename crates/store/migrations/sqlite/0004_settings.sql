-- Per-user settings, and private subscription (webcal) addresses.

-- One row per user who changed a setting; a missing row means every default.
CREATE TABLE user_settings (
    user_id            INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The calendar the SyncML datastores `calendar` and `tasks` name; NULL: the one named
    -- `calendar`. Purging that calendar clears the choice; a trashed one is skipped when read.
    syncml_calendar_id INTEGER REFERENCES calendars (id) ON DELETE SET NULL
) STRICT;

-- A secret address that serves one calendar as an .ics file without signing in. Only the
-- SHA-256 of the token is kept: the address is shown once, when it is made.
CREATE TABLE webcal_feeds (
    id           INTEGER PRIMARY KEY,
    -- Who made it: the feed reads the calendar with this user's access, checked at every fetch.
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id  INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    token_sha256 TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX webcal_feeds_user ON webcal_feeds (user_id, calendar_id);
