//! Duplicates: the groups of twins found in one of the user's calendars (a dry run of the
//! dedupe), then the merge, which keeps the richest copy of each group after an automatic
//! snapshot that undoes it.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use calvault_core::{DedupeGroup, DiffEntry};
use serde::Deserialize;

use crate::backups::CalendarChoice;
use crate::frame::{Frame, Nav, render};
use crate::i18n::fill;
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::{Shared, WebError, home};

/// One group as shown: the title kept and the titles that go to the trash.
pub struct Group {
    pub keep: String,
    pub remove: Vec<String>,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    frame: Frame,
    calendars: Vec<CalendarChoice>,
    calendar_id: i64,
    groups: Vec<Group>,
    /// How many copies the merge moves (or moved) to the trash.
    removed: usize,
    done: bool,
    /// The snapshot taken before the merge: restoring it undoes the merge.
    undo: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    calendar: Option<i64>,
}

fn groups(signed: &Signed, found: Vec<DedupeGroup>) -> Vec<Group> {
    let t = signed.lang.text();
    let title = |e: DiffEntry| e.summary.unwrap_or_else(|| t.untitled.to_string());
    found
        .into_iter()
        .map(|g| Group {
            keep: title(g.keep),
            remove: g.remove.into_iter().map(title).collect(),
        })
        .collect()
}

/// The preview: the merge as a dry run, which changes nothing.
pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    let (calendar, calendars) = crate::backups::chosen(&web, &signed, query.calendar).await?;
    let report = web.vault.dedupe(signed.actor(), &calendar, true).await?;
    render(&DuplicatesPage {
        frame: Frame::new(
            &signed,
            Nav::Duplicates,
            format!("/duplicates?calendar={}", calendar.id),
        ),
        calendars: crate::backups::choices(&calendars, calendar.id),
        calendar_id: calendar.id,
        removed: report.removed(),
        groups: groups(&signed, report.groups),
        done: false,
        undo: None,
    })
}

pub async fn merge(
    State(web): State<Shared>,
    signed: Signed,
    Path(calendar): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::own_calendar(&web, &signed, calendar).await?;
    let calendars = home::own(&web, &signed).await?;
    let report = web.vault.dedupe(signed.actor(), &calendar, false).await?;
    let t = signed.lang.text();
    let removed = report.removed();
    render(&DuplicatesPage {
        frame: Frame::new(
            &signed,
            Nav::Duplicates,
            format!("/duplicates?calendar={}", calendar.id),
        )
        .with_notice(Some(fill(t.duplicates_merged, &[&removed.to_string()]))),
        calendars: crate::backups::choices(&calendars, calendar.id),
        calendar_id: calendar.id,
        removed,
        groups: groups(&signed, report.groups),
        done: true,
        undo: report.snapshot.map(|s| s.id),
    })
}
