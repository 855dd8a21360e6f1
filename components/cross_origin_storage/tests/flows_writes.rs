/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! End-to-end flows through the thread's channels, in-process: writing and verifying (chunks,
//! seeks, truncation, mismatches, concurrent writers, writes in parts) and the caps on open
//! sessions and live handles.

mod common;

use common::*;
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosConfig, CosError, CosMsg, HashAlgorithm, MAX_COS_WRITE_FILE_BYTES,
    MAX_HANDLES_PER_ORIGIN, MAX_OPEN_WRITES_PER_ORIGIN, OriginsInput, WriteCommand,
};
use servo_default_resources as _;
use servo_url::ImmutableOrigin;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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
