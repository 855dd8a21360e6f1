/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! The declarative ways into Cross-Origin Storage: `fetch()`'s `crossOriginStorage` member, the
//! `crossoriginstorage` attribute of `<script>` and `<link>`, the import attribute of the same
//! name, and CSS's `cross-origin-storage()`.
//!
//! Each names its entry by the resource's Subresource Integrity metadata and its scope in its
//! host's own syntax. This module turns both into what the imperative API takes: a
//! [`ContentHash`] and an [`OriginsInput`], which the storage thread then validates as it
//! validates `getFileHandle()`'s. `fetch()`'s and the HTML attribute's syntaxes are read so far.

use base64::Engine;
use base64::alphabet::{self, Alphabet};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::access::OriginsInput;
use crate::error::CosError;
use crate::hash::{ContentHash, HashAlgorithm};

/// The COS entry that `integrity` (<https://w3c.github.io/webappsec-subresource-integrity/#integrity-metadata>)
/// names: its SHA-256 digest, as the lowercase hex value COS keys entries by, where SRI writes
/// base64.
///
/// SRI ignores tokens it cannot parse, and so does this; but COS needs a SHA-256 digest to key
/// the entry, so metadata without a valid one is refused with a `TypeError`, which is what
/// `fetch()` throws for bad input. So is metadata that also lists a SHA-384 or SHA-512 digest:
/// SRI checks the strongest algorithm listed and no other, so bytes matching the SHA-256 digest
/// alone would fail it, and COS must not answer with them. When several SHA-256 digests are
/// listed, the first names the entry: which one the bytes match is known only after a fetch,
/// and a lookup needs one key.
pub fn integrity_hash(integrity: &str) -> Result<ContentHash, CosError> {
    let mut found = None;
    for token in integrity.split_ascii_whitespace() {
        // Step 3.2 of "parse metadata": the options after `?` are ignored.
        let expression = token.split('?').next().unwrap_or_default();
        let Some((algorithm, value)) = expression.split_once('-') else {
            continue;
        };
        if ["sha384", "sha512"]
            .iter()
            .any(|stronger| algorithm.eq_ignore_ascii_case(stronger))
        {
            return Err(CosError::Type(format!(
                "Cross-Origin Storage keys entries by SHA-256, but the integrity metadata lists a \
                 {} digest, which SRI would check instead.",
                algorithm.to_ascii_uppercase().replace("SHA", "SHA-")
            )));
        }
        if found.is_some() || !algorithm.eq_ignore_ascii_case("sha256") {
            continue;
        }
        // A digest of another length than SHA-256's is not one.
        found = decode_digest(value)
            .and_then(|digest| ContentHash::from_digest(HashAlgorithm::Sha256, &digest));
    }
    found.ok_or_else(|| {
        CosError::Type(
            "Cross-Origin Storage needs integrity metadata with a valid \"sha256-\" digest (32 \
             bytes in base64)."
                .to_owned(),
        )
    })
}

/// A digest in base64 or base64url (SRI accepts both), padded or not.
fn decode_digest(value: &str) -> Option<Vec<u8>> {
    let alphabet = if value.contains(['-', '_']) {
        &alphabet::URL_SAFE
    } else {
        &alphabet::STANDARD
    };
    digest_engine(alphabet).decode(value).ok()
}

