/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Drives one storage thread's message handler with a long pseudo-random sequence of requests,
//! well-formed and not, honest and forged, and checks the store's invariants after every step:
//!
//! - nothing panics;
//! - a read that succeeds returns bytes that hash to the hash it asked for;
//! - a request on a channel bound to another site than its claimed origin's never succeeds;
//! - grants only grow: an entry that survives a page's request keeps every storing origin,
//!   listed origin and global grant it had (only the browser's control requests and quota
//!   evictions remove anything);
//! - the accounting matches the files: one blob file per entry, of the entry's size, whose
//!   bytes hash to its name, no other blob files, and no site over its quota.
//!
//! `COS_FUZZ_MESSAGES` (default 5,000) and `COS_FUZZ_SEED` choose the run; `mach fuzz` runs
//! 1,000,000 messages in a release build. A failure prints the seed and step to replay.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cross_origin_storage::binding::site_of;
use cross_origin_storage::keys::limit_key;
use cross_origin_storage::{CosStorage, CosThreadOptions, ManualClock, store_root};
use cross_origin_storage_traits::hash::to_hex;
use cross_origin_storage_traits::{
    BoundSite, CHUNK_BYTES, ContentHash, CosConfig, CosControlMsg, CosError, CosInbound, CosMsg,
    EntryInfo, HandleGrant, HashAlgorithm, OriginsInput, ReadEvent, WriteCommand,
};
use servo_base::generic_channel::GenericCallback;
use servo_default_resources as _;
use servo_url::{ImmutableOrigin, ServoUrl};
use sha2::Digest;

mod invariants;
mod messages;

use invariants::snapshot;

/// xorshift64*: small, fast and the same everywhere, so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn digest(algorithm: HashAlgorithm, bytes: &[u8]) -> Vec<u8> {
    match algorithm {
        HashAlgorithm::Sha1 => sha1::Sha1::digest(bytes).to_vec(),
        HashAlgorithm::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
        HashAlgorithm::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
        HashAlgorithm::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
    }
}

fn hash_of(algorithm: HashAlgorithm, bytes: &[u8]) -> ContentHash {
    ContentHash::from_digest(algorithm, &digest(algorithm, bytes)).unwrap()
}

/// Replies land here; the handler answers in-process, before `handle()` returns.
struct Inbox<T>(Arc<Mutex<Vec<T>>>);

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Inbox(Arc::default())
    }
}

impl<T: serde::Serialize + for<'de> serde::Deserialize<'de> + Send + 'static> Inbox<T> {
    fn callback(&self) -> GenericCallback<T> {
        let inbox = self.0.clone();
        GenericCallback::new(move |message| {
            if let Ok(message) = message {
                inbox.lock().unwrap().push(message);
            }
        })
        .unwrap()
    }

    fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Inbox<ReadEvent> {
    /// A read that was granted streams its bytes from a thread of its own, and every read
    /// ends with `Done` or `Error`: the events of a read, once it has ended; of anything else,
    /// none.
    fn wait_for_end(&self, was_read: bool) -> Vec<ReadEvent> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            {
                let events = self.0.lock().unwrap();
                let ended = events
                    .last()
                    .is_some_and(|e| !matches!(e, ReadEvent::Chunk(_)));
                if !was_read || ended {
                    break;
                }
            }
            assert!(std::time::Instant::now() < deadline, "a read never ended");
            std::thread::yield_now();
        }
        self.take()
    }
}

type Grants = (BTreeSet<String>, BTreeSet<String>, bool);

/// A store-then-read sequence, one message a step, interleaved with everything else, so that
/// the mix also reaches what lies behind a verified store: reads, merges and evictions.
struct Flow {
    writer: ImmutableOrigin,
    reader: ImmutableOrigin,
    content: usize,
    origins: Option<OriginsInput>,
    stage: u8,
    id: u64,
}

