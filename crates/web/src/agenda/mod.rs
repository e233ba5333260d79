//! The agenda: occurrences of every calendar in the user's home (own and shared) over a
//! window of days, read by time range from the store and shown as a list, day, week or month.

mod day;
mod list;
mod month;
mod week;

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use calvault_core::HomeCalendar;
use calvault_ical::query::TimeRange;
use calvault_ical::{CalendarObject, ComponentKind};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::ics::{self, Comp, Moment};
use crate::session::Signed;
use crate::time;
use crate::{Shared, WebError};

#[derive(Deserialize, Default)]
pub struct AgendaQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    date: String,
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    let day = time::parse_date(&query.date).unwrap_or_else(|| time::today(signed.tz));
    match query.view.as_str() {
        "day" => day::page(&web, &signed, day).await,
        "week" => week::page(&web, &signed, day).await,
        "month" => month::page(&web, &signed, day).await,
        _ => list::page(&web, &signed, day).await,
    }
}

/// One occurrence of an event, as the views show it.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub href: String,
    pub title: String,
    pub start: i64,
    pub all_day: bool,
    /// Local days it covers, the last included.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub time_label: String,
    pub color: String,
    pub calendar: String,
    pub location: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub title: String,
    pub due: Option<String>,
    pub done: bool,
    pub color: String,
    pub calendar: String,
}

/// Everything of the home in a window of local days.
pub struct Window {
    pub occurrences: Vec<Occurrence>,
    pub tasks: Vec<Task>,
}

