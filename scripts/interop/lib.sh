# Shared by scripts/interop.sh and scripts/interop-server.sh (sourced, not run).
#
# - interop_venv: the pinned Python peers in a venv under target/ (created once, re-created
#   when requirements.txt changes).
# - interop_node: the pinned Node peer (SCIMMY) under target/interop-node, `npm ci` from the
#   committed package-lock.json (run again only when the lock file changes).
# - interop_start_scimock / interop_start_scim2_server / interop_start_scimmy /
#   interop_start_django PROJECT: a server on a free loopback port, its base URL in a
#   variable, its pid remembered so interop_stop_all can stop it.
# - interop_seed URL N: N users and a group through the server's own SCIM API.
#
# Everything listens on 127.0.0.1 only.

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$INTEROP_DIR/../.." && pwd)"
INTEROP_VENV="${INTEROP_VENV:-$REPO/target/interop-venv}"
INTEROP_NODE="${INTEROP_NODE:-$REPO/target/interop-node}"
PEERS_DIR="$INTEROP_DIR/peers"
INTEROP_TOKEN="${INTEROP_TOKEN:-scimock-token}"
# The peers' Python sources live in the repository: no __pycache__ next to them.
export PYTHONDONTWRITEBYTECODE=1
INTEROP_PIDS=()

interop_log() { printf '[interop] %s\n' "$*" >&2; }
interop_die() { printf '[interop] error: %s\n' "$*" >&2; exit 1; }

# A Python >= 3.11 (scim2-server needs it).
interop_python() {
    local py
    for py in python3.13 python3.12 python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$py"
            return 0
        fi
    done
    interop_die "no Python >= 3.11 found (needed by scim2-server and scim2-tester)"
}

# Create (or reuse) the venv holding exactly the pinned requirements.
interop_venv() {
    local req="$INTEROP_DIR/requirements.txt" stamp="$INTEROP_VENV/.requirements.sha256" want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ -x "$INTEROP_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        interop_log "venv up to date: $INTEROP_VENV"
        return 0
    fi
    interop_log "creating venv $INTEROP_VENV (pinned: $(grep -E '^(scim2-tester|scim2-cli|scim-sanity|scim2-server)==' "$req" | tr '\n' ' '))"
    rm -rf "$INTEROP_VENV"
    mkdir -p "$(dirname "$INTEROP_VENV")"
    "$(interop_python)" -m venv "$INTEROP_VENV"
    timeout 600 "$INTEROP_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -r "$req" || interop_die "pip install failed (is PyPI reachable?)"
    echo "$want" >"$stamp"
}

