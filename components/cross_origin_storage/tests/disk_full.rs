/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! A disk that fills up during a write fails that write only: the page gets the spec's error
//! with a message of ours, the entries already stored stay readable, nothing partial is left,
//! and the store works again once there is room.
//!
//! The disk is a real one: a 4 MiB tmpfs mounted for the test. Mounting needs root (as on the
//! project's machines and CI); elsewhere the test says so and does nothing.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use common::*;
use cross_origin_storage::{ManualClock, store_root};
use cross_origin_storage_traits::{CHUNK_BYTES, CosError};
use servo_default_resources as _;

struct Mount<'a>(&'a Path);

impl Drop for Mount<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0).status();
    }
}

#[test]
fn a_full_disk_fails_the_write_and_keeps_the_store_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|status| status.success());
    if !mounted {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let _mount = Mount(dir.path());
    let clock = Arc::new(ManualClock::new(1_000));
    let a = origin("https://a.example");

    let cos = start(Some(dir.path()), config(), clock.clone());
    let kept = content(1, CHUNK_BYTES);
    store(&cos, &a, &kept, None).unwrap();

    // Three more mebibytes do not fit beside the first one, the index and its journal.
    let too_big = content(2, 3 * CHUNK_BYTES);
    let error = store(&cos, &a, &too_big, None).unwrap_err();
    assert_eq!(
        error,
        CosError::Operation("There is no space left for Cross-Origin Storage.".to_owned())
    );
    assert_eq!(read(&cos, &a, &sha256(&too_big)), Err(CosError::NotFound));
    assert_eq!(read(&cos, &a, &sha256(&kept)).unwrap(), kept);
    // The failed session stays open until the page lets go of its stream, but holds no space.
    let root = store_root(dir.path());
    for file in fs::read_dir(root.join("tmp")).unwrap() {
        assert_eq!(file.unwrap().metadata().unwrap().len(), 0);
    }

    // Room again for a smaller file.
    let small = content(3, 64 * 1024);
    store(&cos, &a, &small, None).unwrap();
    assert_eq!(read(&cos, &a, &sha256(&small)).unwrap(), small);
    exit(&cos);

    // And all of it survives a restart.
    let cos = start(Some(dir.path()), config(), clock);
    assert_eq!(read(&cos, &a, &sha256(&kept)).unwrap(), kept);
    assert_eq!(read(&cos, &a, &sha256(&small)).unwrap(), small);
    assert_eq!(read(&cos, &a, &sha256(&too_big)), Err(CosError::NotFound));
    assert_eq!(list(&cos).len(), 2);
    exit(&cos);
}
