// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: a page that never completes. Its finished subtests still arrive (one
// console line each), and the runner reports the harness as TIMEOUT.
setup({ explicit_done: true, explicit_timeout: true });
test(() => {}, "finished before the hang");
