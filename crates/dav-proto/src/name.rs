//! Qualified XML names (`PropName`) and the namespaces that CalDAV clients use.

use std::borrow::Cow;
use std::fmt;

/// RFC 4918 §21: the WebDAV namespace.
pub const NS_DAV: &str = "DAV:";
/// RFC 4791 §4: the CalDAV namespace.
pub const NS_CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// Apple's CalendarServer extensions (getctag, ...).
pub const NS_CALENDARSERVER: &str = "http://calendarserver.org/ns/";
/// Apple iCal extensions (calendar-color, calendar-order).
pub const NS_APPLE_ICAL: &str = "http://apple.com/ns/ical/";
/// The namespace bound to the reserved `xml:` prefix (xml:lang).
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// An expanded XML name: namespace URI plus local name. The empty namespace is `""`.
///
/// Used for properties, report names, preconditions and every element of the typed
/// response tree. Displays in Clark notation, `{DAV:}displayname`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropName {
    pub namespace: Cow<'static, str>,
    pub local: Cow<'static, str>,
}

impl PropName {
    /// A name from owned or borrowed strings. The caller vouches that `local` is an XML NCName.
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        PropName {
            namespace: Cow::Owned(namespace.into()),
            local: Cow::Owned(local.into()),
        }
    }

    /// A name from static strings, usable in `const` items.
    pub const fn from_static(namespace: &'static str, local: &'static str) -> Self {
        PropName {
            namespace: Cow::Borrowed(namespace),
            local: Cow::Borrowed(local),
        }
    }

    pub const fn dav(local: &'static str) -> Self {
        Self::from_static(NS_DAV, local)
    }

    pub const fn caldav(local: &'static str) -> Self {
        Self::from_static(NS_CALDAV, local)
    }

    pub const fn calendarserver(local: &'static str) -> Self {
        Self::from_static(NS_CALENDARSERVER, local)
    }

    pub const fn apple(local: &'static str) -> Self {
        Self::from_static(NS_APPLE_ICAL, local)
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    pub fn local(&self) -> &str {
        &self.local
    }

    /// True when this is `{namespace}local`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace == namespace && self.local == local
    }
}

impl fmt::Display for PropName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}

impl fmt::Debug for PropName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// True when `name` is an XML NCName (a name without a colon), the rule for local names.
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok = first == '_' || first.is_alphabetic() || !first.is_ascii();
    start_ok
        && chars.all(|c| {
            c.is_alphanumeric()
                || matches!(c, '_' | '-' | '.')
                || (!c.is_ascii() && !c.is_whitespace())
        })
}

/// Names in the `DAV:` namespace (RFC 4918, RFC 3744, RFC 5397, RFC 6578, RFC 5689).
pub mod dav {
    use super::PropName;

    // Properties.
    pub const CREATIONDATE: PropName = PropName::dav("creationdate");
    pub const DISPLAYNAME: PropName = PropName::dav("displayname");
    pub const GETCONTENTLANGUAGE: PropName = PropName::dav("getcontentlanguage");
    pub const GETCONTENTLENGTH: PropName = PropName::dav("getcontentlength");
    pub const GETCONTENTTYPE: PropName = PropName::dav("getcontenttype");
    pub const GETETAG: PropName = PropName::dav("getetag");
    pub const GETLASTMODIFIED: PropName = PropName::dav("getlastmodified");
    pub const LOCKDISCOVERY: PropName = PropName::dav("lockdiscovery");
    pub const RESOURCETYPE: PropName = PropName::dav("resourcetype");
    pub const SUPPORTEDLOCK: PropName = PropName::dav("supportedlock");
    pub const CURRENT_USER_PRINCIPAL: PropName = PropName::dav("current-user-principal");
    pub const CURRENT_USER_PRIVILEGE_SET: PropName = PropName::dav("current-user-privilege-set");
    pub const OWNER: PropName = PropName::dav("owner");
    pub const GROUP: PropName = PropName::dav("group");
    pub const ACL: PropName = PropName::dav("acl");
    pub const PRINCIPAL_URL: PropName = PropName::dav("principal-URL");
    pub const PRINCIPAL_COLLECTION_SET: PropName = PropName::dav("principal-collection-set");
    pub const GROUP_MEMBER_SET: PropName = PropName::dav("group-member-set");
    pub const GROUP_MEMBERSHIP: PropName = PropName::dav("group-membership");
    pub const ALTERNATE_URI_SET: PropName = PropName::dav("alternate-URI-set");
    pub const SUPPORTED_REPORT_SET: PropName = PropName::dav("supported-report-set");
    pub const SUPPORTED_PRIVILEGE_SET: PropName = PropName::dav("supported-privilege-set");
    pub const SYNC_TOKEN: PropName = PropName::dav("sync-token");
    pub const QUOTA_AVAILABLE_BYTES: PropName = PropName::dav("quota-available-bytes");
    pub const QUOTA_USED_BYTES: PropName = PropName::dav("quota-used-bytes");
    pub const RESOURCE_ID: PropName = PropName::dav("resource-id");
    pub const ADD_MEMBER: PropName = PropName::dav("add-member");