struct Fuzzer {
    rng: Rng,
    storage: CosStorage,
    clock: Arc<ManualClock>,
    config: CosConfig,
    root: PathBuf,
    origins: Vec<ImmutableOrigin>,
    contents: Vec<Vec<u8>>,
    /// Handles granted so far: id, origin, hash.
    handles: Vec<(u64, ImmutableOrigin, ContentHash)>,
    /// Write sessions opened so far: id, origin, the content they were meant for.
    writes: Vec<(u64, ImmutableOrigin, usize)>,
    flows: Vec<Flow>,
    grants: BTreeMap<String, Grants>,
    /// Blob files already hashed, by path and (size, modification time).
    verified: HashMap<PathBuf, (u64, std::time::SystemTime)>,
    step: u64,
    seed: u64,
    /// What the run did, so that a generator that never reaches the interesting paths fails.
    stats: Stats,
}

#[derive(Debug, Default)]
struct Stats {
    stored: u64,
    read: u64,
    forged_refused: u64,
    evicted: u64,
}

impl Fuzzer {
    fn new(seed: u64, dir: &Path) -> Fuzzer {
        let config = CosConfig {
            // GREASE draws with a per-profile random secret: off, so a seed replays a run.
            grease_per_mille: 0,
            probe_budget: 8,
            quota_per_origin_bytes: 32 * 1024,
            max_open_writes: 4,
            max_handles: 64,
            max_origins: 3,
            phl_path: dir
                .join("no-public-hash-list")
                .to_string_lossy()
                .into_owned(),
            ..CosConfig::default()
        };
        let clock = Arc::new(ManualClock::new(1_000));
        let options = CosThreadOptions {
            config_dir: Some(dir.to_owned()),
            temporary: false,
            config: config.clone(),
            clock: clock.clone(),
            disk_capacity: Some(1 << 30),
            snapshots: None,
        };
        let storage = CosStorage::open(options, "fuzz".to_owned()).unwrap();
        let origins = [
            "https://a.site.test",
            "https://b.site.test",
            "http://a.site.test",
            "https://other.test",
            "https://third.example",
            "http://127.0.0.1:8000",
        ]
        .iter()
        .map(|url| ServoUrl::parse(url).unwrap().origin())
        .collect();
        let mut rng = Rng(seed | 1);
        let sizes = [
            0,
            1,
            100,
            1000,
            5000,
            12_000,
            20_000,
            30_000,
            CHUNK_BYTES + 3,
        ];
        let contents = (0..12)
            .map(|i| {
                let len = sizes[i % sizes.len()];
                (0..len).map(|_| rng.next() as u8).collect()
            })
            .collect();
        Fuzzer {
            rng,
            storage,
            clock,
            config,
            root: store_root(dir),
            origins,
            contents,
            handles: Vec::new(),
            writes: Vec::new(),
            flows: Vec::new(),
            grants: BTreeMap::new(),
            verified: HashMap::new(),
            step: 0,
            seed,
            stats: Stats::default(),
        }
    }

    fn fail(&self, what: String) -> ! {
        fail(self.seed, self.step, what)
    }

    fn origin(&mut self) -> ImmutableOrigin {
        if self.rng.chance(20) {
            return ImmutableOrigin::new_opaque();
        }
        self.rng.pick(&self.origins).clone()
    }

    fn hash(&mut self) -> ContentHash {
        let content = self.rng.below(self.contents.len());
        let algorithm = if self.rng.chance(900) {
            HashAlgorithm::Sha256
        } else {
            *self.rng.pick(&HashAlgorithm::ALL)
        };
        if self.rng.chance(50) {
            // A hash whose bytes nobody has.
            let bytes = self.rng.next().to_be_bytes();
            return hash_of(algorithm, &bytes);
        }
        hash_of(algorithm, &self.contents[content])
    }

    fn origins_input(&mut self) -> Option<OriginsInput> {
        match self.rng.below(6) {
            0 | 1 => None,
            2 => Some(OriginsInput::String("*".to_owned())),
            3 => Some(OriginsInput::String("not an origin".to_owned())),
            4 => Some(OriginsInput::List(Vec::new())),
            _ => {
                let count = self.rng.below(5);
                let list = (0..count)
                    .map(|_| {
                        self.rng
                            .pick(&self.origins)
                            .ascii_serialization()
                            .into_owned()
                    })
                    .collect();
                Some(OriginsInput::List(list))
            },
        }
    }

