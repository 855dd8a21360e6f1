/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Digests of stored bytes: one algorithm-agnostic hasher, a pipelined one that hashes on a
//! helper thread while the next chunk is written, and the digest of a whole file.

use std::io::{self, Read};
use std::sync::mpsc::{self, SyncSender};
use std::thread::{self, JoinHandle};

use cross_origin_storage_traits::HashAlgorithm;
use sha2::Digest;

/// A streaming digest of any allowed algorithm.
pub enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(algorithm: HashAlgorithm) -> Hasher {
        match algorithm {
            HashAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            HashAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// How many written chunks may wait for the hashing thread: bounds memory to a few chunks.
const HASH_QUEUE_CHUNKS: usize = 4;

/// Hashes appended chunks on a helper thread, so that hashing one chunk overlaps writing the
/// next and a store runs at the speed of the slower of the two, not of their sum.
pub struct PipelinedHasher {
    chunks: Option<SyncSender<Vec<u8>>>,
    worker: Option<JoinHandle<Vec<u8>>>,
}

impl PipelinedHasher {
    /// `None` if no thread can be started; the session then hashes the file once at close.
    pub fn new(algorithm: HashAlgorithm) -> Option<PipelinedHasher> {
        let (chunks, receiver) = mpsc::sync_channel::<Vec<u8>>(HASH_QUEUE_CHUNKS);
        let worker = thread::Builder::new()
            .name("CosHasher".to_owned())
            .spawn(move || {
                let mut hasher = Hasher::new(algorithm);
                for chunk in receiver {
                    hasher.update(&chunk);
                }
                hasher.finalize()
            })
            .ok()?;
        Some(PipelinedHasher {
            chunks: Some(chunks),
            worker: Some(worker),
        })
    }

    /// Queues bytes that were just appended; false if the hashing thread is gone.
    pub fn update(&mut self, bytes: Vec<u8>) -> bool {
        self.chunks
            .as_ref()
            .is_some_and(|chunks| chunks.send(bytes).is_ok())
    }

    pub fn finalize(mut self) -> Option<Vec<u8>> {
        drop(self.chunks.take());
        self.worker.take()?.join().ok()
    }
}

impl Drop for PipelinedHasher {
    fn drop(&mut self) {
        // Closing the queue ends the thread; an aborted session does not wait for it.
        drop(self.chunks.take());
    }
}

/// The digest of everything `reader` yields, and how many bytes that was.
pub fn digest_of(mut reader: impl Read, algorithm: HashAlgorithm) -> io::Result<(Vec<u8>, u64)> {
    let mut hasher = Hasher::new(algorithm);
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok((hasher.finalize(), total));
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
}
