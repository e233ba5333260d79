//! The agenda: occurrences of every calendar in the user's home (own and shared) over a
//! window of days, read by time range from the store and shown as a list, day, week or month.
//! What a calendar holds in a window is kept while the calendar does not change (`cache`);
//! tasks belong to no window and are read on their own (`tasks`).

mod cache;
mod day;
mod list;
mod month;
mod tasks;
mod week;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use calvault_core::HomeCalendar;
use calvault_core::store::ObjectRef;
use calvault_ical::query::{ExpandedInstance, InstanceTime, TimeRange};
use calvault_ical::{CalendarObject, ComponentKind};
use chrono::{Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::ics::{self, Comp, Moment};
use crate::session::Signed;
use crate::time;
use crate::{Shared, WebError};
pub use cache::Cache;
pub use tasks::{Task, tasks};

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

/// One occurrence of an event, as the views show it. A month holds thousands, of which a page
/// shows a few: what is shared (the event's page, title and place, the calendar's colour and
/// name) is shared, and the address and hours are written only when shown.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The event's page, shared by the occurrences of a series.
    pub page: Arc<str>,
    /// The occurrence's RECURRENCE-ID as an instant (`recurrence_key`), for a series.
    pub at: Option<i64>,
    pub title: Arc<str>,
    pub start: i64,
    pub all_day: bool,
    /// Local days it covers, the last included.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Local start and end times (None all day).
    pub hours: Option<(NaiveTime, NaiveTime)>,
    /// Shared by the occurrences of a calendar.
    pub color: Arc<str>,
    pub calendar: Arc<str>,
    pub location: Option<Arc<str>>,
    /// The object's UID: what a change to the object replaces (`cache`).
    pub uid: Arc<str>,
}

impl Occurrence {
    pub fn href(&self) -> String {
        match self.at {
            Some(at) => format!("{}?at={at}", self.page),
            None => self.page.to_string(),
        }
    }

    /// "09:00–10:30"; empty all day.
    pub fn time_label(&self) -> String {
        match self.hours {
            Some((from, until)) => format!("{}–{}", time::hm_of(from), time::hm_of(until)),
            None => String::new(),
        }
    }
}

/// Everything of the home in a window of local days.
pub struct Window {
    pub occurrences: Vec<Occurrence>,
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
    let (from, until) = (start - 86_400, end + 86_400);
    let range = TimeRange {
        start: Some(from),
        end: Some(until),
    };
    let home = web
        .vault
        .home_calendars(signed.actor(), &signed.user)
        .await?;
    let mut window = Window {
        occurrences: Vec::new(),
    };
    for entry in &home {
        let calendar = &entry.calendar;
        let key = cache::Key {
            calendar: calendar.id,
            position: calendar.position,
            tz,
            first,
            last,
            colour: colour_of(calendar),
            label: calendar_label(entry),
        };
        let occurrences = match web.agenda.get(&key) {
            Some(occurrences) => occurrences,
            None => {
                let reading = Arc::new(Reading {
                    series: web.agenda.series.clone(),
                    calendar: calendar.id,
                    colour: Arc::from(key.colour.as_str()),
                    label: Arc::from(key.label.as_str()),
                    tz,
                    range,
                    first,
                    last,
                });
                let read = match web.agenda.previous(&key) {
                    Some((position, previous)) => {
                        update(web, &reading, position, &previous).await?
                    }
                    None => None,
                };
                let read = match read {
                    Some(read) => read,
                    None => {
                        let started = std::time::Instant::now();
                        let occurrences = read_range(web, reading, from, until).await?;
                        tracing::debug!(
                            calendar = calendar.id,
                            occurrences = occurrences.len(),
                            ms = started.elapsed().as_secs_f64() * 1e3,
                            "agenda window read"
                        );
                        occurrences
                    }
                };
                let read = Arc::new(read);
                web.agenda.put(key, read.clone());
                read
            }
        };
        window.occurrences.extend(occurrences.iter().cloned());
    }
    window.occurrences.sort_by(|a, b| {
        (a.first_day, !a.all_day, a.start).cmp(&(b.first_day, !b.all_day, b.start))
    });
    Ok(window)
}

