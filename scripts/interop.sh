#!/usr/bin/env bash
# Interoperability with independent peers (issue 3, "Proof"): run two SCIM conformance tools
# that scimock's authors did not write against `scimock serve` (generic profile).
#
#   scim2-tester 0.5.2 via `scim test` of scim2-cli 0.6.0   (python-scim)
#   scim-sanity 0.7.4 via `scim-sanity probe --strict`      (CRUD lifecycle, writes included)
#
# each against three servers: an empty one (`--fixtures` with no users and no groups), the
# built-in fixtures, and `--users 1000`. A fresh server per run, on 127.0.0.1 only.
#
# Then the other direction (issue 5): `scimock check --profile generic --allow-writes` against
# an independent server, python-scim's scim2-server 0.8.3, seeded with a few users; no check may
# fail and the token must not appear in the reports.
#
#   bash scripts/interop.sh [--peer scim2-tester|scim-sanity|scimock-check]... [--dataset empty|fixtures|users1000]...
#
# Environment: SCIMOCK_BIN=path skips `cargo build` and uses that binary; otherwise the debug
# binary is built with `cargo build --bin scimock` (what `cargo test --workspace` in .ci/run
# builds too, so in CI this is a no-op) under ${CARGO_TARGET_DIR:-target}. INTEROP_VENV
# (default target/interop-venv) holds the pinned peers of scripts/interop/requirements.txt.
# Logs go to ${INTEROP_LOGS:-target/interop-logs}.
#
# Exit status 0 when every run had zero failures, 1 otherwise. A failure that README
# "Interoperability" shows to be the peer tool's error against the RFC is listed in
# scripts/interop/summarize.py (matched on check name and exact message) and printed, but
# not counted.
set -euo pipefail

source "$(dirname "$0")/interop/lib.sh"

PEERS=()
DATASETS=()
while (($#)); do
    case "$1" in
    --peer) PEERS+=("$2"); shift 2 ;;
    --dataset) DATASETS+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) interop_die "unknown argument '$1' (try --help)" ;;
    esac
