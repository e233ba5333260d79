//! Authentication of a session's first message (OMA DS Protocol 1.2 §5.4, SyncML RepPro 1.2
//! §6.6.4): `syncml:auth-basic` (b64 of `user:password`) and `syncml:auth-md5`
//! (b64(md5(b64(md5(user:password)) ":" nonce)), the nonce being the one the server last gave
//! that device in a Chal's NextNonce).
//!
//! auth-md5 needs H(user:password), which an argon2 hash cannot give. So the server keeps
//! `b64(md5(user:password))`: for a user, set by the domain whenever the password is set
//! (`Vault::add_user`, `Vault::set_password`) and refreshed when proven with auth-basic; and
//! per device for an app password proven with auth-basic by that device. That value is as
//! good as the password for auth-md5 (the scheme's own weakness); it is never logged or shown.
//!
//! Failed auth-md5 sign-ins count in the domain's login throttle with auth-basic ones, and a
//! throttled user or address is refused the same way (401) before any check.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_core::store::{Device, User};
use calvault_core::{CoreError, Vault};
use calvault_syncml_proto::{Chal, Meta, StatusCode, SyncHdr};
use md5::{Digest, Md5};
use rand::Rng;

use crate::error::Result;
use crate::state::DeviceState;

pub const AUTH_BASIC: &str = "syncml:auth-basic";
pub const AUTH_MD5: &str = "syncml:auth-md5";
/// The device protocol name in the devices table.
pub const PROTOCOL: &str = "syncml";

pub struct Authenticated {
    pub user: User,
    pub device: Device,
    pub status: StatusCode,
    /// The nonce the device must use next time, sent in the 212's Chal.
    pub next_nonce: String,
}

pub enum AuthOutcome {
    Accepted(Box<Authenticated>),
    /// 401 or 407 (403 for a revoked device), with the Chal carrying this nonce.
    Rejected {
        status: StatusCode,
        next_nonce: String,
    },
}

/// H(user:password) as auth-md5 uses it: b64(md5("user:password")).
pub fn md5_credential(user: &str, secret: &str) -> String {
    calvault_core::syncml_md5_credential(user, secret)
}

/// The Cred Data of auth-md5 for a credential and a nonce (the nonce's bytes, not its b64).
pub fn md5_digest(credential: &str, nonce: &[u8]) -> String {
    let mut hasher = Md5::new();
    hasher.update(credential.as_bytes());
    hasher.update(b":");
    hasher.update(nonce);
    B64.encode(hasher.finalize())
}

/// A fresh nonce, base64 as NextNonce carries it.
pub fn new_nonce() -> String {
    let bytes: [u8; 12] = rand::rng().random();
    B64.encode(bytes)
}

/// The challenge for the next authentication: auth-md5 with a nonce (RepPro §6.6.4).
pub fn chal(nonce: &str) -> Chal {
    Chal {
        meta: Meta {
            format: Some("b64".to_string()),
            type_: Some(AUTH_MD5.to_string()),
            next_nonce: Some(nonce.to_string()),
            ..Meta::default()
        },
    }
}

/// Stores what auth-md5 needs to check this user's password from now on (the domain does it
/// whenever it sets a password: this is for a password proven some other way).
pub async fn remember_password(vault: &Vault, user: &User, password: &str) -> Result<()> {
    vault.set_syncml_md5(user, password).await?;
    Ok(())
}

/// Checks the SyncHdr's Cred.
pub async fn authenticate(vault: &Vault, hdr: &SyncHdr, client: &str) -> Result<AuthOutcome> {
    let device_key = hdr.source.loc_uri.as_str();
    let Some(cred) = &hdr.cred else {
        let device = match &hdr.source.loc_name {
            Some(name) => known_device(vault, name, device_key).await?,
            None => None,
        };
        return reject(vault, device, StatusCode::MISSING_CREDENTIALS).await;
    };
    let kind = cred
        .meta
        .as_ref()
        .and_then(|m| m.type_.as_deref())
        .unwrap_or(AUTH_BASIC);
    if kind.eq_ignore_ascii_case(AUTH_MD5) {
        authenticate_md5(vault, hdr, &cred.data, client).await
    } else if kind.eq_ignore_ascii_case(AUTH_BASIC) {
        authenticate_basic(vault, device_key, &cred.data, client).await
    } else {
        reject(vault, None, StatusCode::INVALID_CREDENTIALS).await
    }
}

