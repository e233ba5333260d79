//! Private subscription (webcal) addresses: a secret URL that serves one calendar, read-only,
//! as a single .ics file to clients that can only subscribe. The token is shown once; the
//! store keeps its SHA-256 only, and revoking the address deletes it.

use std::io::Write;

use calvault_store::{Calendar, NewWebcalFeed, WebcalFeed};

use crate::app_passwords::secret_hash;
use crate::{Access, Actor, CalendarPath, CoreError, Result, Vault, now};

/// Random bytes in a token: 256 bits, far beyond guessing.
const TOKEN_BYTES: usize = 32;

/// A fresh token: lower-case hex of bytes from the thread's CSPRNG.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `text` has the shape of a token, so that anything else is refused unread.
pub fn is_webcal_token(text: &str) -> bool {
    text.len() == TOKEN_BYTES * 2
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Vault {
    /// Makes a subscription address for `user` to a calendar they can read (their own or one
    /// shared with them). Returns it with its token, which is shown this once.
    pub async fn add_webcal(
        &self,
        actor: Actor,
        user: &str,
        calendar: &CalendarPath,
    ) -> Result<(WebcalFeed, String)> {
        let subscriber = self.settings_owner(actor, user).await?;
        let calendar = self
            .calendar(Actor::User(subscriber.id), calendar, Access::Read)
            .await?;
        let token = new_token();
        let feed = self
            .store
            .create_webcal_feed(NewWebcalFeed {
                user_id: subscriber.id,
                calendar_id: calendar.id,
                token_sha256: secret_hash(&token),
                created_at: now(),
            })
            .await?;
        Ok((feed, token))
    }

    /// The user's subscription addresses with their calendars (a calendar in the trash too,
    /// so its address can still be revoked).
    pub async fn list_webcals(
        &self,
        actor: Actor,
        user: &str,
    ) -> Result<Vec<(WebcalFeed, Calendar)>> {
        let subscriber = self.settings_owner(actor, user).await?;
        let mut list = Vec::new();
        for feed in self.store.webcal_feeds(subscriber.id).await? {
            if let Some(calendar) = self.store.calendar(feed.calendar_id).await? {
                list.push((feed, calendar));
            }
        }
        Ok(list)
    }

    /// Revokes one of the user's addresses: it answers 404 from the next request on.
    pub async fn revoke_webcal(&self, actor: Actor, user: &str, id: i64) -> Result<()> {
        let subscriber = self.settings_owner(actor, user).await?;
        Ok(self.store.delete_webcal_feed(subscriber.id, id).await?)
    }

    /// The calendar a token opens, as its subscriber may read it now: a revoked address, a
    /// calendar in the trash and a share taken back all answer NotFound, alike.
    pub async fn webcal_calendar(&self, token: &str) -> Result<(Actor, Calendar)> {
        let gone = || CoreError::NotFound("subscription".to_string());
        if !is_webcal_token(token) {
            return Err(gone());
        }
        let feed = self
            .store
            .webcal_feed_by_token(&secret_hash(token))
            .await?
            .ok_or_else(gone)?;
        let calendar = self
            .store
            .calendar(feed.calendar_id)
            .await?
            .filter(|c| c.deleted_at.is_none())
            .ok_or_else(gone)?;
        let subscriber = Actor::User(feed.user_id);
        match self.access_to(subscriber, &calendar).await? {
            Some(_) => Ok((subscriber, calendar)),
            None => Err(gone()),
        }
    }

    /// Writes the calendar a token opens to `out` as one .ics stream; returns the calendar,
    /// the number of objects and the writer.
    pub async fn export_webcal<W: Write + Send>(
        &self,
        token: &str,
        out: W,
    ) -> Result<(Calendar, u64, W)> {
        let (subscriber, calendar) = self.webcal_calendar(token).await?;
        let (count, out) = self.export(subscriber, &calendar, None, out).await?;
        Ok((calendar, count, out))
    }
}
