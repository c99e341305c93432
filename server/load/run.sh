#!/usr/bin/env bash
# The server's load test: a scripted surge by a real HTTP client (wrk, with the Lua scripts
# beside this file), on loopback only, bounded in time, against the reference campaign.
#
#   server/load/run.sh [--rounds N] [--seconds S] [--people N] [--connections C] [--journal]
#
# With --journal the server journals every change and answers each mutation only once it is
# durable; after the audit the script kills it with SIGKILL, starts it again on the same
# journal, and checks that the recovered engine holds every acknowledged booking and passes
# the audit.
#
# Each round takes a fresh range of people through the whole flow, one endpoint at a time so
# that each gets its own requests/s and latency percentiles, with the HTTP floor measured
# right before each engine-backed phase: a trivial handler on the same server (/floor) sent
# requests of the phase's shape (method, headers, body), so that the ratio is the endpoint's
# own cost:
#
#   floor-join, join (every person from 1-3 devices), floor-status, status (devices
#   polling), floor-reserve, reserve (each device of a person sends the same request: one
#   books, the others are retries)
#
# Between join and status, an unmeasured pass asks each person's status once and keeps the
# passes of the admitted for the reserve phase (the door admits without limit during the test,
# so everyone who joined has one). No measured phase hands response bodies to Lua, so the
# client does the same work per request for the floor and for the engine's endpoints.
#
# Afterwards the admin audit must hold (no slot over capacity, nobody over their booking
# limit: 0 double bookings), and every booking acknowledged with a 200 must be held. The audit
# may hold a few more than were acknowledged: when a phase's time runs out, wrk drops the
# answers still in flight (at most one per connection), so up to `connections` per round.
# Prints a table of medians over the rounds; exits non-zero if an invariant fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=3
seconds=8
people=150000
connections=64
journal=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --people) people=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --journal) journal=yes; shift ;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--people N] [--connections C] [--journal]" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release -p fairbook-server >/dev/null 2>&1 || cargo build --release -p fairbook-server

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh pass secret for this run, from the kernel's random source.
FAIRBOOK_PASS_KEY_1=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export FAIRBOOK_PASS_KEY_1
server_args=(--campaign server/campaigns/reference.toml --listen 127.0.0.1:0)
[ -z "$journal" ] || server_args+=(--journal "$work/journal")
start_server() {
  : >"$work/server.out"
  RUST_LOG=warn target/release/fairbook-server "${server_args[@]}" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  for _ in $(seq 1 600); do
    grep -q "listening on" "$work/server.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$work/server.out")
  [ -n "$url" ] || { echo "the server did not start" >&2; exit 1; }
  case "$url" in http://127.*) ;; *) echo "refusing a non-loopback address: $url" >&2; exit 1 ;; esac
}
start_server
admin=(-H "authorization: Bearer reference-admin")
curl -fsS "${admin[@]}" -X PUT -H 'content-type: application/json' -d '{}' "$url/admin/outflow" >/dev/null
slots=$(curl -fsS "${admin[@]}" "$url/admin/stats" | sed -n 's/.*"slots":\([0-9]*\).*/\1/p')

echo "server $url${journal:+ (journaled)}, reference campaign ($slots slots), wrk 1 thread x $connections connections, ${seconds} s per phase, $rounds rounds of $people people" >&2
phase() { # name script args...
  local script=$1; shift
  wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "server/load/$script" "$url" -- "$@" \
    | grep -E '^(RESULT|BOOKED)' | sed "s/^/$round_tag /" >>"$work/results"
}
: >"$work/results"
for round in $(seq 1 "$rounds"); do
  round_tag="round$round"
  base=$(( (round - 1) * people ))
  passes="$work/passes-$round"
  phase floor.lua join
  phase join.lua "$base" "$people"
  FAIRBOOK_PASSES_FILE="$passes" wrk -t1 -c"$connections" -d120s --timeout 10s \
    -s server/load/collect.lua "$url" -- "$base" "$people" >/dev/null
  phase floor.lua status
  phase status.lua "$base" "$people"
  phase floor.lua reserve
  phase reserve.lua "$passes" "$slots"
  echo "round $round done: $(wc -l <"$passes") passes collected" >&2
  [ -s "$passes" ] || { echo "FAIL: no passes collected" >&2; exit 1; }
