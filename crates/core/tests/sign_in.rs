//! Sign-ins a protocol checks itself share the login throttle, and the SyncML auth-md5
//! credential follows the password wherever it is set.

use std::sync::Arc;

use calvault_core::{CoreError, Policy, Vault, syncml_md5_credential};
use calvault_store::SqliteStore;

async fn vault() -> (Vault, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    (Vault::new(Arc::new(store), Policy::default()), dir)
}

#[tokio::test]
async fn the_auth_md5_credential_follows_the_password() {
    let (vault, _dir) = vault().await;
    let (user, _) = vault
        .add_user("alice", None, "first password")
        .await
        .unwrap();
    let stored = vault.syncml_store().syncml_md5(user.id).await.unwrap();
    assert_eq!(
        stored.as_deref(),
        Some(syncml_md5_credential("alice", "first password").as_str())
    );
    vault
        .set_password("alice", "second password")
        .await
        .unwrap();
    let stored = vault.syncml_store().syncml_md5(user.id).await.unwrap();
    assert_eq!(
        stored.as_deref(),
        Some(syncml_md5_credential("alice", "second password").as_str()),
        "the old password's credential is replaced"
    );
    // b64(md5("alice:secret")), OMA DS 1.2 §5.4 H(user:password).
    assert_eq!(
        syncml_md5_credential("alice", "secret"),
        "b2IgWJaLuQdX5sbteeXfgQ=="
    );
}

#[tokio::test]
async fn failures_recorded_by_a_protocol_throttle_every_sign_in() {
    let (vault, _dir) = vault().await;
    vault
        .add_user("alice", None, "correct horse")
        .await
        .unwrap();
    assert!(vault.check_login_throttle("alice", "10.0.0.1").is_ok());
    for _ in 0..10 {
        vault.record_login_failure("alice", "10.0.0.1");
    }
    assert!(matches!(
        vault.check_login_throttle("alice", "10.0.0.1"),
        Err(CoreError::TooManyAttempts { .. })
    ));
    // Basic authentication from that address is refused too, even with the right password.
    assert!(matches!(
        vault
            .authenticate("alice", "correct horse", "10.0.0.1")
            .await,
        Err(CoreError::TooManyAttempts { .. })
    ));
    // Another address still gets in.
    assert!(vault.check_login_throttle("alice", "10.0.0.2").is_ok());
    assert!(
        vault
            .authenticate("alice", "correct horse", "10.0.0.2")
            .await
            .is_ok()
    );
    // Failures of `authenticate` count for the protocol's own check as well.
    for _ in 0..10 {
        let _ = vault.authenticate("bob", "guess", "10.0.0.3").await;
    }
    assert!(vault.check_login_throttle("bob", "10.0.0.3").is_err());
}
