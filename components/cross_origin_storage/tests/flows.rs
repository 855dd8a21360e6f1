/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! End-to-end flows through the thread's channels, in-process.

mod common;

use std::fs;
use std::sync::Arc;

use common::*;
use cross_origin_storage::{ManualClock, store_root};
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosConfig, CosControlMsg, CosError, CosMsg, HashAlgorithm, LimitKey,
    MAX_COS_WRITE_FILE_BYTES, MAX_HANDLES_PER_ORIGIN, MAX_OPEN_WRITES_PER_ORIGIN,
    MAX_REQUEST_HASHES, OriginsInput, ProbeBudgetKey, WriteCommand,
};
use servo_base::generic_channel::{self, GenericCallback};
use servo_default_resources as _;
use servo_url::ImmutableOrigin;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn memory(config: CosConfig) -> (Cos, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_000));
    (start(None, config, clock.clone()), clock)
}

#[test]
fn store_then_read_back_in_chunks() {
    let (cos, clock) = memory(config());
    let a = origin("https://a.example");
    let bytes = content(1, 2 * CHUNK_BYTES + 12_345);
    let hash = sha256(&bytes);

    let grant = request(&cos, &a, &hash, true, None).unwrap();
    assert!(!grant.may_read && grant.writable);
    assert_eq!(
        read_handle(&cos, &a, grant.handle_id).unwrap_err().name(),
        "NotAllowedError"
    );
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    write_all(&cos, &a, write_id, &bytes).unwrap();
    clock.set(42_000);
    close(&cos, &a, write_id).unwrap();

    let (read_back, metadata) = read_handle(&cos, &a, grant.handle_id).unwrap();
    assert_eq!(read_back, bytes);
    assert_eq!(
        metadata.last_modified_ms, 42_000,
        "the reader's own storage time"
    );
    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);
    // A same-site reader that never stored gets 0, never the storer's time.
    let sibling = origin("https://b.a.example");
    let sibling_grant = request(&cos, &sibling, &hash, false, None).unwrap();
    assert_eq!(
        read_handle(&cos, &sibling, sibling_grant.handle_id)
            .unwrap()
            .1
            .last_modified_ms,
        0
    );
    exit(&cos);
}

#[test]
fn algorithm_names_and_other_algorithms() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let bytes = b"sha-512 bytes".to_vec();
    use sha2::Digest;
    let hash =
        ContentHash::from_digest(HashAlgorithm::Sha512, &sha2::Sha512::digest(&bytes)).unwrap();
    store_as(&cos, &a, &hash, &bytes, None).unwrap();
    assert_eq!(read(&cos, &a, &hash).unwrap(), bytes);

    let only_256 = CosConfig {
        allowed_algorithms: vec![HashAlgorithm::Sha256],
        ..config()
    };
    let (strict, _) = memory(only_256);
    assert_eq!(
        request(&strict, &a, &hash, true, None).unwrap_err().name(),
        "TypeError"
    );
    assert_eq!(
        request(&strict, &a, &hash, false, None).unwrap_err().name(),
        "TypeError"
    );
    let bad_origins = list_of(&["not a url"]);
    assert_eq!(
        request(&strict, &a, &sha256(b"x"), false, bad_origins)
            .unwrap_err()
            .name(),
        "TypeError"
    );
    let opaque = servo_url::ImmutableOrigin::new_opaque();
    assert_eq!(
        request(&strict, &opaque, &sha256(b"x"), true, None)
            .unwrap_err()
            .name(),
        "NotAllowedError"
    );
}

