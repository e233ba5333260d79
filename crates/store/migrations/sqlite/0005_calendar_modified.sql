-- When a calendar last changed: its objects (set with the position by every commit) or its own
-- properties. DAV:getlastmodified of the collection; the creation time until then.
ALTER TABLE calendars ADD COLUMN modified_at INTEGER NOT NULL DEFAULT 0;
UPDATE calendars SET modified_at = created_at;
