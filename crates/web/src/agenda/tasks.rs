//! The task list: every task of the home, open ones first, by due date. A task belongs to no
//! window of days (one due next year, or with no date at all, is still to do), so tasks are
//! read by component, not by time range.

use calvault_core::HomeCalendar;
use calvault_core::store::{ShareAccess, StoredObject};
use chrono_tz::Tz;

use super::{calendar_label, colour_of};
use crate::ics::{self, Moment};
use crate::session::Signed;
use crate::{Shared, WebError};

#[derive(Debug, Clone)]
pub struct Task {
    /// The task's edit page; its done toggle posts to `{href}/done`.
    pub href: String,
    /// Whether the user may change it (own calendar or read-write share).
    pub writable: bool,
    pub title: String,
    pub due: Option<String>,
    /// DUE as an instant (dates from their start in the visitor's zone), for sorting.
    pub due_at: Option<i64>,
    pub done: bool,
    pub color: String,
    pub calendar: String,
}

/// Objects read per store call.
const PAGE: u32 = 1000;

/// Every task of every calendar of the home: open ones first, each group by due date, those
/// without one last, then by title.
pub async fn tasks(web: &Shared, signed: &Signed) -> Result<Vec<Task>, WebError> {
    let home = web
        .vault
        .home_calendars(signed.actor(), &signed.user)
        .await?;
    let mut tasks = Vec::new();
    for entry in &home {
        for stored in todos(web, entry.calendar.id).await? {
            if let Some(task) = task_of(entry, &stored, signed.tz) {
                tasks.push(task);
            }
        }
    }
    sort(&mut tasks);
    Ok(tasks)
}

fn sort(tasks: &mut [Task]) {
    tasks.sort_by(|a, b| {
        (a.done, a.due_at.is_none(), a.due_at, &a.title).cmp(&(
            b.done,
            b.due_at.is_none(),
            b.due_at,
            &b.title,
        ))
    });
}

/// The VTODO objects of a calendar: their names from the listing (which carries each
/// object's component), then their texts.
async fn todos(web: &Shared, calendar: i64) -> Result<Vec<StoredObject>, WebError> {
    let store = web.vault.store();
    let failed = |e| WebError::from(calvault_core::CoreError::from(e));
    let mut names = Vec::new();
    let mut after = i64::MIN;
    loop {
        let page = store
            .object_metas_page(calendar, after, PAGE)
            .await
            .map_err(failed)?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let full = page.len() == PAGE as usize;
        names.extend(
            page.into_iter()
                .filter(|meta| meta.facts.component == "VTODO")
                .map(|meta| meta.name),
        );
        if !full {
            break;
        }
    }
    let mut objects = Vec::with_capacity(names.len());
    for chunk in names.chunks(PAGE as usize) {
        objects.extend(
            store
                .objects_by_names(calendar, chunk)
                .await
                .map_err(failed)?,
        );
    }
    Ok(objects)
}

fn task_of(entry: &HomeCalendar, stored: &StoredObject, tz: Tz) -> Option<Task> {
    let calendar_tree = ics::parse(&stored.data)?;
    let todo = calendar_tree.children().find(|c| c.name == "VTODO")?;
    let due = todo.prop("DUE").and_then(Moment::of);
    // RFC 5545 §3.8.1.11 STATUS:COMPLETED, or a COMPLETED time (§3.8.2.1).
    let done = todo
        .prop("STATUS")
        .is_some_and(|s| s.value.trim().eq_ignore_ascii_case("COMPLETED"))
        || todo.prop("COMPLETED").is_some();
    Some(Task {
        href: crate::task_form::href(entry.calendar.id, &stored.meta.name),
        writable: entry
            .shared
            .as_ref()
            .is_none_or(|s| s.access == ShareAccess::ReadWrite),
        title: todo.text("SUMMARY").unwrap_or_default(),
        due: due.map(|due| match due {
            Moment::Date(day) => day.format("%Y-%m-%d").to_string(),
            other => other.local(tz).format("%Y-%m-%d %H:%M").to_string(),
        }),
        due_at: due.map(|due| due.instant(tz)),
        done,
        color: colour_of(&entry.calendar),
        calendar: calendar_label(entry),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(title: &str, due_at: Option<i64>, done: bool) -> Task {
        Task {
            href: String::new(),
            writable: true,
            title: title.to_string(),
            due: None,
            due_at,
            done,
            color: String::new(),
            calendar: String::new(),
        }
    }

    #[test]
    fn open_tasks_by_due_date_then_undated_then_done() {
        let mut tasks = vec![
            task("done early", Some(1), true),
            task("no date", None, false),
            task("later", Some(2_000_000_000), false),
            task("sooner", Some(1_000_000_000), false),
            task("done undated", None, true),
        ];
        sort(&mut tasks);
        let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            ["sooner", "later", "no date", "done early", "done undated"]
        );
    }
}