# Stop one server we started: SIGTERM (graceful), then SIGKILL after 5 s.
interop_stop() {
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

interop_stop_all() {
    local pid
    for pid in "${INTEROP_PIDS[@]}"; do
        interop_stop "$pid"
    done
    INTEROP_PIDS=()
}

# interop_wait_listening PID PREFIX TRIES WHAT: waits (TRIES x 0.1 s) until PREFIX.stdout starts
# with `listening on http://127.0.0.1:PORT` and sets LISTENING_URL to that origin; dies with
# PREFIX.stderr when process PID exits first or the line never comes.
interop_wait_listening() {
    local pid="$1" prefix="$2" tries="$3" what="$4" line="" i
    for i in $(seq "$tries"); do
        line="$(head -n1 "$prefix.stdout" 2>/dev/null || true)"
        if [[ "$line" =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]]; then
            LISTENING_URL="${BASH_REMATCH[1]}"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$prefix.stderr" >&2
            interop_die "$what exited before it was ready"
        fi
        sleep 0.1
    done
    interop_die "$what printed no 'listening on' line within $((tries / 10)) s (first line: '$line')"
}

# interop_start_scimock BIN LOGPREFIX [serve args...]
# Starts `BIN serve --listen 127.0.0.1:0 ...`, waits for its `listening on http://HOST:PORT`
# line (DESIGN §4.1) and sets SCIMOCK_URL (no path) and SCIMOCK_PID.
interop_start_scimock() {
    local bin="$1" prefix="$2"
    shift 2
    "$bin" serve --listen 127.0.0.1:0 --token "$INTEROP_TOKEN" "$@" \
        >"$prefix.stdout" 2>"$prefix.stderr" &
    SCIMOCK_PID=$!
    INTEROP_PIDS+=("$SCIMOCK_PID")
    interop_wait_listening "$SCIMOCK_PID" "$prefix" 300 "scimock serve $*"
    SCIMOCK_URL="$LISTENING_URL"
}

# A free loopback port (another process may take it before we bind: callers retry).
interop_free_port() {
    "$INTEROP_VENV/bin/python" -c \
        'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# interop_start_scim2_server LOGPREFIX [scim2-server args...]
# Starts python-scim's scim2-server on 127.0.0.1 with the bearer token, waits until
# /ServiceProviderConfig answers 200, and sets SCIM2_SERVER_URL (the base URL, ending in /v2)
# and SCIM2_SERVER_PID. scim2-server prints the port it was given, not the one it bound, so
# `--port 0` cannot be used: pick a free port and retry if another process took it.
interop_start_scim2_server() {
    local prefix="$1" attempt port i
    shift
    for attempt in 1 2 3 4 5; do
        port="$(interop_free_port)"
        "$INTEROP_VENV/bin/scim2-server" --hostname 127.0.0.1 --port "$port" \
            --bearer-token "$INTEROP_TOKEN" "$@" >"$prefix.stdout" 2>"$prefix.stderr" &
        SCIM2_SERVER_PID=$!
        INTEROP_PIDS+=("$SCIM2_SERVER_PID")
        SCIM2_SERVER_URL="http://127.0.0.1:$port/v2"
        for i in $(seq 150); do
            if ! kill -0 "$SCIM2_SERVER_PID" 2>/dev/null; then
                break
            fi
            if "$INTEROP_VENV/bin/python" - "$SCIM2_SERVER_URL" "$INTEROP_TOKEN" <<'EOF' 2>/dev/null; then
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/ServiceProviderConfig",
                             headers={"Authorization": "Bearer " + sys.argv[2]})
sys.exit(0 if urllib.request.urlopen(req, timeout=2).status == 200 else 1)
EOF
                return 0
            fi
            sleep 0.2
        done
        interop_stop "$SCIM2_SERVER_PID"
        interop_log "scim2-server did not come up on port $port (attempt $attempt): $(tail -n2 "$prefix.stderr" 2>/dev/null | tr '\n' ' ')"
    done
    interop_die "scim2-server did not start; see $prefix.stderr"
}

# The SCIMMY peer's node_modules under $INTEROP_NODE/scimmy: `npm ci` from the committed
# package-lock.json, again only when that file changes. server.mjs is copied next to them
# (ES modules resolve packages relative to the file).
interop_node() {
    local dir="$INTEROP_NODE/scimmy" lock="$PEERS_DIR/scimmy/package-lock.json" want
    command -v node >/dev/null 2>&1 || interop_die "node is needed for the SCIMMY peer"
    want="$(sha256sum "$lock" | cut -d' ' -f1)"
    mkdir -p "$dir"
    cp "$PEERS_DIR/scimmy/package.json" "$lock" "$PEERS_DIR/scimmy/server.mjs" "$dir/"
    if [[ -d "$dir/node_modules" && "$(cat "$dir/.lock.sha256" 2>/dev/null)" == "$want" ]]; then
        interop_log "node peer up to date: $dir"
        return 0
    fi
    interop_log "npm ci in $dir (express 4.22.3, scimmy 1.3.5, scimmy-routers 1.3.2)"
    (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
        interop_die "npm ci failed (is the npm registry reachable?)"
    echo "$want" >"$dir/.lock.sha256"
}

# interop_wait_spc URL PID: until an authenticated GET URL/ServiceProviderConfig answers 200.
interop_wait_spc() {
    local url="$1" pid="$2" i
    for i in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || return 1
        if "$INTEROP_VENV/bin/python" - "$url" "$INTEROP_TOKEN" <<'EOF' 2>/dev/null; then
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/ServiceProviderConfig",
                             headers={"Authorization": "Bearer " + sys.argv[2]})
sys.exit(0 if urllib.request.urlopen(req, timeout=2).status == 200 else 1)
EOF
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# interop_start_scimmy LOGPREFIX
# SCIMMY 1.3.5 + scimmy-routers 1.3.2 under express (peers/scimmy/server.mjs): binds port 0 and
# prints `listening on http://HOST:PORT`. Sets PEER_URL (…/scim/v2) and PEER_PID.
interop_start_scimmy() {
    local prefix="$1"
    node "$INTEROP_NODE/scimmy/server.mjs" --host 127.0.0.1 --port 0 --token "$INTEROP_TOKEN" \
        >"$prefix.stdout" 2>"$prefix.stderr" &
    PEER_PID=$!
    INTEROP_PIDS+=("$PEER_PID")
    interop_wait_listening "$PEER_PID" "$prefix" 150 "the SCIMMY peer"
    PEER_URL="$LISTENING_URL/scim/v2"
}

# interop_start_django PROJECT LOGPREFIX
# One of the Django peers (peers/django_scim2_peer: 15five's django-scim2;
# peers/django_scim2_server_peer: browniebroke's django-scim2-server) under Django's development
# server on a free port with a fresh SQLite database (migrated first). runserver prints the port
# it was given, so pick a free one and retry if another process took it. Sets PEER_URL and
# PEER_PID.
interop_start_django() {
    local project="$PEERS_DIR/$1" prefix="$2" attempt port db
    db="$(mktemp -d)/db.sqlite3"
    PEER_DB="$db" "$INTEROP_VENV/bin/python" "$project/manage.py" migrate -v0 \
        >"$prefix.migrate" 2>&1 || { cat "$prefix.migrate" >&2; interop_die "migrate failed for $1"; }
    for attempt in 1 2 3 4 5; do
        port="$(interop_free_port)"
        PEER_DB="$db" SCIM_BEARER_TOKEN="$INTEROP_TOKEN" SCIM_NETLOC="127.0.0.1:$port" \
            "$INTEROP_VENV/bin/python" "$project/manage.py" runserver "127.0.0.1:$port" --noreload \
            >"$prefix.stdout" 2>"$prefix.stderr" &
        PEER_PID=$!
        INTEROP_PIDS+=("$PEER_PID")
        PEER_URL="http://127.0.0.1:$port/scim/v2"
        interop_wait_spc "$PEER_URL" "$PEER_PID" && return 0
        interop_stop "$PEER_PID"
        interop_log "$1 did not come up on port $port (attempt $attempt)"
    done
    interop_die "$1 did not start; see $prefix.stderr"
}

# interop_seed URL N: N users and a group holding the first ten, through the SCIM API.
interop_seed() {
    timeout 600 "$INTEROP_VENV/bin/python" "$INTEROP_DIR/seed.py" "$1" "$INTEROP_TOKEN" "$2" >&2
}