#[test]
fn disclosure_follows_the_three_grants() {
    let (cos, _) = memory(config());
    let storer = origin("https://a.site.example");
    let same_site = origin("https://b.site.example");
    let listed = origin("https://listed.example");
    let cross_site = origin("https://other.example");
    let http_same_host = origin("http://a.site.example");

    let private = content(2, 1000);
    store(&cos, &storer, &private, None).unwrap();
    let shared = content(3, 1000);
    store(&cos, &storer, &shared, list_of(&["https://listed.example"])).unwrap();

    assert_eq!(read(&cos, &storer, &sha256(&private)).unwrap(), private);
    assert_eq!(read(&cos, &same_site, &sha256(&private)).unwrap(), private);
    for outsider in [&listed, &cross_site, &http_same_host] {
        assert_eq!(
            read(&cos, outsider, &sha256(&private)),
            Err(CosError::NotFound)
        );
    }
    assert_eq!(read(&cos, &listed, &sha256(&shared)).unwrap(), shared);
    assert_eq!(
        read(&cos, &cross_site, &sha256(&shared)),
        Err(CosError::NotFound)
    );
    // Never stored: the identical error.
    assert_eq!(
        read(&cos, &storer, &sha256(b"never")),
        Err(CosError::NotFound)
    );
}

#[test]
fn the_global_grant_needs_the_phl_and_survives_no_grease() {
    let public = content(4, 2000);
    let unlisted = content(5, 2000);
    let dir = tempfile::tempdir().unwrap();
    let phl = dir.path().join("phl.dat");
    fs::write(
        &phl,
        format!(
            "// ===BEGIN SHA-256===\n{}\n// ===END SHA-256===\n",
            sha256(&public).value()
        ),
    )
    .unwrap();
    let storer = origin("https://cdn.example");
    let stranger = origin("https://stranger.example");
    let with_phl = CosConfig {
        phl_path: phl.to_str().unwrap().to_owned(),
        ..config()
    };

    let (cos, _) = memory(with_phl.clone());
    store(&cos, &storer, &public, star()).unwrap();
    store(&cos, &storer, &unlisted, star()).unwrap();
    assert_eq!(read(&cos, &stranger, &sha256(&public)).unwrap(), public);
    assert_eq!(
        read(&cos, &stranger, &sha256(&unlisted)),
        Err(CosError::NotFound)
    );

    // GREASE at 100%: the global-only reader is refused, the storer never is.
    let (greased, _) = memory(CosConfig {
        grease_per_mille: 1000,
        ..with_phl.clone()
    });
    store(&greased, &storer, &public, star()).unwrap();
    assert_eq!(
        read(&greased, &stranger, &sha256(&public)),
        Err(CosError::NotFound)
    );
    assert_eq!(read(&greased, &storer, &sha256(&public)).unwrap(), public);
    // Entries at or above the size threshold are never GREASEd.
    let (large, _) = memory(CosConfig {
        grease_per_mille: 1000,
        grease_max_bytes: 1000,
        ..with_phl.clone()
    });
    store(&large, &storer, &public, star()).unwrap();
    assert_eq!(read(&large, &stranger, &sha256(&public)).unwrap(), public);

    // A corrupt or missing list fails closed.
    let (closed, _) = memory(CosConfig {
        phl_path: dir.path().join("missing.dat").to_str().unwrap().to_owned(),
        ..config()
    });
    store(&closed, &storer, &public, star()).unwrap();
    assert_eq!(
        read(&closed, &stranger, &sha256(&public)),
        Err(CosError::NotFound)
    );
}

