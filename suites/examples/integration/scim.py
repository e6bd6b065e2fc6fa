"""The small SCIM client both example integrations share: one HTTP call, nothing more.

Standard library only (urllib). It reads SCIM_URL and SCIM_TOKEN, as `scimcheck judge`
sets them, and never prints the token.
"""

import json
import os
import socket
import urllib.error
import urllib.request

SCIM_URL = os.environ["SCIM_URL"].rstrip("/")
TOKEN = os.environ["SCIM_TOKEN"]
SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# Shorter than the judge's held answers, so an injected timeout is a timeout here.
TIMEOUT_SECONDS = 2


class Answer:
    """A response: status (None when no answer came), headers and JSON body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name) if self.headers else None


def call(method, path, body=None, headers=None):
    """Sends one request; a timeout or a reset gives an Answer with status None."""
    request = urllib.request.Request(SCIM_URL + path, method=method)
    request.add_header("Authorization", "Bearer " + TOKEN)
    request.add_header("Accept", SCIM_JSON)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        request.add_header("Content-Type", SCIM_JSON)
        data = json.dumps(body).encode("utf-8")
    try:
        with urllib.request.urlopen(request, data=data, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, response.headers, read_json(response))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, read_json(error))
    except (socket.timeout, TimeoutError, urllib.error.URLError, ConnectionError):
        return Answer(None, None, None)


def read_json(response):
    raw = response.read()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def load_people():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "people.json"), encoding="utf-8") as file:
        return json.load(file)
