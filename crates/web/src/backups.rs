//! Backups: the snapshots of a calendar, "back up now", a restore previewed then run (and
//! undoable), and any snapshot as an .ics download.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use calvault_core::store::Calendar;
use calvault_core::{Access, DiffEntry, SnapshotDiff};
use serde::Deserialize;

use crate::frame::{Frame, Nav, render, see_other};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::stamp;
use crate::{Shared, WebError, home};

/// The newest snapshots shown; counting each one's events is a query, so the list is bounded.
const SHOWN: usize = 50;

pub struct Row {
    pub id: i64,
    pub when: String,
    pub reason: String,
    pub automatic: bool,
    pub events: u64,
}

pub struct CalendarChoice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "backups.html")]
struct BackupsPage {
    frame: Frame,
    calendars: Vec<CalendarChoice>,
    calendar_id: i64,
    rows: Vec<Row>,
    more: bool,
}

#[derive(Deserialize, Default)]
pub struct BackupsQuery {
    #[serde(default)]
    calendar: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

/// The calendar the page is about: the one asked for (if the user's), else the default
/// calendar, else the first.
pub async fn chosen(
    web: &Shared,
    signed: &Signed,
    id: Option<i64>,
) -> Result<(Calendar, Vec<Calendar>), WebError> {
    let own = home::own(web, signed).await?;
    let calendar = match id {
        Some(id) => home::own_calendar(web, signed, id).await?,
        None => own
            .iter()
            .find(|c| c.name == calvault_core::DEFAULT_CALENDAR)
            .or(own.first())
            .cloned()
            .ok_or(WebError::NotFound)?,
    };
    Ok((calendar, own))
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<BackupsQuery>,
) -> Result<Response, WebError> {
    let t = signed.lang.text();
    let (calendar, own) = chosen(&web, &signed, query.calendar).await?;
    let snapshots = web.vault.list_snapshots(signed.actor(), &calendar).await?;
    let more = snapshots.len() > SHOWN;
    let mut rows = Vec::with_capacity(SHOWN);
    for snapshot in snapshots.into_iter().take(SHOWN) {
        rows.push(Row {
            events: web.vault.snapshot_size(&snapshot).await?,
            id: snapshot.id,
            when: stamp(signed.tz, snapshot.created_at),
            reason: if snapshot.automatic {
                snapshot.reason
            } else {
                snapshot.label
            },
            automatic: snapshot.automatic,
        });
    }
    let notice = match query.done.as_deref() {
        Some("snapshot") => Some(t.snapshot_taken.to_string()),
        _ => None,
    };
    render(&BackupsPage {
        frame: Frame::new(
            &signed,
            Nav::Backups,
            format!("/backups?calendar={}", calendar.id),
        )
        .with_notice(notice),
        calendars: choices(&own, calendar.id),
        calendar_id: calendar.id,
        rows,
        more,
    })
}

/// The calendar picker of the pages about one of the user's own calendars.
pub fn choices(own: &[Calendar], selected: i64) -> Vec<CalendarChoice> {
    own.iter()
        .map(|c| CalendarChoice {
            id: c.id,
            label: c.display_name.clone(),
            selected: c.id == selected,
        })
        .collect()
}

pub async fn back_up_now(
    State(web): State<Shared>,
    signed: Signed,
    Path(calendar): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::own_calendar(&web, &signed, calendar).await?;
    web.vault
        .create_snapshot(signed.actor(), &calendar, "backup from the web page")
        .await?;
    Ok(see_other(&format!(
        "/backups?calendar={}&done=snapshot",
        calendar.id
    )))
}

#[derive(Template)]
#[template(path = "restore.html")]
struct RestorePage {
    frame: Frame,
    snapshot_id: i64,
    calendar_id: i64,
    when: String,
    sections: Vec<Section>,
    done: bool,
    undo: Option<i64>,
}

/// The snapshot, if it is of one of the user's own calendars (404 otherwise).
async fn own_snapshot(
    web: &Shared,
    signed: &Signed,
    id: i64,
    access: Access,
) -> Result<(calvault_core::store::Snapshot, Calendar), WebError> {
    let (snapshot, calendar) = web.vault.snapshot(signed.actor(), id, access).await?;
    if calendar.user_id != signed.user.id || calendar.deleted_at.is_some() {
        return Err(WebError::NotFound);
    }
    Ok((snapshot, calendar))
}

pub async fn preview(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (snapshot, calendar) = own_snapshot(&web, &signed, id, Access::Read).await?;
    let diff = web.vault.diff_snapshot(signed.actor(), id).await?;
    render(&RestorePage {
        frame: Frame::new(&signed, Nav::Backups, format!("/snapshots/{id}/restore")),
        snapshot_id: id,
        calendar_id: calendar.id,
        when: stamp(signed.tz, snapshot.created_at),
        sections: sections(&signed, diff),
        done: false,
        undo: None,
    })
}

pub async fn restore(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let (snapshot, calendar) = own_snapshot(&web, &signed, id, Access::Write).await?;
    let report = web
        .vault
        .restore_snapshot(signed.actor(), id, false)
        .await?;
    let t = signed.lang.text();
    render(&RestorePage {
        frame: Frame::new(
            &signed,
            Nav::Backups,
            format!("/backups?calendar={}", calendar.id),
        )
        .with_notice(Some(t.restore_done.to_string())),
        snapshot_id: id,
        calendar_id: calendar.id,
        when: stamp(signed.tz, snapshot.created_at),
        sections: sections(&signed, report.diff),
        done: true,
        undo: report.undo.map(|s| s.id),
    })
}

pub async fn download(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (snapshot, calendar) = own_snapshot(&web, &signed, id, Access::Read).await?;
    let (_, bytes) = web
        .vault
        .export(signed.actor(), &calendar, Some(snapshot.id), Vec::new())
        .await?;
    let file = format!("{}-snapshot-{}.ics", calendar.name, snapshot.id);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// One list of the preview: a heading and the titles of the events it concerns.
pub struct Section {
    pub heading: &'static str,
    pub titles: Vec<String>,
}

fn sections(signed: &Signed, diff: SnapshotDiff) -> Vec<Section> {
    let t = signed.lang.text();
    let titles = |entries: Vec<DiffEntry>| {
        entries
            .into_iter()
            .map(|e| e.summary.unwrap_or_else(|| t.untitled.to_string()))
            .collect::<Vec<_>>()
    };
    [
        (t.will_bring_back, diff.bring_back),
        (t.will_remove, diff.remove),
        (t.will_change, diff.change),
    ]
    .into_iter()
    .filter(|(_, entries)| !entries.is_empty())
    .map(|(heading, entries)| Section {
        heading,
        titles: titles(entries),
    })
    .collect()
}
