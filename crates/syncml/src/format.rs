//! Item formats on the wire: iCalendar 2.0 (`text/calendar`) and vCalendar 1.0
//! (`text/x-vcalendar`), converted to and from the iCalendar the store keeps.

use calvault_ical::vcal::{self, VcalOptions};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SyncmlError};

pub const TEXT_CALENDAR: &str = "text/calendar";
pub const TEXT_X_VCALENDAR: &str = "text/x-vcalendar";

/// The format a datastore's items travel in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemFormat {
    #[default]
    ICalendar,
    VCalendar,
}

impl ItemFormat {
    /// From a Meta Type or a DevInf CTType; None for a type we do not take.
    pub fn from_mime(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case(TEXT_CALENDAR) {
            Some(ItemFormat::ICalendar)
        } else if essence.eq_ignore_ascii_case(TEXT_X_VCALENDAR) {
            Some(ItemFormat::VCalendar)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ItemFormat::ICalendar => TEXT_CALENDAR,
            ItemFormat::VCalendar => TEXT_X_VCALENDAR,
        }
    }

    /// The server's stored iCalendar text as this format.
    pub fn encode(self, ics: &str) -> Result<String> {
        match self {
            ItemFormat::ICalendar => Ok(ics.to_string()),
            ItemFormat::VCalendar => Ok(vcal::from_icalendar(ics, &VcalOptions::default())?),
        }
    }
}

/// An item's data as iCalendar 2.0. The content decides (a device may announce one type and
/// send the other); an announced type other than the two calendar types is refused.
pub fn decode_item(data: &str, announced: Option<&str>) -> Result<String> {
    if let Some(mime) = announced
        && ItemFormat::from_mime(mime).is_none()
    {
        return Err(SyncmlError::ItemType(mime.to_string()));
    }
    if vcal::is_vcalendar(data) {
        return Ok(vcal::to_icalendar(data)?);
    }
    Ok(data.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_meta() {
        assert_eq!(
            ItemFormat::from_mime("text/x-vcalendar"),
            Some(ItemFormat::VCalendar)
        );
        assert_eq!(
            ItemFormat::from_mime("TEXT/CALENDAR; charset=utf-8"),
            Some(ItemFormat::ICalendar)
        );
        assert_eq!(ItemFormat::from_mime("text/x-vcard"), None);
        assert!(matches!(
            decode_item("BEGIN:VCARD", Some("text/x-vcard")),
            Err(SyncmlError::ItemType(_))
        ));
    }
}
