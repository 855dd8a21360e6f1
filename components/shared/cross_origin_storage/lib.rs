/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The Cross-Origin Storage (COS) protocol shared by script and the COS storage thread.
//!
//! <https://wicg.github.io/cross-origin-storage/>
//!
//! Script validates early so that it can reject with the spec's `TypeError` without a round
//! trip; the storage thread validates everything again, because it never trusts a claim from
//! a content process that it can check itself.

#![deny(unsafe_code)]

pub mod access;
pub mod channel;
pub mod clear_site_data;
pub mod config;
pub mod declarative;
pub mod error;
pub mod hash;
pub mod messages;
pub mod policy;

pub use access::{
    ALLOW_ORIGIN_HEADER, Disclosure, EntryGrants, OriginsInput, RequestedOrigins,
    parse_allow_origin_ceiling,
};
pub use channel::{BoundSite, CosContentSender, CosInbound, CosThreadHandle};
pub use config::{CosConfig, LimitKey, MergePolicy, ProbeBudgetKey};
pub use error::CosError;
pub use hash::{ContentHash, HashAlgorithm};
pub use messages::{
    CosControlMsg, CosMsg, EntryInfo, FileMetadata, HandleGrant, HandleId, ReadEvent, WriteCommand,
    WriteId,
};

/// `MAX_COS_WRITE_FILE_BYTES`: no write session may grow a file past this size.
pub const MAX_COS_WRITE_FILE_BYTES: u64 = 4 << 30;

/// The size of the chunks bytes travel in, in both directions.
pub const CHUNK_BYTES: usize = 1 << 20;

/// The longest hash list one `requestFileHandles()` call may name. Real callers name one; the
/// bound keeps a single message from pinning the storage thread.
pub const MAX_REQUEST_HASHES: usize = 100;

/// The default of `dom_cross_origin_storage_max_open_writes`: the most write sessions one site
/// (or origin, see `LimitKey`) may have open at once. Open sessions hold temp files and bytes
/// that no entry accounts for yet, so a requester cannot multiply them without bound.
pub const MAX_OPEN_WRITES_PER_ORIGIN: usize = 16;

/// The default of `dom_cross_origin_storage_max_handles`: the most live handles one site (or
/// origin) may hold in the storage thread at once.
pub const MAX_HANDLES_PER_ORIGIN: usize = 10_000;