#[test]
fn mismatches_store_nothing_and_empty_files_verify() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let claimed = sha256(b"the real bytes");
    let grant = request(&cos, &a, &claimed, true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    write_all(&cos, &a, write_id, b"other bytes").unwrap();
    assert_eq!(close(&cos, &a, write_id).unwrap_err().name(), "DataError");
    assert_eq!(read(&cos, &a, &claimed), Err(CosError::NotFound));
    assert_eq!(
        read_handle(&cos, &a, grant.handle_id).unwrap_err().name(),
        "NotAllowedError"
    );
    // The session is gone after close.
    assert_eq!(
        close(&cos, &a, write_id).unwrap_err().name(),
        "NotAllowedError"
    );

    // Zero bytes: DataError unless the hash is SHA-256("").
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    assert_eq!(close(&cos, &a, write_id).unwrap_err().name(), "DataError");
    let empty = ContentHash::new(HashAlgorithm::Sha256, EMPTY_SHA256).unwrap();
    let grant = request(&cos, &a, &empty, true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(read(&cos, &a, &empty).unwrap(), Vec::<u8>::new());
    assert!(list(&cos).iter().all(|e| e.hash != claimed));
}

#[test]
fn seeks_and_truncates_verify_the_final_bytes() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let final_bytes = b"aXcd\0\0Z".to_vec();
    let hash = sha256(&final_bytes);
    let grant = request(&cos, &a, &hash, true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    let write = |bytes: &[u8], position| WriteCommand::Write {
        position,
        bytes: bytes.to_vec(),
    };
    command(&cos, &a, write_id, write(b"abcdef", None)).unwrap();
    command(&cos, &a, write_id, WriteCommand::Seek(1)).unwrap();
    command(&cos, &a, write_id, write(b"X", None)).unwrap();
    command(&cos, &a, write_id, WriteCommand::Truncate(4)).unwrap();
    command(&cos, &a, write_id, write(b"Z", Some(6))).unwrap();
    for too_far in [
        WriteCommand::Truncate(MAX_COS_WRITE_FILE_BYTES + 1),
        WriteCommand::Seek(MAX_COS_WRITE_FILE_BYTES + 1),
        write(b"x", Some(MAX_COS_WRITE_FILE_BYTES)),
    ] {
        assert_eq!(
            command(&cos, &a, write_id, too_far).unwrap_err().name(),
            "QuotaExceededError"
        );
    }
    close(&cos, &a, write_id).unwrap();
    assert_eq!(
        read_handle(&cos, &a, grant.handle_id).unwrap().0,
        final_bytes
    );
}

#[test]
fn in_progress_writes_are_invisible_and_ids_are_bound_to_origins() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let evil = origin("https://evil.example");
    let bytes = content(6, 5000);
    let hash = sha256(&bytes);
    let grant = request(&cos, &a, &hash, true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    write_all(&cos, &a, write_id, &bytes).unwrap();
    assert_eq!(
        read(&cos, &a, &hash),
        Err(CosError::NotFound),
        "even for the writer"
    );

    let not_allowed = "NotAllowedError";
    assert_eq!(
        create_writable(&cos, &evil, grant.handle_id)
            .unwrap_err()
            .name(),
        not_allowed
    );
    assert_eq!(
        write_all(&cos, &evil, write_id, b"x").unwrap_err().name(),
        not_allowed
    );
    assert_eq!(
        close(&cos, &evil, write_id).unwrap_err().name(),
        not_allowed
    );
    assert_eq!(close(&cos, &a, 12345).unwrap_err().name(), not_allowed);
    cos.send(CosMsg::Abort {
        write_id,
        origin: evil.clone(),
    })
    .unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(
        read_handle(&cos, &evil, grant.handle_id)
            .unwrap_err()
            .name(),
        not_allowed
    );

    let read_grant = request(&cos, &a, &hash, false, None).unwrap();
    assert_eq!(
        create_writable(&cos, &a, read_grant.handle_id)
            .unwrap_err()
            .name(),
        not_allowed
    );

    // Abort discards a session; nothing is stored.
    let other = content(7, 100);
    let grant = request(&cos, &a, &sha256(&other), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    write_all(&cos, &a, write_id, &other).unwrap();
    cos.send(CosMsg::Abort {
        write_id,
        origin: a.clone(),
    })
    .unwrap();
    assert_eq!(close(&cos, &a, write_id).unwrap_err().name(), not_allowed);
    assert_eq!(read(&cos, &a, &sha256(&other)), Err(CosError::NotFound));
}

#[test]
fn concurrent_writers_verify_independently_and_merge() {
    let (cos, _) = memory(config());
    let bytes = content(8, 3 * CHUNK_BYTES / 2);
    let hash = sha256(&bytes);
    let [a, b, c, d] = [
        "https://a.example",
        "https://b.example",
        "https://c.example",
        "https://d.example",
    ]
    .map(origin);
    let open = |o| {
        let grant = request(&cos, o, &hash, true, None).unwrap();
        (
            grant.handle_id,
            create_writable(&cos, o, grant.handle_id).unwrap(),
        )
    };
    let (ha, wa) = open(&a);
    let (_, wb) = open(&b);
    let (hc, wc) = open(&c);
    let (hd, _) = open(&d);
    // Interleave chunk by chunk; b writes garbage.
    for chunk in bytes.chunks(CHUNK_BYTES / 2) {
        write_all(&cos, &a, wa, chunk).unwrap();
        write_all(&cos, &b, wb, &vec![0u8; chunk.len()]).unwrap();
        write_all(&cos, &c, wc, chunk).unwrap();
    }
    assert_eq!(close(&cos, &b, wb).unwrap_err().name(), "DataError");
    close(&cos, &a, wa).unwrap();
    close(&cos, &c, wc).unwrap();
    assert_eq!(read_handle(&cos, &a, ha).unwrap().0, bytes);
    assert_eq!(read_handle(&cos, &c, hc).unwrap().0, bytes);
    // Another origin's create handle stays unreadable until its own verified close.
    assert_eq!(
        read_handle(&cos, &d, hd).unwrap_err().name(),
        "NotAllowedError"
    );
    let entries = list(&cos);
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].grants.storing_origins,
        vec![a.clone(), c.clone()]
    );
    assert_eq!(read(&cos, &b, &hash), Err(CosError::NotFound));
}

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
fn probe_budget_counts_distinct_cross_site_hashes() {
    let (cos, clock) = memory(CosConfig {
        probe_budget: 2,
        probe_budget_window_secs: 60,
        ..config()
    });
    let storer = origin("https://a.example");
    let reader = origin("https://reader.example");
    let entries: Vec<Vec<u8>> = (30..33).map(|seed| content(seed, 64)).collect();
    for bytes in &entries {
        store(&cos, &storer, bytes, list_of(&["https://reader.example"])).unwrap();
    }
    let hash = |i: usize| sha256(&entries[i]);
    assert!(read(&cos, &reader, &hash(0)).is_ok());
    assert!(read(&cos, &reader, &hash(1)).is_ok());
    assert_eq!(read(&cos, &reader, &hash(2)), Err(CosError::NotFound));
    assert!(
        read(&cos, &reader, &hash(0)).is_ok(),
        "charged hashes keep their answer"
    );
    for _ in 0..20 {
        assert!(
            read(&cos, &storer, &hash(2)).is_ok(),
            "storers are never charged"
        );
    }
    clock.advance(61_000);
    assert!(read(&cos, &reader, &hash(2)).is_ok(), "a new window");
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

#[test]
fn the_ceiling_bounds_list_grants_and_site_clearing_respects_label_boundaries() {
    let (cos, _) = memory(config());
    let storer = origin("https://a.example");
    let allowed = origin("https://allowed.example");
    let refused = origin("https://refused.example");
    let bytes = content(50, 100);
    let hash = sha256(&bytes);
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.send(CosMsg::RequestFileHandle {
        origin: storer.clone(),
        hash: hash.clone(),
        create: true,
        origins: list_of(&["https://allowed.example", "https://refused.example"]),
        ceiling: Some(vec![allowed.clone()]),
        top_level: None,
        reply,
    })
    .unwrap();
    let grant = receiver.recv().unwrap().unwrap();
    let write_id = create_writable(&cos, &storer, grant.handle_id).unwrap();
    write_all(&cos, &storer, write_id, &bytes).unwrap();
    close(&cos, &storer, write_id).unwrap();
    assert_eq!(read(&cos, &allowed, &hash).unwrap(), bytes);
    assert_eq!(read(&cos, &refused, &hash), Err(CosError::NotFound));

    // "site.example" must not match "notsite.example".
    let lookalike = origin("https://notsite.example");
    store(&cos, &lookalike, b"lookalike", None).unwrap();
    let (reply, receiver) = GenericCallback::new_blocking().unwrap();
    cos.control(CosControlMsg::ClearSite {
        site: "site.example".to_owned(),
        reply,
    });
    assert_eq!(receiver.recv().unwrap(), 0);
    assert_eq!(
        read(&cos, &lookalike, &sha256(b"lookalike")).unwrap(),
        b"lookalike"
    );
}

#[test]
fn lru_merge_policy_evicts_the_least_recently_read_listed_origin() {
    let (cos, _) = memory(CosConfig {
        max_origins: 2,
        merge_policy: cross_origin_storage_traits::MergePolicy::Lru,
        ..config()
    });
    let storer = origin("https://a.example");
    let bytes = content(51, 100);
    let hash = sha256(&bytes);
    store(
        &cos,
        &storer,
        &bytes,
        list_of(&["https://one.example", "https://two.example"]),
    )
    .unwrap();
    // one.example reads, so two.example is now the least recently read.
    assert!(read(&cos, &origin("https://one.example"), &hash).is_ok());
    store(&cos, &storer, &bytes, list_of(&["https://three.example"])).unwrap();
    assert!(read(&cos, &origin("https://one.example"), &hash).is_ok());
    assert!(read(&cos, &origin("https://three.example"), &hash).is_ok());
    assert_eq!(
        read(&cos, &origin("https://two.example"), &hash),
        Err(CosError::NotFound)
    );
}

#[test]
fn the_plural_request_grants_every_handle_or_none() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let first = content(60, 1000);
    let second = content(61, 2000);
    store(&cos, &a, &first, None).unwrap();
    store(&cos, &a, &second, None).unwrap();
    let hashes = [sha256(&first), sha256(&second)];

    // Reads: one readable handle per hash, in order.
    let grants = request_many(&cos, &a, &hashes, false, None).unwrap();
    assert_eq!(grants.len(), 2);
    assert!(grants.iter().all(|g| g.may_read && !g.writable));
    assert_eq!(read_handle(&cos, &a, grants[0].handle_id).unwrap().0, first);
    assert_eq!(
        read_handle(&cos, &a, grants[1].handle_id).unwrap().0,
        second
    );

    // A miss in any position fails the whole request with NotFoundError.
    let missing = sha256(b"never stored");
    for list in [
        vec![missing.clone(), hashes[0].clone()],
        vec![hashes[0].clone(), missing.clone()],
        vec![hashes[0].clone(), missing.clone(), hashes[1].clone()],
    ] {
        assert_eq!(
            request_many(&cos, &a, &list, false, None),
            Err(CosError::NotFound)
        );
    }

    // Another site sees none of them, however they are asked for.
    let b = origin("https://b.example");
    assert_eq!(
        request_many(&cos, &b, &hashes, false, None),
        Err(CosError::NotFound)
    );

    // An empty list asks for nothing and gets nothing.
    assert_eq!(request_many(&cos, &a, &[], false, None), Ok(vec![]));
}

