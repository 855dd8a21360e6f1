/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Messages to the COS storage thread and their replies.
//!
//! Two protocols, for two kinds of sender:
//! - [`CosMsg`], what a page may ask: handles, reads and write sessions. Content processes hold
//!   it only as a channel that the browser bound to their event loop's site (see
//!   [`crate::channel`]), so every claimed origin is checked against a site the content process
//!   did not choose.
//! - [`CosControlMsg`], what only the browser may ask: listing, deleting, clearing, memory
//!   reports and exit. It never leaves the browser's process.
//!
//! Every reply is a `GenericCallback`, so the same protocol works over crossbeam in
//! single-process mode and over ipc-channel in multiprocess mode. Handle and write-session ids
//! are chosen by the thread (random, so they cannot be guessed) and bound to the origin that
//! obtained them; every later message is checked against that origin.

use malloc_size_of_derive::MallocSizeOf;
use profile_traits::mem::ReportsChan;
use serde::{Deserialize, Serialize};
use servo_base::generic_channel::{GenericCallback, GenericSender};
use servo_url::ImmutableOrigin;
use uuid::Uuid;

use crate::access::{EntryGrants, OriginsInput};
use crate::error::CosError;
use crate::hash::ContentHash;

pub type HandleId = u64;
pub type WriteId = u64;

/// What the thread grants for a `requestFileHandle()`/`getFileHandle()` call.
#[derive(Clone, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub struct HandleGrant {
    pub handle_id: HandleId,
    /// Read handles may `getFile()`; create handles only after their own verified close.
    pub may_read: bool,
    /// Only create handles may `createWritable()`.
    pub writable: bool,
}

/// One operation of a `FileSystemWritableFileStream`.
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
pub enum WriteCommand {
    /// Writes at `position`, or at the current position, and advances it.
    Write {
        position: Option<u64>,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    Seek(u64),
    Truncate(u64),
}

/// What `getFile()` needs besides the bytes.
#[derive(Clone, Copy, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub struct FileMetadata {
    pub size: u64,
    /// `File.lastModified`: the reader's own storage time, or 0; never another origin's.
    pub last_modified_ms: u64,
}

