/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Our implementation of WPT's /common/get-host-info.sub.js API (same keys), for `mach test-wpt`.
// wptserve's sub pipe fills in the placeholders from the run's config, so free ports picked at run time
// reach the pages. REMOTE = www1.<host> (same site, cross origin); NOTSAMESITE = the alternate
// host (cross site); OTHER/AUTHENTICATED/UNAUTHENTICATED = www2.<host>.

function get_host_info() {
  const HTTP_PORT = "{{ports[http][0]}}";
  const HTTP_PORT2 = "{{ports[http][1]}}";
  const HTTPS_PORT = "{{ports[https][0]}}";
  const HTTPS_PORT2 = "{{ports[https][1]}}";
  const PROTOCOL = self.location.protocol;
  const IS_HTTPS = PROTOCOL === "https:";
  const PORT = IS_HTTPS ? HTTPS_PORT : HTTP_PORT;
  const PORT2 = IS_HTTPS ? HTTPS_PORT2 : HTTP_PORT2;
  const HTTP_PORT_ELIDED = HTTP_PORT === "80" ? "" : ":" + HTTP_PORT;
  const HTTP_PORT2_ELIDED = HTTP_PORT2 === "80" ? "" : ":" + HTTP_PORT2;
  const HTTPS_PORT_ELIDED = HTTPS_PORT === "443" ? "" : ":" + HTTPS_PORT;
  const PORT_ELIDED = IS_HTTPS ? HTTPS_PORT_ELIDED : HTTP_PORT_ELIDED;
  const ORIGINAL_HOST = "{{host}}";
  // On a localhost setup the subdomains do not resolve: fall back to another site by IP.
  const REMOTE_HOST = ORIGINAL_HOST === "localhost" ? "127.0.0.1" : "{{domains[www1]}}";
  const OTHER_HOST = "{{domains[www2]}}";
  const NOTSAMESITE_HOST = ORIGINAL_HOST === "localhost" ? "127.0.0.1" : "{{hosts[alt][]}}";

  return {
    HTTP_PORT: HTTP_PORT,
    HTTP_PORT2: HTTP_PORT2,
    HTTPS_PORT: HTTPS_PORT,
    HTTPS_PORT2: HTTPS_PORT2,
    PORT: PORT,
    PORT2: PORT2,
    ORIGINAL_HOST: ORIGINAL_HOST,
    REMOTE_HOST: REMOTE_HOST,
    NOTSAMESITE_HOST: NOTSAMESITE_HOST,

    ORIGIN: PROTOCOL + "//" + ORIGINAL_HOST + PORT_ELIDED,
    HTTP_ORIGIN: "http://" + ORIGINAL_HOST + HTTP_PORT_ELIDED,
    HTTPS_ORIGIN: "https://" + ORIGINAL_HOST + HTTPS_PORT_ELIDED,
    HTTPS_ORIGIN_WITH_CREDS: "https://foo:bar@" + ORIGINAL_HOST + HTTPS_PORT_ELIDED,
    HTTP_ORIGIN_WITH_DIFFERENT_PORT: "http://" + ORIGINAL_HOST + HTTP_PORT2_ELIDED,
    REMOTE_ORIGIN: PROTOCOL + "//" + REMOTE_HOST + PORT_ELIDED,
    OTHER_ORIGIN: PROTOCOL + "//" + OTHER_HOST + PORT_ELIDED,
    HTTP_REMOTE_ORIGIN: "http://" + REMOTE_HOST + HTTP_PORT_ELIDED,
    HTTP_NOTSAMESITE_ORIGIN: "http://" + NOTSAMESITE_HOST + HTTP_PORT_ELIDED,
    HTTP_REMOTE_ORIGIN_WITH_DIFFERENT_PORT: "http://" + REMOTE_HOST + HTTP_PORT2_ELIDED,
    HTTPS_REMOTE_ORIGIN: "https://" + REMOTE_HOST + HTTPS_PORT_ELIDED,
    HTTPS_REMOTE_ORIGIN_WITH_CREDS: "https://foo:bar@" + REMOTE_HOST + HTTPS_PORT_ELIDED,
    HTTPS_NOTSAMESITE_ORIGIN: "https://" + NOTSAMESITE_HOST + HTTPS_PORT_ELIDED,
    UNAUTHENTICATED_ORIGIN: "http://" + OTHER_HOST + HTTP_PORT_ELIDED,
    AUTHENTICATED_ORIGIN: "https://" + OTHER_HOST + HTTPS_PORT_ELIDED,
  };
}

function get_port(loc) {
  // The port of a Location or URL, with the scheme's default filled in.
  if (loc.port) {
    return loc.port;
  }
  return loc.protocol === "https:" ? "443" : "80";
}
