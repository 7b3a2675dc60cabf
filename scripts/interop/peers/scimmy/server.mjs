// A minimal SCIM 2.0 service provider around SCIMMY 1.3.5 + scimmy-routers 1.3.2 (npm).
// Every SCIM behaviour (routing, discovery documents, schema validation/coercion, filter
// parsing and matching, PATCH, sort, pagination, attributes, errors, Bulk, /.search) is
// SCIMMY's; this file only supplies an in-memory store, a bearer token check and a listener.
//
//   node server.mjs --port PORT [--host 127.0.0.1] [--token TOKEN]
//
// Prints "listening on http://HOST:PORT" on stdout once bound (PORT 0 = any free port).
// Base URL: http://HOST:PORT/scim/v2
import {randomUUID} from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
};
const host = arg("host", "127.0.0.1");
const port = Number(arg("port", "0"));
const token = arg("token", "scimock-token");

// One store per resource type: id -> stored resource (what egress hands back to SCIMMY).
// `unique` names the attribute the store keeps unique (User.userName, "uniqueness": "server"
// in RFC 7643 §4.1.1): SCIMMY leaves uniqueness to the ingress handler, like any other
// storage constraint.
function store(Resource, unique) {
    const items = new Map();
    const notFound = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
    const taken = (value, self) => [...items.values()].some((r) =>
        r.id !== self && String(r[unique]).toLowerCase() === String(value).toLowerCase());
    Resource
        .ingress((resource, instance) => {
            if (unique && taken(instance[unique], resource.id))
                throw new SCIMMY.Types.Error(409, "uniqueness", `${unique} ${instance[unique]} is already taken`);
            const now = new Date();
            if (resource.id) {
                const old = items.get(resource.id);
                if (!old) throw notFound(resource.id);
                const next = {...instance, id: resource.id, meta: {created: old.meta.created, lastModified: now}};
                items.set(resource.id, next);
                return next;
            }
            const created = {...instance, id: randomUUID(), meta: {created: now, lastModified: now}};
            items.set(created.id, created);
            return created;
        })
        .egress((resource) => {
            if (resource.id) {
                const found = items.get(resource.id);
                if (!found) throw notFound(resource.id);
                return found;
            }
            const all = [...items.values()];
            return resource.filter ? resource.filter.match(all) : all;
        })
        .degress((resource) => {
            if (!items.delete(resource.id)) throw notFound(resource.id);
        });
    return Resource;
}

SCIMMY.Resources.declare(store(SCIMMY.Resources.User, "userName"));
SCIMMY.Resources.declare(store(SCIMMY.Resources.Group));

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://datatracker.ietf.org/doc/html/rfc6750",
    handler: (req) => {
        if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failed");
        return "scimock";
    },
    baseUri: (req) => `http://${req.headers.host}`,
}));

const server = app.listen(port, host, () => {
    const {address, port: bound} = server.address();
    console.log(`listening on http://${address}:${bound}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