done

# Medians per endpoint, and each engine-backed phase against the floor run just before it.
awk '
  $2 == "RESULT" {
    name = $3; rps = $4; n[name]++
    r[name, n[name]] = rps; p50[name, n[name]] = $5; p99[name, n[name]] = $6
    errors[name] += $8
    if (name ~ /^floor-/) { last_floor = rps } else { ratio[name, n[name]] = rps / last_floor }
  }
  function median(array, name, count,    i, j, t, v) {
    for (i = 1; i <= count; i++) v[i] = array[name, i]
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return (count % 2) ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    printf "| endpoint | requests/s | p50 | p99 | vs its floor (same round) | non-2xx |\n|---|---|---|---|---|---|\n"
    split("floor-join join floor-status status floor-reserve reserve", order, " ")
    for (k = 1; k <= 6; k++) {
      name = order[k]; c = n[name]
      printf "| %s | %.0f | %.2f ms | %.2f ms | %s | %d |\n", name, median(r, name, c),
        median(p50, name, c) / 1000, median(p99, name, c) / 1000,
        name ~ /^floor-/ ? "" : sprintf("%.0f%%", 100 * median(ratio, name, c)), errors[name]
    }
  }' "$work/results"

# The invariants, through the admin audit.
booked_ok=$(awk '$2 == "BOOKED" { s += $4 } END { print s + 0 }' "$work/results")
refused=$(awk '$2 == "RESULT" && $3 == "reserve" { s += $8 } END { print s + 0 }' "$work/results")
audit=$(curl -fsS "${admin[@]}" "$url/admin/audit")
audit_ok=$(printf '%s' "$audit" | sed -n 's/^{"ok":\([a-z]*\).*/\1/p')
bookings=$(printf '%s' "$audit" | sed -n 's/.*"bookings":\([0-9]*\).*/\1/p')
violations=$(printf '%s' "$audit" | sed -n 's/.*"violations":\[\([^]]*\)\].*/\1/p')
echo
echo "reserve answers: $booked_ok booked (200), $refused refused (409: the retries)"
echo "audit: ok=$audit_ok, $bookings bookings held, violations: [${violations}]"
if [ "$audit_ok" != "true" ]; then echo "FAIL: the audit found violations" >&2; exit 1; fi
in_flight_max=$(( connections * rounds ))
if [ "$bookings" -lt "$booked_ok" ] || [ "$bookings" -gt $(( booked_ok + in_flight_max )) ]; then
  echo "FAIL: $booked_ok bookings acknowledged, $bookings held (at most $in_flight_max answers cut off)" >&2
  exit 1
fi
echo "invariants hold: 0 double bookings, 0 acknowledged bookings lost ($(( bookings - booked_ok )) booked as a phase ended, answers cut off)"

if [ -n "$journal" ]; then
  # A crash, then a restart on the same journal: nothing acknowledged may be missing.
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  started=$(date +%s%N)
  start_server
  recovered_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  audit=$(curl -fsS "${admin[@]}" "$url/admin/audit")
  audit_ok=$(printf '%s' "$audit" | sed -n 's/^{"ok":\([a-z]*\).*/\1/p')
  recovered=$(printf '%s' "$audit" | sed -n 's/.*"bookings":\([0-9]*\).*/\1/p')
  echo "after kill -9 and restart (${recovered_ms} ms to listening): audit ok=$audit_ok, $recovered bookings held"
  if [ "$audit_ok" != "true" ]; then echo "FAIL: the recovered engine fails its audit" >&2; exit 1; fi
  if [ "$recovered" -lt "$booked_ok" ]; then
    echo "FAIL: $booked_ok bookings acknowledged, $recovered recovered" >&2
    exit 1
  fi
  echo "recovery holds: every acknowledged booking is back ($(( recovered - booked_ok )) more: booked, not yet answered)"
fi
