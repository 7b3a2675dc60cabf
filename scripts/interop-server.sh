#!/usr/bin/env bash
# Start an independent SCIM 2.0 server of the interop corpus on 127.0.0.1, for
# `scimock check --profile generic` (issues 5 and 14): python-scim's scim2-server (default), or
# with --server one of scimmy, django-scim2, django-scim2-server (README "Against other servers").
#
#   bash scripts/interop-server.sh [--server NAME] [--users N] [--token TOKEN] [-- scim2-server args...]
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
SERVER=scim2-server
EXTRA=()
while (($#)); do
    case "$1" in
    --server) SERVER="$2"; shift 2 ;;
    --users) USERS="$2"; shift 2 ;;
    --token) INTEROP_TOKEN="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) interop_die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ "$USERS" =~ ^[0-9]+$ ]] || interop_die "--users needs a number"

LOGS="${INTEROP_LOGS:-$REPO/target/interop-logs}"
mkdir -p "$LOGS"
trap interop_stop_all EXIT
trap 'exit 0' INT TERM

interop_venv >&2
case "$SERVER" in
scim2-server)
    interop_start_scim2_server "$LOGS/scim2-server" ${EXTRA[@]+"${EXTRA[@]}"}
    PEER_URL="$SCIM2_SERVER_URL" PEER_PID="$SCIM2_SERVER_PID"
    ;;
scimmy) interop_node >&2; interop_start_scimmy "$LOGS/scimmy" ;;
django-scim2) interop_start_django django_scim2_peer "$LOGS/django-scim2" ;;
django-scim2-server) interop_start_django django_scim2_server_peer "$LOGS/django-scim2-server" ;;
*) interop_die "unknown server '$SERVER' (scim2-server, scimmy, django-scim2, django-scim2-server)" ;;
esac
if ((USERS > 0)); then
    interop_log "seeding $USERS users and a group through the SCIM API"
    interop_seed "$PEER_URL" "$USERS"
fi
interop_log "$SERVER (pid $PEER_PID) ready, bearer token '$INTEROP_TOKEN'; Ctrl-C stops it"
echo "$PEER_URL"
wait "$PEER_PID"
