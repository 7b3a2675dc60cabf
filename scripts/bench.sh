#!/usr/bin/env bash
# The mock server under load (issue 6). One command:
#
#   scripts/bench.sh            release build, 100,000 users, every scenario paired with health, plus
#                               start-up and RSS with 100,000 and 1,000,000 users (about 4 minutes)
#   scripts/bench.sh --smoke    debug build, 1,000 users, 1 s slices: proves the benchmark runs (CI)
#
#   scripts/bench.sh --stall    only the stall rows: /_scimock/health latency alone, then while
#                               4 clients send a 200-clause value-path `or` filter to a server with
#                               200,000 users (--users N to change), all on one server; then the
#                               longest GET by id during a reset that regenerates 1,000,000 users
#   scripts/bench.sh --save     only the state-file rows: with 400,000 and 1,000,000 users and
#                               --state, a snapshot's time, peak memory and file size, the longest
#                               GET by id while it is written, SIGTERM to exit (the final save),
#                               and the restart from the file (--users N for one size only)
#   scripts/bench.sh --durability   only the write-cost rows: POST and PATCH with and without
#                               --state (every write fsynced to the write log before its answer)
# Options: --users N, --slice SECS, --rounds R, --connections C, --no-build, --bin PATH, --no-million.
# Starts `scimock serve --users N --listen 127.0.0.1:0` and drives it over loopback with wrk
# (-t2 -cC, scripts/bench.lua for headers, bodies and the result line). The machine is shared, so
# each scenario is measured in R rounds, each a slice of GET /_scimock/health then a slice of the
# scenario; the ratio is scenario requests over health requests across those rounds, so drift
# in the machine's load cancels out. Prints requests/s, p50/p99 latency (median over the rounds),
# the paired health requests/s and the ratio.
# Exits non-zero if a run fails (no requests, socket errors, or non-2xx answers).
# Only loopback traffic; every server it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
users=100000
slice=3
rounds=3
connections=32
build=1
bin=""
million=1
durability_only=0
stall_only=0
save_only=0
save_sizes="400000 1000000"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; users=1000; slice=1; rounds=1; million=0 ;;
    --users) users="$2"; save_sizes="$2"; shift ;;
    --slice) slice="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --no-build) build=0 ;;
    --bin) bin="$2"; build=0; shift ;;
    --no-million) million=0 ;;
    --durability) durability_only=1; million=0 ;;
    --stall) stall_only=1; million=0; [ "$users" = 100000 ] && users=200000 ;;
    --save) save_only=1; million=0 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# wrk comes from Debian's packages; install it when missing (CI machines start without it).
if ! command -v wrk >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "bench.sh: installing wrk from Debian's packages" >&2
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
  fi
  command -v wrk >/dev/null || { echo "bench.sh: wrk not found (Debian: apt-get install wrk)" >&2; exit 2; }
fi
command -v curl >/dev/null || { echo "bench.sh: curl not found" >&2; exit 2; }

profile_dir=release
cargo_flags=(--release)
if [ "$smoke" = 1 ]; then
  # CI has just built the debug binary for the tests; the smoke run proves the script, not speed.
  profile_dir=debug
  cargo_flags=()
fi
if [ -z "$bin" ]; then
  target_dir=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
  bin="$target_dir/$profile_dir/scimock"
fi
if [ "$build" = 1 ]; then
  cargo build "${cargo_flags[@]}" --quiet --bin scimock
fi
[ -x "$bin" ] || { echo "bench.sh: no binary at $bin" >&2; exit 2; }

