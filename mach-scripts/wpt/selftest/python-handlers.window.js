// META: title=Harness: Python handlers run anywhere in the tree, with a stash
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// WPT's RemoteContext tests (/common/dispatcher/) need both: dispatcher.py under /common/, which
// the runner overlays with its own support files, and request.server.stash.
"use strict";

promise_test(async () => {
  const response = await fetch("/common/echo-request.py?x=1");
  assert_equals(response.headers.get("Content-Type"), "application/json");
  const body = await response.json();
  assert_equals(body.method, "GET");
  assert_equals(body.query, "x=1");
}, "a .py file under the root's /common/ runs as a handler");

promise_test(async () => {
  const response = await fetch("/common/echo-request.py", { method: "POST", body: "x" });
  assert_equals((await response.json()).method, "POST");
}, "and answers other methods too");

promise_test(async () => {
  // The stash keys by UUID.
  const key = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(
      /x/g, () => Math.floor(Math.random() * 16).toString(16));
  const stash = value => fetch(`resources/stash.py?key=${key}` +
                               (value === undefined ? "" : `&put=${value}`)).then(r => r.text());
  assert_equals(await stash("first"), "stored");
  assert_equals(await stash(), "first", "the value put is taken");
  assert_equals(await stash(), "none", "and taken only once");
}, "request.server.stash keeps a value between requests");
