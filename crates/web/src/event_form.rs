//! Creating, editing and deleting an event, whole series or one occurrence, through
//! `Vault::put_object` and `delete_object` so that every change reaches the sync clients.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use calvault_core::store::Calendar;
use calvault_core::{Access, Client, Condition};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::agenda::calendar_label;
use crate::frame::{Frame, Nav, render, see_other};
use crate::i18n::fill;
use crate::ics::{self, Comp, Moment, Prop};
use crate::session::Signed;
use crate::time::{self, COMMON_ZONES};
use crate::{Shared, WebError, home};

/// Reminder choices, in minutes before the start.
const REMINDERS: [u32; 6] = [5, 10, 15, 30, 60, 1440];

/// The form's fields, as posted and as shown.
#[derive(Deserialize, Default, Clone)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    calendar: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    all_day: Option<String>,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    start_time: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    end_time: String,
    #[serde(default)]
    tz: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    freq: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    reminder: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    scope: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct FormPage {
    frame: Frame,
    heading: &'static str,
    action: String,
    delete_action: Option<String>,
    values: EventForm,
    all_day: bool,
    calendars: Vec<Choice>,
    zones: Vec<Choice>,
    freqs: Vec<Choice>,
    reminders: Vec<Choice>,
    occurrence: bool,
    series_href: Option<String>,
    read_only: bool,
    /// The event's revisions, for an event that exists.
    history_href: Option<String>,
    /// Why the posted form was not saved; the form shows the values as posted.
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    date: String,
}

#[derive(Deserialize, Default)]
pub struct AtQuery {
    #[serde(default)]
    at: String,
}

pub async fn new_form(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<NewQuery>,
) -> Result<Response, WebError> {
    let day = time::parse_date(&query.date).unwrap_or_else(|| time::today(signed.tz));
    let calendars = home::writable(&web, &signed).await?;
    let values = EventForm {
        calendar: calendars
            .first()
            .map(|c| c.calendar.id.to_string())
            .unwrap_or_default(),
        start_date: day.format("%Y-%m-%d").to_string(),
        start_time: "09:00".to_string(),
        end_date: day.format("%Y-%m-%d").to_string(),
        end_time: "10:00".to_string(),
        tz: signed.tz.name().to_string(),
        ..EventForm::default()
    };
    let page = form_page(
        &signed,
        "/events".to_string(),
        None,
        values,
        &calendars,
        false,
        None,
    );
    render(&page)
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    signed: &Signed,
    action: String,
    delete_action: Option<String>,
    values: EventForm,
    calendars: &[calvault_core::HomeCalendar],
    occurrence: bool,
    series_href: Option<String>,
) -> FormPage {
    let t = signed.lang.text();
    let mut zones: Vec<&str> = COMMON_ZONES.to_vec();
    for extra in [values.tz.as_str(), signed.tz.name()] {
        if !extra.is_empty() && !zones.contains(&extra) {
            zones.push(extra);
        }
    }
    let choice = |value: &str, label: &str, current: &str| Choice {
        value: value.to_string(),
        label: label.to_string(),
        selected: value == current,
    };
    let freqs = [
        ("", t.repeat_none),
        ("DAILY", t.repeat_daily),
        ("WEEKLY", t.repeat_weekly),
        ("MONTHLY", t.repeat_monthly),
        ("YEARLY", t.repeat_yearly),
    ]
    .into_iter()
    .map(|(v, l)| choice(v, l, &values.freq))
    .collect();
    let mut reminders = vec![choice("", t.reminder_none, &values.reminder)];
    reminders.extend(REMINDERS.iter().map(|m| {
        choice(
            &m.to_string(),
            &fill(t.minutes_before, &[&m.to_string()]),
            &values.reminder,
        )
    }));
    let here = action.clone();
    FormPage {
        frame: Frame::new(signed, Nav::Agenda, here),
        heading: if delete_action.is_some() {
            t.edit_event
        } else {
            t.new_event
        },
        action,
        delete_action,
        all_day: values.all_day.is_some(),
        calendars: calendars
            .iter()
            .map(|c| {
                choice(
                    &c.calendar.id.to_string(),
                    &calendar_label(c),
                    &values.calendar,
                )
            })
            .collect(),
        zones: zones
            .into_iter()
            .map(|z| choice(z, z, &values.tz))
            .collect(),
        freqs,
        reminders,
        occurrence,
        series_href,
        read_only: false,
        history_href: None,
        error: None,
        values,
    }
}

