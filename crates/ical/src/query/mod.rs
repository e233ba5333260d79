//! The query side of the model for CalDAV (RFC 4791): filters, time ranges, expansion,
//! free-busy periods, partial retrieval and the calendar object resource rules.
//!
//! Protocol-free: the CalDAV crate converts its XML filter types into these.

mod busy;
mod expand;
mod expanded;
mod filter;
mod instances;
mod resource;
mod select;
mod text;
mod time_range;

pub use expanded::{ExpandedInstance, InstanceTime};

/// Half-open [start, end) in unix seconds UTC; None = unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl TimeRange {
    /// RFC 4791 §9.9: an instant is in the range when `range.start <= at < range.end`.
    pub(crate) fn contains(&self, at: i64) -> bool {
        self.start_le(at) && self.end_gt(at)
    }

    // The comparisons of the RFC 4791 §9.9 tables, an absent bound being infinite.
    pub(crate) fn start_le(&self, at: i64) -> bool {
        self.start.is_none_or(|s| s <= at)
    }

    pub(crate) fn start_lt(&self, at: i64) -> bool {
        self.start.is_none_or(|s| s < at)
    }

    pub(crate) fn end_gt(&self, at: i64) -> bool {
        self.end.is_none_or(|e| e > at)
    }

    pub(crate) fn end_ge(&self, at: i64) -> bool {
        self.end.is_none_or(|e| e >= at)
    }
}

/// RFC 4791 §9.7.5 collations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collation {
    /// `i;ascii-casemap` (RFC 4790 §9.2): ASCII letters compared case-insensitively.
    AsciiCasemap,
    /// `i;octet` (RFC 4790 §9.3): exact octets.
    Octet,
}

/// RFC 4791 §9.7.5: a substring test, perhaps negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    pub value: String,
    pub collation: Collation,
    pub negate: bool,
}

/// RFC 4791 §9.7.1 `comp-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompFilter {
    pub name: String,
    pub test: CompTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompTest {
    IsNotDefined,
    Matches {
        time_range: Option<TimeRange>,
        props: Vec<PropFilter>,
        comps: Vec<CompFilter>,
    },
}

/// RFC 4791 §9.7.2 `prop-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropFilter {
    pub name: String,
    pub test: PropTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropTest {
    IsNotDefined,
    Matches {
        time_range: Option<TimeRange>,
        text: Option<TextMatch>,
        params: Vec<ParamFilter>,
    },
}

/// RFC 4791 §9.7.3 `param-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamFilter {
    pub name: String,
    pub test: ParamTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamTest {
    IsNotDefined,
    Matches(Option<TextMatch>),
}

/// RFC 4791 §9.6.1 calendar-data comp/prop selection. `props: None` = all properties,
/// `comps: None` = all sub-components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompSelector {
    pub name: String,
    pub props: Option<Vec<PropSelector>>,
    pub comps: Option<Vec<CompSelector>>,
}

/// RFC 4791 §9.6.4 `prop`: `novalue` asks for the property without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropSelector {
    pub name: String,
    pub novalue: bool,
}

/// RFC 5545 §3.2.9 FBTYPE values a busy period can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyKind {
    Busy,
    BusyTentative,
    BusyUnavailable,
}

/// One busy period in unix seconds UTC, [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyPeriod {
    pub start: i64,
    pub end: i64,
    pub kind: BusyKind,
}

/// Why a resource is not a valid CalDAV calendar object resource (RFC 4791 §4.1, §5.3.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceViolation {
    /// Components of more than one type (VEVENT and VTODO together).
    MixedComponents,
    /// A METHOD property (iTIP messages are not stored as resources).
    HasMethod,
    /// A component without UID, or components with different UIDs.
    UidProblem(String),
}

#[cfg(test)]
mod tests;
