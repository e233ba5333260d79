//! Users: accounts with argon2 password hashes, each born with a default calendar. Setting a
//! password also sets the SyncML auth-md5 credential derived from it (auth-md5 cannot be
//! checked against an argon2 hash), so that it always follows the password.

use calvault_store::{Calendar, NewUser, User};

use crate::auth::syncml_md5_credential;
use crate::calendars::{DEFAULT_CALENDAR, check_name, new_calendar};
use crate::{CoreError, Result, Vault, now, password};

impl Vault {
    /// Creates a user and its default calendar `calendar`, in one transaction; then its
    /// auth-md5 credential.
    pub async fn add_user(
        &self,
        name: &str,
        email: Option<&str>,
        password: &str,
    ) -> Result<(User, Calendar)> {
        check_name("user", name)?;
        check_password(password)?;
        if self.store.user_by_name(name).await?.is_some() {
            return Err(CoreError::AlreadyExists(format!("user {name}")));
        }
        let user = NewUser {
            name: name.to_string(),
            email: email.map(str::to_string),
            password_hash: password::hash(password)?,
            created_at: now(),
        };
        let (user, calendar) = self
            .store
            .create_user(user, new_calendar(DEFAULT_CALENDAR, "Calendar"))
            .await?;
        self.set_syncml_md5(&user, password).await?;
        Ok((user, calendar))
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        Ok(self.store.list_users().await?)
    }

    /// Changes a user's password; the auth-md5 credential of the old one stops working with
    /// it.
    pub async fn set_password(&self, name: &str, password: &str) -> Result<()> {
        check_password(password)?;
        let user = self.user_named(name).await?;
        self.store
            .set_password_hash(user.id, &password::hash(password)?)
            .await?;
        self.set_syncml_md5(&user, password).await
    }

    /// Stores what SyncML's auth-md5 needs to check this password of the user.
    pub async fn set_syncml_md5(&self, user: &User, password: &str) -> Result<()> {
        let credential = syncml_md5_credential(&user.name, password);
        self.syncml_store()
            .set_syncml_md5(user.id, &credential, now())
            .await?;
        Ok(())
    }

    /// Deletes a user and everything it owns.
    pub async fn delete_user(&self, name: &str) -> Result<User> {
        let user = self.user_named(name).await?;
        self.store.delete_user(user.id).await?;
        Ok(user)
    }
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 8 {
        return Err(CoreError::Invalid(
            "a password needs at least 8 characters".to_string(),
        ));
    }
    Ok(())
}
