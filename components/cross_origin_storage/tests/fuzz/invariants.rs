/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! What must hold after every fuzzed step: grants only grow, and the accounting matches the
//! files on disk.

use super::*;

impl Fuzzer {
    pub(super) fn entries(&mut self) -> Vec<EntryInfo> {
        let inbox = Inbox::default();
        self.storage
            .handle(CosInbound::Control(CosControlMsg::ListEntries(
                inbox.callback(),
            )));
        inbox.take().pop().unwrap_or_default()
    }

    /// Every entry that survived keeps its grants, but those of the `cleared` origin; an entry
    /// that went was evicted, or only the cleared origin stored it.
    pub(super) fn check_grants_grew(
        &mut self,
        now: &BTreeMap<String, Grants>,
        cleared: Option<&str>,
    ) {
        let without = |set: &BTreeSet<String>| {
            let mut set = set.clone();
            if let Some(cleared) = cleared {
                set.remove(cleared);
            }
            set
        };
        for (hash, (storing, listed, global)) in &self.grants {
            let Some((now_storing, now_listed, now_global)) = now.get(hash) else {
                if cleared.is_none() {
                    self.stats.evicted += 1;
                } else if !without(storing).is_empty() {
                    self.fail(format!(
                        "clearing {cleared:?} took {hash} from other storers"
                    ));
                }
                continue;
            };
            if !now_storing.is_superset(&without(storing)) ||
                !now_listed.is_superset(&without(listed)) ||
                (*global && !now_global)
            {
                self.fail(format!("the grants of {hash} shrank"));
            }
        }
    }

    pub(super) fn check_files(&mut self, entries: &[EntryInfo]) {
        let mut expected: HashMap<PathBuf, (u64, ContentHash)> = HashMap::new();
        let mut usage: HashMap<String, u64> = HashMap::new();
        for entry in entries {
            let value = entry.hash.value();
            let path = self
                .root
                .join("blobs")
                .join(entry.hash.algorithm().path_component())
                .join(&value[0..2])
                .join(&value[2..4])
                .join(value);
            expected.insert(path, (entry.size, entry.hash.clone()));
            let keys: BTreeSet<String> = entry
                .grants
                .storing_origins
                .iter()
                .map(|o| limit_key(self.config.limit_key, o))
                .collect();
            for key in keys {
                *usage.entry(key).or_default() += entry.size;
            }
        }
        if let Some((key, bytes)) = usage
            .iter()
            .find(|(_, bytes)| **bytes > self.config.quota_per_origin_bytes)
        {
            self.fail(format!("{key} stores {bytes} bytes, over its quota"));
        }
        let mut found = 0;
        let mut stack = vec![self.root.join("blobs")];
        while let Some(dir) = stack.pop() {
            for item in fs::read_dir(&dir).unwrap() {
                let path = item.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Some((size, hash)) = expected.get(&path) else {
                    self.fail(format!("a blob without an entry: {}", path.display()));
                };
                let metadata = fs::metadata(&path).unwrap();
                if metadata.len() != *size {
                    self.fail(format!("{hash} is {} bytes on disk", metadata.len()));
                }
                let stamp = (metadata.len(), metadata.modified().unwrap());
                if self.verified.get(&path) != Some(&stamp) {
                    let bytes = fs::read(&path).unwrap();
                    if to_hex(&digest(hash.algorithm(), &bytes)) != hash.value() {
                        self.fail(format!("the blob of {hash} holds other bytes"));
                    }
                    self.verified.insert(path, stamp);
                }
                found += 1;
            }
        }
        if found != expected.len() {
            self.fail(format!("{} entries but {found} blob files", expected.len()));
        }
    }
}

pub(super) fn snapshot(entries: &[EntryInfo]) -> BTreeMap<String, Grants> {
    let serialize = |origins: &[ImmutableOrigin]| {
        origins
            .iter()
            .map(|o| o.ascii_serialization().into_owned())
            .collect::<BTreeSet<_>>()
    };
    entries
        .iter()
        .map(|entry| {
            let grants = (
                serialize(&entry.grants.storing_origins),
                serialize(&entry.grants.origins),
                entry.grants.globally_disclosable,
            );
            (entry.hash.to_string(), grants)
        })
        .collect()
}
