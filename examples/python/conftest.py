"""A pytest fixture that runs `scimock serve` for the test session.

The binary comes from $SCIMOCK_BIN, else `scimock` on the PATH. The mock listens on a free
loopback port; the fixture reads the one `listening on URL` line it prints and stops it at the end.
"""
import json
import os
import subprocess
import urllib.request

import pytest


class Scimock:
    """A running mock: its origin, the SCIM base URL, and helpers for the admin API."""

    def __init__(self, origin: str, vendor: str):
        self.origin = origin
        self.token = "scimock-token"
        info = self.admin("GET", "/info")
        self.base_url = next(p["base_url"] for p in info["profiles"] if p["name"] == vendor)

    def admin(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.origin + "/_scimock" + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def count(self, **matcher) -> int:
        """How many requests the mock received that match (see README, "Verifying what a client sent")."""
        return self.admin("POST", "/requests/count", matcher)["count"]

    def find(self, **matcher):
        return self.admin("POST", "/requests/find", matcher)

    def violations(self):
        """What the real vendor would have refused or changed (README, "Client violations")."""
        return self.admin("GET", "/violations")["violations"]


@pytest.fixture(scope="session")
def scimock():
    binary = os.environ.get("SCIMOCK_BIN", "scimock")
    proc = subprocess.Popen(
        [binary, "serve", "--vendor", "attio", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on "), line
    try:
        yield Scimock(line.removeprefix("listening on "), "attio")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def fresh(scimock):
    """Every test starts from the fixtures with an empty journal."""
    scimock.admin("POST", "/reset")
    scimock.admin("DELETE", "/requests")
    scimock.admin("DELETE", "/violations")