/// The form again with what the user typed and why it was not saved (422, so that scripts
/// and tests see the refusal while a person sees the form).
fn refused(mut page: FormPage, message: String) -> Result<Response, WebError> {
    page.error = Some(message);
    let mut response = render(&page)?;
    *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The object at a URL of the pages, after the access check (404 for anyone else's).
async fn object(
    web: &Shared,
    signed: &Signed,
    calendar: i64,
    name: &str,
    access: Access,
) -> Result<(Calendar, String, Comp), WebError> {
    let calendar = home::calendar(web, signed, calendar, access).await?;
    let stored = web
        .vault
        .get_object(signed.actor(), &calendar, name)
        .await?;
    let tree = ics::parse(&stored.data)
        .ok_or_else(|| WebError::BadRequest("this event cannot be read".to_string()))?;
    Ok((calendar, stored.data, tree))
}

pub async fn edit_form(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
    Query(query): Query<AtQuery>,
) -> Result<Response, WebError> {
    let at = query.at.trim().parse::<i64>().ok();
    let page = edit_page(&web, &signed, calendar_id, &name, at, None).await?;
    render(&page)
}

/// The form of an existing event (or of one occurrence, with `at`), filled from the stored
/// event, or with `posted` values when a save was refused.
async fn edit_page(
    web: &Shared,
    signed: &Signed,
    calendar_id: i64,
    name: &str,
    at: Option<i64>,
    posted: Option<EventForm>,
) -> Result<FormPage, WebError> {
    let (calendar, _, tree) = object(web, signed, calendar_id, name, Access::Read).await?;
    let master = master(&tree).ok_or(WebError::NotFound)?;
    let recurring = master.prop("RRULE").is_some() || master.prop("RDATE").is_some();
    let mut values = values_of(master, signed.tz);
    if let Some(at) = at {
        values = occurrence_values(&tree, master, at, signed.tz);
        values.at = at.to_string();
        values.scope = "this".to_string();
    }
    values.calendar = calendar.id.to_string();
    if let Some(posted) = posted {
        values = posted;
    }
    let mut calendars = home::writable(web, signed).await?;
    let read_only = !calendars.iter().any(|c| c.calendar.id == calendar.id);
    if read_only {
        // A read-only share: the form shows it, and saving answers 403.
        calendars = web
            .vault
            .home_calendars(signed.actor(), &signed.user)
            .await?
            .into_iter()
            .filter(|c| c.calendar.id == calendar.id)
            .collect();
    }
    let base = format!("/events/{}/{}", calendar.id, time::url_encode(name));
    let series_href = (at.is_some() && recurring).then(|| base.clone());
    let mut page = form_page(
        signed,
        base.clone(),
        Some(format!("{base}/delete")),
        values,
        &calendars,
        at.is_some() && recurring,
        series_href,
    );
    page.read_only = read_only;
    page.history_href = master
        .text("UID")
        .map(|uid| crate::history::href(calendar.id, &uid));
    Ok(page)
}

/// The series' master: the event without RECURRENCE-ID (or the first one).
fn master(tree: &Comp) -> Option<&Comp> {
    let mut events = tree
        .children()
        .filter(|c| c.name == "VEVENT" || c.name == "VTODO");
    let all: Vec<&Comp> = events.by_ref().collect();
    all.iter()
        .find(|c| c.prop("RECURRENCE-ID").is_none())
        .or(all.first())
        .copied()
}

fn master_mut(tree: &mut Comp) -> Option<&mut Comp> {
    let index = tree.children().position(|c| {
        (c.name == "VEVENT" || c.name == "VTODO") && c.prop("RECURRENCE-ID").is_none()
    })?;
    tree.children_mut().nth(index)
}

fn override_mut(tree: &mut Comp, at: i64, tz: Tz) -> Option<&mut Comp> {
    tree.children_mut().find(|c| {
        c.name == "VEVENT"
            && c.prop("RECURRENCE-ID")
                .and_then(Moment::of)
                .is_some_and(|m| recurrence_instant(m, tz) == at)
    })
}

/// Occurrence keys are instants with dates read in UTC, as the agenda links write them.
fn recurrence_instant(moment: Moment, tz: Tz) -> i64 {
    match moment {
        Moment::Date(_) | Moment::Utc(_) => moment.instant(Tz::UTC),
        other => other.instant(tz),
    }
}

fn values_of(component: &Comp, tz: Tz) -> EventForm {
    let start = component.prop("DTSTART").and_then(Moment::of);
    let end = end_of(component, start, tz);
    let zone = match start {
        Some(Moment::Zoned(_, zone)) => zone,
        Some(Moment::Utc(_)) => Tz::UTC,
        _ => tz,
    };
    let mut values = EventForm {
        title: component.text("SUMMARY").unwrap_or_default(),
        location: component.text("LOCATION").unwrap_or_default(),
        description: component.text("DESCRIPTION").unwrap_or_default(),
        tz: zone.name().to_string(),
        ..EventForm::default()
    };
    set_times(&mut values, start, end, zone);
    if let Some(rule) = component.prop("RRULE") {
        let (freq, until, count) = rule_parts(&rule.value, zone);
        values.freq = freq;
        values.until = until;
        values.count = count;
    }
    values.reminder = reminder_of(component)
        .map(|m| m.to_string())
        .unwrap_or_default();
    values
}

fn set_times(values: &mut EventForm, start: Option<Moment>, end: Option<Moment>, zone: Tz) {
    let Some(start) = start else { return };
    let from = start.local(zone);
    let until = end.map(|e| e.local(zone)).unwrap_or(from);
    if start.is_date() {
        values.all_day = Some("on".to_string());
        values.start_date = from.date().format("%Y-%m-%d").to_string();
        // The form's end day is the last day the event covers; DTEND is the day after.
        let last = (until.date() - Duration::days(1)).max(from.date());
        values.end_date = last.format("%Y-%m-%d").to_string();
    } else {
        values.start_date = from.date().format("%Y-%m-%d").to_string();
        values.start_time = time::hm(from);
        values.end_date = until.date().format("%Y-%m-%d").to_string();
        values.end_time = time::hm(until);
    }
}

fn end_of(component: &Comp, start: Option<Moment>, tz: Tz) -> Option<Moment> {
    if let Some(end) = component
        .prop("DTEND")
        .or_else(|| component.prop("DUE"))
        .and_then(Moment::of)
    {
        return Some(end);
    }
    let start = start?;
    let seconds = component
        .prop("DURATION")
        .and_then(|p| ics::duration_seconds(&p.value));
    Some(match (start, seconds) {
        (Moment::Date(day), seconds) => {
            Moment::Date(day + Duration::seconds(seconds.unwrap_or(86_400)))
        }
        (other, Some(seconds)) => Moment::Utc(other.instant(tz) + seconds),
        (other, None) => other,
    })
}

/// The values of one occurrence: its override's, else the master's moved to `at`.
fn occurrence_values(tree: &Comp, master: &Comp, at: i64, tz: Tz) -> EventForm {
    let overridden = tree.children().find(|c| {
        c.name == "VEVENT"
            && c.prop("RECURRENCE-ID")
                .and_then(Moment::of)
                .is_some_and(|m| recurrence_instant(m, tz) == at)
    });
    if let Some(component) = overridden {
        let mut values = values_of(component, tz);
        values.freq.clear();
        return values;
    }
    let mut values = values_of(master, tz);
    let start = master.prop("DTSTART").and_then(Moment::of);
    let end = end_of(master, start, tz);
    if let (Some(start), Some(end)) = (start, end) {
        let zone = ics::zone_named(&values.tz).unwrap_or(tz);
        let length = end.instant(zone) - start.instant(zone);
        let moved = start.same_form(at, Tz::UTC);
        let moved_end = match moved {
            Moment::Date(day) => Moment::Date(day + Duration::seconds(length)),
            other => Moment::Utc(other.instant(zone) + length),
        };
        set_times(&mut values, Some(moved), Some(moved_end), zone);
    }
    values
}

fn rule_parts(rule: &str, zone: Tz) -> (String, String, String) {
    let (mut freq, mut until, mut count) = (String::new(), String::new(), String::new());
    for part in rule.split(';') {
        match part.split_once('=') {
            Some(("FREQ", v)) => freq = v.to_ascii_uppercase(),
            Some(("COUNT", v)) => count = v.to_string(),
            Some(("UNTIL", v)) => {
                let prop = Prop::new("UNTIL", &[], v);
                until = Moment::of(&prop)
                    .map(|m| m.local(zone).date().format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
            }
            _ => {}
        }
    }
    (freq, until, count)
}

/// The first alarm's minutes before the start, when it is that simple.
fn reminder_of(component: &Comp) -> Option<u32> {
    let alarm = component.children().find(|c| c.name == "VALARM")?;
    let trigger = alarm.prop("TRIGGER")?;
    if trigger
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE-TIME"))
    {
        return None;
    }
    let seconds = ics::duration_seconds(&trigger.value)?;
    u32::try_from(-seconds / 60).ok()
}

/// What the form asks for, checked.
struct Fields {
    title: String,
    start: Moment,
    end: Moment,
    location: String,
    description: String,
    /// FREQ, UNTIL (a local date) and COUNT.
    freq: String,
    until: Option<NaiveDate>,
    count: Option<u32>,
    reminder: Option<u32>,
}

/// The form's fields checked, or the message that says what to correct.
fn fields(form: &EventForm, t: &crate::i18n::Text) -> Result<Fields, String> {
    let unreadable = |what: &str| fill(t.error_unreadable, &[what]);
    if form.title.trim().is_empty() {
        return Err(t.error_title_empty.to_string());
    }
    let start_date = time::parse_date(&form.start_date).ok_or_else(|| unreadable(t.starts))?;
    let end_date = optional(&form.end_date, time::parse_date)
        .ok_or_else(|| unreadable(t.ends))?
        .unwrap_or(start_date);
    let (start, end) = if form.all_day.is_some() {
        if end_date < start_date {
            return Err(t.error_end_before_start.to_string());
        }
        (
            Moment::Date(start_date),
            Moment::Date(end_date + Duration::days(1)),
        )
    } else {
        let zone = ics::zone_named(&form.tz).ok_or_else(|| unreadable(t.time_zone))?;
        let start_time = time::parse_time(&form.start_time).ok_or_else(|| unreadable(t.starts))?;
        let end_time = optional(&form.end_time, time::parse_time)
            .ok_or_else(|| unreadable(t.ends))?
            .unwrap_or(start_time);
        let from = start_date.and_time(start_time);
        let until = end_date.and_time(end_time);
        if until < from {
            return Err(t.error_end_before_start.to_string());
        }
        (zoned(from, zone), zoned(until, zone))
    };
    let freq = form.freq.trim().to_ascii_uppercase();
    if !["", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"].contains(&freq.as_str()) {
        return Err(unreadable(t.repeat));
    }
    let count = optional(&form.count, |text| {
        text.parse::<u32>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
    })
    .ok_or_else(|| unreadable(t.repeat_count))?;
    let until =
        optional(&form.until, time::parse_date).ok_or_else(|| unreadable(t.repeat_until))?;
    let reminder = optional(&form.reminder, |text| {
        text.parse::<u32>().ok().filter(|m| *m <= 40_320)
    })
    .ok_or_else(|| unreadable(t.reminder))?;
    Ok(Fields {
        title: form.title.trim().chars().take(500).collect(),
        start,
        end,
        location: form.location.trim().chars().take(500).collect(),
        description: form.description.chars().take(20_000).collect(),
        freq,
        until,
        count,
        reminder,
    })
}

/// An optional field: `Some(None)` when left empty, `None` when filled but unreadable.
fn optional<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    match text.trim() {
        "" => Some(None),
        text => parse(text).map(Some),
    }
}

fn zoned(local: NaiveDateTime, zone: Tz) -> Moment {
    if zone == Tz::UTC {
        Moment::Utc(local.and_utc().timestamp())
    } else {
        Moment::Zoned(local, zone)
    }
}

impl Fields {
    /// RFC 5545 §3.3.10: UNTIL is a date for an all-day series, else a UTC date-time (the
    /// end of the chosen day in the event's zone).
    fn rrule(&self) -> Option<String> {
        if self.freq.is_empty() {
            return None;
        }
        let mut rule = format!("FREQ={}", self.freq);
        if let Some(count) = self.count {
            rule.push_str(&format!(";COUNT={count}"));
        } else if let Some(until) = self.until {
            match self.start {
                Moment::Date(_) => rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%d"))),
                Moment::Zoned(_, zone) => {
                    let end = time::local_to_utc(
                        zone,
                        until.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()),
                    );
                    rule.push_str(&format!(
                        ";UNTIL={}",
                        time::to_local(Tz::UTC, end).format("%Y%m%dT%H%M%SZ")
                    ));
                }
                _ => rule.push_str(&format!(";UNTIL={}T235959Z", until.format("%Y%m%d"))),
            }
        }
        Some(rule)
    }

    /// Writes the fields into an event, keeping every property the form does not show. The
    /// repeat rule and the alarms are rewritten only when the form changed them, so a rule
    /// with BYDAY or an alarm the form cannot show survive an edit of the title.
    fn apply(&self, event: &mut Comp, series: bool, before: &EventForm) {
        event.remove_props(&[
            "SUMMARY",
            "DTSTART",
            "DTEND",
            "DURATION",
            "LOCATION",
            "DESCRIPTION",
            "DTSTAMP",
            "LAST-MODIFIED",
        ]);
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        event.push_prop(Prop::new("DTSTAMP", &[], &stamp));
        event.push_prop(Prop::new("LAST-MODIFIED", &[], &stamp));
        event.push_prop(Prop::text("SUMMARY", &self.title));
        event.push_prop(self.start.prop("DTSTART"));
        event.push_prop(self.end.prop("DTEND"));
        if !self.location.is_empty() {
            event.push_prop(Prop::text("LOCATION", &self.location));
        }
        if !self.description.trim().is_empty() {
            event.push_prop(Prop::text("DESCRIPTION", &self.description));
        }
        let sequence = event
            .prop("SEQUENCE")
            .and_then(|p| p.value.trim().parse::<u32>().ok())
            .unwrap_or(0);
        event.remove_props(&["SEQUENCE"]);
        event.push_prop(Prop::new("SEQUENCE", &[], &(sequence + 1).to_string()));
        let until_text = self
            .until
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let count_text = self.count.map(|c| c.to_string()).unwrap_or_default();
        let rule_changed =
            self.freq != before.freq || until_text != before.until || count_text != before.count;
        if series && (rule_changed || event.prop("RRULE").is_none()) {
            event.remove_props(&["RRULE"]);
            if let Some(rule) = self.rrule() {
                event.push_prop(Prop::new("RRULE", &[], &rule));
            }
        }
        let reminder_text = self.reminder.map(|m| m.to_string()).unwrap_or_default();
        if reminder_text != before.reminder {
            event.remove_children("VALARM");
            if let Some(minutes) = self.reminder {
                let mut alarm = Comp::new("VALARM");
                alarm.push_prop(Prop::new("ACTION", &[], "DISPLAY"));
                alarm.push_prop(Prop::text(
                    "DESCRIPTION",
                    if self.title.is_empty() {
                        "Reminder"
                    } else {
                        &self.title
                    },
                ));
                alarm.push_prop(Prop::new("TRIGGER", &[], &format!("-PT{minutes}M")));
                event.push_child(alarm);
            }
        }
    }
}

fn new_uid() -> String {
    format!(
        "{}@calvault",
        crate::session::random_token().get(..32).unwrap_or_default()
    )
}

fn web_client() -> Client {
    Client::new("web")
}

pub async fn create(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<EventForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let fields = match fields(&form, signed.lang.text()) {
        Ok(fields) => fields,
        Err(message) => {
            let calendars = home::writable(&web, &signed).await?;
            let page = form_page(
                &signed,
                "/events".to_string(),
                None,
                form,
                &calendars,
                false,
                None,
            );
            return refused(page, message);
        }
    };
    let calendar_id = form
        .calendar
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::NotFound)?;
    let calendar = home::calendar(&web, &signed, calendar_id, Access::Write).await?;
    let uid = new_uid();
    let mut tree = Comp::new("VCALENDAR");
    tree.push_prop(Prop::new("VERSION", &[], "2.0"));
    tree.push_prop(Prop::new("PRODID", &[], calvault_ical::PRODID));
    let mut event = Comp::new("VEVENT");
    event.push_prop(Prop::new("UID", &[], &uid));
    event.push_prop(Prop::new(
        "CREATED",
        &[],
        &Utc::now().format("%Y%m%dT%H%M%SZ").to_string(),
    ));
    fields.apply(&mut event, true, &EventForm::default());
    tree.push_child(event);
    crate::vtimezone::complete(&mut tree, fields.year());
    let name = format!("{uid}.ics");
    let condition = Condition {
        if_match: None,
        if_none_match: true,
    };
    web.vault
        .put_object(
            signed.actor(),
            &calendar,
            &name,
            &tree.to_ics(),
            &condition,
            &web_client(),
        )
        .await?;
    Ok(see_other(&agenda_after(&fields)))
}

