/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The message loop. Every message is answered (or, for fire-and-forget ones, handled)
//! without panicking: nothing from a content process is trusted, and I/O failures become
//! `OperationError`s.

use std::fs::{self, File};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use cross_origin_storage_traits::config::BudgetExempt;
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosConfig, CosControlMsg, CosError, CosInbound, CosMsg, Disclosure,
    FileMetadata, HandleGrant, HandleId, MAX_REQUEST_HASHES, MergePolicy, OriginsInput, ReadEvent,
    RequestedOrigins, WriteCommand, WriteId,
};
use crossbeam_channel::Receiver;
use log::{debug, warn};
use malloc_size_of::MallocSizeOf;
use net_traits::pub_domains::is_same_site;
use profile_traits::mem::{ProcessReports, Report, ReportKind, ReportsChan, perform_memory_report};
use profile_traits::path;
use servo_base::generic_channel::{GenericCallback, GenericSender};
use servo_url::ImmutableOrigin;

use crate::clock::Clock;
use crate::grease::Grease;
use crate::phl::PublicHashList;
use crate::quota::{self, Admission};
use crate::recovery::open_persistent;
use crate::registry::Registry;
use crate::sessions::{HandleInfo, Sessions, WriteSession};
use crate::snapshot::SnapshotLender;
use crate::store::{BlobStore, Published};
use crate::{binding, keys};

/// Everything needed to start a storage thread.
pub struct CosThreadOptions {
    pub config_dir: Option<PathBuf>,
    /// Private/temporary storage: nothing touches the profile.
    pub temporary: bool,
    pub config: CosConfig,
    pub clock: Arc<dyn Clock>,
    /// Total disk capacity for the computed quota; `None` asks the file system.
    pub disk_capacity: Option<u64>,
    /// Lends `getFile()` snapshots to the embedder's file manager; without it (or with an
    /// ephemeral store) `getFile()` sends the bytes.
    pub snapshots: Option<SnapshotLender>,
}

/// The directory of a persistent store, per `servo-integration.md` §8.
pub fn store_root(config_dir: &std::path::Path) -> PathBuf {
    config_dir.join("crossoriginstorage").join("default_v1")
}

