// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// A dedicated worker that stores and reads for its page (see cos-rpc.js).
importScripts("cos-helpers.js", "cos-rpc.js");
cosServe(self, data => self.postMessage(data));
