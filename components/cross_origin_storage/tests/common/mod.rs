/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Helpers that drive a COS thread through bound content channels, as script would, and
//! through the browser's handle, as the constellation and the embedder would.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use cross_origin_storage::binding::site_of;
use cross_origin_storage::{CosThreadOptions, ManualClock, new_cross_origin_storage_thread_with};
use cross_origin_storage_traits::{
    BoundSite, CHUNK_BYTES, ContentHash, CosConfig, CosContentSender, CosControlMsg, CosError,
    CosMsg, CosThreadHandle, EntryInfo, FileMetadata, HandleGrant, HashAlgorithm, OriginsInput,
    ReadEvent, WriteCommand, WriteId,
};
use servo_base::generic_channel::{self, GenericCallback, GenericReceiver, SendResult};
use servo_url::{ImmutableOrigin, ServoUrl};
use sha2::{Digest, Sha256};

/// The thread's config in tests: GREASE and the probe budget off, so that disclosure is
/// deterministic; the tests of those features set them.
pub fn config() -> CosConfig {
    CosConfig {
        grease_per_mille: 0,
        probe_budget: 0,
        ..CosConfig::default()
    }
}

pub fn origin(s: &str) -> ImmutableOrigin {
    ServoUrl::parse(s).unwrap().origin()
}

pub fn sha256(bytes: &[u8]) -> ContentHash {
    ContentHash::from_digest(HashAlgorithm::Sha256, &Sha256::digest(bytes)).unwrap()
}

/// Deterministic pseudo-random bytes.
pub fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A COS thread as the browser sees it: content requests go out on a channel bound to the
/// claimed origin's site, one per site, as the constellation gives one to each site's event
/// loop; control messages go on the browser's handle.
pub struct Cos {
    handle: Option<CosThreadHandle>,
    channels: Mutex<HashMap<BoundSite, CosContentSender>>,
}

impl Cos {
    pub fn new(handle: CosThreadHandle) -> Cos {
        Cos {
            handle: Some(handle),
            channels: Mutex::default(),
        }
    }

    /// Content channels made elsewhere (in another process), without the browser's handle.
    pub fn from_channels(channels: Vec<(BoundSite, CosContentSender)>) -> Cos {
        Cos {
            handle: None,
            channels: Mutex::new(channels.into_iter().collect()),
        }
    }

    /// The channel the event loop of `site` would hold.
    pub fn channel(&self, site: BoundSite) -> CosContentSender {
        let mut channels = self.channels.lock().unwrap();
        let handle = &self.handle;
        channels
            .entry(site.clone())
            .or_insert_with(|| {
                let handle = handle.as_ref().expect("no channel bound to that site");
                handle.content_sender(site).unwrap()
            })
            .clone()
    }

    /// Sends `request` as the honest content process of its claimed origin would.
    pub fn send(&self, request: CosMsg) -> SendResult {
        self.channel(site_of(request.claimed_origin()))
            .send(request)
    }

    pub fn control(&self, message: CosControlMsg) {
        let handle = self.handle.as_ref().expect("no browser handle here");
        handle.control(message).unwrap();
    }
}

/// An ephemeral store and the clock it runs on.
pub fn memory(config: CosConfig) -> (Cos, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_000));
    (start(None, config, clock.clone()), clock)
}

pub fn start(config_dir: Option<&Path>, config: CosConfig, clock: Arc<ManualClock>) -> Cos {
    start_with_disk(config_dir, config, clock, 1 << 40)
}

/// A thread that believes its disk holds `disk_capacity` bytes.
pub fn start_with_disk(
    config_dir: Option<&Path>,
    config: CosConfig,
    clock: Arc<ManualClock>,
    disk_capacity: u64,
) -> Cos {
    let options = CosThreadOptions {
        config_dir: config_dir.map(Path::to_path_buf),
        temporary: false,
        config,
        clock,
        disk_capacity: Some(disk_capacity),
        snapshots: None,
    };
    Cos::new(new_cross_origin_storage_thread_with(
        options,
        profile::mem::Profiler::create(),
        "test".to_owned(),
    ))
}

pub fn request(
    cos: &Cos,
    origin: &ImmutableOrigin,
    hash: &ContentHash,
    create: bool,
    origins: Option<OriginsInput>,
) -> Result<HandleGrant, CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::RequestFileHandle {
        origin: origin.clone(),
        hash: hash.clone(),
        create,
        origins,
        ceiling: None,
        top_level: None,
        reply,
    })
    .unwrap();
    receiver.recv().unwrap()
}

/// A read by `origin` in a frame (or worker) whose top-level document is at `top_level`.
pub fn read_under(
    cos: &Cos,
    origin: &ImmutableOrigin,
    top_level: &ImmutableOrigin,
    hash: &ContentHash,
) -> Result<Vec<u8>, CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::RequestFileHandle {
        origin: origin.clone(),
        hash: hash.clone(),
        create: false,
        origins: None,
        ceiling: None,
        top_level: Some(top_level.clone()),
        reply,
    })
    .unwrap();
    let grant = receiver.recv().unwrap()?;
    read_handle(cos, origin, grant.handle_id).map(|(bytes, _)| bytes)
}

