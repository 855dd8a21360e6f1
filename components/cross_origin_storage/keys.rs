/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The key each per-requester limit is counted under: quota, probe budget, GREASE draws, open
//! write sessions and live handles.
//!
//! By default it is the site (the registrable domain), because counted per origin a site gets
//! one allowance per subdomain it cares to make, and because a content process may act as any
//! origin of its site anyway (see `binding`). The `limits_key` pref counts per origin instead.
//!
//! The probe budget alone is counted per top-level site by default (`probe_budget_key`): it
//! limits what one page learns, and a page could otherwise add a budget for every site it frames.

use cross_origin_storage_traits::{LimitKey, ProbeBudgetKey};
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

/// The probe-budget key of a read by `origin` whose top-level origin is `top_level`.
///
/// The top-level origin is the content process's word; see the README's known limits. A context
/// with none, or an opaque one, counts as its own top level, so it cannot escape into a key it
/// would get afresh each time.
pub fn probe_key(
    kind: ProbeBudgetKey,
    limits: LimitKey,
    origin: &ImmutableOrigin,
    top_level: Option<&ImmutableOrigin>,
) -> String {
    let requester = || limit_key(limits, origin);
    let top_level_site = || {
        let top = top_level.filter(|top| top.is_tuple()).unwrap_or(origin);
        match (top, site_of(top)) {
            // HTML's site: the scheme and the registrable domain (or the host).
            (ImmutableOrigin::Tuple(scheme, ..), Some(site)) => format!("top:{scheme}://{site}"),
            _ => format!("top:{}", top.ascii_serialization()),
        }
    };
    match kind {
        ProbeBudgetKey::TopLevelSite => top_level_site(),
        ProbeBudgetKey::Requester => requester(),
        ProbeBudgetKey::RequesterAndTopLevelSite => {
            format!("{} {}", requester(), top_level_site())
        },
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
    fn frames_under_one_top_level_site_share_a_probe_key() {
        let top = origin("https://news.example.com");
        let key = |kind, reader: &str, top: Option<&ImmutableOrigin>| {
            probe_key(kind, LimitKey::Site, &origin(reader), top)
        };
        let framed = key(
            ProbeBudgetKey::TopLevelSite,
            "https://cdn.other.org",
            Some(&top),
        );
        assert_eq!(framed, "top:https://example.com");
        assert_eq!(
            framed,
            key(
                ProbeBudgetKey::TopLevelSite,
                "https://a.third.net",
                Some(&origin("https://www.example.com:8443")),
            ),
            "every frame under the site shares it; the port is not part of a site"
        );
        assert_ne!(
            framed,
            key(
                ProbeBudgetKey::TopLevelSite,
                "https://cdn.other.org",
                Some(&origin("http://example.com")),
            ),
            "the scheme is"
        );
        assert_eq!(
            key(
                ProbeBudgetKey::Requester,
                "https://cdn.other.org",
                Some(&top)
            ),
            "other.org"
        );
        assert_eq!(
            key(
                ProbeBudgetKey::RequesterAndTopLevelSite,
                "https://cdn.other.org",
                Some(&top)
            ),
            "other.org top:https://example.com"
        );
    }

    #[test]
    fn no_or_an_opaque_top_level_counts_as_the_reader_s_own() {
        let reader = origin("https://cdn.other.org");
        let opaque = ServoUrl::parse("data:text/html,x").unwrap().origin();
        for top in [None, Some(&opaque)] {
            assert_eq!(
                probe_key(ProbeBudgetKey::TopLevelSite, LimitKey::Site, &reader, top),
                "top:https://other.org"
            );
        }
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
