//! Calendars: create, rename, recolour, delete (to the trash), share read or read-write, and
//! the CalDAV address to type into a phone, the calendar SyncML devices sync by default, and
//! private subscription (webcal) addresses.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use calvault_core::store::{CalendarPatch, ShareAccess};
use calvault_core::{Access, CalendarPath};
use calvault_syncml::SyncmlError;
use calvault_syncml::datastore::{
    default_calendar_id, set_default_calendar, settle_default_calendar,
};
use serde::Deserialize;

use crate::agenda::colour_of;
use crate::frame::{Frame, Nav, render, see_other};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::time::stamp;
use crate::{Shared, WebError, home};

pub struct Own {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub colour: String,
    pub url: String,
    pub shares: Vec<(String, &'static str)>,
    /// The calendar SyncML devices sync when they name none.
    pub syncml_default: bool,
    pub feeds: Vec<FeedRow>,
}

pub struct Mounted {
    pub id: i64,
    pub label: String,
    pub owner: String,
    pub access: &'static str,
    pub colour: String,
    pub feeds: Vec<FeedRow>,
}

/// A subscription address, listed by when it was made (its token is never shown again).
pub struct FeedRow {
    pub id: i64,
    pub created: String,
}

/// A subscription address just made: the calendar's label and the whole URL, shown once.
pub struct CreatedFeed {
    pub label: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarsPage {
    frame: Frame,
    own: Vec<Own>,
    shared: Vec<Mounted>,
    home_url: String,
    created_feed: Option<CreatedFeed>,
}

/// The address clients reach this server at, from the request (a proxy's headers first).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    format!("{proto}://{host}")
}

pub async fn page(
    State(web): State<Shared>,
    signed: Signed,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    render_page(&web, &signed, &headers, None).await
}

/// The user's subscription addresses by calendar id.
async fn feeds_by_calendar(
    web: &Shared,
    signed: &Signed,
) -> Result<HashMap<i64, Vec<FeedRow>>, WebError> {
    let mut feeds: HashMap<i64, Vec<FeedRow>> = HashMap::new();
    for (feed, calendar) in web
        .vault
        .list_webcals(signed.actor(), &signed.user.name)
        .await?
    {
        feeds.entry(calendar.id).or_default().push(FeedRow {
            id: feed.id,
            created: stamp(signed.tz, feed.created_at),
        });
    }
    Ok(feeds)
}

async fn render_page(
    web: &Shared,
    signed: &Signed,
    headers: &HeaderMap,
    created_feed: Option<CreatedFeed>,
) -> Result<Response, WebError> {
    let t = signed.lang.text();
    let base = base_url(headers);
    let user = &signed.user.name;
    let mut feeds = feeds_by_calendar(web, signed).await?;
    let syncml_default = web
        .vault
        .syncml_calendar(signed.user.id)
        .await?
        .map(|c| c.id);
    let mut own = Vec::new();
    for calendar in home::own(web, signed).await? {
        let path = CalendarPath {
            user: user.clone(),
            calendar: calendar.name.clone(),
        };
        let shares = web
            .vault
            .calendar_shares(signed.actor(), &path)
            .await?
            .into_iter()
            .map(|(grantee, share)| {
                (
                    grantee,
                    if share.access == ShareAccess::Read {
                        t.access_read
                    } else {
                        t.access_read_write
                    },
                )
            })
            .collect();
        own.push(Own {
            id: calendar.id,
            url: format!("{base}/dav/calendars/{user}/{}/", calendar.name),
            colour: colour_of(&calendar),
            syncml_default: syncml_default == Some(calendar.id),
            feeds: feeds.remove(&calendar.id).unwrap_or_default(),
            name: calendar.name,
            display_name: calendar.display_name,
            shares,
        });
    }
    let shared = web
        .vault
        .home_calendars(signed.actor(), &signed.user)
        .await?
        .into_iter()
        .filter_map(|entry| {
            let from = entry.shared?;
            Some(Mounted {
                id: entry.calendar.id,
                label: entry.calendar.display_name.clone(),
                owner: from.owner,
                access: if from.access == ShareAccess::Read {
                    t.access_read
                } else {
                    t.access_read_write
                },
                colour: colour_of(&entry.calendar),
                feeds: feeds.remove(&entry.calendar.id).unwrap_or_default(),
            })
        })
        .collect();
    render(&CalendarsPage {
        frame: Frame::new(signed, Nav::Calendars, "/calendars"),
        own,
        shared,
        home_url: format!("{base}/dav/"),
        created_feed,
    })
}

async fn own_path(web: &Shared, signed: &Signed, id: i64) -> Result<CalendarPath, WebError> {
    let calendar = home::own_calendar(web, signed, id).await?;
    Ok(CalendarPath {
        user: signed.user.name.clone(),
        calendar: calendar.name,
    })
}

/// `#rrggbb` from the colour input, or nothing.
fn colour(text: &str) -> Result<Option<String>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let valid = text.len() == 7
        && text.starts_with('#')
        && text[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        return Err(WebError::BadRequest(format!("invalid colour {text:?}")));
    }
    Ok(Some(text.to_ascii_uppercase()))
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    colour: String,
}

