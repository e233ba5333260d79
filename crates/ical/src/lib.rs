//! The iCalendar model of calvault: parse, serialise, group by UID, time spans, fingerprints,
//! and the CalDAV query side (filters, expansion, free-busy, partial retrieval) in `query`.
//!
//! Protocol-free: no I/O, no async, no storage. Objects are kept as the producer wrote them
//! (unfolded content lines in order) so that nothing is lost; the `calcard` crate expands
//! recurrence rules, and time zones come from the objects' VTIMEZONEs, chrono-tz and a table
//! of Windows zone names.

mod component;
mod error;
mod export;
mod fingerprint;
mod line;
mod object;
mod parse;
pub mod query;
mod reader;
mod recur;
mod span;
mod stream;
mod tz;
mod validate;
mod value;
pub mod vcal;
mod zone;

pub use error::{ObjectError, ParseError};
pub use export::CalendarWriter;
pub use fingerprint::Fingerprint;
pub use object::{CalendarObject, ComponentKind, ObjectSummary};
pub use parse::{ParsedFile, parse_file};
pub use span::TimeSpan;
pub use stream::{ObjectStream, stream_file};
pub use tz::windows_to_iana;

/// The PRODID calvault writes where it produces a VCALENDAR itself (RFC 5545 §3.7.3).
pub const PRODID: &str = "-//calvault//calvault//EN";
