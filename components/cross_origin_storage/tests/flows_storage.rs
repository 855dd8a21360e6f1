/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! End-to-end flows through the thread's channels, in-process: quota and eviction, clearing,
//! persistence across restarts, ephemeral stores, a corrupt index, memory reports.

mod common;

use std::fs;
use std::sync::Arc;

use common::*;
use cross_origin_storage::{ManualClock, store_root};
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosConfig, CosControlMsg, CosError, CosMsg, LimitKey, OriginsInput,
};
use servo_base::generic_channel::{self, GenericCallback};
use servo_default_resources as _;

#[test]
fn global_pressure_evicts_the_least_recently_read_entries_of_any_origin() {
    // A 500-byte disk: the global budget is 60% of it, 300 bytes; each origin may use 200.
    let clock = Arc::new(ManualClock::new(1_000));
    let settings = CosConfig {
        quota_per_origin_bytes: 200,
        ..config()
    };
    let cos = start_with_disk(None, settings, clock.clone(), 500);
    let [a, b, c, d] = [
        "https://a.example",
        "https://b.example",
        "https://c.example",
        "https://d.example",
    ]
    .map(origin);
    let files: Vec<Vec<u8>> = (0..4).map(|i| content(20 + i, 100)).collect();
    for (storer, file) in [&a, &b, &c].into_iter().zip(&files) {
        store(&cos, storer, file, None).unwrap();
        clock.advance(1);
    }
    // a's file was stored first but read last; b's is now the least recently read.
    read(&cos, &a, &sha256(&files[0])).unwrap();
    clock.advance(1);
    // 300 + 100 > 300: d's store evicts b's file, although b stores nothing else.
    store(&cos, &d, &files[3], None).unwrap();
    assert_eq!(read(&cos, &b, &sha256(&files[1])), Err(CosError::NotFound));
    assert_eq!(read(&cos, &a, &sha256(&files[0])).unwrap(), files[0]);
    assert_eq!(read(&cos, &c, &sha256(&files[2])).unwrap(), files[2]);
    assert_eq!(read(&cos, &d, &sha256(&files[3])).unwrap(), files[3]);
    // Storing bytes that already exist adds nothing globally, so nothing is evicted.
    store(&cos, &b, &files[2], None).unwrap();
    assert_eq!(list(&cos).len(), 3);
    // A file larger than the whole budget is refused with the nominal per-origin quota.
    let big = content(30, 150);
    let settings = CosConfig {
        quota_per_origin_bytes: 1_000,
        ..config()
    };
    let cos = start_with_disk(None, settings, clock, 200);
    assert_eq!(
        store(&cos, &a, &big, None),
        Err(CosError::QuotaExceeded {
            quota: 1_000,
            requested: 150
        })
    );
    assert!(list(&cos).is_empty());
}