pub async fn create(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let path = CalendarPath::parse(&format!("{}/{}", signed.user.name, form.name.trim()))?;
    let display = Some(form.display_name.trim()).filter(|d| !d.is_empty());
    web.vault
        .create_calendar(signed.actor(), &path, display)
        .await?;
    if let Some(colour) = colour(&form.colour)? {
        let patch = CalendarPatch {
            color: Some(Some(colour)),
            ..CalendarPatch::default()
        };
        web.vault
            .update_calendar(signed.actor(), &path, patch)
            .await?;
    }
    Ok(see_other("/calendars"))
}

#[derive(Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    colour: String,
}

pub async fn update(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<UpdateForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let path = own_path(&web, &signed, id).await?;
    let display = form.display_name.trim();
    let patch = CalendarPatch {
        display_name: (!display.is_empty()).then(|| display.chars().take(200).collect()),
        color: colour(&form.colour)?.map(Some),
        ..CalendarPatch::default()
    };
    web.vault
        .update_calendar(signed.actor(), &path, patch)
        .await?;
    Ok(see_other("/calendars"))
}

pub async fn delete(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let path = own_path(&web, &signed, id).await?;
    let user = &signed.user.name;
    let before = default_calendar_id(&web.vault, user)
        .await
        .map_err(syncml_error)?;
    web.vault.delete_calendar(signed.actor(), &path).await?;
    // Trashing the calendar SyncML devices sync moves them to another one.
    settle_default_calendar(&web.vault, user, before)
        .await
        .map_err(syncml_error)?;
    Ok(see_other("/calendars"))
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    access: String,
}

pub async fn share(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let path = own_path(&web, &signed, id).await?;
    let access = ShareAccess::parse(&form.access).unwrap_or(ShareAccess::Read);
    web.vault
        .share_calendar(signed.actor(), &path, form.user.trim(), access)
        .await?;
    Ok(see_other("/calendars"))
}

pub async fn unshare(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let path = own_path(&web, &signed, id).await?;
    web.vault
        .unshare_calendar(signed.actor(), &path, form.user.trim())
        .await?;
    Ok(see_other("/calendars"))
}

fn syncml_error(error: SyncmlError) -> WebError {
    match error {
        SyncmlError::Core(core) => WebError::from(core),
        other => WebError::Internal(other.to_string()),
    }
}

#[derive(Deserialize)]
pub struct CalendarChoice {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    calendar: i64,
}

/// Chooses the calendar SyncML devices sync when they name none (`calendar`, `tasks`).
pub async fn set_syncml_default(
    State(web): State<Shared>,
    signed: Signed,
    Form(form): Form<CalendarChoice>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::own_calendar(&web, &signed, form.calendar).await?;
    set_default_calendar(
        &web.vault,
        signed.actor(),
        &signed.user.name,
        Some(&calendar.name),
    )
    .await
    .map_err(syncml_error)?;
    Ok(see_other("/calendars"))
}

/// Makes a subscription address for a calendar the user can read; its URL is shown in this
/// one answer and never again (only the token's hash is kept).
pub async fn subscribe(
    State(web): State<Shared>,
    signed: Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    let calendar = home::calendar(&web, &signed, id, Access::Read).await?;
    let owner = web
        .vault
        .store()
        .user(calendar.user_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let path = CalendarPath {
        user: owner.name,
        calendar: calendar.name,
    };
    let (_, token) = web
        .vault
        .add_webcal(signed.actor(), &signed.user.name, &path)
        .await?;
    let created = CreatedFeed {
        label: calendar.display_name,
        url: format!("{}/webcal/{token}.ics", base_url(&headers)),
    };
    render_page(&web, &signed, &headers, Some(created)).await
}

/// Revokes a subscription address: it answers 404 from the next request on.
pub async fn unsubscribe(
    State(web): State<Shared>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed.check_csrf(&form.csrf)?;
    web.vault
        .revoke_webcal(signed.actor(), &signed.user.name, id)
        .await?;
    Ok(see_other("/calendars"))
}
