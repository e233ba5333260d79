//! Archive: events of one of the user's calendars that ended before a date, previewed (a dry
//! run), then moved into the archive calendar after automatic snapshots that undo the move.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use calvault_core::ARCHIVE_CALENDAR;
use calvault_core::store::Calendar;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::backups::CalendarChoice;
use crate::frame::{Frame, Nav, render};
use crate::i18n::fill;
use crate::session::Signed;
use crate::{Shared, WebError, home, time};

/// Titles listed; an archive of years of events counts the rest instead of listing them.
const SHOWN: usize = 200;

/// A snapshot restoring which undoes the move, with the calendar it is of.
pub struct Undo {
    pub snapshot: i64,
    pub calendar: String,
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    frame: Frame,
    calendars: Vec<CalendarChoice>,
    calendar_id: i64,
    before: String,
    /// Whether a date was given: the page then shows what moves.
    previewed: bool,
    titles: Vec<String>,
    count: usize,
    more: usize,
    done: bool,
    undo: Vec<Undo>,
}

#[derive(Deserialize, Default)]
pub struct ArchiveQuery {
    #[serde(default)]
    calendar: Option<i64>,
    #[serde(default)]
    before: String,
}

#[derive(Deserialize)]
pub struct ArchiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    before: String,
}

/// The user's calendars that can be archived: all but the archive itself.
async fn sources(web: &Shared, signed: &Signed) -> Result<Vec<Calendar>, WebError> {
    Ok(home::own(web, signed)
        .await?
        .into_iter()
        .filter(|c| c.name != ARCHIVE_CALENDAR)
        .collect())
}

fn parse_before(text: &str) -> Result<NaiveDate, WebError> {
    time::parse_date(text).ok_or_else(|| WebError::BadRequest(format!("not a date: {text}")))
}

struct Listing {
    titles: Vec<String>,
    count: usize,
    more: usize,
}

fn listing(signed: &Signed, moved: Vec<calvault_core::DiffEntry>) -> Listing {
    let t = signed.lang.text();
    let count = moved.len();
    let titles = moved
        .into_iter()
        .take(SHOWN)
        .map(|e| e.summary.unwrap_or_else(|| t.untitled.to_string()))
        .collect();
    Listing {
        titles,
        count,
        more: count.saturating_sub(SHOWN),
    }
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    Query(query): Query<ArchiveQuery>,
) -> Result<Response, WebError> {
    let calendars = sources(&web, &signed).await?;
    let calendar = match query.calendar {
        Some(id) => home::own_calendar(&web, &signed, id).await?,
        None => calendars
            .iter()
            .find(|c| c.name == calvault_core::DEFAULT_CALENDAR)
            .or(calendars.first())
            .cloned()
            .ok_or(WebError::NotFound)?,
    };
    let mut listing = Listing {
        titles: Vec::new(),
        count: 0,
        more: 0,
    };
    let previewed = !query.before.trim().is_empty();
    if previewed {
        let before = time::day_start(signed.tz, parse_before(query.before.trim())?);
        let report = web
            .vault
            .archive(signed.actor(), &calendar, before, true)
            .await?;
        listing = self::listing(&signed, report.moved);
    }
    render(&ArchivePage {
        frame: Frame::new(
            &signed,
            Nav::Archive,
            format!(
                "/archive?calendar={}&before={}",
                calendar.id,
                time::url_encode(query.before.trim())
            ),
        ),
        calendars: crate::backups::choices(&calendars, calendar.id),
        calendar_id: calendar.id,
        before: query.before.trim().to_string(),
        previewed,
        titles: listing.titles,
        count: listing.count,
        more: listing.more,
        done: false,
        undo: Vec::new(),
    })
}

pub async fn run(
    State(web): State<Shared>,
    signed: Signed,
    Path(calendar): Path<i64>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::own_calendar(&web, &signed, calendar).await?;
    let day = parse_before(form.before.trim())?;
    let report = web
        .vault
        .archive(
            signed.actor(),
            &calendar,
            time::day_start(signed.tz, day),
            false,
        )
        .await?;
    let calendars = sources(&web, &signed).await?;
    let archive_name = report
        .archive
        .as_ref()
        .map(|a| a.display_name.clone())
        .unwrap_or_default();
    // The snapshots come in the order the vault took them: the source, then the archive.
    let undo = report
        .snapshots
        .iter()
        .zip([calendar.display_name.clone(), archive_name])
        .map(|(s, name)| Undo {
            snapshot: s.id,
            calendar: name,
        })
        .collect();
    let t = signed.lang.text();
    let listing = listing(&signed, report.moved);
    render(&ArchivePage {
        frame: Frame::new(
            &signed,
            Nav::Archive,
            format!("/archive?calendar={}", calendar.id),
        )
        .with_notice(Some(fill(t.archived_count, &[&listing.count.to_string()]))),
        calendars: crate::backups::choices(&calendars, calendar.id),
        calendar_id: calendar.id,
        before: form.before.trim().to_string(),
        previewed: true,
        titles: listing.titles,
        count: listing.count,
        more: listing.more,
        done: true,
        undo,
    })
}
