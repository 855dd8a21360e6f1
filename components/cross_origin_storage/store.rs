/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Blob files: `blobs/<algorithm>/<ab>/<cd>/<hex>`, write-once and named by their digest, and
//! `tmp/` for write sessions (same file system, so publishing is a link, never a copy).
//!
//! Publishing is crash-safe: fsync the temp file, link it into place without clobbering,
//! fsync the directory. Registry rows are committed only after that, so a crash leaves at most
//! an orphan temp file or a blob without a row, both collected at startup.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};

use cross_origin_storage_traits::{ContentHash, HashAlgorithm};
use log::warn;
use tempfile::TempDir;

use crate::digest::digest_of;

pub struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
    /// Ephemeral stores live in a private temp dir, deleted when the store is dropped.
    _ephemeral: Option<TempDir>,
}

/// How a verified temp file was published.
#[derive(Debug, Eq, PartialEq)]
pub enum Published {
    New,
    /// The same bytes were already there (another writer won): the temp file was dropped.
    Coalesced,
    /// A blob was there under this digest with other bytes (damaged on disk): the verified
    /// bytes replaced it.
    Repaired,
}

impl BlobStore {
    /// Opens (creating) the store under `root`.
    pub fn open(root: &Path) -> io::Result<BlobStore> {
        BlobStore::at(root, None)
    }

    /// A store outside the profile that disappears with the thread.
    /// A store that lives as long as this value. Private browsing must leave nothing on the
    /// disk, so on Linux it lives on the memory file system (`/dev/shm`) where there is a
    /// writable one; elsewhere in the system's temporary directory.
    pub fn ephemeral() -> io::Result<BlobStore> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("servo-cos-");
        let in_memory = if cfg!(target_os = "linux") {
            builder.tempdir_in("/dev/shm").ok()
        } else {
            None
        };
        let dir = match in_memory {
            Some(dir) => dir,
            None => builder.tempdir()?,
        };
        let root = dir.path().to_path_buf();
        BlobStore::at(&root, Some(dir))
    }

    fn at(root: &Path, ephemeral: Option<TempDir>) -> io::Result<BlobStore> {
        let blobs = root.join("blobs");
        let tmp = root.join("tmp");
        fs::create_dir_all(&blobs)?;
        fs::create_dir_all(&tmp)?;
        Ok(BlobStore {
            blobs,
            tmp,
            _ephemeral: ephemeral,
        })
    }

    pub fn tmp_dir(&self) -> &Path {
        &self.tmp
    }

    #[cfg(test)]
    pub fn blobs_dir_for_tests(&self) -> &Path {
        &self.blobs
    }

    /// The hex is validated lowercase of the algorithm's length, so it is a safe file name.
    pub fn blob_path(&self, hash: &ContentHash) -> PathBuf {
        let value = hash.value();
        self.blobs
            .join(hash.algorithm().path_component())
            .join(&value[0..2])
            .join(&value[2..4])
            .join(value)
    }

    /// Creates an empty, exclusive temp file for a write session.
    pub fn create_temp(&self) -> io::Result<(PathBuf, File)> {
        let path = self.tmp.join(uuid::Uuid::new_v4().simple().to_string());
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        Ok((path, file))
    }

    /// Deletes everything in `tmp/`: the thread is its only user, so anything there at startup
    /// is an interrupted write.
    pub fn sweep_tmp(&self) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.tmp)? {
            let path = entry?.path();
            let result = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match result {
                Ok(()) => removed += 1,
                Err(error) => warn!("COS: could not remove {}: {error}", path.display()),
            }
        }
        Ok(removed)
    }

    /// Makes the verified temp file the blob for `hash`, durably and without clobbering.
    pub fn publish(
        &self,
        temp: &Path,
        file: &File,
        hash: &ContentHash,
        size: u64,
    ) -> io::Result<Published> {
        file.sync_data()?;
        let dest = self.blob_path(hash);
        let dir = dest
            .parent()
            .ok_or_else(|| io::Error::other("blob path has no parent"))?;
        create_dirs_durably(&self.blobs, dir)?;
        match fs::hard_link(temp, &dest) {
            Ok(()) => {
                fs::remove_file(temp)?;
                sync_dir(dir)?;
                Ok(Published::New)
            },
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                // Blobs are write-once, so a good one is kept; but its bytes are checked, not
                // just its size, before a store trusts it: a same-size damaged blob would
                // otherwise be served under this digest forever. The temp file is verified, so
                // it replaces a damaged one (readers that have it open keep the old file).
                if self.blob_matches(&dest, hash, size) {
                    fs::remove_file(temp)?;
                    Ok(Published::Coalesced)
                } else {
                    warn!("COS: the blob for {hash} was damaged; replacing it");
                    fs::rename(temp, &dest)?;
                    sync_dir(dir)?;
                    Ok(Published::Repaired)
                }
            },
            Err(error) => Err(error),
        }
    }

    /// Whether the file at `path` holds `size` bytes whose digest is `hash`.
    fn blob_matches(&self, path: &Path, hash: &ContentHash, size: u64) -> bool {
        File::open(path)
            .and_then(|file| digest_of(file, hash.algorithm()))
            .is_ok_and(|(digest, length)| length == size && digest == hash.digest())
    }

    /// Opens the blob if it exists with the size the registry recorded.
    pub fn open_blob(&self, hash: &ContentHash, size: u64) -> Option<File> {
        let file = File::open(self.blob_path(hash)).ok()?;
        let metadata = file.metadata().ok()?;
        (metadata.is_file() && metadata.len() == size).then_some(file)
    }

    pub fn blob_is_intact(&self, hash: &ContentHash, size: u64) -> bool {
        fs::metadata(self.blob_path(hash)).is_ok_and(|m| m.is_file() && m.len() == size)
    }

    pub fn remove_blob(&self, hash: &ContentHash) {
        let path = self.blob_path(hash);
        match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(dir) = path.parent() {
                    let _ = sync_dir(dir);
                }
            },
            Err(error) if error.kind() == ErrorKind::NotFound => {},
            Err(error) => warn!("COS: could not remove {}: {error}", path.display()),
        }
    }

    pub fn remove_all_blobs(&self) -> io::Result<()> {
        for entry in fs::read_dir(&self.blobs)? {
            fs::remove_dir_all(entry?.path())?;
        }
        sync_dir(&self.blobs)
    }

    /// Every file under `blobs/`: `Some(hash)` for well-formed names, `None` for garbage.
    pub fn list_blobs(&self) -> io::Result<Vec<(Option<ContentHash>, PathBuf)>> {
        let mut found = Vec::new();
        let mut stack = vec![(self.blobs.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            for entry in fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() && depth < 3 {
                    stack.push((path, depth + 1));
                } else {
                    found.push((self.hash_of(&path), path));
                }
            }
        }
        Ok(found)
    }

    /// The hash a blob path names, if it is exactly where that hash would live.
    fn hash_of(&self, path: &Path) -> Option<ContentHash> {
        let relative = path.strip_prefix(&self.blobs).ok()?;
        let algorithm_dir = relative.iter().next()?.to_str()?;
        let algorithm = HashAlgorithm::ALL
            .into_iter()
            .find(|a| a.path_component() == algorithm_dir)?;
        let hash = ContentHash::new(algorithm, path.file_name()?.to_str()?).ok()?;
        (self.blob_path(&hash) == path).then_some(hash)
    }
}

