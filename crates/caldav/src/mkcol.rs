//! MKCOL (RFC 4918 §9.3) and extended MKCOL (RFC 5689): a plain collection, or a calendar
//! when the resourcetype asks for one.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::store::DavFileChange;
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{ProppatchOperation, parse_mkcol};

use crate::error::text;
use crate::mkcalendar::{calendar_location, create_calendar};
use crate::plain::{check_parent, new_file};
use crate::proppatch::plan_dead_update;
use crate::resource::{Resource, plain_href, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn mkcol(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    // RFC 4918 §9.3: a body we do not understand is 415.
    let extended = parse_mkcol(&request.body).map_err(|_| {
        DavError::Status(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported MKCOL body")
    })?;
    let resource = resolve(ctx, &request.path).await?;
    if let Some(extended) = &extended
        && extended
            .resource_type
            .as_ref()
            .is_some_and(|types| types.contains(&caldav::CALENDAR))
    {
        let name = calendar_location(&resource)?;
        return create_calendar(ctx, &name, extended.properties.clone()).await;
    }
    let path = match resource {
        Resource::Plain {
            path, file: None, ..
        } => path,
        Resource::Object { object: None, .. } => {
            return Err(DavError::forbidden(caldav::CALENDAR_COLLECTION_LOCATION_OK));
        }
        _ => {
            return Err(DavError::Status(
                StatusCode::METHOD_NOT_ALLOWED,
                "the resource exists",
            ));
        }
    };
    if let Some(types) = extended.as_ref().and_then(|e| e.resource_type.as_ref())
        && types.iter().any(|t| *t != dav::COLLECTION)
    {
        return Err(DavError::forbidden(dav::VALID_RESOURCETYPE));
    }
    check_parent(ctx, &path).await?;
    let mut collection = new_file(ctx, &path, true, Vec::new(), None);
    if let Some(extended) = extended {
        let operations: Vec<ProppatchOperation> = extended
            .properties
            .into_iter()
            .map(ProppatchOperation::Set)
            .collect();
        let (properties, results) = plan_dead_update(&collection.properties, &operations);
        if results.iter().any(|(_, r)| r.is_err()) {
            let body = calvault_dav_proto::mkcol_response_body(results);
            return Ok(crate::error::xml(StatusCode::FORBIDDEN, body));
        }
        collection.properties = properties;
    }
    ctx.vault()
        .write_dav_files(
            ctx.actor(),
            &ctx.session.user,
            vec![DavFileChange::Put(collection)],
        )
        .await?;
    let mut response = text(StatusCode::CREATED, "created");
    let href = plain_href(&ctx.session.user.name, &path, true);
    if let Ok(location) = HeaderValue::from_str(&calvault_dav_proto::encode_href(&href)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
