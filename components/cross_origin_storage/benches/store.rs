/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! COS storage benchmarks. Reported, not asserted; see BENCHMARKS.md.
//!
//! `cargo bench -p cross-origin-storage`; set `COS_BENCH_LARGE=1` to add the 1 GiB cases.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;

use common::Cos;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use cross_origin_storage::registry::Registry;
use cross_origin_storage::store::BlobStore;
use cross_origin_storage::{
    CosThreadOptions, SystemClock, new_cross_origin_storage_thread_with, store_root,
};
use cross_origin_storage_traits::{
    ContentHash, CosConfig, CosControlMsg, CosMsg, EntryGrants, HashAlgorithm, MergePolicy,
    WriteCommand,
};
use servo_base::generic_channel::{self, GenericCallback};
use servo_default_resources as _;
use servo_url::{ImmutableOrigin, ServoUrl};
use sha2::{Digest, Sha256};

const MIB: usize = 1 << 20;
const ENTRIES: u64 = 100_000;

fn large() -> bool {
    std::env::var_os("COS_BENCH_LARGE").is_some()
}

fn origin(s: &str) -> ImmutableOrigin {
    ServoUrl::parse(s).unwrap().origin()
}

fn config() -> CosConfig {
    CosConfig {
        quota_per_origin_bytes: 64 << 30,
        ..CosConfig::default()
    }
}

fn start(dir: &Path) -> Cos {
    let options = CosThreadOptions {
        config_dir: Some(dir.to_path_buf()),
        temporary: false,
        config: config(),
        clock: Arc::new(SystemClock),
        disk_capacity: None,
        snapshots: None,
    };
    Cos::new(new_cross_origin_storage_thread_with(
        options,
        profile::mem::Profiler::create(),
        "bench".to_owned(),
    ))
}

fn exit(cos: &Cos) {
    let (sender, receiver) = generic_channel::channel().unwrap();
    cos.control(CosControlMsg::Exit(sender));
    receiver.recv().unwrap();
}

/// Parts per `write()` call in the store benchmark: 8 MiB calls, a typical reader-loop size.
const PARTS_PER_WRITE: usize = 8;

fn chunk(seed: u64, index: usize) -> Vec<u8> {
    let mut state = ((seed << 32) | index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out = Vec::with_capacity(MIB);
    while out.len() < MIB {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out
}

/// At most 64 distinct 1 MiB chunks, generated once: a store of `n` MiB sends chunk `i % 64` as
/// its `i`th, so a 1 GiB store holds no more than 64 MiB of them.
fn source_chunks(seed: u64, mib: usize) -> Vec<Vec<u8>> {
    (0..mib.min(64)).map(|i| chunk(seed, i)).collect()
}

/// The digest of a store of `count` MiB from `chunks`.
fn streamed_hash(chunks: &[Vec<u8>], count: usize) -> ContentHash {
    let mut hasher = Sha256::new();
    for i in 0..count {
        hasher.update(&chunks[i % chunks.len()]);
    }
    ContentHash::from_digest(HashAlgorithm::Sha256, &hasher.finalize()).unwrap()
}

fn request(cos: &Cos, origin: &ImmutableOrigin, hash: &ContentHash, create: bool) -> Option<u64> {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::RequestFileHandle {
        origin: origin.clone(),
        hash: hash.clone(),
        create,
        origins: None,
        ceiling: None,
        top_level: None,
        reply,
    })
    .unwrap();
    receiver.recv().unwrap().ok().map(|grant| grant.handle_id)
}

/// One full store of `count` MiB through the thread. Each part is a copy of a source chunk, as
/// script copies a page's buffer once on its way to the thread; the copy is timed, generating
/// the bytes is not (the one-pass baselines do not generate theirs either).
fn store_streamed(
    cos: &Cos,
    origin: &ImmutableOrigin,
    hash: &ContentHash,
    source: &[Vec<u8>],
    chunks: usize,
) {
    let handle_id = request(cos, origin, hash, true).unwrap();
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::CreateWritable {
        handle_id,
        origin: origin.clone(),
        reply,
    })
    .unwrap();
    let write_id = receiver.recv().unwrap().unwrap();
    // write() calls of PARTS_PER_WRITE MiB, as script sends them: parts of CHUNK_BYTES and one
    // reply per call, which also bounds the bytes in flight.
    for first in (0..chunks).step_by(PARTS_PER_WRITE) {
        let last = (first + PARTS_PER_WRITE).min(chunks) - 1;
        let (reply, receiver) = GenericCallback::new_blocking().unwrap();
        let mut reply = Some(reply);
        for i in first..=last {
            cos.send(CosMsg::Write {
                write_id,
                origin: origin.clone(),
                command: WriteCommand::Write {
                    position: None,
                    bytes: source[i % source.len()].clone(),
                },
                reply: if i == last { reply.take() } else { None },
            })
            .unwrap();
        }
        receiver.recv().unwrap().unwrap();
    }
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::Close {
        write_id,
        origin: origin.clone(),
        reply,
    })
    .unwrap();
    receiver.recv().unwrap().unwrap();
}

fn delete(cos: &Cos, hash: &ContentHash) {
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::DeleteEntry {
        hash: hash.clone(),
        reply,
    });
    receiver.recv().unwrap();
}