#[test]
fn quota_charges_every_storer_and_evicts_own_entries_oldest_read_first() {
    let quota = CosConfig {
        quota_per_origin_bytes: 100,
        ..config()
    };
    let (cos, clock) = memory(quota);
    let a = origin("https://a.example");
    let b = origin("https://b.example");
    let x = content(10, 40);
    let y = content(11, 40);
    let z = content(12, 40);
    store(&cos, &a, &x, None).unwrap();
    clock.advance(1);
    store(&cos, &a, &y, None).unwrap();
    clock.advance(1);
    read(&cos, &a, &sha256(&x)).unwrap();
    clock.advance(1);
    // Rewriting identical bytes costs nothing and evicts nothing.
    store(&cos, &a, &x, None).unwrap();
    assert_eq!(list(&cos).len(), 2);
    // 80 + 40 > 100: y was read least recently, so it goes.
    store(&cos, &a, &z, None).unwrap();
    assert_eq!(read(&cos, &a, &sha256(&y)), Err(CosError::NotFound));
    assert_eq!(read(&cos, &a, &sha256(&x)).unwrap(), x);

    // A file larger than the quota is refused as soon as it outgrows it.
    let big = content(13, 101);
    let grant = request(&cos, &a, &sha256(&big), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    assert_eq!(
        write_all(&cos, &a, write_id, &big),
        Err(CosError::QuotaExceeded {
            quota: 100,
            requested: 101
        })
    );

    // Shared entries cannot be evicted: b also stores x and z, so a is stuck at 80.
    store(&cos, &b, &x, None).unwrap();
    store(&cos, &b, &z, None).unwrap();
    assert_eq!(
        store(&cos, &a, &content(14, 40), None),
        Err(CosError::QuotaExceeded {
            quota: 100,
            requested: 40
        })
    );
    // A rejected or unverified write never evicts.
    let lonely = content(15, 30);
    let (cos2, _) = memory(CosConfig {
        quota_per_origin_bytes: 100,
        ..config()
    });
    store(&cos2, &a, &lonely, None).unwrap();
    let wrong = sha256(&content(16, 90));
    assert_eq!(
        store_as(&cos2, &a, &wrong, &content(17, 90), None)
            .unwrap_err()
            .name(),
        "DataError"
    );
    assert_eq!(read(&cos2, &a, &sha256(&lonely)).unwrap(), lonely);
}

#[test]
fn clearing_revokes_and_collects() {
    let (cos, _) = memory(config());
    let a = origin("https://a.site.example");
    let apex = origin("https://site.example");
    let b = origin("https://b.example");
    let shared = content(20, 100);
    let only_a = content(21, 100);
    let only_apex = content(22, 100);
    let only_b = content(23, 100);
    store(&cos, &a, &shared, None).unwrap();
    store(&cos, &b, &shared, None).unwrap();
    let handle = store(&cos, &a, &only_a, None).unwrap();
    store(&cos, &apex, &only_apex, None).unwrap();
    store(&cos, &b, &only_b, list_of(&["https://a.site.example"])).unwrap();

    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::ClearOrigin {
        origin: a.clone(),
        reply,
    });
    assert_eq!(receiver.recv().unwrap(), 1);
    assert_eq!(
        read_handle(&cos, &a, handle).unwrap_err(),
        CosError::NotFound,
        "granted before the clear"
    );
    assert_eq!(read(&cos, &b, &sha256(&shared)).unwrap(), shared);
    let entry = list(&cos)
        .into_iter()
        .find(|e| e.hash == sha256(&shared))
        .unwrap();
    assert_eq!(entry.grants.storing_origins, vec![b.clone()]);
    assert_eq!(
        read(&cos, &a, &sha256(&only_b)),
        Err(CosError::NotFound),
        "list grant revoked"
    );

    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::ClearSite {
        site: "site.example".to_owned(),
        reply,
    });
    assert_eq!(receiver.recv().unwrap(), 1);
    assert_eq!(
        read(&cos, &apex, &sha256(&only_apex)),
        Err(CosError::NotFound)
    );

    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::DeleteEntry {
        hash: sha256(&only_b),
        reply,
    });
    assert!(receiver.recv().unwrap());
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::ClearAll(reply));
    assert_eq!(receiver.recv().unwrap(), 1);
    assert!(list(&cos).is_empty());
}

#[test]
fn restart_keeps_entries_grants_and_budget() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(5_000));
    let cfg = CosConfig {
        probe_budget: 1,
        ..config()
    };
    let storer = origin("https://a.example");
    let listed = origin("https://listed.example");
    let bytes = content(40, 3 * CHUNK_BYTES);
    let cos = start(Some(dir.path()), cfg.clone(), clock.clone());
    store(&cos, &storer, &bytes, list_of(&["https://listed.example"])).unwrap();
    assert_eq!(
        read(&cos, &listed, &sha256(b"probe")),
        Err(CosError::NotFound)
    );
    exit(&cos);

    let root = store_root(dir.path());
    assert!(root.join("registry.sqlite").exists());
    let blob = root
        .join("blobs/sha-256")
        .join(&sha256(&bytes).value()[0..2])
        .join(&sha256(&bytes).value()[2..4])
        .join(sha256(&bytes).value());
    assert_eq!(fs::read(&blob).unwrap(), bytes);
    // An orphan from an interrupted session is swept at startup.
    fs::write(root.join("tmp/orphan"), b"partial").unwrap();

    let cos = start(Some(dir.path()), cfg.clone(), clock.clone());
    assert_eq!(read(&cos, &storer, &sha256(&bytes)).unwrap(), bytes);
    assert_eq!(fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    // The budget persisted: the listed origin already spent its one probe.
    assert_eq!(
        read(&cos, &listed, &sha256(&bytes)),
        Err(CosError::NotFound)
    );
    exit(&cos);

    // A row whose blob vanished reads as absent, without crashing.
    fs::remove_file(&blob).unwrap();
    let cos = start(Some(dir.path()), cfg, clock);
    assert_eq!(
        read(&cos, &storer, &sha256(&bytes)),
        Err(CosError::NotFound)
    );
    exit(&cos);
}

