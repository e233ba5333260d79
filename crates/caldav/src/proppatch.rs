//! PROPPATCH (RFC 4918 §9.2): live calendar properties to the calendar record, everything
//! else stored as dead properties; all or nothing.

use std::collections::BTreeMap;

use axum::response::Response;
use calvault_core::CalendarPath;
use calvault_core::store::{Calendar, CalendarPatch, DavFile, DavFileChange};
use calvault_dav_proto::name::{apple, caldav, dav};
use calvault_dav_proto::{
    PropFailure, PropUpdateResult, ProppatchOperation, parse_proppatch, proppatch_response,
};

use crate::error::multistatus;
use crate::properties::{Node, is_protected};
use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn proppatch(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    let patch = parse_proppatch(&request.body)?;
    let resource = resolve(ctx, &request.path).await?;
    let results = match &resource {
        Resource::Calendar(calendar) => {
            let (update, results) =
                plan_calendar_update(&calendar.calendar, &patch.operations, false);
            if results.iter().all(|(_, r)| r.is_ok()) {
                let path = CalendarPath {
                    user: ctx.session.user.name.clone(),
                    calendar: calendar.calendar.name.clone(),
                };
                if calendar.shared.is_some() {
                    return Err(DavError::forbidden(dav::NEED_PRIVILEGES));
                }
                ctx.vault()
                    .update_calendar(ctx.actor(), &path, update)
                    .await?;
            }
            (Node::Calendar(calendar).href(ctx), results)
        }
        Resource::Plain {
            file: Some(file), ..
        } => {
            let (properties, results) = plan_dead_update(&file.properties, &patch.operations);
            if results.iter().all(|(_, r)| r.is_ok()) {
                let updated = DavFile {
                    properties,
                    ..file.clone()
                };
                ctx.vault()
                    .write_dav_files(
                        ctx.actor(),
                        &ctx.session.user,
                        vec![DavFileChange::Put(updated)],
                    )
                    .await?;
            }
            (Node::Plain(file).href(ctx), results)
        }
        Resource::Object { object: None, .. } | Resource::Plain { file: None, .. } => {
            return Err(DavError::not_found());
        }
        // Principals, the home and objects carry no settable properties.
        _ => {
            let results = patch
                .operations
                .iter()
                .map(|op| (op.name().clone(), Err(PropFailure::protected())))
                .collect();
            (request.path.clone(), results)
        }
    };
    let (href, results) = results;
    Ok(multistatus(&proppatch_response(&href, results)))
}

/// Turns set/remove instructions into a calendar patch. `creating`: MKCALENDAR and extended
/// MKCOL may also choose the supported components (RFC 4791 §5.2.3).
pub(crate) fn plan_calendar_update(
    calendar: &Calendar,
    operations: &[ProppatchOperation],
    creating: bool,
) -> (CalendarPatch, Vec<PropUpdateResult>) {
    let mut patch = CalendarPatch::default();
    let mut dead = calendar.properties.clone();
    let mut dead_changed = false;
    let mut results = Vec::new();
    for operation in operations {
        let name = operation.name().clone();
        let value = match operation {
            ProppatchOperation::Set(value) => Some(value),
            ProppatchOperation::Remove(_) => None,
        };
        let text = value.map(|v| v.text_content());
        let outcome = if name == dav::DISPLAYNAME {
            patch.display_name = Some(text.unwrap_or_else(|| calendar.name.clone()));
            Ok(())
        } else if name == apple::CALENDAR_COLOR {
            patch.color = Some(text.filter(|t| !t.trim().is_empty()));
            Ok(())
        } else if name == caldav::CALENDAR_DESCRIPTION {
            patch.description = Some(text);
            Ok(())
        } else if name == caldav::CALENDAR_TIMEZONE {
            match text {
                Some(tz) if !tz.contains("BEGIN:VCALENDAR") => Err(PropFailure {
                    status: 403,
                    error: Some(caldav::VALID_CALENDAR_TIMEZONE),
                    description: None,
                }),
                tz => {
                    patch.timezone = Some(tz);
                    Ok(())
                }
            }
        } else if name == caldav::SUPPORTED_CALENDAR_COMPONENT_SET {
            match value.map(|v| v.comp_names()) {
                Some(components) if creating && !components.is_empty() => {
                    patch.components = Some(components);
                    Ok(())
                }
                _ => Err(PropFailure::protected()),
            }
        } else if is_protected(&name) {
            Err(PropFailure::protected())
        } else {
            dead_changed = true;
            apply_dead(&mut dead, operation);
            Ok(())
        };
        results.push((name, outcome));
    }
    if dead_changed {
        patch.properties = Some(dead);
    }
    (patch, results)
}

/// Dead properties of a plain resource: everything not protected.
pub(crate) fn plan_dead_update(
    current: &BTreeMap<String, String>,
    operations: &[ProppatchOperation],
) -> (BTreeMap<String, String>, Vec<PropUpdateResult>) {
    let mut properties = current.clone();
    let mut results = Vec::new();
    for operation in operations {
        let name = operation.name().clone();
        if is_protected(&name) {
            results.push((name, Err(PropFailure::protected())));
            continue;
        }
        apply_dead(&mut properties, operation);
        results.push((name, Ok(())));
    }
    (properties, results)
}

fn apply_dead(properties: &mut BTreeMap<String, String>, operation: &ProppatchOperation) {
    match operation {
        ProppatchOperation::Set(value) => {
            properties.insert(value.name().to_string(), value.to_xml_string());
        }
        ProppatchOperation::Remove(name) => {
            properties.remove(&name.to_string());
        }
    }
}
