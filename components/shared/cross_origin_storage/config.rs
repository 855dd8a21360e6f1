/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! COS settings. Each disputed behaviour of the spec draft is a `dom_cross_origin_storage_*`
//! pref; this is their typed form, read once by each side.

use malloc_size_of_derive::MallocSizeOf;
use serde::{Deserialize, Serialize};
use servo_config::pref_util::PrefValue;
use servo_config::prefs::{self, Preferences};

use crate::hash::HashAlgorithm;

pub const PREF_PREFIX: &str = "dom_cross_origin_storage_";

/// What happens when merging origins would grow a list past `max_origins`.
#[derive(Clone, Copy, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum MergePolicy {
    /// Keep the existing list and drop the newcomers (the spec).
    DropNew,
    /// Evict the least-recently-read listed origins.
    Lru,
}

/// Which reads the probe budget never charges.
#[derive(Clone, Copy, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum BudgetExempt {
    StoringOrigin,
    SameSite,
}

/// What the probe budget is counted per (spec digest Q10).
#[derive(Clone, Copy, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum ProbeBudgetKey {
    /// The caller's top-level site, shared by every frame and worker under it, as the explainer
    /// and `privacy.md` describe: a page cannot widen its budget by framing more sites.
    TopLevelSite,
    /// The requester, counted as `limits_key` says (its site or its origin), as the WPT
    /// comments word it.
    Requester,
    /// The pair, as `proposed-solution.md` words it.
    RequesterAndTopLevelSite,
}

/// What the per-requester limits (quota, probe budget, GREASE draws, open write sessions and
/// live handles) are counted per.
#[derive(Clone, Copy, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum LimitKey {
    /// The registrable domain: a site's subdomains share one allowance, so they cannot multiply
    /// it, and a content process (which may act as any origin of its site) gets one share.
    Site,
    /// The origin, as the spec draft words it.
    Origin,
}

#[derive(Clone, Debug, Deserialize, MallocSizeOf, PartialEq, Serialize)]
pub struct CosConfig {
    pub allowed_algorithms: Vec<HashAlgorithm>,
    pub max_origins: usize,
    pub empty_list_is_same_site: bool,
    pub merge_policy: MergePolicy,
    /// `move()`/`remove()` rejection: `NotAllowedError` (spec) or `NotSupportedError`.
    pub move_remove_error: String,
    /// Per-origin quota in bytes; 0 means the computed default.
    pub quota_per_origin_bytes: u64,
    /// Keep everything in memory and nothing in the profile.
    pub ephemeral: bool,
    /// Public Hash List file (WICG `.dat` format); empty means the list `mach phl install` put
    /// in the user's data directory, if any.
    pub phl_path: String,
    pub phl_include_hugging_face: bool,
    pub grease_per_mille: u64,
    pub grease_max_bytes: u64,
    pub grease_epoch_secs: u64,
    pub grease_per_call: bool,
    /// Distinct hashes a requester may probe per window; 0 disables the budget.
    pub probe_budget: u64,
    pub probe_budget_window_secs: u64,
    pub probe_budget_exempt: BudgetExempt,
    pub probe_budget_key: ProbeBudgetKey,
    pub limit_key: LimitKey,
    /// Write sessions one key may have open at once.
    pub max_open_writes: usize,
    /// Live handles one key may hold at once.
    pub max_handles: usize,
}

impl Default for CosConfig {
    fn default() -> Self {
        CosConfig {
            allowed_algorithms: HashAlgorithm::ALL.to_vec(),
            max_origins: 100,
            empty_list_is_same_site: true,
            merge_policy: MergePolicy::DropNew,
            move_remove_error: "NotAllowedError".to_owned(),
            quota_per_origin_bytes: 0,
            ephemeral: false,
            phl_path: String::new(),
            phl_include_hugging_face: true,
            grease_per_mille: 10,
            grease_max_bytes: 512_000,
            grease_epoch_secs: 86_400,
            grease_per_call: false,
            probe_budget: 16,
            probe_budget_window_secs: 86_400,
            probe_budget_exempt: BudgetExempt::StoringOrigin,
            probe_budget_key: ProbeBudgetKey::TopLevelSite,
            limit_key: LimitKey::Site,
            max_open_writes: crate::MAX_OPEN_WRITES_PER_ORIGIN,
            max_handles: crate::MAX_HANDLES_PER_ORIGIN,
        }
    }
}

impl CosConfig {
    /// Reads the `dom_cross_origin_storage_*` prefs. A pref this build of servo-config does not
    /// know keeps its default, so the crate works against an unpatched servo-config too.
    pub fn from_prefs() -> CosConfig {
        let prefs = prefs::get();
        let get = |name: &str| -> Option<PrefValue> {
            let full = format!("{PREF_PREFIX}{name}");
            Preferences::exists(&full).then(|| prefs.get_value(&full))
        };
        CosConfig::from_lookup(get)
    }

