/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The Public Hash List: the SHA-256 digests whose entries the global grant may disclose.
//!
//! The WICG `.dat` file is ~440k digests; kept as a sorted `Vec<[u8; 32]>` (14 MiB) and
//! binary-searched, which is smaller and faster to build than a hash set. Every load error
//! fails closed: an empty list, so nothing is globally disclosable.

use std::fs;
use std::path::{Path, PathBuf};

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

    /// The list named by the `phl_path` pref or, when the pref is empty, the installed list at
    /// [`default_path`] if there is one. Without either the list is empty, so nothing stored
    /// with `origins: '*'` is disclosed to other sites.
    pub fn from_pref_or_installed(path: &str, include_hugging_face: bool) -> PublicHashList {
        PublicHashList::from_pref_or(path, include_hugging_face, default_path())
    }

    fn from_pref_or(
        path: &str,
        include_hugging_face: bool,
        installed: Option<PathBuf>,
    ) -> PublicHashList {
        if !path.is_empty() {
            return PublicHashList::from_path_or_empty(path, include_hugging_face);
        }
        match installed.filter(|path| path.exists()) {
            Some(installed) => PublicHashList::from_path_or_empty(
                &installed.to_string_lossy(),
                include_hugging_face,
            ),
            None => PublicHashList::empty(),
        }
    }

    /// The list at `path`; an empty path is no list.
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

/// Where `mach phl install` puts the list and the browser looks for it when the `phl_path` pref
/// is empty: `servo/cross-origin-storage/public-hash-list.dat` in the user's data directory
/// (`$XDG_DATA_HOME`, else `~/.local/share`; `%APPDATA%` on Windows). The list is the user's,
/// not a profile's: every profile of the browser reads the same one.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(|name| std::env::var_os(name))
}

fn default_path_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|value| !value.is_empty());
    let data_dir = if cfg!(windows) {
        non_empty("APPDATA").map(PathBuf::from)
    } else {
        non_empty("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".local/share")))
    }?;
    Some(
        data_dir
            .join("servo")
            .join("cross-origin-storage")
            .join("public-hash-list.dat"),
    )
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

    #[test]
    fn the_installed_list_is_found_in_the_data_directory_unless_the_pref_names_one() {
        let dir = tempfile::tempdir().unwrap();
        let data_home = dir.path().join("data");
        let env = |name: &str| match name {
            "XDG_DATA_HOME" => Some(data_home.clone().into_os_string()),
            "HOME" => Some("/home/someone".into()),
            _ => None,
        };
        let installed = default_path_from(env).unwrap();
        assert_eq!(
            installed,
            data_home.join("servo/cross-origin-storage/public-hash-list.dat")
        );
        assert_eq!(
            default_path_from(|name| (name == "HOME").then(|| "/home/someone".into())),
            Some(PathBuf::from(
                "/home/someone/.local/share/servo/cross-origin-storage/public-hash-list.dat"
            ))
        );
        assert_eq!(default_path_from(|_| None), None);

        // Nothing installed: no list.
        assert!(PublicHashList::from_pref_or("", true, Some(installed.clone())).is_empty());

        // Installed with its sidecar, as `mach phl install` leaves it.
        fs::create_dir_all(installed.parent().unwrap()).unwrap();
        fs::write(&installed, sample()).unwrap();
        let digest = cross_origin_storage_traits::hash::to_hex(&Sha256::digest(sample()));
        let mut sidecar = installed.clone().into_os_string();
        sidecar.push(".sha256");
        fs::write(&sidecar, format!("{digest}  public-hash-list.dat\n")).unwrap();
        let list = PublicHashList::from_pref_or("", true, Some(installed.clone()));
        assert!(list.contains(&sha256(JQUERY)));

        // The pref wins, even when what it names is unusable (fail closed, no fallback).
        let other = dir.path().join("other.dat");
        let only_hf = format!("// ===BEGIN SHA-256===\n{HF}\n// ===END SHA-256===\n");
        fs::write(&other, only_hf).unwrap();
        let list =
            PublicHashList::from_pref_or(other.to_str().unwrap(), true, Some(installed.clone()));
        assert!(list.contains(&sha256(HF)) && !list.contains(&sha256(JQUERY)));
        let missing = dir.path().join("missing.dat");
        assert!(
            PublicHashList::from_pref_or(missing.to_str().unwrap(), true, Some(installed.clone()))
                .is_empty()
        );

        // A list damaged after installation fails closed.
        fs::write(&installed, sample().replace(JQUERY, UNLISTED)).unwrap();
        assert!(PublicHashList::from_pref_or("", true, Some(installed)).is_empty());
    }
}
