#!/usr/bin/env bash
# The HTML report of `scimock check --format html` (issue 17) and the dashboard at /_scimock/ui
# in a real browser:
#
#   bash scripts/browser-tests.sh
#
# 1. Chromium from Debian's packages (/usr/bin/chromium; installed with apt-get when missing,
#    which needs root, as on CI machines).
# 2. playwright-core from npm, pinned by tests/browser/package-lock.json and installed with
#    `npm ci` into ${CARGO_TARGET_DIR:-target}/browser-tests/node_modules, again only when the
#    lock file changed (a stamp holds its sha256).
# 3. Two reports of the same run: `scimock serve` (generic, on 127.0.0.1 only) with fixtures
#    whose first user carries markup (server-controlled text is hostile) and two break switches
#    (filter.ignored, discovery.spc-lies), then `scimock check --format json` and
#    `--format html` against it.
# 4. `node --test tests/browser/report.test.cjs`: loads the HTML file in headless Chromium,
#    checks the counts against the JSON report, expands a failure, takes screenshots
#    (target/browser-tests/report-*.png), filters by status and group, and checks that nothing
#    was fetched, no script of the target ran, and print media shows every check expanded.
# 5. `node --test tests/browser/dashboard.test.cjs`: the dashboard at /_scimock/ui against two
#    running mocks (`--vendor all`, and generic with `--admin-token`): rows appear as a client
#    sends requests, a row opens, a 429 fault from the form hits the next request, a break switch
#    turns on and off, a violation leads to its request, the data search finds a user, and with
#    the admin token nothing loads until it is typed (screenshots target/browser-tests/dashboard-*.png).
#
# Environment: SCIMOCK_BIN=path skips `cargo build` and uses that binary (default: the debug
# binary, built with `cargo build --bin scimock`, which `cargo test --workspace` has already
# built in CI). CHROMIUM=path uses another Chromium. Exit status: the test's (0 passed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="$TARGET_DIR/browser-tests"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
mkdir -p "$DIR"
die() { echo "browser-tests.sh: $*" >&2; exit 2; }
started=$SECONDS

# 1. Chromium.
if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "browser-tests.sh: installing chromium from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null 2>&1; } \
      || true
  fi
  [ -x "$CHROMIUM" ] || die "$CHROMIUM not found (Debian: apt-get install chromium)"
fi

