//! DAV:sync-collection (RFC 6578): the changes since a token, read from the journal; a
//! limited answer ends with 507 on the collection and a token that continues exactly there.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use axum::response::Response;
use calvault_core::store::{RevisionMeta, StoredObject};
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::name::dav;
use calvault_dav_proto::{Multistatus, Response as DavResponse, SyncCollection};

use super::filter::calendar_data;
use crate::error::multistatus;
use crate::properties::Node;
use crate::resource::object_href;
use crate::sync_token::SyncToken;
use crate::{Ctx, DavError};

/// Revisions read per store call.
const PAGE: u32 = 1000;

pub(crate) async fn sync_collection(
    ctx: &Ctx,
    calendar: &HomeCalendar,
    sync: &SyncCollection,
) -> Result<Response, DavError> {
    let id = calendar.calendar.id;
    let since = start_position(calendar, &sync.sync_token)?;
    let limit = sync.limit.map(|l| l.max(1) as usize);
    let changes = collect_changes(ctx, id, since, limit).await?;
    let uids: Vec<String> = changes.latest.keys().cloned().collect();
    let live = objects_by_uids(ctx, id, &uids).await?;
    let mut answer = Multistatus::new();
    let me = &ctx.session.user.name;
    let mut live_names = HashSet::new();
    for object in &live {
        live_names.insert(object.meta.name.clone());
        let data = calendar_data(&sync.props, &object.data)?;
        let node = Node::Object {
            calendar,
            meta: &object.meta,
            data: &data,
        };
        answer.push(node.render(ctx, &sync.props.selection));
    }
    // RFC 6578 §3.5.2: a member removed since the token is a 404 response; an initial
    // sync (§3.4) lists only what exists.
    let mut gone = HashSet::new();
    // Every href a revision in range names counts: a rename leaves its old name behind.
    let initial = sync.sync_token.trim().is_empty();
    let removed = changes.names.iter().filter(|_| !initial);
    for name in removed {
        if !live_names.contains(name) && gone.insert(name.clone()) {
            answer.push(DavResponse::with_status(
                object_href(me, &calendar.name, name),
                404,
            ));
        }
    }
    if changes.truncated {
        // RFC 6578 §3.6: the request-URI answered 507: more changes remain.
        let href = crate::resource::calendar_href(me, &calendar.name);
        answer.push(DavResponse::with_status(href, 507).with_error(
            calvault_dav_proto::ErrorCondition::new(dav::NUMBER_OF_MATCHES_WITHIN_LIMITS),
        ));
    }
    let token = SyncToken {
        calendar: id,
        position: changes.position,
    };
    if let Err(error) = ctx.vault().record_sync(&ctx.session.device).await {
        tracing::warn!(%error, "could not record the device's sync");
    }
    Ok(multistatus(&answer.with_sync_token(token.to_string())))
}

/// The journal position a token stands for; RFC 6578 §3.2: a token that is not ours, of
/// another calendar, from the future or older than the journal keeps is invalid.
fn start_position(calendar: &HomeCalendar, token: &str) -> Result<i64, DavError> {
    let invalid = || DavError::forbidden(dav::VALID_SYNC_TOKEN);
    if token.trim().is_empty() {
        return Ok(0);
    }
    let token = SyncToken::parse(token).ok_or_else(invalid)?;
    let calendar = &calendar.calendar;
    if token.calendar != calendar.id
        || token.position > calendar.position
        || token.position < calendar.oldest_position
    {
        return Err(invalid());
    }
    Ok(token.position)
}

struct Changes {
    /// Per UID, the last revision of it in the answered range (the href a deletion names).
    latest: BTreeMap<String, Option<RevisionMeta>>,
    /// Every resource name the revisions in range carry.
    names: BTreeSet<String>,
    /// The position the answer reaches: the new token.
    position: i64,
    truncated: bool,
}

/// Reads revisions after `since` until `limit` distinct objects are collected. The position
/// returned is the last revision taken, so the next request continues right after it.
async fn collect_changes(
    ctx: &Ctx,
    calendar: i64,
    since: i64,
    limit: Option<usize>,
) -> Result<Changes, DavError> {
    let store = ctx.vault().store();
    let mut latest: BTreeMap<String, Option<RevisionMeta>> = BTreeMap::new();
    let mut names = BTreeSet::new();
    let mut position = since;
    // Initial sync with no journal left before the oldest position: the current position
    // answered with the live objects only is handled by reading from 0 — which the store
    // refuses once retention compacted; fall back to the whole listing then.
    let current = store.position(calendar).await.map_err(CoreError::from)?;
    loop {
        let page = match store.changes_since(calendar, position, PAGE).await {
            Ok(page) => page,
            Err(error) if since == 0 && position == 0 => {
                return initial_listing(ctx, calendar, current, error.into()).await;
            }
            Err(error) => return Err(CoreError::from(error).into()),
        };
        let full = page.len() == PAGE as usize;
        for revision in page {
            if !latest.contains_key(&revision.uid)
                && limit.is_some_and(|limit| latest.len() >= limit)
            {
                return Ok(Changes {
                    latest,
                    names,
                    position,
                    truncated: true,
                });
            }
            position = revision.seq;
            names.insert(revision.name.clone());
            // The newest revision in range names the href a deletion answers 404 for.
            latest.insert(revision.uid.clone(), Some(revision));
        }
        if !full {
            break;
        }
    }
    Ok(Changes {
        latest,
        names,
        position,
        truncated: false,
    })
}

/// The initial sync of a calendar whose early journal is compacted: every live object.
async fn initial_listing(
    ctx: &Ctx,
    calendar: i64,
    current: i64,
    error: CoreError,
) -> Result<Changes, DavError> {
    if !matches!(error, CoreError::PositionTooOld) {
        return Err(error.into());
    }
    let objects = ctx
        .vault()
        .store()
        .list_objects(calendar)
        .await
        .map_err(CoreError::from)?;
    let latest = objects
        .into_iter()
        .map(|meta| (meta.uid.clone(), None))
        .collect();
    Ok(Changes {
        latest,
        names: BTreeSet::new(),
        position: current,
        truncated: false,
    })
}

async fn objects_by_uids(
    ctx: &Ctx,
    calendar: i64,
    uids: &[String],
) -> Result<Vec<StoredObject>, DavError> {
    let mut objects = Vec::with_capacity(uids.len());
    for chunk in uids.chunks(500) {
        let page = ctx
            .vault()
            .store()
            .objects_by_uids(calendar, chunk)
            .await
            .map_err(CoreError::from)?;
        objects.extend(page);
    }
    Ok(objects)
}
