/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! GREASE: occasionally answer "absent" for an entry only the global grant would disclose.
//!
//! The decision is an HMAC of (per-profile secret, requesting origin, hash, epoch), so one
//! origin always gets the same answer within an epoch (asking again cannot defeat it, privacy
//! Attack 12) while different origins get independent masks.

use cross_origin_storage_traits::{ContentHash, CosConfig};
use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

pub struct Grease {
    secret: [u8; 32],
    per_mille: u64,
    max_bytes: u64,
    epoch_ms: u64,
    per_call: bool,
}

impl Grease {
    pub fn new(secret: [u8; 32], config: &CosConfig) -> Grease {
        Grease {
            secret,
            per_mille: config.grease_per_mille,
            max_bytes: config.grease_max_bytes,
            epoch_ms: config.grease_epoch_secs.saturating_mul(1000),
            per_call: config.grease_per_call,
        }
    }

    /// Whether to answer "absent" for this global-only read of an entry of `size` bytes by a
    /// requester of limit key `key` (see `keys`).
    pub fn elects(&self, key: &str, hash: &ContentHash, size: u64, now_ms: u64) -> bool {
        // Large entries are exempt: a spurious multi-GB re-download is disproportionate.
        if self.per_mille == 0 || size >= self.max_bytes {
            return false;
        }
        let draw = if self.per_call {
            // Demonstrates Attack 12 only: a fresh draw per call is defeated by retrying.
            uuid::Uuid::new_v4().as_u64_pair().0
        } else {
            let epoch = now_ms.checked_div(self.epoch_ms).unwrap_or(0);
            let mac = hmac_sha256(
                &self.secret,
                &[
                    &(key.len() as u64).to_be_bytes(),
                    key.as_bytes(),
                    hash.algorithm().name().as_bytes(),
                    b":",
                    hash.value().as_bytes(),
                    &epoch.to_be_bytes(),
                ],
            );
            let mut first = [0u8; 8];
            first.copy_from_slice(&mac[..8]);
            u64::from_be_bytes(first)
        };
        draw % 1000 < self.per_mille
    }
}

#[cfg(test)]
mod tests {
    use cross_origin_storage_traits::HashAlgorithm;
    use cross_origin_storage_traits::hash::to_hex;

    use super::*;

    fn hash(n: u32) -> ContentHash {
        ContentHash::from_digest(HashAlgorithm::Sha256, &Sha256::digest(n.to_be_bytes())).unwrap()
    }

    fn grease(per_mille: u64, per_call: bool) -> Grease {
        let config = CosConfig {
            grease_per_mille: per_mille,
            grease_per_call: per_call,
            ..CosConfig::default()
        };
        Grease::new([7; 32], &config)
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            to_hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaa; 131];
        let mac = hmac_sha256(
            &long_key,
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            to_hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn decisions_are_stable_within_an_epoch_and_vary_across_them() {
        let g = grease(500, false);
        let a = "a.example";
        let day = 86_400_000;
        let answers = |now: u64| {
            (0..200)
                .map(|n| g.elects(a, &hash(n), 10, now))
                .collect::<Vec<_>>()
        };
        assert_eq!(answers(5), answers(day - 1), "same epoch, same answers");
        assert_ne!(answers(5), answers(day), "a new epoch re-draws");
        let elected = answers(5).iter().filter(|e| **e).count();
        assert!(
            (50..150).contains(&elected),
            "about half at 500‰: {elected}"
        );
        let b = "b.example";
        let other: Vec<bool> = (0..200).map(|n| g.elects(b, &hash(n), 10, 5)).collect();
        assert_ne!(answers(5), other, "keys get independent masks");
        let other_secret = Grease::new(
            [8; 32],
            &CosConfig {
                grease_per_mille: 500,
                ..CosConfig::default()
            },
        );
        let other: Vec<bool> = (0..200)
            .map(|n| other_secret.elects(a, &hash(n), 10, 5))
            .collect();
        assert_ne!(answers(5), other, "the profile secret keys the mask");
    }

    #[test]
    fn zero_disables_and_large_entries_are_exempt() {
        let a = "a.example";
        assert!((0..100).all(|n| !grease(0, false).elects(a, &hash(n), 10, 0)));
        let always = grease(1000, false);
        assert!((0..100).all(|n| always.elects(a, &hash(n), 511_999, 0)));
        assert!((0..100).all(|n| !always.elects(a, &hash(n), 512_000, 0)));
        assert!(grease(1000, true).elects(a, &hash(1), 10, 0));
    }
}
