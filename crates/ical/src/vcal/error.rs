//! The one error type of the vCalendar 1.0 converter.

use crate::ParseError;

/// Why a vCalendar 1.0 or iCalendar 2.0 input could not be converted. Errors about the input
/// name the (1-based, physical) line where the problem starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VcalError {
    /// No `BEGIN:VCALENDAR` in the input.
    #[error("no BEGIN:VCALENDAR found")]
    NoCalendar,
    /// A line that is not `NAME[;params]:value`, or a misplaced BEGIN/END.
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    /// A component that the input never closes (a truncated file).
    #[error("line {line}: BEGIN:{name} is never closed")]
    Unclosed { line: usize, name: String },
    /// A value the converter must understand (a start, an end, a due date) that it cannot read.
    #[error("line {line}: {property} has a value that cannot be read: {value:?}")]
    BadValue {
        line: usize,
        property: String,
        value: String,
    },
    /// Broken QUOTED-PRINTABLE (vCalendar 1.0 §2.1.3, RFC 2045 §6.7).
    #[error("line {line}: bad QUOTED-PRINTABLE in {property}")]
    QuotedPrintable { line: usize, property: String },
    /// The calendar holds no VEVENT or VTODO.
    #[error("the calendar holds no VEVENT or VTODO")]
    NoComponent,
    /// The iCalendar 2.0 input did not parse.
    #[error("iCalendar input: {0}")]
    ICalendar(#[from] ParseError),
    /// The iCalendar object is of a kind vCalendar 1.0 has no form for (VJOURNAL).
    #[error("{0} has no vCalendar 1.0 form")]
    Unsupported(String),
}
