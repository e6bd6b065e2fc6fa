"""A careless integration: the same sync as sync_good.py, written from the vendor's
samples without reading the RFCs, and without asking what happens when things go wrong.
Each mistake is marked MISTAKE; `scimcheck judge` reports one broken rule for each:

1. PATCH ops in lower case ("replace", "add"), though the document spells them
   "Replace" and "Add".
2. Filter values without quotes (`userName eq ada@example.com`).
3. PATCH bodies without `schemas`.
4. A 429 is ignored: the request is dropped and the next one sent at once.
5. A create whose answer timed out is simply sent again, creating a duplicate.

Run it judged:  scimcheck judge --profile talentech -- python3 sync_careless.py
"""

import sys
import urllib.parse

from scim import GROUP, USER, call, load_people


def send(method, path, body=None):
    answer = call(method, path, body)
    if answer.status is None:
        # MISTAKE 5: the create may have happened; sending it again duplicates it.
        answer = call(method, path, body)
    # MISTAKE 4: a 429 is not waited out (or retried): its request is simply lost.
    return answer


def find(endpoint, attribute, value):
    # MISTAKE 2: the value is not a quoted string.
    expression = "{} eq {}".format(attribute, value)
    answer = send("GET", endpoint + "?filter=" + urllib.parse.quote(expression))
    if answer.status == 200 and answer.body.get("Resources"):
        return answer.body["Resources"][0]
    return None


def patch(path, operations):
    # MISTAKE 3: no "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"].
    send("PATCH", path, {"Operations": operations})


def main():
    group = find("/Groups", "displayName", "Recruiters")
    if group is None:
        group = send("POST", "/Groups", {"schemas": [GROUP], "displayName": "Recruiters"}).body
    members = []
    for person in load_people():
        user = find("/Users", "externalId", person["externalId"])
        if user is None:
            answer = send(
                "POST",
                "/Users",
                {
                    "schemas": [USER],
                    "userName": person["email"],
                    "externalId": person["externalId"],
                    "name": {"givenName": person["givenName"], "familyName": person["familyName"]},
                    "active": True,
                },
            )
            user = answer.body if answer.status == 201 else None
        if not user or "id" not in user:
            print("could not create " + person["email"])
            continue
        patch(
            "/Users/" + user["id"],
            [
                # MISTAKE 1: lower-case op names.
                {"op": "replace", "path": "name.givenName", "value": person["givenName"]},
                {"op": "add", "path": "roles", "value": [{"value": person["role"]}]},
            ],
        )
        members.append({"value": user["id"]})
    patch("/Groups/" + group["id"], [{"op": "add", "path": "members", "value": members}])
    answer = send("GET", "/Users?count=100")
    total = answer.body.get("totalResults") if answer.body else "?"
    print("synced {} people; the service lists {} users".format(len(members), total))


if __name__ == "__main__":
    sys.exit(main())
