//! Users: accounts with argon2 password hashes, each born with a default calendar.

use calvault_store::{Calendar, NewUser, User};

use crate::calendars::{DEFAULT_CALENDAR, check_name, new_calendar};
use crate::{CoreError, Result, Vault, now, password};

impl Vault {
    /// Creates a user and its default calendar `calendar`, in one transaction.
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
        Ok(self
            .store
            .create_user(user, new_calendar(DEFAULT_CALENDAR, "Calendar"))
            .await?)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        Ok(self.store.list_users().await?)
    }

    pub async fn set_password(&self, name: &str, password: &str) -> Result<()> {
        check_password(password)?;
        let user = self.user_named(name).await?;
        Ok(self
            .store
            .set_password_hash(user.id, &password::hash(password)?)
            .await?)
    }

    /// Deletes a user and everything it owns.
    pub async fn delete_user(&self, name: &str) -> Result<User> {
        let user = self.user_named(name).await?;
        self.store.delete_user(user.id).await?;
        Ok(user)
    }

    /// Checks a user's password; the same error whether the user or the password is wrong.
    pub async fn authenticate(&self, name: &str, password: &str) -> Result<User> {
        let user = self
            .store
            .user_by_name(name)
            .await?
            .ok_or(CoreError::BadCredentials)?;
        let hash = user.password_hash.clone();
        let candidate = password.to_string();
        let valid = tokio::task::spawn_blocking(move || password::verify(&candidate, &hash))
            .await
            .unwrap_or(false);
        if valid {
            Ok(user)
        } else {
            Err(CoreError::BadCredentials)
        }
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
