/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The SQLite index on its own: grants round-trip, usage is charged to every storing origin,
//! revocation and collection, the probe budget's window, and the persistent secret.

use cross_origin_storage::registry::Registry;
use cross_origin_storage_traits::{ContentHash, HashAlgorithm, MergePolicy, RequestedOrigins};
use servo_url::{ImmutableOrigin, ServoUrl};
fn origin(s: &str) -> ImmutableOrigin {
    ServoUrl::parse(s).unwrap().origin()
}

fn hash(n: u8) -> ContentHash {
    ContentHash::from_digest(HashAlgorithm::Sha256, &[n; 32]).unwrap()
}

fn store(
    registry: &mut Registry,
    n: u8,
    size: u64,
    by: &str,
    requested: Option<RequestedOrigins>,
    now: u64,
) {
    let mut grants = registry
        .entry(&hash(n))
        .unwrap()
        .map(|r| r.grants)
        .unwrap_or_default();
    grants.record_store(&origin(by), requested.as_ref(), 100, MergePolicy::DropNew);
    registry
        .commit_store(&hash(n), size, &grants, &origin(by), now, &[])
        .unwrap();
}

#[test]
fn grants_round_trip_and_usage_charges_every_storer() {
    let mut registry = Registry::memory().unwrap();
    let listed = origin("https://listed.example");
    store(
        &mut registry,
        1,
        100,
        "https://a.example",
        Some(RequestedOrigins::List(vec![listed.clone()])),
        10,
    );
    store(
        &mut registry,
        1,
        100,
        "https://b.example",
        Some(RequestedOrigins::All),
        20,
    );
    store(&mut registry, 2, 50, "https://a.example", None, 30);
    let row = registry.entry(&hash(1)).unwrap().unwrap();
    assert_eq!(
        row.grants.storing_origins,
        vec![origin("https://a.example"), origin("https://b.example")]
    );
    assert_eq!(row.grants.origins, vec![listed]);
    assert!(row.grants.globally_disclosable);
    let a = origin("https://a.example");
    let b = origin("https://b.example");
    let usage = |counts: &dyn Fn(&ImmutableOrigin) -> bool| registry.charges(counts).unwrap().usage;
    assert_eq!(usage(&|o| *o == a), 150);
    assert_eq!(usage(&|o| *o == b), 100);
    // An entry two counted origins store is charged once.
    assert_eq!(usage(&|o| *o == a || *o == b), 150);
    assert_eq!(
        registry
            .stored_at(&hash(1), &origin("https://b.example"))
            .unwrap(),
        Some(20)
    );
    assert_eq!(
        registry
            .stored_at(&hash(2), &origin("https://b.example"))
            .unwrap(),
        None
    );
    let owned = |owns: &dyn Fn(&ImmutableOrigin) -> bool| -> Vec<ContentHash> {
        let mut owned: Vec<ContentHash> = registry
            .charges(owns)
            .unwrap()
            .owned
            .into_iter()
            .map(|c| c.hash)
            .collect();
        owned.sort_by_key(|h| h.to_string());
        owned
    };
    assert_eq!(owned(&|o| *o == a), vec![hash(2)]);
    let mut both = vec![hash(1), hash(2)];
    both.sort_by_key(|h| h.to_string());
    assert_eq!(owned(&|o| *o == a || *o == b), both);
    assert!(owned(&|o| *o == b).is_empty());
}

#[test]
fn revoke_and_gc() {
    let mut registry = Registry::memory().unwrap();
    store(&mut registry, 1, 10, "https://a.example", None, 1);
    store(&mut registry, 1, 10, "https://b.example", None, 1);
    store(&mut registry, 2, 10, "https://a.example", None, 1);
    store(
        &mut registry,
        3,
        10,
        "https://c.example",
        Some(RequestedOrigins::List(vec![origin("https://a.example")])),
        1,
    );
    let a = origin("https://a.example");
    let deleted = registry.revoke(|o| *o == a).unwrap();
    assert_eq!(deleted, vec![hash(2)]);
    let shared = registry.entry(&hash(1)).unwrap().unwrap();
    assert_eq!(
        shared.grants.storing_origins,
        vec![origin("https://b.example")]
    );
    assert!(
        registry
            .entry(&hash(3))
            .unwrap()
            .unwrap()
            .grants
            .origins
            .is_empty()
    );
    assert_eq!(registry.charges(|o| *o == a).unwrap().usage, 0);
    assert_eq!(registry.clear_all().unwrap(), 2);
    assert!(registry.all_candidates().unwrap().is_empty());
}

#[test]
fn probe_budget_counts_distinct_hashes_per_window() {
    let mut registry = Registry::memory().unwrap();
    let (a, b) = ("a.example", "b.example");
    assert!(registry.charge_probe(a, &hash(1), 0, 1000, 2).unwrap());
    assert!(registry.charge_probe(a, &hash(2), 1, 1000, 2).unwrap());
    assert!(
        registry.charge_probe(a, &hash(1), 2, 1000, 2).unwrap(),
        "re-probe is free"
    );
    assert!(!registry.charge_probe(a, &hash(3), 3, 1000, 2).unwrap());
    assert!(
        registry.charge_probe(b, &hash(3), 3, 1000, 2).unwrap(),
        "budgets are per key"
    );
    assert!(
        registry.charge_probe(a, &hash(3), 1001, 1000, 2).unwrap(),
        "window expired"
    );
}

#[test]
fn the_secret_persists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    let first = Registry::open(&path).unwrap().secret().unwrap();
    let again = Registry::open(&path).unwrap().secret().unwrap();
    assert_eq!(first, again);
    assert_ne!(Registry::memory().unwrap().secret().unwrap(), first);
}