# 2. playwright-core.
command -v node >/dev/null || die "node not found (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm not found (Debian: apt-get install npm)"
lock="$ROOT/tests/browser/package-lock.json"
stamp="$DIR/node_modules/.scimock-lock.sha256"
sum=$(sha256sum "$lock" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "browser-tests.sh: installing playwright-core (npm ci) into $DIR" >&2
  cp "$ROOT/tests/browser/package.json" "$lock" "$DIR/"
  (cd "$DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
  echo "$sum" >"$stamp"
fi

# 3. The reports.
if [ -n "${SCIMOCK_BIN:-}" ]; then
  BIN="$SCIMOCK_BIN"
else
  cargo build --quiet --bin scimock
  BIN="$TARGET_DIR/debug/scimock"
fi
[ -x "$BIN" ] || die "no scimock binary at $BIN"

HOSTILE='</pre><img src=x onerror=window.__scimockPwned=1><script>window.__scimockPwned=2</script>'
cat >"$DIR/fixtures.json" <<EOF
{"users": [
  {"id": "5d1a0c3e-0000-4000-8000-000000000001", "userName": "mallory@example.com", "displayName": "$HOSTILE",
   "name": {"givenName": "Mallory", "familyName": "Markup"}, "emails": [{"value": "mallory@example.com", "type": "work", "primary": true}], "active": true},
  {"id": "5d1a0c3e-0000-4000-8000-000000000002", "userName": "alice@example.com", "displayName": "Alice",
   "name": {"givenName": "Alice", "familyName": "Able"}, "emails": [{"value": "alice@example.com", "type": "work", "primary": true}], "active": true},
  {"id": "5d1a0c3e-0000-4000-8000-000000000003", "userName": "bob@example.com", "displayName": "Bob",
   "name": {"givenName": "Bob", "familyName": "Baker"}, "emails": [{"value": "bob@example.com", "type": "work", "primary": true}], "active": true}
], "groups": []}
EOF

serve_out="$DIR/serve.out"
"$BIN" serve --listen 127.0.0.1:0 --fixtures "$DIR/fixtures.json" >"$serve_out" 2>"$DIR/serve.err" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true' EXIT
origin=""
for _ in $(seq 1 100); do
  origin=$(sed -n 's/^listening on //p' "$serve_out" | head -n 1)
  [ -n "$origin" ] && break
  kill -0 "$serve_pid" 2>/dev/null || die "scimock serve exited: $(cat "$DIR/serve.err")"
  sleep 0.1
done
[ -n "$origin" ] || die "scimock serve did not print its listening line"
case "$origin" in http://127.0.0.1:*) ;; *) die "unexpected listening line: $origin" ;; esac
curl -fsS -X POST "$origin/_scimock/faults" -H 'Content-Type: application/json' \
  -d '{"breaks": ["filter.ignored", "discovery.spc-lies"]}' >/dev/null

check() {
  local status=0
  "$BIN" check "$origin/scim/v2" --profile generic --token scimock-token --max-rps 0 "$@" >/dev/null || status=$?
  # The breaks make checks fail: exit status 1 is the expected one.
  [ "$status" = 1 ] || die "scimock check $* exited $status, expected 1"
}
check --format json --output "$DIR/report.json"
check --format html --output "$DIR/report.html"
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
trap - EXIT

# 4. The browser.
status=0
SCIMOCK_REPORT_HTML="$DIR/report.html" SCIMOCK_REPORT_JSON="$DIR/report.json" \
  SCIMOCK_HOSTILE="$HOSTILE" BROWSER_TEST_OUT="$DIR" CHROMIUM="$CHROMIUM" \
  NODE_PATH="$DIR/node_modules" \
  node --test --test-reporter=spec "$ROOT/tests/browser/report.test.cjs" || status=$?

# 5. The dashboard (/_scimock/ui): two live mocks, every profile without an admin token, and
#    generic with one.
serve() { # NAME ARGS...: starts `scimock serve ARGS` and sets the variable NAME to its origin
  local name=$1 out="$DIR/serve-$1.out" pid origin=""
  shift
  "$BIN" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$DIR/serve-$name.err" &
  pid=$!
  dash_pids="$dash_pids $pid"
  for _ in $(seq 1 100); do
    origin=$(sed -n 's/^listening on //p' "$out" | head -n 1)
    [ -n "$origin" ] && break
    kill -0 "$pid" 2>/dev/null || die "scimock serve $* exited: $(cat "$DIR/serve-$name.err")"
    sleep 0.1
  done
  [ -n "$origin" ] || die "scimock serve $* did not print its listening line"
  printf -v "$name" '%s' "$origin"
}
dash_pids=""
trap 'for p in $dash_pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT
admin_token="dashboard-$RANDOM$RANDOM"
serve all_origin --vendor all
serve admin_origin --admin-token "$admin_token"
SCIMOCK_ORIGIN="$all_origin" SCIMOCK_ADMIN_ORIGIN="$admin_origin" SCIMOCK_ADMIN_TOKEN="$admin_token" \
  BROWSER_TEST_OUT="$DIR" CHROMIUM="$CHROMIUM" NODE_PATH="$DIR/node_modules" \
  node --test --test-reporter=spec "$ROOT/tests/browser/dashboard.test.cjs" || status=$?
echo "browser-tests.sh: $((SECONDS - started)) s; screenshots in $DIR" >&2
exit "$status"
