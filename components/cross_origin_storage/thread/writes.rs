/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Write sessions and the store: verify the digest, admit under quota, publish, commit.

use cross_origin_storage_traits::{ContentHash, CosError, HandleId, WriteCommand, WriteId};
use log::{debug, warn};
use servo_url::ImmutableOrigin;

use super::CosStorage;
use crate::quota::{self, Admission};
use crate::sessions::WriteSession;
use crate::store::Published;

/// The index's words go to the log only, as the OS's do below.
fn database_error(error: rusqlite::Error) -> CosError {
    warn!("COS: registry error: {error}");
    CosError::Operation("The Cross-Origin Storage registry failed.".to_owned())
}

/// The OS's words go to the log only; pages get a message of ours.
fn io_error(error: std::io::Error) -> CosError {
    warn!("COS: I/O error: {error}");
    if error.kind() == std::io::ErrorKind::StorageFull {
        CosError::Operation("There is no space left for Cross-Origin Storage.".to_owned())
    } else {
        CosError::Operation("Cross-Origin Storage could not use its files.".to_owned())
    }
}

impl CosStorage {
    pub(super) fn create_writable(
        &mut self,
        handle_id: HandleId,
        origin: &ImmutableOrigin,
    ) -> Result<WriteId, CosError> {
        let open = self.sessions.writes_where(self.counts_with(origin));
        let handle = self.sessions.handle(handle_id, origin)?;
        if !handle.writable {
            return Err(CosError::NotAllowed(
                "Only handles from a create request are writable.".to_owned(),
            ));
        }
        if open >= self.config.max_open_writes {
            return Err(CosError::QuotaExceeded {
                quota: self.config.max_open_writes as u64,
                requested: open as u64 + 1,
            });
        }
        // Always empty, whatever keepExistingData says: a caller must supply all the bytes.
        let (path, file) = self.store.create_temp().map_err(io_error)?;
        let session = WriteSession::new(handle, handle_id, path, file);
        Ok(self.sessions.add_write(session))
    }

    /// One part of a `write()`, `seek()` or `truncate()`; `last` is whether it ends the call.
    pub(super) fn write(
        &mut self,
        write_id: WriteId,
        origin: &ImmutableOrigin,
        command: WriteCommand,
        last: bool,
    ) -> Result<(), CosError> {
        // The key's other open sessions are charged as they grow, so the bytes of all its open
        // sessions together stay within its quota, however many it opens.
        let in_flight = self
            .sessions
            .in_flight_bytes_where(self.counts_with(origin), write_id);
        let quota = self.quota.saturating_sub(in_flight);
        self.sessions
            .write(write_id, origin)?
            .apply_part(command, quota, last)
    }

    /// Verify, admit, publish, commit (`storage-and-performance.md` §4).
    pub(super) fn close(
        &mut self,
        write_id: WriteId,
        origin: &ImmutableOrigin,
    ) -> Result<(), CosError> {
        let mut session = self.sessions.take_write(write_id, origin)?;
        // A `write()` whose last part never arrived ends the session with its failure, if any.
        session.take_deferred_failure()?;
        let digest = session.digest()?;
        if digest != session.hash.digest() {
            // Dropping the session deletes the temp file; nothing else changes.
            return Err(CosError::Data(
                "The bytes written do not match the hash.".to_owned(),
            ));
        }
        let hash = session.hash.clone();
        let size = session.size();
        let existing = self.registry.entry(&hash).map_err(database_error)?;
        // Quota is charged per key (see `keys`): bytes another origin of the same key already
        // stores cost nothing more.
        let counts = self.counts_with(origin);
        let already_charged = existing
            .as_ref()
            .is_some_and(|e| e.size == size && e.grants.storing_origins.iter().any(&counts));
        let admission = if already_charged {
            Admission::AlreadyCharged
        } else {
            let charges = self.registry.charges(&counts).map_err(database_error)?;
            let usage = charges.usage;
            let candidates = charges
                .owned
                .into_iter()
                .filter(|c| c.hash != hash)
                .collect();
            quota::admit(self.quota, usage, size, false, candidates)?
        };
        let mut evict = match admission {
            Admission::Evict(plan) => plan,
            Admission::AlreadyCharged | Admission::Fits => Vec::new(),
        };
        if existing.is_none() {
            evict.extend(self.global_evictions(&hash, size, &evict)?);
        }
        let published = self
            .store
            .publish(&session.temp_path, &session.file, &hash, size)
            .map_err(io_error)?;
        let mut grants = existing.map(|e| e.grants).unwrap_or_default();
        let dropped = grants.record_store(
            origin,
            session.requested.as_ref(),
            self.config.max_origins,
            self.config.merge_policy,
        );
        if !dropped.is_empty() {
            debug!("COS: origins past the maximum list length were dropped: {dropped:?}");
        }
        let now = self.clock.now_ms();
        if let Err(error) = self
            .registry
            .commit_store(&hash, size, &grants, origin, now, &evict)
        {
            if published == Published::New && matches!(self.registry.entry(&hash), Ok(None)) {
                self.store.remove_blob(&hash);
            }
            return Err(database_error(error));
        }
        for evicted in &evict {
            self.store.remove_blob(evicted);
        }
        if let Ok(handle) = self.sessions.handle(session.handle_id, origin) {
            handle.may_read = true;
        }
        Ok(())
    }

    /// New bytes must also fit the global budget, counted once whoever stores them. Under
    /// global pressure the least recently read entries of any origin make room; the error
    /// still reports the nominal per-origin quota, never the real state of the disk.
    fn global_evictions(
        &self,
        hash: &ContentHash,
        size: u64,
        planned: &[ContentHash],
    ) -> Result<Vec<ContentHash>, CosError> {
        let total = self.registry.total_bytes().map_err(database_error)?;
        // The common case: no pressure, and no need to look at every entry.
        if total.saturating_add(size) <= self.global_quota {
            return Ok(Vec::new());
        }
        let candidates = self.registry.all_candidates().map_err(database_error)?;
        let freed: u64 = candidates
            .iter()
            .filter(|c| planned.contains(&c.hash))
            .map(|c| c.size)
            .sum();
        let total = total.saturating_sub(freed);
        let others = candidates
            .into_iter()
            .filter(|c| c.hash != *hash && !planned.contains(&c.hash))
            .collect();
        match quota::admit(self.global_quota, total, size, false, others) {
            Ok(Admission::Evict(plan)) => Ok(plan),
            Ok(_) => Ok(Vec::new()),
            Err(_) => Err(CosError::QuotaExceeded {
                quota: self.quota,
                requested: size,
            }),
        }
    }
}
