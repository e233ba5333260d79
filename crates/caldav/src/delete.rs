//! DELETE (RFC 4918 §9.6): objects and calendars go to the trash; plain resources go.

use axum::http::StatusCode;
use axum::response::Response;
use calvault_core::store::DavFileChange;
use calvault_core::{CalendarPath, ETag};
use calvault_dav_proto::name::dav;
use calvault_dav_proto::{EntityTag, EtagList};

use crate::error::empty;
use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn delete(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    let if_match = request
        .header("if-match")
        .map(EtagList::parse)
        .transpose()?;
    let resource = resolve(ctx, &request.path).await?;
    match resource {
        Resource::Object {
            calendar,
            name,
            object: Some(object),
        } => {
            let current = ETag::new(calendar.calendar.id, object.meta.seq);
            let condition = match &if_match {
                None => None,
                Some(list) => {
                    let tag = EntityTag::strong(current.as_str().trim_matches('"'));
                    if !list.matches_strong(Some(&tag)) {
                        return Err(DavError::Status(
                            StatusCode::PRECONDITION_FAILED,
                            "the resource has changed",
                        ));
                    }
                    Some(current)
                }
            };
            ctx.vault()
                .delete_object(
                    ctx.actor(),
                    &calendar.calendar,
                    &name,
                    condition.as_ref(),
                    &ctx.session.client,
                )
                .await?;
        }
        Resource::Calendar(calendar) => {
            // A share is the owner's calendar: its grantee may not throw it away.
            if calendar.shared.is_some() {
                return Err(DavError::forbidden(dav::NEED_PRIVILEGES));
            }
            let path = CalendarPath {
                user: ctx.session.user.name.clone(),
                calendar: calendar.calendar.name.clone(),
            };
            ctx.vault().delete_calendar(ctx.actor(), &path).await?;
        }
        Resource::Plain {
            path,
            file: Some(file),
            ..
        } => {
            if let Some(list) = &if_match
                && !list.matches_strong(Some(&EntityTag::strong(file.etag.clone())))
            {
                return Err(DavError::Status(
                    StatusCode::PRECONDITION_FAILED,
                    "the resource has changed",
                ));
            }
            ctx.vault()
                .write_dav_files(
                    ctx.actor(),
                    &ctx.session.user,
                    vec![DavFileChange::DeleteTree(path)],
                )
                .await?;
        }
        Resource::Object { object: None, .. } | Resource::Plain { file: None, .. } => {
            return Err(DavError::not_found());
        }
        _ => return Err(DavError::forbidden(dav::NEED_PRIVILEGES)),
    }
    Ok(empty(StatusCode::NO_CONTENT))
}
