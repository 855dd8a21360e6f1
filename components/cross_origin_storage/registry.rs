/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The SQLite index: entries, their grants, who stored or used them, the probe budget and
//! the per-profile GREASE secret. It is the source of truth for grants; a blob without a row
//! is garbage. Rows are written only after a blob is durably published (register-nothing).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use cross_origin_storage_traits::{ContentHash, EntryGrants, EntryInfo, HashAlgorithm};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use servo_url::{ImmutableOrigin, ServoUrl};

use crate::quota::Candidate;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    algorithm TEXT NOT NULL,
    value TEXT NOT NULL,
    size INTEGER NOT NULL,
    globally_disclosable INTEGER NOT NULL,
    last_read INTEGER NOT NULL,
    PRIMARY KEY (algorithm, value)
);
CREATE TABLE IF NOT EXISTS storing_origins (
    algorithm TEXT NOT NULL,
    value TEXT NOT NULL,
    origin TEXT NOT NULL,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (algorithm, value, origin)
);
CREATE INDEX IF NOT EXISTS storing_origins_by_origin ON storing_origins (origin);
CREATE TABLE IF NOT EXISTS entry_origins (
    algorithm TEXT NOT NULL,
    value TEXT NOT NULL,
    origin TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (algorithm, value, origin)
);
CREATE INDEX IF NOT EXISTS entry_origins_by_origin ON entry_origins (origin);
CREATE TABLE IF NOT EXISTS usage (
    algorithm TEXT NOT NULL,
    value TEXT NOT NULL,
    origin TEXT NOT NULL,
    last_used INTEGER NOT NULL,
    PRIMARY KEY (algorithm, value, origin)
);
CREATE INDEX IF NOT EXISTS usage_by_origin ON usage (origin);
CREATE TABLE IF NOT EXISTS probes (
    origin TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    value TEXT NOT NULL,
    charged_at INTEGER NOT NULL,
    PRIMARY KEY (origin, algorithm, value)
);
";

pub type Result<T> = rusqlite::Result<T>;

/// One entry as the thread needs it.
#[derive(Clone, Debug)]
pub struct EntryRow {
    pub size: u64,
    pub last_read_ms: u64,
    pub grants: EntryGrants,
}

pub struct Registry {
    conn: Connection,
}

/// What a set of origins is charged for the entries they store (see `Registry::charges`).
#[derive(Debug, Default)]
pub struct Charges {
    pub usage: u64,
    /// The entries no other origin stores, in key order.
    pub owned: Vec<Candidate>,
}

fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn uint(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn key(hash: &ContentHash) -> (&'static str, &str) {
    (hash.algorithm().name(), hash.value())
}

fn parse_hash(algorithm: &str, value: &str) -> Option<ContentHash> {
    ContentHash::new(HashAlgorithm::from_name(algorithm)?, value).ok()
}

fn serialize(origin: &ImmutableOrigin) -> String {
    origin.ascii_serialization().into_owned()
}

/// Only tuple origins are ever stored, so anything else is a damaged row and is skipped.
fn parse_origin(serialized: &str) -> Option<ImmutableOrigin> {
    let origin = ServoUrl::parse(serialized).ok()?.origin();
    origin.is_tuple().then_some(origin)
}

impl Registry {
    pub fn open(path: &Path) -> Result<Registry> {
        let conn = Connection::open(path)?;
        // WAL + NORMAL survives a process crash; a power loss may roll back the newest
        // commits, which degrades to "blob without row" and is collected at startup.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Registry::init(conn)
    }

    /// Opens the index at `path`. One that SQLite cannot read, or that fails its integrity
    /// check, is moved aside with its journal files (to `<path>.corrupt`, replacing an older
    /// one, so that it can be looked at) and a new, empty index takes its place; the second
    /// value says whether that happened. The caller rebuilds what it can from the blob files.
    pub fn open_or_quarantine(path: &Path) -> Result<(Registry, bool)> {
        let intact = Registry::open(path).and_then(|registry| {
            let check: String = registry
                .conn
                .query_row("PRAGMA quick_check", [], |row| row.get(0))?;
            Ok((registry, check))
        });
        match intact {
            Ok((registry, check)) if check == "ok" => return Ok((registry, false)),
            Ok((registry, check)) => {
                log::warn!("COS: the index failed its integrity check: {check}");
                drop(registry);
            },
            Err(error) => log::warn!("COS: the index cannot be read: {error}"),
        }
        let mut quarantine = path.as_os_str().to_owned();
        quarantine.push(".corrupt");
        for suffix in ["", "-wal", "-shm"] {
            let mut from = path.as_os_str().to_owned();
            from.push(suffix);
            let mut to = quarantine.clone();
            to.push(suffix);
            let _ = std::fs::remove_file(&to);
            match std::fs::rename(&from, &to) {
                Ok(()) => {},
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {},
                Err(error) => {
                    log::warn!("COS: cannot move the corrupt index aside: {error}");
                    return Err(rusqlite::Error::InvalidPath(from.into()));
                },
            }
        }
        Ok((Registry::open(path)?, true))
    }

    /// Records a verified blob found on disk without a row, after the index was lost: an entry
    /// that no origin stores and no one may read, until a store verifies its bytes again and
    /// grants it. Keeping it spares the disk a second copy and the network nothing, but it is
    /// never served on the word of a lost index.
    pub fn adopt_blob(&mut self, hash: &ContentHash, size: u64) -> Result<()> {
        let (algorithm, value) = key(hash);
        self.conn.execute(
            "INSERT OR IGNORE INTO entries (algorithm, value, size, globally_disclosable, last_read)
             VALUES (?1, ?2, ?3, 0, 0)",
            params![algorithm, value, int(size)],
        )?;
        Ok(())
    }

    pub fn memory() -> Result<Registry> {
        Registry::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Registry> {
        conn.execute_batch(SCHEMA)?;
        Ok(Registry { conn })
    }

    /// The per-profile GREASE key, created on first use.
    pub fn secret(&mut self) -> Result<[u8; 32]> {
        let stored: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'grease_secret'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(secret) = stored.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
            return Ok(secret);
        }
        let mut secret = [0u8; 32];
        let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        secret[..16].copy_from_slice(a.as_bytes());
        secret[16..].copy_from_slice(b.as_bytes());
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('grease_secret', ?1)",
            params![secret.to_vec()],
        )?;
        Ok(secret)
    }

    pub fn entry(&self, hash: &ContentHash) -> Result<Option<EntryRow>> {
        load_entry(&self.conn, hash)
    }

    /// When `origin` last stored `hash`, if it is a storing origin.
    pub fn stored_at(&self, hash: &ContentHash, origin: &ImmutableOrigin) -> Result<Option<u64>> {
        let (algorithm, value) = key(hash);
        self.conn
            .query_row(
                "SELECT stored_at FROM storing_origins WHERE algorithm = ?1 AND value = ?2 AND origin = ?3",
                params![algorithm, value, serialize(origin)],
                |row| row.get::<_, i64>(0),
            )
            .optional()
            .map(|at| at.map(uint))
    }

    /// Bytes stored once, whoever stores them: what the global budget counts.
    pub fn total_bytes(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COALESCE(SUM(size), 0) FROM entries", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(uint)
    }

    /// What the origins `counts` picks are charged, in one pass over the storing origins: the
    /// full size of every entry one of them stores (each entry once, however many of them store
    /// it), and the entries that only they store, which they may evict. `counts` is asked once
    /// per distinct origin, however many entries that origin stores.
    pub fn charges(&self, counts: impl Fn(&ImmutableOrigin) -> bool) -> Result<Charges> {
        let mut statement = self.conn.prepare(
            "SELECT s.origin, e.algorithm, e.value, e.size, e.last_read FROM storing_origins s
             JOIN entries e ON e.algorithm = s.algorithm AND e.value = s.value",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        // Per entry: whether one of the counted origins stores it, and whether only they do.
        let mut entries: HashMap<ContentHash, (bool, bool, Candidate)> = HashMap::new();
        let mut counted: HashMap<String, bool> = HashMap::new();
        for row in rows {
            let (origin, algorithm, value, size, last_read) = row?;
            // Rows naming an origin or hash that does not parse are damaged and skipped.
            let Some(hash) = parse_hash(&algorithm, &value) else {
                continue;
            };
            let mine = match counted.get(&origin) {
                Some(mine) => *mine,
                None => {
                    let Some(parsed) = parse_origin(&origin) else {
                        continue;
                    };
                    let mine = counts(&parsed);
                    counted.insert(origin, mine);
                    mine
                },
            };
            let candidate = Candidate {
                hash: hash.clone(),
                size: uint(size),
                last_read_ms: uint(last_read),
            };
            let (any_mine, all_mine, _) = entries.entry(hash).or_insert((false, true, candidate));
            *any_mine |= mine;
            *all_mine &= mine;
        }
        let mut charges = Charges::default();
        for (any_mine, all_mine, candidate) in entries.into_values() {
            if any_mine {
                charges.usage = charges.usage.saturating_add(candidate.size);
            }
            if all_mine {
                charges.owned.push(candidate);
            }
        }
        // A stable order, so that equal read times evict the same way every time.
        charges.owned.sort_by_key(|c| c.hash.to_string());
        Ok(charges)
    }

    /// Every entry, in key order: under global pressure any of them may be evicted.
    pub fn all_candidates(&self) -> Result<Vec<Candidate>> {
        self.candidates(
            "SELECT algorithm, value, size, last_read FROM entries ORDER BY algorithm, value",
            params![],
        )
    }

    fn candidates(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Candidate>> {
        let mut statement = self.conn.prepare(sql)?;
        let rows = statement.query_map(params, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        let mut candidates = Vec::new();
        for row in rows {
            let (algorithm, value, size, last_read) = row?;
            if let Some(hash) = parse_hash(&algorithm, &value) {
                candidates.push(Candidate {
                    hash,
                    size: uint(size),
                    last_read_ms: uint(last_read),
                });
            }
        }
        Ok(candidates)
    }

    /// Commits a verified, published store in one transaction: evictions, the entry, its
    /// grants, and the storing origin's charge and time.
    pub fn commit_store(
        &mut self,
        hash: &ContentHash,
        size: u64,
        grants: &EntryGrants,
        origin: &ImmutableOrigin,
        now_ms: u64,
        evict: &[ContentHash],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for evicted in evict {
            delete_rows(&tx, evicted)?;
        }
        let (algorithm, value) = key(hash);
        tx.execute(
            "INSERT INTO entries (algorithm, value, size, globally_disclosable, last_read)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (algorithm, value) DO UPDATE SET
                 size = excluded.size,
                 globally_disclosable = excluded.globally_disclosable,
                 last_read = excluded.last_read",
            params![
                algorithm,
                value,
                int(size),
                grants.globally_disclosable,
                int(now_ms)
            ],
        )?;
        save_grants(&tx, hash, grants, now_ms)?;
        tx.execute(
            "UPDATE storing_origins SET stored_at = ?4 WHERE algorithm = ?1 AND value = ?2 AND origin = ?3",
            params![algorithm, value, serialize(origin), int(now_ms)],
        )?;
        touch_usage(&tx, hash, origin, now_ms)?;
        tx.commit()
    }

    /// Records a read: eviction recency, usage, and (for the `Lru` merge policy) new grants.
    pub fn record_read(
        &mut self,
        hash: &ContentHash,
        origin: &ImmutableOrigin,
        now_ms: u64,
        touched: Option<&EntryGrants>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let (algorithm, value) = key(hash);
        tx.execute(
            "UPDATE entries SET last_read = ?3 WHERE algorithm = ?1 AND value = ?2",
            params![algorithm, value, int(now_ms)],
        )?;
        if let Some(grants) = touched {
            save_grants(&tx, hash, grants, now_ms)?;
        }
        touch_usage(&tx, hash, origin, now_ms)?;
        tx.commit()
    }

    /// Deletes an entry's rows; returns whether it existed.
    pub fn delete_entry(&mut self, hash: &ContentHash) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let existed = delete_rows(&tx, hash)?;
        tx.commit()?;
        Ok(existed)
    }

    pub fn list(&self) -> Result<Vec<EntryInfo>> {
        let mut infos = Vec::new();
        for Candidate { hash, .. } in self.all_candidates()? {
            let Some(row) = self.entry(&hash)? else {
                continue;
            };
            let (algorithm, value) = key(&hash);
            let mut statement = self.conn.prepare_cached(
                "SELECT origin, last_used FROM usage WHERE algorithm = ?1 AND value = ?2 ORDER BY origin",
            )?;
            let used_by = statement
                .query_map(params![algorithm, value], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })?
                .filter_map(|row| row.ok())
                .filter_map(|(origin, at)| Some((parse_origin(&origin)?, uint(at))))
                .collect();
            infos.push(EntryInfo {
                hash,
                size: row.size,
                grants: row.grants,
                used_by,
                last_used_ms: row.last_read_ms,
            });
        }
        Ok(infos)
    }

    /// Clear-site-data: strips every origin matching `pred` from every grant and from usage,
    /// and deletes entries left with no storing origin. Returns the deleted hashes.
    pub fn revoke(&mut self, pred: impl Fn(&ImmutableOrigin) -> bool) -> Result<Vec<ContentHash>> {
        let tx = self.conn.transaction()?;
        let mut matched = Vec::new();
        {
            let mut statement = tx.prepare(
                "SELECT origin FROM storing_origins UNION SELECT origin FROM entry_origins
                 UNION SELECT origin FROM usage",
            )?;
            let origins = statement.query_map([], |row| row.get::<_, String>(0))?;
            for origin in origins {
                let origin = origin?;
                if parse_origin(&origin).is_some_and(|o| pred(&o)) {
                    matched.push(origin);
                }
            }
        }
        let mut involved: HashSet<(String, String)> = HashSet::new();
        for origin in &matched {
            let mut statement = tx.prepare_cached(
                "SELECT algorithm, value FROM storing_origins WHERE origin = ?1
                 UNION SELECT algorithm, value FROM entry_origins WHERE origin = ?1",
            )?;
            let rows =
                statement.query_map(params![origin], |row| Ok((row.get(0)?, row.get(1)?)))?;
            for row in rows {
                involved.insert(row?);
            }
        }
        let mut deleted = Vec::new();
        for (algorithm, value) in involved {
            let Some(hash) = parse_hash(&algorithm, &value) else {
                continue;
            };
            let Some(mut row) = load_entry(&tx, &hash)? else {
                continue;
            };
            let had_storers = !row.grants.storing_origins.is_empty();
            let reachable = row.grants.revoke(&pred);
            // Manually added entries never had a storer; only losing the last one deletes.
            if had_storers && !reachable {
                delete_rows(&tx, &hash)?;
                deleted.push(hash);
            } else {
                save_grants(&tx, &hash, &row.grants, 0)?;
            }
        }
        for origin in &matched {
            tx.execute("DELETE FROM usage WHERE origin = ?1", params![origin])?;
        }
        tx.commit()?;
        deleted.sort();
        Ok(deleted)
    }

    /// Deletes every entry. The probe budget and the GREASE secret are kept on purpose:
    /// clearing must not reset anti-tracking state.
    pub fn clear_all(&mut self) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let count: i64 = tx.query_row("SELECT COUNT(*) FROM entries", [], |row| row.get(0))?;
        tx.execute_batch(
            "DELETE FROM entries; DELETE FROM storing_origins; DELETE FROM entry_origins;
             DELETE FROM usage;",
        )?;
        tx.commit()?;
        Ok(uint(count))
    }

    /// Charges a probe of `hash` by the requester of limit key `origin` (see `keys`: a site
    /// or an origin; the column keeps its first name) against its budget of distinct hashes per
    /// window. Returns false when over budget. Re-probing an already charged hash is free.
    pub fn charge_probe(
        &mut self,
        origin: &str,
        hash: &ContentHash,
        now_ms: u64,
        window_ms: u64,
        budget: u64,
    ) -> Result<bool> {
        let (algorithm, value) = key(hash);
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM probes WHERE origin = ?1 AND charged_at <= ?2",
            params![origin, int(now_ms.saturating_sub(window_ms))],
        )?;
        let charged: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM probes WHERE origin = ?1 AND algorithm = ?2 AND value = ?3)",
            params![origin, algorithm, value],
            |row| row.get(0),
        )?;
        let allowed = if charged {
            true
        } else {
            let count: i64 = tx.query_row(
                "SELECT COUNT(*) FROM probes WHERE origin = ?1",
                params![origin],
                |row| row.get(0),
            )?;
            if uint(count) >= budget {
                false
            } else {
                tx.execute(
                    "INSERT INTO probes (origin, algorithm, value, charged_at) VALUES (?1, ?2, ?3, ?4)",
                    params![origin, algorithm, value, int(now_ms)],
                )?;
                true
            }
        };
        tx.commit()?;
        Ok(allowed)
    }
}

