//! 207 answers written while the client reads them: a report over a whole calendar is
//! produced one page of objects at a time, so the answer never sits whole in memory.

use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use calvault_dav_proto::{MultistatusWriter, PropSelection, Response as DavResponse};

use crate::DavError;

/// What ends the document: RFC 6578 §6.4 puts the sync-token last.
#[derive(Default)]
pub(crate) struct Tail {
    pub sync_token: Option<String>,
}

/// One step of a producer: the responses of a page and the state for the next one, or None
/// once everything is written.
pub(crate) type Step<S> = Result<Option<(Vec<DavResponse>, S)>, DavError>;

/// The root declares the namespaces of the properties asked for; any other gets declared on
/// the response that uses it.
pub(crate) fn writer_for(selection: &PropSelection) -> MultistatusWriter {
    match selection {
        PropSelection::Prop(names) => MultistatusWriter::new(names),
        PropSelection::AllProp { include } => MultistatusWriter::new(include),
        PropSelection::PropName => MultistatusWriter::new(std::iter::empty()),
    }
}

enum Phase<S> {
    Head(S),
    Pages(S),
    Done,
}

/// A 207 whose responses come from `next`, called again with the state it returned until it
/// returns None. An error after the head is sent can no longer change the status: the body
/// is cut short (the client sees a broken transfer, never a complete-looking wrong answer).
pub(crate) fn multistatus<S, F, Fut>(
    writer: MultistatusWriter,
    state: S,
    next: F,
    tail: Tail,
) -> Response
where
    S: Send + 'static,
    F: FnMut(S) -> Fut + Send + 'static,
    Fut: Future<Output = Step<S>> + Send + 'static,
{
    let shared = Arc::new((writer, tail));
    let stream = futures::stream::unfold((Phase::Head(state), next), move |(phase, mut next)| {
        let shared = Arc::clone(&shared);
        async move {
            let (writer, tail) = &*shared;
            match phase {
                Phase::Head(state) => {
                    let head = Bytes::from(writer.head());
                    Some((Ok(head), (Phase::Pages(state), next)))
                }
                Phase::Pages(state) => match next(state).await {
                    Ok(Some((responses, state))) => {
                        // Sized once: a buffer grown by doubling copies the calendar data
                        // over and over.
                        let size = responses.iter().map(DavResponse::size_hint).sum();
                        let mut out = String::with_capacity(size);
                        for response in &responses {
                            writer.write_response(&mut out, response);
                        }
                        Some((Ok(Bytes::from(out)), (Phase::Pages(state), next)))
                    }
                    Ok(None) => {
                        let mut out = String::new();
                        writer.write_tail(&mut out, None, tail.sync_token.as_deref());
                        Some((Ok(Bytes::from(out)), (Phase::Done, next)))
                    }
                    Err(error) => {
                        tracing::error!(?error, "a streamed multistatus failed midway");
                        let error = io::Error::other("the answer could not be completed");
                        Some((Err(error), (Phase::Done, next)))
                    }
                },
                Phase::Done => None,
            }
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = StatusCode::MULTI_STATUS;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    response
}
