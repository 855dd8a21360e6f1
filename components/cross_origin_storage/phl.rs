/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The Public Hash List: the SHA-256 digests whose entries the global grant may disclose.
//!
//! The WICG `.dat` file is ~440k digests; kept as a sorted `Vec<[u8; 32]>` (14 MiB) and
//! binary-searched, which is smaller and faster to build than a hash set. Every load error
//! fails closed: an empty list, so nothing is globally disclosable.

use std::fs;
use std::path::Path;

use cross_origin_storage_traits::{ContentHash, HashAlgorithm};
use log::warn;
use malloc_size_of::{MallocSizeOf, MallocSizeOfOps};
use sha2::{Digest, Sha256};

const CORE: &str = "SHA-256";
const HUGGING_FACE: &str = "SHA-256 HUGGING-FACE";
const MANUAL: &str = "SHA-256 MANUAL";

#[derive(Debug, Default)]
pub struct PublicHashList {
    digests: Vec<[u8; 32]>,
}

impl MallocSizeOf for PublicHashList {
    fn size_of(&self, _ops: &mut MallocSizeOfOps) -> usize {
        self.digests.capacity() * 32
    }
}

impl PublicHashList {
    pub fn empty() -> PublicHashList {
        PublicHashList::default()
    }

    /// The list named by the `phl_path` pref. An empty path is the built-in list, which is
    /// empty in this build.
    pub fn from_path_or_empty(path: &str, include_hugging_face: bool) -> PublicHashList {
        if path.is_empty() {
            return PublicHashList::empty();
        }
        match PublicHashList::load(Path::new(path), include_hugging_face) {
            Ok(list) => list,
            Err(error) => {
                warn!("COS: not using the Public Hash List at {path}: {error}");
                PublicHashList::empty()
            },
        }
    }

    /// Reads a `.dat` file; when a `<file>.sha256` (sha256sum format) sits next to it, the file
    /// must match it.
    pub fn load(path: &Path, include_hugging_face: bool) -> Result<PublicHashList, String> {
        let bytes = fs::read(path).map_err(|e| e.to_string())?;
        let mut sidecar = path.as_os_str().to_owned();
        sidecar.push(".sha256");
        if let Ok(expected) = fs::read_to_string(&sidecar) {
            let expected = expected.split_whitespace().next().unwrap_or_default();
            let actual = cross_origin_storage_traits::hash::to_hex(&Sha256::digest(&bytes));
            if !expected.eq_ignore_ascii_case(&actual) {
                return Err("the file does not match its .sha256".to_owned());
            }
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| "the file is not UTF-8".to_owned())?;
        PublicHashList::parse(text, include_hugging_face)
    }

    /// Parses the WICG text format: digest lines are taken only from the adopted sections.
    pub fn parse(text: &str, include_hugging_face: bool) -> Result<PublicHashList, String> {
        let mut digests = Vec::new();
        let mut section: Option<String> = None;
        let mut saw_core = false;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix("//") {
                let comment = comment.trim();
                if let Some(name) = marker(comment, "===BEGIN ") {
                    saw_core |= name == CORE;
                    section = Some(name.to_owned());
                } else if marker(comment, "===END ").is_some() {
                    section = None;
                }
                continue;
            }
            let adopted = match section.as_deref() {
                Some(CORE) | Some(MANUAL) => true,
                Some(HUGGING_FACE) => include_hugging_face,
                Some(_) => false,
                None => return Err(format!("line {}: data outside a section", number + 1)),
            };
            if !adopted {
                continue;
            }
            let digest = parse_digest(line)
                .ok_or_else(|| format!("line {}: not a lowercase SHA-256 digest", number + 1))?;
            digests.push(digest);
        }
        if !saw_core {
            return Err("no ===BEGIN SHA-256=== section".to_owned());
        }
        digests.sort_unstable();
        digests.dedup();
        Ok(PublicHashList { digests })
    }

    /// Whether `hash` is listed; only SHA-256 can be.
    pub fn contains(&self, hash: &ContentHash) -> bool {
        if hash.algorithm() != HashAlgorithm::Sha256 {
            return false;
        }
        parse_digest(hash.value()).is_some_and(|digest| self.digests.binary_search(&digest).is_ok())
    }

    pub fn len(&self) -> usize {
        self.digests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }
}

