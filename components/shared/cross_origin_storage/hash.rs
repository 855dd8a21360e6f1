/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! COS hashes: `{algorithm, value}` with a WebCrypto algorithm name and lowercase hex.
//!
//! <https://wicg.github.io/cross-origin-storage/#validate-a-cos-request>

use std::fmt;

use malloc_size_of_derive::MallocSizeOf;
use serde::{Deserialize, Serialize};

use crate::error::CosError;

/// The WebCrypto digest algorithms a COS hash may name.
#[derive(
    Clone, Copy, Debug, Deserialize, Eq, Hash, MallocSizeOf, Ord, PartialEq, PartialOrd, Serialize,
)]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub const ALL: [HashAlgorithm; 4] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// Recognises a WebCrypto hash name, ASCII case-insensitively as WebCrypto does.
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }

    /// The canonical WebCrypto name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// The digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The length of the digest in lowercase hex.
    pub fn hex_len(self) -> usize {
        self.digest_len() * 2
    }

    /// A lowercase name that is safe as a path component, e.g. `sha-256`.
    pub fn path_component(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A validated COS hash. The value is always lowercase hex of the algorithm's length, so it
/// is safe to use as a file name, and two hashes are equal iff they address the same entry.
///
/// Deserialisation validates again: a hash arriving over IPC is never trusted as-is.
#[derive(
    Clone, Debug, Deserialize, Eq, Hash, MallocSizeOf, Ord, PartialEq, PartialOrd, Serialize,
)]
#[serde(try_from = "RawContentHash")]
pub struct ContentHash {
    algorithm: HashAlgorithm,
    value: String,
}

#[derive(Deserialize)]
struct RawContentHash {
    algorithm: HashAlgorithm,
    value: String,
}

impl TryFrom<RawContentHash> for ContentHash {
    type Error = CosError;

    fn try_from(raw: RawContentHash) -> Result<Self, CosError> {
        ContentHash::new(raw.algorithm, &raw.value)
    }
}

impl ContentHash {
    /// Validates `{algorithm, value}` in the spec's order: first the algorithm (known and
    /// allowed), then the value's format. Each failure is a `TypeError`.
    pub fn parse(
        algorithm: &str,
        value: &str,
        allowed: &[HashAlgorithm],
    ) -> Result<ContentHash, CosError> {
        let parsed = HashAlgorithm::from_name(algorithm)
            .filter(|a| allowed.contains(a))
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|a| a.name()).collect();
                CosError::Type(format!(
                    "\"{algorithm}\" is not a supported hash algorithm (expected one of {}).",
                    names.join(", ")
                ))
            })?;
        ContentHash::new(parsed, value)
    }

    /// Builds a hash from a known algorithm, checking that `value` is lowercase hex of the
    /// right length.
    pub fn new(algorithm: HashAlgorithm, value: &str) -> Result<ContentHash, CosError> {
        let well_formed = value.len() == algorithm.hex_len() &&
            value
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !well_formed {
            return Err(CosError::Type(format!(
                "The {} hash value must be {} lowercase hexadecimal characters.",
                algorithm.name(),
                algorithm.hex_len()
            )));
        }
        Ok(ContentHash {
            algorithm,
            value: value.to_owned(),
        })
    }

    /// Builds a hash from a raw digest, e.g. one computed over stored bytes.
    pub fn from_digest(algorithm: HashAlgorithm, digest: &[u8]) -> Option<ContentHash> {
        if digest.len() != algorithm.digest_len() {
            return None;
        }
        Some(ContentHash {
            algorithm,
            value: to_hex(digest),
        })
    }

    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The lowercase hex value; also the handle's `name`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The digest as bytes.
    pub fn digest(&self) -> Vec<u8> {
        self.value
            .as_bytes()
            .chunks(2)
            .map(|pair| (hex_digit(pair[0]) << 4) | hex_digit(pair[1]))
            .collect()
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.value)
    }
}

