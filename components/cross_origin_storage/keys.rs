/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The key each per-requester limit is counted under: quota, probe budget, GREASE draws, open
//! write sessions and live handles.
//!
//! By default it is the site (the registrable domain), because counted per origin a site gets
//! one allowance per subdomain it cares to make, and because a content process may act as any
//! origin of its site anyway (see `binding`). The `limits_key` pref counts per origin instead.

use cross_origin_storage_traits::LimitKey;
use servo_url::ImmutableOrigin;

use crate::binding::site_of;

/// The key of `origin`. Site keys are bare domains and origin keys carry a scheme, so the two
/// kinds never collide.
pub fn limit_key(kind: LimitKey, origin: &ImmutableOrigin) -> String {
    match (kind, site_of(origin)) {
        (LimitKey::Site, Some(site)) => site.to_string(),
        _ => origin.ascii_serialization().into_owned(),
    }
}

/// Whether `origin` counts under `key`.
pub fn counts_under(kind: LimitKey, key: &str, origin: &ImmutableOrigin) -> bool {
    limit_key(kind, origin) == key
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

    #[test]
    fn subdomains_share_a_site_key() {
        let key = limit_key(LimitKey::Site, &origin("https://a.example.co.uk"));
        assert_eq!(key, "example.co.uk");
        assert!(counts_under(
            LimitKey::Site,
            &key,
            &origin("http://b.example.co.uk:81")
        ));
        assert!(!counts_under(
            LimitKey::Site,
            &key,
            &origin("https://other.co.uk")
        ));
    }

    #[test]
    fn origin_keys_tell_subdomains_apart() {
        let key = limit_key(LimitKey::Origin, &origin("https://a.example.com"));
        assert_eq!(key, "https://a.example.com");
        assert!(!counts_under(
            LimitKey::Origin,
            &key,
            &origin("https://b.example.com")
        ));
        assert!(!counts_under(
            LimitKey::Origin,
            &key,
            &origin("http://a.example.com")
        ));
    }
}
