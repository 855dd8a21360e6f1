/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The COS thread in a second OS process, driven over real ipc-channel senders.
//!
//! This binary forces IPC mode (`Opts::force_ipc`, read by servo-base's `use_ipc()`, which
//! the dev-dependency's `multiprocess` feature enables), so every `GenericSender` and
//! `GenericCallback` here is an `IpcSender`. The parent re-executes this test binary with
//! `COS_IPC_SERVER` set; the child plays the browser: it starts the thread, binds one content
//! channel for each site the parent names in `COS_IPC_SITES` (as the constellation binds one
//! for each event loop), and sends those channels back through an `IpcOneShotServer`. The
//! parent plays content processes: it holds the channels, never the thread's handle, so it
//! can send page requests but no control message.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Once;

use common::*;
use cross_origin_storage::binding::site_of;
use cross_origin_storage_traits::{
    CHUNK_BYTES, ContentHash, CosContentSender, CosControlMsg, CosError, CosMsg, WriteCommand,
};
use ipc_channel::ipc::{self, IpcOneShotServer, IpcReceiver, IpcSender};
use servo_base::generic_channel::{self, GenericCallback};
use servo_default_resources as _;
use servo_url::ImmutableOrigin;

const SERVER_VAR: &str = "COS_IPC_SERVER";
const SITES_VAR: &str = "COS_IPC_SITES";

/// What the parent can ask of the browser side: the entries' `(hash, origins that used it)`.
type Listing = Vec<(String, Vec<String>)>;
type Handshake = (
    Vec<(String, CosContentSender)>,
    IpcSender<IpcSender<Listing>>,
);

fn force_ipc() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        servo_config::opts::initialize_options(servo_config::opts::Opts {
            force_ipc: true,
            ..Default::default()
        })
    });
}

/// The child side; a no-op unless the parent started this process.
#[test]
fn ipc_child() {
    let Ok(server) = std::env::var(SERVER_VAR) else {
        return;
    };
    force_ipc();
    let cos = cross_origin_storage::new_cross_origin_storage_thread(
        None,
        false,
        None,
        profile::mem::Profiler::create(),
        "ipc-child".to_owned(),
    );
    let channels = std::env::var(SITES_VAR)
        .unwrap()
        .split(',')
        .map(|url| {
            let site = site_of(&origin(url));
            (url.to_owned(), cos.content_sender(site).unwrap())
        })
        .collect();
    let (listings, listing_requests) = ipc::channel::<IpcSender<Listing>>().unwrap();
    let parent = IpcSender::<Handshake>::connect(server).unwrap();
    parent.send((channels, listings)).unwrap();
    // Answer listing requests until the parent hangs up, then exit the thread in order.
    while let Ok(answer) = listing_requests.recv() {
        let (reply, entries) = GenericCallback::new_blocking().unwrap();
        cos.control(CosControlMsg::ListEntries(reply)).unwrap();
        let entries = entries.recv().unwrap();
        let listing = entries
            .into_iter()
            .map(|entry| {
                let used_by = entry
                    .used_by
                    .iter()
                    .map(|(origin, _)| origin.ascii_serialization().into_owned())
                    .collect();
                (entry.hash.to_string(), used_by)
            })
            .collect();
        answer.send(listing).unwrap();
    }
    let (sender, exited) = generic_channel::channel().unwrap();
    cos.control(CosControlMsg::Exit(sender)).unwrap();
    exited.recv().unwrap();
}

/// A browser process with a COS thread and one content channel per URL's site.
struct Browser {
    child: Child,
    listing: IpcSender<IpcSender<Listing>>,
}

fn start_browser(urls: &[&str]) -> (Browser, Cos) {
    force_ipc();
    let (server, name) = IpcOneShotServer::<Handshake>::new().unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "ipc_child", "--nocapture", "--test-threads=1"])
        .env(SERVER_VAR, name)
        .env(SITES_VAR, urls.join(","))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (_, (channels, listing)) = server.accept().unwrap();
    assert_ne!(child.id(), std::process::id());
    let channels = channels
        .into_iter()
        .map(|(url, channel)| (site_of(&origin(&url)), channel))
        .collect();
    (Browser { child, listing }, Cos::from_channels(channels))
}

impl Browser {
    fn list(&self) -> Listing {
        let (answer, listing): (IpcSender<Listing>, IpcReceiver<Listing>) = ipc::channel().unwrap();
        self.listing.send(answer).unwrap();
        let mut listing = listing.recv().unwrap();
        listing.sort();
        listing
    }

