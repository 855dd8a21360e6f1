/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The COS access model: three independent, additive grants per entry.
//!
//! (a) storing origins and every origin same-site with one of them;
//! (b) an explicit origins list (no PHL check, no GREASE);
//! (c) a global flag, which the storage thread further gates with the Public Hash List.
//!
//! Grants only ever widen. They are deliberately not one ordered "scope" enum: with an enum, a
//! `'*'` write would revoke listed origins and a list write would revoke same-site readers.

use malloc_size_of_derive::MallocSizeOf;
use serde::{Deserialize, Serialize};
use servo_url::{ImmutableOrigin, ServoUrl};

use crate::config::MergePolicy;
use crate::error::CosError;

/// The `origins` member of the request options, as script received it.
#[derive(Clone, Debug, Deserialize, Eq, PartialEq, Serialize)]
pub enum OriginsInput {
    /// A `DOMString`: `"*"`, or one origin.
    String(String),
    /// A `sequence<DOMString>`.
    List(Vec<String>),
}

/// A normalized `origins` request. `None` (omitted) means same-site only.
#[derive(Clone, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum RequestedOrigins {
    /// `"*"`: request global disclosure.
    All,
    /// Parsed, deduplicated, tuple origins.
    List(Vec<ImmutableOrigin>),
}

impl RequestedOrigins {
    /// Validates and normalizes `origins` (spec step "validate a COS request", origins part).
    /// A bare string other than `"*"` is a one-element list. Runs whether or not `create` is set.
    pub fn parse(
        input: Option<&OriginsInput>,
        max_origins: usize,
        empty_list_is_same_site: bool,
    ) -> Result<Option<RequestedOrigins>, CosError> {
        let entries: Vec<&str> = match input {
            None => return Ok(None),
            Some(OriginsInput::String(s)) if s == "*" => return Ok(Some(RequestedOrigins::All)),
            Some(OriginsInput::String(s)) => vec![s.as_str()],
            Some(OriginsInput::List(list)) => list.iter().map(String::as_str).collect(),
        };
        if entries.len() > max_origins {
            return Err(CosError::Type(format!(
                "The origins list has {} entries; at most {max_origins} are allowed.",
                entries.len()
            )));
        }
        let mut origins: Vec<ImmutableOrigin> = Vec::with_capacity(entries.len());
        for entry in entries {
            let origin = parse_origin(entry)?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        if origins.is_empty() && empty_list_is_same_site {
            return Ok(None);
        }
        Ok(Some(RequestedOrigins::List(origins)))
    }

    /// Applies the `Cross-Origin-Storage-Allow-Origin` ceiling to a list request: origins the
    /// ceiling does not name are dropped (and returned, so the caller can warn). A list left
    /// empty falls back to same-site only.
    pub fn apply_ceiling(
        self,
        ceiling: Option<&[ImmutableOrigin]>,
    ) -> (Option<RequestedOrigins>, Vec<ImmutableOrigin>) {
        match (self, ceiling) {
            (RequestedOrigins::List(list), Some(ceiling)) => {
                let (kept, dropped): (Vec<_>, Vec<_>) = list
                    .into_iter()
                    .partition(|origin| ceiling.contains(origin));
                let kept = (!kept.is_empty()).then_some(RequestedOrigins::List(kept));
                (kept, dropped)
            },
            (requested, _) => (Some(requested), Vec::new()),
        }
    }
}

/// Parses one entry of an origins list with the basic URL parser; opaque origins are refused.
pub fn parse_origin(entry: &str) -> Result<ImmutableOrigin, CosError> {
    let url = ServoUrl::parse(entry)
        .map_err(|_| CosError::Type(format!("\"{entry}\" in origins is not a valid URL.")))?;
    let origin = url.origin();
    if !origin.is_tuple() {
        return Err(CosError::Type(format!(
            "\"{entry}\" in origins does not have a tuple origin."
        )));
    }
    Ok(origin)
}

/// The name of the response header that bounds list-form `origins` requests.
pub const ALLOW_ORIGIN_HEADER: &str = "cross-origin-storage-allow-origin";

/// Parses the `Cross-Origin-Storage-Allow-Origin` values of a response into its COS scope
/// ceiling. Values are joined and split on commas, tokens trimmed and empty ones skipped; a
/// token that is not a URL with a tuple origin, including `*`, makes the whole ceiling empty
/// (fail closed), as does undecodable bytes. No header also gives an empty ceiling.
pub fn parse_allow_origin_ceiling<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<ImmutableOrigin> {
    let mut ceiling: Vec<ImmutableOrigin> = Vec::new();
    for value in values {
        let Ok(value) = std::str::from_utf8(value) else {
            return Vec::new();
        };
        for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match parse_origin(token) {
                Ok(origin) if !ceiling.contains(&origin) => ceiling.push(origin),
                Ok(_) => {},
                Err(_) => return Vec::new(),
            }
        }
    }
    ceiling
}

