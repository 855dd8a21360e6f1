// META: script=/common/get-host-info.sub.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: TLS with the run's CA, the hosts file, .sub. substitution,
// .headers files (also on generated wrappers) and cross-origin frames on every host.

test(() => {
  const info = get_host_info();
  assert_true(isSecureContext, "https pages are secure contexts");
  assert_equals(info.ORIGIN, location.origin);
  assert_equals(info.HTTPS_ORIGIN, location.origin);
  assert_equals(new URL(info.HTTPS_REMOTE_ORIGIN).hostname, "www1." + location.hostname);
  assert_equals(new URL(info.HTTPS_NOTSAMESITE_ORIGIN).hostname, "not-web-platform.test");
}, "get_host_info() describes this server");

promise_test(async () => {
  const r = await fetch("resources/values.sub.json");
  const v = await r.json();
  assert_equals(v.host, "web-platform.test");
  assert_equals(v.https, location.port);
}, ".sub. substitution");

promise_test(async () => {
  const r = await fetch("resources/values.sub.json");
  assert_equals(r.headers.get("X-Selftest"), "resource");
  const page = await fetch(location.href);
  assert_equals(page.headers.get("X-Selftest"), "wrapper");
}, ".headers files on files and on generated wrappers");

for (const key of ["HTTPS_ORIGIN", "HTTPS_REMOTE_ORIGIN", "HTTPS_NOTSAMESITE_ORIGIN",
                   "AUTHENTICATED_ORIGIN"]) {
  promise_test(async t => {
    const origin = get_host_info()[key];
    const frame = document.createElement("iframe");
    t.add_cleanup(() => frame.remove());
    const reply = new Promise(resolve => {
      window.addEventListener("message", function listener(e) {
        if (e.source === frame.contentWindow) {
          window.removeEventListener("message", listener);
          resolve(e.data);
        }
      });
    });
    frame.src = origin + new URL("resources/echo-origin.html", location.href).pathname;
    document.body.append(frame);
    const data = await reply;
    assert_equals(data.origin, origin);
    assert_equals(data.secure, origin.startsWith("https:"));
  }, "a frame loads from " + key);
}
