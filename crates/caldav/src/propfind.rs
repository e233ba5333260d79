//! PROPFIND (RFC 4918 §9.1): a resource and, at Depth 1, its members.

use calvault_core::HomeCalendar;
use calvault_core::store::DavFile;
use calvault_dav_proto::name::dav;
use calvault_dav_proto::{
    Depth, Multistatus, PropSelection, Response as DavResponse, parse_propfind,
};

use crate::error::multistatus;
use crate::object_pages::ObjectPages;
use crate::properties::Node;
use crate::resource::{Resource, resolve};
use crate::streamed::{self, Step, Tail};
use crate::{Ctx, DavError, DavRequest};
use axum::response::Response;

pub(crate) async fn propfind(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    // RFC 4918 §10.2: no Depth means infinity, which we refuse (§9.1).
    let depth = match request.header("depth") {
        Some(value) => Depth::parse(value)?,
        None => Depth::Infinity,
    };
    if depth == Depth::Infinity {
        return Err(DavError::forbidden(dav::PROPFIND_FINITE_DEPTH));
    }
    let selection = parse_propfind(&request.body)?;
    let resource = resolve(ctx, &request.path).await?;
    if depth == Depth::One
        && let Resource::Calendar(calendar) = &resource
    {
        return calendar_listing(ctx, calendar, selection).await;
    }
    let mut answer = Multistatus::new();
    render_resource(ctx, &resource, &selection, &mut answer)?;
    if depth == Depth::One {
        render_members(ctx, &resource, &selection, &mut answer).await?;
    }
    Ok(multistatus(&answer))
}

fn render_resource(
    ctx: &Ctx,
    resource: &Resource,
    selection: &PropSelection,
    answer: &mut Multistatus,
) -> Result<(), DavError> {
    let node = match resource {
        Resource::Root => Node::Root,
        Resource::Principals => Node::Principals,
        Resource::Principal(user) => Node::Principal(user),
        Resource::Home(user) => Node::Home(user),
        Resource::Calendar(calendar) => Node::Calendar(calendar),
        Resource::Object {
            calendar,
            object: Some(object),
            ..
        } => Node::Object {
            calendar,
            meta: &object.meta,
            data: &object.data,
        },
        Resource::Plain {
            file: Some(file), ..
        } => Node::Plain(file),
        Resource::Object { object: None, .. } | Resource::Plain { file: None, .. } => {
            return Err(DavError::not_found());
        }
    };
    answer.push(node.render(ctx, selection));
    Ok(())
}

async fn render_members(
    ctx: &Ctx,
    resource: &Resource,
    selection: &PropSelection,
    answer: &mut Multistatus,
) -> Result<(), DavError> {
    let me = &ctx.session.user;
    match resource {
        Resource::Root => {
            answer.push(Node::Principals.render(ctx, selection));
            answer.push(Node::Home(me).render(ctx, selection));
        }
        Resource::Principals => answer.push(Node::Principal(me).render(ctx, selection)),
        Resource::Home(user) => {
            for calendar in ctx.vault().home_calendars(ctx.actor(), user).await? {
                answer.push(Node::Calendar(&calendar).render(ctx, selection));
            }
            for file in plain_members(ctx, "").await? {
                answer.push(Node::Plain(&file).render(ctx, selection));
            }
        }
        Resource::Plain {
            path,
            file: Some(file),
            ..
        } if file.collection => {
            for member in plain_members(ctx, path).await? {
                answer.push(Node::Plain(&member).render(ctx, selection));
            }
        }
        _ => {}
    }
    Ok(())
}

/// A calendar and its objects, written a page at a time as the client reads: a calendar of any
/// size is listed in bounded memory.
async fn calendar_listing(
    ctx: &Ctx,
    calendar: &HomeCalendar,
    selection: PropSelection,
) -> Result<Response, DavError> {
    let first = Node::Calendar(calendar).render(ctx, &selection);
    let listing = Listing {
        ctx: ctx.clone(),
        calendar: calendar.clone(),
        pages: ObjectPages::new(calendar.calendar.id, &selection),
        writer_selection: selection,
        first: Some(first),
    };
    let writer = streamed::writer_for(&listing.writer_selection);
    Ok(streamed::multistatus(
        writer,
        listing,
        Listing::next,
        Tail::default(),
    ))
}

struct Listing {
    ctx: Ctx,
    calendar: HomeCalendar,
    writer_selection: PropSelection,
    /// The calendar's own response, written first.
    first: Option<DavResponse>,
    pages: ObjectPages,
}

impl Listing {
    async fn next(mut self) -> Step<Self> {
        if let Some(first) = self.first.take() {
            return Ok(Some((vec![first], self)));
        }
        let Some(page) = self.pages.next(&self.ctx).await? else {
            return Ok(None);
        };
        let responses = page
            .iter()
            .map(|object| {
                let node = Node::Object {
                    calendar: &self.calendar,
                    meta: &object.meta,
                    data: &object.data,
                };
                node.render(&self.ctx, &self.writer_selection)
            })
            .collect();
        Ok(Some((responses, self)))
    }
}

/// The direct members of the plain collection at `path` ("" for the home).
pub(crate) async fn plain_members(ctx: &Ctx, path: &str) -> Result<Vec<DavFile>, DavError> {
    let all = ctx
        .vault()
        .dav_files_under(ctx.actor(), &ctx.session.user, path)
        .await?;
    let prefix_len = if path.is_empty() { 0 } else { path.len() + 1 };
    Ok(all
        .into_iter()
        .filter(|file| !file.path[prefix_len..].contains('/'))
        .collect())
}
