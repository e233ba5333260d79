//! Every property a resource answers with: the live ones computed here, the dead ones as
//! stored; one function renders a resource for PROPFIND, reports and expand-property.

use std::collections::BTreeMap;

use calvault_core::store::{DavFile, ObjectMeta, User};
use calvault_core::{Access, ETag, HomeCalendar};
use calvault_dav_proto::name::{apple, caldav, calendarserver, dav};
use calvault_dav_proto::{PropName, PropSelection, PropValue, PropValueXml, Property, Response};

use crate::Ctx;
use crate::resource::{
    PRINCIPALS, ROOT, calendar_href, home_access, home_href, object_href, plain_href,
    principal_href,
};
use crate::sync_token::SyncToken;

/// A resource with what its properties need.
pub(crate) enum Node<'a> {
    Root,
    Principals,
    Principal(&'a User),
    Home(&'a User),
    Calendar(&'a HomeCalendar),
    Object {
        calendar: &'a HomeCalendar,
        meta: &'a ObjectMeta,
        /// The calendar data as answered (whole, or selected/expanded by a report).
        data: &'a str,
    },
    Plain(&'a DavFile),
}

/// The reports each kind of resource answers (DAV:supported-report-set).
pub(crate) fn calendar_reports() -> Vec<PropName> {
    vec![
        caldav::CALENDAR_MULTIGET,
        caldav::CALENDAR_QUERY,
        caldav::FREE_BUSY_QUERY,
        dav::SYNC_COLLECTION,
        dav::EXPAND_PROPERTY,
    ]
}

fn principal_reports() -> Vec<PropName> {
    vec![
        dav::EXPAND_PROPERTY,
        dav::PRINCIPAL_PROPERTY_SEARCH,
        dav::PRINCIPAL_SEARCH_PROPERTY_SET,
    ]
}

impl Node<'_> {
    pub fn href(&self, ctx: &Ctx) -> String {
        let me = &ctx.session.user.name;
        match self {
            Node::Root => ROOT.to_string(),
            Node::Principals => PRINCIPALS.to_string(),
            Node::Principal(user) => principal_href(&user.name),
            Node::Home(user) => home_href(&user.name),
            Node::Calendar(calendar) => calendar_href(me, &calendar.name),
            Node::Object { calendar, meta, .. } => object_href(me, &calendar.name, &meta.name),
            Node::Plain(file) => plain_href(me, &file.path, file.collection),
        }
    }

    fn dead(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Node::Calendar(calendar) => Some(&calendar.calendar.properties),
            Node::Plain(file) => Some(&file.properties),
            _ => None,
        }
    }

    fn is_collection(&self) -> bool {
        !matches!(
            self,
            Node::Object { .. }
                | Node::Plain(DavFile {
                    collection: false,
                    ..
                })
        )
    }

    /// The live properties allprop and propname list (RFC 4918 §9.1: those it defines,
    /// plus the ones a CalDAV client expects on each kind of resource).
    fn live_names(&self) -> Vec<PropName> {
        let mut names = vec![dav::RESOURCETYPE];
        match self {
            Node::Root | Node::Principals => {
                names.extend([dav::CURRENT_USER_PRINCIPAL, dav::PRINCIPAL_COLLECTION_SET])
            }
            Node::Principal(_) => names.extend([
                dav::DISPLAYNAME,
                dav::PRINCIPAL_URL,
                caldav::CALENDAR_HOME_SET,
                caldav::CALENDAR_USER_ADDRESS_SET,
                dav::CURRENT_USER_PRINCIPAL,
            ]),
            Node::Home(_) => names.extend([dav::CURRENT_USER_PRINCIPAL, dav::OWNER]),
            Node::Calendar(_) => names.extend([
                dav::DISPLAYNAME,
                dav::CREATIONDATE,
                dav::GETLASTMODIFIED,
                dav::GETCONTENTTYPE,
                calendarserver::GETCTAG,
                dav::SYNC_TOKEN,
                dav::OWNER,
                caldav::SUPPORTED_CALENDAR_COMPONENT_SET,
                apple::CALENDAR_COLOR,
                caldav::CALENDAR_DESCRIPTION,
                caldav::CALENDAR_TIMEZONE,
            ]),
            Node::Object { .. } => names.extend([
                dav::GETETAG,
                dav::GETCONTENTTYPE,
                dav::GETCONTENTLENGTH,
                dav::GETLASTMODIFIED,
            ]),
            Node::Plain(file) => {
                names.extend([dav::CREATIONDATE, dav::GETLASTMODIFIED]);
                if !file.collection {
                    names.extend([dav::GETETAG, dav::GETCONTENTLENGTH, dav::GETCONTENTTYPE]);
                }
            }
        }
        names
    }

    /// The value of the live property `name`, or None when this resource has none.
    pub fn live(&self, ctx: &Ctx, name: &PropName) -> Option<PropValue> {
        let me = &ctx.session.user;
        if *name == dav::RESOURCETYPE {
            return Some(self.resource_type());
        }
        if *name == dav::CURRENT_USER_PRINCIPAL {
            return Some(PropValue::href(principal_href(&me.name)));
        }
        if *name == dav::PRINCIPAL_COLLECTION_SET {
            return Some(PropValue::href(PRINCIPALS));
        }
        if *name == dav::CURRENT_USER_PRIVILEGE_SET {
            return Some(PropValue::privileges(&privileges(self.access())));
        }
        if *name == dav::SUPPORTED_REPORT_SET {
            return match self {
                Node::Calendar(_) => Some(PropValue::supported_report_set(&calendar_reports())),
                Node::Object { .. } | Node::Plain(_) => None,
                _ => Some(PropValue::supported_report_set(&principal_reports())),
            };
        }
        match self {
            Node::Principal(user) => principal_property(user, name),
            Node::Home(user) => {
                (*name == dav::OWNER).then(|| PropValue::href(principal_href(&user.name)))
            }
            Node::Calendar(calendar) => calendar_property(ctx, calendar, name),
            Node::Object {
                calendar,
                meta,
                data,
            } => object_property(calendar, meta, data, name),
            Node::Plain(file) => plain_property(file, name),
            Node::Root | Node::Principals => None,
        }
    }

    fn resource_type(&self) -> PropValue {
        match self {
            Node::Principal(_) => PropValue::resource_type(&[dav::COLLECTION, dav::PRINCIPAL]),
            Node::Calendar(_) => PropValue::resource_type(&[dav::COLLECTION, caldav::CALENDAR]),
            _ if self.is_collection() => PropValue::resource_type(&[dav::COLLECTION]),
            _ => PropValue::Empty,
        }
    }

    fn access(&self) -> Access {
        match self {
            Node::Calendar(calendar) | Node::Object { calendar, .. } => home_access(calendar),
            Node::Root | Node::Principals | Node::Principal(_) => Access::Read,
            Node::Home(_) | Node::Plain(_) => Access::Write,
        }
    }

    /// One DAV:response for this resource with the selected properties.
    pub fn render(&self, ctx: &Ctx, selection: &PropSelection) -> Response {
        let mut response = Response::with_props(self.href(ctx));
        match selection {
            PropSelection::Prop(names) => {
                for name in names {
                    self.render_one(ctx, name, &mut response);
                }
            }
            PropSelection::PropName => {
                for name in self.live_names().into_iter().chain(self.dead_names()) {
                    response.found(Property::empty(name));
                }
            }
            PropSelection::AllProp { include } => {
                let mut names = self.live_names();
                for name in include {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
                for name in &names {
                    if let Some(value) = self.live(ctx, name) {
                        response.found(Property::new(name.clone(), value));
                    }
                }
                for value in self.dead_values() {
                    if !names.contains(value.name()) {
                        response.found(Property::new(value.name().clone(), PropValue::Dead(value)));
                    }
                }
            }
        }
        response
    }

    fn render_one(&self, ctx: &Ctx, name: &PropName, response: &mut Response) {
        if let Some(value) = self.live(ctx, name) {
            response.found(Property::new(name.clone(), value));
            return;
        }
        let dead = self
            .dead()
            .and_then(|props| props.get(&name.to_string()))
            .and_then(|fragment| PropValueXml::from_xml(fragment).ok());
        match dead {
            Some(value) => response.found(Property::new(name.clone(), PropValue::Dead(value))),
            None => response.not_found(name.clone()),
        }
    }

    fn dead_values(&self) -> Vec<PropValueXml> {
        self.dead()
            .map(|props| {
                props
                    .values()
                    .filter_map(|fragment| PropValueXml::from_xml(fragment).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn dead_names(&self) -> Vec<PropName> {
        self.dead_values()
            .iter()
            .map(|v| v.name().clone())
            .collect()
    }
}

/// RFC 3744 §5.4: what the signed-in user may do here.
fn privileges(access: Access) -> Vec<PropName> {
    match access {
        Access::Read => vec![dav::READ, dav::READ_CURRENT_USER_PRIVILEGE_SET],
        Access::Write => vec![
            dav::READ,
            dav::READ_CURRENT_USER_PRIVILEGE_SET,
            dav::WRITE,
            dav::WRITE_PROPERTIES,
            dav::WRITE_CONTENT,
            dav::BIND,
            dav::UNBIND,
        ],
    }
}

fn principal_property(user: &User, name: &PropName) -> Option<PropValue> {
    if *name == dav::DISPLAYNAME {
        return Some(PropValue::text(user.name.clone()));
    }
    if *name == dav::PRINCIPAL_URL {
        return Some(PropValue::href(principal_href(&user.name)));
    }
    if *name == caldav::CALENDAR_HOME_SET {
        return Some(PropValue::href(home_href(&user.name)));
    }
    if *name == caldav::CALENDAR_USER_ADDRESS_SET {
        let mut hrefs = Vec::new();
        if let Some(email) = &user.email {
            hrefs.push(format!("mailto:{email}"));
        }
        hrefs.push(principal_href(&user.name));
        return Some(PropValue::hrefs(hrefs));
    }
    if *name == calendarserver::EMAIL_ADDRESS_SET {
        return user
            .email
            .as_ref()
            .map(|email| PropValue::hrefs([format!("mailto:{email}")]));
    }
    None
}

fn calendar_property(ctx: &Ctx, entry: &HomeCalendar, name: &PropName) -> Option<PropValue> {
    let calendar = &entry.calendar;
    if *name == dav::DISPLAYNAME {
        return Some(PropValue::text(calendar.display_name.clone()));
    }
    if *name == calendarserver::GETCTAG {
        return Some(PropValue::text(format!(
            "\"{}-{}\"",
            calendar.id, calendar.position
        )));
    }
    if *name == dav::SYNC_TOKEN {
        let token = SyncToken {
            calendar: calendar.id,
            position: calendar.position,
        };
        return Some(PropValue::text(token.to_string()));
    }
    if *name == dav::OWNER {
        let owner = match &entry.shared {
            Some(shared) => shared.owner.clone(),
            None => ctx.session.user.name.clone(),
        };
        return Some(PropValue::href(principal_href(&owner)));
    }
    if *name == caldav::SUPPORTED_CALENDAR_COMPONENT_SET {
        let components: Vec<&str> = calendar.components.iter().map(String::as_str).collect();
        return Some(PropValue::supported_calendar_component_set(&components));
    }
    if *name == caldav::SUPPORTED_CALENDAR_DATA {
        return Some(PropValue::supported_calendar_data());
    }
    if *name == caldav::SUPPORTED_COLLATION_SET {
        return Some(PropValue::supported_collation_set());
    }
    if *name == caldav::MAX_RESOURCE_SIZE {
        return Some(PropValue::text(
            ctx.dav.config.max_resource_size.to_string(),
        ));
    }
    if *name == apple::CALENDAR_COLOR {
        return calendar.color.clone().map(PropValue::text);
    }
    if *name == caldav::CALENDAR_DESCRIPTION {
        return calendar.description.clone().map(PropValue::text);
    }
    if *name == caldav::CALENDAR_TIMEZONE {
        return calendar.timezone.clone().map(PropValue::text);
    }
    if *name == dav::CREATIONDATE {
        return Some(PropValue::creation_date(calendar.created_at));
    }
    if *name == dav::GETLASTMODIFIED {
        return Some(PropValue::http_date(calendar.modified_at));
    }
    if *name == dav::GETCONTENTTYPE {
        return Some(PropValue::text("text/calendar; charset=utf-8"));
    }
    None
}

fn object_property(
    calendar: &HomeCalendar,
    meta: &ObjectMeta,
    data: &str,
    name: &PropName,
) -> Option<PropValue> {
    if *name == dav::GETETAG {
        return Some(PropValue::text(
            ETag::new(calendar.calendar.id, meta.seq).as_str(),
        ));
    }
    if *name == dav::GETCONTENTTYPE {
        let component = meta.facts.component.to_ascii_lowercase();
        return Some(PropValue::text(format!(
            "text/calendar; charset=utf-8; component={component}"
        )));
    }
    if *name == dav::GETCONTENTLENGTH {
        return Some(PropValue::text(data.len().to_string()));
    }
    if *name == dav::GETLASTMODIFIED {
        return Some(PropValue::http_date(meta.updated_at));
    }
    if *name == caldav::CALENDAR_DATA {
        return Some(PropValue::calendar_data(data));
    }
    None
}

fn plain_property(file: &DavFile, name: &PropName) -> Option<PropValue> {
    if *name == dav::CREATIONDATE {
        return Some(PropValue::creation_date(file.created_at));
    }
    if *name == dav::GETLASTMODIFIED {
        return Some(PropValue::http_date(file.modified_at));
    }
    if file.collection {
        return None;
    }
    if *name == dav::GETETAG {
        return Some(PropValue::text(format!("\"{}\"", file.etag)));
    }
    if *name == dav::GETCONTENTLENGTH {
        return Some(PropValue::text(file.content.len().to_string()));
    }
    if *name == dav::GETCONTENTTYPE {
        return Some(PropValue::text(
            file.content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".to_string()),
        ));
    }
    None
}

/// The live properties a client may not set (RFC 4918 §15, RFC 4791 §5.2).
pub(crate) fn is_protected(name: &PropName) -> bool {
    [
        dav::RESOURCETYPE,
        dav::GETETAG,
        dav::GETCONTENTLENGTH,
        dav::GETLASTMODIFIED,
        dav::CREATIONDATE,
        dav::LOCKDISCOVERY,
        dav::SUPPORTEDLOCK,
        dav::SYNC_TOKEN,
        dav::CURRENT_USER_PRINCIPAL,
        dav::CURRENT_USER_PRIVILEGE_SET,
        dav::OWNER,
        dav::PRINCIPAL_URL,
        dav::PRINCIPAL_COLLECTION_SET,
        dav::SUPPORTED_REPORT_SET,
        calendarserver::GETCTAG,
        caldav::SUPPORTED_CALENDAR_DATA,
        caldav::SUPPORTED_COLLATION_SET,
        caldav::MAX_RESOURCE_SIZE,
        caldav::CALENDAR_HOME_SET,
        caldav::CALENDAR_USER_ADDRESS_SET,
        caldav::CALENDAR_DATA,
    ]
    .contains(name)
}
