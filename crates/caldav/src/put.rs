//! PUT (RFC 4918 §9.7, RFC 4791 §5.3.2): calendar objects with their preconditions and
//! strong ETags, and plain files.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::store::{DavFile, DavFileChange, StoredObject};
use calvault_core::{Condition, CoreError, ETag, HomeCalendar};
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{EntityTag, EtagList};
use calvault_ical::{CalendarObject, ParseError};

use crate::error::empty;
use crate::plain::{check_parent, content_etag, new_file};
use crate::resource::{Resource, calendar_href, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn put(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    let if_match = request
        .header("if-match")
        .map(EtagList::parse)
        .transpose()?;
    let if_none_match = request
        .header("if-none-match")
        .map(EtagList::parse)
        .transpose()?;
    let conditions = Conditions {
        if_match,
        if_none_match,
    };
    match resolve(ctx, &request.path).await? {
        Resource::Object {
            calendar,
            name,
            object,
        } => put_object(ctx, request, &calendar, &name, object, &conditions).await,
        Resource::Plain { path, file, .. } => {
            put_plain(ctx, request, &path, file, &conditions).await
        }
        _ => Err(DavError::Status(
            StatusCode::METHOD_NOT_ALLOWED,
            "PUT needs a resource, not a collection",
        )),
    }
}

struct Conditions {
    if_match: Option<EtagList>,
    if_none_match: Option<EtagList>,
}

impl Conditions {
    /// RFC 9110 §13.1: checks both headers against the current tag (None: no resource).
    fn check(&self, current: Option<&str>) -> Result<(), DavError> {
        let tag = current.map(|t| EntityTag::strong(t.trim_matches('"')));
        let failed = self
            .if_match
            .as_ref()
            .is_some_and(|list| !list.matches_strong(tag.as_ref()))
            || self
                .if_none_match
                .as_ref()
                .is_some_and(|list| list.matches_weak(tag.as_ref()));
        if failed {
            return Err(DavError::Status(
                StatusCode::PRECONDITION_FAILED,
                "precondition failed",
            ));
        }
        Ok(())
    }
}

async fn put_object(
    ctx: &Ctx,
    request: &DavRequest,
    calendar: &HomeCalendar,
    name: &str,
    current: Option<StoredObject>,
    conditions: &Conditions,
) -> Result<Response, DavError> {
    let text = check_calendar_data(ctx, request, calendar)?;
    let current_tag = current
        .as_ref()
        .map(|o| ETag::new(calendar.calendar.id, o.meta.seq));
    conditions.check(current_tag.as_ref().map(ETag::as_str))?;
    // The tag just checked is passed down, so a change in between still fails (412).
    let condition = Condition {
        if_match: if conditions.if_match.is_some() {
            current_tag
        } else {
            None
        },
        if_none_match: conditions.if_none_match.is_some(),
    };
    let outcome = ctx
        .vault()
        .put_object(
            ctx.actor(),
            &calendar.calendar,
            name,
            &text,
            &condition,
            &ctx.session.client,
        )
        .await
        .map_err(|error| put_error(ctx, calendar, error))?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    };
    let mut response = empty(status);
    if let Ok(etag) = HeaderValue::from_str(outcome.etag.as_str()) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// RFC 4791 §5.3.2 preconditions that need only the request: media type, size, syntax,
/// one object of a supported component.
fn check_calendar_data(
    ctx: &Ctx,
    request: &DavRequest,
    calendar: &HomeCalendar,
) -> Result<String, DavError> {
    if let Some(content_type) = request.header("content-type")
        && !content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with("text/calendar")
    {
        return Err(DavError::forbidden(caldav::SUPPORTED_CALENDAR_DATA));
    }
    if request.body.len() as u64 > ctx.dav.config.max_resource_size {
        return Err(DavError::forbidden(caldav::MAX_RESOURCE_SIZE_EXCEEDED));
    }
    let text = std::str::from_utf8(&request.body)
        .map_err(|_| DavError::forbidden(caldav::VALID_CALENDAR_DATA))?;
    let object = CalendarObject::parse(text).map_err(|error| match error {
        ParseError::SeveralUids { .. } | ParseError::NoComponent => {
            DavError::forbidden(caldav::VALID_CALENDAR_OBJECT_RESOURCE)
        }
        _ => DavError::forbidden(caldav::VALID_CALENDAR_DATA),
    })?;
    // RFC 4791 §4.1: one component type, one UID, no METHOD.
    if object.check_caldav_resource().is_err() {
        return Err(DavError::forbidden(caldav::VALID_CALENDAR_OBJECT_RESOURCE));
    }
    let kind = object.kind().as_str();
    if !calendar
        .calendar
        .components
        .iter()
        .any(|c| c.eq_ignore_ascii_case(kind))
    {
        return Err(DavError::forbidden(caldav::SUPPORTED_CALENDAR_COMPONENT));
    }
    Ok(text.to_string())
}

fn put_error(ctx: &Ctx, calendar: &HomeCalendar, error: CoreError) -> DavError {
    match error {
        CoreError::UidConflict { existing_name, .. } => DavError::Condition {
            status: StatusCode::FORBIDDEN,
            condition: caldav::NO_UID_CONFLICT,
            href: Some(format!(
                "{}{existing_name}",
                calendar_href(&ctx.session.user.name, &calendar.name)
            )),
        },
        CoreError::InvalidData(_) => DavError::forbidden(caldav::VALID_CALENDAR_DATA),
        CoreError::Invalid(_) => DavError::forbidden(caldav::SUPPORTED_CALENDAR_COMPONENT),
        CoreError::Forbidden => DavError::forbidden(dav::NEED_PRIVILEGES),
        other => other.into(),
    }
}

async fn put_plain(
    ctx: &Ctx,
    request: &DavRequest,
    path: &str,
    current: Option<DavFile>,
    conditions: &Conditions,
) -> Result<Response, DavError> {
    if current.as_ref().is_some_and(|file| file.collection) {
        return Err(DavError::Status(
            StatusCode::METHOD_NOT_ALLOWED,
            "a collection cannot be replaced by PUT",
        ));
    }
    conditions.check(current.as_ref().map(|f| f.etag.as_str()))?;
    check_parent(ctx, path).await?;
    let content_type = request.header("content-type").map(str::to_string);
    let content = request.body.to_vec();
    let file = match &current {
        Some(existing) => DavFile {
            etag: content_etag(&content),
            content,
            content_type,
            modified_at: calvault_core::now(),
            ..existing.clone()
        },
        None => new_file(ctx, path, false, content, content_type),
    };
    let etag = format!("\"{}\"", file.etag);
    ctx.vault()
        .write_dav_files(
            ctx.actor(),
            &ctx.session.user,
            vec![DavFileChange::Put(file)],
        )
        .await?;
    let mut response = empty(if current.is_some() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::CREATED
    });
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}
