# Shared by scripts/interop.sh and scripts/interop-server.sh (sourced, not run).
#
# - interop_venv: the pinned Python peers in a venv under target/ (created once, re-created
#   when requirements.txt changes).
# - interop_start_scimock / interop_start_scim2_server: a server on a free loopback port, its
#   base URL in a variable, its pid remembered so interop_stop_all can stop it.
#
# Everything listens on 127.0.0.1 only.

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$INTEROP_DIR/../.." && pwd)"
INTEROP_VENV="${INTEROP_VENV:-$REPO/target/interop-venv}"
INTEROP_TOKEN="${INTEROP_TOKEN:-scimock-token}"
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

# interop_start_scimock BIN LOGPREFIX [serve args...]
# Starts `BIN serve --listen 127.0.0.1:0 ...`, waits for its `listening on http://HOST:PORT`
# line (DESIGN §4.1) and sets SCIMOCK_URL (no path) and SCIMOCK_PID.
interop_start_scimock() {
    local bin="$1" prefix="$2" line i
    shift 2
    "$bin" serve --listen 127.0.0.1:0 --token "$INTEROP_TOKEN" "$@" \
        >"$prefix.stdout" 2>"$prefix.stderr" &
    SCIMOCK_PID=$!
    INTEROP_PIDS+=("$SCIMOCK_PID")
    for i in $(seq 300); do
        line="$(head -n1 "$prefix.stdout" 2>/dev/null || true)"
        if [[ "$line" =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]]; then
            SCIMOCK_URL="${BASH_REMATCH[1]}"
            return 0
        fi
        if ! kill -0 "$SCIMOCK_PID" 2>/dev/null; then
            cat "$prefix.stderr" >&2
            interop_die "scimock serve $* exited before it was ready"
        fi
        sleep 0.1
    done
    interop_die "scimock serve $* printed no 'listening on' line within 30 s (first line: '$line')"
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
