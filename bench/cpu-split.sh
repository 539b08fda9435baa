#!/usr/bin/env bash
# Where the machine's CPU goes per request: runs the load generator against `dealgate serve` on
# PostgreSQL and reads, from /proc, the CPU time (user + system) of the server, of every
# PostgreSQL process, of the load generator and of the whole machine over the timed run, then
# divides each by the requests served. The three share the same cores, so their sum per
# request bounds what this machine can serve: cores × 1000 / (sum ms) requests a second.
#
# Usage: bash bench/cpu-split.sh [SCENARIO [CLIENTS [SECONDS]]]   (default: transitions 16 15)
#        DG=path/to/dealgate uses that binary instead of building this tree;
#        SERVE_PGURL connects the server another way to the same PostgreSQL (e.g. its Unix
#        socket: postgres://postgres@/postgres?host=/var/run/postgresql), PGURL as in lib.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
scenario=${1:-transitions}
clients=${2:-16}
secs=${3:-15}
work=$(mktemp -d /tmp/dealgate-cpusplit.XXXXXX)
trap 'bench_cleanup; rm -rf "$work"' EXIT
if [ -z "${DG:-}" ]; then
  build_dealgate "$work"
fi

db=dealgate_cpusplit_$$
create_db "$db"
DATABASE_URL=$(PGURL=${SERVE_PGURL:-$PGURL} db_url "$db")
export DATABASE_URL
"$DG" migrate >/dev/null
for i in 1 2 3 4; do new_token "rep$i@split.test" rep; done >"$work/tokens"
port=18491
start_serve "$port" "$work/serve.log"
spid=$SERVE_PID

# ticks_of PIDS...: the CPU ticks (user + system) of the given processes, summed.
ticks_of() {
  local files=() p
  for p in "$@"; do files+=("/proc/$p/stat"); done
  [ ${#files[@]} -eq 0 ] && { echo 0; return; }
  # One awk for all: the fields after the command name, which is in parentheses and may hold
  # spaces; a process that has gone by now counts nothing.
  awk '{ sub(/^.*\) /, ""); s += $12 + $13 } END { print s + 0 }' "${files[@]}" 2>/dev/null || true
}
# pg_ticks: the CPU ticks of every PostgreSQL process (the postmaster, its workers and the
# backends, all named postgres; the server's pool keeps its connections for the whole run).
pg_ticks() { ticks_of $(pgrep -x postgres || true); }
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

prep=()
if [ "$scenario" = transitions ]; then
  per=$((1800 / clients)); [ $per -gt 600 ] && per=600
  prep=(--prepare-deals $((secs * per)))
fi
"$DG" load --target "http://127.0.0.1:$port" --tokens-file "$work/tokens" --clients "$clients" --duration "${secs}s" \
  --scenario "$scenario" "${prep[@]}" --json >"$work/load.json" 2>"$work/load.err" &
lpid=$!
# The window: from the timed run's start (transitions: after the deals are prepared; otherwise
# one second in) to two seconds before its end, while the load generator still runs.
if [ ${#prep[@]} -gt 0 ]; then
  until grep -q "timed run starts" "$work/load.err" 2>/dev/null || ! kill -0 "$lpid" 2>/dev/null; do sleep 0.05; done
else
  sleep 1
fi
win=$((secs - 3))
la0=$(cut -d' ' -f1 /proc/loadavg)
s0=$(ticks_of "$spid") p0=$(pg_ticks) l0=$(ticks_of "$lpid") m0=$(machine_ticks)
sleep "$win"
s1=$(ticks_of "$spid") p1=$(pg_ticks) l1=$(ticks_of "$lpid") m1=$(machine_ticks)
la1=$(cut -d' ' -f1 /proc/loadavg)
kill -0 "$lpid" 2>/dev/null || die "the load generator ended inside the window; give it more seconds"
wait "$lpid" || die "the load generator failed: $(cat "$work/load.err")"
hz=$(getconf CLK_TCK)
# Operations in the measured window: the run's rate of its main operation (a transition, a final
# proposal; the documents scenario also creates a deal per five proposals, whose cost is
# counted with them) times the window.
op=transition
[ "$scenario" = documents ] && op=document.proposal
[ "$scenario" = invoices ] && op=document.invoice
rate=$(jq -r --arg op "$op" '(.ops[] | select(.op == $op) | .per_sec) // .per_sec' "$work/load.json")
errors=$(jq -r '.errors // 0 | if type == "array" then length else . end' "$work/load.json")
awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v l=$((l1 - l0)) -v m=$((m1 - m0)) -v hz="$hz" -v rate="$rate" -v w="$win" \
  -v sc="$scenario" -v op="$op" -v c="$clients" -v la0="$la0" -v la1="$la1" -v errs="$errors" -v n="$(nproc)" 'BEGIN {
  req = rate * w
  ms = 1000 / hz / req
  printf "%s, %d clients, %.1f %s/s over %d s (errors %s), load %s -> %s\n", sc, c, rate, op, w, errs, la0, la1
  printf "  CPU ms per %s: server %.3f, PostgreSQL %.3f, load generator %.3f, sum %.3f; whole machine %.3f\n", op, s*ms, p*ms, l*ms, (s+p+l)*ms, m*ms
  printf "  machine CPU used: %.2f of %d cores; the sum bounds this machine near %.0f/s\n", m / hz / w, n, n * 1000 / ((s+p+l)*ms)
}'
