//! HTTP Basic authentication on every request, and the device each client is.

use axum::http::{HeaderMap, header};
use base64::Engine;
use calvault_core::store::{Device, User};
use calvault_core::{Client, CoreError};
use sha2::{Digest, Sha256};

use crate::{Dav, DavError};

/// The signed-in user and the device their client is.
#[derive(Clone)]
pub(crate) struct Session {
    pub user: User,
    pub client: Client,
    pub device: Device,
}

impl Session {
    /// Checks the Basic credentials (RFC 7617) against the vault; 401 or 429 otherwise.
    pub async fn open(dav: &Dav, headers: &HeaderMap, peer: &str) -> Result<Session, DavError> {
        let (name, secret) = basic_credentials(headers).ok_or(DavError::Unauthenticated)?;
        let credentials = match dav.vault.authenticate(&name, &secret, peer).await {
            Ok(credentials) => credentials,
            Err(CoreError::BadCredentials) => return Err(DavError::Unauthenticated),
            Err(CoreError::TooManyAttempts { retry_after }) => {
                return Err(DavError::TooManyAttempts { retry_after });
            }
            Err(other) => return Err(other.into()),
        };
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown client");
        // A device is its app password when it has one, else its User-Agent.
        let (key, device_name) = match &credentials.app_password {
            Some(app) => (format!("app:{}", app.name), app.name.clone()),
            None => (
                format!(
                    "ua:{}",
                    &hex::encode(Sha256::digest(user_agent.as_bytes()))[..16]
                ),
                user_agent.chars().take(200).collect(),
            ),
        };
        let device = dav
            .vault
            .touch_device(credentials.user.id, "caldav", &key, &device_name)
            .await?;
        Ok(Session {
            client: Client::device("caldav", &device),
            user: credentials.user,
            device,
        })
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, secret) = decoded.split_once(':')?;
    Some((name.to_string(), secret.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_credentials() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            "Basic YWxpY2U6c2VjcmV0OnBhc3M=".parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("alice".to_string(), "secret:pass".to_string()))
        );
        headers.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert_eq!(basic_credentials(&headers), None);
    }
}
