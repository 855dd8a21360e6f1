/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Our testharnessreport.js for `mach test-wpt` (WPT's own copy is not in any registry package).
// The headless runner sees only console messages, so results go to the console:
//   WPT-RESULT {"name", "status", "message"}      one line per finished subtest, as it finishes,
//                                                 so a page that hangs still reports what ran;
//   WPT-DONE {"status", "message", "stack", "tests": [{"name", "status", "message"}...]}
//                                                 once, at completion; `cos-runner --done` stops
//                                                 on this prefix.
// Statuses are testharness.js's names: subtests PASS FAIL TIMEOUT NOTRUN PRECONDITION_FAILED,
// harness OK ERROR TIMEOUT PRECONDITION_FAILED. JSON.stringify keeps each record on one line.
(function () {
  "use strict";
  const SUBTEST = ["PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"];
  const HARNESS = ["OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED"];
  // Replaced by the server with the run's multiplier (debug builds are slow).
  const timeoutMultiplier = /*TIMEOUT_MULTIPLIER*/1;
  // The page's log div costs layout time in a debug build and nobody looks at it.
  setup({ output: false, timeout_multiplier: timeoutMultiplier });

  function record(test) {
    return {
      name: String(test.name),
      status: SUBTEST[test.status] || String(test.status),
      message: test.message == null ? null : String(test.message),
    };
  }

  add_result_callback(function (test) {
    console.log("WPT-RESULT " + JSON.stringify(record(test)));
  });

  add_completion_callback(function (tests, harnessStatus) {
    console.log("WPT-DONE " + JSON.stringify({
      status: HARNESS[harnessStatus.status] || String(harnessStatus.status),
      message: harnessStatus.message == null ? null : String(harnessStatus.message),
      stack: harnessStatus.stack == null ? null : String(harnessStatus.stack),
      tests: tests.map(record),
    }));
  });
})();