fn agenda_after(fields: &Fields) -> String {
    let day = match fields.start {
        Moment::Date(day) => day,
        Moment::Zoned(local, _) | Moment::Floating(local) => local.date(),
        Moment::Utc(at) => time::to_local(Tz::UTC, at).date(),
    };
    format!("/agenda?view=list&date={}", day.format("%Y-%m-%d"))
}

pub async fn update(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
    Form(form): Form<EventForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let at = form.at.trim().parse::<i64>().ok();
    let fields = match fields(&form, signed.lang.text()) {
        Ok(fields) => fields,
        Err(message) => {
            let page = edit_page(&web, &signed, calendar_id, &name, at, Some(form)).await?;
            return refused(page, message);
        }
    };
    let (calendar, _, mut tree) = object(&web, &signed, calendar_id, &name, Access::Write).await?;
    let tz = signed.tz;
    let before = master(&tree).map(|m| values_of(m, tz)).unwrap_or_default();
    match (at, form.scope.as_str()) {
        (Some(at), "this") => edit_occurrence(&mut tree, at, &fields, &before, tz)?,
        (Some(at), _) => {
            let master = master_mut(&mut tree).ok_or(WebError::NotFound)?;
            let shifted = shift_series(master, at, &fields, tz);
            shifted.apply(master, true, &before);
        }
        (None, _) => {
            let master = master_mut(&mut tree).ok_or(WebError::NotFound)?;
            fields.apply(master, true, &before);
        }
    }
    crate::vtimezone::complete(&mut tree, fields.year());
    let actor = signed.actor();
    web.vault
        .put_object(
            actor,
            &calendar,
            &name,
            &tree.to_ics(),
            &Condition::default(),
            &web_client(),
        )
        .await?;
    // Moving to another calendar moves the whole object, in one transaction.
    let target = form.calendar.trim().parse::<i64>().unwrap_or(calendar.id);
    if target != calendar.id && at.is_none_or(|_| form.scope != "this") {
        let to = home::calendar(&web, &signed, target, Access::Write).await?;
        web.vault
            .transfer_object(
                actor,
                &calendar,
                &name,
                &to,
                &name,
                false,
                false,
                &web_client(),
            )
            .await?;
    }
    Ok(see_other(&agenda_after(&fields)))
}

