//! vCalendar 1.0 to and from iCalendar 2.0.
