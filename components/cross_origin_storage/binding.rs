/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The check between a content request's claimed origin and the site its channel was bound to.
//!
//! The constellation keys event loops by `registered_domain_name()` of the document's URL,
//! and binds each event loop's COS channel to that key; the same function applied to the
//! claimed origin must give the same key. Scheme and port are not part of it: a site's
//! `http:` and `https:` documents share an event loop, so a channel cannot tell them apart,
//! and the origin-level rules (grants, handles bound to origins) still apply within a site.

use cross_origin_storage_traits::{BoundSite, CosError};
use log::warn;
use net_traits::pub_domains::reg_suffix;
use servo_url::{Host, ImmutableOrigin};

/// The key the constellation would give an event loop for a document of `origin`.
pub fn site_of(origin: &ImmutableOrigin) -> BoundSite {
    match origin {
        ImmutableOrigin::Tuple(_, Host::Domain(domain), _) => {
            Some(Host::Domain(reg_suffix(domain).to_owned()))
        },
        ImmutableOrigin::Tuple(_, ip, _) => Some(ip.clone()),
        ImmutableOrigin::Opaque(_) => None,
    }
}

/// Refuses, and logs, a claim that the channel's site does not cover.
pub fn check(bound: &BoundSite, claimed: &ImmutableOrigin) -> Result<(), CosError> {
    match (bound, site_of(claimed)) {
        (Some(bound), Some(claimed_site)) if *bound == claimed_site => Ok(()),
        (bound, _) => {
            // Either a compromised content process, or a bug in how channels are bound:
            // both deserve a line in the log, and neither gets an answer that says more.
            warn!(
                "COS: refused a request claiming {} on a channel bound to {}",
                claimed.ascii_serialization(),
                bound
                    .as_ref()
                    .map_or_else(|| "no site".to_owned(), Host::to_string)
            );
            Err(CosError::NotAllowed(
                "This context may not use Cross-Origin Storage for that origin.".to_owned(),
            ))
        },
    }
}

#[cfg(test)]
mod tests {
    // Registers the public suffix list that `reg_suffix()` reads.
    use servo_default_resources as _;
    use servo_url::ServoUrl;

    use super::*;

    fn origin(url: &str) -> ImmutableOrigin {
        ServoUrl::parse(url).unwrap().origin()
    }

    fn bound(url: &str) -> BoundSite {
        site_of(&origin(url))
    }

    #[test]
    fn same_site_claims_pass() {
        let site = bound("https://example.com");
        for claim in [
            "https://example.com",
            "http://example.com:8080",
            "https://a.b.example.com",
        ] {
            assert_eq!(check(&site, &origin(claim)), Ok(()), "{claim}");
        }
        // Public suffixes: the site is the registrable domain, not the last label.
        let site = bound("https://app.example.co.uk");
        assert!(check(&site, &origin("https://www.example.co.uk")).is_ok());
        assert!(check(&site, &origin("https://other.co.uk")).is_err());
    }

    #[test]
    fn other_sites_and_opaque_claims_are_refused() {
        let site = bound("https://example.com");
        for claim in [
            "https://example.org",
            "https://notexample.com",
            "https://example.com.evil.test",
            "https://127.0.0.1",
            "data:text/plain,x",
        ] {
            let error = check(&site, &origin(claim)).unwrap_err();
            assert_eq!(error.name(), "NotAllowedError", "{claim}");
        }
    }

    #[test]
    fn a_channel_without_a_site_is_refused_everything() {
        assert!(check(&None, &origin("https://example.com")).is_err());
        assert!(check(&None, &origin("data:text/plain,x")).is_err());
    }

    #[test]
    fn ip_addresses_are_their_own_site() {
        let site = bound("http://127.0.0.1:8000");
        assert!(check(&site, &origin("https://127.0.0.1")).is_ok());
        assert!(check(&site, &origin("http://127.0.0.2")).is_err());
        assert!(check(&site, &origin("http://localhost")).is_err());
    }
}
