/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Opening a persistent store, and bringing its index and blob files back into agreement when
//! the last run did not close it: a crash can leave a published blob without its row, and a
//! lost index leaves blobs no row accounts for.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use log::warn;

use crate::quota::Candidate;
use crate::registry::Registry;
use crate::store::BlobStore;

/// Present while a persistent store is open; found at startup, it means the last run
/// crashed and blobs and rows may disagree.
const DIRTY_MARKER: &str = "open.marker";

pub fn open_persistent(root: &Path) -> Result<(BlobStore, Registry, Option<PathBuf>), String> {
    fs::create_dir_all(root).map_err(|e| e.to_string())?;
    let store = BlobStore::open(root).map_err(|e| e.to_string())?;
    let (mut registry, rebuilt) =
        Registry::open_or_quarantine(&root.join("registry.sqlite")).map_err(|e| e.to_string())?;
    if let Err(error) = store.sweep_tmp() {
        warn!("COS: sweeping tmp/ failed: {error}");
    }
    let marker = root.join(DIRTY_MARKER);
    if rebuilt {
        adopt_blobs(&store, &mut registry);
    } else if marker.exists() {
        collect_garbage(&store, &mut registry);
    }
    File::create(&marker).map_err(|e| e.to_string())?;
    Ok((store, registry, Some(marker)))
}

/// After the index was lost: every blob whose file is where its hash says becomes an entry that
/// no one may read until it is stored again (see `Registry::adopt_blob`); anything else in
/// `blobs/` goes.
fn adopt_blobs(store: &BlobStore, registry: &mut Registry) {
    let blobs = match store.list_blobs() {
        Ok(blobs) => blobs,
        Err(error) => {
            warn!("COS: cannot list blobs to rebuild the index: {error}");
            return;
        },
    };
    let mut adopted = 0;
    for (hash, path) in blobs {
        let size = fs::metadata(&path).map(|metadata| metadata.len());
        match (hash, size) {
            (Some(hash), Ok(size)) => match registry.adopt_blob(&hash, size) {
                Ok(()) => adopted += 1,
                Err(error) => warn!("COS: cannot adopt {hash}: {error}"),
            },
            _ => {
                let _ = fs::remove_file(path);
            },
        }
    }
    warn!("COS: rebuilt the index with {adopted} blobs, none readable until stored again");
}

/// Mark and sweep after an unclean shutdown: rows whose blob is missing or the wrong size go,
/// and so do blobs without a row (published just before a crash, never committed).
pub fn collect_garbage(store: &BlobStore, registry: &mut Registry) {
    let rows = match registry.all_candidates() {
        Ok(rows) => rows,
        Err(error) => {
            warn!("COS: cannot list entries for GC: {error}");
            return;
        },
    };
    let mut live = std::collections::HashSet::new();
    for Candidate { hash, size, .. } in rows {
        if store.blob_is_intact(&hash, size) {
            live.insert(hash);
        } else if let Err(error) = registry.delete_entry(&hash) {
            warn!("COS: GC could not delete {hash}: {error}");
        }
    }
    match store.list_blobs() {
        Ok(blobs) => {
            for (hash, path) in blobs {
                if !hash.is_some_and(|h| live.contains(&h)) {
                    let _ = fs::remove_file(path);
                }
            }
        },
        Err(error) => warn!("COS: cannot list blobs for GC: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use cross_origin_storage_traits::{ContentHash, EntryGrants, HashAlgorithm, MergePolicy};
    use servo_url::ServoUrl;

    use super::*;

    fn hash(n: u8) -> ContentHash {
        ContentHash::from_digest(HashAlgorithm::Sha256, &[n; 32]).unwrap()
    }

    #[test]
    fn garbage_collection_reconciles_blobs_and_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut registry = Registry::memory().unwrap();
        let origin = ServoUrl::parse("https://a.example").unwrap().origin();
        let mut grants = EntryGrants::default();
        grants.record_store(&origin, None, 100, MergePolicy::DropNew);
        // 1: row and blob; 2: row only; 3: blob only; 4: row with a truncated blob.
        for (n, row, blob_len) in [
            (1u8, true, Some(3u64)),
            (2, true, None),
            (3, false, Some(3)),
            (4, true, Some(2)),
        ] {
            if row {
                registry
                    .commit_store(&hash(n), 3, &grants, &origin, 0, &[])
                    .unwrap();
            }
            if let Some(len) = blob_len {
                let (temp, mut file) = store.create_temp().unwrap();
                file.write_all(&vec![n; len as usize]).unwrap();
                store.publish(&temp, &file, &hash(n), len).unwrap();
            }
        }
        let garbage = store.blobs_dir_for_tests().join("sha-256/zz");
        fs::create_dir_all(&garbage).unwrap();
        fs::write(garbage.join("not-a-hash"), b"x").unwrap();

        collect_garbage(&store, &mut registry);
        let rows: Vec<ContentHash> = registry
            .all_candidates()
            .unwrap()
            .into_iter()
            .map(|c| c.hash)
            .collect();
        assert_eq!(rows, vec![hash(1)]);
        let blobs: Vec<Option<ContentHash>> = store
            .list_blobs()
            .unwrap()
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        assert_eq!(blobs, vec![Some(hash(1))]);
    }
}