/// The occurrences of a calendar's objects whose span meets [from, until). The objects are
/// found in the span index; the series parsed for an earlier window are expanded while the
/// text of the others is read.
async fn read_range(
    web: &Shared,
    reading: Arc<Reading>,
    from: i64,
    until: i64,
) -> Result<Vec<Occurrence>, WebError> {
    let store = web.vault.store();
    let found = store
        .object_refs_in_range(reading.calendar, from, until)
        .await?;
    let mut parsed = Vec::new();
    let mut unread = Vec::new();
    // Tasks are read on their own (`tasks`): they belong to no window of days.
    for what in found.into_iter().filter(|what| what.component == "VEVENT") {
        match reading
            .series
            .get_known(reading.calendar, what.seq, &what.uid)
        {
            Some(object) => parsed.push(Item::Parsed(what, object)),
            None => unread.push(what),
        }
    }
    let expanding = tokio::spawn(read_in_parallel(reading.clone(), parsed));
    let seqs: Vec<i64> = unread.iter().map(|what| what.seq).collect();
    let mut texts: HashMap<i64, String> = store
        .revision_texts(reading.calendar, &seqs)
        .await?
        .into_iter()
        .collect();
    // A revision can only be missing when the object changed since it was found; the change
    // is read into the window at its next showing (`update`).
    let items = unread
        .into_iter()
        .filter_map(|what| {
            let text = texts.remove(&what.seq)?;
            Some(Item::Text(what, text))
        })
        .collect();
    let mut window = read_in_parallel(reading, items).await?;
    let expanded = expanding
        .await
        .map_err(|e| WebError::Internal(format!("reading the agenda failed: {e}")))??;
    window.occurrences.extend(expanded.occurrences);
    Ok(window.occurrences)
}

/// An object to read into a window: its text, or the series parsed from it earlier.
enum Item {
    Text(ObjectRef, String),
    Parsed(ObjectRef, Arc<CalendarObject>),
}

/// Changes after which a window is read whole rather than updated: past this, reading the
/// month's objects again costs less than reading the changed ones one by one.
const UPDATE_AT_MOST: u32 = 512;

