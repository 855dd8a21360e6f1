// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: an uncaught error outside any test is a harness ERROR.
test(() => {}, "runs before the error");
throw new Error("deliberate uncaught error");
