/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Granting handles and reading through them: validation, the disclosure decision with its
//! probe budget, and `getFile()`'s bytes.

use std::fs::File;
use std::io::Read;

use cross_origin_storage_traits::config::BudgetExempt;
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosError, Disclosure, FileMetadata, HandleGrant, HandleId,
    MAX_REQUEST_HASHES, MergePolicy, OriginsInput, ReadEvent, RequestedOrigins,
};
use log::{debug, warn};
use net_traits::pub_domains::is_same_site;
use servo_base::generic_channel::GenericCallback;
use servo_url::ImmutableOrigin;

use super::CosStorage;
use crate::keys;
use crate::sessions::HandleInfo;

impl CosStorage {
    pub(super) fn request_file_handle(
        &mut self,
        origin: ImmutableOrigin,
        hash: ContentHash,
        create: bool,
        origins: Option<OriginsInput>,
        ceiling: Option<Vec<ImmutableOrigin>>,
        top_level: Option<ImmutableOrigin>,
    ) -> Result<HandleGrant, CosError> {
        if !origin.is_tuple() {
            return Err(CosError::NotAllowed(
                "Cross-Origin Storage is not available to opaque origins.".to_owned(),
            ));
        }
        if !self.config.allowed_algorithms.contains(&hash.algorithm()) {
            return Err(CosError::Type(format!(
                "\"{}\" is not a supported hash algorithm.",
                hash.algorithm()
            )));
        }
        let held = self.sessions.handles_where(self.counts_with(&origin));
        if held >= self.config.max_handles {
            return Err(CosError::QuotaExceeded {
                quota: self.config.max_handles as u64,
                requested: held as u64 + 1,
            });
        }
        // Validation does not depend on `create` (spec step 4.3).
        let requested = RequestedOrigins::parse(
            origins.as_ref(),
            self.config.max_origins,
            self.config.empty_list_is_same_site,
        )?;
        if create {
            // Register nothing: a create request is never a presence oracle nor charged.
            let requested = match requested {
                Some(requested) => {
                    let (kept, dropped) = requested.apply_ceiling(ceiling.as_deref());
                    if !dropped.is_empty() {
                        debug!("COS: the allow-origin ceiling dropped {dropped:?}");
                    }
                    kept
                },
                None => None,
            };
            let handle_id = self.sessions.add_handle(HandleInfo {
                origin,
                hash,
                may_read: false,
                writable: true,
                requested,
            });
            return Ok(HandleGrant {
                handle_id,
                may_read: false,
                writable: true,
            });
        }
        if !self.disclose(&origin, top_level.as_ref(), &hash) {
            return Err(CosError::NotFound);
        }
        let handle_id = self.sessions.add_handle(HandleInfo {
            origin,
            hash,
            may_read: true,
            writable: false,
            requested: None,
        });
        Ok(HandleGrant {
            handle_id,
            may_read: true,
            writable: false,
        })
    }

    /// A serialized handle's copy for its receiver, within the same cap on live handles as any
    /// other handle: posting handles nowhere can use up only the sender's own site's share.
    pub(super) fn duplicate_handle(
        &mut self,
        handle_id: HandleId,
        origin: &ImmutableOrigin,
        duplicate: u64,
    ) {
        let held = self.sessions.handles_where(self.counts_with(origin));
        let filed = if held >= self.config.max_handles {
            Err(CosError::QuotaExceeded {
                quota: self.config.max_handles as u64,
                requested: held as u64 + 1,
            })
        } else {
            self.sessions.duplicate_handle(handle_id, origin, duplicate)
        };
        if let Err(error) = filed {
            debug!("COS: no copy of a serialized handle: {}", error.message());
        }
    }

