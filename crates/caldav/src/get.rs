//! GET and HEAD (RFC 4918 §9.4): objects, plain files, and a whole calendar as one .ics.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_core::{ETag, HomeCalendar};
use calvault_dav_proto::{EntityTag, EtagList, format_http_date};
use tokio::sync::mpsc;

use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError, DavRequest};

const ICS: &str = "text/calendar; charset=utf-8";

pub(crate) async fn get(
    ctx: &Ctx,
    request: &DavRequest,
    with_body: bool,
) -> Result<Response, DavError> {
    let resource = resolve(ctx, &request.path).await?;
    let (content, content_type, etag, modified) = match resource {
        Resource::Object {
            calendar,
            object: Some(object),
            ..
        } => (
            object.data.into_bytes(),
            ICS.to_string(),
            Some(ETag::new(calendar.calendar.id, object.meta.seq).to_string()),
            Some(object.meta.updated_at),
        ),
        Resource::Calendar(calendar) => return Ok(whole_calendar(ctx, calendar, with_body)),
        Resource::Plain {
            file: Some(file), ..
        } if !file.collection => (
            file.content,
            file.content_type
                .unwrap_or_else(|| "application/octet-stream".to_string()),
            Some(format!("\"{}\"", file.etag)),
            Some(file.modified_at),
        ),
        Resource::Plain { file: Some(_), .. } | Resource::Home(_) | Resource::Root => (
            Vec::new(),
            "text/plain; charset=utf-8".to_string(),
            None,
            None,
        ),
        _ => return Err(DavError::not_found()),
    };
    if let Some(status) = precondition(request, etag.as_deref())? {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            response.headers_mut().insert(header::ETAG, etag);
        }
        return Ok(response);
    }
    let length = content.len();
    let mut response = Response::new(if with_body {
        Body::from(content)
    } else {
        Body::empty()
    });
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(at) = modified.and_then(|at| HeaderValue::from_str(&format_http_date(at)).ok()) {
        headers.insert(header::LAST_MODIFIED, at);
    }
    Ok(response)
}

/// RFC 9110 §13.2.2 for GET and HEAD: If-Match that fails is 412; If-None-Match that matches
/// is 304 (the client's copy is current), with the ETag.
fn precondition(request: &DavRequest, etag: Option<&str>) -> Result<Option<StatusCode>, DavError> {
    let tag = etag.map(|t| EntityTag::strong(t.trim_matches('"')));
    if let Some(list) = request
        .header("if-match")
        .map(EtagList::parse)
        .transpose()?
        && !list.matches_strong(tag.as_ref())
    {
        return Ok(Some(StatusCode::PRECONDITION_FAILED));
    }
    if let Some(list) = request
        .header("if-none-match")
        .map(EtagList::parse)
        .transpose()?
        && list.matches_weak(tag.as_ref())
    {
        return Ok(Some(StatusCode::NOT_MODIFIED));
    }
    Ok(None)
}

/// The whole calendar as one .ics, streamed as the export produces it: a calendar of any
/// size is never held in memory at once.
fn whole_calendar(ctx: &Ctx, calendar: HomeCalendar, with_body: bool) -> Response {
    let etag = format!(
        "\"{}-{}\"",
        calendar.calendar.id, calendar.calendar.position
    );
    let body = if with_body {
        let (sender, receiver) = mpsc::unbounded_channel::<Result<Bytes, io::Error>>();
        let vault = ctx.vault().clone();
        let actor = ctx.actor();
        tokio::spawn(async move {
            let out = io::BufWriter::with_capacity(64 * 1024, ChunkWriter(sender.clone()));
            match vault.export(actor, &calendar.calendar, None, out).await {
                Ok((_, mut out)) => {
                    let _ = out.flush();
                }
                Err(error) => {
                    tracing::error!(%error, "streaming a calendar failed");
                    let _ = sender.send(Err(io::Error::other(error.to_string())));
                }
            }
        });
        Body::from_stream(futures::stream::unfold(
            receiver,
            |mut receiver| async move { receiver.recv().await.map(|chunk| (chunk, receiver)) },
        ))
    } else {
        Body::empty()
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ICS));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// Hands what the export writes to the response body.
struct ChunkWriter(mpsc::UnboundedSender<Result<Bytes, io::Error>>);

impl Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
