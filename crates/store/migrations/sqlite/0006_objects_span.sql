-- A time-range read (the agenda's month, calendar-query) tests both ends of each object's
-- span: with both in one index, the objects that do not meet the range are rejected from the
-- index alone, without a look-up of their row. It also serves every read by last_end.
CREATE INDEX objects_span ON objects (calendar_id, last_end, first_start);
DROP INDEX objects_last_end;