    /// The plural request: every hash is requested as the singular would be, so each one is
    /// validated, disclosed and charged exactly as alone; a failure anywhere releases the
    /// handles granted for the others, so the caller gets all of them or none.
    pub(super) fn request_file_handles(
        &mut self,
        origin: ImmutableOrigin,
        hashes: Vec<ContentHash>,
        create: bool,
        origins: Option<OriginsInput>,
        ceiling: Option<Vec<ImmutableOrigin>>,
        top_level: Option<ImmutableOrigin>,
    ) -> Result<Vec<HandleGrant>, CosError> {
        if hashes.len() > MAX_REQUEST_HASHES {
            return Err(CosError::Type(format!(
                "requestFileHandles() takes at most {MAX_REQUEST_HASHES} hashes."
            )));
        }
        let mut granted = Vec::with_capacity(hashes.len());
        let mut first_error = None;
        for hash in hashes {
            // Every hash is looked at even after a failure, so how long the call takes and what
            // it charges do not tell which position failed.
            match self.request_file_handle(
                origin.clone(),
                hash,
                create,
                origins.clone(),
                ceiling.clone(),
                top_level.clone(),
            ) {
                Ok(grant) => granted.push(grant),
                Err(error) => {
                    first_error.get_or_insert(error);
                },
            }
        }
        match first_error {
            None => Ok(granted),
            Some(error) => {
                for grant in granted {
                    self.sessions.release_handle(grant.handle_id, &origin);
                }
                Err(error)
            },
        }
    }

    /// The read request's disclosure decision (spec §3.2). Every path does the PHL lookup and
    /// the budget bookkeeping, so refusals cost the same whatever their cause.
    fn disclose(
        &mut self,
        origin: &ImmutableOrigin,
        top_level: Option<&ImmutableOrigin>,
        hash: &ContentHash,
    ) -> bool {
        let entry = match self.registry.entry(hash) {
            Ok(entry) => entry,
            Err(error) => {
                warn!("COS: lookup failed: {error}");
                None
            },
        };
        let disclosure = entry
            .as_ref()
            .map(|e| e.grants.disclosure(origin, is_same_site))
            .unwrap_or(Disclosure::None);
        let on_phl = self.phl.contains(hash);
        let exempt = match disclosure {
            Disclosure::StoringOrigin => true,
            Disclosure::SameSite => self.config.probe_budget_exempt == BudgetExempt::SameSite,
            _ => false,
        };
        if !exempt && self.config.probe_budget > 0 {
            let window_ms = self.config.probe_budget_window_secs.saturating_mul(1000);
            let now = self.clock.now_ms();
            let key = keys::probe_key(
                self.config.probe_budget_key,
                self.config.limit_key,
                origin,
                top_level,
            );
            match self
                .registry
                .charge_probe(&key, hash, now, window_ms, self.config.probe_budget)
            {
                Ok(true) => {},
                Ok(false) => return false,
                Err(error) => {
                    warn!("COS: probe budget failed: {error}");
                    return false;
                },
            }
        }
        let Some(entry) = entry else { return false };
        let disclosed = match disclosure {
            Disclosure::StoringOrigin | Disclosure::SameSite | Disclosure::Listed => true,
            Disclosure::GlobalCandidate => {
                let key = keys::limit_key(self.config.limit_key, origin);
                on_phl &&
                    !self
                        .grease
                        .elects(&key, hash, entry.size, self.clock.now_ms())
            },
            Disclosure::None => false,
        };
        // A row whose blob is gone reads as absent.
        disclosed && self.store.blob_is_intact(hash, entry.size)
    }