#[test]
fn ephemeral_stores_write_nothing_to_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(0));
    let a = origin("https://a.example");
    for cfg in [
        CosConfig {
            ephemeral: true,
            ..config()
        },
        config(),
    ] {
        let temporary = !cfg.ephemeral;
        let options = cross_origin_storage::CosThreadOptions {
            config_dir: Some(dir.path().to_path_buf()),
            temporary,
            config: cfg,
            clock: clock.clone(),
            disk_capacity: None,
            snapshots: None,
        };
        let cos = Cos::new(cross_origin_storage::new_cross_origin_storage_thread_with(
            options,
            profile::mem::Profiler::create(),
            "private".to_owned(),
        ));
        store(&cos, &a, b"private bytes", None).unwrap();
        assert_eq!(
            read(&cos, &a, &sha256(b"private bytes")).unwrap(),
            b"private bytes"
        );
        exit(&cos);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

#[test]
fn memory_reports_and_forged_inputs_do_not_break_the_thread() {
    let (cos, _) = memory(config());
    let (sender, receiver) = generic_channel::channel().unwrap();
    cos.control(CosControlMsg::CollectMemoryReport(
        profile_traits::mem::ReportsChan(sender),
    ));
    let reports = receiver.recv().unwrap();
    assert!(
        reports
            .reports
            .iter()
            .any(|r| r.path.contains(&"cross-origin-storage".to_owned()))
    );
    let a = origin("https://a.example");
    cos.send(CosMsg::ReleaseHandle {
        handle_id: 1,
        origin: a.clone(),
    })
    .unwrap();
    let too_many = OriginsInput::List((0..101).map(|i| format!("https://{i}.example")).collect());
    assert_eq!(
        request(&cos, &a, &sha256(b"x"), true, Some(too_many))
            .unwrap_err()
            .name(),
        "TypeError"
    );
    store(&cos, &a, b"still alive", None).unwrap();
}

/// Quota is counted per site by default: a site's subdomains share one allowance, so a second
/// subdomain's store must make room within it (here by evicting the first one's entry, the
/// site's least recently read). Counted per origin (`limits_key = "origin"`), each has its own.
#[test]
fn subdomains_share_one_quota_unless_keyed_per_origin() {
    let first = origin("https://one.site.example");
    let second = origin("https://two.site.example");
    let older = content(60, 600);
    let newer = content(61, 600);
    for (limit_key, both_kept) in [(LimitKey::Site, false), (LimitKey::Origin, true)] {
        let (cos, clock) = memory(CosConfig {
            quota_per_origin_bytes: 1_000,
            limit_key,
            ..config()
        });
        store(&cos, &first, &older, None).unwrap();
        clock.advance(1_000);
        store(&cos, &second, &newer, None).unwrap();
        assert_eq!(read(&cos, &second, &sha256(&newer)).unwrap(), newer);
        assert_eq!(
            read(&cos, &first, &sha256(&older)).is_ok(),
            both_kept,
            "{limit_key:?}"
        );
        let stored: u64 = list(&cos).iter().map(|e| e.size).sum();
        assert_eq!(stored, if both_kept { 1_200 } else { 600 });
    }
}

/// An entry another origin of the same site already stores costs the site nothing more.
#[test]
fn a_site_is_charged_once_for_bytes_two_of_its_origins_store() {
    let (cos, _) = memory(CosConfig {
        quota_per_origin_bytes: 1_000,
        ..config()
    });
    let bytes = content(62, 700);
    store(&cos, &origin("https://one.site.example"), &bytes, None).unwrap();
    store(&cos, &origin("https://two.site.example"), &bytes, None).unwrap();
    // Were it charged twice, 1,400 bytes would be over the quota and the second store would
    // have to evict the first, the only entry, and still not fit.
    assert_eq!(list(&cos).len(), 1);
    assert_eq!(list(&cos)[0].grants.storing_origins.len(), 2);
}

/// A damaged index is neither trusted nor silently swapped for a memory store: it is moved
/// aside, and the blobs stay on disk as entries nobody may read until a store verifies them
/// again. The store stays persistent afterwards.
#[test]
fn a_corrupt_index_is_quarantined_and_rebuilt_from_the_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(5_000));
    let a = origin("https://a.example");
    let bytes = content(80, 3000);
    let hash = sha256(&bytes);
    let cos = start(Some(dir.path()), config(), clock.clone());
    store(&cos, &a, &bytes, star()).unwrap();
    exit(&cos);

    let root = store_root(dir.path());
    let index = root.join("registry.sqlite");
    let mut damaged = fs::read(&index).unwrap();
    damaged[..100].fill(0x5a);
    fs::write(&index, &damaged).unwrap();

    let cos = start(Some(dir.path()), config(), clock.clone());
    // The thread opens its store before it answers anything.
    let entries = list(&cos);
    assert_eq!(
        fs::read(root.join("registry.sqlite.corrupt")).unwrap(),
        damaged,
        "the damaged index is kept aside, unchanged"
    );
    assert_eq!(entries.len(), 1, "the blob was adopted, not orphaned");
    assert_eq!(entries[0].hash, hash);
    assert!(entries[0].grants.storing_origins.is_empty());
    // The lost grants are not guessed: nobody reads the entry until it is stored again.
    assert_eq!(read(&cos, &a, &hash), Err(CosError::NotFound));
    assert_eq!(
        store_as(&cos, &a, &hash, b"other bytes", None)
            .unwrap_err()
            .name(),
        "DataError"
    );
    store(&cos, &a, &bytes, None).unwrap();
    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);
    exit(&cos);

    // The rebuilt index is on disk: a restart still has the entry.
    let cos = start(Some(dir.path()), config(), clock);
    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);
    exit(&cos);
}

