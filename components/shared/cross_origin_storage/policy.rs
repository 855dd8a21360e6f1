/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The `cross-origin-storage` policy-controlled feature in a `Permissions-Policy` header.
//!
//! <https://w3c.github.io/webappsec-permissions-policy/#permissions-policy-http-header-field>
//! The header is a structured-field dictionary; only our member is read. Its allowlist is `*`,
//! `self`, or an inner list of `self`, `*` and origin strings. A header that cannot be parsed
//! is ignored, as structured-field parsing failures are.

use servo_url::ImmutableOrigin;

use crate::access::parse_origin;

pub const PERMISSIONS_POLICY_HEADER: &str = "permissions-policy";
pub const FEATURE: &str = "cross-origin-storage";

/// Whether a document of `origin` whose response carried these `Permissions-Policy` values may
/// use Cross-Origin Storage. Without our member the default allowlist, `self`, applies.
pub fn document_allows<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
    origin: &ImmutableOrigin,
) -> bool {
    let mut joined = String::new();
    for value in values {
        let Ok(value) = std::str::from_utf8(value) else {
            return true;
        };
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(value);
    }
    match allowlist(&joined) {
        Some(Some(items)) => items.iter().any(|item| match item.as_str() {
            "*" | "self" => true,
            quoted => quoted
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .and_then(|url| parse_origin(url).ok())
                .is_some_and(|allowed| allowed == *origin),
        }),
        // No member for the feature, or an unparsable header: the default allowlist is `self`.
        Some(None) | None => true,
    }
}

/// <https://w3c.github.io/webappsec-permissions-policy/#algo-define-inherited-policy-in-container>
/// for our feature: whether a document of `origin`, loaded in an iframe whose `allow`
/// attribute is `allow` and whose node document is of `container_origin`, may use Cross-Origin
/// Storage. `container_allows` says whether that node document may: if not, no document inside
/// it may either.
pub fn frame_allows(
    allow: &str,
    container_origin: &ImmutableOrigin,
    origin: &ImmutableOrigin,
    container_allows: bool,
) -> bool {
    if !container_allows {
        return false;
    }
    // The attribute is a serialized permissions policy: `;`-separated directives, each a
    // feature name and its allowlist. The first directive for a feature is the one that counts.
    for directive in allow.split(';') {
        let mut tokens = directive.split_ascii_whitespace();
        if tokens.next() != Some(FEATURE) {
            continue;
        }
        let allowlist: Vec<&str> = tokens.collect();
        // A bare feature name means `'src'`: the origin the iframe loads, which this document is
        // (the one place this differs is a redirect to another origin, which we accept).
        if allowlist.is_empty() {
            return true;
        }
        return allowlist.iter().any(|item| match *item {
            "*" | "'src'" => true,
            "'self'" => origin == container_origin,
            "'none'" => false,
            url => parse_origin(url).is_ok_and(|allowed| allowed == *origin),
        });
    }
    // No directive for the feature: its default allowlist, `'self'`.
    origin == container_origin
}

/// The items of our member's allowlist: `Some(None)` when the member is absent, `None` when the
/// header does not parse. The last occurrence of a member wins, as in any dictionary.
fn allowlist(header: &str) -> Option<Option<Vec<String>>> {
    let mut found = None;
    for member in split_top_level(header)? {
        let member = member.trim();
        if member.is_empty() {
            continue;
        }
        let (key, value) = member.split_once('=').unwrap_or((member, "?1"));
        if key.trim() != FEATURE {
            continue;
        }
        // Parameters (`;a=b`) do not change the allowlist.
        let value = value.split(';').next().unwrap_or("").trim();
        let items = if let Some(inner) = value.strip_prefix('(') {
            let inner = inner.strip_suffix(')')?;
            inner.split_whitespace().map(str::to_owned).collect()
        } else {
            vec![value.to_owned()]
        };
        found = Some(items);
    }
    Some(found)
}

/// Splits dictionary members on commas outside inner lists and strings.
fn split_top_level(header: &str) -> Option<Vec<&str>> {
    let mut members = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0usize);
    for (index, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.checked_sub(1)?,
            ',' if !quoted && depth == 0 => {
                members.push(&header[start..index]);
                start = index + 1;
            },
            _ => {},
        }
    }
    if quoted || depth != 0 {
        return None;
    }
    members.push(&header[start..]);
    Some(members)
}