#[test]
fn plural_creates_register_nothing_until_each_verified_close() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let stored = content(62, 500);
    store(&cos, &a, &stored, None).unwrap();
    let hash = sha256(&stored);

    // (That the handle granted for the first hash is released is checked on the thread's own
    // handle table, in thread.rs.)
    let failed = request_many(&cos, &a, &[hash.clone(), sha256(b"absent")], false, None);
    assert_eq!(failed, Err(CosError::NotFound));

    // Creates: handles for every hash, nothing stored until a verified close.
    let new_bytes = content(63, 300);
    let grants = request_many(
        &cos,
        &a,
        &[sha256(&new_bytes), sha256(b"other")],
        true,
        star(),
    )
    .unwrap();
    assert!(grants.iter().all(|g| g.writable && !g.may_read));
    assert_eq!(list(&cos).len(), 1, "a create request registers nothing");
    let write_id = create_writable(&cos, &a, grants[0].handle_id).unwrap();
    write_all(&cos, &a, write_id, &new_bytes).unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(list(&cos).len(), 2);

    // A bad origins list fails every create with a TypeError and grants nothing.
    let too_many = OriginsInput::List((0..101).map(|i| format!("https://{i}.example")).collect());
    assert_eq!(
        request_many(&cos, &a, &[sha256(b"x")], true, Some(too_many))
            .unwrap_err()
            .name(),
        "TypeError"
    );
}

