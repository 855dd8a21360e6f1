/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Crash safety: a child process writing multi-chunk files is SIGKILLed at many points; after
//! each reopen no partial or wrong bytes are readable, every acknowledged store is there, and
//! `tmp/` is empty.
//!
//! `COS_CRASH_POINTS` sets the number of kills (default 10; `mach crash-test --points 1000`).
//! The kill points cycle through every progress line of a round, so a long run kills at each
//! of them many times.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::*;
use cross_origin_storage::{ManualClock, store_root};
use cross_origin_storage_traits::{CHUNK_BYTES, CosError};
use servo_default_resources as _;
use sha2::{Digest, Sha256};

const DIR_VAR: &str = "COS_CRASH_DIR";
const ROUND_VAR: &str = "COS_CRASH_ROUND";
const ENTRY_BYTES: usize = 3 * CHUNK_BYTES + 123;
const ENTRIES_PER_ROUND: u64 = 3;
/// Progress lines a round prints: 4 writes, close and closed per entry, then done.
const LINES_PER_ROUND: u64 = ENTRIES_PER_ROUND * 6 + 1;

fn seed(round: u64, entry: u64) -> u64 {
    1000 + round * 10 + entry
}

/// The child: stores entries, printing a progress line after every step.
#[test]
fn crash_child() {
    let (Ok(dir), Ok(round)) = (std::env::var(DIR_VAR), std::env::var(ROUND_VAR)) else {
        return;
    };
    let round: u64 = round.parse().unwrap();
    let cos = start(
        Some(Path::new(&dir)),
        config(),
        Arc::new(ManualClock::new(1)),
    );
    let a = origin("https://writer.example");
    for entry in 0..ENTRIES_PER_ROUND {
        let bytes = content(seed(round, entry), ENTRY_BYTES);
        let grant = request(&cos, &a, &sha256(&bytes), true, None).unwrap();
        let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
        for (i, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
            write_all(&cos, &a, write_id, chunk).unwrap();
            println!("P write {entry} {i}");
        }
        println!("P close {entry}");
        close(&cos, &a, write_id).unwrap();
        println!("P closed {entry}");
    }
    println!("P done");
}

#[test]
fn sigkill_at_many_points_leaves_no_partial_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = origin("https://writer.example");
    let anchor = content(1, 3 * CHUNK_BYTES);
    let cos = start(Some(dir.path()), config(), Arc::new(ManualClock::new(1)));
    store(&cos, &a, &anchor, None).unwrap();
    exit(&cos);

    let points: u64 = std::env::var("COS_CRASH_POINTS")
        .ok()
        .and_then(|points| points.parse().ok())
        .unwrap_or(10);
    // 7 and LINES_PER_ROUND - 1 (18) are coprime, so the kills visit every line but the last
    // (which follows the round's end) in turn.
    let kill_points = (0..points).map(|round| 1 + (round * 7) % (LINES_PER_ROUND - 1));
    for (round, kill_after) in kill_points.enumerate() {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(DIR_VAR, dir.path())
            .env(ROUND_VAR, round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut seen = 0;
        let mut acknowledged = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(progress) = line.strip_prefix("P ") {
                if let Some(entry) = progress.strip_prefix("closed ") {
                    acknowledged.push(entry.parse::<u64>().unwrap());
                }
                seen += 1;
                if seen == kill_after {
                    break;
                }
            }
        }
        assert_eq!(seen, kill_after, "the child ended early");
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();

        let cos = start(Some(dir.path()), config(), Arc::new(ManualClock::new(2)));
        assert_eq!(read(&cos, &a, &sha256(&anchor)).unwrap(), anchor);
        // A close acknowledged before the kill is durable.
        for entry in acknowledged {
            let bytes = content(seed(round as u64, entry), ENTRY_BYTES);
            assert!(read(&cos, &a, &sha256(&bytes)).unwrap() == bytes);
        }
        for entry in 0..ENTRIES_PER_ROUND {
            let bytes = content(seed(round as u64, entry), ENTRY_BYTES);
            match read(&cos, &a, &sha256(&bytes)) {
                Ok(read) => assert!(read == bytes, "round {round} entry {entry}: wrong bytes"),
                Err(error) => assert_eq!(error, CosError::NotFound),
            }
        }
        let root = store_root(dir.path());
        assert_eq!(
            fs::read_dir(root.join("tmp")).unwrap().count(),
            0,
            "tmp/ after round {round}"
        );
        // Every listed entry is intact, and there is no blob without a row.
        let entries = list(&cos);
        let mut blobs = 0;
        let mut stack = vec![root.join("blobs")];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let digest = cross_origin_storage_traits::hash::to_hex(&Sha256::digest(
                        fs::read(&p).unwrap(),
                    ));
                    assert_eq!(p.file_name().unwrap().to_str().unwrap(), digest);
                    blobs += 1;
                }
            }
        }
        assert_eq!(blobs, entries.len());
        // This round's entries go, so that a long run's store stays small; the anchor stays.
        for entry in entries.iter().filter(|e| e.hash != sha256(&anchor)) {
            let (reply, receiver) =
                servo_base::generic_channel::GenericCallback::new_blocking().unwrap();
            cos.control(cross_origin_storage_traits::CosControlMsg::DeleteEntry {
                hash: entry.hash.clone(),
                reply,
            });
            assert!(receiver.recv().unwrap());
        }
        exit(&cos);
    }
}
