//! REPORT (RFC 3253 §3.6): parses the body and hands it to the report's own module.

mod calendar_multiget;
mod calendar_query;
mod expand_property;
mod filter;
mod free_busy_query;
mod principal_property_search;
mod sync_collection;

use axum::http::StatusCode;
use axum::response::Response;
use calvault_dav_proto::name::dav;
use calvault_dav_proto::{
    DavProtoError, PrincipalPropertySearch, Report, SearchTest, SearchableProperty, parse_report,
};

use crate::resource::{Resource, resolve};
use crate::{Ctx, DavError, DavRequest};

pub(crate) async fn report(ctx: &Ctx, request: &DavRequest) -> Result<Response, DavError> {
    let report = match parse_report(&request.body) {
        Ok(report) => report,
        Err(error) => list_all_principals(error)?,
    };
    let resource = resolve(ctx, &request.path).await?;
    if matches!(
        resource,
        Resource::Object { object: None, .. } | Resource::Plain { file: None, .. }
    ) {
        return Err(DavError::not_found());
    }
    let unsupported = || DavError::forbidden(dav::SUPPORTED_REPORT);
    match (report, &resource) {
        (Report::CalendarMultiget(multiget), Resource::Calendar(_) | Resource::Home(_)) => {
            calendar_multiget::calendar_multiget(ctx, &multiget).await
        }
        (Report::CalendarQuery(query), Resource::Calendar(calendar)) => {
            calendar_query::calendar_query(ctx, calendar, &query).await
        }
        (Report::FreeBusyQuery(query), Resource::Calendar(calendar)) => {
            free_busy_query::free_busy_query(ctx, calendar, &query).await
        }
        (Report::SyncCollection(sync), Resource::Calendar(calendar)) => {
            sync_collection::sync_collection(ctx, calendar, &sync).await
        }
        (Report::ExpandProperty(expand), _) => {
            expand_property::expand_property(ctx, &resource, &expand).await
        }
        (
            Report::PrincipalPropertySearch(search),
            Resource::Root | Resource::Principals | Resource::Principal(_),
        ) => Ok(principal_property_search::principal_property_search(
            ctx, &search,
        )),
        (
            Report::PrincipalSearchPropertySet,
            Resource::Root | Resource::Principals | Resource::Principal(_),
        ) => Ok(crate::error::xml(
            StatusCode::OK,
            calvault_dav_proto::principal_search_property_set_body(&searchable()),
        )),
        _ => Err(unsupported()),
    }
}

/// A principal-property-search without any property-search (python caldav's "list all
/// principals") is read as a search that matches every principal — the user's own only.
fn list_all_principals(error: DavProtoError) -> Result<Report, DavError> {
    match error {
        DavProtoError::MissingElement { parent, child }
            if parent == dav::PRINCIPAL_PROPERTY_SEARCH && child == dav::PROPERTY_SEARCH =>
        {
            Ok(Report::PrincipalPropertySearch(PrincipalPropertySearch {
                property_searches: Vec::new(),
                test: SearchTest::AnyOf,
                props: Vec::new(),
                apply_to_principal_collection_set: false,
            }))
        }
        other => Err(other.into()),
    }
}

/// What principal-property-search can search (RFC 3744 §9.5).
fn searchable() -> Vec<SearchableProperty> {
    vec![
        SearchableProperty {
            name: dav::DISPLAYNAME,
            description: "Display name".to_string(),
        },
        SearchableProperty {
            name: calvault_dav_proto::name::caldav::CALENDAR_USER_ADDRESS_SET,
            description: "Calendar user address".to_string(),
        },
    ]
}