    // Structural elements.
    pub const MULTISTATUS: PropName = PropName::dav("multistatus");
    pub const RESPONSE: PropName = PropName::dav("response");
    pub const PROPSTAT: PropName = PropName::dav("propstat");
    pub const STATUS: PropName = PropName::dav("status");
    pub const HREF: PropName = PropName::dav("href");
    pub const PROP: PropName = PropName::dav("prop");
    pub const ERROR: PropName = PropName::dav("error");
    pub const RESPONSEDESCRIPTION: PropName = PropName::dav("responsedescription");
    pub const PROPFIND: PropName = PropName::dav("propfind");
    pub const ALLPROP: PropName = PropName::dav("allprop");
    pub const PROPNAME: PropName = PropName::dav("propname");
    pub const INCLUDE: PropName = PropName::dav("include");
    pub const PROPERTYUPDATE: PropName = PropName::dav("propertyupdate");
    pub const SET: PropName = PropName::dav("set");
    pub const REMOVE: PropName = PropName::dav("remove");
    pub const MKCOL: PropName = PropName::dav("mkcol");
    pub const MKCOL_RESPONSE: PropName = PropName::dav("mkcol-response");
    pub const COLLECTION: PropName = PropName::dav("collection");
    pub const PRINCIPAL: PropName = PropName::dav("principal");
    pub const UNAUTHENTICATED: PropName = PropName::dav("unauthenticated");
    pub const SUPPORTED_REPORT: PropName = PropName::dav("supported-report");
    pub const REPORT: PropName = PropName::dav("report");
    pub const PRIVILEGE: PropName = PropName::dav("privilege");
    pub const LIMIT: PropName = PropName::dav("limit");
    pub const NRESULTS: PropName = PropName::dav("nresults");
    pub const SYNC_LEVEL: PropName = PropName::dav("sync-level");
    pub const DESCRIPTION: PropName = PropName::dav("description");

    // Privileges (RFC 3744 §3).
    pub const READ: PropName = PropName::dav("read");
    pub const WRITE: PropName = PropName::dav("write");
    pub const WRITE_PROPERTIES: PropName = PropName::dav("write-properties");
    pub const WRITE_CONTENT: PropName = PropName::dav("write-content");
    pub const UNLOCK: PropName = PropName::dav("unlock");
    pub const READ_ACL: PropName = PropName::dav("read-acl");
    pub const READ_CURRENT_USER_PRIVILEGE_SET: PropName =
        PropName::dav("read-current-user-privilege-set");
    pub const WRITE_ACL: PropName = PropName::dav("write-acl");
    pub const BIND: PropName = PropName::dav("bind");
    pub const UNBIND: PropName = PropName::dav("unbind");
    pub const ALL: PropName = PropName::dav("all");

