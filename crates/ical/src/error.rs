//! Errors of the iCalendar model.

/// A whole input that could not be read as iCalendar at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input holds no VCALENDAR (for example a vCard, or an empty file).
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("no calendar object found in the input")]
    NoCalendar,
    #[error("the resource holds objects with {count} different UIDs; a resource holds one")]
    SeveralUids { count: usize },
    #[error("the resource holds no VEVENT, VTODO or VJOURNAL")]
    NoComponent,
}

/// One object of a file that could not be taken, with the line where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ObjectError {
    pub line: usize,
    /// The object's UID when it was readable.
    pub uid: Option<String>,
    pub message: String,
}