fn load_entry(conn: &Connection, hash: &ContentHash) -> Result<Option<EntryRow>> {
    let (algorithm, value) = key(hash);
    let row = conn
        .query_row(
            "SELECT size, globally_disclosable, last_read FROM entries WHERE algorithm = ?1 AND value = ?2",
            params![algorithm, value],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?, row.get::<_, i64>(2)?)),
        )
        .optional()?;
    let Some((size, globally_disclosable, last_read)) = row else {
        return Ok(None);
    };
    let origins_of = |sql: &str| -> Result<Vec<ImmutableOrigin>> {
        let mut statement = conn.prepare_cached(sql)?;
        let rows = statement.query_map(params![algorithm, value], |row| row.get::<_, String>(0))?;
        let mut origins = Vec::new();
        for row in rows {
            if let Some(origin) = parse_origin(&row?) {
                origins.push(origin);
            }
        }
        Ok(origins)
    };
    let grants = EntryGrants {
        storing_origins: origins_of(
            "SELECT origin FROM storing_origins WHERE algorithm = ?1 AND value = ?2 ORDER BY rowid",
        )?,
        origins: origins_of(
            "SELECT origin FROM entry_origins WHERE algorithm = ?1 AND value = ?2 ORDER BY position",
        )?,
        globally_disclosable,
    };
    Ok(Some(EntryRow {
        size: uint(size),
        last_read_ms: uint(last_read),
        grants,
    }))
}

