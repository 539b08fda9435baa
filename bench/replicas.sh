#!/usr/bin/env bash
# Two dealgate replicas on one PostgreSQL database: the load generator spreads its clients over
# two `dealgate serve` processes on two loopback ports with the same DATABASE_URL, then SQL
# checks that scaling out lost nothing and doubled nothing:
#   - no document number is used twice (kind, scope, year, number, version);
#   - invoice numbers are gap-free: each invoice counter equals the number of invoices it
#     numbered, which are exactly 1..N;
#   - every deal's event chain has contiguous seq from 1 and each prev_hash is the hash of the
#     event before it;
#   - transitions acknowledged (200) = transition events = deals at cold_call, and deals
#     acknowledged (201) = deal rows; invoices acknowledged (201) = invoice rows.
# It prints throughput and latency (transitions on one replica, then on two; invoices on two)
# and drops its database at the end. Exit status 1 when a check fails.
#
# Usage: bash bench/replicas.sh [duration-per-run, default 20s]
#        CLIENTS (default 16), PORT1/PORT2 (18411/18412), PGURL (see bench/lib.sh) override.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

dur=${1:-20s}
clients=${CLIENTS:-16}
p1=${PORT1:-18411}
p2=${PORT2:-18412}
work=$(mktemp -d /tmp/dealgate-replicas.XXXXXX)
trap 'bench_cleanup; rm -rf "$work"' EXIT
db=dealgate_replicas_$$

machine_info
log "building dealgate"
build_dealgate "$work"
create_db "$db"
export DATABASE_URL
DATABASE_URL=$(db_url "$db")
"$DG" migrate >/dev/null
# Invoices are prepared by the back office or managers; the load generator's clients also
# create their client company, which back-office users may not, so managers run invoices.
log "creating 8 reps and 4 managers"
for i in $(seq 8); do new_token "rep$i@replicas.test" rep; done >"$work/reps"
for i in $(seq 4); do new_token "mgr$i@replicas.test" manager; done >"$work/managers"
[ "$(grep -c '^dg_' "$work/reps")" = 8 ] && [ "$(grep -c '^dg_' "$work/managers")" = 4 ] || die "could not create the users"

start_serve "$p1" "$work/serve1.log"
pid1=$SERVE_PID
start_serve "$p2" "$work/serve2.log"
pid2=$SERVE_PID
a=http://127.0.0.1:$p1
b=http://127.0.0.1:$p2
log "replicas: $a (pid $pid1) and $b (pid $pid2), one database $db"

# load NAME SCENARIO TOKENS TARGET...: runs the load generator, keeps its JSON report in
# $work/NAME.json and prints a summary line.
load() {
  local name=$1 scenario=$2 tokens=$3
  shift 3
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  log "load: $scenario, $clients clients, $dur, $# replica(s)"
  "$DG" load "${targets[@]}" --tokens-file "$tokens" --clients "$clients" --duration "$dur" --scenario "$scenario" --seed "$RANDOM" --json \
    >"$work/$name.json" || die "load generator ($name)"
  jq -r --arg name "$name" --argjson n "$#" '
    . as $r | .ops[] | select(.op == "transition" or .op == "document.invoice" or .op == "deal.create") |
    "\($name)\t\($n) replica(s)\t\(.op)\t\(.count) ok+err\t\(.errors) errors\t\(.per_sec * 10 | round / 10)/s\tp50 \(.p50_ns / 1e4 | round / 100) ms\tp99 \(.p99_ns / 1e4 | round / 100) ms\t(all requests \($r.per_sec * 10 | round / 10)/s)"' \
    "$work/$name.json" | tee -a "$work/summary"
}

load transitions-1 transitions "$work/reps" "$a"
load transitions-2 transitions "$work/reps" "$a" "$b"
load invoices-2 invoices "$work/managers" "$a" "$b"

