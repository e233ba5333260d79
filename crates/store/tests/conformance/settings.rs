//! User settings (the SyncML default calendar) and private subscription (webcal) feeds.

use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

fn feed(user: UserId, calendar: CalendarId, hash: &str) -> NewWebcalFeed {
    NewWebcalFeed {
        user_id: user,
        calendar_id: calendar,
        token_sha256: hash.into(),
        created_at: 500,
    }
}

pub async fn the_syncml_calendar_is_set_replaced_cleared_and_follows_purges(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, home) = user_with_calendar(store, "u").await;
    let work = store
        .create_calendar(user.id, new_calendar("work"))
        .await
        .unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), None);

    store
        .set_syncml_calendar(user.id, Some(work.id))
        .await
        .unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), Some(work.id));
    store
        .set_syncml_calendar(user.id, Some(home.id))
        .await
        .unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), Some(home.id));
    store.set_syncml_calendar(user.id, None).await.unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), None);

    // A trashed calendar stays chosen (it may come back); a purged one clears the choice.
    store
        .set_syncml_calendar(user.id, Some(work.id))
        .await
        .unwrap();
    store.trash_calendar(work.id, 600).await.unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), Some(work.id));
    store.purge_calendar(work.id).await.unwrap();
    assert_eq!(store.syncml_calendar(user.id).await.unwrap(), None);

    assert!(matches!(
        store.set_syncml_calendar(user.id, Some(work.id)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.set_syncml_calendar(user.id + 1000, None).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn the_syncml_calendar_goes_with_its_user(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let (bob, bobs) = user_with_calendar(store, "bob").await;
    store
        .set_syncml_calendar(alice.id, Some(home.id))
        .await
        .unwrap();
    store
        .set_syncml_calendar(bob.id, Some(bobs.id))
        .await
        .unwrap();
    store.delete_user(alice.id).await.unwrap();
    assert_eq!(store.syncml_calendar(alice.id).await.unwrap(), None);
    assert_eq!(store.syncml_calendar(bob.id).await.unwrap(), Some(bobs.id));
}

pub async fn webcal_feeds_are_found_by_hash_listed_and_revoked(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let (bob, bobs) = user_with_calendar(store, "bob").await;
    let first = store
        .create_webcal_feed(feed(alice.id, home.id, "aa11"))
        .await
        .unwrap();
    assert_eq!(
        (
            first.user_id,
            first.calendar_id,
            first.token_sha256.as_str()
        ),
        (alice.id, home.id, "aa11")
    );
    assert_eq!(first.created_at, 500);
    let second = store
        .create_webcal_feed(feed(alice.id, home.id, "bb22"))
        .await
        .unwrap();
    let bobs_feed = store
        .create_webcal_feed(feed(bob.id, bobs.id, "cc33"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_webcal_feed(feed(bob.id, bobs.id, "aa11"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .create_webcal_feed(feed(alice.id, home.id + 1000, "dd44"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    assert_eq!(
        store.webcal_feeds(alice.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        store.webcal_feed_by_token("cc33").await.unwrap(),
        Some(bobs_feed.clone())
    );
    assert_eq!(store.webcal_feed_by_token("nope").await.unwrap(), None);

    // Only its maker revokes a feed; the hash stops answering at once.
    assert!(matches!(
        store.delete_webcal_feed(bob.id, first.id).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_webcal_feed(alice.id, first.id).await.unwrap();
    assert_eq!(store.webcal_feed_by_token("aa11").await.unwrap(), None);
    assert_eq!(store.webcal_feeds(alice.id).await.unwrap(), vec![second]);
    assert!(matches!(
        store.delete_webcal_feed(alice.id, first.id).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn webcal_feeds_go_with_their_calendar_and_user(b: Arc<Backend>) {
    let store = &*b.store;
    let (alice, home) = user_with_calendar(store, "alice").await;
    let work = store
        .create_calendar(alice.id, new_calendar("work"))
        .await
        .unwrap();
    let (bob, _) = user_with_calendar(store, "bob").await;
    store
        .create_webcal_feed(feed(alice.id, home.id, "home"))
        .await
        .unwrap();
    store
        .create_webcal_feed(feed(alice.id, work.id, "work"))
        .await
        .unwrap();
    // Bob subscribed to Alice's work calendar (shared with him).
    store
        .create_webcal_feed(feed(bob.id, work.id, "bob-work"))
        .await
        .unwrap();

    store.purge_calendar(work.id).await.unwrap();
    assert_eq!(store.webcal_feed_by_token("work").await.unwrap(), None);
    assert_eq!(store.webcal_feed_by_token("bob-work").await.unwrap(), None);
    assert!(store.webcal_feed_by_token("home").await.unwrap().is_some());

    store.delete_user(alice.id).await.unwrap();
    assert_eq!(store.webcal_feed_by_token("home").await.unwrap(), None);
    assert!(store.webcal_feeds(bob.id).await.unwrap().is_empty());
}
