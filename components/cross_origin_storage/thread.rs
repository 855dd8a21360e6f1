/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The message loop. Every message is answered (or, for fire-and-forget ones, handled)
//! without panicking: nothing from a content process is trusted, and I/O failures become
//! `OperationError`s.
//!
//! This module opens the store and dispatches; its children handle one kind of request each:
//! `lookups` grants handles and reads, `writes` verifies and stores, `control` serves the
//! browser.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use cross_origin_storage_traits::{CosConfig, CosInbound, CosMsg};
use crossbeam_channel::Receiver;
use log::{debug, warn};
use malloc_size_of::MallocSizeOf;
use profile_traits::mem::{ProcessReports, Report, ReportKind, ReportsChan, perform_memory_report};
use profile_traits::path;
use servo_base::generic_channel::GenericSender;
use servo_url::ImmutableOrigin;

use crate::clock::Clock;
use crate::grease::Grease;
use crate::phl::PublicHashList;
use crate::recovery::open_persistent;
use crate::registry::Registry;
use crate::sessions::Sessions;
use crate::snapshot::SnapshotLender;
use crate::store::BlobStore;
use crate::{binding, keys, quota};

mod control;
mod lookups;
mod writes;

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