/// "This occurrence only": its override changes, or a new one is made from the master.
fn edit_occurrence(
    tree: &mut Comp,
    at: i64,
    fields: &Fields,
    before: &EventForm,
    tz: Tz,
) -> Result<(), WebError> {
    if let Some(existing) = override_mut(tree, at, tz) {
        fields.apply(existing, false, before);
        return Ok(());
    }
    let master = master(tree).ok_or(WebError::NotFound)?;
    let start = master
        .prop("DTSTART")
        .and_then(Moment::of)
        .ok_or(WebError::NotFound)?;
    let mut occurrence = master.clone();
    occurrence.remove_props(&["RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"]);
    occurrence.push_prop(start.same_form(at, Tz::UTC).prop("RECURRENCE-ID"));
    fields.apply(&mut occurrence, false, before);
    tree.push_child(occurrence);
    Ok(())
}

/// "All occurrences" from one occurrence's form: the series moves by as much as that
/// occurrence was moved, and takes the new length.
fn shift_series(master: &Comp, at: i64, fields: &Fields, tz: Tz) -> Fields {
    let Some(start) = master.prop("DTSTART").and_then(Moment::of) else {
        return fields.clone_with(fields.start, fields.end);
    };
    match (start, fields.start, fields.end) {
        (Moment::Date(day), Moment::Date(new_start), Moment::Date(new_end)) => {
            let old = time::to_local(Tz::UTC, at).date();
            let moved = day + (new_start - old);
            fields.clone_with(
                Moment::Date(moved),
                Moment::Date(moved + (new_end - new_start)),
            )
        }
        (old_start, new_start, new_end) if !old_start.is_date() && !new_start.is_date() => {
            let zone = match new_start {
                Moment::Zoned(_, zone) => zone,
                _ => Tz::UTC,
            };
            let delta = new_start.instant(zone) - at;
            let length = new_end.instant(zone) - new_start.instant(zone);
            let moved = old_start.instant(tz) + delta;
            let local = time::to_local(zone, moved);
            fields.clone_with(
                zoned(local, zone),
                zoned(time::to_local(zone, moved + length), zone),
            )
        }
        _ => fields.clone_with(fields.start, fields.end),
    }
}

