//! Calendars: create, rename, recolour, delete (to the trash), share read or read-write, and
//! the CalDAV address to type into a phone.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use calvault_core::CalendarPath;
use calvault_core::store::{CalendarPatch, ShareAccess};
use serde::Deserialize;

use crate::agenda::colour_of;
use crate::frame::{Frame, Nav, render, see_other};
use crate::session::Signed;
use crate::signin::CsrfForm;
use crate::{Shared, WebError, home};

pub struct Own {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub colour: String,
    pub url: String,
    pub shares: Vec<(String, &'static str)>,
}

pub struct Mounted {
    pub label: String,
    pub owner: String,
    pub access: &'static str,
    pub colour: String,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct CalendarsPage {
    frame: Frame,
    own: Vec<Own>,
    shared: Vec<Mounted>,
    home_url: String,
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
    let t = signed.lang.text();
    let base = base_url(&headers);
    let user = &signed.user.name;
    let mut own = Vec::new();
    for calendar in home::own(&web, &signed).await? {
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
                label: entry.calendar.display_name.clone(),
                owner: from.owner,
                access: if from.access == ShareAccess::Read {
                    t.access_read
                } else {
                    t.access_read_write
                },
                colour: colour_of(&entry.calendar),
            })
        })
        .collect();
    render(&CalendarsPage {
        frame: Frame::new(&signed, Nav::Calendars, "/calendars"),
        own,
        shared,
        home_url: format!("{base}/dav/"),
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
    web.vault.delete_calendar(signed.actor(), &path).await?;
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