    fn handle_id(&mut self) -> u64 {
        if self.handles.is_empty() || self.rng.chance(50) {
            return self.rng.next();
        }
        self.rng.pick(&self.handles).0
    }

    fn write_id(&mut self) -> u64 {
        if self.writes.is_empty() || self.rng.chance(50) {
            return self.rng.next();
        }
        self.rng.pick(&self.writes).0
    }

    /// The site the sending event loop's channel is bound to: the claimed origin's, except for
    /// a forged request.
    fn binding(&mut self, claimed: &ImmutableOrigin) -> (BoundSite, bool) {
        if self.rng.chance(100) {
            let other = self.rng.pick(&self.origins).clone();
            let site = if self.rng.chance(200) {
                None
            } else {
                site_of(&other)
            };
            let forged = site.is_none() || site != site_of(claimed);
            return (site, forged);
        }
        (site_of(claimed), false)
    }

    fn run(&mut self, messages: u64) {
        while self.step < messages {
            if self.rng.chance(20) {
                self.clock.advance(self.rng.below(4_000_000) as u64);
            }
            let control = self.rng.chance(15);
            // A page may clear its own origin's grants (`Clear-Site-Data`), and no one else's.
            let mut cleared = None;
            if control {
                self.control();
            } else {
                cleared = self.content();
            }
            let entries = self.entries();
            let grants = snapshot(&entries);
            if !control {
                self.check_grants_grew(&grants, cleared.as_deref());
            }
            self.grants = grants;
            self.check_files(&entries);
            self.step += 1;
        }
    }

    fn flow(&mut self) -> usize {
        if self.flows.len() < 3 && (self.flows.is_empty() || self.rng.chance(200)) {
            let writer = self.rng.pick(&self.origins).clone();
            let reader = if self.rng.chance(500) {
                writer.clone()
            } else {
                self.rng.pick(&self.origins).clone()
            };
            let flow = Flow {
                writer,
                reader,
                content: self.rng.below(self.contents.len()),
                origins: self.origins_input(),
                stage: 0,
                id: 0,
            };
            self.flows.push(flow);
        }
        self.rng.below(self.flows.len())
    }

    fn control(&mut self) {
        let message = match self.rng.below(100) {
            0..60 => CosControlMsg::ListEntries(Inbox::default().callback()),
            60..75 => CosControlMsg::DeleteEntry {
                hash: self.hash(),
                reply: Inbox::default().callback(),
            },
            75..90 => CosControlMsg::ClearOrigin {
                origin: self.origin(),
                reply: Inbox::default().callback(),
            },
            90..98 => CosControlMsg::ClearSite {
                site: (*self.rng.pick(&["site.test", "other.test", "", "test"])).to_owned(),
                reply: Inbox::default().callback(),
            },
            _ => CosControlMsg::ClearAll(Inbox::default().callback()),
        };
        self.storage.handle(CosInbound::Control(message));
    }
}

fn fail(seed: u64, step: u64, what: String) -> ! {
    panic!(
        "fuzz seed {seed} step {step}: {what} (replay: COS_FUZZ_SEED={seed} COS_FUZZ_MESSAGES={})",
        step + 1
    );
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[test]
fn arbitrary_request_sequences_keep_the_store_consistent() {
    let messages = env_u64("COS_FUZZ_MESSAGES", 5_000);
    let seed = env_u64("COS_FUZZ_SEED", 0x05ee_dc05);
    // On Linux, a memory file system keeps a million synced writes fast.
    let dir = tempfile::Builder::new()
        .prefix("cos-fuzz-")
        .tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap();
    let mut fuzzer = Fuzzer::new(seed, dir.path());
    let started = std::time::Instant::now();
    fuzzer.run(messages);
    let stats = &fuzzer.stats;
    println!(
        "fuzz: {messages} messages from seed {seed:#x}, every invariant held after each ({:.1} s): \
         {stats:?}",
        started.elapsed().as_secs_f64()
    );
    // A run long enough to mean anything must have stored, read, refused forgeries and evicted.
    if messages >= 5_000 {
        assert!(stats.stored > 0 && stats.read > 0, "{stats:?}");
        assert!(stats.forged_refused > 0 && stats.evicted > 0, "{stats:?}");
    }
}
