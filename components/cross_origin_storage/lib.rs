/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The Cross-Origin Storage (COS) storage thread: content-addressed blobs, grants,
//! verification, persistence and quota.
//!
//! <https://wicg.github.io/cross-origin-storage/>; design in `storage-and-performance.md`.
//!
//! - `store`: blob files and the crash-safe publish;
//! - `registry`: the SQLite index of entries, grants, usage and the probe budget;
//! - `sessions`: handles and write sessions;
//! - `digest`: incremental and pipelined hashing;
//! - `quota`: per-origin limits and eviction planning;
//! - `phl`, `grease`: the gates of the global grant;
//! - `binding`: which origins a content channel may claim;
//! - `keys`: what the per-requester limits are counted per;
//! - `recovery`: opening a persistent store and reconciling it after a crash;
//! - `thread`: the message loop.

pub mod binding;
pub mod clock;
pub mod digest;
pub mod grease;
pub mod keys;
pub mod phl;
pub mod quota;
pub mod recovery;
pub mod registry;
pub mod sessions;
pub mod snapshot;
pub mod store;
pub mod thread;

use std::path::PathBuf;
use std::sync::Arc;
use std::thread as std_thread;

use cross_origin_storage_traits::{
    CosConfig, CosControlMsg, CosError, CosInbound, CosThreadHandle,
};
use crossbeam_channel::Receiver;
use log::{error, warn};
use profile_traits::mem::ProfilerChan;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::snapshot::{RegisterSnapshot, SnapshotLender};
pub use crate::thread::{CosStorage, CosThreadOptions, store_root};

/// Starts the COS thread with the `dom_cross_origin_storage_*` prefs and the wall clock.
pub fn new_cross_origin_storage_thread(
    config_dir: Option<PathBuf>,
    temporary: bool,
    snapshots: Option<SnapshotLender>,
    mem_profiler_chan: ProfilerChan,
    reporter_name: String,
) -> CosThreadHandle {
    let options = CosThreadOptions {
        config_dir,
        temporary,
        config: CosConfig::from_prefs(),
        clock: Arc::new(SystemClock),
        disk_capacity: None,
        snapshots,
    };
    new_cross_origin_storage_thread_with(options, mem_profiler_chan, reporter_name)
}

/// Starts the COS thread with an explicit config, clock and disk capacity (for tests).
pub fn new_cross_origin_storage_thread_with(
    options: CosThreadOptions,
    mem_profiler_chan: ProfilerChan,
    reporter_name: String,
) -> CosThreadHandle {
    let (inbound, port) = crossbeam_channel::unbounded();
    let handle = CosThreadHandle::new(inbound);
    let reports = handle.inbound().clone();
    let name = reporter_name.clone();
    std_thread::Builder::new()
        .name("CrossOriginStorage".to_owned())
        .spawn(move || {
            mem_profiler_chan.run_with_memory_reporting(
                || match CosStorage::open(options, name) {
                    Ok(storage) => storage.run(port),
                    Err(reason) => {
                        error!("COS: the store could not be opened: {reason}");
                        run_unavailable(port, reason);
                    },
                },
                reporter_name,
                reports,
                |chan| CosInbound::Control(CosControlMsg::CollectMemoryReport(chan)),
            );
        })
        .expect("Failed to spawn the CrossOriginStorage thread");
    handle
}

/// When not even a memory store can be opened, every request still gets an answer.
fn run_unavailable(port: Receiver<CosInbound>, reason: String) {
    // Why is for the log: it can hold paths and OS messages that pages must not see.
    warn!("COS: the store is unavailable: {reason}");
    while let Ok(message) = port.recv() {
        match message {
            CosInbound::Content { request, .. } => request.refuse(CosError::Operation(
                "Cross-Origin Storage is unavailable.".to_owned(),
            )),
            CosInbound::Control(message) => match message {
                CosControlMsg::ListEntries(reply) => drop(reply.send(Vec::new())),
                CosControlMsg::DeleteEntry { reply, .. } => drop(reply.send(false)),
                CosControlMsg::ClearOrigin { reply, .. } |
                CosControlMsg::ClearSite { reply, .. } |
                CosControlMsg::ClearAll(reply) => drop(reply.send(0)),
                CosControlMsg::CollectMemoryReport(chan) => drop(
                    chan.0
                        .send(profile_traits::mem::ProcessReports::new(vec![])),
                ),
                CosControlMsg::Exit(sender) => {
                    let _ = sender.send(());
                    return;
                },
            },
        }
    }
}