    // Reports.
    pub const SYNC_COLLECTION: PropName = PropName::dav("sync-collection");
    pub const EXPAND_PROPERTY: PropName = PropName::dav("expand-property");
    pub const PRINCIPAL_PROPERTY_SEARCH: PropName = PropName::dav("principal-property-search");
    pub const PRINCIPAL_SEARCH_PROPERTY_SET: PropName =
        PropName::dav("principal-search-property-set");
    pub const PRINCIPAL_SEARCH_PROPERTY: PropName = PropName::dav("principal-search-property");
    pub const PROPERTY_SEARCH: PropName = PropName::dav("property-search");
    pub const MATCH: PropName = PropName::dav("match");
    pub const APPLY_TO_PRINCIPAL_COLLECTION_SET: PropName =
        PropName::dav("apply-to-principal-collection-set");
    pub const PROPERTY: PropName = PropName::dav("property");

    // Preconditions (DAV:error children).
    pub const VALID_SYNC_TOKEN: PropName = PropName::dav("valid-sync-token");
    pub const NUMBER_OF_MATCHES_WITHIN_LIMITS: PropName =
        PropName::dav("number-of-matches-within-limits");
    pub const CANNOT_MODIFY_PROTECTED_PROPERTY: PropName =
        PropName::dav("cannot-modify-protected-property");
    pub const PROPFIND_FINITE_DEPTH: PropName = PropName::dav("propfind-finite-depth");
    pub const RESOURCE_MUST_BE_NULL: PropName = PropName::dav("resource-must-be-null");
    pub const VALID_RESOURCETYPE: PropName = PropName::dav("valid-resourcetype");
    pub const NEED_PRIVILEGES: PropName = PropName::dav("need-privileges");
    pub const SYNC_TRAVERSAL_SUPPORTED: PropName = PropName::dav("sync-traversal-supported");
    pub const LOCK_TOKEN_SUBMITTED: PropName = PropName::dav("lock-token-submitted");
}

/// Names in the CalDAV namespace (RFC 4791).
pub mod caldav {
    use super::PropName;

    // Properties.
    pub const CALENDAR_DESCRIPTION: PropName = PropName::caldav("calendar-description");
    pub const CALENDAR_TIMEZONE: PropName = PropName::caldav("calendar-timezone");
    pub const SUPPORTED_CALENDAR_COMPONENT_SET: PropName =
        PropName::caldav("supported-calendar-component-set");
    pub const SUPPORTED_CALENDAR_DATA: PropName = PropName::caldav("supported-calendar-data");
    pub const SUPPORTED_COLLATION_SET: PropName = PropName::caldav("supported-collation-set");
    pub const MAX_RESOURCE_SIZE: PropName = PropName::caldav("max-resource-size");
    pub const MIN_DATE_TIME: PropName = PropName::caldav("min-date-time");
    pub const MAX_DATE_TIME: PropName = PropName::caldav("max-date-time");
    pub const MAX_INSTANCES: PropName = PropName::caldav("max-instances");
    pub const MAX_ATTENDEES_PER_INSTANCE: PropName = PropName::caldav("max-attendees-per-instance");
    pub const CALENDAR_HOME_SET: PropName = PropName::caldav("calendar-home-set");
    pub const CALENDAR_USER_ADDRESS_SET: PropName = PropName::caldav("calendar-user-address-set");
    pub const CALENDAR_DATA: PropName = PropName::caldav("calendar-data");

