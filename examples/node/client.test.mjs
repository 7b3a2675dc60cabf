// Testing a SCIM client against a fake Atlassian with node:test (no dependencies).
// The binary comes from $SCIMOCK_BIN, else `scimock` on the PATH.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

let proc;
let origin;
let base;
const token = "scimock-token";

async function admin(method, path, body) {
  const r = await fetch(`${origin}/_scimock${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

const count = async (matcher) => (await admin("POST", "/requests/count", matcher)).count;
// What the real vendor would have refused or changed (README, "Client violations").
const violations = async () => (await admin("GET", "/violations")).violations;

before(async () => {
  proc = spawn(process.env.SCIMOCK_BIN || "scimock", ["serve", "--vendor", "atlassian", "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`scimock exited with ${code}`)));
  });
  assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  origin = line.slice("listening on ".length);
  const info = await admin("GET", "/info");
  base = info.profiles.find((p) => p.name === "atlassian").base_url;
});

after(() => proc.kill("SIGTERM"));

beforeEach(async () => {
  await admin("POST", "/reset");
  await admin("DELETE", "/requests");
  await admin("DELETE", "/violations");
});

// The "client under test": create a user the way a provisioning job would.
async function provision(userName) {
  const r = await fetch(`${base}/Users`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    body: JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      emails: [{ value: userName, primary: true, type: "work" }],
    }),
  });
  return { status: r.status, body: await r.json() };
}

test("provisioning sends one POST with a primary work email", async () => {
  const r = await provision("node.user@example.com");
  assert.equal(r.status, 201);
  assert.equal(await count({ method: "POST", path: "/Users", body: { emails: [{ primary: true }] } }), 1);
  assert.equal(await count({ method: "PATCH" }), 0);
  assert.deepEqual(await violations(), []);
});

test("a duplicate userName is refused with 409 as Atlassian documents", async () => {
  await provision("dup@example.com");
  const again = await provision("dup@example.com");
  assert.equal(again.status, 409);
  assert.equal(again.body.status, "409"); // SCIM Error: status is a string
});

test("asking Atlassian to sort is a violation: the mock answers, unsorted, as Atlassian does", async () => {
  const r = await fetch(`${base}/Users?sortBy=userName`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  const [v] = await violations();
  assert.equal(v.switch, "sort.supported");
  assert.equal(v.effect, "altered");
  assert.equal(v.request.query, "sortBy=userName");
});