fn digest_engine(alphabet: &Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// The scope of `fetch()`'s `crossOriginStorage` member given as a string: the empty string is
/// same-site, `*` is every origin, and any other string one origin, as the imperative API reads
/// a bare string.
pub fn fetch_scope(value: &str) -> Option<OriginsInput> {
    match value {
        "" => None,
        _ => Some(OriginsInput::String(value.to_owned())),
    }
}

/// The scope of a `crossoriginstorage` attribute (whatwg/html#12770): valueless or empty is
/// same-site, `*` is every origin, and anything else a space-separated list of origins, which
/// the storage thread parses and validates as it does a `getFileHandle()` list.
pub fn attribute_scope(value: &str) -> Option<OriginsInput> {
    let origins: Vec<String> = value.split_ascii_whitespace().map(str::to_owned).collect();
    match origins.as_slice() {
        [] => None,
        [only] if only == "*" => Some(OriginsInput::String(only.clone())),
        _ => Some(OriginsInput::List(origins)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of "hello", in SRI's base64 and in COS's hex.
    const HELLO_BASE64: &str = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
    const HELLO_HEX: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    #[test]
    fn a_sha256_digest_names_the_entry_in_hex() {
        let hash = integrity_hash(&format!("sha256-{HELLO_BASE64}")).unwrap();
        assert_eq!(hash.value(), HELLO_HEX);
        assert_eq!(hash.algorithm(), HashAlgorithm::Sha256);
    }

    #[test]
    fn padding_base64url_options_and_other_tokens_do_not_matter() {
        let url_safe = HELLO_BASE64.replace('+', "-").replace('/', "_");
        for integrity in [
            format!("sha256-{}", HELLO_BASE64.trim_end_matches('=')),
            format!("sha256-{url_safe}"),
            format!("sha256-{HELLO_BASE64}?ct=application/javascript"),
            format!("md5-xyz  sha256-{HELLO_BASE64}\tsha1-def"),
            format!("SHA256-{HELLO_BASE64}"),
        ] {
            assert_eq!(
                integrity_hash(&integrity).unwrap().value(),
                HELLO_HEX,
                "{integrity}"
            );
        }
    }

    #[test]
    fn the_first_sha256_digest_wins() {
        let other = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let hash = integrity_hash(&format!("sha256-{HELLO_BASE64} sha256-{other}")).unwrap();
        assert_eq!(hash.value(), HELLO_HEX);
    }

    #[test]
    fn metadata_without_a_valid_sha256_digest_is_a_type_error() {
        for integrity in [
            "",
            "   ",
            "sha256",
            "sha256-",
            "sha256-not*base64",
            // 31 bytes.
            "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmA==",
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb",
        ] {
            assert!(
                matches!(integrity_hash(integrity), Err(CosError::Type(_))),
                "{integrity:?}"
            );
        }
    }

    #[test]
    fn a_stronger_algorithm_anywhere_is_refused_for_the_one_sri_checks() {
        for integrity in [
            "sha512-abc".to_owned(),
            format!("sha384-abc sha256-{HELLO_BASE64}"),
            format!("sha256-{HELLO_BASE64} SHA512-def"),
        ] {
            let Err(CosError::Type(message)) = integrity_hash(&integrity) else {
                panic!("{integrity:?} was accepted");
            };
            assert!(message.contains("keys entries by SHA-256"), "{message}");
            assert!(
                message.contains("SHA-384") || message.contains("SHA-512"),
                "{message}"
            );
        }
    }

    #[test]
    fn fetch_strings_are_same_site_everyone_or_one_origin() {
        assert_eq!(fetch_scope(""), None);
        assert_eq!(fetch_scope("*"), Some(OriginsInput::String("*".to_owned())));
        assert_eq!(
            fetch_scope("https://a.test"),
            Some(OriginsInput::String("https://a.test".to_owned()))
        );
    }

    #[test]
    fn attributes_are_same_site_everyone_or_a_space_separated_list() {
        assert_eq!(attribute_scope(""), None);
        assert_eq!(attribute_scope(" \t\n"), None);
        assert_eq!(
            attribute_scope(" * "),
            Some(OriginsInput::String("*".to_owned()))
        );
        assert_eq!(
            attribute_scope("https://a.test\thttps://b.test:8443 "),
            Some(OriginsInput::List(vec![
                "https://a.test".to_owned(),
                "https://b.test:8443".to_owned()
            ]))
        );
        // A star among origins is a list entry, which the storage thread refuses as it refuses
        // `["*"]` from `getFileHandle()`.
        assert_eq!(
            attribute_scope("* https://a.test"),
            Some(OriginsInput::List(vec![
                "*".to_owned(),
                "https://a.test".to_owned()
            ]))
        );
    }
}
