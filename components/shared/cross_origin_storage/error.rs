/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

//! Errors, one variant per DOMException name (or `TypeError`) the spec uses.

use std::fmt;

use malloc_size_of_derive::MallocSizeOf;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Eq, MallocSizeOf, PartialEq, Serialize)]
pub enum CosError {
    /// `TypeError`: the request is malformed.
    Type(String),
    /// `NotFoundError`. It carries no detail on purpose: a miss, an entry the requester may not
    /// see and an entry still being written must be indistinguishable.
    NotFound,
    /// `NotAllowedError`.
    NotAllowed(String),
    /// `DataError`: the bytes written do not hash to the declared digest.
    Data(String),
    /// `QuotaExceededError`, reporting the nominal quota (never real free space).
    QuotaExceeded { quota: u64, requested: u64 },
    /// `InvalidStateError`: e.g. a write session that is already closed.
    InvalidState(String),
    /// `NotSupportedError`.
    NotSupported(String),
    /// `OperationError`: the user agent failed (I/O), not the page.
    Operation(String),
    /// `NotReadableError`: the Blob given to `write()` could not be read. Script reports it; the
    /// storage thread never does.
    NotReadable(String),
}

impl CosError {
    /// The name of the exception script rejects with.
    pub fn name(&self) -> &'static str {
        match self {
            CosError::Type(_) => "TypeError",
            CosError::NotFound => "NotFoundError",
            CosError::NotAllowed(_) => "NotAllowedError",
            CosError::Data(_) => "DataError",
            CosError::QuotaExceeded { .. } => "QuotaExceededError",
            CosError::InvalidState(_) => "InvalidStateError",
            CosError::NotSupported(_) => "NotSupportedError",
            CosError::Operation(_) => "OperationError",
            CosError::NotReadable(_) => "NotReadableError",
        }
    }

    /// The message shown to the page.
    pub fn message(&self) -> String {
        match self {
            CosError::NotFound => "No such file in Cross-Origin Storage.".to_owned(),
            CosError::QuotaExceeded { quota, requested } => format!(
                "Storing {requested} bytes would exceed the Cross-Origin Storage quota of {quota} bytes."
            ),
            CosError::Type(m) |
            CosError::NotAllowed(m) |
            CosError::Data(m) |
            CosError::InvalidState(m) |
            CosError::NotSupported(m) |
            CosError::Operation(m) |
            CosError::NotReadable(m) => m.clone(),
        }
    }
}

impl fmt::Display for CosError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl std::error::Error for CosError {}
