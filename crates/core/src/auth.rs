//! Authentication: user passwords (argon2) and app passwords, a short-lived cache of verified
//! credentials so that HTTP Basic on every request stays cheap, a throttle on failures (shared
//! with sign-ins a protocol checks itself, such as SyncML's auth-md5), and the auth-md5
//! credential kept for each user's password.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_store::{AppPassword, User};
use md5::Md5;
use sha2::{Digest, Sha256};

use crate::app_passwords::secret_hash;
use crate::{CoreError, Result, Vault, password};

/// How long verified credentials are trusted without running argon2 again.
const CACHE_TTL: Duration = Duration::from_secs(300);
/// An app password's last use is written at most this often (seconds).
const TOUCH_EVERY_SECS: i64 = 60;
/// Failures allowed per client address within `FAILURE_WINDOW`.
const MAX_FAILURES_PER_CLIENT: usize = 10;
/// Failures allowed per user name within `FAILURE_WINDOW`, from all addresses together: higher,
/// so that guessing from many addresses is slowed without locking the owner out at once.
const MAX_FAILURES_PER_USER: usize = 30;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Bounds on the in-memory tables, so a flood of guesses cannot grow them without end.
const MAX_ENTRIES: usize = 100_000;

/// Who signed in, and with which app password if any.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub app_password: Option<AppPassword>,
}

/// At most this many argon2 checks run at once. Each takes about 19 MiB and a core for tens of
/// milliseconds: a burst of sign-ins (a client opening 16 connections at once, or a flood of
/// guesses) waits its turn instead of multiplying the server's memory.
const CONCURRENT_HASHES: usize = 2;

pub(crate) struct AuthState {
    verified: Mutex<HashMap<[u8; 32], (String, Instant)>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    hashing: tokio::sync::Semaphore,
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            verified: Mutex::default(),
            failures: Mutex::default(),
            hashing: tokio::sync::Semaphore::new(CONCURRENT_HASHES),
        }
    }
}

fn cache_key(name: &str, secret: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update(secret.as_bytes());
    hasher.finalize().into()
}

impl AuthState {
    /// Whether this secret was verified lately against exactly this password hash.
    fn verified(&self, key: &[u8; 32], hash: &str) -> bool {
        let Ok(verified) = self.verified.lock() else {
            return false;
        };
        verified
            .get(key)
            .is_some_and(|(h, at)| h == hash && at.elapsed() < CACHE_TTL)
    }

    fn remember(&self, key: [u8; 32], hash: String) {
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= MAX_ENTRIES {
                verified.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            }
            if verified.len() < MAX_ENTRIES {
                verified.insert(key, (hash, Instant::now()));
            }
        }
    }

    /// Seconds to wait when `key` failed `limit` times or more lately.
    fn blocked_for(&self, key: &str, limit: usize) -> Option<u64> {
        let failures = self.failures.lock().ok()?;
        let recent: Vec<&Instant> = failures
            .get(key)?
            .iter()
            .filter(|at| at.elapsed() < FAILURE_WINDOW)
            .collect();
        if recent.len() < limit {
            return None;
        }
        let oldest = recent
            .iter()
            .map(|at| at.elapsed())
            .max()
            .unwrap_or_default();
        Some(FAILURE_WINDOW.saturating_sub(oldest).as_secs().max(1))
    }

    fn record_failure(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() >= MAX_ENTRIES {
                failures.retain(|_, times| times.iter().any(|at| at.elapsed() < FAILURE_WINDOW));
            }
            let times = failures.entry(key.to_string()).or_default();
            times.retain(|at| at.elapsed() < FAILURE_WINDOW);
            times.push(Instant::now());
        }
    }
}

/// H(user:password) as SyncML's auth-md5 uses it (OMA DS 1.2 §5.4): b64(md5("user:password")).
/// As good as the password for auth-md5 (the scheme's own weakness): never logged or shown.
pub fn syncml_md5_credential(user: &str, secret: &str) -> String {
    B64.encode(<Md5 as md5::Digest>::digest(
        format!("{user}:{secret}").as_bytes(),
    ))
}

fn throttle_keys(name: &str, client: &str) -> [(String, usize); 2] {
    [
        (format!("client:{client}"), MAX_FAILURES_PER_CLIENT),
        (format!("user:{name}"), MAX_FAILURES_PER_USER),
    ]
}

impl Vault {
    /// Checks a user name and a secret (the user's password or one of its app passwords) from
    /// `client` (an address). Too many failures from the client or for the name within a
    /// minute are refused with `TooManyAttempts` before any check runs.
    pub async fn authenticate(
        &self,
        name: &str,
        secret: &str,
        client: &str,
    ) -> Result<Credentials> {
        self.check_login_throttle(name, client)?;
        match self.verify(name, secret).await? {
            Some(credentials) => {
                if let Some(app) = &credentials.app_password
                    && app
                        .last_used_at
                        .is_none_or(|at| crate::now() - at >= TOUCH_EVERY_SECS)
                {
                    self.store.touch_app_password(app.id, crate::now()).await?;
                }
                Ok(credentials)
            }
            None => {
                self.record_login_failure(name, client);
                Err(CoreError::BadCredentials)
            }
        }
    }

    /// For a sign-in a protocol checks itself (SyncML's auth-md5): `TooManyAttempts` when the
    /// client address or the user name failed too often within the last minute, exactly as
    /// [`Vault::authenticate`] refuses.
    pub fn check_login_throttle(&self, name: &str, client: &str) -> Result<()> {
        for (key, limit) in throttle_keys(name, client) {
            if let Some(retry_after) = self.auth.blocked_for(&key, limit) {
                return Err(CoreError::TooManyAttempts { retry_after });
            }
        }
        Ok(())
    }

    /// Counts a failed sign-in a protocol checked itself, against the client address and the
    /// user name, with the failures of [`Vault::authenticate`].
    pub fn record_login_failure(&self, name: &str, client: &str) {
        for (key, _) in throttle_keys(name, client) {
            self.auth.record_failure(&key);
        }
    }

    async fn verify(&self, name: &str, secret: &str) -> Result<Option<Credentials>> {
        let found = self
            .store
            .user_and_app_password(name, &secret_hash(secret))
            .await?;
        let Some((user, app)) = found else {
            // Spend the same time as for a real user, so timing does not tell who exists.
            let _turn = self.auth.hashing.acquire().await;
            let _ = check_password_blocking(secret.to_string(), DUMMY_HASH.to_string()).await;
            return Ok(None);
        };
        if let Some(app) = app {
            return Ok(Some(Credentials {
                user,
                app_password: Some(app),
            }));
        }
        // The user and app password rows are read on every request, so a password change or a
        // revocation (perhaps from another process) takes effect at once; the cache only spares
        // argon2 for a secret already verified against this very hash.
        let key = cache_key(name, secret);
        let valid = self.auth.verified(&key, &user.password_hash) || {
            let _turn = self.auth.hashing.acquire().await;
            // The same secret may have been verified while this request waited its turn.
            self.auth.verified(&key, &user.password_hash) || {
                let valid =
                    check_password_blocking(secret.to_string(), user.password_hash.clone()).await;
                if valid {
                    self.auth.remember(key, user.password_hash.clone());
                }
                valid
            }
        };
        Ok(valid.then_some(Credentials {
            user,
            app_password: None,
        }))
    }
}

async fn check_password_blocking(secret: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&secret, &hash))
        .await
        .unwrap_or(false)
}

/// An argon2id hash of a random string: verified against when the user does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Yk8nqK1b2QvYw4nKq3VZ1m0fQ2q0o5b6pXo7Y8a3cFQ";
