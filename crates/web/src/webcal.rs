//! `GET /webcal/<token>.ics`: a calendar as one .ics file for clients that can only subscribe,
//! opened by the secret token alone (no session). Read-only; anything but a live token of a
//! calendar its subscriber may still read answers 404, the same for every reason.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::{Shared, WebError};

pub async fn feed(
    State(web): State<Shared>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    let (calendar, _, bytes) = web.vault.export_webcal(token, Vec::new()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.ics\"", calendar.name),
            ),
            // The address is a secret: no shared cache may keep a copy.
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
        ],
        bytes,
    )
        .into_response())
}
