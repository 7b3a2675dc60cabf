"""Testing a SCIM client against a fake Attio: the client here is a few lines of urllib, standing
in for the HR sync job or connector under test."""
import json
import urllib.error
import urllib.parse
import urllib.request


def scim(mock, method, path, body=None):
    """The 'client under test': one SCIM call with the bearer token."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(mock.base_url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + mock.token)
    req.add_header("Content-Type", "application/scim+json")
    try:
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def deprovision(mock, email):
    """Find a user by userName and deactivate them, as a sync job would."""
    query = urllib.parse.urlencode({"filter": 'userName eq "%s"' % email})
    status, page = scim(mock, "GET", "/Users?" + query)
    assert status == 200
    for user in page["Resources"]:
        scim(mock, "PATCH", "/Users/" + user["id"], {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        })


def test_deprovisioning_sends_one_lookup_and_one_patch(scimock):
    status, page = scim(scimock, "GET", "/Users")
    assert status == 200
    email = page["Resources"][0]["userName"]

    deprovision(scimock, email)

    assert scimock.count(method="GET", path="/Users", query={"filter": 'userName eq "%s"' % email}) == 1
    assert scimock.count(method="PATCH", path="/Users/*",
                         body={"pointer": "/Operations/0/value", "equals": False}) == 1
    assert scimock.count(method="DELETE") == 0
    # Nothing this client did would be refused or changed by the real Attio.
    assert scimock.violations() == []


def test_a_wrong_patch_shows_up_as_a_near_miss(scimock):
    scim(scimock, "GET", "/Users")
    found = scimock.find(method="PATCH")
    assert found["requests"] == []
    assert found["near_misses"][0]["differences"] == ["method: expected PATCH, got GET"]


def test_an_unsupported_filter_gets_attios_error(scimock):
    status, body = scim(scimock, "GET", "/Users?" + urllib.parse.urlencode({"filter": 'userName co "a"'}))
    assert status == 400
    assert body["status_code"] == 400  # Attio's envelope, not a SCIM Error


def test_a_page_size_above_attios_cap_is_a_violation(scimock):
    status, page = scim(scimock, "GET", "/Users?count=500")
    assert status == 200  # the mock serves it, capped, as Attio does
    [violation] = scimock.violations()
    assert violation["switch"] == "list.max_count"
    assert violation["effect"] == "altered"
    assert violation["request"]["query"] == "count=500"
