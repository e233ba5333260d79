//! DAV:sync-collection (RFC 6578): the changes since a token, read from the journal; a
//! limited answer ends with 507 on the collection and a token that continues exactly there.

use std::collections::{BTreeSet, HashSet, VecDeque};

use axum::response::Response;
use calvault_core::store::StoredObject;
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::name::dav;
use calvault_dav_proto::{ReportProps, Response as DavResponse, SyncCollection};

use super::filter::calendar_data;
use crate::object_pages::ObjectPages;
use crate::properties::Node;
use crate::resource::object_href;
use crate::streamed::{self, Step, Tail};
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
    // RFC 6578 §3.4: an initial sync lists only what exists, so removed names are not kept.
    let initial = sync.sync_token.trim().is_empty();
    let (source, changes) = if initial && limit.is_none() {
        // The whole calendar as it is: read from the objects' index, not replayed from the
        // journal. The position is read first, so a change made while the objects are read is
        // answered again at the next sync, never missed.
        let position = ctx
            .vault()
            .store()
            .position(id)
            .await
            .map_err(CoreError::from)?;
        let pages = ObjectPages::new(id, &sync.props.selection);
        let changes = Changes {
            uids: BTreeSet::new(),
            names: BTreeSet::new(),
            position,
            truncated: false,
        };
        (Source::Live(pages), changes)
    } else {
        let mut changes = collect_changes(ctx, id, since, limit, !initial).await?;
        let uids: Vec<String> = std::mem::take(&mut changes.uids).into_iter().collect();
        let pages = uids.chunks(PAGE as usize).map(<[String]>::to_vec).collect();
        (Source::Changed(pages), changes)
    };
    let token = SyncToken {
        calendar: id,
        position: changes.position,
    };
    // The device's last-sync time is for listings, not for this answer: it is written beside
    // it, so a busy disk (a checkpoint after a burst of writes) never delays a sync.
    let (vault, device) = (ctx.vault().clone(), ctx.session.device.clone());
    tokio::spawn(async move {
        if let Err(error) = vault.record_sync(&device).await {
            tracing::warn!(%error, "could not record the device's sync");
        }
    });
    let state = Answer {
        ctx: ctx.clone(),
        calendar: calendar.clone(),
        props: sync.props.clone(),
        source,
        names: changes.names,
        live_names: HashSet::new(),
        truncated: changes.truncated,
        finished: false,
    };
    let writer = streamed::writer_for(&sync.props.selection);
    let tail = Tail {
        sync_token: Some(token.to_string()),
    };
    Ok(streamed::multistatus(writer, state, Answer::next, tail))
}

/// Where the live objects of the answer come from.
enum Source {
    /// The UIDs changed since the token, a page at a time.
    Changed(VecDeque<Vec<String>>),
    /// An initial sync: every live object.
    Live(ObjectPages),
}

/// The answer as it is written: live objects a page at a time, then the removed members and
/// the 507 of a truncated answer.
struct Answer {
    ctx: Ctx,
    calendar: HomeCalendar,
    props: ReportProps,
    source: Source,
    /// Every resource name the revisions in range carry.
    names: BTreeSet<String>,
    /// The names of the live objects answered so far.
    live_names: HashSet<String>,
    truncated: bool,
    finished: bool,
}

impl Answer {
    async fn next(mut self) -> Step<Self> {
        if let Some(objects) = self.next_objects().await? {
            let responses = self.live(&objects)?;
            return Ok(Some((responses, self)));
        }
        if self.finished {
            return Ok(None);
        }
        self.finished = true;
        let responses = self.removed_and_truncation();
        Ok(Some((responses, self)))
    }

    /// The next page of live objects to answer, or None when there is none left.
    async fn next_objects(&mut self) -> Result<Option<Vec<StoredObject>>, DavError> {
        match &mut self.source {
            Source::Changed(pages) => {
                let Some(uids) = pages.pop_front() else {
                    return Ok(None);
                };
                let objects = self
                    .ctx
                    .vault()
                    .store()
                    .objects_by_uids(self.calendar.calendar.id, &uids)
                    .await
                    .map_err(CoreError::from)?;
                Ok(Some(objects))
            }
            Source::Live(pages) => pages.next(&self.ctx).await,
        }
    }

    fn live(&mut self, objects: &[StoredObject]) -> Result<Vec<DavResponse>, DavError> {
        let mut responses = Vec::with_capacity(objects.len());
        for object in objects {
            // Only a name a revision in range carries can be answered removed.
            if self.names.contains(&object.meta.name) {
                self.live_names.insert(object.meta.name.clone());
            }
            let data = calendar_data(&self.props, &object.data)?;
            let node = Node::Object {
                calendar: &self.calendar,
                meta: &object.meta,
                data: &data,
            };
            responses.push(node.render(&self.ctx, &self.props.selection));
        }
        Ok(responses)
    }

    fn removed_and_truncation(&self) -> Vec<DavResponse> {
        let me = &self.ctx.session.user.name;
        // RFC 6578 §3.5.2: a member removed since the token is a 404 response. Every href a
        // revision in range names counts: a rename leaves its old name behind.
        let mut responses: Vec<DavResponse> = self
            .names
            .iter()
            .filter(|name| !self.live_names.contains(*name))
            .map(|name| DavResponse::with_status(object_href(me, &self.calendar.name, name), 404))
            .collect();
        if self.truncated {
            // RFC 6578 §3.6: the request-URI answered 507: more changes remain.
            let href = crate::resource::calendar_href(me, &self.calendar.name);
            responses.push(DavResponse::with_status(href, 507).with_error(
                calvault_dav_proto::ErrorCondition::new(dav::NUMBER_OF_MATCHES_WITHIN_LIMITS),
            ));
        }
        responses
    }
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
    /// Every UID with a revision in the answered range.
    uids: BTreeSet<String>,
    /// Every resource name the revisions in range carry (not kept for an initial sync, which
    /// lists only what exists).
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
    keep_names: bool,
) -> Result<Changes, DavError> {
    let store = ctx.vault().store();
    let mut uids = BTreeSet::new();
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
            if !uids.contains(&revision.uid) && limit.is_some_and(|limit| uids.len() >= limit) {
                if keep_names {
                    names.extend(names_at(ctx, calendar, since, &uids).await?);
                }
                return Ok(Changes {
                    uids,
                    names,
                    position,
                    truncated: true,
                });
            }
            position = revision.seq;
            if keep_names {
                names.insert(revision.name);
            }
            uids.insert(revision.uid);
        }
        if !full {
            break;
        }
    }
    if keep_names {
        names.extend(names_at(ctx, calendar, since, &uids).await?);
    }
    Ok(Changes {
        uids,
        names,
        position,
        truncated: false,
    })
}

/// The names the changed UIDs had at the client's token. An object renamed since (MOVE within
/// the calendar keeps its UID) left its old name, which the client still holds: RFC 6578 §3.5
/// wants that member reported removed, like a deletion.
async fn names_at(
    ctx: &Ctx,
    calendar: i64,
    since: i64,
    uids: &BTreeSet<String>,
) -> Result<Vec<String>, DavError> {
    let state = ctx
        .vault()
        .store()
        .state_at(calendar, since)
        .await
        .map_err(CoreError::from)?;
    Ok(state
        .into_iter()
        .filter(|(uid, _)| uids.contains(uid))
        .filter_map(|(_, revision)| revision.map(|r| r.meta.name))
        .collect())
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
    let uids = objects.into_iter().map(|meta| meta.uid).collect();
    Ok(Changes {
        uids,
        names: BTreeSet::new(),
        position: current,
        truncated: false,
    })
}