/// Makes the grant rows equal `grants`. New storing origins get `now_ms` as their time.
fn save_grants(
    tx: &Transaction,
    hash: &ContentHash,
    grants: &EntryGrants,
    now_ms: u64,
) -> Result<()> {
    let (algorithm, value) = key(hash);
    tx.execute(
        "UPDATE entries SET globally_disclosable = ?3 WHERE algorithm = ?1 AND value = ?2",
        params![algorithm, value, grants.globally_disclosable],
    )?;
    tx.execute(
        "DELETE FROM entry_origins WHERE algorithm = ?1 AND value = ?2",
        params![algorithm, value],
    )?;
    for (position, origin) in grants.origins.iter().enumerate() {
        tx.execute(
            "INSERT OR IGNORE INTO entry_origins (algorithm, value, origin, position) VALUES (?1, ?2, ?3, ?4)",
            params![algorithm, value, serialize(origin), position as i64],
        )?;
    }
    let keep: Vec<String> = grants.storing_origins.iter().map(serialize).collect();
    let existing: Vec<String> = {
        let mut statement = tx.prepare_cached(
            "SELECT origin FROM storing_origins WHERE algorithm = ?1 AND value = ?2",
        )?;
        let rows = statement.query_map(params![algorithm, value], |row| row.get(0))?;
        rows.collect::<Result<_>>()?
    };
    for origin in existing.iter().filter(|o| !keep.contains(o)) {
        tx.execute(
            "DELETE FROM storing_origins WHERE algorithm = ?1 AND value = ?2 AND origin = ?3",
            params![algorithm, value, origin],
        )?;
    }
    for origin in keep.iter().filter(|o| !existing.contains(o)) {
        tx.execute(
            "INSERT INTO storing_origins (algorithm, value, origin, stored_at) VALUES (?1, ?2, ?3, ?4)",
            params![algorithm, value, origin, int(now_ms)],
        )?;
    }
    Ok(())
}

fn touch_usage(
    tx: &Transaction,
    hash: &ContentHash,
    origin: &ImmutableOrigin,
    now_ms: u64,
) -> Result<()> {
    let (algorithm, value) = key(hash);
    tx.execute(
        "INSERT INTO usage (algorithm, value, origin, last_used) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (algorithm, value, origin) DO UPDATE SET last_used = excluded.last_used",
        params![algorithm, value, serialize(origin), int(now_ms)],
    )?;
    Ok(())
}

fn delete_rows(tx: &Transaction, hash: &ContentHash) -> Result<bool> {
    let (algorithm, value) = key(hash);
    let existed = tx.execute(
        "DELETE FROM entries WHERE algorithm = ?1 AND value = ?2",
        params![algorithm, value],
    )? > 0;
    for table in ["storing_origins", "entry_origins", "usage"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE algorithm = ?1 AND value = ?2"),
            params![algorithm, value],
        )?;
    }
    Ok(existed)
}