async fn authenticate_basic(
    vault: &Vault,
    device_key: &str,
    data: &str,
    client: &str,
) -> Result<AuthOutcome> {
    let decoded = B64
        .decode(data.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((name, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return reject(vault, None, StatusCode::INVALID_CREDENTIALS).await;
    };
    let credentials = match vault.authenticate(name, secret, client).await {
        Ok(credentials) => credentials,
        Err(CoreError::BadCredentials | CoreError::TooManyAttempts { .. }) => {
            let device = known_device(vault, name, device_key).await?;
            return reject(vault, device, StatusCode::INVALID_CREDENTIALS).await;
        }
        Err(other) => return Err(other.into()),
    };
    let user = credentials.user;
    let device = device_of(vault, &user, device_key).await?;
    let mut state = DeviceState::from_json(&device.state);
    if credentials.app_password.is_some() {
        state.md5_credential = Some(md5_credential(&user.name, secret));
    } else {
        vault.set_syncml_md5(&user, secret).await?;
    }
    accept(vault, user, device, state).await
}

async fn authenticate_md5(
    vault: &Vault,
    hdr: &SyncHdr,
    data: &str,
    client: &str,
) -> Result<AuthOutcome> {
    let device_key = hdr.source.loc_uri.as_str();
    let Some(name) = hdr.source.loc_name.as_deref() else {
        return reject(vault, None, StatusCode::INVALID_CREDENTIALS).await;
    };
    if let Err(error) = vault.check_login_throttle(name, client) {
        tracing::info!(user = name, client, %error, "syncml auth-md5 throttled");
        let device = known_device(vault, name, device_key).await?;
        return reject(vault, device, StatusCode::INVALID_CREDENTIALS).await;
    }
    let Some(user) = vault.store().user_by_name(name).await? else {
        vault.record_login_failure(name, client);
        return reject(vault, None, StatusCode::INVALID_CREDENTIALS).await;
    };
    let device = device_of(vault, &user, device_key).await?;
    let state = DeviceState::from_json(&device.state);
    // A device we gave no nonce yet is challenged first: an empty nonce would let a recorded
    // digest be replayed.
    let nonce = match state.nonce.as_deref().map(|n| B64.decode(n)) {
        Some(Ok(nonce)) if !nonce.is_empty() => nonce,
        _ => return reject(vault, Some(device), StatusCode::INVALID_CREDENTIALS).await,
    };
    let mut candidates = Vec::with_capacity(2);
    candidates.extend(vault.syncml_store().syncml_md5(user.id).await?);
    candidates.extend(state.md5_credential.clone());
    let given = data.trim();
    if candidates
        .iter()
        .any(|credential| md5_digest(credential, &nonce) == given)
    {
        accept(vault, user, device, state).await
    } else {
        tracing::info!(user = %user.name, device = %device.key, "syncml auth-md5 refused");
        vault.record_login_failure(name, client);
        reject(vault, Some(device), StatusCode::INVALID_CREDENTIALS).await
    }
}

async fn accept(
    vault: &Vault,
    user: User,
    device: Device,
    mut state: DeviceState,
) -> Result<AuthOutcome> {
    if state.revoked {
        tracing::info!(user = %user.name, device = %device.key, "syncml device revoked");
        return Ok(AuthOutcome::Rejected {
            status: StatusCode::FORBIDDEN,
            next_nonce: new_nonce(),
        });
    }
    let next_nonce = new_nonce();
    state.nonce = Some(next_nonce.clone());
    vault
        .save_device_state(device.id, &state.to_json(), false)
        .await?;
    Ok(AuthOutcome::Accepted(Box::new(Authenticated {
        user,
        device,
        status: StatusCode::AUTHENTICATION_ACCEPTED,
        next_nonce,
    })))
}

/// Refuses, and remembers the nonce of the Chal for the device when we know it.
async fn reject(vault: &Vault, device: Option<Device>, status: StatusCode) -> Result<AuthOutcome> {
    let next_nonce = new_nonce();
    if let Some(device) = device {
        let mut state = DeviceState::from_json(&device.state);
        state.nonce = Some(next_nonce.clone());
        vault
            .save_device_state(device.id, &state.to_json(), false)
            .await?;
    }
    Ok(AuthOutcome::Rejected { status, next_nonce })
}

/// The device of an existing user, created on first sight, with its current state.
async fn device_of(vault: &Vault, user: &User, key: &str) -> Result<Device> {
    let device = vault.touch_device(user.id, PROTOCOL, key, key).await?;
    // The device cache may hold an older state: read it fresh.
    Ok(vault.device(device.id).await?.unwrap_or(device))
}

async fn known_device(vault: &Vault, user: &str, key: &str) -> Result<Option<Device>> {
    let Some(user) = vault.store().user_by_name(user).await? else {
        return Ok(None);
    };
    Ok(Some(device_of(vault, &user, key).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_the_recorded_traces() {
        // slowsync-wbxml: alice/secret, nonce WFhUQSckISE= (001-s2c), digest in 002-c2s.
        let credential = md5_credential("alice", "secret");
        let nonce = B64.decode("WFhUQSckISE=").unwrap();
        assert_eq!(md5_digest(&credential, &nonce), "iap+TWRGgtwT8RWoSolBBw==");
        // slowsync-xml: accepted with an empty nonce.
        assert_eq!(md5_digest(&credential, b""), "lOnT4YjHnGPOubN9TXInoQ==");
    }
}
