//! COPY and MOVE (RFC 4918 §9.8-9.9): objects between calendars in one transaction
//! (`Vault::transfer_object`), plain resources and trees within the home.

use axum::http::StatusCode;
use axum::response::Response;
use calvault_core::store::{DavFile, DavFileChange, User};
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{Depth, Destination, Overwrite};

use crate::error::empty;
use crate::plain::check_parent;
use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn copy_move(
    ctx: &Ctx,
    request: &DavRequest,
    keep_source: bool,
) -> Result<Response, DavError> {
    let destination = request
        .header("destination")
        .ok_or(DavError::Status(StatusCode::BAD_REQUEST, "no Destination"))
        .and_then(|value| Ok(Destination::parse(value)?))?;
    let overwrite = request
        .header("overwrite")
        .map(Overwrite::parse)
        .transpose()?
        .is_none_or(Overwrite::allows);
    let depth = request.header("depth").map(Depth::parse).transpose()?;
    let source = resolve(ctx, &request.path).await?;
    let target = resolve(ctx, &destination.path)
        .await
        .map_err(|_| DavError::Status(StatusCode::CONFLICT, "the destination cannot be created"))?;
    match (source, target) {
        (
            Resource::Object {
                calendar: from,
                name,
                object: Some(_),
            },
            Resource::Object {
                calendar: to,
                name: to_name,
                ..
            },
        ) => transfer(ctx, &from, &name, &to, &to_name, overwrite, keep_source).await,
        (
            Resource::Plain {
                user,
                path,
                file: Some(file),
            },
            Resource::Plain {
                path: to_path,
                file: existing,
                ..
            },
        ) => {
            let shallow = match depth {
                // RFC 4918 §9.8.3 / §9.9.2: COPY takes 0 or infinity, MOVE only infinity.
                Some(Depth::One) => {
                    return Err(DavError::Status(StatusCode::BAD_REQUEST, "bad Depth"));
                }
                Some(Depth::Zero) if !keep_source => {
                    return Err(DavError::Status(StatusCode::BAD_REQUEST, "bad Depth"));
                }
                Some(Depth::Zero) => true,
                _ => false,
            };
            let plan = PlainTransfer {
                user: &user,
                from: &path,
                file: &file,
                to: &to_path,
                existing: existing.as_ref(),
                overwrite,
                keep_source,
                shallow,
            };
            copy_plain(ctx, plan).await
        }
        (Resource::Object { object: None, .. }, _) | (Resource::Plain { file: None, .. }, _) => {
            Err(DavError::not_found())
        }
        _ => Err(DavError::Status(
            StatusCode::FORBIDDEN,
            "this resource cannot be copied or moved there",
        )),
    }
}

async fn transfer(
    ctx: &Ctx,
    from: &HomeCalendar,
    name: &str,
    to: &HomeCalendar,
    to_name: &str,
    overwrite: bool,
    keep_source: bool,
) -> Result<Response, DavError> {
    let outcome = ctx
        .vault()
        .transfer_object(
            ctx.actor(),
            &from.calendar,
            name,
            &to.calendar,
            to_name,
            overwrite,
            keep_source,
            &ctx.session.client,
        )
        .await
        .map_err(|error| match error {
            CoreError::UidConflict { .. } => DavError::forbidden(caldav::NO_UID_CONFLICT),
            CoreError::Invalid(_) => DavError::forbidden(caldav::SUPPORTED_CALENDAR_COMPONENT),
            CoreError::Forbidden => DavError::forbidden(dav::NEED_PRIVILEGES),
            other => other.into(),
        })?;
    Ok(empty(if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    }))
}

struct PlainTransfer<'a> {
    user: &'a User,
    from: &'a str,
    file: &'a DavFile,
    to: &'a str,
    existing: Option<&'a DavFile>,
    overwrite: bool,
    keep_source: bool,
    shallow: bool,
}

/// Copies (or moves) a plain resource and, unless shallow, everything below it, in one
/// atomic write.
async fn copy_plain(ctx: &Ctx, plan: PlainTransfer<'_>) -> Result<Response, DavError> {
    let below = |path: &str, root: &str| path == root || path.starts_with(&format!("{root}/"));
    if below(plan.to, plan.from) || below(plan.from, plan.to) {
        return Err(DavError::Status(
            StatusCode::FORBIDDEN,
            "source and destination overlap",
        ));
    }
    if plan.existing.is_some() && !plan.overwrite {
        return Err(DavError::Status(
            StatusCode::PRECONDITION_FAILED,
            "the destination exists",
        ));
    }
    check_parent(ctx, plan.to).await?;
    let mut changes = Vec::new();
    if plan.existing.is_some() {
        changes.push(DavFileChange::DeleteTree(plan.to.to_string()));
    }
    changes.push(DavFileChange::Put(rebased(plan.file, plan.from, plan.to)));
    if plan.file.collection && !plan.shallow {
        let members = ctx
            .vault()
            .dav_files_under(ctx.actor(), plan.user, plan.from)
            .await?;
        changes.extend(
            members
                .iter()
                .map(|member| DavFileChange::Put(rebased(member, plan.from, plan.to))),
        );
    }
    if !plan.keep_source {
        changes.push(DavFileChange::DeleteTree(plan.from.to_string()));
    }
    ctx.vault()
        .write_dav_files(ctx.actor(), plan.user, changes)
        .await?;
    Ok(empty(if plan.existing.is_some() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::CREATED
    }))
}

fn rebased(file: &DavFile, from: &str, to: &str) -> DavFile {
    let rest = &file.path[from.len()..];
    DavFile {
        path: format!("{to}{rest}"),
        ..file.clone()
    }
}