    /// Hangs up; the browser side exits the thread and must end cleanly.
    fn finish(mut self) {
        drop(self.listing);
        assert!(self.child.wait().unwrap().success());
    }
}

#[test]
fn thread_in_a_second_process() {
    let (browser, cos) = start_browser(&[
        "https://a.example",
        "https://b.example",
        "https://stranger.example",
    ]);
    let a = origin("https://a.example");
    let b = origin("https://b.example");
    let stranger = origin("https://stranger.example");

    // Write and read a multi-chunk file (bytes cross as serde_bytes).
    let bytes = content(1, 2 * CHUNK_BYTES + 7);
    let hash = sha256(&bytes);
    let handle = store(&cos, &a, &bytes, None).unwrap();
    assert_eq!(read_handle(&cos, &a, handle).unwrap().0, bytes);

    // Mismatch.
    assert_eq!(
        store_as(&cos, &a, &sha256(b"claimed"), b"actual", None)
            .unwrap_err()
            .name(),
        "DataError"
    );
    assert_eq!(read(&cos, &a, &sha256(b"claimed")), Err(CosError::NotFound));

    // Hidden: out of scope, and in progress.
    assert_eq!(read(&cos, &stranger, &hash), Err(CosError::NotFound));
    let pending = content(2, 1000);
    let grant = request(&cos, &b, &sha256(&pending), true, None).unwrap();
    let write_id = create_writable(&cos, &b, grant.handle_id).unwrap();
    write_all(&cos, &b, write_id, &pending[..500]).unwrap();
    assert_eq!(read(&cos, &b, &sha256(&pending)), Err(CosError::NotFound));

    // Concurrent writers of one hash: one fails, one succeeds, the pending one then succeeds.
    let grant_bad = request(&cos, &a, &sha256(&pending), true, None).unwrap();
    let write_bad = create_writable(&cos, &a, grant_bad.handle_id).unwrap();
    write_all(&cos, &a, write_bad, &pending[500..]).unwrap();
    write_all(&cos, &b, write_id, &pending[500..]).unwrap();
    assert_eq!(close(&cos, &a, write_bad).unwrap_err().name(), "DataError");
    close(&cos, &b, write_id).unwrap();
    assert_eq!(read_handle(&cos, &b, grant.handle_id).unwrap().0, pending);
    assert_eq!(read(&cos, &a, &sha256(&pending)), Err(CosError::NotFound));

    browser.finish();
}

fn refused(result: Result<impl std::fmt::Debug, CosError>) {
    assert_eq!(result.unwrap_err().name(), "NotAllowedError");
}

