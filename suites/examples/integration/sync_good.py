"""A careful integration: provisions the people of people.json into a Talentech-style
SCIM API, as its documents ask, and copes with what the service answers.

- Every body says what it is (`schemas`), PATCH ops are spelt `Replace` and `Add`,
  roles are granted with `Add`, filter values are quoted strings.
- A 429 is waited out for as long as Retry-After says.
- A write whose answer is lost (a timeout, a 5xx) is not simply sent again: the client
  looks first, since the service may have done it.
- Lists are read to the end, page by page.

Run it judged:  scimcheck judge --profile talentech -- python3 sync_good.py
"""

import sys
import time
import urllib.parse

from scim import GROUP, PATCH_OP, USER, call, load_people

ATTEMPTS = 5


def send(method, path, body=None):
    """One request, with 429 waited out. A read that fails is simply tried again; for
    a write the caller decides, since the service may have carried it out."""
    for attempt in range(ATTEMPTS):
        answer = call(method, path, body)
        if answer.status == 429:
            time.sleep(int(answer.header("Retry-After") or "1"))
            continue
        if answer.status is None or answer.status >= 500:
            time.sleep(0.2 * (attempt + 1))
            if method == "GET":
                continue
        return answer
    return answer


def find(endpoint, attribute, value):
    """The one resource whose attribute equals value, or None (quoted filter)."""
    expression = '{} eq "{}"'.format(attribute, value.replace('"', '\\"'))
    answer = send("GET", endpoint + "?filter=" + urllib.parse.quote(expression))
    if answer.status == 200 and answer.body.get("Resources"):
        return answer.body["Resources"][0]
    return None


def create(endpoint, body, attribute, value):
    """Creates, and after a lost answer looks before creating again."""
    for _ in range(ATTEMPTS):
        answer = send("POST", endpoint, body)
        if answer.status == 201:
            return answer.body
        if answer.status is None or answer.status >= 500:
            existing = find(endpoint, attribute, value)
            if existing:
                return existing
            continue
        raise SystemExit("cannot create {}: {}".format(value, answer.status))
    raise SystemExit("gave up creating " + value)


def patch(path, operations):
    """PATCH; after a lost answer, read the resource again before retrying."""
    body = {"schemas": [PATCH_OP], "Operations": operations}
    for _ in range(ATTEMPTS):
        answer = send("PATCH", path, body)
        if answer.status in (200, 204):
            return
        if answer.status is None or answer.status >= 500:
            send("GET", path)
            continue
        raise SystemExit("cannot change {}: {}".format(path, answer.status))
    raise SystemExit("gave up changing " + path)


def main():
    group = find("/Groups", "displayName", "Recruiters") or create(
        "/Groups", {"schemas": [GROUP], "displayName": "Recruiters"}, "displayName", "Recruiters"
    )
    members = []
    for person in load_people():
        user = find("/Users", "externalId", person["externalId"])
        if user is None:
            user = create(
                "/Users",
                {
                    "schemas": [USER],
                    "userName": person["email"],
                    "externalId": person["externalId"],
                    "name": {"givenName": person["givenName"], "familyName": person["familyName"]},
                    "active": True,
                },
                "externalId",
                person["externalId"],
            )
        patch(
            "/Users/" + user["id"],
            [
                {"op": "Replace", "path": "name.givenName", "value": person["givenName"]},
                {"op": "Add", "path": "roles", "value": [{"value": person["role"]}]},
            ],
        )
        members.append({"value": user["id"]})
    patch("/Groups/" + group["id"], [{"op": "Add", "path": "members", "value": members}])

    start, seen, total = 1, 0, None
    while total is None or seen < total:
        answer = send("GET", "/Users?startIndex={}&count=2".format(start))
        if answer.status != 200:
            raise SystemExit("cannot list users: {}".format(answer.status))
        total = answer.body["totalResults"]
        page = answer.body.get("Resources", [])
        if not page:
            break
        seen += len(page)
        start += len(page)
    print("synced {} people; the service lists {} users".format(len(members), total))


if __name__ == "__main__":
    sys.exit(main())