    /// Builds a config from any name → value lookup (names without the prefix).
    pub fn from_lookup(get: impl Fn(&str) -> Option<PrefValue>) -> CosConfig {
        let mut config = CosConfig::default();
        let uint = |name: &str, default: u64| match get(name) {
            Some(PrefValue::Int(i)) => u64::try_from(i).unwrap_or(default),
            Some(PrefValue::UInt(u)) => u,
            _ => default,
        };
        let boolean = |name: &str, default: bool| match get(name) {
            Some(PrefValue::Bool(b)) => b,
            _ => default,
        };
        let string = |name: &str| match get(name) {
            Some(PrefValue::Str(s)) if !s.is_empty() => Some(s),
            _ => None,
        };
        if let Some(list) = string("allowed_algorithms") {
            config.allowed_algorithms = list
                .split(',')
                .filter_map(|name| HashAlgorithm::from_name(name.trim()))
                .collect();
        }
        config.max_origins = uint("max_origins", config.max_origins as u64) as usize;
        config.empty_list_is_same_site =
            boolean("empty_list_is_same_site", config.empty_list_is_same_site);
        if string("origins_merge_policy").as_deref() == Some("lru") {
            config.merge_policy = MergePolicy::Lru;
        }
        if let Some(error) = string("move_remove_error") {
            config.move_remove_error = error;
        }
        config.quota_per_origin_bytes =
            uint("quota_per_origin_bytes", config.quota_per_origin_bytes);
        config.ephemeral = boolean("ephemeral", config.ephemeral);
        if let Some(path) = string("phl_path") {
            config.phl_path = path;
        }
        config.phl_include_hugging_face =
            boolean("phl_include_hugging_face", config.phl_include_hugging_face);
        config.grease_per_mille = uint("grease_per_mille", config.grease_per_mille);
        config.grease_max_bytes = uint("grease_max_bytes", config.grease_max_bytes);
        config.grease_epoch_secs = uint("grease_epoch_secs", config.grease_epoch_secs);
        config.grease_per_call = boolean("grease_per_call", config.grease_per_call);
        config.probe_budget = uint("probe_budget", config.probe_budget);
        config.probe_budget_window_secs =
            uint("probe_budget_window_secs", config.probe_budget_window_secs);
        if string("probe_budget_exempt").as_deref() == Some("same-site") {
            config.probe_budget_exempt = BudgetExempt::SameSite;
        }
        match string("probe_budget_key").as_deref() {
            Some("origin") => config.probe_budget_key = ProbeBudgetKey::Requester,
            Some("origin+top-level-site") => {
                config.probe_budget_key = ProbeBudgetKey::RequesterAndTopLevelSite
            },
            _ => {},
        }
        if string("limits_key").as_deref() == Some("origin") {
            config.limit_key = LimitKey::Origin;
        }
        // Zero would refuse every session or handle: a misconfiguration, not a wish.
        config.max_open_writes =
            (uint("max_open_writes", config.max_open_writes as u64) as usize).max(1);
        config.max_handles = (uint("max_handles", config.max_handles as u64) as usize).max(1);
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_overrides_defaults_and_ignores_garbage() {
        let config = CosConfig::from_lookup(|name| match name {
            "allowed_algorithms" => Some(PrefValue::Str("sha-256, md5".into())),
            "max_origins" => Some(PrefValue::Int(3)),
            "origins_merge_policy" => Some(PrefValue::Str("lru".into())),
            "quota_per_origin_bytes" => Some(PrefValue::Int(-5)),
            "ephemeral" => Some(PrefValue::Bool(true)),
            "limits_key" => Some(PrefValue::Str("origin".into())),
            "probe_budget_key" => Some(PrefValue::Str("origin+top-level-site".into())),
            "max_open_writes" => Some(PrefValue::Int(0)),
            "max_handles" => Some(PrefValue::Int(50)),
            _ => None,
        });
        assert_eq!(config.allowed_algorithms, vec![HashAlgorithm::Sha256]);
        assert_eq!(config.max_origins, 3);
        assert_eq!(config.merge_policy, MergePolicy::Lru);
        assert_eq!(config.quota_per_origin_bytes, 0);
        assert!(config.ephemeral);
        assert_eq!(config.probe_budget, 16);
        assert_eq!(config.limit_key, LimitKey::Origin);
        assert_eq!(
            config.probe_budget_key,
            ProbeBudgetKey::RequesterAndTopLevelSite
        );
        assert_eq!(
            CosConfig::default().probe_budget_key,
            ProbeBudgetKey::TopLevelSite
        );
        assert_eq!(config.max_open_writes, 1);
        assert_eq!(config.max_handles, 50);
        assert_eq!(CosConfig::default().limit_key, LimitKey::Site);
    }

    #[test]
    fn unknown_prefs_keep_defaults() {
        // The crates.io servo-config has no COS prefs: reading them must not panic.
        assert_eq!(CosConfig::from_prefs(), CosConfig::default());
    }
}