/// The window's occurrences at the calendar's current state, from those it had at `position`:
/// the objects changed since then (by UID) are read again, the others kept. None when the
/// journal no longer reaches `position` or too much changed: the caller reads the window whole.
async fn update(
    web: &Shared,
    reading: &Arc<Reading>,
    position: i64,
    previous: &[Occurrence],
) -> Result<Option<Vec<Occurrence>>, WebError> {
    let store = web.vault.store();
    let changes = match store
        .changes_since(reading.calendar, position, UPDATE_AT_MOST + 1)
        .await
    {
        Ok(changes) if changes.len() <= UPDATE_AT_MOST as usize => changes,
        Ok(_) | Err(calvault_core::store::StoreError::PositionTooOld { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let changed: std::collections::HashSet<&str> =
        changes.iter().map(|change| change.uid.as_str()).collect();
    let uids: Vec<String> = changed.iter().map(|uid| uid.to_string()).collect();
    let objects = store.objects_by_uids(reading.calendar, &uids).await?;
    let mut occurrences: Vec<Occurrence> = previous
        .iter()
        .filter(|occurrence| !changed.contains(&*occurrence.uid))
        .cloned()
        .collect();
    let items = objects
        .into_iter()
        .map(|object| Item::Text(ObjectRef::from(&object.meta), object.data))
        .collect();
    occurrences.extend(read_in_parallel(reading.clone(), items).await?.occurrences);
    Ok(Some(occurrences))
}

/// What reading one calendar's objects into the window needs.
struct Reading {
    series: Arc<cache::Series>,
    calendar: i64,
    colour: Arc<str>,
    label: Arc<str>,
    tz: Tz,
    range: TimeRange,
    first: NaiveDate,
    last: NaiveDate,
}

/// Below this many objects the work is not worth handing to other threads.
const PARALLEL_FROM: usize = 256;

/// Reads the objects on every core: parsing and expanding thousands of series (a month of a
/// 100,000-event calendar holds about 6,500 objects) is CPU work that must not hold one
/// runtime thread, and splits evenly because objects are independent.
async fn read_in_parallel(reading: Arc<Reading>, objects: Vec<Item>) -> Result<Window, WebError> {
    let mut window = Window {
        occurrences: Vec::new(),
    };
    if objects.len() < PARALLEL_FROM {
        for item in &objects {
            reading.read(item, &mut window);
        }
        return Ok(window);
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = objects.len().div_ceil(threads);
    let mut objects = objects;
    let mut parts = Vec::with_capacity(threads);
    while !objects.is_empty() {
        let rest = objects.split_off(per_thread.min(objects.len()));
        let part = std::mem::replace(&mut objects, rest);
        let reading = reading.clone();
        parts.push(tokio::task::spawn_blocking(move || {
            let mut part_window = Window {
                occurrences: Vec::new(),
            };
            for item in &part {
                reading.read(item, &mut part_window);
            }
            part_window
        }));
    }
    for part in parts {
        let part = part
            .await
            .map_err(|e| WebError::Internal(format!("reading the agenda failed: {e}")))?;
        window.occurrences.extend(part.occurrences);
    }
    Ok(window)
}

impl Reading {
    /// Adds one object's occurrences to the window. Tasks are read on their own (`tasks`):
    /// they belong to no window of days.
    fn read(&self, item: &Item, window: &mut Window) {
        match item {
            Item::Text(what, text) => self.read_text(what, text, window),
            Item::Parsed(what, object) => self.read_parsed(what, object, window),
        }
    }

    fn read_text(&self, what: &ObjectRef, text: &str, window: &mut Window) {
        if what.component != "VEVENT" {
            return;
        }
        // A lone event needs no expansion: its own DTSTART and DTEND are its occurrence.
        // Series skip the tree of the raw text, which the model parses anyway.
        if !may_repeat(text)
            && let Some(tree) = ics::parse(text)
            && let Some(event) = single_event(&tree)
        {
            if let Some(fields) = Fields::of_comp(event) {
                let (page, uid) = self.links(what);
                self.push(fields, &page, &uid, window);
            }
            return;
        }
        let object = match self.series.get(self.calendar, what.seq, text) {
            Some(object) => object,
            None => {
                // An object the model cannot read is skipped here; CalDAV still serves it as
                // it is.
                let Ok(object) = CalendarObject::parse(text) else {
                    return;
                };
                let object = Arc::new(object);
                self.series
                    .put(self.calendar, what.seq, text, object.clone());
                object
            }
        };
        self.read_parsed(what, &object, window);
    }

    fn read_parsed(&self, what: &ObjectRef, object: &CalendarObject, window: &mut Window) {
        if what.component != "VEVENT" || object.kind() != ComponentKind::Event {
            return;
        }
        let (page, uid) = self.links(what);
        let mut texts = Texts::default();
        for instance in object.expanded_instances(&self.range) {
            if instance.kind() == Some(ComponentKind::Event)
                && let Some(fields) = Fields::of_instance(&instance, &mut texts)
            {
                self.push(fields, &page, &uid, window);
            }
        }
    }

    /// The address of an object's page and its UID, shared by its occurrences.
    fn links(&self, what: &ObjectRef) -> (Arc<str>, Arc<str>) {
        let page = format!("/events/{}/{}", self.calendar, time::url_encode(&what.name));
        (Arc::from(page), Arc::from(what.uid.as_str()))
    }

    fn push(&self, fields: Fields, page: &Arc<str>, uid: &Arc<str>, window: &mut Window) {
        let occurrence = occurrence_of(fields, page, uid, &self.colour, &self.label, self.tz);
        if occurrence.last_day >= self.first && occurrence.first_day <= self.last {
            window.occurrences.push(occurrence);
        }
    }
}

/// Whether the text may hold a series: a repeat rule, extra dates or an override inside a
/// VEVENT, or more than one VEVENT. A cheap scan of the text; VTIMEZONE rules do not count.
fn may_repeat(data: &str) -> bool {
    let mut events = data.split("BEGIN:VEVENT").skip(1);
    let Some(event) = events.next() else {
        return true;
    };
    if events.next().is_some() {
        return true;
    }
    let event = event.split("END:VEVENT").next().unwrap_or(event);
    ["\nRRULE", "\nRDATE", "\nRECURRENCE-ID"]
        .iter()
        .any(|name| event.contains(name))
}

/// The object's event when it is one event that does not repeat and whose times read without
/// the object's VTIMEZONEs (UTC, dates, floating, or a zone known by name); None sends the
/// object through the model's expansion.
fn single_event(tree: &Comp) -> Option<&Comp> {
    let mut events = tree.children().filter(|c| c.name == "VEVENT");
    let event = events.next()?;
    if events.next().is_some() {
        return None;
    }
    let repeats = ["RRULE", "RDATE", "RECURRENCE-ID"]
        .iter()
        .any(|name| event.prop(name).is_some());
    let zones_known = ["DTSTART", "DTEND"].iter().all(|name| {
        event
            .prop(name)
            .and_then(|p| p.param("TZID"))
            .is_none_or(|zone| ics::zone_named(zone).is_some())
    });
    (!repeats && zones_known).then_some(event)
}

/// The key of an occurrence in URLs: its RECURRENCE-ID as an instant (dates read in UTC,
/// which is how the expansion writes them).
pub fn recurrence_key(instance: &Comp) -> Option<i64> {
    instance
        .prop("RECURRENCE-ID")
        .and_then(Moment::of)
        .map(|m| m.instant(Tz::UTC))
}

/// What the views show of one instance, read from an event's tree or from the model's
/// expansion of a series.
struct Fields<'a> {
    start: Moment,
    /// DTEND as written.
    end: Option<Moment>,
    /// DURATION as written, used when there is no DTEND (RFC 5545 §3.6.1).
    duration: Option<&'a str>,
    recurrence_key: Option<i64>,
    title: Option<Arc<str>>,
    location: Option<Arc<str>>,
}

impl<'a> Fields<'a> {
    fn of_comp(event: &'a Comp) -> Option<Fields<'a>> {
        Some(Fields {
            start: Moment::of(event.prop("DTSTART")?)?,
            end: event.prop("DTEND").and_then(Moment::of),
            duration: event.prop("DURATION").map(|p| p.value.as_str()),
            recurrence_key: recurrence_key(event),
            title: event.text("SUMMARY").map(Arc::from),
            location: event.text("LOCATION").map(Arc::from),
        })
    }

    /// An instance of RFC 4791 §9.6.5 expand: dates stay dates, date-times are in UTC.
    fn of_instance(instance: &ExpandedInstance<'a>, texts: &mut Texts<'a>) -> Option<Fields<'a>> {
        Some(Fields {
            start: moment_of(instance.start?),
            end: instance.end.map(moment_of),
            duration: instance.value("DURATION"),
            recurrence_key: instance
                .recurrence_id
                .map(|at| moment_of(at).instant(Tz::UTC)),
            title: texts.title.read(instance.value("SUMMARY")),
            location: texts.location.read(instance.value("LOCATION")),
        })
    }
}

/// The title and place of a series' instances, unescaped once and shared: the instances
/// repeat the series' own, and only an override may differ.
#[derive(Default)]
struct Texts<'a> {
    title: LastText<'a>,
    location: LastText<'a>,
}

/// The last text value read, as written and as shown.
#[derive(Default)]
struct LastText<'a>(Option<(&'a str, Option<Arc<str>>)>);

