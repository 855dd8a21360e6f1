// META: title=Cross-Origin Storage: a corrupt Public Hash List lists nothing
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: script=resources/phl-fail-closed.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// wpt-tests/prefs.json points dom_cross_origin_storage_phl_path at resources/corrupt-phl.dat,
// which has no SHA-256 section. The test itself is in resources/phl-fail-closed.js.
