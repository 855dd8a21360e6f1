/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! What only the browser asks: listing and clearing entries, memory reports and shutdown.

use cross_origin_storage_traits::CosControlMsg;
use log::warn;

use super::CosStorage;

impl CosStorage {
    /// Returns false after `Exit`.
    pub(super) fn handle_control(&mut self, message: CosControlMsg) -> bool {
        match message {
            CosControlMsg::ListEntries(reply) => {
                let entries = self.registry.list().unwrap_or_else(|error| {
                    warn!("COS: listing entries failed: {error}");
                    Vec::new()
                });
                let _ = reply.send(entries);
            },
            CosControlMsg::DeleteEntry { hash, reply } => {
                let existed = match self.registry.delete_entry(&hash) {
                    Ok(existed) => {
                        self.store.remove_blob(&hash);
                        existed
                    },
                    Err(error) => {
                        warn!("COS: deleting {hash} failed: {error}");
                        false
                    },
                };
                let _ = reply.send(existed);
            },
            CosControlMsg::ClearOrigin { origin, reply } => {
                let _ = reply.send(self.revoke(|o| *o == origin));
            },
            CosControlMsg::ClearSite { site, reply } => {
                let site = site.trim().trim_end_matches('.').to_ascii_lowercase();
                let suffix = format!(".{site}");
                let _ = reply.send(self.revoke(|o| {
                    !site.is_empty() &&
                        o.host()
                            .map(|h| h.to_string().to_ascii_lowercase())
                            .is_some_and(|host| host == site || host.ends_with(&suffix))
                }));
            },
            CosControlMsg::ClearAll(reply) => {
                let deleted = match self.registry.clear_all() {
                    Ok(count) => {
                        if let Err(error) = self.store.remove_all_blobs() {
                            warn!("COS: removing blobs failed: {error}");
                        }
                        count
                    },
                    Err(error) => {
                        warn!("COS: clearing failed: {error}");
                        0
                    },
                };
                let _ = reply.send(deleted);
            },
            CosControlMsg::CollectMemoryReport(reports_chan) => self.report_memory(reports_chan),
            CosControlMsg::Exit(sender) => {
                self.shutdown();
                self.exit_ack = Some(sender);
                return false;
            },
        }
        true
    }
}
