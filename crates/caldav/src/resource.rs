//! URLs as typed resources: which principal, home, calendar, object or plain WebDAV resource
//! a path names, resolved for the signed-in user only.

use calvault_core::store::{DavFile, StoredObject, User};
use calvault_core::{Access, HomeCalendar};

use crate::{Ctx, DavError};

pub const ROOT: &str = "/dav/";
pub const PRINCIPALS: &str = "/dav/principals/";
pub const CALENDARS: &str = "/dav/calendars/";

/// What a request path names, before looking anything up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Root,
    Principals,
    Principal(String),
    /// `/dav/calendars/` itself: not a resource anyone may list.
    Calendars,
    /// `/dav/calendars/USER/...`: the home (no segments) or something in it.
    InHome {
        user: String,
        segments: Vec<String>,
    },
}

impl Target {
    /// Parses a decoded absolute path. Paths outside `/dav/` are not ours.
    pub fn parse(path: &str) -> Option<Target> {
        let rest = path.strip_prefix("/dav")?;
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        match segments.as_slice() {
            [] => Some(Target::Root),
            ["principals"] => Some(Target::Principals),
            ["principals", user] => Some(Target::Principal(user.to_string())),
            ["calendars"] => Some(Target::Calendars),
            ["calendars", user, rest @ ..] => Some(Target::InHome {
                user: user.to_string(),
                segments: rest.iter().map(|s| s.to_string()).collect(),
            }),
            _ => None,
        }
    }
}

/// A resource of the signed-in user's world; `Object` and `Plain` may not exist yet.
// One per request, never stored in bulk: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Resource {
    Root,
    Principals,
    Principal(User),
    Home(User),
    Calendar(HomeCalendar),
    Object {
        calendar: HomeCalendar,
        name: String,
        object: Option<StoredObject>,
    },
    /// A plain WebDAV resource at `path` (relative to the home, segments joined by `/`).
    Plain {
        user: User,
        path: String,
        file: Option<DavFile>,
    },
}

/// Resolves `path` for the signed-in user. Anything of another user is 404: names never
/// leak (their principal included — clients only ever need their own).
pub async fn resolve(ctx: &Ctx, path: &str) -> Result<Resource, DavError> {
    let target = Target::parse(path).ok_or_else(DavError::not_found)?;
    let me = &ctx.session.user;
    let own = |user: &str| {
        if user == me.name {
            Ok(())
        } else {
            Err(DavError::not_found())
        }
    };
    match target {
        Target::Root => Ok(Resource::Root),
        Target::Principals => Ok(Resource::Principals),
        Target::Calendars => Err(DavError::not_found()),
        Target::Principal(user) => {
            own(&user)?;
            Ok(Resource::Principal(me.clone()))
        }
        Target::InHome { user, segments } => {
            own(&user)?;
            resolve_in_home(ctx, segments).await
        }
    }
}

async fn resolve_in_home(ctx: &Ctx, segments: Vec<String>) -> Result<Resource, DavError> {
    let user = ctx.session.user.clone();
    let Some(first) = segments.first() else {
        return Ok(Resource::Home(user));
    };
    let found = ctx
        .vault()
        .find_home_calendar(ctx.actor(), &user, first)
        .await?;
    if let Some(calendar) = found {
        return match segments.as_slice() {
            [_] => Ok(Resource::Calendar(calendar)),
            [_, name] => {
                let object = ctx
                    .vault()
                    .store()
                    .object_by_name(calendar.calendar.id, name)
                    .await
                    .map_err(calvault_core::CoreError::from)?;
                Ok(Resource::Object {
                    calendar,
                    name: name.clone(),
                    object,
                })
            }
            _ => Err(DavError::Status(
                axum::http::StatusCode::CONFLICT,
                "calendars hold no collections",
            )),
        };
    }
    let path = segments.join("/");
    let file = ctx.vault().dav_file(ctx.actor(), &user, &path).await?;
    Ok(Resource::Plain { user, path, file })
}

pub fn principal_href(user: &str) -> String {
    format!("{PRINCIPALS}{user}/")
}

pub fn home_href(user: &str) -> String {
    format!("{CALENDARS}{user}/")
}

pub fn calendar_href(user: &str, name: &str) -> String {
    format!("{CALENDARS}{user}/{name}/")
}

pub fn object_href(user: &str, calendar: &str, name: &str) -> String {
    format!("{CALENDARS}{user}/{calendar}/{name}")
}

pub fn plain_href(user: &str, path: &str, collection: bool) -> String {
    let slash = if collection { "/" } else { "" };
    format!("{CALENDARS}{user}/{path}{slash}")
}

pub fn home_access(calendar: &HomeCalendar) -> Access {
    match &calendar.shared {
        Some(shared) if shared.access == calvault_core::store::ShareAccess::Read => Access::Read,
        _ => Access::Write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("/dav/"), Some(Target::Root));
        assert_eq!(Target::parse("/dav"), Some(Target::Root));
        assert_eq!(Target::parse("/davx"), None);
        assert_eq!(
            Target::parse("/dav/principals/alice/"),
            Some(Target::Principal("alice".into()))
        );
        assert_eq!(
            Target::parse("/dav/calendars/alice/work/a.ics"),
            Some(Target::InHome {
                user: "alice".into(),
                segments: vec!["work".into(), "a.ics".into()]
            })
        );
        assert_eq!(Target::parse("/dav/other"), None);
    }
}
