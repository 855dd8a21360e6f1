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
