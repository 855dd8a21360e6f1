// META: phases=2
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: a phases=2 file is loaded twice, in two processes on one profile,
// each told its phase and one shared token.
test(() => {
  const params = new URLSearchParams(location.search);
  assert_in_array(params.get("phase"), ["1", "2"]);
  assert_regexp_match(params.get("token"), /^[0-9a-f]{32}$/);
}, "phase and token");
