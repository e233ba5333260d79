//! Tasks from the agenda's task list: marked done or not done, and their title and due date
//! edited, through `Vault::put_object` like events so that every sync client sees the change.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use calvault_core::store::Calendar;
use calvault_core::{Access, Client, Condition};
use chrono::{Datelike, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::event_form::Choice;
use crate::frame::{Frame, Nav, render, see_other};
use crate::i18n::fill;
use crate::ics::{self, Comp, Moment, Prop};
use crate::session::Signed;
use crate::time::{self, COMMON_ZONES};
use crate::{Shared, WebError, home};

/// The task's URL on the pages.
pub fn href(calendar: i64, name: &str) -> String {
    format!("/tasks/{calendar}/{}", time::url_encode(name))
}

#[derive(Deserialize, Default, Clone)]
pub struct TaskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    due_time: String,
    #[serde(default)]
    tz: String,
}

#[derive(Template)]
#[template(path = "task_form.html")]
struct TaskPage {
    frame: Frame,
    action: String,
    values: TaskForm,
    zones: Vec<Choice>,
    done: bool,
    error: Option<String>,
}

/// The stored task after the access check (404 for anyone else's), parsed.
async fn task(
    web: &Shared,
    signed: &Signed,
    calendar: i64,
    name: &str,
    access: Access,
) -> Result<(Calendar, Comp), WebError> {
    let calendar = home::calendar(web, signed, calendar, access).await?;
    let stored = web
        .vault
        .get_object(signed.actor(), &calendar, name)
        .await?;
    let tree = ics::parse(&stored.data)
        .filter(|tree| todo(tree).is_some())
        .ok_or(WebError::NotFound)?;
    Ok((calendar, tree))
}

/// The task itself: the VTODO without RECURRENCE-ID (a series' master), else the first.
fn todo(tree: &Comp) -> Option<&Comp> {
    let todos: Vec<&Comp> = tree.children().filter(|c| c.name == "VTODO").collect();
    todos
        .iter()
        .find(|c| c.prop("RECURRENCE-ID").is_none())
        .or(todos.first())
        .copied()
}

fn todo_mut(tree: &mut Comp) -> Option<&mut Comp> {
    let index = tree
        .children()
        .position(|c| c.name == "VTODO" && c.prop("RECURRENCE-ID").is_none())
        .or_else(|| tree.children().position(|c| c.name == "VTODO"))?;
    tree.children_mut().nth(index)
}

pub fn is_done(todo: &Comp) -> bool {
    todo.prop("STATUS")
        .is_some_and(|s| s.value.trim().eq_ignore_ascii_case("COMPLETED"))
        || todo.prop("COMPLETED").is_some()
}

fn values_of(todo: &Comp, tz: Tz) -> TaskForm {
    let mut values = TaskForm {
        title: todo.text("SUMMARY").unwrap_or_default(),
        tz: tz.name().to_string(),
        ..TaskForm::default()
    };
    match todo.prop("DUE").and_then(Moment::of) {
        Some(Moment::Date(day)) => values.due_date = day.format("%Y-%m-%d").to_string(),
        Some(due) => {
            let zone = match due {
                Moment::Zoned(_, zone) => zone,
                Moment::Utc(_) => Tz::UTC,
                _ => tz,
            };
            let local = due.local(zone);
            values.due_date = local.date().format("%Y-%m-%d").to_string();
            values.due_time = time::hm(local);
            values.tz = zone.name().to_string();
        }
        None => {}
    }
    values
}

fn page(signed: &Signed, action: String, values: TaskForm, done: bool) -> TaskPage {
    let mut zones: Vec<&str> = COMMON_ZONES.to_vec();
    for extra in [values.tz.as_str(), signed.tz.name()] {
        if !extra.is_empty() && !zones.contains(&extra) {
            zones.push(extra);
        }
    }
    let zones = zones
        .into_iter()
        .map(|z| Choice {
            value: z.to_string(),
            label: z.to_string(),
            selected: z == values.tz,
        })
        .collect();
    TaskPage {
        frame: Frame::new(signed, Nav::Agenda, action.clone()),
        action,
        values,
        zones,
        done,
        error: None,
    }
}

pub async fn edit_form(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (calendar, tree) = task(&web, &signed, calendar_id, &name, Access::Write).await?;
    let todo = todo(&tree).ok_or(WebError::NotFound)?;
    let values = values_of(todo, signed.tz);
    render(&page(
        &signed,
        href(calendar.id, &name),
        values,
        is_done(todo),
    ))
}

/// The due moment the form asks for (None: no due date), or what to correct.
fn due_of(form: &TaskForm, t: &crate::i18n::Text) -> Result<Option<Moment>, String> {
    let unreadable = |what: &str| fill(t.error_unreadable, &[what]);
    if form.title.trim().is_empty() {
        return Err(t.error_title_empty.to_string());
    }
    if form.due_date.trim().is_empty() {
        return Ok(None);
    }
    let day = time::parse_date(&form.due_date).ok_or_else(|| unreadable(t.due))?;
    if form.due_time.trim().is_empty() {
        return Ok(Some(Moment::Date(day)));
    }
    let at = time::parse_time(&form.due_time).ok_or_else(|| unreadable(t.due_time))?;
    let zone = ics::zone_named(&form.tz).ok_or_else(|| unreadable(t.time_zone))?;
    Ok(Some(zoned(day.and_time(at), zone)))
}