/// Why a read was disclosed, in the spec's normative order.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Disclosure {
    /// The requester stored the bytes.
    StoringOrigin,
    /// The requester is same-site with a storing origin.
    SameSite,
    /// The requester is in the explicit origins list.
    Listed,
    /// Only the global flag could disclose; the caller must still apply the PHL and GREASE.
    GlobalCandidate,
    /// Not disclosed.
    None,
}

/// The grants of one entry.
#[derive(Clone, Debug, Default, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub struct EntryGrants {
    pub storing_origins: Vec<ImmutableOrigin>,
    pub origins: Vec<ImmutableOrigin>,
    pub globally_disclosable: bool,
}

impl EntryGrants {
    /// Determines COS disclosure for `requester` (steps 2.2–2.6 of the read request), without
    /// the PHL and GREASE, which need the storage thread's state.
    pub fn disclosure(
        &self,
        requester: &ImmutableOrigin,
        same_site: impl Fn(&ImmutableOrigin, &ImmutableOrigin) -> bool,
    ) -> Disclosure {
        if self.storing_origins.contains(requester) {
            Disclosure::StoringOrigin
        } else if self.storing_origins.iter().any(|s| same_site(s, requester)) {
            Disclosure::SameSite
        } else if self.origins.contains(requester) {
            Disclosure::Listed
        } else if self.globally_disclosable {
            Disclosure::GlobalCandidate
        } else {
            Disclosure::None
        }
    }

    /// Records a successful store by `origin` and upgrades visibility with `requested`.
    /// Returns the requested origins that did not fit under `max_origins` (to warn about).
    pub fn record_store(
        &mut self,
        origin: &ImmutableOrigin,
        requested: Option<&RequestedOrigins>,
        max_origins: usize,
        policy: MergePolicy,
    ) -> Vec<ImmutableOrigin> {
        if !self.storing_origins.contains(origin) {
            self.storing_origins.push(origin.clone());
        }
        match requested {
            None => Vec::new(),
            Some(RequestedOrigins::All) => {
                self.globally_disclosable = true;
                Vec::new()
            },
            Some(RequestedOrigins::List(list)) => self.merge_origins(list, max_origins, policy),
        }
    }

    /// Appends new origins. Past `max_origins`, `DropNew` keeps the existing list and drops the
    /// newcomers; `Lru` evicts from the front, which the storage thread keeps in
    /// least-recently-read order.
    fn merge_origins(
        &mut self,
        new: &[ImmutableOrigin],
        max_origins: usize,
        policy: MergePolicy,
    ) -> Vec<ImmutableOrigin> {
        let mut dropped = Vec::new();
        for origin in new {
            if self.origins.contains(origin) {
                continue;
            }
            if self.origins.len() < max_origins {
                self.origins.push(origin.clone());
                continue;
            }
            match policy {
                MergePolicy::DropNew => dropped.push(origin.clone()),
                MergePolicy::Lru if max_origins > 0 => {
                    dropped.push(self.origins.remove(0));
                    self.origins.push(origin.clone());
                },
                MergePolicy::Lru => dropped.push(origin.clone()),
            }
        }
        dropped
    }

    /// Marks a listed origin as just read, for the `Lru` merge policy.
    pub fn touch_listed(&mut self, origin: &ImmutableOrigin) {
        if let Some(index) = self.origins.iter().position(|o| o == origin) {
            let origin = self.origins.remove(index);
            self.origins.push(origin);
        }
    }

