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
# Then the other direction (issues 5 and 14): `scimock check --profile generic --allow-writes
# --max-rps 0` against a corpus of independent SCIM servers, each started fresh on 127.0.0.1
# and seeded with twelve users and a group through its own API:
#
#   scim2-server          python-scim's scim2-server 0.8.3 (PyPI)
#   scimmy                SCIMMY 1.3.5 + scimmy-routers 1.3.2 under express 4.22.3 (npm)
#   django-scim2          15five's django-scim2 0.23.0 under Django 5.2.19 (PyPI)
#   django-scim2-server   browniebroke's django-scim2-server 1.1.0 under Django 5.2.19 (PyPI)
#
# Each run must reach exactly the verdicts in scripts/interop/verdicts/<server>.json (every
# failing check with the RFC text that makes it the server's fault; see verdicts.py), and the
# token must not appear in its reports. README "Against other servers" shows that table.
#
# `--peer scimock-client` runs `scimock check --client entra|okta --allow-writes` (Entra ID also
# with --client-option aadOptscim062020) against the same corpus, each run on a freshly started
# and seeded server: what Entra ID and Okta would hit on these servers (README, "Is my SCIM server
# ready for Entra ID / Okta?"). A run that could not run (exit 2), or whose counts and failing
# checks differ from README's table, fails.
#
#   bash scripts/interop.sh [--peer scim2-tester|scim-sanity|scimock-check|scimock-client]... [--dataset empty|fixtures|users1000]...
#                           [--server scim2-server|scimmy|django-scim2|django-scim2-server]...
#
# Environment: SCIMOCK_BIN=path skips `cargo build` and uses that binary; otherwise the debug
# binary is built with `cargo build --bin scimock` (what `cargo test --workspace` in .ci/run
# builds too, so in CI this is a no-op) under ${CARGO_TARGET_DIR:-target}. INTEROP_VENV
# (default target/interop-venv) holds the pinned peers of scripts/interop/requirements.txt;
# INTEROP_NODE (default target/interop-node) the SCIMMY peer, `npm ci` from
# scripts/interop/peers/scimmy/package-lock.json. Logs go to ${INTEROP_LOGS:-target/interop-logs}.
#
# Exit status 0 when every peer-tool run had zero failures and every `scimock check` run
# reached its expected verdicts, 1 otherwise. A failure that README "Interoperability" shows
# to be the peer tool's error against the RFC is listed in scripts/interop/summarize.py
# (matched on check name and exact message) and printed, but not counted.
set -euo pipefail

source "$(dirname "$0")/interop/lib.sh"

PEERS=()
DATASETS=()
SERVERS=()
while (($#)); do
    case "$1" in
    --peer) PEERS+=("$2"); shift 2 ;;
    --dataset) DATASETS+=("$2"); shift 2 ;;
    --server) SERVERS+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,38p' "$0"; exit 0 ;;
    *) interop_die "unknown argument '$1' (try --help)" ;;
    esac
done
((${#PEERS[@]})) || PEERS=(scim2-tester scim-sanity scimock-check)
RUN_CHECK=0
RUN_CLIENT=0
SERVER_PEERS=()
for peer in "${PEERS[@]}"; do
    case "$peer" in
    scimock-check) RUN_CHECK=1 ;;
    scimock-client) RUN_CLIENT=1 ;;
    *) SERVER_PEERS+=("$peer") ;;
    esac
