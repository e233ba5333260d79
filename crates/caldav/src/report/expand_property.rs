//! DAV:expand-property (RFC 3253 §3.8): properties whose hrefs are replaced by the
//! responses of the resources they name, as clients ask of principals.

use axum::response::Response;
use calvault_dav_proto::{
    ExpandProperty, Multistatus, PropSelection, PropValue, Property, PropertyToExpand,
    Response as DavResponse,
};

use crate::error::multistatus;
use crate::properties::Node;
use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError};

pub(crate) async fn expand_property(
    ctx: &Ctx,
    resource: &Resource,
    expand: &ExpandProperty,
) -> Result<Response, DavError> {
    let response = expand_resource(ctx, resource, &expand.properties, 0).await?;
    let mut answer = Multistatus::new();
    answer.push(response);
    Ok(multistatus(&answer))
}

async fn expand_resource(
    ctx: &Ctx,
    resource: &Resource,
    wanted: &[PropertyToExpand],
    depth: usize,
) -> Result<DavResponse, DavError> {
    let node = node_of(resource).ok_or_else(DavError::not_found)?;
    let mut response = ExpandedResponse::new(node.href(ctx));
    for property in wanted {
        let value = node.live(ctx, &property.name);
        let value = match value {
            Some(PropValue::Href(href)) if !property.properties.is_empty() && depth < 3 => {
                PropValue::Responses(expand_hrefs(ctx, &[href], &property.properties, depth).await?)
            }
            Some(PropValue::Hrefs(hrefs)) if !property.properties.is_empty() && depth < 3 => {
                PropValue::Responses(expand_hrefs(ctx, &hrefs, &property.properties, depth).await?)
            }
            Some(value) => value,
            None => {
                let selection = PropSelection::Prop(vec![property.name.clone()]);
                response.merge(node.render(ctx, &selection));
                continue;
            }
        };
        response
            .inner
            .found(Property::new(property.name.clone(), value));
    }
    Ok(response.inner)
}

/// Renders the resources behind `hrefs`; the ones not reachable are left out.
async fn expand_hrefs(
    ctx: &Ctx,
    hrefs: &[String],
    wanted: &[PropertyToExpand],
    depth: usize,
) -> Result<Vec<DavResponse>, DavError> {
    let mut responses = Vec::new();
    for href in hrefs {
        if !href.starts_with('/') {
            continue;
        }
        let Ok(resource) = resolve(ctx, href).await else {
            continue;
        };
        let response = Box::pin(expand_resource(ctx, &resource, wanted, depth + 1)).await?;
        responses.push(response);
    }
    Ok(responses)
}

fn node_of(resource: &Resource) -> Option<Node<'_>> {
    Some(match resource {
        Resource::Root => Node::Root,
        Resource::Principals => Node::Principals,
        Resource::Principal(user) => Node::Principal(user),
        Resource::Home(user) => Node::Home(user),
        Resource::Calendar(calendar) => Node::Calendar(calendar),
        Resource::Plain {
            file: Some(file), ..
        } => Node::Plain(file),
        _ => return None,
    })
}

/// A response being filled, that can take in what a plain render found.
struct ExpandedResponse {
    inner: DavResponse,
}

impl ExpandedResponse {
    fn new(href: String) -> Self {
        ExpandedResponse {
            inner: DavResponse::with_props(href),
        }
    }

    fn merge(&mut self, other: DavResponse) {
        if let calvault_dav_proto::ResponseOutcome::PropStats(propstats) = other.outcome {
            for propstat in propstats {
                for property in propstat.properties {
                    self.inner.add(propstat.status, property);
                }
            }
        }
    }
}