    /// Removes every trace of origins matching `pred` (clear-site-data). Returns whether any
    /// storing origin remains, i.e. whether the entry is still reachable.
    pub fn revoke(&mut self, pred: impl Fn(&ImmutableOrigin) -> bool) -> bool {
        self.storing_origins.retain(|o| !pred(o));
        self.origins.retain(|o| !pred(o));
        !self.storing_origins.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> ImmutableOrigin {
        ServoUrl::parse(s).unwrap().origin()
    }

    /// A stand-in for the PSL check: same scheme and the same last two host labels.
    fn same_site(a: &ImmutableOrigin, b: &ImmutableOrigin) -> bool {
        let site = |o: &ImmutableOrigin| {
            let host = o.host().map(|h| h.to_string()).unwrap_or_default();
            let labels: Vec<&str> = host.rsplit('.').take(2).collect();
            (o.scheme().map(str::to_owned), labels.join("."))
        };
        site(a) == site(b)
    }

    fn list(origins: &[&str]) -> OriginsInput {
        OriginsInput::List(origins.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn star_string_is_global_but_star_in_a_list_is_invalid() {
        let star = OriginsInput::String("*".into());
        assert_eq!(
            RequestedOrigins::parse(Some(&star), 100, true).unwrap(),
            Some(RequestedOrigins::All)
        );
        assert_eq!(
            RequestedOrigins::parse(Some(&list(&["*"])), 100, true)
                .unwrap_err()
                .name(),
            "TypeError"
        );
    }

    #[test]
    fn a_bare_origin_string_is_a_one_element_list() {
        let one = OriginsInput::String("https://a.example:443".into());
        assert_eq!(
            RequestedOrigins::parse(Some(&one), 100, true).unwrap(),
            Some(RequestedOrigins::List(vec![origin("https://a.example")]))
        );
    }

    #[test]
    fn lists_are_parsed_normalized_and_deduplicated() {
        let parsed = RequestedOrigins::parse(
            Some(&list(&[
                "https://A.example/path",
                "https://a.example:443",
                "https://b.example",
            ])),
            100,
            true,
        )
        .unwrap();
        assert_eq!(
            parsed,
            Some(RequestedOrigins::List(vec![
                origin("https://a.example"),
                origin("https://b.example")
            ]))
        );
    }

    #[test]
    fn malformed_opaque_and_oversized_lists_are_type_errors() {
        for bad in [
            list(&["not a url"]),
            list(&["data:text/plain,hi"]),
            list(&["https://ok.example", ""]),
        ] {
            assert_eq!(
                RequestedOrigins::parse(Some(&bad), 100, true)
                    .unwrap_err()
                    .name(),
                "TypeError"
            );
        }
        let three = list(&[
            "https://a.example",
            "https://b.example",
            "https://c.example",
        ]);
        assert_eq!(
            RequestedOrigins::parse(Some(&three), 2, true)
                .unwrap_err()
                .name(),
            "TypeError"
        );
        assert!(RequestedOrigins::parse(Some(&three), 3, true).is_ok());
    }

    #[test]
    fn empty_list_is_same_site_unless_the_pref_says_otherwise() {
        assert_eq!(
            RequestedOrigins::parse(Some(&list(&[])), 100, true).unwrap(),
            None
        );
        assert_eq!(
            RequestedOrigins::parse(Some(&list(&[])), 100, false).unwrap(),
            Some(RequestedOrigins::List(vec![]))
        );
        assert_eq!(RequestedOrigins::parse(None, 100, true).unwrap(), None);
    }

    #[test]
    fn allow_origin_header_parsing_fails_closed() {
        let parse =
            |values: &[&str]| parse_allow_origin_ceiling(values.iter().map(|v| v.as_bytes()));
        assert_eq!(
            parse(&[
                "https://a.example, https://b.example:443",
                " ,https://c.example "
            ]),
            vec![
                origin("https://a.example"),
                origin("https://b.example"),
                origin("https://c.example")
            ]
        );
        assert!(parse(&[]).is_empty());
        assert!(parse(&["https://a.example, *"]).is_empty());
        assert!(parse(&["https://a.example, ::bad::"]).is_empty());
        assert!(parse(&["https://a.example", "data:text/plain,x"]).is_empty());
        assert!(parse_allow_origin_ceiling([&b"https://a.example\xff"[..]]).is_empty());
    }

    #[test]
    fn ceiling_drops_unauthorized_origins_and_empties_to_same_site() {
        let requested = RequestedOrigins::List(vec![
            origin("https://a.example"),
            origin("https://b.example"),
        ]);
        let ceiling = [origin("https://b.example")];
        let (kept, dropped) = requested.clone().apply_ceiling(Some(&ceiling));
        assert_eq!(
            kept,
            Some(RequestedOrigins::List(vec![origin("https://b.example")]))
        );
        assert_eq!(dropped, vec![origin("https://a.example")]);
        let (kept, dropped) = requested.clone().apply_ceiling(Some(&[]));
        assert_eq!(kept, None);
        assert_eq!(dropped.len(), 2);
        assert_eq!(requested.clone().apply_ceiling(None).0, Some(requested));
        assert_eq!(
            RequestedOrigins::All.apply_ceiling(Some(&[])).0,
            Some(RequestedOrigins::All)
        );
    }

    /// The access matrix: who reads an entry stored by https://a.site.example with each kind
    /// of `origins`.
    #[test]
    fn access_matrix() {
        let storer = origin("https://a.site.example");
        let same_origin = storer.clone();
        let sibling = origin("https://b.site.example");
        let listed = origin("https://listed.example");
        let cross_site = origin("https://other.example");
        let http_same_host = origin("http://a.site.example");

        let cases: [(Option<RequestedOrigins>, [Disclosure; 5]); 3] = [
            (
                None,
                [
                    Disclosure::StoringOrigin,
                    Disclosure::SameSite,
                    Disclosure::None,
                    Disclosure::None,
                    Disclosure::None,
                ],
            ),
            (
                Some(RequestedOrigins::List(vec![listed.clone()])),
                [
                    Disclosure::StoringOrigin,
                    Disclosure::SameSite,
                    Disclosure::Listed,
                    Disclosure::None,
                    Disclosure::None,
                ],
            ),
            (
                Some(RequestedOrigins::All),
                [
                    Disclosure::StoringOrigin,
                    Disclosure::SameSite,
                    Disclosure::GlobalCandidate,
                    Disclosure::GlobalCandidate,
                    Disclosure::GlobalCandidate,
                ],
            ),
        ];
        for (requested, expected) in cases {
            let mut grants = EntryGrants::default();
            grants.record_store(&storer, requested.as_ref(), 100, MergePolicy::DropNew);
            let got: Vec<Disclosure> = [
                &same_origin,
                &sibling,
                &listed,
                &cross_site,
                &http_same_host,
            ]
            .iter()
            .map(|r| grants.disclosure(r, same_site))
            .collect();
            assert_eq!(got, expected, "requested {requested:?}");
        }
    }

    #[test]
    fn upgrades_never_narrow() {
        let storer = origin("https://a.example");
        let listed = origin("https://listed.example");
        let mut grants = EntryGrants::default();
        grants.record_store(
            &storer,
            Some(&RequestedOrigins::List(vec![listed.clone()])),
            100,
            MergePolicy::DropNew,
        );
        // A later '*' write keeps the list; a later same-site write keeps both.
        grants.record_store(
            &storer,
            Some(&RequestedOrigins::All),
            100,
            MergePolicy::DropNew,
        );
        grants.record_store(
            &origin("https://b.example"),
            None,
            100,
            MergePolicy::DropNew,
        );
        assert!(grants.globally_disclosable);
        assert_eq!(grants.origins, vec![listed.clone()]);
        assert_eq!(grants.disclosure(&listed, same_site), Disclosure::Listed);
        assert_eq!(
            grants.disclosure(&storer, same_site),
            Disclosure::StoringOrigin
        );
        assert_eq!(grants.storing_origins.len(), 2);
    }

    #[test]
    fn merges_past_the_maximum_follow_the_policy() {
        let storer = origin("https://a.example");
        let [o1, o2, o3] = [
            "https://1.example",
            "https://2.example",
            "https://3.example",
        ]
        .map(origin);
        let mut drop_new = EntryGrants::default();
        drop_new.record_store(
            &storer,
            Some(&RequestedOrigins::List(vec![o1.clone(), o2.clone()])),
            2,
            MergePolicy::DropNew,
        );
        let dropped = drop_new.record_store(
            &storer,
            Some(&RequestedOrigins::List(vec![o3.clone()])),
            2,
            MergePolicy::DropNew,
        );
        assert_eq!(dropped, vec![o3.clone()]);
        assert_eq!(drop_new.origins, vec![o1.clone(), o2.clone()]);

        let mut lru = EntryGrants::default();
        lru.record_store(
            &storer,
            Some(&RequestedOrigins::List(vec![o1.clone(), o2.clone()])),
            2,
            MergePolicy::Lru,
        );
        lru.touch_listed(&o1);
        let dropped = lru.record_store(
            &storer,
            Some(&RequestedOrigins::List(vec![o3.clone()])),
            2,
            MergePolicy::Lru,
        );
        assert_eq!(dropped, vec![o2]);
        assert_eq!(lru.origins, vec![o1, o3]);
    }

    #[test]
    fn revoke_strips_an_origin_everywhere() {
        let a = origin("https://a.example");
        let b = origin("https://b.example");
        let mut grants = EntryGrants::default();
        grants.record_store(
            &a,
            Some(&RequestedOrigins::List(vec![b.clone()])),
            100,
            MergePolicy::DropNew,
        );
        grants.record_store(&b, None, 100, MergePolicy::DropNew);
        assert!(grants.revoke(|o| *o == b));
        assert_eq!(grants.storing_origins, vec![a.clone()]);
        assert!(grants.origins.is_empty());
        assert!(!grants.revoke(|o| *o == a));
    }
}