/// A content process of one site that claims another site's origin gets nothing of it: not a
/// handle, not a read of a handle id it learned, not the power to release or abort another
/// site's handles and sessions, and no trace in the entry's usage.
#[test]
fn forged_origin_is_refused_across_processes() {
    let a_url = "https://a.example";
    let (browser, cos) = start_browser(&[a_url, "https://b.example"]);
    let a_channel = cos.channel(site_of(&origin(a_url)));
    // Every request below is sent on the channel the browser bound to a.example.
    let forge = |request: CosMsg| a_channel.send(request).unwrap();
    let forge_request = |claimed: ImmutableOrigin, hash: ContentHash, create: bool, origins| {
        let (reply, answer) = GenericCallback::new_blocking().unwrap();
        forge(CosMsg::RequestFileHandle {
            origin: claimed,
            hash,
            create,
            origins,
            ceiling: None,
            top_level: None,
            reply,
        });
        answer.recv().unwrap()
    };
    let a = origin(a_url);
    let b = origin("https://b.example");

    // b stores a same-site entry (its default scope) and keeps a write session open.
    let secret = content(7, 3000);
    let b_handle = store(&cos, &b, &secret, None).unwrap();
    let pending = content(8, 100);
    let b_grant = request(&cos, &b, &sha256(&pending), true, None).unwrap();
    let b_write = create_writable(&cos, &b, b_grant.handle_id).unwrap();

    // Asking for b's entry as b, from a's process: refused, and a different refusal from the
    // NotFound that a's own origin gets, which says the claim itself was refused.
    refused(forge_request(b.clone(), sha256(&secret), false, None));
    assert_eq!(read(&cos, &a, &sha256(&secret)), Err(CosError::NotFound));

    // Reading b's handle by id, as b.
    let (reply, events) = GenericCallback::new_blocking().unwrap();
    forge(CosMsg::ReadFile {
        handle_id: b_handle,
        origin: b.clone(),
        reply,
    });
    match events.recv().unwrap() {
        cross_origin_storage_traits::ReadEvent::Error(error) => {
            assert_eq!(error.name(), "NotAllowedError")
        },
        other => panic!("a forged read got {other:?}"),
    }

    // Writing into b's session, as b; then releasing b's handle and aborting its session.
    let (reply, answer) = GenericCallback::new_blocking().unwrap();
    forge(CosMsg::Write {
        write_id: b_write,
        origin: b.clone(),
        command: WriteCommand::Truncate(0),
        reply: Some(reply),
    });
    refused(answer.recv().unwrap());
    forge(CosMsg::ReleaseHandle {
        handle_id: b_handle,
        origin: b.clone(),
    });
    forge(CosMsg::Abort {
        write_id: b_write,
        origin: b.clone(),
    });
    // A copy of b's handle, as serializing it would file, under an id of the forger's choosing.
    let copy_id = 0x5eed_c0de;
    forge(CosMsg::DuplicateHandle {
        handle_id: b_handle,
        origin: b.clone(),
        duplicate: copy_id,
    });
    // Clearing b's data, as a `Clear-Site-Data` response for b would.
    forge(CosMsg::ClearSiteData { origin: b.clone() });
    // Storing under b's name.
    refused(forge_request(b.clone(), sha256(b"planted"), true, star()));
    // An opaque origin is no one's.
    refused(forge_request(
        ImmutableOrigin::new_opaque(),
        sha256(&secret),
        false,
        None,
    ));

    // None of it touched b: its handle still reads, its session still closes, and no copy of
    // its handle was filed.
    assert_eq!(read_handle(&cos, &b, b_handle).unwrap().0, secret);
    assert!(read_handle(&cos, &b, copy_id).is_err());
    write_all(&cos, &b, b_write, &pending).unwrap();
    close(&cos, &b, b_write).unwrap();

    // Origins of a's own site are a's to claim.
    let sub = origin("https://sub.a.example");
    let shared = content(9, 500);
    store(&cos, &sub, &shared, None).unwrap();
    assert_eq!(read(&cos, &a, &sha256(&shared)).unwrap(), shared);

    // What the browser sees: no entry used by a forged b, nothing planted.
    let listing = browser.list();
    let used_by = |bytes: &[u8]| {
        let hash = sha256(bytes).to_string();
        let (_, used_by) = listing.iter().find(|(h, _)| *h == hash).unwrap();
        used_by.clone()
    };
    assert_eq!(listing.len(), 3, "{listing:?}");
    assert_eq!(used_by(&secret), vec!["https://b.example".to_owned()]);
    assert_eq!(used_by(&pending), vec!["https://b.example".to_owned()]);
    assert!(
        !listing
            .iter()
            .any(|(h, _)| *h == sha256(b"planted").to_string())
    );
    browser.finish();
}

/// A page that never reads what it asked for must not hold up everyone else: the thread sends a
/// streamed file (a store without snapshots, as private browsing's) from a thread of its own, so
/// a full, undrained channel blocks that sender only.
#[test]
fn a_reader_that_never_drains_does_not_stall_the_thread() {
    let (browser, cos) = start_browser(&["https://a.example", "https://b.example"]);
    let a = origin("https://a.example");
    let b = origin("https://b.example");
    let bytes = content(11, 32 * CHUNK_BYTES);
    let handle = store(&cos, &a, &bytes, None).unwrap();
    // Far more than a socket buffer holds, and never read.
    let undrained = send_read_file(&cos, &a, handle);

    // The other site's requests go out from a thread of the test's own, so that a stalled
    // storage thread fails the test instead of hanging it.
    let b_site = site_of(&b);
    let b_cos = Cos::from_channels(vec![(b_site.clone(), cos.channel(b_site))]);
    let (done, answered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let other = content(12, 1000);
        let _ = done.send(store(&b_cos, &b, &other, None).map(|_| ()));
    });
    let answer = answered.recv_timeout(std::time::Duration::from_secs(20));
    assert_eq!(
        answer,
        Ok(Ok(())),
        "another site's store was answered while a reader did not drain"
    );
    drop(undrained);
    browser.finish();
}
