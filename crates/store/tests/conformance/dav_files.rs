//! Plain WebDAV resources: files and collections in a user's home.

use std::collections::BTreeMap;
use std::sync::Arc;

use calvault_store::*;

use crate::fixtures::*;
use crate::harness::Backend;

fn file(path: &str, content: &[u8], at: Timestamp) -> DavFile {
    DavFile {
        id: 0,
        user_id: 0,
        path: path.into(),
        collection: false,
        content: content.to_vec(),
        content_type: Some("application/octet-stream".into()),
        etag: format!("{path}@{at}"),
        properties: BTreeMap::new(),
        created_at: at,
        modified_at: at,
    }
}

fn collection(path: &str, at: Timestamp) -> DavFile {
    DavFile {
        collection: true,
        content: Vec::new(),
        content_type: None,
        ..file(path, b"", at)
    }
}

fn put(file: DavFile) -> DavFileChange {
    DavFileChange::Put(file)
}

fn delete_tree(path: &str) -> DavFileChange {
    DavFileChange::DeleteTree(path.into())
}

async fn write(store: &dyn Store, user: UserId, changes: Vec<DavFileChange>) {
    store
        .write_dav_files(user, changes)
        .await
        .expect("write_dav_files");
}

async fn paths_under(store: &dyn Store, user: UserId, path: &str) -> Vec<String> {
    store
        .dav_files_under(user, path)
        .await
        .expect("dav_files_under")
        .into_iter()
        .map(|f| f.path)
        .collect()
}

pub async fn dav_files_are_put_replaced_and_read_back(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let (other, _) = user_with_calendar(store, "other").await;
    let bytes: &[u8] = &[0xff, 0x00, 0xfe, b'\r', b'\n', 0x80];
    let mut frobble = file("litmus/frobble", bytes, 10);
    frobble.properties.insert(
        "{http://example.com/ns}color".into(),
        "<color xmlns=\"http://example.com/ns\">red</color>".into(),
    );
    write(
        store,
        user.id,
        vec![put(collection("litmus", 10)), put(frobble.clone())],
    )
    .await;

    let stored = store
        .dav_file(user.id, "litmus/frobble")
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        stored,
        DavFile {
            id: stored.id,
            user_id: user.id,
            ..frobble.clone()
        },
        "non-UTF-8 content and properties come back unchanged"
    );
    let litmus = store.dav_file(user.id, "litmus").await.unwrap().unwrap();
    assert!(litmus.collection && litmus.content.is_empty());
    assert_eq!(store.dav_file(user.id, "litmus/none").await.unwrap(), None);
    assert_eq!(
        store.dav_file(other.id, "litmus/frobble").await.unwrap(),
        None
    );

    // Replacing keeps the id and creation time and replaces everything else.
    let replacement = DavFile {
        content: b"plain text".to_vec(),
        content_type: Some("text/plain".into()),
        etag: "second".into(),
        properties: BTreeMap::from([(
            "{DAV:}displayname".to_owned(),
            "<displayname xmlns=\"DAV:\">F</displayname>".to_owned(),
        )]),
        created_at: 99,
        modified_at: 20,
        ..frobble.clone()
    };
    write(store, user.id, vec![put(replacement.clone())]).await;
    let replaced = store
        .dav_file(user.id, "litmus/frobble")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        replaced,
        DavFile {
            id: stored.id,
            user_id: user.id,
            created_at: 10,
            ..replacement
        }
    );

    // The same path in another home is another resource.
    write(
        store,
        other.id,
        vec![
            put(collection("litmus", 30)),
            put(file("litmus/frobble", b"x", 30)),
        ],
    )
    .await;
    let theirs = store
        .dav_file(other.id, "litmus/frobble")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(theirs.id, stored.id);
    assert_eq!(
        store
            .dav_file(user.id, "litmus/frobble")
            .await
            .unwrap()
            .unwrap()
            .content,
        b"plain text"
    );
    let missing = store
        .write_dav_files(9_999_999, vec![put(file("x", b"", 1))])
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");

    store.delete_user(other.id).await.unwrap();
    assert!(paths_under(store, other.id, "").await.is_empty());
    assert_eq!(
        paths_under(store, user.id, "").await,
        ["litmus", "litmus/frobble"]
    );
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}

