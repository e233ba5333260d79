//! An event's history: its revisions (when, from where, what), any old version shown in full,
//! and restoring one, which writes a new revision and so can itself be undone.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use calvault_core::store::{Calendar, DeviceId, RevisionKind, RevisionMeta};
use calvault_core::{Access, Client};

use crate::frame::{Frame, Nav, render};
use crate::ics::{self, Comp, Moment};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::{self, stamp};
use crate::{Shared, WebError, home};

/// The address of the history of the object `uid` of a calendar.
pub fn href(calendar: i64, uid: &str) -> String {
    format!("/history/{calendar}/{}", time::url_encode(uid))
}

pub struct Row {
    pub seq: i64,
    pub when: String,
    pub source: String,
    pub device: Option<String>,
    pub deleted: bool,
    pub title: String,
    pub note: Option<String>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    frame: Frame,
    base: String,
    title: String,
    rows: Vec<Row>,
    /// The event's edit form, while it exists.
    event_href: Option<String>,
    /// After a restore: the revision whose restore undoes it.
    undo: Option<i64>,
}

/// One old version, with the fields people recognise and the iCalendar text itself.
#[derive(Template)]
#[template(path = "revision.html")]
struct RevisionPage {
    frame: Frame,
    base: String,
    seq: i64,
    when: String,
    source: String,
    deleted: bool,
    current: bool,
    fields: Vec<(&'static str, String)>,
    data: String,
}

/// Names of the devices behind revisions: each looked up once, and only if it is the
/// signed-in user's own (another user's device names are not theirs to see).
async fn device_names(
    web: &Shared,
    signed: &Signed,
    history: &[RevisionMeta],
) -> Result<HashMap<DeviceId, String>, WebError> {
    if history.iter().all(|r| r.device_id.is_none()) {
        return Ok(HashMap::new());
    }
    Ok(web
        .vault
        .list_devices(&signed.user.name)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

fn rows(
    signed: &Signed,
    history: &[RevisionMeta],
    devices: &HashMap<DeviceId, String>,
) -> Vec<Row> {
    let t = signed.lang.text();
    history
        .iter()
        .enumerate()
        .map(|(index, r)| Row {
            seq: r.seq,
            when: stamp(signed.tz, r.at),
            source: r.source.clone(),
            device: r.device_id.and_then(|id| devices.get(&id).cloned()),
            deleted: r.kind == RevisionKind::Delete,
            title: r.summary.clone().unwrap_or_else(|| t.untitled.to_string()),
            note: r.note.clone(),
            current: index == 0,
        })
        .collect()
}

async fn history_page(
    web: &Shared,
    signed: &Signed,
    calendar: &Calendar,
    uid: &str,
    undo: Option<i64>,
) -> Result<HistoryPage, WebError> {
    let t = signed.lang.text();
    let history = web
        .vault
        .object_history(signed.actor(), calendar, uid)
        .await?;
    let devices = device_names(web, signed, &history).await?;
    let live = web
        .vault
        .store()
        .object_by_uid(calendar.id, uid)
        .await
        .map_err(|e| WebError::from(calvault_core::CoreError::from(e)))?;
    let base = href(calendar.id, uid);
    Ok(HistoryPage {
        frame: Frame::new(signed, Nav::Agenda, base.clone()),
        title: history
            .iter()
            .find_map(|r| r.summary.clone())
            .unwrap_or_else(|| t.untitled.to_string()),
        rows: rows(signed, &history, &devices),
        event_href: live
            .map(|o| format!("/events/{}/{}", calendar.id, time::url_encode(&o.meta.name))),
        base,
        undo,
    })
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar, uid)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let calendar = home::calendar(&web, &signed, calendar, Access::Read).await?;
    render(&history_page(&web, &signed, &calendar, &uid, None).await?)
}

pub async fn revision(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar, uid, seq)): Path<(i64, String, i64)>,
) -> Result<Response, WebError> {
    let calendar = home::calendar(&web, &signed, calendar, Access::Read).await?;
    let revision = web
        .vault
        .object_revision(signed.actor(), &calendar, &uid, seq)
        .await?;
    let newest = web
        .vault
        .object_history(signed.actor(), &calendar, &uid)
        .await?
        .first()
        .map(|r| r.seq);
    let base = href(calendar.id, &uid);
    render(&RevisionPage {
        frame: Frame::new(&signed, Nav::Agenda, format!("{base}/{seq}")),
        seq,
        when: stamp(signed.tz, revision.meta.at),
        source: revision.meta.source.clone(),
        deleted: revision.meta.kind == RevisionKind::Delete,
        current: newest == Some(seq),
        fields: fields(&signed, &revision.data),
        data: revision.data,
        base,
    })
}

/// Title, times, place and description of the version's main component.
fn fields(signed: &Signed, data: &str) -> Vec<(&'static str, String)> {
    let t = signed.lang.text();
    let Some(tree) = ics::parse(data) else {
        return Vec::new();
    };
    let Some(main) = main_component(&tree) else {
        return Vec::new();
    };
    let moment = |name: &str| {
        main.prop(name).and_then(Moment::of).map(|m| match m {
            Moment::Date(day) => day.format("%Y-%m-%d").to_string(),
            other => other.local(signed.tz).format("%Y-%m-%d %H:%M").to_string(),
        })
    };
    [
        (t.title, main.text("SUMMARY")),
        (t.starts, moment("DTSTART")),
        (t.ends, moment("DTEND").or_else(|| moment("DUE"))),
        (t.location, main.text("LOCATION")),
        (t.description, main.text("DESCRIPTION")),
        (t.repeat, main.prop("RRULE").map(|p| p.value.clone())),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.filter(|v| !v.is_empty()).map(|v| (label, v)))
    .collect()
}

/// The event or task itself: the series' master when there are overrides.
fn main_component(tree: &Comp) -> Option<&Comp> {
    let mut items = tree
        .children()
        .filter(|c| matches!(c.name.as_str(), "VEVENT" | "VTODO" | "VJOURNAL"))
        .peekable();
    let first = items.peek().copied();
    items.find(|c| c.prop("RECURRENCE-ID").is_none()).or(first)
}

pub async fn restore(
    State(web): State<Shared>,
    signed: Signed,
    Path((calendar, uid, seq)): Path<(i64, String, i64)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::calendar(&web, &signed, calendar, Access::Write).await?;
    let restored = web
        .vault
        .restore_revision(signed.actor(), &calendar, &uid, seq, &Client::new("web"))
        .await?;
    let t = signed.lang.text();
    let mut page = history_page(&web, &signed, &calendar, &uid, Some(restored.undo)).await?;
    page.frame = page
        .frame
        .with_notice(Some(t.revision_restored.to_string()));
    render(&page)
}
