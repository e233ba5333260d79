//! The invariants `Store::check` verifies, as portable SQL: each query returns one line of text per
//! problem found (at most 100 per invariant).

use crate::{Calendar, NewShare, Result, Seq, StoreError, UserId};

/// (query, what it verifies).
pub(crate) const INVARIANTS: &[(&str, &str)] = &[
    (
        "SELECT 'object ' || o.id || ' (calendar ' || o.calendar_id || ', UID ' || o.uid || ') points to revision ' \
         || o.seq || CASE WHEN r.seq IS NULL THEN ', which is missing' \
                          WHEN r.uid <> o.uid THEN ', which belongs to UID ' || r.uid \
                          WHEN r.kind <> 'put' THEN ', which is a tombstone' \
                          ELSE ', whose name is ' || r.name || ', not ' || o.name END \
         FROM objects o LEFT JOIN revisions r ON r.calendar_id = o.calendar_id AND r.seq = o.seq \
         WHERE r.seq IS NULL OR r.uid <> o.uid OR r.kind <> 'put' OR r.name <> o.name \
         ORDER BY o.id LIMIT 100",
        "every live object points to a put revision of its UID",
    ),
    (
        "SELECT 'object ' || o.id || ' (calendar ' || o.calendar_id || ', UID ' || o.uid || ') is at revision ' \
         || o.seq || ' but its UID has a newer one' \
         FROM objects o WHERE EXISTS (SELECT 1 FROM revisions r \
             WHERE r.calendar_id = o.calendar_id AND r.uid = o.uid AND r.seq > o.seq) \
         ORDER BY o.id LIMIT 100",
        "every live object is at its UID's newest revision",
    ),
    (
        "SELECT 'calendar ' || c.id || ' is at position ' || c.position || ' but holds revisions ' \
         || (SELECT min(r.seq) FROM revisions r WHERE r.calendar_id = c.id) || ' to ' \
         || (SELECT max(r.seq) FROM revisions r WHERE r.calendar_id = c.id) \
         FROM calendars c \
         WHERE (SELECT max(r.seq) FROM revisions r WHERE r.calendar_id = c.id) > c.position \
            OR (SELECT min(r.seq) FROM revisions r WHERE r.calendar_id = c.id) < 1 \
         ORDER BY c.id LIMIT 100",
        "sequence numbers are positive and no higher than the calendar's position",
    ),
    (
        "SELECT 'calendar ' || c.id || ' has oldest position ' || c.oldest_position || ' and position ' || c.position \
         FROM calendars c WHERE c.oldest_position > c.position OR c.oldest_position < 0 \
         ORDER BY c.id LIMIT 100",
        "the oldest valid position is within the journal",
    ),
    (
        "SELECT 'trash entry of UID ' || t.uid || ' (calendar ' || t.calendar_id || ') points to revision ' || t.seq \
         || CASE WHEN r.seq IS NULL THEN ', which is missing' \
                 WHEN r.kind <> 'delete' THEN ', which is not a tombstone' \
                 ELSE ', which belongs to UID ' || r.uid END \
         FROM tombstones t LEFT JOIN revisions r ON r.calendar_id = t.calendar_id AND r.seq = t.seq \
         WHERE r.seq IS NULL OR r.kind <> 'delete' OR r.uid <> t.uid \
         ORDER BY t.calendar_id, t.uid LIMIT 100",
        "every trash entry points to a tombstone of its UID",
    ),
    (
        "SELECT 'UID ' || t.uid || ' (calendar ' || t.calendar_id || ') is both live and in the trash' \
         FROM tombstones t JOIN objects o ON o.calendar_id = t.calendar_id AND o.uid = t.uid \
         ORDER BY t.calendar_id, t.uid LIMIT 100",
        "a UID is either live or in the trash",
    ),
    (
        "SELECT 'UID ' || r.uid || ' (calendar ' || r.calendar_id || '): its newest revision ' || r.seq \
         || CASE WHEN r.kind = 'put' THEN ' is a put but it has no object' \
                 ELSE ' is a tombstone but it is not in the trash' END \
         FROM revisions r \
         WHERE NOT EXISTS (SELECT 1 FROM revisions n WHERE n.calendar_id = r.calendar_id AND n.uid = r.uid AND n.seq > r.seq) \
           AND ((r.kind = 'put' AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.calendar_id = r.calendar_id AND o.uid = r.uid)) \
             OR (r.kind = 'delete' AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.calendar_id = r.calendar_id AND t.uid = r.uid))) \
         ORDER BY r.calendar_id, r.seq LIMIT 100",
        "the newest revision of every UID is its current state",
    ),
    (
        "SELECT 'the journal of calendar ' || j.calendar_id || ' remains, but the calendar is gone' \
         FROM (SELECT DISTINCT calendar_id FROM revisions \
               UNION SELECT DISTINCT calendar_id FROM objects \
               UNION SELECT DISTINCT calendar_id FROM tombstones) j \
         WHERE NOT EXISTS (SELECT 1 FROM calendars c WHERE c.id = j.calendar_id) \
         ORDER BY j.calendar_id LIMIT 100",
        "journal rows belong to an existing calendar",
    ),
    (
        "SELECT 'snapshot ' || s.id || ' names position ' || s.position || ' of calendar ' || c.id \
         || ', beyond its position ' || c.position \
         FROM snapshots s JOIN calendars c ON c.id = s.calendar_id WHERE s.position > c.position \
         ORDER BY s.id LIMIT 100",
        "snapshots name positions the journal reached",
    ),
    (
        "SELECT 'calendar ' || s.calendar_id || ' is shared with its own owner, user ' || s.grantee_id \
         FROM shares s JOIN calendars c ON c.id = s.calendar_id WHERE c.user_id = s.grantee_id \
         ORDER BY s.calendar_id LIMIT 100",
        "a calendar is shared with others than its owner",
    ),
    (
        "SELECT 'the share of calendar ' || s.calendar_id || ' with user ' || s.grantee_id || ' remains, but ' \
         || CASE WHEN NOT EXISTS (SELECT 1 FROM calendars c WHERE c.id = s.calendar_id) THEN 'the calendar' \
                 ELSE 'the user' END || ' is gone' \
         FROM shares s \
         WHERE NOT EXISTS (SELECT 1 FROM calendars c WHERE c.id = s.calendar_id) \
            OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.grantee_id) \
         ORDER BY s.calendar_id, s.grantee_id LIMIT 100",
        "shares belong to an existing calendar and user",
    ),
    (
        "SELECT o.what || ' ' || o.id || ' of user ' || o.user_id || ' remains, but the user is gone' \
         FROM (SELECT 'app password' AS what, id, user_id FROM app_passwords \
               UNION ALL SELECT 'alert', id, user_id FROM alerts \
               UNION ALL SELECT 'WebDAV resource', id, user_id FROM dav_files) o \
         WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id) \
         ORDER BY o.user_id, o.id LIMIT 100",
        "app passwords, alerts and WebDAV resources belong to an existing user",
    ),
    (
        "SELECT 'alert ' || a.id || ' of user ' || a.user_id || ' names calendar ' || a.calendar_id \
         || CASE WHEN c.id IS NULL THEN ', which is gone' ELSE ', which belongs to user ' || c.user_id END \
         FROM alerts a LEFT JOIN calendars c ON c.id = a.calendar_id \
         WHERE a.calendar_id IS NOT NULL AND (c.id IS NULL OR c.user_id <> a.user_id) \
         ORDER BY a.id LIMIT 100",
        "an alert names a calendar of its own user",
    ),
    (
        // substr/length, not a range: text comparisons follow the database's collation, equality
        // does not.
        "SELECT 'WebDAV resource ' || f.path || ' of user ' || f.user_id || ' lies below ' || p.path \
         || ', which is not a collection' \
         FROM dav_files p JOIN dav_files f ON f.user_id = p.user_id \
             AND substr(f.path, 1, length(p.path) + 1) = p.path || '/' \
         WHERE NOT p.collection \
         ORDER BY f.user_id, f.path LIMIT 100",
        "only collections have members",
    ),
];

/// A snapshot names a position the journal can still reproduce.
pub(crate) fn snapshot_position(calendar: &Calendar, position: Seq) -> Result<()> {
    if position < calendar.oldest_position {
        return Err(StoreError::PositionTooOld {
            calendar: calendar.id,
            position,
            oldest: calendar.oldest_position,
        });
    }
    if position > calendar.position {
        return Err(StoreError::NotFound(format!(
            "position {position} of calendar {} (its newest is {})",
            calendar.id, calendar.position
        )));
    }
    Ok(())
}

/// A calendar is shared with users other than its owner.
pub(crate) fn share_grantee(owner: UserId, share: &NewShare) -> Result<()> {
    if share.grantee_id == owner {
        return Err(StoreError::Conflict(format!(
            "a share of calendar {} with its own owner, user {owner}",
            share.calendar_id
        )));
    }
    Ok(())
}
