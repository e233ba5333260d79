//! Whole sessions from bytes: auth-md5 sign-ins (OMA DS 1.2 §5.4) check the credential the
//! domain keeps with the password, and their failures are throttled with auth-basic ones.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use calvault_syncml::SyncmlConfig;
use calvault_syncml::auth::{md5_credential, md5_digest};
use calvault_syncml_proto::{Command, Cred, Encoding, Meta, StatusCode, SyncMl};
use support::*;

fn nonce_of(reply: &SyncMl) -> String {
    reply
        .body
        .commands
        .iter()
        .find_map(|c| match c {
            Command::Status(s) if s.cmd == "SyncHdr" => {
                s.chal.as_ref().and_then(|ch| ch.meta.next_nonce.clone())
            }
            _ => None,
        })
        .expect("a Chal with a NextNonce")
}

fn hdr_status(reply: &SyncMl) -> StatusCode {
    reply
        .body
        .commands
        .iter()
        .find_map(|c| match c {
            Command::Status(s) if s.cmd == "SyncHdr" => Some(s.data),
            _ => None,
        })
        .expect("a SyncHdr Status")
}

/// A first message signed with auth-md5 for `password` and the server's last nonce.
async fn sign_in(server: &Server, device: &mut Device, password: &str, nonce: &str) -> SyncMl {
    device.new_session();
    let mut msg = device.message(vec![alert(1, 201, None, "n1")], true);
    let nonce = B64.decode(nonce).unwrap();
    msg.hdr.cred = Some(Cred {
        meta: Some(Meta {
            type_: Some("syncml:auth-md5".into()),
            format: Some("b64".into()),
            ..Meta::default()
        }),
        data: md5_digest(&md5_credential(USER, password), &nonce),
    });
    device.post(server, &msg).await
}

#[tokio::test]
async fn auth_md5_follows_the_password_the_domain_sets() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:md5-1", Encoding::Wbxml);
    // First contact: no nonce yet, challenged.
    let reply = sign_in(&server, &mut device, PASSWORD, "").await;
    assert_eq!(hdr_status(&reply), StatusCode::INVALID_CREDENTIALS);
    let reply = sign_in(&server, &mut device, PASSWORD, &nonce_of(&reply)).await;
    assert_eq!(hdr_status(&reply), StatusCode::AUTHENTICATION_ACCEPTED);

    server
        .vault
        .set_password(USER, "a brand new password")
        .await
        .unwrap();
    let reply = sign_in(&server, &mut device, PASSWORD, &nonce_of(&reply)).await;
    assert_eq!(
        hdr_status(&reply),
        StatusCode::INVALID_CREDENTIALS,
        "the old password no longer signs in"
    );
    let reply = sign_in(
        &server,
        &mut device,
        "a brand new password",
        &nonce_of(&reply),
    )
    .await;
    assert_eq!(hdr_status(&reply), StatusCode::AUTHENTICATION_ACCEPTED);
}

#[tokio::test]
async fn auth_md5_failures_are_throttled_like_basic_ones() {
    let server = server(SyncmlConfig::default()).await;
    let mut device = Device::new("IMEI:md5-2", Encoding::Xml);
    let mut reply = sign_in(&server, &mut device, PASSWORD, "").await;
    for _ in 0..10 {
        reply = sign_in(&server, &mut device, "a wrong guess", &nonce_of(&reply)).await;
        assert_eq!(hdr_status(&reply), StatusCode::INVALID_CREDENTIALS);
    }
    let reply = sign_in(&server, &mut device, PASSWORD, &nonce_of(&reply)).await;
    assert_eq!(
        hdr_status(&reply),
        StatusCode::INVALID_CREDENTIALS,
        "throttled: even the right password is refused for now"
    );
    // auth-basic from the same address is refused as well.
    let mut other = Device::new("IMEI:md5-3", Encoding::Xml);
    let reply = other.send_alert(&server, 201, None, "b1").await;
    assert_eq!(hdr_status(&reply), StatusCode::INVALID_CREDENTIALS);
    assert!(matches!(
        server.vault.check_login_throttle(USER, "127.0.0.1"),
        Err(calvault_core::CoreError::TooManyAttempts { .. })
    ));
}
