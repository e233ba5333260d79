//! RFC 4791 §9.6.1 partial retrieval: only the selected components and properties.

use crate::CalendarObject;
use crate::component::{Component, Item};
use crate::line::{ContentLine, write_folded};
use crate::query::{CompSelector, PropSelector};

impl CalendarObject {
    /// RFC 4791 §9.6.1: the object as a VCALENDAR text with only the selected components and
    /// properties (`novalue` properties written with an empty value). The root selector is
    /// VCALENDAR.
    pub fn select(&self, selector: &CompSelector) -> String {
        let mut out = String::from("BEGIN:VCALENDAR\r\n");
        if selector.name.eq_ignore_ascii_case("VCALENDAR") {
            for line in self.header() {
                write_property(&mut out, line, selector.props.as_deref());
            }
            let children = self
                .timezones()
                .iter()
                .map(|t| t.as_ref())
                .chain(self.components());
            for child in children {
                write_child(&mut out, child, selector.comps.as_deref());
            }
        }
        out.push_str("END:VCALENDAR\r\n");
        out
    }
}

/// A property if selected (`None` selects all).
fn write_property(out: &mut String, line: &ContentLine, props: Option<&[PropSelector]>) {
    let Some(props) = props else {
        write_folded(out, line.text());
        return;
    };
    let Some(selected) = props.iter().find(|p| line.is(&p.name)) else {
        return;
    };
    if selected.novalue {
        // RFC 4791 §9.6.4: the property without its value.
        write_folded(out, line.rewritten(&[], "", "").text());
    } else {
        write_folded(out, line.text());
    }
}

/// A sub-component if selected (`None` selects all, whole).
fn write_child(out: &mut String, component: &Component, comps: Option<&[CompSelector]>) {
    let Some(comps) = comps else {
        component.write(out);
        return;
    };
    if let Some(selector) = comps.iter().find(|c| component.is(&c.name)) {
        write_selected(out, component, selector);
    }
}

fn write_selected(out: &mut String, component: &Component, selector: &CompSelector) {
    out.push_str("BEGIN:");
    out.push_str(&component.name);
    out.push_str("\r\n");
    for item in &component.items {
        match item {
            Item::Property(line) => write_property(out, line, selector.props.as_deref()),
            Item::Component(child) => write_child(out, child, selector.comps.as_deref()),
        }
    }
    out.push_str("END:");
    out.push_str(&component.name);
    out.push_str("\r\n");
}
