/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! How requests reach the COS thread, and who may send which.
//!
//! The thread reads one in-process queue of [`CosInbound`]. Only the browser's process holds a
//! [`CosThreadHandle`], the way onto that queue: it sends [`CosControlMsg`]s directly and makes
//! [`CosContentSender`]s for content. Each content sender is bound when it is made to one site
//! (the site of the event loop the constellation gives it to), and every request it carries
//! arrives tagged with that site. A content process can therefore claim any origin in a
//! request, but the thread knows which site's process sent it and refuses claims outside it;
//! and it has no way to send a control message at all.
//!
//! In multiprocess mode the content sender is an IPC channel routed, in the browser's
//! process, to a closure that adds the site; in single-process mode the closure runs on the
//! sending thread. The check is the same in both.

use crossbeam_channel::Sender;
use log::warn;
use servo_base::generic_channel::{GenericCallback, SendError};
use servo_url::Host;

use crate::messages::{CosControlMsg, CosMsg};

/// What content holds: a channel for [`CosMsg`]s only, bound to one site.
pub type CosContentSender = GenericCallback<CosMsg>;

/// The site a content sender was bound to: the registrable domain (or IP address) of the
/// event loop that holds it, as the constellation keys event loops. `None` for an event loop
/// without one (opaque origins, sandboxed documents): such a sender is refused everything.
pub type BoundSite = Option<Host>;

/// One message on the thread's queue.
#[derive(Debug)]
pub enum CosInbound {
    Content { site: BoundSite, request: CosMsg },
    Control(CosControlMsg),
}

/// The browser-side handle on a COS thread. It is deliberately neither `Serialize` nor
/// `Deserialize`: it cannot be sent to a content process.
#[derive(Clone, Debug)]
pub struct CosThreadHandle {
    inbound: Sender<CosInbound>,
}

impl CosThreadHandle {
    pub fn new(inbound: Sender<CosInbound>) -> CosThreadHandle {
        CosThreadHandle { inbound }
    }

    /// Sends a browser-only request.
    pub fn control(&self, message: CosControlMsg) -> Result<(), SendError> {
        self.inbound
            .send(CosInbound::Control(message))
            .map_err(|_| SendError::Disconnected)
    }

    /// A sender for the event loop of `site`, to be handed to that event loop and no other.
    pub fn content_sender(&self, site: BoundSite) -> Result<CosContentSender, SendError> {
        let inbound = self.inbound.clone();
        GenericCallback::new(move |request: Result<CosMsg, SendError>| match request {
            Ok(request) => {
                // The thread has exited: the requester's reply callback is dropped with
                // the request, which is what its reader expects of a dead thread.
                let _ = inbound.send(CosInbound::Content {
                    site: site.clone(),
                    request,
                });
            },
            // A message that does not deserialize is dropped, never forwarded.
            Err(error) => warn!("COS: dropping a malformed request from content: {error}"),
        })
    }

    /// The queue itself, for the memory profiler's reporter registration.
    pub fn inbound(&self) -> &Sender<CosInbound> {
        &self.inbound
    }
}
