//! Sharing: a calendar appears in another user's home with read or read-write access.

use calvault_store::{Calendar, NewShare, Share, ShareAccess, User};

use crate::calendars::check_name;
use crate::{Access, Actor, CalendarPath, CoreError, Result, Vault, now};

/// A calendar as it appears in a user's home: their own, or one shared with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeCalendar {
    /// The name in the home: the calendar's own name, or the share's mount name.
    pub name: String,
    pub calendar: Calendar,
    /// None for the user's own calendars.
    pub shared: Option<SharedFrom>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFrom {
    pub owner: String,
    pub access: ShareAccess,
}

impl Vault {
    /// Shares `path` with `grantee`, or changes the access of an existing share. The calendar
    /// appears in the grantee's home as `OWNER_CALENDAR`.
    pub async fn share_calendar(
        &self,
        actor: Actor,
        path: &CalendarPath,
        grantee: &str,
        access: ShareAccess,
    ) -> Result<Share> {
        let calendar = self.calendar(actor, path, Access::Write).await?;
        if let Actor::User(id) = actor
            && id != calendar.user_id
        {
            return Err(CoreError::Forbidden);
        }
        let grantee = self.user_named(grantee).await?;
        if grantee.id == calendar.user_id {
            return Err(CoreError::Invalid(
                "a calendar cannot be shared with its owner".to_string(),
            ));
        }
        let mount_name = format!("{}_{}", path.user, path.calendar);
        check_name("calendar", &mount_name)?;
        let share = NewShare {
            calendar_id: calendar.id,
            grantee_id: grantee.id,
            access,
            mount_name,
            created_at: now(),
        };
        Ok(self.store.upsert_share(share).await?)
    }

    pub async fn unshare_calendar(
        &self,
        actor: Actor,
        path: &CalendarPath,
        grantee: &str,
    ) -> Result<()> {
        let calendar = self.calendar(actor, path, Access::Write).await?;
        let grantee = self.user_named(grantee).await?;
        Ok(self.store.delete_share(calendar.id, grantee.id).await?)
    }

    /// Who a calendar is shared with: (grantee name, share).
    pub async fn calendar_shares(
        &self,
        actor: Actor,
        path: &CalendarPath,
    ) -> Result<Vec<(String, Share)>> {
        let calendar = self.calendar(actor, path, Access::Read).await?;
        let mut shares = Vec::new();
        for share in self.store.shares_of_calendar(calendar.id).await? {
            let name = self
                .store
                .user(share.grantee_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            shares.push((name, share));
        }
        Ok(shares)
    }

    /// Everything in `user`'s home: own live calendars, then those shared with the user.
    pub async fn home_calendars(&self, actor: Actor, user: &User) -> Result<Vec<HomeCalendar>> {
        if let Actor::User(id) = actor
            && id != user.id
        {
            return Err(CoreError::NotFound(format!("user {}", user.name)));
        }
        let mut home: Vec<HomeCalendar> = self
            .store
            .list_calendars(user.id, false)
            .await?
            .into_iter()
            .map(|calendar| HomeCalendar {
                name: calendar.name.clone(),
                calendar,
                shared: None,
            })
            .collect();
        for share in self.store.shares_for_user(user.id).await? {
            let Some(calendar) = self.store.calendar(share.calendar_id).await? else {
                continue;
            };
            let owner = self
                .store
                .user(share.owner_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            home.push(HomeCalendar {
                name: share.mount_name,
                calendar,
                shared: Some(SharedFrom {
                    owner,
                    access: share.access,
                }),
            });
        }
        Ok(home)
    }

    /// The calendar named `name` in `user`'s home (own or shared), if any. The user's own
    /// calendar is one indexed lookup; shares are read only when it is not one.
    pub async fn find_home_calendar(
        &self,
        actor: Actor,
        user: &User,
        name: &str,
    ) -> Result<Option<HomeCalendar>> {
        if let Actor::User(id) = actor
            && id != user.id
        {
            return Err(CoreError::NotFound(format!("user {}", user.name)));
        }
        if let Some(calendar) = self.store.calendar_by_name(user.id, name).await? {
            return Ok(Some(HomeCalendar {
                name: calendar.name.clone(),
                calendar,
                shared: None,
            }));
        }
        Ok(self
            .home_calendars(actor, user)
            .await?
            .into_iter()
            .find(|entry| entry.name == name))
    }

    /// The calendar named `name` in `user`'s home (own or shared), checked for `access`.
    pub async fn home_calendar(
        &self,
        actor: Actor,
        user: &User,
        name: &str,
        access: Access,
    ) -> Result<HomeCalendar> {
        let entry = self
            .find_home_calendar(actor, user, name)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("calendar {}/{name}", user.name)))?;
        self.check_access(actor, &entry.calendar, access).await?;
        Ok(entry)
    }
}