/// Creates `dir` and its missing ancestors below `base`, fsyncing each new directory's parent
/// so the directory entry itself survives a crash.
fn create_dirs_durably(base: &Path, dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if parent != base && parent.starts_with(base) {
            create_dirs_durably(base, parent)?;
        }
        match fs::create_dir(dir) {
            Ok(()) => sync_dir(parent)?,
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {},
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn publish_is_sharded_and_never_clobbers() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let h = digest_hash(b"first");
        let (temp, mut file) = store.create_temp().unwrap();
        file.write_all(b"first").unwrap();
        assert_eq!(store.publish(&temp, &file, &h, 5).unwrap(), Published::New);
        assert!(!temp.exists());
        let path = store.blob_path(&h);
        let shard = format!(
            "blobs/sha-256/{}/{}/{}",
            &h.value()[..2],
            &h.value()[2..4],
            h.value()
        );
        assert!(path.ends_with(shard));
        assert!(store.open_blob(&h, 5).is_some());
        assert!(store.open_blob(&h, 6).is_none());

        let (temp2, mut file2) = store.create_temp().unwrap();
        file2.write_all(b"first").unwrap();
        assert_eq!(
            store.publish(&temp2, &file2, &h, 5).unwrap(),
            Published::Coalesced
        );
        assert!(!temp2.exists());
        assert_eq!(fs::read(&path).unwrap(), b"first");

        let listed = store.list_blobs().unwrap();
        assert_eq!(listed, vec![(Some(h.clone()), path.clone())]);
        store.remove_blob(&h);
        assert!(!path.exists());
    }

    #[test]
    fn sweep_empties_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let _ = store.create_temp().unwrap();
        let _ = store.create_temp().unwrap();
        assert_eq!(store.sweep_tmp().unwrap(), 2);
        assert_eq!(fs::read_dir(store.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn ephemeral_stores_vanish() {
        let store = BlobStore::ephemeral().unwrap();
        let tmp = store.tmp_dir().to_path_buf();
        assert!(tmp.exists());
        drop(store);
        assert!(!tmp.exists());
    }

    fn digest_hash(bytes: &[u8]) -> ContentHash {
        use sha2::Digest;
        ContentHash::from_digest(HashAlgorithm::Sha256, &sha2::Sha256::digest(bytes)).unwrap()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn an_ephemeral_store_lives_in_memory_where_linux_has_shm() {
        let shm = Path::new("/dev/shm");
        let store = BlobStore::ephemeral().unwrap();
        if tempfile::tempdir_in(shm).is_ok() {
            assert!(store.tmp_dir().starts_with(shm), "{:?}", store.tmp_dir());
        }
        let root = store.tmp_dir().parent().unwrap().to_owned();
        drop(store);
        assert!(!root.exists(), "an ephemeral store leaves nothing behind");
    }

    #[test]
    fn a_damaged_blob_of_the_right_size_is_replaced_by_verified_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let h = digest_hash(b"model bytes");
        let (temp, mut file) = store.create_temp().unwrap();
        file.write_all(b"model bytes").unwrap();
        assert_eq!(store.publish(&temp, &file, &h, 11).unwrap(), Published::New);

        // Damage on disk that keeps the size: a size check alone would trust it.
        let path = store.blob_path(&h);
        fs::write(&path, b"MODEL BYTES").unwrap();
        let (temp, mut file) = store.create_temp().unwrap();
        file.write_all(b"model bytes").unwrap();
        assert_eq!(
            store.publish(&temp, &file, &h, 11).unwrap(),
            Published::Repaired
        );
        assert!(!temp.exists());
        assert_eq!(fs::read(&path).unwrap(), b"model bytes");
    }
}
