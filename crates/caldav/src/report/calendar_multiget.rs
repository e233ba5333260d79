//! CALDAV:calendar-multiget (RFC 4791 §7.9): the objects at the given hrefs, one store call
//! per calendar, 404 for each href that names nothing.

use std::collections::BTreeMap;

use axum::response::Response;
use calvault_core::CoreError;
use calvault_dav_proto::{CalendarMultiget, Multistatus, Response as DavResponse};

use super::filter::calendar_data;
use crate::error::multistatus;
use crate::properties::Node;
use crate::resource::{CALENDARS, object_href};
use crate::{Ctx, DavError};

pub(crate) async fn calendar_multiget(
    ctx: &Ctx,
    multiget: &CalendarMultiget,
) -> Result<Response, DavError> {
    let me = &ctx.session.user;
    let home_prefix = format!("{CALENDARS}{}/", me.name);
    // calendar name -> object names, in request order.
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut answer = Multistatus::new();
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
            None => answer.push(DavResponse::with_status(href.clone(), 404)),
        }
    }
    let home = ctx.vault().home_calendars(ctx.actor(), me).await?;
    for (calendar_name, names) in wanted {
        let Some(calendar) = home.iter().find(|entry| entry.name == calendar_name) else {
            for name in names {
                answer.push(DavResponse::with_status(
                    object_href(&me.name, &calendar_name, &name),
                    404,
                ));
            }
            continue;
        };
        let found = ctx
            .vault()
            .store()
            .objects_by_names(calendar.calendar.id, &names)
            .await
            .map_err(CoreError::from)?;
        for name in &names {
            match found.iter().find(|object| &object.meta.name == name) {
                Some(object) => {
                    let data = calendar_data(&multiget.props, &object.data)?;
                    let node = Node::Object {
                        calendar,
                        meta: &object.meta,
                        data: &data,
                    };
                    answer.push(node.render(ctx, &multiget.props.selection));
                }
                None => answer.push(DavResponse::with_status(
                    object_href(&me.name, &calendar_name, name),
                    404,
                )),
            }
        }
    }
    Ok(multistatus(&answer))
}