/// The deprecated plural `requestFileHandles()`.
pub fn request_many(
    cos: &Cos,
    origin: &ImmutableOrigin,
    hashes: &[ContentHash],
    create: bool,
    origins: Option<OriginsInput>,
) -> Result<Vec<HandleGrant>, CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::RequestFileHandles {
        origin: origin.clone(),
        hashes: hashes.to_vec(),
        create,
        origins,
        ceiling: None,
        top_level: None,
        reply,
    })
    .unwrap();
    receiver.recv().unwrap()
}

pub fn create_writable(
    cos: &Cos,
    origin: &ImmutableOrigin,
    handle_id: u64,
) -> Result<WriteId, CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::CreateWritable {
        handle_id,
        origin: origin.clone(),
        reply,
    })
    .unwrap();
    receiver.recv().unwrap()
}

pub fn command(
    cos: &Cos,
    origin: &ImmutableOrigin,
    write_id: WriteId,
    command: WriteCommand,
) -> Result<(), CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::Write {
        write_id,
        origin: origin.clone(),
        command,
        reply: Some(reply),
    })
    .unwrap();
    receiver.recv().unwrap()
}

/// One `write()` as script sends it: parts of at most `CHUNK_BYTES`, only the last with a reply.
pub fn write_parts(
    cos: &Cos,
    origin: &ImmutableOrigin,
    write_id: WriteId,
    position: Option<u64>,
    bytes: &[u8],
) -> Result<(), CosError> {
    let parts: Vec<&[u8]> = if bytes.is_empty() {
        vec![bytes]
    } else {
        bytes.chunks(CHUNK_BYTES).collect()
    };
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    let mut reply = Some(reply);
    let count = parts.len();
    for (index, part) in parts.into_iter().enumerate() {
        cos.send(CosMsg::Write {
            write_id,
            origin: origin.clone(),
            command: WriteCommand::Write {
                position: if index == 0 { position } else { None },
                bytes: part.to_vec(),
            },
            reply: if index + 1 == count {
                reply.take()
            } else {
                None
            },
        })
        .unwrap();
    }
    receiver.recv().unwrap()
}

pub fn write_all(
    cos: &Cos,
    origin: &ImmutableOrigin,
    write_id: WriteId,
    bytes: &[u8],
) -> Result<(), CosError> {
    write_parts(cos, origin, write_id, None, bytes)
}

pub fn close(cos: &Cos, origin: &ImmutableOrigin, write_id: WriteId) -> Result<(), CosError> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::Close {
        write_id,
        origin: origin.clone(),
        reply,
    })
    .unwrap();
    receiver.recv().unwrap()
}

/// create → createWritable → write → close; returns the (now readable) create handle.
pub fn store_as(
    cos: &Cos,
    origin: &ImmutableOrigin,
    hash: &ContentHash,
    bytes: &[u8],
    origins: Option<OriginsInput>,
) -> Result<u64, CosError> {
    let grant = request(cos, origin, hash, true, origins)?;
    let write_id = create_writable(cos, origin, grant.handle_id)?;
    write_all(cos, origin, write_id, bytes)?;
    close(cos, origin, write_id)?;
    Ok(grant.handle_id)
}

pub fn store(
    cos: &Cos,
    origin: &ImmutableOrigin,
    bytes: &[u8],
    origins: Option<OriginsInput>,
) -> Result<u64, CosError> {
    store_as(cos, origin, &sha256(bytes), bytes, origins)
}

/// `getFile()`: the receiver of its reply events.
pub fn send_read_file(
    cos: &Cos,
    origin: &ImmutableOrigin,
    handle_id: u64,
) -> GenericReceiver<ReadEvent> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::ReadFile {
        handle_id,
        origin: origin.clone(),
        reply,
    })
    .unwrap();
    receiver
}

pub fn read_handle(
    cos: &Cos,
    origin: &ImmutableOrigin,
    handle_id: u64,
) -> Result<(Vec<u8>, FileMetadata), CosError> {
    let receiver = send_read_file(cos, origin, handle_id);
    let mut bytes = Vec::new();
    loop {
        match receiver.recv().unwrap() {
            ReadEvent::Chunk(chunk) => {
                assert!(chunk.len() <= CHUNK_BYTES);
                bytes.extend_from_slice(&chunk);
            },
            ReadEvent::Done(metadata) => {
                assert_eq!(metadata.size, bytes.len() as u64);
                return Ok((bytes, metadata));
            },
            ReadEvent::Error(error) => return Err(error),
            ReadEvent::Snapshot { .. } => panic!("a thread without a snapshot lender lent one"),
        }
    }
}

/// A read request followed by `getFile()`.
pub fn read(cos: &Cos, origin: &ImmutableOrigin, hash: &ContentHash) -> Result<Vec<u8>, CosError> {
    let grant = request(cos, origin, hash, false, None)?;
    assert!(grant.may_read && !grant.writable);
    read_handle(cos, origin, grant.handle_id).map(|(bytes, _)| bytes)
}

pub fn list(cos: &Cos) -> Vec<EntryInfo> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::ListEntries(reply));
    receiver.recv().unwrap()
}

pub fn exit(cos: &Cos) {
    let (sender, receiver) = generic_channel::channel().unwrap();
    cos.control(CosControlMsg::Exit(sender));
    receiver.recv().unwrap();
}

pub fn list_of(origins: &[&str]) -> Option<OriginsInput> {
    Some(OriginsInput::List(
        origins.iter().map(|s| s.to_string()).collect(),
    ))
}

pub fn star() -> Option<OriginsInput> {
    Some(OriginsInput::String("*".to_owned()))
}
