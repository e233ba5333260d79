//! A component (`BEGIN:X` … `END:X`) with its properties and sub-components in input order.

use crate::line::{ContentLine, write_folded};

/// One entry of a component, in the order the producer wrote it (RFC 5545 puts properties
/// first, but some producers interleave; keeping the order keeps the text lossless).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    Property(ContentLine),
    Component(Component),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Component {
    /// The name as written after `BEGIN:` (case kept).
    pub(crate) name: String,
    pub(crate) items: Vec<Item>,
}

impl Component {
    pub(crate) fn new(name: &str) -> Component {
        Component {
            name: name.to_string(),
            items: Vec::with_capacity(16),
        }
    }

    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    pub(crate) fn properties(&self) -> impl Iterator<Item = &ContentLine> {
        self.items.iter().filter_map(|item| match item {
            Item::Property(line) => Some(line),
            Item::Component(_) => None,
        })
    }

    pub(crate) fn children(&self) -> impl Iterator<Item = &Component> {
        self.items.iter().filter_map(|item| match item {
            Item::Component(component) => Some(component),
            Item::Property(_) => None,
        })
    }

    /// The first property called `name`.
    pub(crate) fn property(&self, name: &str) -> Option<&ContentLine> {
        self.properties().find(|line| line.is(name))
    }

    /// The trimmed value of the first property called `name`, if not empty.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.property(name)
            .map(|line| line.value().trim())
            .filter(|value| !value.is_empty())
    }

    pub(crate) fn last_property_mut(&mut self) -> Option<&mut ContentLine> {
        match self.items.last_mut() {
            Some(Item::Property(line)) => Some(line),
            _ => None,
        }
    }

    /// Calls `f` for every property of this component and its sub-components.
    pub(crate) fn walk_properties<'a>(&'a self, f: &mut impl FnMut(&'a ContentLine)) {
        for item in &self.items {
            match item {
                Item::Property(line) => f(line),
                Item::Component(child) => child.walk_properties(f),
            }
        }
    }

    /// Properties plus components, this one included.
    pub(crate) fn size(&self) -> usize {
        1 + self
            .items
            .iter()
            .map(|item| match item {
                Item::Property(_) => 1,
                Item::Component(child) => child.size(),
            })
            .sum::<usize>()
    }

    /// Sets the first property called `name` to `NAME:value`, or puts one first.
    pub(crate) fn set_property(&mut self, name: &str, value: &str) {
        let line = ContentLine::new(name, value);
        for item in &mut self.items {
            if let Item::Property(existing) = item
                && existing.is(name)
            {
                *existing = line;
                return;
            }
        }
        self.items.insert(0, Item::Property(line));
    }

    pub(crate) fn write(&self, out: &mut String) {
        out.push_str("BEGIN:");
        out.push_str(&self.name);
        out.push_str("\r\n");
        for item in &self.items {
            match item {
                Item::Property(line) => write_folded(out, line.text()),
                Item::Component(child) => child.write(out),
            }
        }
        out.push_str("END:");
        out.push_str(&self.name);
        out.push_str("\r\n");
    }

    /// Rough size of the written text, to size the output buffer once.
    pub(crate) fn text_len(&self) -> usize {
        2 * self.name.len()
            + 16
            + self
                .items
                .iter()
                .map(|item| match item {
                    Item::Property(line) => line.text().len() + line.text().len() / 74 * 3 + 2,
                    Item::Component(child) => child.text_len(),
                })
                .sum::<usize>()
    }
}