fn store_throughput(c: &mut Criterion) {
    let mut sizes = vec![1usize, 64];
    if large() {
        sizes.push(1024);
    }
    let dir = tempfile::tempdir().unwrap();
    let cos = start(dir.path());
    let a = origin("https://bench.example");
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for mib in sizes {
        let seed = mib as u64;
        let source = source_chunks(seed, mib);
        let hash = streamed_hash(&source, mib);
        group.throughput(Throughput::Bytes((mib * MIB) as u64));
        group.bench_function(BenchmarkId::new("cos_store", format!("{mib}MiB")), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let started = Instant::now();
                    store_streamed(&cos, &a, &hash, &source, mib);
                    total += started.elapsed();
                    delete(&cos, &hash);
                }
                total
            })
        });
        // One-pass limits on the same bytes: hashing alone, and write + fdatasync alone.
        group.bench_function(BenchmarkId::new("sha256_only", format!("{mib}MiB")), |b| {
            b.iter(|| streamed_hash(&source, mib))
        });
        group.bench_function(
            BenchmarkId::new("write_fdatasync_only", format!("{mib}MiB")),
            |b| {
                let path = dir.path().join("baseline");
                b.iter(|| {
                    let mut file = File::create(&path).unwrap();
                    for i in 0..mib {
                        file.write_all(&source[i % source.len()]).unwrap();
                    }
                    file.sync_data().unwrap();
                })
            },
        );
    }
    group.finish();
    exit(&cos);
}

fn entry_hash(i: u64) -> (ContentHash, Vec<u8>) {
    let bytes = format!("cos bench entry {i}").into_bytes();
    (
        ContentHash::from_digest(HashAlgorithm::Sha256, &Sha256::digest(&bytes)).unwrap(),
        bytes,
    )
}

/// A store with `ENTRIES` rows, written straight through the registry (publishing 100k blobs
/// through the thread would be 100k fsyncs); blob files exist for the first 1,000.
fn populated() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = store_root(dir.path());
    std::fs::create_dir_all(&root).unwrap();
    let store = BlobStore::open(&root).unwrap();
    let mut registry = Registry::open(&root.join("registry.sqlite")).unwrap();
    let a = origin("https://bench.example");
    for i in 0..ENTRIES {
        let (hash, bytes) = entry_hash(i);
        let mut grants = EntryGrants::default();
        grants.record_store(&a, None, 100, MergePolicy::DropNew);
        registry
            .commit_store(&hash, bytes.len() as u64, &grants, &a, i, &[])
            .unwrap();
        if i < 1000 {
            let path = store.blob_path(&hash);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    dir
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn lookups_and_open(c: &mut Criterion) {
    let started = Instant::now();
    let dir = populated();
    eprintln!("populated {ENTRIES} entries in {:?}", started.elapsed());
    let a = origin("https://bench.example");
    let stranger = origin("https://stranger.example");

    let mut group = c.benchmark_group("lookup_100k");
    let cos = start(dir.path());
    let mut i = 0u64;
    group.bench_function("hit", |b| {
        b.iter(|| {
            i = (i + 1) % 1000;
            request(&cos, &a, &entry_hash(i).0, false).unwrap()
        })
    });
    let mut j = 0u64;
    group.bench_function("miss", |b| {
        b.iter(|| {
            j += 1;
            assert!(request(&cos, &stranger, &entry_hash(ENTRIES + j).0, false).is_none())
        })
    });
    group.finish();
    for (name, who, offset) in [("hit", &a, 0), ("miss", &stranger, 2 * ENTRIES)] {
        let mut samples: Vec<Duration> = (0..10_000u64)
            .map(|k| {
                let hash = entry_hash(if offset == 0 { k % 1000 } else { offset + k }).0;
                let t = Instant::now();
                let _ = request(&cos, who, &hash, false);
                t.elapsed()
            })
            .collect();
        let p50 = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        println!("lookup_100k/{name}: p50 {p50:?} p99 {p99:?} (10,000 round trips)");
    }
    exit(&cos);

    let mut group = c.benchmark_group("open_100k");
    group.sample_size(10);
    group.bench_function("open_and_first_lookup", |b| {
        b.iter(|| {
            let cos = start(dir.path());
            let _ = request(&cos, &a, &entry_hash(1).0, false);
            exit(&cos);
        })
    });
    group.finish();
}

fn vm_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn peak_rss(_: &mut Criterion) {
    let mib = if large() { 1024 } else { 64 };
    let dir = tempfile::tempdir().unwrap();
    let cos = start(dir.path());
    let a = origin("https://rss.example");
    let source = source_chunks(77, mib);
    let hash = streamed_hash(&source, mib);
    // The source chunks are in RSS before the store starts; the growth is the store's.
    // Sample RSS every millisecond while storing: VmHWM is updated too lazily to trust.
    let before = vm_kib("VmRSS:");
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(vm_kib("VmRSS:"));
                std::thread::sleep(Duration::from_millis(1));
            }
            peak
        })
    };
    let started = Instant::now();
    store_streamed(&cos, &a, &hash, &source, mib);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    println!(
        "peak_rss/store_{mib}MiB: RSS before {before} KiB, peak {peak} KiB, growth {} KiB; {:.0} MB/s",
        peak.saturating_sub(before),
        (mib * MIB) as f64 / elapsed.as_secs_f64() / 1e6
    );
    exit(&cos);
}

criterion_group!(benches, peak_rss, store_throughput, lookups_and_open);
criterion_main!(benches);
