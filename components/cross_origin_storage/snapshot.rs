/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Snapshots lent to the embedder's file manager, so that `getFile()` answers with a File backed
//! by the stored blob: constant time in the entry's size, and no bytes through IPC or script
//! memory until the page reads them.
//!
//! A snapshot is a hard link to the blob, taken at `getFile()` time. Blobs are never modified in
//! place (a repair publishes a new file under the name), so eviction, deletion or repair of the
//! entry never changes the bytes under a reader. Once registered, a snapshot belongs to the file
//! manager, which deletes it when the File goes away and empties its directory at startup.
//!
//! Whoever lends a file promises that nothing writes to it or truncates it afterwards, through
//! any of its links: a reader in the browser's process may map a snapshot into memory, where a
//! truncation would fault it.

use std::fs;
use std::path::{Path, PathBuf};

use log::debug;
use servo_url::ImmutableOrigin;
use uuid::Uuid;

/// Registers snapshot `id`, already in the lender's directory, for a reader of `origin`; false
/// when the file manager refused it.
pub type RegisterSnapshot = Box<dyn Fn(Uuid, &ImmutableOrigin) -> bool + Send>;

pub struct SnapshotLender {
    /// The file manager's snapshot directory; it must be on the store's file system.
    directory: PathBuf,
    register: RegisterSnapshot,
}

impl SnapshotLender {
    pub fn new(directory: PathBuf, register: RegisterSnapshot) -> SnapshotLender {
        SnapshotLender {
            directory,
            register,
        }
    }

    /// Lends a snapshot of `blob` to a reader of `origin`. `None` when that cannot be done (the
    /// directory is missing or on another file system, or the file manager refused): the caller
    /// then sends the bytes.
    pub fn lend(&self, blob: &Path, origin: &ImmutableOrigin) -> Option<Uuid> {
        let id = Uuid::new_v4();
        let link = self.directory.join(id.hyphenated().to_string());
        if let Err(error) = fs::hard_link(blob, &link) {
            debug!("COS: no snapshot in {}: {error}", self.directory.display());
            return None;
        }
        if (self.register)(id, origin) {
            return Some(id);
        }
        debug!("COS: the file manager refused snapshot {id}");
        let _ = fs::remove_file(&link);
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use servo_url::ServoUrl;

    use super::*;

    fn origin() -> ImmutableOrigin {
        ServoUrl::parse("https://reader.test/").unwrap().origin()
    }

    /// What a test lender registered.
    type Registered = Arc<Mutex<Vec<(Uuid, ImmutableOrigin)>>>;

    /// A lender over a scratch directory that records what it registered and answers `accept`.
    fn lender(directory: &Path, accept: bool) -> (SnapshotLender, Registered) {
        let registered = Arc::new(Mutex::new(vec![]));
        let log = registered.clone();
        let register: RegisterSnapshot = Box::new(move |id, origin| {
            log.lock().unwrap().push((id, origin.clone()));
            accept
        });
        (
            SnapshotLender::new(directory.to_owned(), register),
            registered,
        )
    }

    #[test]
    fn a_lent_snapshot_keeps_the_bytes_after_the_blob_is_replaced_or_removed() {
        let root = tempfile::tempdir().unwrap();
        let blob = root.path().join("blob");
        fs::write(&blob, b"verified bytes").unwrap();
        let (lender, registered) = lender(root.path(), true);

        let id = lender.lend(&blob, &origin()).expect("a snapshot");
        assert_eq!(*registered.lock().unwrap(), vec![(id, origin())]);

        // A repair publishes a new file under the blob's name; eviction removes the name.
        let replacement = root.path().join("replacement");
        fs::write(&replacement, b"other bytes").unwrap();
        fs::rename(&replacement, &blob).unwrap();
        let snapshot = root.path().join(id.hyphenated().to_string());
        assert_eq!(fs::read(&snapshot).unwrap(), b"verified bytes");
        fs::remove_file(&blob).unwrap();
        assert_eq!(fs::read(&snapshot).unwrap(), b"verified bytes");
    }

    #[test]
    fn a_refused_snapshot_leaves_no_file() {
        let root = tempfile::tempdir().unwrap();
        let blob = root.path().join("blob");
        fs::write(&blob, b"bytes").unwrap();
        let directory = root.path().join("snapshots");
        fs::create_dir(&directory).unwrap();
        let (lender, registered) = lender(&directory, false);

        assert_eq!(lender.lend(&blob, &origin()), None);
        assert_eq!(registered.lock().unwrap().len(), 1);
        assert_eq!(fs::read_dir(&directory).unwrap().count(), 0);
    }

    #[test]
    fn no_snapshot_without_the_directory() {
        let root = tempfile::tempdir().unwrap();
        let blob = root.path().join("blob");
        fs::write(&blob, b"bytes").unwrap();
        let (lender, registered) = lender(&root.path().join("missing"), true);

        assert_eq!(lender.lend(&blob, &origin()), None);
        assert!(registered.lock().unwrap().is_empty(), "nothing to register");
    }
}