impl Window {
    /// The occurrences by local day within [first, last].
    pub fn by_day(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> BTreeMap<NaiveDate, Vec<&Occurrence>> {
        let mut days: BTreeMap<NaiveDate, Vec<&Occurrence>> = BTreeMap::new();
        for occurrence in &self.occurrences {
            let mut day = occurrence.first_day.max(first);
            while day <= occurrence.last_day.min(last) {
                days.entry(day).or_default().push(occurrence);
                day += Duration::days(1);
            }
        }
        days
    }
}

/// A calendar colour safe to put in a style attribute: `#RRGGBB`, else one by id.
pub fn colour_of(calendar: &calvault_core::store::Calendar) -> String {
    const PALETTE: [&str; 6] = [
        "#1a73e8", "#0b8043", "#d50000", "#8e24aa", "#e67c73", "#f09300",
    ];
    calendar
        .color
        .as_deref()
        .and_then(|c| c.get(..7))
        .filter(|c| c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(|| PALETTE[calendar.id.unsigned_abs() as usize % PALETTE.len()].to_string())
}

pub fn calendar_label(entry: &HomeCalendar) -> String {
    match &entry.shared {
        Some(from) => format!("{} ({})", entry.calendar.display_name, from.owner),
        None => entry.calendar.display_name.clone(),
    }
}

/// Reads the window [first, last] (local days in the visitor's zone) from every calendar of
/// the home: a time-range query per calendar, never the whole calendar.
pub async fn window(
    web: &Shared,
    signed: &Signed,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Window, WebError> {
    let tz = signed.tz;
    let start = time::day_start(tz, first);
    let end = time::day_start(tz, last + Duration::days(1));
    // All-day events are floating dates: a day's margin catches them in any zone.
    let range = TimeRange {
        start: Some(start - 86_400),
        end: Some(end + 86_400),
    };
    let home = web
        .vault
        .home_calendars(signed.actor(), &signed.user)
        .await?;
    let mut window = Window {
        occurrences: Vec::new(),
        tasks: Vec::new(),
    };
    for entry in &home {
        let calendar = &entry.calendar;
        let colour = colour_of(calendar);
        let label = calendar_label(entry);
        let objects = web
            .vault
            .store()
            .objects_in_range(calendar.id, start - 86_400, end + 86_400)
            .await
            .map_err(|e| WebError::from(calvault_core::CoreError::from(e)))?;
        for stored in objects {
            // An object the model cannot read is skipped here; CalDAV still serves it as it is.
            let Ok(object) = CalendarObject::parse(&stored.data) else {
                continue;
            };
            let href_base = format!(
                "/events/{}/{}",
                calendar.id,
                time::url_encode(&stored.meta.name)
            );
            if object.kind() == ComponentKind::Todo {
                if let Some(task) = task_of(&stored.data, &colour, &label, tz) {
                    window.tasks.push(task);
                }
                continue;
            }
            if object.kind() != ComponentKind::Event {
                continue;
            }
            let Some(expanded) = ics::parse(&object.expand(&range)) else {
                continue;
            };
            for instance in expanded.children().filter(|c| c.name == "VEVENT") {
                if let Some(occurrence) = occurrence_of(instance, &href_base, &colour, &label, tz)
                    && occurrence.last_day >= first
                    && occurrence.first_day <= last
                {
                    window.occurrences.push(occurrence);
                }
            }
        }
    }
    window.occurrences.sort_by(|a, b| {
        (a.first_day, !a.all_day, a.start).cmp(&(b.first_day, !b.all_day, b.start))
    });
    window
        .tasks
        .sort_by(|a, b| (a.done, &a.due).cmp(&(b.done, &b.due)));
    Ok(window)
}

/// The key of an occurrence in URLs: its RECURRENCE-ID as an instant (dates read in UTC,
/// which is how the expansion writes them).
pub fn recurrence_key(instance: &Comp) -> Option<i64> {
    instance
        .prop("RECURRENCE-ID")
        .and_then(Moment::of)
        .map(|m| m.instant(Tz::UTC))
}

fn occurrence_of(
    instance: &Comp,
    href_base: &str,
    colour: &str,
    calendar: &str,
    tz: Tz,
) -> Option<Occurrence> {
    let start = Moment::of(instance.prop("DTSTART")?)?;
    let end = instance.prop("DTEND").and_then(Moment::of).or_else(|| {
        let seconds = ics::duration_seconds(&instance.prop("DURATION")?.value)?;
        Some(match start {
            Moment::Date(day) => Moment::Date(day + Duration::seconds(seconds)),
            other => Moment::Utc(other.instant(tz) + seconds),
        })
    });
    let all_day = start.is_date();
    let (first_day, last_day, time_label) = if all_day {
        let first = start.local(tz).date();
        // DTEND of a date is exclusive (RFC 5545 §3.6.1).
        let last = end
            .map(|e| e.local(tz).date() - Duration::days(1))
            .unwrap_or(first)
            .max(first);
        (first, last, String::new())
    } else {
        let from = start.local(tz);
        let until = end.map(|e| e.local(tz)).unwrap_or(from);
        // An event ending at midnight does not cover the next day.
        let last = (until - Duration::seconds(1)).date().max(from.date());
        (
            from.date(),
            last,
            format!("{}–{}", time::hm(from), time::hm(until)),
        )
    };
    let href = match recurrence_key(instance) {
        Some(at) => format!("{href_base}?at={at}"),
        None => href_base.to_string(),
    };
    Some(Occurrence {
        href,
        title: instance.text("SUMMARY").unwrap_or_default(),
        start: start.instant(tz),
        all_day,
        first_day,
        last_day,
        time_label,
        color: colour.to_string(),
        calendar: calendar.to_string(),
        location: instance.text("LOCATION"),
    })
}

fn task_of(data: &str, colour: &str, calendar: &str, tz: Tz) -> Option<Task> {
    let calendar_tree = ics::parse(data)?;
    let todo = calendar_tree.children().find(|c| c.name == "VTODO")?;
    let due = todo.prop("DUE").and_then(Moment::of).map(|due| match due {
        Moment::Date(day) => day.format("%Y-%m-%d").to_string(),
        other => other.local(tz).format("%Y-%m-%d %H:%M").to_string(),
    });
    let done = todo
        .prop("STATUS")
        .is_some_and(|s| s.value.trim().eq_ignore_ascii_case("COMPLETED"))
        || todo.prop("COMPLETED").is_some();
    Some(Task {
        title: todo.text("SUMMARY").unwrap_or_default(),
        due,
        done,
        color: colour.to_string(),
        calendar: calendar.to_string(),
    })
}

/// The links above every view: the four views, previous, today, next.
pub struct Nav {
    pub title: String,
    pub date: String,
    pub previous: String,
    pub next: String,
    pub today: String,
    pub views: Vec<(String, &'static str, bool)>,
}

impl Nav {
    pub fn new(
        signed: &Signed,
        view: &'static str,
        title: String,
        day: NaiveDate,
        previous: NaiveDate,
        next: NaiveDate,
    ) -> Nav {
        let t = signed.lang.text();
        let href =
            |v: &str, d: NaiveDate| format!("/agenda?view={v}&date={}", d.format("%Y-%m-%d"));
        Nav {
            title,
            date: day.format("%Y-%m-%d").to_string(),
            previous: href(view, previous),
            next: href(view, next),
            today: href(view, time::today(signed.tz)),
            views: [
                ("list", t.view_list),
                ("day", t.view_day),
                ("week", t.view_week),
                ("month", t.view_month),
            ]
            .into_iter()
            .map(|(v, label)| (href(v, day), label, v == view))
            .collect(),
        }
    }
}

/// One day with its occurrences, for the list, day and week views.
pub struct DayBlock {
    pub label: String,
    pub date: String,
    pub is_today: bool,
    pub occurrences: Vec<Occurrence>,
}

pub fn day_blocks(
    signed: &Signed,
    window: &Window,
    first: NaiveDate,
    last: NaiveDate,
    keep_empty: bool,
) -> Vec<DayBlock> {
    let t = signed.lang.text();
    let today = time::today(signed.tz);
    let mut by_day = window.by_day(first, last);
    let mut blocks = Vec::new();
    let mut day = first;
    while day <= last {
        let occurrences: Vec<Occurrence> = by_day
            .remove(&day)
            .unwrap_or_default()
            .into_iter()
            .cloned()
            .collect();
        if keep_empty || !occurrences.is_empty() {
            blocks.push(DayBlock {
                label: time::long_date(t, day),
                date: day.format("%Y-%m-%d").to_string(),
                is_today: day == today,
                occurrences,
            });
        }
        day += Duration::days(1);
    }
    blocks
}
