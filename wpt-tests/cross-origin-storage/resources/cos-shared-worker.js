// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// A shared worker that stores and reads for every context that connects (see cos-rpc.js).
importScripts("cos-helpers.js", "cos-rpc.js");

let cosConnections = 0;
// How many contexts have connected: tells a test that two contexts reached one worker.
cosOps.connections = async () => cosConnections;

self.addEventListener("connect", e => {
  cosConnections++;
  const port = e.ports[0];
  cosServe(port, data => port.postMessage(data));
  port.start();
});
