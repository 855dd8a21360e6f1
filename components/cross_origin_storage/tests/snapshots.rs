/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! `getFile()` with a snapshot lender: the thread lends a hard link of the blob to the file
//! manager instead of sending the bytes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::*;
use cross_origin_storage::{
    CosThreadOptions, ManualClock, SnapshotLender, new_cross_origin_storage_thread_with,
};
use cross_origin_storage_traits::{ContentHash, ReadEvent};
use servo_default_resources as _;
use servo_url::ImmutableOrigin;
use uuid::Uuid;

type Registered = Arc<Mutex<Vec<(Uuid, ImmutableOrigin)>>>;

/// A thread whose lender puts snapshots in `snapshots` and records what it registers.
fn start_lending(config_dir: &Path, snapshots: &Path, temporary: bool) -> (Cos, Registered) {
    let registered = Registered::default();
    let log = registered.clone();
    let lender = SnapshotLender::new(
        snapshots.to_owned(),
        Box::new(move |id, origin| {
            log.lock().unwrap().push((id, origin.clone()));
            true
        }),
    );
    let options = CosThreadOptions {
        config_dir: Some(config_dir.to_owned()),
        temporary,
        config: config(),
        clock: Arc::new(ManualClock::new(1_000)),
        disk_capacity: Some(1 << 40),
        snapshots: Some(lender),
    };
    let cos = Cos::new(new_cross_origin_storage_thread_with(
        options,
        profile::mem::Profiler::create(),
        "test".to_owned(),
    ));
    (cos, registered)
}

/// `<profile>/file-snapshots`, created.
fn snapshot_dir(profile: &Path) -> PathBuf {
    let snapshots = profile.join("file-snapshots");
    fs::create_dir(&snapshots).unwrap();
    snapshots
}

/// Stores `len` bytes made from `seed` for `origin`.
fn store_content(
    cos: &Cos,
    origin: &ImmutableOrigin,
    seed: u64,
    len: usize,
) -> (Vec<u8>, ContentHash) {
    let bytes = content(seed, len);
    let hash = sha256(&bytes);
    store(cos, origin, &bytes, None).unwrap();
    (bytes, hash)
}

fn get_file(cos: &Cos, origin: &ImmutableOrigin, handle_id: u64) -> ReadEvent {
    send_read_file(cos, origin, handle_id).recv().unwrap()
}

#[test]
fn get_file_lends_a_snapshot_registered_for_the_reader() {
    let profile = tempfile::tempdir().unwrap();
    let snapshots = snapshot_dir(profile.path());
    let (cos, registered) = start_lending(profile.path(), &snapshots, false);
    let a = origin("https://a.example");
    let (bytes, hash) = store_content(&cos, &a, 7, 300_000);

    let grant = request(&cos, &a, &hash, false, None).unwrap();
    let ReadEvent::Snapshot { id, metadata } = get_file(&cos, &a, grant.handle_id) else {
        panic!("expected a snapshot");
    };
    assert_eq!(metadata.size, bytes.len() as u64);
    assert_eq!(*registered.lock().unwrap(), vec![(id, a.clone())]);
    let snapshot = snapshots.join(id.hyphenated().to_string());
    assert_eq!(
        fs::read(&snapshot).unwrap(),
        bytes,
        "the snapshot holds the entry's bytes"
    );

    // A second read gets a snapshot of its own: each File owns one.
    let ReadEvent::Snapshot { id: second, .. } = get_file(&cos, &a, grant.handle_id) else {
        panic!("expected a snapshot");
    };
    assert_ne!(second, id);
    exit(&cos);
}

#[test]
fn get_file_sends_the_bytes_when_no_snapshot_can_be_taken() {
    let profile = tempfile::tempdir().unwrap();
    // The lender's directory does not exist: no link can be made, so the bytes are sent.
    let (cos, registered) = start_lending(profile.path(), &profile.path().join("missing"), false);
    let a = origin("https://a.example");
    let (bytes, hash) = store_content(&cos, &a, 8, 100_000);

    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);
    assert!(registered.lock().unwrap().is_empty());
    exit(&cos);
}

#[test]
fn a_temporary_store_never_lends_snapshots() {
    let profile = tempfile::tempdir().unwrap();
    let snapshots = snapshot_dir(profile.path());
    let (cos, registered) = start_lending(profile.path(), &snapshots, true);
    let a = origin("https://a.example");
    let (bytes, hash) = store_content(&cos, &a, 9, 10_000);

    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);
    assert!(registered.lock().unwrap().is_empty());
    assert_eq!(fs::read_dir(&snapshots).unwrap().count(), 0);
    exit(&cos);
}