/// A `ReadFile` reply: one `Snapshot`, or chunks of at most `CHUNK_BYTES` then `Done`; or one
/// `Error`.
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
pub enum ReadEvent {
    /// The entry's bytes are in the file manager as file `id`, a snapshot registered for the
    /// reader's origin: the File is backed by it, and its bytes move only when the page reads
    /// them.
    Snapshot {
        id: Uuid,
        metadata: FileMetadata,
    },
    Chunk(#[serde(with = "serde_bytes")] Vec<u8>),
    Done(FileMetadata),
    Error(CosError),
}

/// An entry as the embedder's management UI sees it.
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
pub struct EntryInfo {
    pub hash: ContentHash,
    pub size: u64,
    pub grants: EntryGrants,
    /// Origins that stored or read the entry, with the last time they did (ms since epoch).
    pub used_by: Vec<(ImmutableOrigin, u64)>,
    pub last_used_ms: u64,
}

/// A request from a page, with the origin the content process says it comes from.
#[derive(Debug, Deserialize, Serialize)]
pub enum CosMsg {
    /// `requestFileHandle()` / `getFileHandle()` after script's synchronous checks.
    RequestFileHandle {
        origin: ImmutableOrigin,
        hash: ContentHash,
        create: bool,
        origins: Option<OriginsInput>,
        /// The `Cross-Origin-Storage-Allow-Origin` ceiling of the calling global, when the
        /// embedder enforces one; `None` leaves list-form requests unbounded.
        ceiling: Option<Vec<ImmutableOrigin>>,
        /// The caller's top-level origin (HTML's "top-level origin" of its environment) as its
        /// content process reports it: the probe budget is counted per its site. `None` when
        /// there is no top-level document (a service worker) or it is opaque.
        top_level: Option<ImmutableOrigin>,
        reply: GenericCallback<Result<HandleGrant, CosError>>,
    },
    /// The deprecated plural `requestFileHandles()`: one request for every hash, all or nothing.
    /// On any failure no handle is granted and the first failure (in list order) is the reply.
    RequestFileHandles {
        origin: ImmutableOrigin,
        /// At most `MAX_REQUEST_HASHES`; a longer list is refused whole.
        hashes: Vec<ContentHash>,
        create: bool,
        origins: Option<OriginsInput>,
        ceiling: Option<Vec<ImmutableOrigin>>,
        top_level: Option<ImmutableOrigin>,
        reply: GenericCallback<Result<Vec<HandleGrant>, CosError>>,
    },
    /// `getFile()`.
    ReadFile {
        handle_id: HandleId,
        origin: ImmutableOrigin,
        reply: GenericCallback<ReadEvent>,
    },
    /// `createWritable()`: starts an empty write session.
    CreateWritable {
        handle_id: HandleId,
        origin: ImmutableOrigin,
        reply: GenericCallback<Result<WriteId, CosError>>,
    },
    /// `write()`, `seek()`, `truncate()`. A `write()` of more than `CHUNK_BYTES` arrives as
    /// several parts in order; only its last part has a reply, which answers for every part (the
    /// first failure among them). A part without a reply never answers.
    Write {
        write_id: WriteId,
        origin: ImmutableOrigin,
        command: WriteCommand,
        reply: Option<GenericCallback<Result<(), CosError>>>,
    },
    /// `close()`: verify the digest, check quota, publish, grant `may read` to this handle.
    Close {
        write_id: WriteId,
        origin: ImmutableOrigin,
        reply: GenericCallback<Result<(), CosError>>,
    },
    /// `abort()`: discard the session.
    Abort {
        write_id: WriteId,
        origin: ImmutableOrigin,
    },
    /// The handle was serialized (`postMessage()` and the like): file a copy of it under
    /// `duplicate`, an id the sending context chose, for the context that receives it. The copy
    /// keeps the handle's state as it is now, so readability is fixed at serialization, and the
    /// two live and are released apart. No reply: a copy that could not be filed fails on use.
    DuplicateHandle {
        handle_id: HandleId,
        origin: ImmutableOrigin,
        duplicate: HandleId,
    },
    /// The handle was garbage collected.
    ReleaseHandle {
        handle_id: HandleId,
        origin: ImmutableOrigin,
    },
    /// A document of `origin` was created from a response whose `Clear-Site-Data` header asks
    /// for storage to be cleared: revoke the origin's grants and usage, then collect the entries
    /// no storing origin reaches any more. A content process can do this only for its own site,
    /// whose origins it may act as anyway.
    ClearSiteData { origin: ImmutableOrigin },
}

impl CosMsg {
    /// The origin the sender claims; the thread checks it against the channel's bound site.
    pub fn claimed_origin(&self) -> &ImmutableOrigin {
        match self {
            CosMsg::RequestFileHandle { origin, .. } |
            CosMsg::RequestFileHandles { origin, .. } |
            CosMsg::ReadFile { origin, .. } |
            CosMsg::CreateWritable { origin, .. } |
            CosMsg::Write { origin, .. } |
            CosMsg::Close { origin, .. } |
            CosMsg::Abort { origin, .. } |
            CosMsg::DuplicateHandle { origin, .. } |
            CosMsg::ReleaseHandle { origin, .. } |
            CosMsg::ClearSiteData { origin } => origin,
        }
    }

    /// Answers the request with `error` without acting on it. Messages without a reply are
    /// simply dropped.
    pub fn refuse(self, error: CosError) {
        // A reply that cannot be delivered means the requester is gone: nothing to do.
        let _ = match self {
            CosMsg::RequestFileHandle { reply, .. } => reply.send(Err(error)),
            CosMsg::RequestFileHandles { reply, .. } => reply.send(Err(error)),
            CosMsg::ReadFile { reply, .. } => reply.send(ReadEvent::Error(error)),
            CosMsg::CreateWritable { reply, .. } => reply.send(Err(error)),
            CosMsg::Write { reply, .. } => match reply {
                Some(reply) => reply.send(Err(error)),
                None => Ok(()),
            },
            CosMsg::Close { reply, .. } => reply.send(Err(error)),
            CosMsg::Abort { .. } |
            CosMsg::DuplicateHandle { .. } |
            CosMsg::ReleaseHandle { .. } |
            CosMsg::ClearSiteData { .. } => Ok(()),
        };
    }
}

/// A request only the browser may make: the constellation at shutdown, the embedder's
/// site-data management and the memory profiler.
#[derive(Debug)]
pub enum CosControlMsg {
    /// Every entry.
    ListEntries(GenericCallback<Vec<EntryInfo>>),
    /// Delete one entry; replies whether it existed.
    DeleteEntry {
        hash: ContentHash,
        reply: GenericCallback<bool>,
    },
    /// Clear-site-data for one origin: revoke its grants and usage, then collect entries no
    /// storing origin reaches any more. Replies with the number of entries deleted.
    ClearOrigin {
        origin: ImmutableOrigin,
        reply: GenericCallback<u64>,
    },
    /// Clear-site-data for a site: every origin whose host is `site` or ends in `.site`.
    ClearSite {
        site: String,
        reply: GenericCallback<u64>,
    },
    /// Delete everything.
    ClearAll(GenericCallback<u64>),
    CollectMemoryReport(ReportsChan),
    Exit(GenericSender<()>),
}