impl<'a> LastText<'a> {
    /// A text value as shown (None when blank), the last one's when written the same.
    fn read(&mut self, value: Option<&'a str>) -> Option<Arc<str>> {
        let value = value?;
        if let Some((seen, shown)) = &self.0
            && *seen == value
        {
            return shown.clone();
        }
        let shown = Some(ics::unescape_text(value))
            .filter(|v| !v.trim().is_empty())
            .map(Arc::from);
        self.0 = Some((value, shown.clone()));
        shown
    }
}

fn moment_of(time: InstanceTime) -> Moment {
    match time {
        InstanceTime::Date(day) => Moment::Date(day),
        InstanceTime::Utc(at) => Moment::Utc(at),
    }
}

fn occurrence_of(
    fields: Fields<'_>,
    page: &Arc<str>,
    uid: &Arc<str>,
    colour: &Arc<str>,
    calendar: &Arc<str>,
    tz: Tz,
) -> Occurrence {
    let start = fields.start;
    let end = fields.end.or_else(|| {
        let seconds = ics::duration_seconds(fields.duration?)?;
        Some(match start {
            Moment::Date(day) => Moment::Date(day + Duration::seconds(seconds)),
            other => Moment::Utc(other.instant(tz) + seconds),
        })
    });
    let all_day = start.is_date();
    let (first_day, last_day, hours) = if all_day {
        let first = start.local(tz).date();
        // DTEND of a date is exclusive (RFC 5545 §3.6.1).
        let last = end
            .map(|e| e.local(tz).date() - Duration::days(1))
            .unwrap_or(first)
            .max(first);
        (first, last, None)
    } else {
        let from = start.local(tz);
        let until = end.map(|e| e.local(tz)).unwrap_or(from);
        // An event ending at midnight does not cover the next day.
        let last = (until - Duration::seconds(1)).date().max(from.date());
        (from.date(), last, Some((from.time(), until.time())))
    };
    Occurrence {
        page: page.clone(),
        at: fields.recurrence_key,
        title: fields.title.unwrap_or_default(),
        start: start.instant(tz),
        all_day,
        first_day,
        last_day,
        hours,
        color: colour.clone(),
        calendar: calendar.clone(),
        location: fields.location,
        uid: uid.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const PARIS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Paris:20240705T090000\r\nDTEND;TZID=Europe/Paris:20240705T100000\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn reading() -> Reading {
        let day = NaiveDate::from_ymd_opt(2024, 7, 5).unwrap();
        Reading {
            series: Arc::default(),
            calendar: 1,
            colour: Arc::from("#000000"),
            label: Arc::from("c"),
            tz: Tz::UTC,
            range: TimeRange {
                start: Some(1_719_792_000),
                end: Some(1_720_742_400),
            },
            first: day - Duration::days(3),
            last: day + Duration::days(3),
        }
    }

    /// The occurrences of an object read the way the agenda did before instances were typed:
    /// the RFC 4791 §9.6.5 expansion written as text and parsed again.
    fn via_text(reading: &Reading, data: &str) -> Vec<String> {
        let Ok(object) = CalendarObject::parse(data) else {
            return Vec::new();
        };
        if object.kind() != ComponentKind::Event {
            return Vec::new();
        }
        let Some(expanded) = ics::parse(&object.expand(&reading.range)) else {
            return Vec::new();
        };
        expanded
            .children()
            .filter(|c| c.name == "VEVENT")
            .filter_map(Fields::of_comp)
            .map(|f| {
                let uid = Arc::from("a");
                let page = Arc::from("/e");
                occurrence_of(f, &page, &uid, &reading.colour, &reading.label, reading.tz)
            })
            .filter(|o| o.last_day >= reading.first && o.first_day <= reading.last)
            .map(|o| format!("{o:?}"))
            .collect()
    }

    /// The occurrences as `Reading::read` finds them for a series.
    fn via_instances(reading: &Reading, data: &str) -> Vec<String> {
        let mut window = Window {
            occurrences: Vec::new(),
        };
        reading.read_text(&what(), data, &mut window);
        window
            .occurrences
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o.page = Arc::from(o.page.replacen("/events/1/a.ics", "/e", 1));
                format!("{o:?}")
            })
            .collect()
    }

    /// The object the tests read: `a.ics`, UID `a`, revision 1.
    fn what() -> ObjectRef {
        ObjectRef {
            id: 1,
            uid: "a".to_string(),
            name: "a.ics".to_string(),
            seq: 1,
            component: "VEVENT".to_string(),
        }
    }

    #[test]
    fn a_lone_event_reads_as_its_expansion_would() {
        assert!(!may_repeat(PARIS), "VTIMEZONE rules are not a series");
        let reading = reading();
        let tree = ics::parse(PARIS).unwrap();
        let event = single_event(&tree).expect("a lone event");
        let direct = occurrence_of(
            Fields::of_comp(event).unwrap(),
            &Arc::from("/e"),
            &Arc::from("a"),
            &Arc::from("#000000"),
            &Arc::from("c"),
            Tz::UTC,
        );
        let via_model = via_text(&reading, PARIS);
        assert_eq!(via_model, [format!("{direct:?}")]);
        assert_eq!(direct.time_label(), "07:00–08:00");
        assert_eq!(direct.href(), "/e");
        assert_eq!(&*direct.title, "Lunch");
    }

    /// Series with what changes their instances: EXDATE, RDATE, overrides, zones, dates,
    /// DURATION, escaped text.
    const SERIES: [&str; 7] = [
        "RRULE:FREQ=DAILY;COUNT=10\r\nEXDATE;TZID=Europe/Paris:20240706T090000\r\n",
        "RRULE:FREQ=WEEKLY;BYDAY=FR,SA\r\nRDATE;TZID=Europe/Paris:20240703T150000\r\n",
        "RRULE:FREQ=DAILY\r\nLOCATION:Room 1\\, floor 2\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Europe/Paris:20240707T090000\r\nDTSTART:20240707T180000Z\r\nDURATION:PT3H\r\nSUMMARY:Moved\\nlate\r\n",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,5\r\n",
        "RDATE;VALUE=PERIOD:20240704T120000Z/PT2H\r\n",
        "RRULE:FREQ=DAILY;UNTIL=20240704T000000Z\r\n",
        "RRULE:FREQ=HOURLY;INTERVAL=7;COUNT=40\r\n",
    ];

    fn all_day(rule: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20240702\r\nDTEND;VALUE=DATE:20240704\r\nSUMMARY:Away\r\n{rule}END:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;VALUE=DATE:20240709\r\nDTSTART;VALUE=DATE:20240710\r\nSUMMARY:Later\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    #[test]
    fn series_read_from_instances_as_from_the_expanded_text() {
        let mut objects: Vec<String> = SERIES
            .iter()
            .map(|rule| PARIS.replace("SUMMARY:Lunch\r\n", &format!("SUMMARY:Lunch\r\n{rule}")))
            .collect();
        objects.push(all_day("RRULE:FREQ=WEEKLY;COUNT=4\r\n"));
        objects.push(all_day(
            "RRULE:FREQ=DAILY;INTERVAL=3\r\nEXDATE;VALUE=DATE:20240705\r\n",
        ));
        let mut seen = 0;
        for zone in [
            Tz::UTC,
            chrono_tz::Europe::Paris,
            chrono_tz::Pacific::Auckland,
        ] {
            let reading = Reading {
                tz: zone,
                ..reading()
            };
            for data in &objects {
                assert!(may_repeat(data));
                let expected = via_text(&reading, data);
                assert_eq!(via_instances(&reading, data), expected, "{data}");
                seen += expected.len();
            }
        }
        assert!(
            seen > 60,
            "the series have occurrences in the window: {seen}"
        );
    }

    #[test]
    fn a_series_kept_parsed_reads_as_from_its_text() {
        let series = PARIS.replace(
            "SUMMARY:Lunch\r\n",
            "SUMMARY:Lunch\r\nRRULE:FREQ=DAILY;COUNT=3\r\n",
        );
        let reading = reading();
        let mut first = Window {
            occurrences: Vec::new(),
        };
        reading.read_text(&what(), &series, &mut first);
        let parsed = reading.series.get_known(1, 1, "a").expect("kept parsed");
        let mut again = Window {
            occurrences: Vec::new(),
        };
        reading.read(&Item::Parsed(what(), parsed), &mut again);
        assert_eq!(first.occurrences.len(), 3);
        assert_eq!(
            format!("{:?}", first.occurrences),
            format!("{:?}", again.occurrences)
        );
    }

    #[test]
    fn series_and_unknown_zones_go_through_the_model() {
        let series = PARIS.replace(
            "SUMMARY:Lunch\r\n",
            "SUMMARY:Lunch\r\nRRULE:FREQ=DAILY;COUNT=3\r\n",
        );
        assert!(may_repeat(&series));
        let unknown = PARIS.replace("TZID=Europe/Paris:", "TZID=Somewhere odd:");
        let tree = ics::parse(&unknown).unwrap();
        assert!(single_event(&tree).is_none());
        let mut window = Window {
            occurrences: Vec::new(),
        };
        reading().read_text(&what(), &series, &mut window);
        assert_eq!(window.occurrences.len(), 3);
    }
}
