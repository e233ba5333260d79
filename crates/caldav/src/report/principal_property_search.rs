//! DAV:principal-property-search (RFC 3744 §9.4). Only the signed-in user's own principal
//! can ever match: other users' names are not theirs to learn.

use axum::response::Response;
use calvault_dav_proto::name::{caldav, dav};
use calvault_dav_proto::{
    Multistatus, PrincipalPropertySearch, PropSelection, PropertySearch, SearchTest,
};

use crate::Ctx;
use crate::error::multistatus;
use crate::properties::Node;

pub(crate) fn principal_property_search(ctx: &Ctx, search: &PrincipalPropertySearch) -> Response {
    let user = &ctx.session.user;
    let matches = |property_search: &PropertySearch| {
        property_search.props.iter().any(|name| {
            values_of(ctx, name).iter().any(|value| {
                property_search
                    .match_type
                    .matches(value, &property_search.match_text)
            })
        })
    };
    let found = search.property_searches.is_empty()
        || match search.test {
            SearchTest::AllOf => search.property_searches.iter().all(matches),
            SearchTest::AnyOf => search.property_searches.iter().any(matches),
        };
    let mut answer = Multistatus::new();
    if found {
        // A search naming no property to return still answers what identifies a principal.
        let props = if search.props.is_empty() {
            vec![
                dav::DISPLAYNAME,
                caldav::CALENDAR_HOME_SET,
                dav::PRINCIPAL_URL,
            ]
        } else {
            search.props.clone()
        };
        let selection = PropSelection::Prop(props);
        answer.push(Node::Principal(user).render(ctx, &selection));
    }
    multistatus(&answer)
}

/// The searchable values of the user's principal for property `name`.
fn values_of(ctx: &Ctx, name: &calvault_dav_proto::PropName) -> Vec<String> {
    let user = &ctx.session.user;
    if *name == dav::DISPLAYNAME {
        return vec![user.name.clone()];
    }
    if *name == caldav::CALENDAR_USER_ADDRESS_SET {
        let mut values = vec![crate::resource::principal_href(&user.name)];
        if let Some(email) = &user.email {
            values.push(format!("mailto:{email}"));
            values.push(email.clone());
        }
        return values;
    }
    Vec::new()
}