done
PEERS=(${SERVER_PEERS[@]+"${SERVER_PEERS[@]}"})
((${#DATASETS[@]})) || DATASETS=(empty fixtures users1000)
((${#SERVERS[@]})) || SERVERS=(scim2-server scimmy django-scim2 django-scim2-server)

LOGS="${INTEROP_LOGS:-$REPO/target/interop-logs}"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap interop_stop_all EXIT
trap 'exit 130' INT TERM

started=$SECONDS
interop_venv
if ((RUN_CHECK || RUN_CLIENT)) && [[ " ${SERVERS[*]} " == *" scimmy "* ]]; then
    interop_node
fi

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

# start_server NAME LOGPREFIX -> PEER_URL, PEER_PID
start_server() {
    case "$1" in
    scim2-server)
        interop_start_scim2_server "$2"
        PEER_URL="$SCIM2_SERVER_URL" PEER_PID="$SCIM2_SERVER_PID"
        ;;
    scimmy) interop_start_scimmy "$2" ;;
    django-scim2) interop_start_django django_scim2_peer "$2" ;;
    django-scim2-server) interop_start_django django_scim2_server_peer "$2" ;;
    *) interop_die "unknown server '$1' (scim2-server, scimmy, django-scim2, django-scim2-server)" ;;
    esac
}

if ((RUN_CHECK)); then
    for server in "${SERVERS[@]}"; do
        # scimock check against an independent server (README "Against other servers").
        t0=$SECONDS
        prefix="$LOGS/$server"
        start_server "$server" "$prefix"
        interop_seed "$PEER_URL" 12
        echo "== scimock check --profile generic --allow-writes against $server $PEER_URL"
        check_rc=0
        SCIM_TOKEN="$INTEROP_TOKEN" timeout 600 "$BIN" check "$PEER_URL" --profile generic --allow-writes \
            --max-rps 0 --format json --output "$prefix.check.json" >"$prefix.check.txt" 2>&1 ||
            check_rc=$?
        interop_stop "$PEER_PID"
        tail -n 1 "$prefix.check.txt" | sed 's/^/   /'
        verdict="pass"
        if ((check_rc > 1)) || [[ ! -s "$prefix.check.json" ]]; then
            sed 's/^/   /' "$prefix.check.txt" | tail -n 5
            echo "   scimock check exited $check_rc: it could not run"
            verdict="FAIL"
        elif ! "$INTEROP_VENV/bin/python" "$INTEROP_DIR/verdicts.py" check "$prefix.check.json" \
            "$INTEROP_DIR/verdicts/$server.json"; then
            verdict="FAIL"
        fi
        if grep -q -- "$INTEROP_TOKEN" "$prefix".check.*; then
            echo "   the token appears in a report"
            verdict="FAIL"
        fi
        VERDICT["$server/scimock-check"]="$verdict"
        [[ "$verdict" == pass ]] || failures=$((failures + 1))
        echo "   $verdict in $((SECONDS - t0)) s; logs: $prefix.*"
    done
    # README shows the expected verdicts of the whole corpus: it must say what the files say.
    corpus=()
    for server in scim2-server scimmy django-scim2 django-scim2-server; do
        corpus+=("$INTEROP_DIR/verdicts/$server.json")
    done
    VERDICT["README/table"]="pass"
    if ! "$INTEROP_VENV/bin/python" "$INTEROP_DIR/verdicts.py" readme "$REPO/README.md" "${corpus[@]}"; then
        VERDICT["README/table"]="FAIL"
        failures=$((failures + 1))
    fi
fi

if ((RUN_CLIENT)); then
    for server in "${SERVERS[@]}"; do
        for client in entra entra-aadOptscim062020 okta; do
            # What an identity provider would hit on an independent server (informational).
            prefix="$LOGS/$server.$client"
            args=(--client "${client%%-*}")
            [[ "$client" == *-* ]] && args+=(--client-option "${client#*-}")
            start_server "$server" "$prefix"
            interop_seed "$PEER_URL" 12
            echo "== scimock check ${args[*]} --allow-writes against $server $PEER_URL"
            client_rc=0
            SCIM_TOKEN="$INTEROP_TOKEN" timeout 600 "$BIN" check "$PEER_URL" "${args[@]}" \
                --allow-writes --max-rps 0 --format json --output "$prefix.json" >"$prefix.txt" 2>&1 ||
                client_rc=$?
            interop_stop "$PEER_PID"
            tail -n 1 "$prefix.txt" | sed 's/^/   /'
            verdict="pass"
            if ((client_rc > 1)) || [[ ! -s "$prefix.json" ]]; then
                sed 's/^/   /' "$prefix.txt" | tail -n 5
                verdict="FAIL"
                failures=$((failures + 1))
            else
                "$INTEROP_VENV/bin/python" -c 'import json,sys
r = json.load(open(sys.argv[1]))
print("   failing:", ", ".join(c["id"] for c in r["checks"] if c["status"] == "fail") or "none")' "$prefix.json"
                # README's table must show what the run found.
                if ! "$INTEROP_VENV/bin/python" "$INTEROP_DIR/verdicts.py" client "$prefix.json" \
                    "$REPO/README.md" "$server" "$client"; then
                    verdict="FAIL"
                    failures=$((failures + 1))
                fi
            fi
            VERDICT["$server/$client"]="$verdict"
        done
    done
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
    for server in "${SERVERS[@]}"; do
        printf '   %-20s %-13s %s\n' "$server" "scimock-check" "${VERDICT["$server/scimock-check"]}"
        runs=$((runs + 1))
    done
    printf '   %-20s %-13s %s\n' "README" "verdicts" "${VERDICT["README/table"]}"
    runs=$((runs + 1))
fi
if ((RUN_CLIENT)); then
    for server in "${SERVERS[@]}"; do
        for client in entra entra-aadOptscim062020 okta; do
            printf '   %-20s %-13s %s\n' "$server" "$client" "${VERDICT["$server/$client"]}"
            runs=$((runs + 1))
        done
    done
fi
if ((failures)); then
    echo "$failures of $runs runs failed"
    exit 1
fi
echo "all $runs runs passed"
