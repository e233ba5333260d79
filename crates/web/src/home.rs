//! The signed-in user's calendars, found by id only through the vault's access check: an id
//! that is not the user's to see answers 404 like one that does not exist.

use calvault_core::store::Calendar;
use calvault_core::{Access, HomeCalendar};

use crate::session::Signed;
use crate::{Shared, WebError};

pub async fn calendar(
    web: &Shared,
    signed: &Signed,
    id: i64,
    access: Access,
) -> Result<Calendar, WebError> {
    let calendar = web
        .vault
        .store()
        .calendar(id)
        .await
        .map_err(|e| WebError::from(calvault_core::CoreError::from(e)))?
        .filter(|c| c.deleted_at.is_none())
        .ok_or(WebError::NotFound)?;
    match (
        web.vault.access_to(signed.actor(), &calendar).await?,
        access,
    ) {
        (None, _) => Err(WebError::NotFound),
        (Some(Access::Read), Access::Write) => Err(WebError::ReadOnly),
        _ => Ok(calendar),
    }
}

/// The calendar only if the user owns it (sharing, renaming, snapshots are the owner's).
pub async fn own_calendar(web: &Shared, signed: &Signed, id: i64) -> Result<Calendar, WebError> {
    let calendar = calendar(web, signed, id, Access::Read).await?;
    if calendar.user_id != signed.user.id {
        return Err(WebError::NotFound);
    }
    Ok(calendar)
}

/// Calendars of the home the user may write to: own ones and read-write shares.
pub async fn writable(web: &Shared, signed: &Signed) -> Result<Vec<HomeCalendar>, WebError> {
    Ok(web
        .vault
        .home_calendars(signed.actor(), &signed.user)
        .await?
        .into_iter()
        .filter(|entry| {
            entry
                .shared
                .as_ref()
                .is_none_or(|s| s.access == calvault_core::store::ShareAccess::ReadWrite)
        })
        .collect())
}

/// The user's own live calendars.
pub async fn own(web: &Shared, signed: &Signed) -> Result<Vec<Calendar>, WebError> {
    Ok(web
        .vault
        .list_calendars(signed.actor(), &signed.user.name)
        .await?)
}