/// Lowercase hex encoding.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[(byte >> 4) as usize] as char);
        out.push(DIGITS[(byte & 0xf) as usize] as char);
    }
    out
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        _ => b - b'a' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn algorithm_names_match_case_insensitively() {
        let all = HashAlgorithm::ALL;
        for name in ["SHA-256", "sha-256", "Sha-256"] {
            let hash = ContentHash::parse(name, EMPTY_SHA256, &all).unwrap();
            assert_eq!(hash.algorithm(), HashAlgorithm::Sha256);
        }
        assert_eq!(
            ContentHash::parse("sha-256", EMPTY_SHA256, &all).unwrap(),
            ContentHash::parse("SHA-256", EMPTY_SHA256, &all).unwrap()
        );
    }

    #[test]
    fn unknown_or_disallowed_algorithms_are_type_errors() {
        let all = HashAlgorithm::ALL;
        for name in ["md5", "SHA256", "SHA-3", "", "SHA-256 "] {
            let err = ContentHash::parse(name, EMPTY_SHA256, &all).unwrap_err();
            assert_eq!(err.name(), "TypeError", "{name}");
        }
        let only256 = [HashAlgorithm::Sha256];
        let sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
        assert_eq!(
            ContentHash::parse("SHA-1", sha1, &only256)
                .unwrap_err()
                .name(),
            "TypeError"
        );
        assert!(ContentHash::parse("SHA-1", sha1, &HashAlgorithm::ALL).is_ok());
    }

    #[test]
    fn algorithm_is_checked_before_value() {
        let err = ContentHash::parse("md5", "not hex", &HashAlgorithm::ALL).unwrap_err();
        assert!(err.message().contains("md5"), "{err}");
    }

    #[test]
    fn values_must_be_lowercase_hex_of_the_right_length() {
        let all = HashAlgorithm::ALL;
        let upper = EMPTY_SHA256.to_uppercase();
        let short = &EMPTY_SHA256[..63];
        let long = format!("{EMPTY_SHA256}0");
        let non_hex = format!("{}g", &EMPTY_SHA256[..63]);
        let traversal = format!("../{}", &EMPTY_SHA256[..61]);
        for value in [
            upper.as_str(),
            short,
            long.as_str(),
            non_hex.as_str(),
            traversal.as_str(),
            "",
        ] {
            let err = ContentHash::parse("SHA-256", value, &all).unwrap_err();
            assert_eq!(err.name(), "TypeError", "{value:?}");
        }
        let sha512 = "0".repeat(128);
        assert!(ContentHash::parse("SHA-512", &sha512, &all).is_ok());
        assert!(ContentHash::parse("SHA-384", &sha512, &all).is_err());
    }

    #[test]
    fn digest_round_trips_through_hex() {
        let hash = ContentHash::parse("SHA-256", EMPTY_SHA256, &HashAlgorithm::ALL).unwrap();
        let digest = hash.digest();
        assert_eq!(digest.len(), 32);
        assert_eq!(digest[0], 0xe3);
        assert_eq!(
            ContentHash::from_digest(HashAlgorithm::Sha256, &digest).unwrap(),
            hash
        );
        assert!(ContentHash::from_digest(HashAlgorithm::Sha256, &digest[1..]).is_none());
        assert_eq!(hash.to_string(), format!("SHA-256:{EMPTY_SHA256}"));
    }

    #[test]
    fn deserialisation_revalidates() {
        #[derive(Serialize)]
        struct Forged<'a> {
            algorithm: HashAlgorithm,
            value: &'a str,
        }
        let forged = through_ipc_encoding(&Forged {
            algorithm: HashAlgorithm::Sha256,
            value: "../../etc/passwd",
        });
        assert!(forged.is_err());
        let good = through_ipc_encoding(&Forged {
            algorithm: HashAlgorithm::Sha256,
            value: EMPTY_SHA256,
        });
        assert!(good.is_ok());
    }

    /// Round-trips through bincode, the IPC serialisation, as a forged message would arrive.
    fn through_ipc_encoding<T: Serialize>(value: &T) -> Result<ContentHash, String> {
        let bytes = bincode::serialize(value).map_err(|e| e.to_string())?;
        bincode::deserialize::<ContentHash>(&bytes).map_err(|e| e.to_string())
    }
}