token=scimock-token
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start_server NAME ARGS...: starts scimock, waits for the listening line (at most 120 s).
# Sets server_pid, server_origin and startup_ms.
start_server() {
  local name=$1
  shift
  local out="$work/$name.out"
  local t0=$EPOCHREALTIME
  "$bin" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  local line=""
  for _ in $(seq 1 24000); do
    line=$(grep -m1 '^listening on ' "$out" 2>/dev/null || true)
    [ -n "$line" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$name.err" >&2; echo "bench.sh: $name exited" >&2; exit 1; }
    sleep 0.005
  done
  [ -n "$line" ] || { echo "bench.sh: $name did not start within 120 s" >&2; exit 1; }
  local t1=$EPOCHREALTIME
  startup_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
  server_origin=${line#listening on }
}

stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

rss_mib() {
  awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status"
}

urlencode() {
  local s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

get() {
  curl -sf -H "Authorization: Bearer $token" "$1"
}

failed=0
# wrk_once URL THREADS CONNECTIONS: one slice; prints "rps p50us p99us requests non2xx sockerr".
wrk_once() {
  local out r
  out=$(BENCH_TOKEN=$token wrk -t"$2" -c"$3" -d"${slice}s" --timeout 10s \
    -s scripts/bench.lua "$1" 2>&1 || true)
  r=$(grep '^RESULT ' <<<"$out" | tail -1 || true)
  if [ -z "$r" ]; then
    echo "bench.sh: wrk failed for $1:" >&2
    echo "$out" >&2
    r="RESULT 0 0 0 0 0 0"
  fi
  echo "${r#RESULT }"
}

# run NAME URL [THREADS CONNECTIONS]: rounds of (health slice, scenario slice) on the current
# server; METHOD/BODY for the scenario come from the environment. Appends a row to results.
results=()
run() {
  local name=$1 url=$2 threads=${3:-2} conns=${4:-$connections}
  local health_url="$server_origin/_scimock/health"
  local rows="" r h
  for ((i = 0; i < rounds; i++)); do
    h=$(BENCH_METHOD='' BENCH_BODY='' wrk_once "$health_url" 2 "$connections")
    r=$(wrk_once "$url" "$threads" "$conns")
    rows+="$h $r"$'\n'
  done
  # shellcheck disable=SC2086
  local row
  row=$(awk -v name="$name" '
    NF == 12 {
      n++; hs += $1; hreq += $4; herr += $5 + $6
      ss += $7; sreq += $10; serr += $11; sock += $12
      p50[n] = $8; p99[n] = $9
    }
    function median(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    END {
      if (n == 0) { print "FAIL"; exit }
      printf "%s|%.0f|%.2f|%.2f|%.0f|%.3f|%d|%d|%d|%d\n", name, ss / n, median(p50, n) / 1000,
        median(p99, n) / 1000, hs / n, (hs > 0 ? ss / hs : 0), sreq, serr, sock, hreq
    }' <<<"$rows")
  if [ "$row" = FAIL ]; then
    echo "bench.sh: $name: no results" >&2
    failed=1
    return
  fi
  IFS='|' read -r _ _ _ _ _ _ sreq serr sock hreq <<<"$row"
  if [ "$sreq" = 0 ] || [ "$hreq" = 0 ] || [ "$serr" != 0 ] || [ "$sock" != 0 ]; then
    echo "bench.sh: $name: $sreq requests, $serr non-2xx, $sock socket errors" >&2
    failed=1
  fi
  results+=("$row")
}

post_body='{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench-{n}@example.com","name":{"givenName":"Bench","familyName":"User"},"emails":[{"value":"bench-{n}@example.com","type":"work","primary":true}]}'
patch_body='{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Bench {n}"}]}'

# --- does heavy work stall cheap requests? ---------------------------------------------------------
# stall: health latency on its own, then while 4 connections run a 200-clause value-path filter
# (each a full scan of $users users), for the same slice, on one server.
if [ "$stall_only" = 1 ]; then
  start_server stall --users "$users"
  clauses=""
  for ((i = 0; i < 200; i++)); do
    clauses+="${clauses:+ or }emails[value eq \"nobody$i@x\"]"
  done
  heavy="$server_origin/scim/v2/Users?filter=$(urlencode "$clauses")"
  get "$heavy" >/dev/null || { echo "bench.sh: the stall filter was refused" >&2; exit 1; }
  echo "stall: $users users, health with -t1 -c1 for ${slice} s, $rounds rounds"
  printf '%-34s %10s %10s %10s\n' "health" "req/s" "p50 ms" "p99 ms"
  for ((i = 0; i < rounds; i++)); do
    alone=$(BENCH_METHOD='' BENCH_BODY='' wrk_once "$server_origin/_scimock/health" 1 1)
    # The scans run a second longer than the health slice, so they cover all of it.
    (slice=$((slice + 1)); BENCH_METHOD='' BENCH_BODY='' wrk_once "$heavy" 2 4 >"$work/heavy.out") &
    heavy_pid=$!
    sleep 0.3
    loaded=$(BENCH_METHOD='' BENCH_BODY='' wrk_once "$server_origin/_scimock/health" 1 1)
    wait "$heavy_pid"
    read -r hrps _ _ hreq _ _ <"$work/heavy.out"
    for row in "alone|$alone" "with 4 scans ($hreq scans done)|$loaded"; do
      read -r rps p50 p99 _ <<<"${row#*|}"
      awk -v n="${row%%|*}" -v r="$rps" -v a="$p50" -v b="$p99" \
        'BEGIN { printf "%-34s %10.0f %10.2f %10.2f\n", n, r, a / 1000, b / 1000 }'
    done
  done
  stop_server "$server_pid"
  # A reset that regenerates 1,000,000 users: the longest GET by id while it runs (curl, one
  # request at a time, for at most 30 s).
  start_server reset --users 1000000
  rid=$(get "$server_origin/scim/v2/Users?count=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  curl -sf -X POST "$server_origin/_scimock/reset" >"$work/reset.out" &
  reset_pid=$!
  longest=0 n=0 t_end=$((SECONDS + 30))
  while kill -0 "$reset_pid" 2>/dev/null && [ "$SECONDS" -lt "$t_end" ]; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" \
      "$server_origin/scim/v2/Users/$rid")
    longest=$(awk -v a="$longest" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
    n=$((n + 1))
  done
  wait "$reset_pid" || { echo "bench.sh: the reset failed" >&2; exit 1; }
  printf 'reset of 1,000,000 users: %d GETs by id during it, the longest %.0f ms\n' "$n" \
    "$(awk -v t="$longest" 'BEGIN { print t * 1000 }')"
  stop_server "$server_pid"
  exit 0
fi

# --- saving a large store: the snapshot, the save at SIGTERM, the restart --------------------------
# hwm_reset PID: restarts the kernel's peak-RSS count (VmHWM) so the next peak is the save's own.
hwm_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
hwm_mib() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
if [ "$save_only" = 1 ]; then
  printf '%-9s %9s %9s %9s %10s %11s %9s %10s %9s\n' users "start ms" "RSS MiB" "save ms" "peak MiB" \
    "GET max ms" "file MiB" "SIGTERM ms" "load ms"
  for n in $save_sizes; do
    state="$work/save-$n.json"
    start_server save --users "$n" --state "$state"
    first_ms=$startup_ms
    rss=$(rss_mib "$server_pid")
    rid=$(get "$server_origin/scim/v2/Users?count=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
    hwm_reset "$server_pid"
    t0=$EPOCHREALTIME
    curl -sf -X POST "$server_origin/_scimock/snapshot" >"$work/snap.out" &
    snap_pid=$!
    longest=0 t_end=$((SECONDS + 120))
    while kill -0 "$snap_pid" 2>/dev/null && [ "$SECONDS" -lt "$t_end" ]; do
      t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" \
        "$server_origin/scim/v2/Users/$rid")
      longest=$(awk -v a="$longest" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
    done
    wait "$snap_pid" || { echo "bench.sh: the snapshot failed" >&2; exit 1; }
    save_ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
    peak=$(hwm_mib "$server_pid")
    size=$(( $(stat -c %s "$state") / 1024 / 1024 ))
    t0=$EPOCHREALTIME
    stop_server "$server_pid"
    term_ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
    start_server reload --state "$state"
    load_ms=$startup_ms
    got=$(get "$server_origin/scim/v2/Users?count=1" | grep -o '"totalResults":[0-9]*' | cut -d: -f2)
    stop_server "$server_pid"
    [ "$got" -ge "$n" ] || { echo "bench.sh: the restart holds $got users, not $n" >&2; exit 1; }
    printf '%-9s %9s %9s %9s %10s %11.0f %9s %10s %9s\n' "$n" "$first_ms" "$rss" "$save_ms" "$peak" \
      "$(awk -v t="$longest" 'BEGIN { print t * 1000 }')" "$size" "$term_ms" "$load_ms"
  done
  echo "start ms: to 'listening' with --users N (includes the first snapshot); RSS: after start;"
  echo "save ms / peak MiB: POST /_scimock/snapshot and the process's peak RSS meanwhile;"
  echo "GET max ms: the longest GET by id while the snapshot ran; SIGTERM ms: signal to exit (the"
  echo "final save); load ms: a restart from the file to 'listening'. binary: $bin"
  exit 0
fi

# --- what durability costs: the same writes without and with --state ----------------------------
# durability NAME ARGS...: POST and PATCH rows on a fixtures-only generic server.
durability() {
  local name=$1
  shift
  start_server "$name" "$@"
  local dbase="$server_origin/scim/v2"
  local did
  did=$(get "$dbase/Users?count=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  BENCH_METHOD=POST BENCH_BODY=$post_body run "$name: POST /Users" "$dbase/Users"
  BENCH_METHOD=PATCH BENCH_BODY=$patch_body run "$name: PATCH /Users/{id}" "$dbase/Users/$did"
  stop_server "$server_pid"
}
durability "no --state"
durability "--state" --state "$work/state.json"

if [ "$durability_only" = 1 ]; then
  startup_generic=- rss_generic=- rss_after=-
  users=0
else
# --- the generic profile with N users -------------------------------------------------------
start_server generic --users "$users"
pid=$server_pid
startup_generic=$startup_ms
rss_generic=$(rss_mib "$pid")
base="$server_origin/scim/v2"
echo "generic: $users users, listening after ${startup_generic} ms, RSS ${rss_generic} MiB ($server_origin)" >&2

probe=$((users / 2))
[ "$probe" -ge 1 ] || probe=1
user_name="user${probe}@example.com"
id=$(get "$base/Users?filter=$(urlencode "userName eq \"$user_name\"")" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$id" ] || { echo "bench.sh: could not find $user_name" >&2; exit 1; }
deep=$((users - users / 10 + 1))
cursor=$(get "$base/Users?cursor=&count=100" | grep -o '"nextCursor":"[^"]*"' | cut -d'"' -f4)
[ -n "$cursor" ] || { echo "bench.sh: no nextCursor" >&2; exit 1; }
scan="emails[type eq \"work\" and value ew \"5000@example.com\"]"

run "GET /_scimock/health" "$server_origin/_scimock/health"
run "GET /Users?count=100" "$base/Users?count=100"
run "filter userName eq" "$base/Users?filter=$(urlencode "userName eq \"$user_name\"")"
run "filter emails.value eq" "$base/Users?filter=$(urlencode "emails.value eq \"$user_name\"")"
run "filter value-path scan" "$base/Users?filter=$(urlencode "$scan")"
run "  same, 1 connection" "$base/Users?filter=$(urlencode "$scan")" 1 1
run "deep page startIndex=$deep" "$base/Users?startIndex=$deep&count=100"
run "cursor page (RFC 9865)" "$base/Users?cursor=$cursor&count=100"
run "GET /Users/{id}" "$base/Users/$id"
BENCH_METHOD=PATCH BENCH_BODY=$patch_body run "PATCH /Users/{id}" "$base/Users/$id"
BENCH_METHOD=POST BENCH_BODY=$post_body run "POST /Users" "$base/Users"
rss_after=$(rss_mib "$pid")
stop_server "$pid"

# --- the Atlassian profile: same data, a vendor's shape and rules ------------------------------
start_server atlassian --vendor atlassian --users "$users"
pid=$server_pid
abase="$server_origin/scim/directory/4b9c1e2a-7d35-4f60-9a8e-2c1d0f3b5a77"
run "atlassian: filter userName eq" "$abase/Users?filter=$(urlencode "userName eq \"$user_name\"")"
run "atlassian: GET /Users?count=100" "$abase/Users?count=100"
stop_server "$pid"

fi

# --- 1,000,000 users: start-up and memory -----------------------------------------------------
if [ "$million" = 1 ]; then
  start_server million --users 1000000
  startup_million=$startup_ms
  rss_million=$(rss_mib "$server_pid")
  stop_server "$server_pid"
fi

# --- the table ----------------------------------------------------------------------------------
printf '\n%-34s %11s %9s %9s %11s %9s\n' scenario "requests/s" "p50 ms" "p99 ms" "health r/s" "x health"
printf '%-34s %11s %9s %9s %11s %9s\n' "$(printf '%.0s-' {1..34})" ----------- --------- --------- ----------- ---------
for row in "${results[@]}"; do
  IFS='|' read -r n rps p50 p99 h ratio _ <<<"$row"
  printf '%-34s %11s %9s %9s %11s %9s\n' "$n" "$rps" "$p50" "$p99" "$h" "$ratio"
done
echo
echo "each row: $rounds x (health ${slice} s, scenario ${slice} s), wrk -t2 -c$connections (\"1 connection\": -t1 -c1);"
echo "x health = scenario requests / paired health requests; p50/p99 = median over the rounds"
echo "start-up to 'listening' with $users users: ${startup_generic} ms; RSS after start ${rss_generic} MiB, after the runs ${rss_after} MiB"
if [ "$million" = 1 ]; then
  echo "start-up to 'listening' with 1000000 users: ${startup_million} ms; RSS ${rss_million} MiB"
fi
echo "binary: $bin; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$failed"