#[cfg(test)]
mod tests {
    use servo_url::ServoUrl;

    use super::*;

    fn allows(values: &[&str], origin: &str) -> bool {
        let origin = ServoUrl::parse(origin).unwrap().origin();
        document_allows(values.iter().map(|v| v.as_bytes()), &origin)
    }

    fn frame(allow: &str, container: &str, origin: &str, container_allows: bool) -> bool {
        let origin_of = |url: &str| ServoUrl::parse(url).unwrap().origin();
        frame_allows(
            allow,
            &origin_of(container),
            &origin_of(origin),
            container_allows,
        )
    }

    #[test]
    fn frames_follow_their_container_policy() {
        let (top, other) = ("https://top.example", "https://other.example");
        // No allow attribute: `'self'`, the container's origin only.
        assert!(frame("", top, top, true));
        assert!(!frame("", top, other, true));
        assert!(
            !frame("", top, "https://sub.top.example", true),
            "same site is not enough"
        );
        assert!(!frame("fullscreen; camera", top, other, true));
        // The feature named: `'src'`, the framed document.
        assert!(frame("cross-origin-storage", top, other, true));
        assert!(frame("camera; cross-origin-storage", top, other, true));
        assert!(frame("cross-origin-storage *", top, other, true));
        assert!(frame("cross-origin-storage 'src'", top, other, true));
        assert!(!frame("cross-origin-storage 'self'", top, other, true));
        assert!(frame("cross-origin-storage 'self'", top, top, true));
        assert!(!frame("cross-origin-storage 'none'", top, top, true));
        assert!(frame(
            "cross-origin-storage https://other.example",
            top,
            other,
            true
        ));
        assert!(!frame(
            "cross-origin-storage https://third.example",
            top,
            other,
            true
        ));
        // The first directive for the feature counts.
        assert!(!frame(
            "cross-origin-storage 'none'; cross-origin-storage *",
            top,
            other,
            true
        ));
        // Another feature whose name starts the same is another feature.
        assert!(!frame("cross-origin-storage-x", top, other, true));
    }

    #[test]
    fn a_container_that_may_not_use_the_feature_passes_none_on() {
        let top = "https://top.example";
        assert!(!frame("", top, top, false));
        assert!(!frame(
            "cross-origin-storage *",
            top,
            "https://other.example",
            false
        ));
    }

    #[test]
    fn default_allowlist_is_self() {
        assert!(allows(&[], "https://a.example"));
        assert!(allows(&["geolocation=()"], "https://a.example"));
        assert!(allows(&["cross-origin-storage=self"], "https://a.example"));
    }

    #[test]
    fn an_empty_allowlist_disables_the_feature() {
        assert!(!allows(&["cross-origin-storage=()"], "https://a.example"));
        assert!(!allows(
            &["geolocation=(self), cross-origin-storage=()"],
            "https://a.example"
        ));
        assert!(!allows(
            &["geolocation=*", "cross-origin-storage=();report-to=x"],
            "https://a.example"
        ));
    }

    #[test]
    fn inner_lists_name_origins() {
        let header = r#"cross-origin-storage=("https://b.example" "https://a.example:443")"#;
        assert!(allows(&[header], "https://a.example"));
        assert!(!allows(&[header], "https://c.example"));
        assert!(allows(
            &["cross-origin-storage=(self)"],
            "https://c.example"
        ));
        assert!(allows(&["cross-origin-storage=*"], "https://c.example"));
    }

    #[test]
    fn the_last_member_wins_and_broken_headers_are_ignored() {
        assert!(allows(
            &["cross-origin-storage=(), cross-origin-storage=*"],
            "https://a.example"
        ));
        assert!(!allows(
            &["cross-origin-storage=*, cross-origin-storage=()"],
            "https://a.example"
        ));
        assert!(allows(&["cross-origin-storage=(self"], "https://a.example"));
        assert!(allows(
            &[r#"cross-origin-storage=("x)"#],
            "https://a.example"
        ));
    }
}