    // Structural elements.
    pub const CALENDAR: PropName = PropName::caldav("calendar");
    pub const MKCALENDAR: PropName = PropName::caldav("mkcalendar");
    pub const MKCALENDAR_RESPONSE: PropName = PropName::caldav("mkcalendar-response");
    pub const COMP: PropName = PropName::caldav("comp");
    pub const ALLCOMP: PropName = PropName::caldav("allcomp");
    pub const ALLPROP: PropName = PropName::caldav("allprop");
    pub const PROP: PropName = PropName::caldav("prop");
    pub const EXPAND: PropName = PropName::caldav("expand");
    pub const LIMIT_RECURRENCE_SET: PropName = PropName::caldav("limit-recurrence-set");
    pub const LIMIT_FREEBUSY_SET: PropName = PropName::caldav("limit-freebusy-set");
    pub const FILTER: PropName = PropName::caldav("filter");
    pub const COMP_FILTER: PropName = PropName::caldav("comp-filter");
    pub const PROP_FILTER: PropName = PropName::caldav("prop-filter");
    pub const PARAM_FILTER: PropName = PropName::caldav("param-filter");
    pub const IS_NOT_DEFINED: PropName = PropName::caldav("is-not-defined");
    pub const TEXT_MATCH: PropName = PropName::caldav("text-match");
    pub const TIME_RANGE: PropName = PropName::caldav("time-range");
    pub const TIMEZONE: PropName = PropName::caldav("timezone");
    pub const TIMEZONE_ID: PropName = PropName::caldav("timezone-id");
    pub const SUPPORTED_COLLATION: PropName = PropName::caldav("supported-collation");

    // Reports.
    pub const CALENDAR_MULTIGET: PropName = PropName::caldav("calendar-multiget");
    pub const CALENDAR_QUERY: PropName = PropName::caldav("calendar-query");
    pub const FREE_BUSY_QUERY: PropName = PropName::caldav("free-busy-query");

    // Preconditions (DAV:error children, RFC 4791 §5.3.2, §7.8).
    pub const VALID_FILTER: PropName = PropName::caldav("valid-filter");
    pub const SUPPORTED_FILTER: PropName = PropName::caldav("supported-filter");
    pub const VALID_CALENDAR_DATA: PropName = PropName::caldav("valid-calendar-data");
    pub const VALID_CALENDAR_OBJECT_RESOURCE: PropName =
        PropName::caldav("valid-calendar-object-resource");
    pub const SUPPORTED_CALENDAR_COMPONENT: PropName =
        PropName::caldav("supported-calendar-component");
    pub const CALENDAR_COLLECTION_LOCATION_OK: PropName =
        PropName::caldav("calendar-collection-location-ok");
    pub const NO_UID_CONFLICT: PropName = PropName::caldav("no-uid-conflict");
    pub const MAX_RESOURCE_SIZE_EXCEEDED: PropName = PropName::caldav("max-resource-size");
    pub const VALID_CALENDAR_TIMEZONE: PropName = PropName::caldav("valid-calendar-timezone");
}

/// Names in Apple's CalendarServer namespace.
pub mod calendarserver {
    use super::PropName;

    pub const GETCTAG: PropName = PropName::calendarserver("getctag");
    pub const CALENDAR_PROXY_READ_FOR: PropName =
        PropName::calendarserver("calendar-proxy-read-for");
    pub const CALENDAR_PROXY_WRITE_FOR: PropName =
        PropName::calendarserver("calendar-proxy-write-for");
    pub const EMAIL_ADDRESS_SET: PropName = PropName::calendarserver("email-address-set");
}

/// Names in Apple's iCal namespace.
pub mod apple {
    use super::PropName;

    pub const CALENDAR_COLOR: PropName = PropName::apple("calendar-color");
    pub const CALENDAR_ORDER: PropName = PropName::apple("calendar-order");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_static_names_compare_equal() {
        assert_eq!(PropName::new(NS_DAV, "displayname"), dav::DISPLAYNAME);
        assert_ne!(PropName::new(NS_CALDAV, "displayname"), dav::DISPLAYNAME);
        assert!(caldav::CALENDAR_DATA.is(NS_CALDAV, "calendar-data"));
    }

    #[test]
    fn displays_in_clark_notation() {
        assert_eq!(dav::GETETAG.to_string(), "{DAV:}getetag");
        assert_eq!(PropName::new("", "x").to_string(), "{}x");
    }

    #[test]
    fn ncname_rules() {
        assert!(is_ncname("calendar-data"));
        assert!(is_ncname("_x.y"));
        assert!(is_ncname("ünïcode"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("1abc"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname("a b"));
        assert!(!is_ncname("a\"b"));
        assert!(!is_ncname("-a"));
    }
}
