/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The messages a fuzzed page sends: well-formed and not, honest and forged.

use super::*;

impl Fuzzer {
    /// Sends one page request; returns the origin it cleared, if it was an honest
    /// `ClearSiteData`.
    pub(super) fn content(&mut self) -> Option<String> {
        let flow = self.rng.chance(450).then(|| self.flow());
        let origin = match flow.map(|i| &self.flows[i]) {
            Some(flow) if flow.stage >= 4 => flow.reader.clone(),
            Some(flow) => flow.writer.clone(),
            None => self.origin(),
        };
        let (site, forged) = self.binding(&origin);
        let handles = Inbox::<Result<HandleGrant, CosError>>::default();
        let many = Inbox::<Result<Vec<HandleGrant>, CosError>>::default();
        let writes = Inbox::<Result<u64, CosError>>::default();
        let done = Inbox::<Result<(), CosError>>::default();
        let reads = Inbox::<ReadEvent>::default();
        let mut asked = None;
        let mut meant = None;
        let flow_hash =
            flow.map(|i| hash_of(HashAlgorithm::Sha256, &self.contents[self.flows[i].content]));
        let request = match flow.map(|i| &self.flows[i]) {
            Some(flow) => {
                let hash = flow_hash.clone().unwrap();
                match flow.stage {
                    0 | 4 => {
                        asked = Some(hash.clone());
                        CosMsg::RequestFileHandle {
                            origin: origin.clone(),
                            hash,
                            create: flow.stage == 0,
                            origins: flow.origins.clone(),
                            ceiling: None,
                            top_level: None,
                            reply: handles.callback(),
                        }
                    },
                    1 => {
                        meant = Some(hash);
                        CosMsg::CreateWritable {
                            handle_id: flow.id,
                            origin: origin.clone(),
                            reply: writes.callback(),
                        }
                    },
                    2 => CosMsg::Write {
                        write_id: flow.id,
                        origin: origin.clone(),
                        command: WriteCommand::Write {
                            position: None,
                            bytes: self.contents[flow.content].clone(),
                        },
                        reply: Some(done.callback()),
                    },
                    3 => CosMsg::Close {
                        write_id: flow.id,
                        origin: origin.clone(),
                        reply: done.callback(),
                    },
                    _ => {
                        asked = Some(hash);
                        CosMsg::ReadFile {
                            handle_id: flow.id,
                            origin: origin.clone(),
                            reply: reads.callback(),
                        }
                    },
                }
            },
            None => match self.rng.below(100) {
                0..20 => {
                    let hash = self.hash();
                    asked = Some(hash.clone());
                    CosMsg::RequestFileHandle {
                        origin: origin.clone(),
                        hash,
                        create: false,
                        origins: None,
                        ceiling: None,
                        top_level: None,
                        reply: handles.callback(),
                    }
                },
                20..35 => {
                    let hash = self.hash();
                    asked = Some(hash.clone());
                    CosMsg::RequestFileHandle {
                        origin: origin.clone(),
                        hash,
                        create: true,
                        origins: self.origins_input(),
                        ceiling: None,
                        top_level: None,
                        reply: handles.callback(),
                    }
                },
                35..38 => {
                    let count = self.rng.below(4);
                    CosMsg::RequestFileHandles {
                        origin: origin.clone(),
                        hashes: (0..count).map(|_| self.hash()).collect(),
                        create: self.rng.chance(500),
                        origins: self.origins_input(),
                        ceiling: None,
                        top_level: None,
                        reply: many.callback(),
                    }
                },
                38..48 => {
                    let handle_id = self.handle_id();
                    meant = self
                        .handles
                        .iter()
                        .find(|(id, ..)| *id == handle_id)
                        .map(|(_, _, hash)| hash.clone());
                    CosMsg::CreateWritable {
                        handle_id,
                        origin: origin.clone(),
                        reply: writes.callback(),
                    }
                },
                48..68 => {
                    let write_id = self.write_id();
                    let content = self
                        .writes
                        .iter()
                        .find(|(id, ..)| *id == write_id)
                        .map(|(_, _, content)| *content)
                        .unwrap_or(0);
                    let command = match self.rng.below(10) {
                        0 => WriteCommand::Seek(self.rng.below(30_000) as u64),
                        1 => WriteCommand::Truncate(self.rng.below(30_000) as u64),
                        _ => {
                            let bytes = &self.contents[content];
                            let start = if self.rng.chance(800) {
                                0
                            } else {
                                self.rng.below(bytes.len() + 1)
                            };
                            let end = start + self.rng.below(bytes.len() - start + 1);
                            let end = if self.rng.chance(700) {
                                bytes.len()
                            } else {
                                end
                            };
                            WriteCommand::Write {
                                position: self
                                    .rng
                                    .chance(200)
                                    .then(|| self.rng.below(bytes.len() + 1) as u64),
                                bytes: bytes[start..end].to_vec(),
                            }
                        },
                    };
                    CosMsg::Write {
                        write_id,
                        origin: origin.clone(),
                        command,
                        reply: self.rng.chance(900).then(|| done.callback()),
                    }
                },
                68..76 => CosMsg::Close {
                    write_id: self.write_id(),
                    origin: origin.clone(),
                    reply: done.callback(),
                },
                76..78 => CosMsg::Abort {
                    write_id: self.write_id(),
                    origin: origin.clone(),
                },
                78..95 => {
                    let handle_id = self.handle_id();
                    asked = self
                        .handles
                        .iter()
                        .find(|(id, ..)| *id == handle_id)
                        .map(|(_, _, hash)| hash.clone());
                    CosMsg::ReadFile {
                        handle_id,
                        origin: origin.clone(),
                        reply: reads.callback(),
                    }
                },
                // A serialized handle's copy, now and then under an id already taken.
                95 => CosMsg::DuplicateHandle {
                    handle_id: self.handle_id(),
                    origin: origin.clone(),
                    duplicate: self.handle_id(),
                },
                96..98 => CosMsg::ReleaseHandle {
                    handle_id: self.handle_id(),
                    origin: origin.clone(),
                },
                _ => CosMsg::ClearSiteData {
                    origin: origin.clone(),
                },
            },
        };
        let cleared = matches!(request, CosMsg::ClearSiteData { .. }) && !forged;
        // Whether the flow's message succeeded, and the id it got.
        let mut flow_result: Option<u64> = None;
        let name = format!("{request:?}").chars().take(160).collect::<String>();
        self.storage.handle(CosInbound::Content { site, request });

        let (seed, step) = (self.seed, self.step);
        let succeeded = |result: bool| {
            if forged && result {
                fail(seed, step, format!("a forged request succeeded: {name}"));
            }
        };
        for reply in handles.take() {
            succeeded(reply.is_ok());
            if let Ok(grant) = &reply {
                flow_result = Some(grant.handle_id);
            }
            if let (Ok(grant), Some(hash)) = (reply, asked.clone()) {
                self.handles.push((grant.handle_id, origin.clone(), hash));
            }
        }
        for reply in many.take() {
            succeeded(reply.is_ok());
        }
        for reply in writes.take() {
            succeeded(reply.is_ok());
            if let Ok(write_id) = reply {
                flow_result = Some(write_id);
                let content = meant
                    .as_ref()
                    .and_then(|hash| {
                        self.contents
                            .iter()
                            .position(|c| hash_of(hash.algorithm(), c) == *hash)
                    })
                    .unwrap_or(0);
                self.writes.push((write_id, origin.clone(), content));
            }
        }
        let closing = name.starts_with("Close");
        for reply in done.take() {
            succeeded(reply.is_ok());
            if closing && reply.is_ok() {
                self.stats.stored += 1;
            }
            if reply.is_ok() {
                flow_result = Some(0);
            }
        }
        if forged {
            self.stats.forged_refused += 1;
        }
        let mut bytes = Vec::new();
        let was_read = name.starts_with("ReadFile");
        for event in reads.wait_for_end(was_read) {
            match event {
                ReadEvent::Chunk(chunk) => bytes.extend_from_slice(&chunk),
                ReadEvent::Done(metadata) => {
                    succeeded(true);
                    let Some(hash) = &asked else {
                        self.fail(format!("a read of an unknown handle succeeded: {name}"));
                    };
                    if metadata.size != bytes.len() as u64 ||
                        digest(hash.algorithm(), &bytes) != hash.digest()
                    {
                        self.fail(format!("a read returned bytes that are not {hash}"));
                    }
                    self.stats.read += 1;
                    flow_result = Some(0);
                },
                ReadEvent::Snapshot { .. } => self.fail("a snapshot without a lender".into()),
                ReadEvent::Error(_) => {},
            }
        }
        if let Some(index) = flow {
            let flow = &mut self.flows[index];
            match flow_result {
                Some(_) if flow.stage >= 5 => drop(self.flows.swap_remove(index)),
                Some(id) => {
                    if id != 0 {
                        flow.id = id;
                    }
                    flow.stage += 1;
                },
                None => drop(self.flows.swap_remove(index)),
            }
        }
        // Keep the bookkeeping small: old ids still exercise the "unknown id" paths.
        if self.handles.len() > 200 {
            self.handles.drain(..100);
        }
        if self.writes.len() > 50 {
            self.writes.drain(..25);
        }
        cleared.then(|| origin.ascii_serialization().into_owned())
    }
}
