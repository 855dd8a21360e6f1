// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Fixed content whose SHA-256 is on the test Public Hash List (test-phl.dat). '*' discloses an
// entry cross-site only for such hashes, so '*' tests need fixed bytes; each test uses its own
// fixture letter so that no two subtests in one profile share an entry.
"use strict";

async function cosPhlFixture(letter) {
  const response = await fetch(new URL(`phl/fixture-${letter}.txt`, COS_RESOURCES));
  assert_true(response.ok, `fixture ${letter} loads`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const hash = cosHash(await cosSha256Hex(bytes));
  const list = await (await fetch(new URL("test-phl.dat", COS_RESOURCES))).text();
  assert_true(list.split("\n").includes(hash.value),
              `fixture ${letter}'s digest ${hash.value} is listed in test-phl.dat`);
  return { bytes, hash };
}