pub struct CosStorage {
    config: CosConfig,
    clock: Arc<dyn Clock>,
    store: BlobStore,
    registry: Registry,
    sessions: Sessions,
    phl: PublicHashList,
    grease: Grease,
    /// The nominal per-origin quota.
    quota: u64,
    /// Bytes all origins together may store, each file counted once.
    global_quota: u64,
    /// Present while a persistent store is open; found at startup, it means the last run
    /// crashed and blobs/rows may disagree.
    dirty_marker: Option<PathBuf>,
    /// Only for a persistent store: snapshots of an ephemeral one would outlive it.
    snapshots: Option<SnapshotLender>,
    reporter_name: String,
    /// Who asked for `Exit`: answered once the store is closed, index and all.
    exit_ack: Option<GenericSender<()>>,
}

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
    /// Opens the persistent store, or an ephemeral one when asked to or when the profile
    /// cannot be used (with a warning, like Servo's other storage threads).
    pub fn open(options: CosThreadOptions, reporter_name: String) -> Result<CosStorage, String> {
        let ephemeral =
            options.temporary || options.config.ephemeral || options.config_dir.is_none();
        let persistent = match (&options.config_dir, ephemeral) {
            (Some(dir), false) => match open_persistent(&store_root(dir)) {
                Ok(opened) => Some(opened),
                Err(error) => {
                    warn!(
                        "COS: cannot open the store in {}, using memory: {error}",
                        dir.display()
                    );
                    None
                },
            },
            _ => None,
        };
        let (store, mut registry, dirty_marker) = match persistent {
            Some(opened) => opened,
            None => {
                let store = BlobStore::ephemeral().map_err(|e| e.to_string())?;
                let registry = Registry::memory().map_err(|e| e.to_string())?;
                (store, registry, None)
            },
        };
        let secret = registry.secret().map_err(|e| e.to_string())?;
        let disk_capacity = options
            .disk_capacity
            .or_else(|| quota::disk_total_bytes(store.tmp_dir()));
        let config = options.config;
        let snapshots = options.snapshots.filter(|_| dirty_marker.is_some());
        Ok(CosStorage {
            quota: quota::per_origin_limit(config.quota_per_origin_bytes, disk_capacity),
            global_quota: quota::global_limit(disk_capacity),
            phl: PublicHashList::from_pref_or_installed(
                &config.phl_path,
                config.phl_include_hugging_face,
            ),
            grease: Grease::new(secret, &config),
            config,
            clock: options.clock,
            store,
            registry,
            sessions: Sessions::default(),
            dirty_marker,
            snapshots,
            reporter_name,
            exit_ack: None,
        })
    }

    /// The nominal per-origin quota in force.
    pub fn quota(&self) -> u64 {
        self.quota
    }

    pub fn run(mut self, port: Receiver<CosInbound>) {
        // Ends on `Exit`, or when every sender is gone.
        while let Ok(message) = port.recv() {
            if !self.handle(message) {
                break;
            }
        }
        let exit_ack = self.exit_ack.take();
        // Closes the index (checkpointing its journal) and removes the open marker.
        drop(self);
        if let Some(exit_ack) = exit_ack {
            let _ = exit_ack.send(());
        }
    }

    /// Handles one message; returns false after `Exit`.
    pub fn handle(&mut self, message: CosInbound) -> bool {
        match message {
            CosInbound::Content { site, request } => {
                match binding::check(&site, request.claimed_origin()) {
                    Ok(()) => self.handle_request(request),
                    Err(refusal) => request.refuse(refusal),
                }
                true
            },
            CosInbound::Control(message) => self.handle_control(message),
        }
    }

    /// A page's request, from a channel whose site covers the claimed origin.
    fn handle_request(&mut self, request: CosMsg) {
        match request {
            CosMsg::RequestFileHandle {
                origin,
                hash,
                create,
                origins,
                ceiling,
                top_level,
                reply,
            } => {
                let result =
                    self.request_file_handle(origin, hash, create, origins, ceiling, top_level);
                let _ = reply.send(result);
            },
            CosMsg::RequestFileHandles {
                origin,
                hashes,
                create,
                origins,
                ceiling,
                top_level,
                reply,
            } => {
                let result =
                    self.request_file_handles(origin, hashes, create, origins, ceiling, top_level);
                let _ = reply.send(result);
            },
            CosMsg::ReadFile {
                handle_id,
                origin,
                reply,
            } => self.read_file(handle_id, &origin, &reply),
            CosMsg::CreateWritable {
                handle_id,
                origin,
                reply,
            } => {
                let _ = reply.send(self.create_writable(handle_id, &origin));
            },
            CosMsg::Write {
                write_id,
                origin,
                command,
                reply,
            } => {
                let result = self.write(write_id, &origin, command, reply.is_some());
                if let Some(reply) = reply {
                    let _ = reply.send(result);
                }
            },
            CosMsg::Close {
                write_id,
                origin,
                reply,
            } => {
                let _ = reply.send(self.close(write_id, &origin));
            },
            CosMsg::Abort { write_id, origin } => {
                // Dropping the session deletes its temp file.
                let _ = self.sessions.take_write(write_id, &origin);
            },
            CosMsg::DuplicateHandle {
                handle_id,
                origin,
                duplicate,
            } => self.duplicate_handle(handle_id, &origin, duplicate),
            CosMsg::ReleaseHandle { handle_id, origin } => {
                self.sessions.release_handle(handle_id, &origin);
            },
            CosMsg::ClearSiteData { origin } => {
                let deleted = self.revoke(|o| *o == origin);
                debug!("COS: Clear-Site-Data for {origin:?} deleted {deleted} entries");
            },
        }
    }

    /// Returns false after `Exit`.
    fn handle_control(&mut self, message: CosControlMsg) -> bool {
        match message {
            CosControlMsg::ListEntries(reply) => {
                let entries = self.registry.list().unwrap_or_else(|error| {
                    warn!("COS: listing entries failed: {error}");
                    Vec::new()
                });
                let _ = reply.send(entries);
            },
            CosControlMsg::DeleteEntry { hash, reply } => {
                let existed = match self.registry.delete_entry(&hash) {
                    Ok(existed) => {
                        self.store.remove_blob(&hash);
                        existed
                    },
                    Err(error) => {
                        warn!("COS: deleting {hash} failed: {error}");
                        false
                    },
                };
                let _ = reply.send(existed);
            },
            CosControlMsg::ClearOrigin { origin, reply } => {
                let _ = reply.send(self.revoke(|o| *o == origin));
            },
            CosControlMsg::ClearSite { site, reply } => {
                let site = site.trim().trim_end_matches('.').to_ascii_lowercase();
                let suffix = format!(".{site}");
                let _ = reply.send(self.revoke(|o| {
                    !site.is_empty() &&
                        o.host()
                            .map(|h| h.to_string().to_ascii_lowercase())
                            .is_some_and(|host| host == site || host.ends_with(&suffix))
                }));
            },
            CosControlMsg::ClearAll(reply) => {
                let deleted = match self.registry.clear_all() {
                    Ok(count) => {
                        if let Err(error) = self.store.remove_all_blobs() {
                            warn!("COS: removing blobs failed: {error}");
                        }
                        count
                    },
                    Err(error) => {
                        warn!("COS: clearing failed: {error}");
                        0
                    },
                };
                let _ = reply.send(deleted);
            },
            CosControlMsg::CollectMemoryReport(reports_chan) => self.report_memory(reports_chan),
            CosControlMsg::Exit(sender) => {
                self.shutdown();
                self.exit_ack = Some(sender);
                return false;
            },
        }
        true
    }

    fn request_file_handle(
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
    fn duplicate_handle(&mut self, handle_id: HandleId, origin: &ImmutableOrigin, duplicate: u64) {
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
    fn request_file_handles(
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

    fn read_file(
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

    fn create_writable(
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
    fn write(
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
    fn close(&mut self, write_id: WriteId, origin: &ImmutableOrigin) -> Result<(), CosError> {
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

    /// Which origins count under the same limit key as `origin`.
    fn counts_with(&self, origin: &ImmutableOrigin) -> impl Fn(&ImmutableOrigin) -> bool + use<> {
        let kind = self.config.limit_key;
        let key = keys::limit_key(kind, origin);
        move |other| keys::counts_under(kind, &key, other)
    }

    fn revoke(&mut self, pred: impl Fn(&ImmutableOrigin) -> bool) -> u64 {
        match self.registry.revoke(pred) {
            Ok(deleted) => {
                for hash in &deleted {
                    self.store.remove_blob(hash);
                }
                deleted.len() as u64
            },
            Err(error) => {
                warn!("COS: clearing failed: {error}");
                0
            },
        }
    }

    fn report_memory(&self, reports_chan: ReportsChan) {
        let mut reports = vec![];
        perform_memory_report(|ops| {
            reports.push(Report {
                path: path!["cross-origin-storage", self.reporter_name, "handles"],
                kind: ReportKind::ExplicitJemallocHeapSize,
                size: self.sessions.handles_size(ops),
            });
            reports.push(Report {
                path: path![
                    "cross-origin-storage",
                    self.reporter_name,
                    "public-hash-list"
                ],
                kind: ReportKind::ExplicitJemallocHeapSize,
                size: self.phl.size_of(ops),
            });
        });
        // `ReportsChan::send` panics on a closed channel; a gone profiler is not our failure.
        let _ = reports_chan.0.send(ProcessReports::new(reports));
    }

    /// Clean shutdown: drop in-flight writes (deleting their temp files) and mark the store
    /// consistent.
    fn shutdown(&mut self) {
        self.sessions.clear_writes();
        if let Some(marker) = self.dirty_marker.take() {
            let _ = fs::remove_file(marker);
        }
    }
}

impl Drop for CosStorage {
    fn drop(&mut self) {
        self.shutdown();
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
    use cross_origin_storage_traits::HashAlgorithm;
    use servo_url::ServoUrl;

    use super::*;

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