/// `===BEGIN NAME===` → `NAME`.
fn marker<'a>(comment: &'a str, prefix: &str) -> Option<&'a str> {
    comment.strip_prefix(prefix)?.strip_suffix("===")
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut digest = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        digest[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JQUERY: &str = "fc9a93dd241f6b045cbff0481cf4e1901becd0e12fb45166a8f17f95823f0b1a";
    const HF: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const MANUAL_DIGEST: &str = "2222222222222222222222222222222222222222222222222222222222222222";
    const SHA384_SECTION: &str = "3333333333333333333333333333333333333333333333333333333333333333";
    const UNLISTED: &str = "4444444444444444444444444444444444444444444444444444444444444444";

    fn sample() -> String {
        format!(
            "// VERSION: 2026-09-14T00:00:00Z\n// COMMIT: abc\n\n\
             // ===BEGIN SHA-256===\n// jquery 3.7.1\n{JQUERY}\n// ===END SHA-256===\n\
             // ===BEGIN SHA-256 HUGGING-FACE===\n{HF}\n// ===END SHA-256 HUGGING-FACE===\n\
             // ===BEGIN SHA-384===\n{SHA384_SECTION}\n// ===END SHA-384===\n\
             // ===BEGIN SHA-256 MANUAL===\n{MANUAL_DIGEST}\n// ===END SHA-256 MANUAL===\n"
        )
    }

    fn sha256(value: &str) -> ContentHash {
        ContentHash::new(HashAlgorithm::Sha256, value).unwrap()
    }

    #[test]
    fn parses_adopted_sections_only() {
        let list = PublicHashList::parse(&sample(), true).unwrap();
        assert_eq!(list.len(), 3);
        for listed in [JQUERY, HF, MANUAL_DIGEST] {
            assert!(list.contains(&sha256(listed)), "{listed}");
        }
        assert!(!list.contains(&sha256(SHA384_SECTION)));
        assert!(!list.contains(&sha256(UNLISTED)));

        let without_hf = PublicHashList::parse(&sample(), false).unwrap();
        assert!(!without_hf.contains(&sha256(HF)));
        assert!(without_hf.contains(&sha256(JQUERY)));
    }

    #[test]
    fn only_sha256_can_be_listed() {
        let list = PublicHashList::parse(&sample(), true).unwrap();
        let sha512 = ContentHash::new(HashAlgorithm::Sha512, &JQUERY.repeat(2)).unwrap();
        assert!(!list.contains(&sha512));
    }

    #[test]
    fn corrupt_lists_are_errors() {
        let upper = sample().replace(JQUERY, &JQUERY.to_uppercase());
        assert!(PublicHashList::parse(&upper, true).is_err());
        let short = sample().replace(JQUERY, &JQUERY[..60]);
        assert!(PublicHashList::parse(&short, true).is_err());
        assert!(PublicHashList::parse(&format!("{JQUERY}\n"), true).is_err());
        assert!(PublicHashList::parse("// just a header\n", true).is_err());
        assert!(PublicHashList::parse("", true).is_err());
    }

    #[test]
    fn loading_fails_closed_and_checks_the_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phl.dat");
        let missing = PublicHashList::from_path_or_empty(path.to_str().unwrap(), true);
        assert!(missing.is_empty());

        fs::write(&path, sample()).unwrap();
        let ok = PublicHashList::from_path_or_empty(path.to_str().unwrap(), true);
        assert!(ok.contains(&sha256(JQUERY)));

        let digest = cross_origin_storage_traits::hash::to_hex(&Sha256::digest(sample()));
        fs::write(
            dir.path().join("phl.dat.sha256"),
            format!("{digest}  phl.dat\n"),
        )
        .unwrap();
        assert_eq!(PublicHashList::load(&path, true).unwrap().len(), 3);
        fs::write(
            dir.path().join("phl.dat.sha256"),
            format!("{UNLISTED}  phl.dat\n"),
        )
        .unwrap();
        assert!(PublicHashList::from_path_or_empty(path.to_str().unwrap(), true).is_empty());
        assert!(PublicHashList::from_path_or_empty("", true).is_empty());
    }
}
