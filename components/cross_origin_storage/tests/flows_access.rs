/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! End-to-end flows through the thread's channels, in-process: who may read what (the three
//! grants, the Public Hash List and GREASE, ceilings, merge policies), plural requests, the
//! probe budget and handle duplication.

mod common;

use std::fs;

use common::*;
use cross_origin_storage_traits::{
    ContentHash, CosConfig, CosControlMsg, CosError, CosMsg, HashAlgorithm, LimitKey,
    MAX_REQUEST_HASHES, ProbeBudgetKey,
};
use servo_base::generic_channel::GenericCallback;
use servo_default_resources as _;
use servo_url::ImmutableOrigin;

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