# acked OP STATUS: how many OP requests were answered STATUS, over every run.
acked() { jq -s --arg op "$1" --arg st "$2" '[.[].ops[] | select(.op == $op) | .statuses[$st] // 0] | add // 0' "$work"/*.json; }
failed() { jq -s --arg op "$1" '[.[].ops[] | select(.op == $op) | .errors] | add // 0' "$work"/*.json; }
q() { psql "$DATABASE_URL" -Atc "$1"; }

fail=0
check() { # check NAME GOT WANT
  if [ "$2" = "$3" ]; then printf 'ok    %-58s %s\n' "$1" "$2"; else printf 'FAIL  %-58s got %s, want %s\n' "$1" "$2" "$3"; fail=1; fi
}
# check_acked NAME ROWS ACKED ERRORS: rows must equal the acknowledged requests; when requests
# failed without an answer, a row may exist for each of them (the client cannot know).
check_acked() {
  if [ "$2" = "$3" ] || { [ "$4" -gt 0 ] && [ "$2" -ge "$3" ] && [ "$2" -le $(($3 + $4)) ]; }; then
    printf 'ok    %-58s %s rows, %s acknowledged, %s failed requests\n' "$1" "$2" "$3" "$4"
  else
    printf 'FAIL  %-58s %s rows, %s acknowledged, %s failed requests\n' "$1" "$2" "$3" "$4"
    fail=1
  fi
}

echo
echo "checks on $db:"
[ "$(acked transition 200)" -gt 0 ] && [ "$(acked document.invoice 201)" -gt 0 ] || { echo "FAIL  the load made no transitions or no invoices"; fail=1; }
check "duplicate document numbers" \
  "$(q "SELECT count(*) FROM (SELECT 1 FROM documents WHERE number <> '' GROUP BY kind, number_scope, number_year, number, version HAVING count(*) > 1) d")" 0
check "invoice counters whose documents are not exactly 1..value" \
  "$(q "SELECT count(*) FROM counters c WHERE c.kind = 'invoice' AND (SELECT count(*) || '/' || count(DISTINCT seq) || '/' || coalesce(min(seq), 0) || '/' || coalesce(max(seq), 0)
        FROM documents d WHERE d.kind = c.kind AND d.number_scope = c.scope AND d.number_year = c.year AND d.version = 1) <> c.value || '/' || c.value || '/1/' || c.value")" 0
check "invoices numbered (sum of the invoice counters)" "$(q "SELECT coalesce(sum(value), 0) FROM counters WHERE kind = 'invoice'")" "$(q "SELECT count(*) FROM documents WHERE kind = 'invoice'")"
check "deals whose event seq is not 1..n" \
  "$(q "SELECT count(*) FROM (SELECT deal_id FROM events GROUP BY deal_id HAVING min(seq) <> 1 OR max(seq) <> count(*) OR count(DISTINCT seq) <> count(*)) x")" 0
check "events whose prev_hash is not the previous event's hash" \
  "$(q "SELECT count(*) FROM events e LEFT JOIN events p ON p.deal_id = e.deal_id AND p.seq = e.seq - 1
        WHERE (e.seq = 1 AND e.prev_hash <> '') OR (e.seq > 1 AND (p.hash IS NULL OR e.prev_hash <> p.hash))")" 0
check "deals without their deal_created event" "$(q "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.deal_id = d.id AND e.seq = 1 AND e.kind = 'deal_created')")" 0
check_acked "transition events = transitions acknowledged" "$(q "SELECT count(*) FROM events WHERE kind = 'transition'")" "$(acked transition 200)" "$(failed transition)"
check_acked "deals at cold_call (version 2) = transitions acknowledged" "$(q "SELECT count(*) FROM deals WHERE stage = 'cold_call' AND version = 2")" "$(acked transition 200)" "$(failed transition)"
check_acked "deals = deals acknowledged" "$(q "SELECT count(*) FROM deals")" "$(acked deal.create 201)" "$(failed deal.create)"
check_acked "invoices = invoices acknowledged" "$(q "SELECT count(*) FROM documents WHERE kind = 'invoice'")" "$(acked document.invoice 201)" "$(failed document.invoice)"
check "duplicate numbers seen by the load generator" "$(jq -s '[.[].duplicate_numbers // [] | length] | add' "$work"/*.json)" 0

echo
echo "throughput (load generator, $clients clients, $dur per run):"
column -t -s $'\t' "$work/summary"
echo "load after the runs: $(uptime | sed 's/.*load average: //')"
for n in 1 2; do
  errs=$(grep -ci 'level=error' "$work/serve$n.log" || true)
  echo "replica $n log: $errs error lines"
done
exit $fail
