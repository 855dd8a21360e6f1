/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The COS thread in a second OS process, driven over real ipc-channel senders.
//!
//! This binary forces IPC mode (`Opts::force_ipc`, read by servo-base's `use_ipc()`, which
//! the dev-dependency's `multiprocess` feature enables), so every `GenericSender` and
//! `GenericCallback` here is an `IpcSender`. The parent re-executes this test binary with
//! `COS_IPC_SERVER` set; the child starts the thread and sends its sender back through an
//! `IpcOneShotServer`.

mod common;

use std::process::{Command, Stdio};

use common::*;
use cross_origin_storage_traits::{CHUNK_BYTES, CosError, CosMsg};
use ipc_channel::ipc::{self, IpcOneShotServer, IpcSender};
use servo_base::generic_channel::GenericSender;
use servo_default_resources as _;

const SERVER_VAR: &str = "COS_IPC_SERVER";

type Handshake = (GenericSender<CosMsg>, IpcSender<()>);

fn force_ipc() {
    servo_config::opts::initialize_options(servo_config::opts::Opts {
        force_ipc: true,
        ..Default::default()
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
    let (done_sender, done) = ipc::channel::<()>().unwrap();
    let parent = IpcSender::<Handshake>::connect(server).unwrap();
    parent.send((cos, done_sender)).unwrap();
    // Live until the parent hangs up.
    let _ = done.recv();
}

#[test]
fn thread_in_a_second_process() {
    force_ipc();
    let (server, name) = IpcOneShotServer::<Handshake>::new().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "ipc_child", "--nocapture", "--test-threads=1"])
        .env(SERVER_VAR, name)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (_, (cos, done)) = server.accept().unwrap();
    assert_ne!(child.id(), std::process::id());

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

    exit(&cos);
    drop(done);
    assert!(child.wait().unwrap().success());
}
