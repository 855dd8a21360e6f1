/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The part of `Clear-Site-Data` that reaches Cross-Origin Storage.
//!
//! <https://w3c.github.io/webappsec-clear-site-data/#header>: a list of quoted type strings;
//! `"storage"` and the wildcard `"*"` clear the DOM-accessible storage of the response's
//! origin, which for Cross-Origin Storage means that origin's grants and usage records.

pub const CLEAR_SITE_DATA_HEADER: &str = "Clear-Site-Data";

/// Whether these `Clear-Site-Data` header values ask for storage to be cleared. Unknown types
/// are ignored, as are unquoted tokens, which the header's grammar does not allow.
pub fn clears_storage<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> bool {
    values.into_iter().any(|value| {
        let Ok(value) = std::str::from_utf8(value) else {
            return false;
        };
        value.split(',').map(str::trim).any(|item| {
            let unquoted = item
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'));
            matches!(unquoted, Some("storage") | Some("*"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clears(values: &[&str]) -> bool {
        clears_storage(values.iter().map(|value| value.as_bytes()))
    }

    #[test]
    fn storage_and_the_wildcard_clear() {
        assert!(clears(&["\"storage\""]));
        assert!(clears(&["\"cache\", \"storage\""]));
        assert!(clears(&["\"*\""]));
        assert!(clears(&["\"cookies\"", " \"storage\" "]));
    }

    #[test]
    fn other_types_and_malformed_values_do_not() {
        assert!(!clears(&[]));
        assert!(!clears(&["\"cache\", \"cookies\""]));
        assert!(!clears(&["storage"]), "the types are quoted strings");
        assert!(!clears(&["\"Storage\""]), "and case-sensitive");
        assert!(!clears(&["\"storage"]));
    }
}
