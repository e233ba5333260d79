//! App passwords and calendars shared between users.

use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

fn app_password(user: UserId, name: &str, secret: &str) -> NewAppPassword {
    NewAppPassword {
        user_id: user,
        name: name.into(),
        secret_sha256: format!("{secret:0>64}"),
        created_at: 10,
    }
}

fn new_share(calendar: CalendarId, grantee: UserId, access: ShareAccess, mount: &str) -> NewShare {
    NewShare {
        calendar_id: calendar,
        grantee_id: grantee,
        access,
        mount_name: mount.into(),
        created_at: 20,
    }
}

pub async fn a_sign_in_reads_the_user_and_the_app_password_its_secret_matches(b: Arc<Backend>) {
    let store = &*b.store;
    let (bob, _) = user_with_calendar(store, "bob").await;
    let (alice, _) = user_with_calendar(store, "alice").await;
    store
        .create_app_password(app_password(bob.id, "old", "b0"))
        .await
        .unwrap();
    let phone = store
        .create_app_password(app_password(bob.id, "phone", "b1"))
        .await
        .unwrap();
    store
        .create_app_password(app_password(alice.id, "phone", "a1"))
        .await
        .unwrap();
    let hash = |secret: &str| format!("{secret:0>64}");
    let found = store
        .user_and_app_password("bob", &hash("b1"))
        .await
        .unwrap();
    assert_eq!(found, Some((bob.clone(), Some(phone))));
    // Another user's app password, or none, is the user alone.
    for secret in ["a1", "nothing"] {
        let found = store
            .user_and_app_password("bob", &hash(secret))
            .await
            .unwrap();
        assert_eq!(found, Some((bob.clone(), None)), "{secret}");
    }
    let nobody = store.user_and_app_password("carol", &hash("b1")).await;
    assert_eq!(nobody.unwrap(), None);
}

pub async fn app_passwords_are_unique_per_user_found_by_hash_and_revoked(b: Arc<Backend>) {
    let store = &*b.store;
    let (bob, _) = user_with_calendar(store, "bob").await;
    let (alice, _) = user_with_calendar(store, "alice").await;
    let phone = store
        .create_app_password(app_password(bob.id, "phone", "b1"))
        .await
        .unwrap();
    assert_eq!(
        (
            phone.user_id,
            phone.name.as_str(),
            phone.created_at,
            phone.last_used_at
        ),
        (bob.id, "phone", 10, None)
    );
    let laptop = store
        .create_app_password(app_password(bob.id, "laptop", "b2"))
        .await
        .unwrap();
    store
        .create_app_password(app_password(alice.id, "phone", "a1"))
        .await
        .expect("names are per user");
    let dup = store
        .create_app_password(app_password(bob.id, "phone", "b3"))
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict(ref m) if m.contains("phone")),
        "{dup}"
    );
    let orphan = store
        .create_app_password(app_password(9_999_999, "x", "c"))
        .await
        .unwrap_err();
    assert!(matches!(orphan, StoreError::NotFound(_)), "{orphan}");
    assert_eq!(
        store.list_app_passwords(bob.id).await.unwrap(),
        [laptop.clone(), phone.clone()],
        "ordered by name"
    );

    let hash = phone.secret_sha256.clone();
    assert_eq!(
        store.app_password_by_secret(bob.id, &hash).await.unwrap(),
        Some(phone.clone())
    );
    assert_eq!(
        store.app_password_by_secret(alice.id, &hash).await.unwrap(),
        None,
        "a secret opens its own user only"
    );
    assert_eq!(
        store
            .app_password_by_secret(bob.id, &format!("{:0>64}", "zz"))
            .await
            .unwrap(),
        None
    );

    store.touch_app_password(phone.id, 50).await.unwrap();
    store.touch_app_password(phone.id, 40).await.unwrap();
    let touched = store.app_password_by_secret(bob.id, &hash).await.unwrap();
    assert_eq!(
        touched.and_then(|p| p.last_used_at),
        Some(50),
        "last use never moves back"
    );
    assert!(matches!(
        store.touch_app_password(9_999_999, 1).await,
        Err(StoreError::NotFound(_))
    ));

    store.delete_app_password(bob.id, "phone").await.unwrap();
    assert_eq!(
        store.app_password_by_secret(bob.id, &hash).await.unwrap(),
        None
    );
    assert!(matches!(
        store.delete_app_password(bob.id, "phone").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        matches!(
            store.delete_app_password(alice.id, "laptop").await,
            Err(StoreError::NotFound(_))
        ),
        "another user's password is not found"
    );
    assert_eq!(store.list_app_passwords(bob.id).await.unwrap(), [laptop]);
    store
        .create_app_password(app_password(bob.id, "phone", "b4"))
        .await
        .expect("a revoked name is free again");

    store.delete_user(bob.id).await.unwrap();
    assert!(store.list_app_passwords(bob.id).await.unwrap().is_empty());
    assert_eq!(store.list_app_passwords(alice.id).await.unwrap().len(), 1);
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}