fn zoned(local: NaiveDateTime, zone: Tz) -> Moment {
    if zone == Tz::UTC {
        Moment::Utc(local.and_utc().timestamp())
    } else {
        Moment::Zoned(local, zone)
    }
}

fn stamp_now(todo: &mut Comp) {
    let now = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    todo.remove_props(&["DTSTAMP", "LAST-MODIFIED"]);
    todo.push_prop(Prop::new("DTSTAMP", &[], &now));
    todo.push_prop(Prop::new("LAST-MODIFIED", &[], &now));
}

async fn save(
    web: &Shared,
    signed: &Signed,
    calendar: &Calendar,
    name: &str,
    tree: &Comp,
) -> Result<(), WebError> {
    web.vault
        .put_object(
            signed.actor(),
            calendar,
            name,
            &tree.to_ics(),
            &Condition::default(),
            &Client::new("web"),
        )
        .await?;
    Ok(())
}

pub async fn update(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
    Form(form): Form<TaskForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let (calendar, mut tree) = task(&web, &signed, calendar_id, &name, Access::Write).await?;
    let t = signed.lang.text();
    let done = todo(&tree).is_some_and(is_done);
    let refuse = |form: TaskForm, message: String| -> Result<Response, WebError> {
        let mut page = page(&signed, href(calendar.id, &name), form, done);
        page.error = Some(message);
        let mut response = render(&page)?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    };
    let due = match due_of(&form, t) {
        Ok(due) => due,
        Err(message) => return refuse(form, message),
    };
    let todo = todo_mut(&mut tree).ok_or(WebError::NotFound)?;
    // RFC 5545 §3.8.2.3: a DUE must not come before the task's DTSTART.
    let start = todo.prop("DTSTART").and_then(Moment::of);
    if let (Some(start), Some(due)) = (start, due)
        && due.instant(signed.tz) < start.instant(signed.tz)
    {
        return refuse(form, t.error_end_before_start.to_string());
    }
    let due_changed = todo.prop("DUE").and_then(Moment::of) != due;
    todo.remove_props(&["SUMMARY", "DUE"]);
    todo.push_prop(Prop::text("SUMMARY", form.title.trim()));
    if let Some(due) = due {
        // DUE and DURATION exclude each other (RFC 5545 §3.6.2).
        todo.remove_props(&["DURATION"]);
        todo.push_prop(due.prop("DUE"));
    }
    if due_changed {
        let sequence = todo
            .prop("SEQUENCE")
            .and_then(|p| p.value.trim().parse::<u32>().ok())
            .unwrap_or(0);
        todo.remove_props(&["SEQUENCE"]);
        todo.push_prop(Prop::new("SEQUENCE", &[], &(sequence + 1).to_string()));
    }
    stamp_now(todo);
    let year = match due {
        Some(Moment::Zoned(local, _)) => local.year(),
        _ => time::today(signed.tz).year(),
    };
    crate::vtimezone::complete(&mut tree, year);
    save(&web, &signed, &calendar, &name, &tree).await?;
    Ok(see_other("/agenda?view=list"))
}

#[derive(Deserialize, Default)]
pub struct DoneForm {
    #[serde(default)]
    csrf: String,
    /// `1`: done; anything else: not done.
    #[serde(default)]
    done: String,
    /// The agenda page the list was on, to go back to.
    #[serde(default)]
    back: String,
}

/// RFC 5545 §3.8.1.11 and §3.8.2.1: a done task is STATUS:COMPLETED with the COMPLETED
/// instant; undone, it is NEEDS-ACTION again and loses both COMPLETED and its percentage.
pub async fn set_done(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar_id, name)): Path<(i64, String)>,
    Form(form): Form<DoneForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let (calendar, mut tree) = task(&web, &signed, calendar_id, &name, Access::Write).await?;
    let todo = todo_mut(&mut tree).ok_or(WebError::NotFound)?;
    todo.remove_props(&["STATUS", "COMPLETED", "PERCENT-COMPLETE"]);
    if form.done == "1" {
        let now = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        todo.push_prop(Prop::new("STATUS", &[], "COMPLETED"));
        todo.push_prop(Prop::new("COMPLETED", &[], &now));
        todo.push_prop(Prop::new("PERCENT-COMPLETE", &[], "100"));
    } else {
        todo.push_prop(Prop::new("STATUS", &[], "NEEDS-ACTION"));
    }
    stamp_now(todo);
    save(&web, &signed, &calendar, &name, &tree).await?;
    Ok(see_other(back_to(&form.back)))
}

/// Only an agenda page of this site: never a redirect elsewhere.
fn back_to(back: &str) -> &str {
    if back.starts_with("/agenda") && !back.contains("//") && !back.contains('\\') {
        back
    } else {
        "/agenda"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goes_back_only_to_the_agenda() {
        assert_eq!(
            back_to("/agenda?view=list&date=2026-01-05"),
            "/agenda?view=list&date=2026-01-05"
        );
        assert_eq!(back_to("https://evil.example/"), "/agenda");
        assert_eq!(back_to("/agenda//evil.example"), "/agenda");
        assert_eq!(back_to(""), "/agenda");
    }
}
