//! App passwords: one secret per device, revocable on its own.

use calvault_store::{AppPassword, NewAppPassword};
use sha2::{Digest, Sha256};

use crate::calendars::check_name;
use crate::{CoreError, Result, Vault, now};

/// Lower-case hex SHA-256: app passwords are random and long, so a fast hash is safe and lets
/// authentication find the password by its hash.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh app password: 24 characters from an unambiguous alphabet (about 140 bits), in
/// groups of four for typing on a phone.
fn new_secret() -> String {
    let raw = crate::password::random_chars(24);
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

impl Vault {
    /// Creates an app password named `name` for `user` and returns it with its secret, which is
    /// shown this once and never stored.
    pub async fn add_app_password(&self, user: &str, name: &str) -> Result<(AppPassword, String)> {
        check_name("app password", name)?;
        let user = self.user_named(user).await?;
        let secret = new_secret();
        let password = NewAppPassword {
            user_id: user.id,
            name: name.to_string(),
            secret_sha256: secret_hash(&secret),
            created_at: now(),
        };
        let created =
            self.store
                .create_app_password(password)
                .await
                .map_err(|error| match error {
                    calvault_store::StoreError::Conflict(_) => {
                        CoreError::AlreadyExists(format!("app password {name} of {}", user.name))
                    }
                    other => other.into(),
                })?;
        Ok((created, secret))
    }

    pub async fn list_app_passwords(&self, user: &str) -> Result<Vec<AppPassword>> {
        let user = self.user_named(user).await?;
        Ok(self.store.list_app_passwords(user.id).await?)
    }

    /// Revokes an app password: the device using it is refused from its next request on.
    pub async fn revoke_app_password(&self, user: &str, name: &str) -> Result<()> {
        let user = self.user_named(user).await?;
        self.store.delete_app_password(user.id, name).await?;
        Ok(())
    }
}