pub async fn shares_upsert_keep_their_mount_name_and_conflict_on_it(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let team = store
        .create_calendar(alice.id, new_calendar("team"))
        .await
        .unwrap();
    let (bob, _) = user_with_calendar(store, "bob").await;
    let (carol, _) = user_with_calendar(store, "carol").await;

    let share = store
        .upsert_share(new_share(home.id, bob.id, ShareAccess::Read, "alice-home"))
        .await
        .unwrap();
    assert_eq!(
        share,
        Share {
            calendar_id: home.id,
            owner_id: alice.id,
            grantee_id: bob.id,
            access: ShareAccess::Read,
            mount_name: "alice-home".into(),
            created_at: 20,
        }
    );
    assert_eq!(
        store.share(home.id, bob.id).await.unwrap(),
        Some(share.clone())
    );
    let changed = store
        .upsert_share(NewShare {
            created_at: 99,
            ..new_share(home.id, bob.id, ShareAccess::ReadWrite, "renamed")
        })
        .await
        .unwrap();
    assert_eq!(
        changed,
        Share {
            access: ShareAccess::ReadWrite,
            ..share.clone()
        },
        "only the access changes"
    );
    assert_eq!(store.share(home.id, bob.id).await.unwrap(), Some(changed));

    let clash = store
        .upsert_share(new_share(team.id, bob.id, ShareAccess::Read, "alice-home"))
        .await
        .unwrap_err();
    assert!(
        matches!(clash, StoreError::Conflict(ref m) if m.contains("alice-home")),
        "{clash}"
    );
    assert_eq!(store.share(team.id, bob.id).await.unwrap(), None);
    store
        .upsert_share(new_share(
            team.id,
            carol.id,
            ShareAccess::Read,
            "alice-home",
        ))
        .await
        .expect("mount names are per grantee");
    store
        .upsert_share(new_share(team.id, bob.id, ShareAccess::Read, "alice-team"))
        .await
        .unwrap();

    // The existing share keeps its mount name, so another share's name is no clash for it.
    let kept = store
        .upsert_share(new_share(home.id, bob.id, ShareAccess::Read, "alice-team"))
        .await
        .unwrap();
    assert_eq!(
        (kept.access, kept.mount_name.as_str()),
        (ShareAccess::Read, "alice-home")
    );

    let own = store
        .upsert_share(new_share(home.id, alice.id, ShareAccess::Read, "mine"))
        .await
        .unwrap_err();
    assert!(matches!(own, StoreError::Conflict(_)), "{own}");
    let no_calendar = store
        .upsert_share(new_share(9_999_999, bob.id, ShareAccess::Read, "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(no_calendar, StoreError::NotFound(_)),
        "{no_calendar}"
    );
    let no_grantee = store
        .upsert_share(new_share(home.id, 9_999_999, ShareAccess::Read, "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(no_grantee, StoreError::NotFound(_)),
        "{no_grantee}"
    );

    let grantees =
        |shares: Vec<Share>| shares.into_iter().map(|s| s.grantee_id).collect::<Vec<_>>();
    let mut of_team = grantees(store.shares_of_calendar(team.id).await.unwrap());
    of_team.sort();
    assert_eq!(of_team, [bob.id, carol.id]);
    assert_eq!(
        grantees(store.shares_of_calendar(home.id).await.unwrap()),
        [bob.id]
    );

    store.delete_share(team.id, carol.id).await.unwrap();
    assert_eq!(store.share(team.id, carol.id).await.unwrap(), None);
    assert!(matches!(
        store.delete_share(team.id, carol.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        grantees(store.shares_of_calendar(team.id).await.unwrap()),
        [bob.id]
    );
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}

pub async fn shares_for_user_lists_live_calendars_by_mount_name(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let team = store
        .create_calendar(alice.id, new_calendar("team"))
        .await
        .unwrap();
    let (carol, carols) = user_with_calendar(store, "carol").await;
    let (bob, _) = user_with_calendar(store, "bob").await;
    for (calendar, mount) in [(home.id, "zeta"), (team.id, "alpha"), (carols.id, "mid")] {
        store
            .upsert_share(new_share(calendar, bob.id, ShareAccess::Read, mount))
            .await
            .unwrap();
    }
    store
        .upsert_share(new_share(home.id, carol.id, ShareAccess::Read, "other"))
        .await
        .unwrap();
    let mounts = |shares: Vec<Share>| {
        shares
            .into_iter()
            .map(|s| (s.mount_name, s.owner_id))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        mounts(store.shares_for_user(bob.id).await.unwrap()),
        [
            ("alpha".to_owned(), alice.id),
            ("mid".to_owned(), carol.id),
            ("zeta".to_owned(), alice.id)
        ]
    );

    store.trash_calendar(team.id, 100).await.unwrap();
    assert_eq!(
        mounts(store.shares_for_user(bob.id).await.unwrap()),
        [("mid".to_owned(), carol.id), ("zeta".to_owned(), alice.id)],
        "a trashed calendar is not mounted"
    );
    assert!(
        store.share(team.id, bob.id).await.unwrap().is_some(),
        "the share itself stays, for when the calendar comes back"
    );
    store.restore_calendar(team.id).await.unwrap();
    assert_eq!(store.shares_for_user(bob.id).await.unwrap().len(), 3);
    assert!(store.shares_for_user(alice.id).await.unwrap().is_empty());
}

pub async fn shares_go_with_their_calendar_and_either_user(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let team = store
        .create_calendar(alice.id, new_calendar("team"))
        .await
        .unwrap();
    let (bob, bobs) = user_with_calendar(store, "bob").await;
    let (carol, _) = user_with_calendar(store, "carol").await;
    for (calendar, grantee, mount) in [
        (home.id, bob.id, "a-home"),
        (team.id, bob.id, "a-team"),
        (team.id, carol.id, "a-team"),
        (bobs.id, carol.id, "b-home"),
        (bobs.id, alice.id, "b-home"),
    ] {
        store
            .upsert_share(new_share(calendar, grantee, ShareAccess::ReadWrite, mount))
            .await
            .unwrap();
    }

    store.purge_calendar(team.id).await.unwrap();
    assert!(store.shares_of_calendar(team.id).await.unwrap().is_empty());
    assert_eq!(store.shares_for_user(carol.id).await.unwrap().len(), 1);

    // The grantee goes: its shares go, the owner's calendar stays.
    store.delete_user(carol.id).await.unwrap();
    assert_eq!(store.share(bobs.id, carol.id).await.unwrap(), None);
    assert_eq!(store.shares_of_calendar(bobs.id).await.unwrap().len(), 1);

    // The owner goes: the shares of its calendars go.
    store.delete_user(alice.id).await.unwrap();
    assert!(store.shares_for_user(bob.id).await.unwrap().is_empty());
    assert!(store.shares_of_calendar(bobs.id).await.unwrap().is_empty());
    assert_eq!(
        b.exec("DELETE FROM shares WHERE grantee_id > 0").await,
        0,
        "no share rows remain"
    );
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}
