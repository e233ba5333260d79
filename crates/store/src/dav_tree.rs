//! The tree of plain WebDAV resources: what a path may look like, its ancestors, and the key range
//! that holds everything below it.
//!
//! Both backends compare paths bytewise (SQLite's BINARY collation on TEXT, PostgreSQL's BYTEA
//! `path_key`), so the paths strictly below `p` are exactly the range ['p/', 'p0'): '0' is the
//! byte after '/', so `a/b` is below `a` but `ab` and `a.b` are not. LIKE is never used: `%` and
//! `_` in names are plain characters.

use crate::{Result, StoreError};

/// Fails unless `path` is one or more non-empty segments joined by `/` (no leading or trailing
/// slash).
pub(crate) fn validate(path: &str) -> Result<()> {
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Err(StoreError::Conflict(format!(
            "WebDAV path {path:?}: segments joined by '/', none empty"
        )));
    }
    Ok(())
}

/// The paths of the collections that hold `path`, outermost first: `a/b/c` → `a`, `a/b`.
pub(crate) fn ancestors(path: &str) -> Vec<&str> {
    path.match_indices('/').map(|(i, _)| &path[..i]).collect()
}

/// The range [low, high) of the paths strictly below `path` (which is not empty).
pub(crate) fn below(path: &str) -> (String, String) {
    (format!("{path}/"), format!("{path}0"))
}

/// A resource cannot lie below one that is not a collection (RFC 4918 §9.7.1: 409 Conflict).
pub(crate) fn below_a_file(path: &str, file: &str) -> StoreError {
    StoreError::Conflict(format!(
        "WebDAV path {path:?}: {file:?} is not a collection"
    ))
}

/// A collection with members cannot become a plain resource: its members would be orphaned.
pub(crate) fn has_members(path: &str, member: &str) -> StoreError {
    StoreError::Conflict(format!(
        "WebDAV path {path:?}: it is a collection holding {member:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_segments_without_empty_ones() {
        for good in ["a", "a/b", "litmus/frobble", "100%_done/x y"] {
            assert!(validate(good).is_ok(), "{good}");
        }
        for bad in ["", "/a", "a/", "a//b", "/"] {
            assert!(validate(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ancestors_are_listed_outermost_first() {
        assert_eq!(ancestors("a"), Vec::<&str>::new());
        assert_eq!(ancestors("a/b/c"), ["a", "a/b"]);
    }

    #[test]
    fn the_range_below_holds_descendants_only() {
        let (low, high) = below("a");
        let inside = |p: &str| p >= low.as_str() && p < high.as_str();
        assert!(inside("a/b"));
        assert!(inside("a/b/c"));
        assert!(inside("a/"));
        assert!(!inside("a"));
        assert!(!inside("ab"));
        assert!(!inside("a.b"));
        assert!(!inside("a0"));
        assert!(!inside("b"));
    }
}
