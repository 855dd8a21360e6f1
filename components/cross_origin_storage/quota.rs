/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Per-origin quota and eviction planning. Pure functions: the thread gathers the numbers and
//! executes a plan only after admission has succeeded, so a rejected write never evicts.

use std::path::Path;

use cross_origin_storage_traits::{ContentHash, CosError};

/// The absolute ceiling of the global budget.
pub const MAX_GLOBAL_BYTES: u64 = 100 << 30;

/// The global budget when the disk capacity cannot be read (2 GiB per origin).
const FALLBACK_GLOBAL_BYTES: u64 = 10 << 30;

/// The global budget: 60% of the *total* disk, at most 100 GiB. Total, never free, space: free
/// space would be a fingerprinting channel.
pub fn global_limit(disk_total: Option<u64>) -> u64 {
    match disk_total {
        Some(total) => (total as u128 * 6 / 10).min(MAX_GLOBAL_BYTES as u128) as u64,
        None => FALLBACK_GLOBAL_BYTES,
    }
}

/// The nominal per-origin quota: the pref, or 20% of the global budget.
pub fn per_origin_limit(configured: u64, disk_total: Option<u64>) -> u64 {
    if configured > 0 {
        return configured;
    }
    global_limit(disk_total) / 5
}

/// Total capacity of the file system holding `path`.
#[cfg(unix)]
#[allow(unsafe_code, clippy::unnecessary_cast)]
pub fn disk_total_bytes(path: &Path) -> Option<u64> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `statvfs` only writes into the zeroed struct we own; the path is NUL-terminated.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) };
    if rc != 0 {
        return None;
    }
    (stats.f_blocks as u64).checked_mul(stats.f_frsize as u64)
}

#[cfg(not(unix))]
pub fn disk_total_bytes(_path: &Path) -> Option<u64> {
    None
}

/// An entry the storing origin alone owns, i.e. one it may evict.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Candidate {
    pub hash: ContentHash,
    pub size: u64,
    pub last_read_ms: u64,
}

/// What admitting a verified write requires.
#[derive(Debug, Eq, PartialEq)]
pub enum Admission {
    /// The origin already stores these bytes: rewriting them costs nothing.
    AlreadyCharged,
    Fits,
    /// Fits after evicting these entries (oldest read first).
    Evict(Vec<ContentHash>),
}

/// Decides whether `origin`, currently charged `usage` bytes, may store `requested` more.
pub fn admit(
    limit: u64,
    usage: u64,
    requested: u64,
    already_charged: bool,
    mut candidates: Vec<Candidate>,
) -> Result<Admission, CosError> {
    if already_charged {
        return Ok(Admission::AlreadyCharged);
    }
    let refuse = CosError::QuotaExceeded {
        quota: limit,
        requested,
    };
    if requested > limit {
        return Err(refuse);
    }
    if usage.saturating_add(requested) <= limit {
        return Ok(Admission::Fits);
    }
    candidates.sort_by(|a, b| (a.last_read_ms, &a.hash).cmp(&(b.last_read_ms, &b.hash)));
    let mut remaining = usage;
    let mut plan = Vec::new();
    for candidate in candidates {
        if remaining.saturating_add(requested) <= limit {
            break;
        }
        remaining = remaining.saturating_sub(candidate.size);
        plan.push(candidate.hash);
    }
    if remaining.saturating_add(requested) <= limit {
        Ok(Admission::Evict(plan))
    } else {
        Err(refuse)
    }
}

#[cfg(test)]
mod tests {
    use cross_origin_storage_traits::HashAlgorithm;

    use super::*;

    fn hash(n: u8) -> ContentHash {
        ContentHash::from_digest(HashAlgorithm::Sha256, &[n; 32]).unwrap()
    }

    fn candidate(n: u8, size: u64, last_read_ms: u64) -> Candidate {
        Candidate {
            hash: hash(n),
            size,
            last_read_ms,
        }
    }

    #[test]
    fn computed_limit_is_a_fifth_of_sixty_percent_capped() {
        assert_eq!(per_origin_limit(1234, Some(1 << 40)), 1234);
        assert_eq!(per_origin_limit(0, Some(1000)), 120);
        // 1 TiB disk: 60% is above the 100 GiB ceiling.
        assert_eq!(per_origin_limit(0, Some(1 << 40)), 20 << 30);
        assert_eq!(per_origin_limit(0, None), 2 << 30);
    }

    #[test]
    fn admission_without_eviction() {
        assert_eq!(admit(100, 40, 60, false, vec![]), Ok(Admission::Fits));
        assert_eq!(
            admit(100, 100, 60, true, vec![]),
            Ok(Admission::AlreadyCharged)
        );
        assert_eq!(
            admit(100, 0, 101, false, vec![candidate(1, 50, 0)]),
            Err(CosError::QuotaExceeded {
                quota: 100,
                requested: 101
            })
        );
    }

    #[test]
    fn eviction_takes_the_oldest_read_first_and_only_what_is_needed() {
        let candidates = vec![
            candidate(1, 30, 300),
            candidate(2, 30, 100),
            candidate(3, 30, 200),
        ];
        // usage 90 + 30 needs 20 freed: the oldest-read entry (2) alone.
        assert_eq!(
            admit(100, 90, 30, false, candidates.clone()),
            Ok(Admission::Evict(vec![hash(2)]))
        );
        // usage 90 + 70 needs 60 freed: entries 2 then 3.
        assert_eq!(
            admit(100, 90, 70, false, candidates),
            Ok(Admission::Evict(vec![hash(2), hash(3)]))
        );
    }

    #[test]
    fn shared_bytes_that_cannot_be_evicted_refuse_the_write() {
        // usage 90, of which only 30 is sole-owned: 90 - 30 + 50 > 100.
        assert_eq!(
            admit(100, 90, 50, false, vec![candidate(1, 30, 0)]),
            Err(CosError::QuotaExceeded {
                quota: 100,
                requested: 50
            })
        );
    }
}
