"""Seed a SCIM server through its own API: N users shaped like `scimock serve --users N`
(userName and work email user{i}@example.com, externalId ext-{i}, a name) and, when N > 0,
one group "interop-group" holding the first ten of them.

A server whose POST /Groups ignores "members" (django-scim2 0.23.0 does) gets them with one
PATCH add; an empty answer (204) is accepted.

    seed.py BASE_URL TOKEN N
"""

import json
import sys
import urllib.error
import urllib.request

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def send(base: str, token: str, path: str, body: dict, method: str = "POST") -> dict:
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": "Bearer " + token,
            "Content-Type": "application/scim+json",
            "Accept": "application/scim+json",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return json.loads(raw) if raw else {}
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path} -> {e.code}: {e.read()[:300]!r}")


def main() -> None:
    base, token, n = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    ids = []
    for i in range(1, n + 1):
        user = send(base, token, "/Users", {
            "schemas": [USER],
            "userName": f"user{i}@example.com",
            "externalId": f"ext-{i}",
            "name": {"givenName": f"Given{i}", "familyName": f"Family{i}"},
            "displayName": f"Given{i} Family{i}",
            "emails": [{"value": f"user{i}@example.com", "type": "work", "primary": True}],
            "active": True,
        })
        ids.append(user["id"])
    if ids:
        members = [{"value": i} for i in ids[:10]]
        group = send(base, token, "/Groups", {
            "schemas": [GROUP],
            "displayName": "interop-group",
            "members": members,
        })
        if len(group.get("members") or []) < len(members):
            send(base, token, f"/Groups/{group['id']}", {
                "schemas": [PATCH],
                "Operations": [{"op": "add", "path": "members", "value": members}],
            }, method="PATCH")


if __name__ == "__main__":
    main()
