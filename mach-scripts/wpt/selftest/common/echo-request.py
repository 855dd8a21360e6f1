# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""A handler under the served root's /common/, as WPT's /common/dispatcher/dispatcher.py is:
it must run, not be served as text."""

import json


def main(request, response):
    body = {"method": request.method, "query": request.url_parts.query}
    return [("Content-Type", "application/json")], json.dumps(body)
