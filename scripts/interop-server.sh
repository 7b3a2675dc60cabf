#!/usr/bin/env bash
# Start python-scim's scim2-server (pinned in scripts/interop/requirements.txt) on 127.0.0.1,
# an independent SCIM 2.0 server for `scimock check --profile generic` (issue 5).
#
#   bash scripts/interop-server.sh [--users N] [--token TOKEN] [-- scim2-server args...]
#
# When the server answers, prints its base URL (http://127.0.0.1:PORT/v2) as the only line
# on stdout, then runs until SIGINT/SIGTERM and stops the server. Progress and the server's
# request log go to stderr and ${INTEROP_LOGS:-target/interop-logs}/scim2-server.*.
#
# What the server needs: nothing but the venv. Without arguments it serves RFC 7643's User
# (with the enterprise extension) and Group schemas and resource types, and a
# ServiceProviderConfig announcing patch, bulk, filter (maxResults 1000), changePassword,
# sort and etag, but no cursor pagination. It starts empty and has no fixtures option:
# `--users N` POSTs N users through its own API (shaped like `scimock serve --users N`) and a
# group holding the first ten. The bearer token (default scimock-token) is enforced and
# announced; scim2-server's other options (--service-provider-config FILE,
# --resource-type FILE, --schema FILE, --precis, ...) go after `--`.
set -euo pipefail

source "$(dirname "$0")/interop/lib.sh"

USERS=0
EXTRA=()
while (($#)); do
    case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --token) INTEROP_TOKEN="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) interop_die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ "$USERS" =~ ^[0-9]+$ ]] || interop_die "--users needs a number"

LOGS="${INTEROP_LOGS:-$REPO/target/interop-logs}"
mkdir -p "$LOGS"
trap interop_stop_all EXIT
trap 'exit 0' INT TERM

interop_venv >&2
interop_start_scim2_server "$LOGS/scim2-server" ${EXTRA[@]+"${EXTRA[@]}"}
if ((USERS > 0)); then
    interop_log "seeding $USERS users and a group through the SCIM API"
    timeout 600 "$INTEROP_VENV/bin/python" "$INTEROP_DIR/seed.py" \
        "$SCIM2_SERVER_URL" "$INTEROP_TOKEN" "$USERS"
fi
interop_log "scim2-server $("$INTEROP_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("scim2-server"))') (pid $SCIM2_SERVER_PID) ready, bearer token '$INTEROP_TOKEN'; Ctrl-C stops it"
echo "$SCIM2_SERVER_URL"
wait "$SCIM2_SERVER_PID"