    pub(super) fn read_file(
        &mut self,
        handle_id: HandleId,
        origin: &ImmutableOrigin,
        reply: &GenericCallback<ReadEvent>,
    ) {
        let hash = match self.sessions.handle(handle_id, origin) {
            Ok(handle) if handle.may_read => handle.hash.clone(),
            Ok(_) => {
                let error = CosError::NotAllowed("This handle may not read yet.".to_owned());
                let _ = reply.send(ReadEvent::Error(error));
                return;
            },
            Err(error) => {
                let _ = reply.send(ReadEvent::Error(error));
                return;
            },
        };
        let entry = self.registry.entry(&hash).ok().flatten();
        let Some((entry, mut file)) = entry.and_then(|e| {
            let file = self.store.open_blob(&hash, e.size)?;
            Some((e, file))
        }) else {
            // Cleared or evicted after the grant.
            let _ = reply.send(ReadEvent::Error(CosError::NotFound));
            return;
        };
        // `lastModified` is this origin's own storage time, never another origin's.
        let last_modified_ms = self
            .registry
            .stored_at(&hash, origin)
            .ok()
            .flatten()
            .unwrap_or(0);
        let metadata = FileMetadata {
            size: entry.size,
            last_modified_ms,
        };
        let snapshot = self
            .snapshots
            .as_ref()
            .and_then(|lender| lender.lend(&self.store.blob_path(&hash), origin));
        if let Some(id) = snapshot {
            drop(file);
            let _ = reply.send(ReadEvent::Snapshot { id, metadata });
        } else {
            // Each chunk is a send that can block while the reader's channel is full, and a
            // reader that never drains must not hold up every other site's requests: the bytes
            // go out from a thread of their own, from the file opened here (which stays readable
            // if the entry is evicted meanwhile).
            let reader = reply.clone();
            let size = entry.size;
            let spawned = std::thread::Builder::new()
                .name("CosRead".to_owned())
                .spawn(move || {
                    let last = match stream(&mut file, size, &reader) {
                        Ok(()) => ReadEvent::Done(metadata),
                        Err(error) => ReadEvent::Error(error),
                    };
                    let _ = reader.send(last);
                });
            if let Err(error) = spawned {
                warn!("COS: cannot start a read: {error}");
                let error = CosError::Operation("Cross-Origin Storage is busy.".to_owned());
                let _ = reply.send(ReadEvent::Error(error));
                return;
            }
        }
        let now = self.clock.now_ms();
        let mut grants = entry.grants;
        let lru = self.config.merge_policy == MergePolicy::Lru && grants.origins.contains(origin);
        if lru {
            grants.touch_listed(origin);
        }
        let touched = lru.then_some(&grants);
        if let Err(error) = self.registry.record_read(&hash, origin, now, touched) {
            warn!("COS: recording a read failed: {error}");
        }
    }
}

/// Streams `size` bytes as `CHUNK_BYTES` chunks.
fn stream(file: &mut File, size: u64, reply: &GenericCallback<ReadEvent>) -> Result<(), CosError> {
    let mut remaining = size;
    while remaining > 0 {
        let length = remaining.min(CHUNK_BYTES as u64) as usize;
        let mut chunk = vec![0u8; length];
        file.read_exact(&mut chunk)
            .map_err(|_| CosError::NotFound)?;
        if reply.send(ReadEvent::Chunk(chunk)).is_err() {
            // The reader is gone; nothing left to do.
            return Ok(());
        }
        remaining -= length as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use cross_origin_storage_traits::{CosConfig, HashAlgorithm, WriteCommand};
    use servo_url::ServoUrl;

    use super::*;
    use crate::thread::CosThreadOptions;

    fn hash(n: u8) -> ContentHash {
        ContentHash::from_digest(HashAlgorithm::Sha256, &[n; 32]).unwrap()
    }

    #[test]
    fn a_failed_plural_request_releases_the_handles_it_granted() {
        let options = CosThreadOptions {
            config_dir: None,
            temporary: false,
            config: CosConfig {
                grease_per_mille: 0,
                probe_budget: 0,
                ..CosConfig::default()
            },
            clock: Arc::new(crate::ManualClock::new(1_000)),
            disk_capacity: Some(1 << 40),
            snapshots: None,
        };
        let mut storage = CosStorage::open(options, "test".to_owned()).unwrap();
        let origin = ServoUrl::parse("https://a.example").unwrap().origin();
        let bytes = b"stored once".to_vec();
        let stored = ContentHash::from_digest(
            HashAlgorithm::Sha256,
            &<sha2::Sha256 as sha2::Digest>::digest(&bytes),
        )
        .unwrap();
        let grant = storage
            .request_file_handle(origin.clone(), stored.clone(), true, None, None, None)
            .unwrap();
        let write_id = storage.create_writable(grant.handle_id, &origin).unwrap();
        let write = WriteCommand::Write {
            position: None,
            bytes,
        };
        storage.write(write_id, &origin, write, true).unwrap();
        storage.close(write_id, &origin).unwrap();
        let before = storage.sessions.handle_count();

        for hashes in [vec![stored.clone(), hash(9)], vec![hash(9), stored.clone()]] {
            let result =
                storage.request_file_handles(origin.clone(), hashes, false, None, None, None);
            assert_eq!(result, Err(CosError::NotFound));
            assert_eq!(storage.sessions.handle_count(), before);
        }
        let granted = storage
            .request_file_handles(
                origin.clone(),
                vec![stored.clone(), stored],
                false,
                None,
                None,
                None,
            )
            .unwrap();
        assert_eq!(granted.len(), 2);
        assert_eq!(storage.sessions.handle_count(), before + 2);
    }
}