done
((${#PEERS[@]})) || PEERS=(scim2-tester scim-sanity scimock-check)
RUN_CHECK=0
SERVER_PEERS=()
for peer in "${PEERS[@]}"; do
    if [[ "$peer" == scimock-check ]]; then RUN_CHECK=1; else SERVER_PEERS+=("$peer"); fi
done
PEERS=(${SERVER_PEERS[@]+"${SERVER_PEERS[@]}"})
((${#DATASETS[@]})) || DATASETS=(empty fixtures users1000)

LOGS="${INTEROP_LOGS:-$REPO/target/interop-logs}"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap interop_stop_all EXIT
trap 'exit 130' INT TERM

started=$SECONDS
interop_venv

if [[ -n "${SCIMOCK_BIN:-}" ]]; then
    BIN="$SCIMOCK_BIN"
else
    target_dir="${CARGO_TARGET_DIR:-$REPO/target}"
    [[ "$target_dir" == /* ]] || target_dir="$REPO/$target_dir"
    interop_log "cargo build --bin scimock (debug) in $target_dir"
    (cd "$REPO" && timeout 1800 cargo build --quiet --bin scimock)
    BIN="$target_dir/debug/scimock"
fi
[[ -x "$BIN" ]] || interop_die "no scimock binary at $BIN"
interop_log "scimock: $BIN ($("$BIN" --version 2>/dev/null || echo 'version unknown'))"

echo '{"users":[],"groups":[]}' >"$LOGS/empty-fixtures.json"

# SERVE_ARGS: the `scimock serve` arguments for a dataset and a peer.
serve_args() {
    local dataset="$1" peer="$2"
    case "$dataset" in
    empty) SERVE_ARGS=(--fixtures "$LOGS/empty-fixtures.json") ;;
    fixtures) SERVE_ARGS=() ;;
    users1000)
        SERVE_ARGS=(--users 1000)
        # scim2-tester looks for the resource it has just created in the first page of an
        # unpaginated GET /Users (and POST /.search). RFC 7644 §3.4.2.4 lets the service
        # provider choose that page size; scimock's is 100, so with 1,000 users the new
        # resource is on page 11. Serve the whole collection on one page for this peer
        # (README "Interoperability", finding P3).
        if [[ "$peer" == scim2-tester ]]; then
            SERVE_ARGS+=(--set list.default_count=2000 --set list.max_count=2000)
        fi
        ;;
    *) interop_die "unknown dataset '$dataset' (empty, fixtures, users1000)" ;;
    esac
}

# run_peer PEER BASE_URL LOGPREFIX -> tool exit code in PEER_RC, report file in PEER_REPORT
run_peer() {
    local peer="$1" base="$2" prefix="$3"
    PEER_RC=0
    case "$peer" in
    scim2-tester)
        PEER_REPORT="$prefix.log"
        SCIM_CLI_HEADERS="Authorization: Bearer $INTEROP_TOKEN" \
            timeout 300 "$INTEROP_VENV/bin/scim" --url "$base" test -v >"$PEER_REPORT" 2>&1 ||
            PEER_RC=$?
        ;;
    scim-sanity)
        PEER_REPORT="$prefix.json"
        timeout 300 "$INTEROP_VENV/bin/scim-sanity" probe "$base" --token "$INTEROP_TOKEN" \
            --strict --i-accept-side-effects --timeout 30 --json-output \
            >"$PEER_REPORT" 2>"$prefix.stderr" || PEER_RC=$?
        ;;
    *) interop_die "unknown peer '$peer' (scim2-tester, scim-sanity)" ;;
    esac
    if ((PEER_RC == 124)); then
        echo "  FAIL $peer did not finish within 300 s"
    fi
}

save_journal() {
    "$INTEROP_VENV/bin/python" - "$1/_scimock/requests" >"$2" 2>/dev/null <<'EOF' || true
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
EOF
}

declare -A VERDICT
failures=0
for dataset in "${DATASETS[@]}"; do
    for peer in ${PEERS[@]+"${PEERS[@]}"}; do
        prefix="$LOGS/$dataset.$peer"
        serve_args "$dataset" "$peer"
        t0=$SECONDS
        interop_start_scimock "$BIN" "$prefix.scimock" ${SERVE_ARGS[@]+"${SERVE_ARGS[@]}"}
        base="$SCIMOCK_URL/scim/v2"
        echo "== $dataset: $peer against $base (scimock serve ${SERVE_ARGS[*]-})"
        run_peer "$peer" "$base" "$prefix"
        save_journal "$SCIMOCK_URL" "$prefix.journal.json"
        interop_stop "$SCIMOCK_PID"
        if "$INTEROP_VENV/bin/python" "$INTEROP_DIR/summarize.py" "$peer" "$PEER_REPORT" "$PEER_RC" &&
            ((PEER_RC != 124)); then
            VERDICT["$dataset/$peer"]="pass"
        else
            VERDICT["$dataset/$peer"]="FAIL"
            failures=$((failures + 1))
        fi
        echo "   ${VERDICT["$dataset/$peer"]} in $((SECONDS - t0)) s; logs: $prefix.*"
    done
done

if ((RUN_CHECK)); then
    # scimock check against python-scim's scim2-server (README "Interoperability").
    t0=$SECONDS
    interop_start_scim2_server "$LOGS/scim2-server"
    timeout 300 "$INTEROP_VENV/bin/python" "$INTEROP_DIR/seed.py" "$SCIM2_SERVER_URL" "$INTEROP_TOKEN" 12 >&2
    echo "== scimock check --profile generic --allow-writes against scim2-server $SCIM2_SERVER_URL"
    check_rc=0
    SCIM_TOKEN="$INTEROP_TOKEN" timeout 600 "$BIN" check "$SCIM2_SERVER_URL" --profile generic --allow-writes \
        --max-rps 0 --format json --output "$LOGS/scim2-server.check.json" >"$LOGS/scim2-server.check.txt" 2>&1 ||
        check_rc=$?
    tail -n 1 "$LOGS/scim2-server.check.txt" | sed 's/^/   /'
    if ((check_rc == 0)) && ! grep -q -- "$INTEROP_TOKEN" "$LOGS"/scim2-server.check.*; then
        VERDICT["scim2-server/scimock-check"]="pass"
    else
        grep -E '^\[.*\] FAIL' "$LOGS/scim2-server.check.txt" | sed 's/^/   /' || true
        ((check_rc == 0)) || echo "   scimock check exited $check_rc"
        VERDICT["scim2-server/scimock-check"]="FAIL"
        failures=$((failures + 1))
    fi
    interop_stop "$SCIM2_SERVER_PID"
    echo "   ${VERDICT["scim2-server/scimock-check"]} in $((SECONDS - t0)) s; logs: $LOGS/scim2-server.*"
fi

echo
echo "== interoperability summary ($((SECONDS - started)) s, logs in $LOGS)"
runs=0
for dataset in "${DATASETS[@]}"; do
    for peer in ${PEERS[@]+"${PEERS[@]}"}; do
        printf '   %-10s %-13s %s\n' "$dataset" "$peer" "${VERDICT["$dataset/$peer"]}"
        runs=$((runs + 1))
    done
done
if ((RUN_CHECK)); then
    printf '   %-10s %-13s %s\n' "scim2-srv" "scimock-check" "${VERDICT["scim2-server/scimock-check"]}"
    runs=$((runs + 1))
fi
if ((failures)); then
    echo "$failures of $runs runs failed"
    exit 1
fi
echo "all $runs runs passed"
