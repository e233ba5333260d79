//! Plain WebDAV resources in a user's home: files and collections that are not calendars.

use calvault_store::{DavFile, DavFileChange, User};

use crate::{Actor, CoreError, Result, Vault};

impl Vault {
    /// Only the owner of a home (or the operator) reaches its plain resources.
    fn check_home(actor: Actor, user: &User) -> Result<()> {
        match actor {
            Actor::User(id) if id != user.id => {
                Err(CoreError::NotFound(format!("home of {}", user.name)))
            }
            _ => Ok(()),
        }
    }

    pub async fn dav_file(&self, actor: Actor, user: &User, path: &str) -> Result<Option<DavFile>> {
        Self::check_home(actor, user)?;
        Ok(self.store.dav_file(user.id, path).await?)
    }

    /// Every plain resource strictly below `path` (the whole home for an empty path).
    pub async fn dav_files_under(
        &self,
        actor: Actor,
        user: &User,
        path: &str,
    ) -> Result<Vec<DavFile>> {
        Self::check_home(actor, user)?;
        Ok(self.store.dav_files_under(user.id, path).await?)
    }

    /// Applies plain-resource changes atomically.
    pub async fn write_dav_files(
        &self,
        actor: Actor,
        user: &User,
        changes: Vec<DavFileChange>,
    ) -> Result<()> {
        Self::check_home(actor, user)?;
        Ok(self.store.write_dav_files(user.id, changes).await?)
    }
}