#[test]
fn an_overlong_plural_request_is_refused_whole() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let hashes: Vec<_> = (0..=MAX_REQUEST_HASHES as u64)
        .map(|i| sha256(&i.to_le_bytes()))
        .collect();
    let error = request_many(&cos, &a, &hashes, true, None).unwrap_err();
    assert_eq!(error.name(), "TypeError");
    assert_eq!(
        request_many(&cos, &a, &hashes[..MAX_REQUEST_HASHES], true, None)
            .unwrap()
            .len(),
        MAX_REQUEST_HASHES
    );
}

#[test]
fn a_write_in_parts_succeeds_or_fails_as_one_call() {
    let (cos, _) = memory(CosConfig {
        quota_per_origin_bytes: (2 * CHUNK_BYTES + CHUNK_BYTES / 2) as u64,
        ..config()
    });
    let a = origin("https://a.example");

    // Four parts, the third of which crosses the quota: the one reply is the quota failure, and
    // the fourth part is not applied (the file stops short of it).
    let big = content(70, 4 * CHUNK_BYTES);
    let grant = request(&cos, &a, &sha256(&big), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    let error = write_parts(&cos, &a, write_id, None, &big).unwrap_err();
    assert_eq!(error.name(), "QuotaExceededError");
    // The session goes on after the failed call: a later write() is answered for itself.
    assert_eq!(
        command(&cos, &a, write_id, WriteCommand::Seek(0)),
        Ok(()),
        "the failure was reported once, by the call it belongs to"
    );
    assert_eq!(close(&cos, &a, write_id).unwrap_err().name(), "DataError");
    assert_eq!(read(&cos, &a, &sha256(&big)), Err(CosError::NotFound));

    // Parts whose last part never comes: close reports their failure instead of publishing.
    let bytes = content(71, 3 * CHUNK_BYTES);
    let grant = request(&cos, &a, &sha256(&bytes), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    for part in bytes.chunks(CHUNK_BYTES) {
        cos.send(CosMsg::Write {
            write_id,
            origin: a.clone(),
            command: WriteCommand::Write {
                position: None,
                bytes: part.to_vec(),
            },
            reply: None,
        })
        .unwrap();
    }
    assert_eq!(
        close(&cos, &a, write_id).unwrap_err().name(),
        "QuotaExceededError"
    );
    assert_eq!(read(&cos, &a, &sha256(&bytes)), Err(CosError::NotFound));

    // Parts that all fit store the file; a part for another origin's session is dropped unanswered.
    let fits = content(72, 2 * CHUNK_BYTES + 10);
    let grant = request(&cos, &a, &sha256(&fits), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    cos.send(CosMsg::Write {
        write_id,
        origin: origin("https://intruder.example"),
        command: WriteCommand::Write {
            position: None,
            bytes: b"not yours".to_vec(),
        },
        reply: None,
    })
    .unwrap();
    write_parts(&cos, &a, write_id, None, &fits).unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(read(&cos, &a, &sha256(&fits)).unwrap(), fits);
}

#[test]
fn open_write_sessions_are_capped_per_origin_and_charged_to_its_quota() {
    let quota = 3 * CHUNK_BYTES as u64;
    let (cos, _) = memory(CosConfig {
        quota_per_origin_bytes: quota,
        ..config()
    });
    let a = origin("https://a.example");
    let b = origin("https://b.example");

    // At most MAX_OPEN_WRITES_PER_ORIGIN sessions at once, per origin.
    let mut open = Vec::new();
    for i in 0..MAX_OPEN_WRITES_PER_ORIGIN {
        let grant = request(&cos, &a, &sha256(&i.to_le_bytes()), true, None).unwrap();
        open.push(create_writable(&cos, &a, grant.handle_id).unwrap());
    }
    let extra = request(&cos, &a, &sha256(b"one more"), true, None).unwrap();
    let error = create_writable(&cos, &a, extra.handle_id).unwrap_err();
    assert_eq!(error.name(), "QuotaExceededError");
    // Another origin is not affected, and closing one session makes room again.
    let other = request(&cos, &b, &sha256(b"b's"), true, None).unwrap();
    assert!(create_writable(&cos, &b, other.handle_id).is_ok());
    cos.send(CosMsg::Abort {
        write_id: open.pop().unwrap(),
        origin: a.clone(),
    })
    .unwrap();
    let reopened = create_writable(&cos, &a, extra.handle_id).unwrap();
    for write_id in open {
        cos.send(CosMsg::Abort {
            write_id,
            origin: a.clone(),
        })
        .unwrap();
    }

    // The bytes of all open sessions together stay within the quota: two sessions of two
    // chunks each cannot both be written, though either alone fits.
    let first = content(80, 2 * CHUNK_BYTES);
    let second = content(81, 2 * CHUNK_BYTES);
    write_parts(&cos, &a, reopened, None, &first).unwrap();
    let grant = request(&cos, &a, &sha256(&second), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    let error = write_parts(&cos, &a, write_id, None, &second).unwrap_err();
    assert_eq!(error.name(), "QuotaExceededError");
    cos.send(CosMsg::Abort {
        write_id: reopened,
        origin: a.clone(),
    })
    .unwrap();
    let grant = request(&cos, &a, &sha256(&second), true, None).unwrap();
    let write_id = create_writable(&cos, &a, grant.handle_id).unwrap();
    write_parts(&cos, &a, write_id, None, &second).unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(read(&cos, &a, &sha256(&second)).unwrap(), second);
}

#[test]
fn live_handles_are_capped_per_origin() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let hash = sha256(b"handles");
    let mut grants = Vec::new();
    for _ in 0..MAX_HANDLES_PER_ORIGIN {
        grants.push(request(&cos, &a, &hash, true, None).unwrap());
    }
    let error = request(&cos, &a, &hash, true, None).unwrap_err();
    assert_eq!(error.name(), "QuotaExceededError");
    assert!(request(&cos, &origin("https://b.example"), &hash, true, None).is_ok());
    // A released handle makes room.
    cos.send(CosMsg::ReleaseHandle {
        handle_id: grants[0].handle_id,
        origin: a.clone(),
    })
    .unwrap();
    assert!(request(&cos, &a, &hash, true, None).is_ok());
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

/// The probe budget is one per site: subdomains cannot multiply it.
#[test]
fn subdomains_share_one_probe_budget_unless_keyed_per_origin() {
    let storer = origin("https://a.example");
    let readers = [
        origin("https://one.reader.example"),
        origin("https://two.reader.example"),
        origin("https://three.reader.example"),
    ];
    let listed: Vec<String> = readers
        .iter()
        .map(|o| o.ascii_serialization().into_owned())
        .collect();
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    let entries: Vec<Vec<u8>> = (63..66).map(|seed| content(seed, 64)).collect();
    for (limit_key, third_reads) in [(LimitKey::Site, false), (LimitKey::Origin, true)] {
        let (cos, _) = memory(CosConfig {
            probe_budget: 2,
            probe_budget_key: ProbeBudgetKey::Requester,
            limit_key,
            ..config()
        });
        for bytes in &entries {
            store(&cos, &storer, bytes, list_of(&listed)).unwrap();
        }
        assert!(read(&cos, &readers[0], &sha256(&entries[0])).is_ok());
        assert!(read(&cos, &readers[1], &sha256(&entries[1])).is_ok());
        assert_eq!(
            read(&cos, &readers[2], &sha256(&entries[2])).is_ok(),
            third_reads,
            "{limit_key:?}"
        );
    }
}

/// By default the probe budget is one per top-level site: a page that frames readers of
/// several sites gives them one budget between them, and a reader framed under another
/// top-level site draws on that site's.
#[test]
fn frames_under_one_top_level_site_share_one_probe_budget() {
    let storer = origin("https://a.example");
    let top = origin("https://news.example");
    let other_top = origin("https://blog.example");
    let readers = [
        origin("https://one.example"),
        origin("https://two.example"),
        origin("https://three.example"),
    ];
    let listed = [
        "https://one.example",
        "https://two.example",
        "https://three.example",
    ];
    let entries: Vec<Vec<u8>> = (66..70).map(|seed| content(seed, 64)).collect();
    for (key, third_reads) in [
        (ProbeBudgetKey::TopLevelSite, false),
        (ProbeBudgetKey::Requester, true),
        (ProbeBudgetKey::RequesterAndTopLevelSite, true),
    ] {
        let (cos, _) = memory(CosConfig {
            probe_budget: 2,
            probe_budget_key: key,
            ..config()
        });
        for bytes in &entries {
            store(&cos, &storer, bytes, list_of(&listed)).unwrap();
        }
        let hash = |i: usize| sha256(&entries[i]);
        assert!(read_under(&cos, &readers[0], &top, &hash(0)).is_ok());
        assert!(read_under(&cos, &readers[1], &top, &hash(1)).is_ok());
        assert_eq!(
            read_under(&cos, &readers[2], &top, &hash(2)).is_ok(),
            third_reads,
            "{key:?}: a third site's frame under the same top level"
        );
        assert!(
            read_under(&cos, &readers[2], &other_top, &hash(3)).is_ok(),
            "{key:?}: another top-level site has a budget of its own"
        );
    }
}

/// The caps on open write sessions and live handles are prefs, counted per site.
#[test]
fn session_and_handle_caps_are_prefs_counted_per_site() {
    let (cos, _) = memory(CosConfig {
        max_open_writes: 2,
        max_handles: 5,
        ..config()
    });
    let one = origin("https://one.site.example");
    let two = origin("https://two.site.example");
    let other = origin("https://other.example");
    let open = |who: &ImmutableOrigin, seed: u64| {
        let grant = request(&cos, who, &sha256(&content(seed, 8)), true, None)?;
        create_writable(&cos, who, grant.handle_id)
    };
    open(&one, 70).unwrap();
    open(&two, 71).unwrap();
    let refused = open(&one, 72).unwrap_err();
    assert_eq!(
        refused,
        CosError::QuotaExceeded {
            quota: 2,
            requested: 3
        }
    );
    open(&other, 73).unwrap();
    // Three create handles are live for the site (one from the refused attempt); two more fit.
    request(&cos, &two, &sha256(b"h4"), true, None).unwrap();
    request(&cos, &one, &sha256(b"h5"), true, None).unwrap();
    assert_eq!(
        request(&cos, &two, &sha256(b"h6"), true, None)
            .unwrap_err()
            .name(),
        "QuotaExceededError"
    );
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

/// A serialized handle's copy (`DuplicateHandle`) keeps the state the handle had when it was
/// serialized and lives apart from it; only the handle's own origin can have one filed, and
/// never under an id already taken.
#[test]
fn a_serialized_handle_s_copy_keeps_its_state_and_lives_apart() {
    let (cos, _) = memory(config());
    let a = origin("https://a.example");
    let duplicate = |who: &ImmutableOrigin, handle_id: u64, duplicate: u64| {
        cos.send(CosMsg::DuplicateHandle {
            handle_id,
            origin: who.clone(),
            duplicate,
        })
        .unwrap()
    };
    let bytes = content(80, 300);
    let hash = sha256(&bytes);

    let create = request(&cos, &a, &hash, true, None).unwrap();
    duplicate(&a, create.handle_id, 41);
    let write_id = create_writable(&cos, &a, create.handle_id).unwrap();
    write_all(&cos, &a, write_id, &bytes).unwrap();
    close(&cos, &a, write_id).unwrap();
    assert_eq!(read_handle(&cos, &a, create.handle_id).unwrap().0, bytes);
    assert!(
        read_handle(&cos, &a, 41).is_err(),
        "a copy taken before the close may not read"
    );

    let reader = request(&cos, &a, &hash, false, None).unwrap();
    duplicate(&a, reader.handle_id, 42);
    cos.send(CosMsg::ReleaseHandle {
        handle_id: reader.handle_id,
        origin: a.clone(),
    })
    .unwrap();
    assert_eq!(
        read_handle(&cos, &a, 42).unwrap().0,
        bytes,
        "the copy outlives the handle it was taken from"
    );

    let b = origin("https://b.example");
    duplicate(&b, 42, 43);
    assert!(read_handle(&cos, &b, 43).is_err(), "not b's to copy");
    assert!(read_handle(&cos, &a, 43).is_err());
    duplicate(&a, 41, 42);
    assert_eq!(
        read_handle(&cos, &a, 42).unwrap().0,
        bytes,
        "a taken id keeps its handle"
    );
}
