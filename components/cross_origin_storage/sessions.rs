/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Handles and write sessions. Both are keyed by random ids bound to the origin that obtained
//! them; a message naming an id with another origin is refused as if the id did not exist.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use cross_origin_storage_traits::{
    ContentHash, CosError, HandleId, MAX_COS_WRITE_FILE_BYTES, RequestedOrigins, WriteCommand,
    WriteId,
};
use log::warn;
use malloc_size_of_derive::MallocSizeOf;
use servo_url::ImmutableOrigin;

use crate::digest::{PipelinedHasher, digest_of};

#[derive(Clone, Debug, MallocSizeOf)]
pub struct HandleInfo {
    pub origin: ImmutableOrigin,
    pub hash: ContentHash,
    pub may_read: bool,
    pub writable: bool,
    /// The normalized, ceiling-applied `origins` of a create request.
    pub requested: Option<RequestedOrigins>,
}

/// One `FileSystemWritableFileStream`: a temp file, the position, and a digest computed while
/// the bytes arrive in order.
pub struct WriteSession {
    pub handle_id: HandleId,
    pub origin: ImmutableOrigin,
    pub hash: ContentHash,
    pub temp_path: PathBuf,
    pub file: File,
    /// The handle's requested origins, captured now so a released handle cannot lose them.
    pub requested: Option<RequestedOrigins>,
    /// `Some` while every byte so far arrived as an append at the end; then `hashed == size`.
    hasher: Option<PipelinedHasher>,
    hashed: u64,
    position: u64,
    size: u64,
    /// A failed write poisons the session: close must never publish after an I/O error.
    io_failed: bool,
    /// The first failure among the parts of the `write()` in progress, which its last part
    /// reports; the parts after a failure are not applied.
    deferred_failure: Option<CosError>,
}

impl Drop for WriteSession {
    fn drop(&mut self) {
        // After a publish the temp name is already gone; otherwise this is abort/failure.
        let _ = fs::remove_file(&self.temp_path);
    }
}

fn too_large(requested: u64, limit: u64) -> CosError {
    CosError::QuotaExceeded {
        quota: limit,
        requested,
    }
}

