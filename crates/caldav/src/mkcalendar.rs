//! MKCALENDAR (RFC 4791 §5.3.1): a calendar directly in the user's home, with or without a
//! body of properties.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::{CalendarPath, CoreError};
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{PropValueXml, ProppatchOperation, parse_mkcalendar};

use crate::error::text;
use crate::proppatch::plan_calendar_update;
use crate::resource::{Resource, calendar_href, resolve};
use crate::{Ctx, DavError, DavRequest};

/// The components of a calendar created without CALDAV:supported-calendar-component-set.
const DEFAULT_COMPONENTS: [&str; 3] = ["VEVENT", "VTODO", "VJOURNAL"];

pub(crate) async fn mkcalendar(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    let body = parse_mkcalendar(&request.body)?;
    let resource = resolve(ctx, &request.path).await?;
    let name = calendar_location(&resource)?;
    create_calendar(ctx, &name, body.properties).await
}

/// The name of a calendar to create at `resource`: only directly in the home, where nothing is.
pub(crate) fn calendar_location(resource: &Resource) -> Result<String, DavError> {
    match resource {
        Resource::Plain {
            path, file: None, ..
        } if !path.contains('/') => Ok(path.clone()),
        Resource::Plain { file: Some(_), .. } | Resource::Calendar(_) => Err(DavError::Condition {
            status: StatusCode::METHOD_NOT_ALLOWED,
            condition: dav::RESOURCE_MUST_BE_NULL,
            href: None,
        }),
        _ => Err(DavError::forbidden(caldav::CALENDAR_COLLECTION_LOCATION_OK)),
    }
}

/// Creates the calendar and applies `properties`; 201 with a Location.
pub(crate) async fn create_calendar(
    ctx: &Ctx,
    name: &str,
    properties: Vec<PropValueXml>,
) -> Result<Response, DavError> {
    let path = CalendarPath {
        user: ctx.session.user.name.clone(),
        calendar: name.to_string(),
    };
    let calendar = match ctx.vault().create_calendar(ctx.actor(), &path, None).await {
        Ok(calendar) => calendar,
        Err(CoreError::Invalid(_)) => {
            return Err(DavError::forbidden(caldav::CALENDAR_COLLECTION_LOCATION_OK));
        }
        Err(other) => return Err(other.into()),
    };
    let operations: Vec<ProppatchOperation> = properties
        .into_iter()
        .map(ProppatchOperation::Set)
        .collect();
    {
        let (mut patch, results) = plan_calendar_update(&calendar, &operations, true);
        // RFC 4791 §5.2.3: without a component set the calendar takes every type we store.
        if patch.components.is_none() {
            patch.components = Some(DEFAULT_COMPONENTS.iter().map(|c| c.to_string()).collect());
        }
        if results.iter().any(|(_, r)| r.is_err()) {
            // RFC 4791 §5.3.1: a property that cannot be set fails the whole MKCALENDAR.
            ctx.vault().discard_new_calendar(ctx.actor(), &path).await?;
            let body = calvault_dav_proto::mkcalendar_response_body(results);
            return Ok(crate::error::xml(StatusCode::FORBIDDEN, body));
        }
        ctx.vault()
            .update_calendar(ctx.actor(), &path, patch)
            .await?;
    }
    let mut response = text(StatusCode::CREATED, "created");
    if let Ok(location) = HeaderValue::from_str(&calendar_href(&path.user, name)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