/// `Clear-Site-Data: "storage"` on a document's response clears that origin's grants and
/// usage; entries another origin also stores stay theirs.
#[test]
fn clear_site_data_clears_only_the_responding_origin() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let sub = origin("https://sub.a.example");
    let b = origin("https://b.example");
    let only_a = content(90, 300);
    let shared = content(91, 300);
    let only_sub = content(92, 300);
    store(&cos, &a, &only_a, None).unwrap();
    store(&cos, &a, &shared, star()).unwrap();
    store(&cos, &b, &shared, star()).unwrap();
    store(&cos, &sub, &only_sub, None).unwrap();

    cos.send(CosMsg::ClearSiteData { origin: a.clone() })
        .unwrap();
    let entries = list(&cos);
    let hashes: Vec<ContentHash> = entries.iter().map(|e| e.hash.clone()).collect();
    assert!(!hashes.contains(&sha256(&only_a)), "a's own entry went");
    assert!(
        hashes.contains(&sha256(&shared)),
        "b still stores the shared one"
    );
    assert!(
        hashes.contains(&sha256(&only_sub)),
        "another origin of the site keeps its own"
    );
    let shared_entry = entries.iter().find(|e| e.hash == sha256(&shared)).unwrap();
    assert_eq!(shared_entry.grants.storing_origins, vec![b.clone()]);
    assert_eq!(read(&cos, &b, &sha256(&shared)).unwrap(), shared);
    assert_eq!(read(&cos, &sub, &sha256(&only_sub)).unwrap(), only_sub);
}