impl WriteSession {
    pub fn new(
        handle: &HandleInfo,
        handle_id: HandleId,
        temp_path: PathBuf,
        file: File,
    ) -> WriteSession {
        WriteSession {
            handle_id,
            origin: handle.origin.clone(),
            hash: handle.hash.clone(),
            temp_path,
            file,
            requested: handle.requested.clone(),
            hasher: PipelinedHasher::new(handle.hash.algorithm()),
            hashed: 0,
            position: 0,
            size: 0,
            io_failed: false,
            deferred_failure: None,
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Poisons the session. The OS's words go to the log only: a page learns that the write
    /// failed, and whether for want of space, never the browser's paths or system messages.
    fn io_error(&mut self, error: io::Error) -> CosError {
        self.io_failed = true;
        warn!("COS: writing a session's temp file failed: {error}");
        // The session can never close now, so its bytes are dead weight; on a full disk they
        // would keep every other write out until the page's stream is collected.
        if let Err(error) = self.file.set_len(0) {
            warn!("COS: emptying a failed session's temp file failed: {error}");
        }
        if error.kind() == io::ErrorKind::StorageFull {
            CosError::Operation("There is no space left for Cross-Origin Storage.".to_owned())
        } else {
            CosError::Operation("Writing to Cross-Origin Storage failed.".to_owned())
        }
    }

    /// Applies one part of a `write()` (or a whole `seek()`/`truncate()`, which is one part). Only
    /// the `last` part reports, for all of them: a `write()` succeeds or fails as one call.
    pub fn apply_part(
        &mut self,
        command: WriteCommand,
        quota: u64,
        last: bool,
    ) -> Result<(), CosError> {
        if self.deferred_failure.is_none() {
            if let Err(error) = self.apply(command, quota) {
                self.deferred_failure = Some(error);
            }
        }
        if last {
            self.take_deferred_failure()
        } else {
            Ok(())
        }
    }

    /// The failure held for the last part of a `write()`, if any.
    pub fn take_deferred_failure(&mut self) -> Result<(), CosError> {
        self.deferred_failure.take().map_or(Ok(()), Err)
    }

    /// Applies one command. `quota` is the origin's nominal quota: no single file can grow
    /// past it or `MAX_COS_WRITE_FILE_BYTES`, so such growth is refused before any disk use.
    pub fn apply(&mut self, command: WriteCommand, quota: u64) -> Result<(), CosError> {
        if self.io_failed {
            return Err(CosError::Operation("An earlier write failed.".to_owned()));
        }
        let check = |end: u64| {
            if end > MAX_COS_WRITE_FILE_BYTES {
                Err(too_large(end, MAX_COS_WRITE_FILE_BYTES))
            } else if end > quota {
                Err(too_large(end, quota))
            } else {
                Ok(())
            }
        };
        match command {
            WriteCommand::Write { position, bytes } => {
                let start = position.unwrap_or(self.position);
                let end = start
                    .checked_add(bytes.len() as u64)
                    .ok_or_else(|| too_large(u64::MAX, MAX_COS_WRITE_FILE_BYTES))?;
                check(end)?;
                // Writing past the end leaves a hole, which reads back as the zero fill.
                if let Err(error) = write_at(&self.file, &bytes, start) {
                    return Err(self.io_error(error));
                }
                let appended = start == self.hashed && self.hashed == self.size;
                self.hasher = match self.hasher.take() {
                    Some(mut hasher) if appended => hasher.update(bytes).then_some(hasher),
                    _ => None,
                };
                if self.hasher.is_some() {
                    self.hashed = end;
                }
                self.size = self.size.max(end);
                self.position = end;
            },
            WriteCommand::Seek(position) => {
                check(position)?;
                self.position = position;
            },
            WriteCommand::Truncate(size) => {
                check(size)?;
                if let Err(error) = self.file.set_len(size) {
                    return Err(self.io_error(error));
                }
                if size != self.size {
                    self.hasher = None;
                }
                self.size = size;
                self.position = self.position.min(size);
            },
        }
        Ok(())
    }

    /// The digest of the final bytes: incremental when possible, else one re-read of the file.
    pub fn digest(&mut self) -> Result<Vec<u8>, CosError> {
        if self.io_failed {
            return Err(CosError::Operation("An earlier write failed.".to_owned()));
        }
        if let Some(digest) = self.hasher.take().and_then(PipelinedHasher::finalize) {
            return Ok(digest);
        }
        let rehashed = self
            .file
            .try_clone()
            .and_then(|mut reader| {
                std::io::Seek::seek(&mut reader, io::SeekFrom::Start(0))?;
                Ok(reader)
            })
            .and_then(|reader| digest_of(reader, self.hash.algorithm()));
        match rehashed {
            Ok((digest, total)) if total == self.size => Ok(digest),
            Ok(_) => Err(self.io_error(io::Error::other("the temp file changed size"))),
            Err(error) => Err(self.io_error(error)),
        }
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], position: u64) -> io::Result<()> {
    file.write_all_at(bytes, position)
}

#[cfg(not(unix))]
fn write_at(file: &File, bytes: &[u8], position: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut file = file;
    file.seek(SeekFrom::Start(position))?;
    file.write_all(bytes)
}

/// The live handles and write sessions.
#[derive(Default)]
pub struct Sessions {
    handles: HashMap<HandleId, HandleInfo>,
    /// Live handles per origin, kept with `handles` so the per-origin cap checked on every
    /// request costs a lookup, not a scan of every origin's handles.
    handles_per_origin: HashMap<ImmutableOrigin, usize>,
    writes: HashMap<WriteId, WriteSession>,
}

/// Unknown and foreign ids answer the same, so ids of other origins cannot be probed.
fn not_allowed() -> CosError {
    CosError::NotAllowed("This handle or stream does not belong to this origin.".to_owned())
}

/// Random, so a content process cannot guess another's ids.
fn random_id<T>(taken: &HashMap<u64, T>) -> u64 {
    loop {
        let id = uuid::Uuid::new_v4().as_u64_pair().0;
        if id != 0 && !taken.contains_key(&id) {
            return id;
        }
    }
}

impl Sessions {
    pub fn add_handle(&mut self, info: HandleInfo) -> HandleId {
        let id = random_id(&self.handles);
        self.add_handle_as(id, info);
        id
    }

    fn add_handle_as(&mut self, id: HandleId, info: HandleInfo) {
        *self
            .handles_per_origin
            .entry(info.origin.clone())
            .or_default() += 1;
        self.handles.insert(id, info);
    }

    pub fn handle(
        &mut self,
        id: HandleId,
        origin: &ImmutableOrigin,
    ) -> Result<&mut HandleInfo, CosError> {
        self.handles
            .get_mut(&id)
            .filter(|h| h.origin == *origin)
            .ok_or_else(not_allowed)
    }

    /// Files a copy of handle `id` under `duplicate`, the id its content process chose for the
    /// context that receives the serialized handle. The copy has the handle's state as it is
    /// now and lives on its own. A taken (or zero) id, or a handle that is not `origin`'s, files
    /// nothing: the receiver's requests then fail as for any unknown handle.
    pub fn duplicate_handle(
        &mut self,
        id: HandleId,
        origin: &ImmutableOrigin,
        duplicate: HandleId,
    ) -> Result<(), CosError> {
        if duplicate == 0 || self.handles.contains_key(&duplicate) {
            return Err(not_allowed());
        }
        let copy = self.handle(id, origin)?.clone();
        self.add_handle_as(duplicate, copy);
        Ok(())
    }

    pub fn release_handle(&mut self, id: HandleId, origin: &ImmutableOrigin) {
        if self.handles.get(&id).is_some_and(|h| h.origin == *origin) {
            self.handles.remove(&id);
            if let Some(count) = self.handles_per_origin.get_mut(origin) {
                *count -= 1;
                if *count == 0 {
                    self.handles_per_origin.remove(origin);
                }
            }
        }
    }

    pub fn add_write(&mut self, session: WriteSession) -> WriteId {
        let id = random_id(&self.writes);
        self.writes.insert(id, session);
        id
    }

    pub fn write(
        &mut self,
        id: WriteId,
        origin: &ImmutableOrigin,
    ) -> Result<&mut WriteSession, CosError> {
        self.writes
            .get_mut(&id)
            .filter(|w| w.origin == *origin)
            .ok_or_else(not_allowed)
    }

    /// Ends a session (close or abort).
    pub fn take_write(
        &mut self,
        id: WriteId,
        origin: &ImmutableOrigin,
    ) -> Result<WriteSession, CosError> {
        if !self.writes.get(&id).is_some_and(|w| w.origin == *origin) {
            return Err(not_allowed());
        }
        self.writes.remove(&id).ok_or_else(not_allowed)
    }

    pub fn handle_count(&self) -> usize {
        self.handles.len()
    }

    /// How many live handles the origins `counts` picks hold.
    pub fn handles_where(&self, counts: impl Fn(&ImmutableOrigin) -> bool) -> usize {
        self.handles_per_origin
            .iter()
            .filter(|(origin, _)| counts(origin))
            .map(|(_, held)| held)
            .sum()
    }

    /// How many write sessions the origins `counts` picks have open.
    pub fn writes_where(&self, counts: impl Fn(&ImmutableOrigin) -> bool) -> usize {
        self.writes.values().filter(|w| counts(&w.origin)).count()
    }

    /// The bytes the open write sessions of the origins `counts` picks hold, but `except`.
    pub fn in_flight_bytes_where(
        &self,
        counts: impl Fn(&ImmutableOrigin) -> bool,
        except: WriteId,
    ) -> u64 {
        self.writes
            .iter()
            .filter(|(id, w)| **id != except && counts(&w.origin))
            .map(|(_, w)| w.size())
            .sum()
    }

    pub fn write_count(&self) -> usize {
        self.writes.len()
    }

    pub fn handles_size(&self, ops: &mut malloc_size_of::MallocSizeOfOps) -> usize {
        use malloc_size_of::MallocSizeOf;
        self.handles.size_of(ops)
    }

    pub fn clear_writes(&mut self) {
        self.writes.clear();
    }
}

#[cfg(test)]
mod tests {
    use cross_origin_storage_traits::HashAlgorithm;
    use servo_url::ServoUrl;
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::store::BlobStore;

    fn session(store: &BlobStore, bytes_for_hash: &[u8]) -> WriteSession {
        let hash = ContentHash::from_digest(HashAlgorithm::Sha256, &Sha256::digest(bytes_for_hash))
            .unwrap();
        let (path, file) = store.create_temp().unwrap();
        let handle = HandleInfo {
            origin: ServoUrl::parse("https://a.example").unwrap().origin(),
            hash,
            may_read: false,
            writable: true,
            requested: None,
        };
        WriteSession::new(&handle, 1, path, file)
    }

    fn write(bytes: &[u8], position: Option<u64>) -> WriteCommand {
        WriteCommand::Write {
            position,
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn sequential_writes_hash_incrementally() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut s = session(&store, b"hello world");
        s.apply(write(b"hello ", None), u64::MAX).unwrap();
        s.apply(write(b"world", None), u64::MAX).unwrap();
        assert!(s.hasher.is_some());
        assert_eq!(s.digest().unwrap(), Sha256::digest(b"hello world").to_vec());
    }

    #[test]
    fn seeks_truncates_and_holes_rehash_the_final_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut s = session(&store, b"");
        s.apply(write(b"abcdef", None), u64::MAX).unwrap();
        s.apply(WriteCommand::Seek(1), u64::MAX).unwrap();
        s.apply(write(b"X", None), u64::MAX).unwrap();
        s.apply(WriteCommand::Truncate(4), u64::MAX).unwrap();
        s.apply(write(b"Z", Some(6)), u64::MAX).unwrap();
        assert!(s.hasher.is_none());
        assert_eq!(s.size(), 7);
        let expected = b"aXcd\0\0Z";
        assert_eq!(fs::read(&s.temp_path).unwrap(), expected);
        assert_eq!(s.digest().unwrap(), Sha256::digest(expected).to_vec());

        let mut t = session(&store, b"");
        t.apply(write(b"abcdef", None), u64::MAX).unwrap();
        t.apply(WriteCommand::Truncate(2), u64::MAX).unwrap();
        t.apply(write(b"Q", None), u64::MAX).unwrap();
        assert_eq!(
            fs::read(&t.temp_path).unwrap(),
            b"abQ",
            "truncate clamps the position"
        );
    }

    #[test]
    fn growth_past_the_caps_is_refused_before_any_disk_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut s = session(&store, b"");
        let max = MAX_COS_WRITE_FILE_BYTES;
        for command in [
            WriteCommand::Truncate(max + 1),
            WriteCommand::Seek(max + 1),
            write(b"x", Some(max)),
            write(b"x", Some(u64::MAX)),
        ] {
            assert_eq!(
                s.apply(command, u64::MAX).unwrap_err().name(),
                "QuotaExceededError"
            );
        }
        assert_eq!(
            s.apply(write(b"12345", None), 4),
            Err(CosError::QuotaExceeded {
                quota: 4,
                requested: 5
            })
        );
        assert_eq!(fs::metadata(&s.temp_path).unwrap().len(), 0);
        let path = s.temp_path.clone();
        drop(s);
        assert!(!path.exists(), "dropping a session deletes its temp file");
    }

    #[test]
    fn io_failures_poison_the_session_without_telling_the_page_the_os_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let mut s = session(&store, b"abc");
        // A read-only handle on the temp file: every write fails with an OS error (EBADF).
        s.file = File::open(&s.temp_path).unwrap();
        let error = s.apply(write(b"abc", None), u64::MAX).unwrap_err();
        assert_eq!(error.name(), "OperationError");
        let message = error.message();
        assert_eq!(message, "Writing to Cross-Origin Storage failed.");
        assert!(!message.contains("descriptor") && !message.contains("os error"));
        // Poisoned: later commands and the digest fail too, so close can never publish.
        assert!(s.apply(WriteCommand::Seek(0), u64::MAX).is_err());
        assert!(s.digest().is_err());
    }
}