pub async fn dav_files_under_lists_descendants_only(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    let (other, _) = user_with_calendar(store, "other").await;
    // Neighbours of `a` in byte order ('-' < '.' < '/' < '0'), LIKE wildcards, upper case and
    // non-ASCII: a collation that ignored punctuation or case would mix them up.
    let collections = ["a", "a/b", "a%", "a_", "A", "é", "e", "ab", "a-"];
    let files = [
        "a/b/c", "a/x", "a.b", "a0", "ab/c", "a%/x", "a_/y", "A/z", "é/x", "e/x", "a-/m", "b",
    ];
    let mut changes: Vec<DavFileChange> =
        collections.iter().map(|p| put(collection(p, 1))).collect();
    changes.extend(files.iter().map(|p| put(file(p, p.as_bytes(), 1))));
    write(store, user.id, changes).await;
    write(
        store,
        other.id,
        vec![put(collection("a", 1)), put(file("a/theirs", b"", 1))],
    )
    .await;

    assert_eq!(
        paths_under(store, user.id, "a").await,
        ["a/b", "a/b/c", "a/x"]
    );
    assert_eq!(paths_under(store, user.id, "a/b").await, ["a/b/c"]);
    assert_eq!(paths_under(store, user.id, "a%").await, ["a%/x"]);
    assert_eq!(paths_under(store, user.id, "a_").await, ["a_/y"]);
    assert_eq!(paths_under(store, user.id, "A").await, ["A/z"]);
    assert_eq!(paths_under(store, user.id, "e").await, ["e/x"]);
    assert_eq!(paths_under(store, user.id, "é").await, ["é/x"]);
    assert_eq!(paths_under(store, user.id, "a-").await, ["a-/m"]);
    assert!(paths_under(store, user.id, "a/b/c").await.is_empty());
    assert!(paths_under(store, user.id, "missing").await.is_empty());

    let mut everything: Vec<String> = collections
        .iter()
        .chain(&files)
        .map(|p| p.to_string())
        .collect();
    everything.sort();
    assert_eq!(
        paths_under(store, user.id, "").await,
        everything,
        "the whole home, in byte order"
    );
    assert_eq!(paths_under(store, other.id, "").await, ["a", "a/theirs"]);
}

pub async fn dav_trees_are_deleted_whole_and_failed_batches_change_nothing(b: Arc<Backend>) {
    let store = &*b.store;
    let (user, _) = user_with_calendar(store, "u").await;
    write(
        store,
        user.id,
        vec![
            put(collection("a", 1)),
            put(collection("a/b", 1)),
            put(file("a/b/c", b"c", 1)),
            put(file("a/d", b"d", 1)),
            put(collection("a%", 1)),
            put(file("a%/x", b"x", 1)),
            put(file("ab", b"ab", 1)),
            put(file("a_", b"_", 1)),
        ],
    )
    .await;
    let before = paths_under(store, user.id, "").await;

    write(store, user.id, vec![delete_tree("a")]).await;
    assert_eq!(
        paths_under(store, user.id, "").await,
        ["a%", "a%/x", "a_", "ab"]
    );
    write(store, user.id, vec![delete_tree("nothing/here")]).await;
    write(store, user.id, vec![delete_tree("a%")]).await;
    assert_eq!(paths_under(store, user.id, "").await, ["a_", "ab"]);

    // A MOVE: the destination is cleared (it need not exist), the source copied, then removed.
    write(
        store,
        user.id,
        vec![put(collection("src", 2)), put(file("src/f", b"f", 2))],
    )
    .await;
    write(
        store,
        user.id,
        vec![
            delete_tree("dst"),
            put(collection("dst", 3)),
            put(file("dst/f", b"f", 3)),
            delete_tree("src"),
        ],
    )
    .await;
    assert_eq!(
        paths_under(store, user.id, "").await,
        ["a_", "ab", "dst", "dst/f"]
    );

    // Nothing lies below a plain file; a collection with members does not become one.
    let failing = [
        vec![put(file("new", b"", 4)), put(file("ab/x", b"", 4))],
        vec![delete_tree("dst"), put(collection("ab/x/y", 4))],
        vec![put(file("new", b"", 4)), put(file("dst", b"now a file", 4))],
        vec![delete_tree("ab"), put(file("/lead", b"", 4))],
        vec![delete_tree("dst"), put(file("trail/", b"", 4))],
        vec![delete_tree("dst"), put(file("a//b", b"", 4))],
        vec![delete_tree("dst"), delete_tree("")],
    ];
    let settled = paths_under(store, user.id, "").await;
    for batch in failing {
        let shown = format!("{batch:?}");
        let error = store.write_dav_files(user.id, batch).await.unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{shown}: {error}");
        assert_eq!(
            paths_under(store, user.id, "").await,
            settled,
            "a failed batch changes nothing: {shown}"
        );
    }
    assert_eq!(
        store
            .dav_file(user.id, "dst")
            .await
            .unwrap()
            .map(|f| f.collection),
        Some(true)
    );
    // Once its members are gone, a collection may be replaced by a file.
    write(
        store,
        user.id,
        vec![delete_tree("dst/f"), put(file("dst", b"now a file", 5))],
    )
    .await;
    assert!(
        !store
            .dav_file(user.id, "dst")
            .await
            .unwrap()
            .unwrap()
            .collection
    );
    assert_ne!(before, settled);
    assert_eq!(store.check().await.unwrap(), Vec::<String>::new());
}
