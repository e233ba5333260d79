//! CALDAV:calendar-multiget (RFC 4791 §7.9): the objects at the given hrefs, read and
//! written a page at a time, 404 for each href that names nothing.

use std::collections::{BTreeMap, HashMap, VecDeque};

use axum::response::Response;
use calvault_core::{CoreError, HomeCalendar};
use calvault_dav_proto::{CalendarMultiget, ReportProps, Response as DavResponse};

use super::filter::calendar_data;
use crate::properties::Node;
use crate::resource::{CALENDARS, object_href};
use crate::streamed::{self, Step, Tail};
use crate::{Ctx, DavError};

/// Objects read per store call (and written per body chunk).
const PAGE: usize = 500;

/// What is left to answer: hrefs already known to name nothing, or names of one calendar.
enum Piece {
    Missing(Vec<DavResponse>),
    Names(Box<HomeCalendar>, Vec<String>),
}

pub(crate) async fn calendar_multiget(
    ctx: &Ctx,
    multiget: &CalendarMultiget,
) -> Result<Response, DavError> {
    let me = &ctx.session.user;
    let home_prefix = format!("{CALENDARS}{}/", me.name);
    // calendar name -> object names, in request order.
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut missing = Vec::new();
    for href in &multiget.hrefs {
        let parts = href
            .strip_prefix(&home_prefix)
            .and_then(|rest| rest.split_once('/'))
            .filter(|(_, name)| !name.is_empty() && !name.contains('/'));
        match parts {
            Some((calendar, name)) => wanted
                .entry(calendar.to_string())
                .or_default()
                .push(name.to_string()),
            None => missing.push(DavResponse::with_status(href.clone(), 404)),
        }
    }
    let home = ctx.vault().home_calendars(ctx.actor(), me).await?;
    let mut pieces = VecDeque::from([Piece::Missing(missing)]);
    for (calendar_name, names) in wanted {
        match home.iter().find(|entry| entry.name == calendar_name) {
            Some(calendar) => pieces.extend(
                names
                    .chunks(PAGE)
                    .map(|chunk| Piece::Names(Box::new(calendar.clone()), chunk.to_vec())),
            ),
            None => pieces.push_back(Piece::Missing(
                names
                    .iter()
                    .map(|name| {
                        DavResponse::with_status(object_href(&me.name, &calendar_name, name), 404)
                    })
                    .collect(),
            )),
        }
    }
    let writer = streamed::writer_for(&multiget.props.selection);
    let state = (ctx.clone(), multiget.props.clone(), pieces);
    Ok(streamed::multistatus(
        writer,
        state,
        next_piece,
        Tail::default(),
    ))
}

async fn next_piece(
    (ctx, props, mut pieces): (Ctx, ReportProps, VecDeque<Piece>),
) -> Step<(Ctx, ReportProps, VecDeque<Piece>)> {
    let Some(piece) = pieces.pop_front() else {
        return Ok(None);
    };
    let responses = match piece {
        Piece::Missing(responses) => responses,
        Piece::Names(calendar, names) => answer_names(&ctx, &props, &calendar, &names).await?,
    };
    Ok(Some((responses, (ctx, props, pieces))))
}

/// One response per name, in the order asked.
async fn answer_names(
    ctx: &Ctx,
    props: &ReportProps,
    calendar: &HomeCalendar,
    names: &[String],
) -> Result<Vec<DavResponse>, DavError> {
    let found = ctx
        .vault()
        .store()
        .objects_by_names(calendar.calendar.id, names)
        .await
        .map_err(CoreError::from)?;
    let by_name: HashMap<&str, _> = found
        .iter()
        .map(|object| (object.meta.name.as_str(), object))
        .collect();
    let me = &ctx.session.user.name;
    let mut responses = Vec::with_capacity(names.len());
    for name in names {
        let Some(object) = by_name.get(name.as_str()) else {
            responses.push(DavResponse::with_status(
                object_href(me, &calendar.name, name),
                404,
            ));
            continue;
        };
        let data = calendar_data(props, &object.data)?;
        let node = Node::Object {
            calendar,
            meta: &object.meta,
            data: &data,
        };
        responses.push(node.render(ctx, &props.selection));
    }
    Ok(responses)
}
