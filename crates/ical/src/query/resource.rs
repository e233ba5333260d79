//! RFC 4791 §4.1: what one calendar object resource may hold.

use crate::CalendarObject;
use crate::query::ResourceViolation;

impl CalendarObject {
    /// Checks the RFC 4791 §4.1 rules for one calendar object resource.
    pub fn check_caldav_resource(&self) -> Result<(), ResourceViolation> {
        // RFC 4791 §4.1: "MUST NOT specify the iCalendar METHOD property".
        if self.origin().method {
            return Err(ResourceViolation::HasMethod);
        }
        let components = self.components();
        // "a single type of calendaring component (VEVENT, VTODO, VJOURNAL)", time zones
        // aside (kept apart from the components here).
        if let Some(first) = components.first()
            && components.iter().any(|c| !c.is(&first.name))
        {
            return Err(ResourceViolation::MixedComponents);
        }
        if self.origin().derived_uid {
            return Err(ResourceViolation::UidProblem(
                "a component has no UID".to_string(),
            ));
        }
        // "all components ... MUST have the same UID".
        for component in components {
            match component.value("UID") {
                None => {
                    return Err(ResourceViolation::UidProblem(format!(
                        "a {} has no UID",
                        component.name
                    )));
                }
                Some(uid) if uid != self.uid() => {
                    return Err(ResourceViolation::UidProblem(format!(
                        "UIDs {:?} and {:?} in one resource",
                        self.uid(),
                        uid
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
