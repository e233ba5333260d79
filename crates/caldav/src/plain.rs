//! Plain WebDAV resources in a home (files and collections that are not calendars): the
//! rules RFC 4918 sets on where they may be created.

use axum::http::StatusCode;
use calvault_core::now;
use calvault_core::store::DavFile;
use sha2::{Digest, Sha256};

use crate::{Ctx, DavError};

/// The parent path of `path` ("" for the home).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/')
        .map(|(parent, _)| parent)
        .unwrap_or("")
}

/// RFC 4918 §9.7.1 / §9.3.1: a resource needs an existing parent collection, else 409.
pub(crate) async fn check_parent(ctx: &Ctx, path: &str) -> Result<(), DavError> {
    let parent = parent(path);
    if parent.is_empty() {
        return Ok(());
    }
    let file = ctx
        .vault()
        .dav_file(ctx.actor(), &ctx.session.user, parent)
        .await?;
    match file {
        Some(file) if file.collection => Ok(()),
        _ => Err(DavError::Status(
            StatusCode::CONFLICT,
            "the parent collection does not exist",
        )),
    }
}

/// A new plain resource; `etag` is derived from the content and the time.
pub(crate) fn new_file(
    ctx: &Ctx,
    path: &str,
    collection: bool,
    content: Vec<u8>,
    content_type: Option<String>,
) -> DavFile {
    let at = now();
    DavFile {
        id: 0,
        user_id: ctx.session.user.id,
        path: path.to_string(),
        collection,
        etag: content_etag(&content),
        content,
        content_type,
        properties: Default::default(),
        created_at: at,
        modified_at: at,
    }
}

pub(crate) fn content_etag(content: &[u8]) -> String {
    hex::encode(&Sha256::digest(content)[..16])
}
