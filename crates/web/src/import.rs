//! Import of an .ics file: a dry run shows what would be created, updated or skipped as a
//! duplicate, then the same text is imported for real.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use calvault_core::{Access, ImportOutcome, ImportReport};
use serde::Deserialize;

use crate::backups::CalendarChoice;
use crate::frame::{Frame, Nav, render};
use crate::session::Signed;
use crate::{Shared, WebError, home};

/// The largest form an import posts (the file travels in it, twice after a preview).
pub const MAX_FILE: usize = 32 * 1024 * 1024;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    frame: Frame,
    calendars: Vec<CalendarChoice>,
    text: String,
    report: Option<Counts>,
    done: bool,
}

pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub duplicates: usize,
    pub failed: usize,
    pub errors: Vec<String>,
}

impl Counts {
    fn of(report: &ImportReport) -> Counts {
        Counts {
            created: report.count(ImportOutcome::Created),
            updated: report.count(ImportOutcome::Updated),
            duplicates: report.count(ImportOutcome::Duplicate),
            failed: report.count(ImportOutcome::Failed),
            errors: report
                .items
                .iter()
                .filter_map(|i| i.error.clone())
                .take(20)
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ImportQuery {
    #[serde(default)]
    calendar: Option<i64>,
}

async fn choices(
    web: &Shared,
    signed: &Signed,
    selected: Option<i64>,
) -> Result<Vec<CalendarChoice>, WebError> {
    let writable = home::writable(web, signed).await?;
    let selected = selected.or(writable.first().map(|c| c.calendar.id));
    Ok(writable
        .iter()
        .map(|c| CalendarChoice {
            id: c.calendar.id,
            label: crate::agenda::calendar_label(c),
            selected: Some(c.calendar.id) == selected,
        })
        .collect())
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<ImportQuery>,
) -> Result<Response, WebError> {
    render(&ImportPage {
        frame: Frame::new(&signed, Nav::Import, "/import"),
        calendars: choices(&web, &signed, query.calendar).await?,
        text: String::new(),
        report: None,
        done: false,
    })
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    calendar: String,
    #[serde(default)]
    ics: String,
    /// "preview" (a dry run) or "import".
    #[serde(default)]
    step: String,
}

pub async fn import(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<ImportForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let id = form
        .calendar
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::NotFound)?;
    let calendar = home::calendar(&web, &signed, id, Access::Write).await?;
    if form.ics.trim().is_empty() {
        return Err(WebError::BadRequest(
            signed.lang.text().ics_file.to_string(),
        ));
    }
    let dry_run = form.step != "import";
    let report = web
        .vault
        .import(signed.actor(), &calendar, &form.ics, dry_run)
        .await?;
    let t = signed.lang.text();
    let notice = (!dry_run).then(|| t.import_done.to_string());
    render(&ImportPage {
        frame: Frame::new(&signed, Nav::Import, "/import").with_notice(notice),
        calendars: choices(&web, &signed, Some(calendar.id)).await?,
        text: if dry_run { form.ics } else { String::new() },
        report: Some(Counts::of(&report)),
        done: !dry_run,
    })
}
