#!/usr/bin/env bash
# Interop: run `scimock check --profile generic --allow-writes` against an independent SCIM
# server, python-scim's scim2-server (PyPI), seeded with three users.
#
#   conformance/interop/scim2-server.sh [REPORT_DIR]
#
# Needs python3 (with venv), curl and network access to PyPI the first time. Exits with
# scimock check's status (0: no check failed). Reports land in REPORT_DIR (default: a temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION="${SCIM2_SERVER_VERSION:-0.8.3}"
VENV="${SCIMOCK_INTEROP_VENV:-${TMPDIR:-/tmp}/scimock-interop-venv}"
OUT="${1:-$(mktemp -d)}"
TOKEN="interop-$RANDOM$RANDOM"
PORT="${SCIM2_SERVER_PORT:-18931}"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/scim2-server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "scim2-server==$VERSION"
fi
cargo build --quiet --bin scimock
SCIMOCK="${CARGO_TARGET_DIR:-target}/debug/scimock"

"$VENV/bin/scim2-server" --port "$PORT" --bearer-token "$TOKEN" >"$OUT/scim2-server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT/v2"
for _ in $(seq 50); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/ServiceProviderConfig" 2>/dev/null && break
  sleep 0.2
done

for u in alice Bob carol; do
  curl -fsS -o /dev/null -X POST "$BASE/Users" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/scim+json' \
    -d "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$u@example.com\",\"externalId\":\"ext-$u\",\"name\":{\"givenName\":\"$u\",\"familyName\":\"Interop\"},\"emails\":[{\"value\":\"$u@example.com\",\"type\":\"work\",\"primary\":true}],\"active\":true}"
done

status=0
SCIM_TOKEN="$TOKEN" "$SCIMOCK" check "$BASE" --profile generic --allow-writes --max-rps 0 \
  --format json --output "$OUT/report.json" || status=$?
SCIM_TOKEN="$TOKEN" "$SCIMOCK" check "$BASE" --profile generic --max-rps 0 \
  --format markdown --output "$OUT/report.md" >/dev/null || true
if grep -q "$TOKEN" "$OUT"/report.*; then
  echo "interop: the token leaked into a report" >&2
  exit 3
fi
echo "interop: reports in $OUT (scimock check exit status $status)"
exit "$status"