impl Fields {
    /// The year whose zone rules the object's VTIMEZONE is written with.
    fn year(&self) -> i32 {
        match self.start {
            Moment::Zoned(local, _) | Moment::Floating(local) => local.year(),
            Moment::Date(day) => day.year(),
            Moment::Utc(at) => time::to_local(Tz::UTC, at).year(),
        }
    }

    fn clone_with(&self, start: Moment, end: Moment) -> Fields {
        Fields {
            title: self.title.clone(),
            start,
            end,
            location: self.location.clone(),
            description: self.description.clone(),
            freq: self.freq.clone(),
            until: self.until,
            count: self.count,
            reminder: self.reminder,
        }
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    scope: String,
}

pub async fn delete(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let (calendar, _, mut tree) = object(&web, &signed, calendar_id, &name, Access::Write).await?;
    let at = form.at.trim().parse::<i64>().ok();
    let client = web_client();
    match at {
        Some(at) if form.scope == "this" => {
            // RFC 5545 §3.8.5.1: an EXDATE in the form of DTSTART removes one occurrence.
            let tz = signed.tz;
            tree.nodes.retain(|node| match node {
                ics::Node::Comp(c) => {
                    !(c.name == "VEVENT"
                        && c.prop("RECURRENCE-ID")
                            .and_then(Moment::of)
                            .is_some_and(|m| recurrence_instant(m, tz) == at))
                }
                ics::Node::Prop(_) => true,
            });
            let master = master_mut(&mut tree).ok_or(WebError::NotFound)?;
            let start = master
                .prop("DTSTART")
                .and_then(Moment::of)
                .ok_or(WebError::NotFound)?;
            master.push_prop(start.same_form(at, Tz::UTC).prop("EXDATE"));
            web.vault
                .put_object(
                    signed.actor(),
                    &calendar,
                    &name,
                    &tree.to_ics(),
                    &Condition::default(),
                    &client,
                )
                .await?;
        }
        _ => {
            web.vault
                .delete_object(signed.actor(), &calendar, &name, None, &client)
                .await?
        }
    }
    Ok(see_other("/agenda"))
}
