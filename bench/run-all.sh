#!/usr/bin/env bash
# Runs every dealgate benchmark in one go and keeps the raw output under
# bench/results/<UTC date-time>/ (BENCHMARKS.md quotes it):
#   machine.txt        nproc, memory, CPU model, load before and after
#   go-*.txt           go test -bench -benchmem at GOMAXPROCS 1 and 2 (-cpu 1,2): the state
#                      machine's decision, rendering (PDF and DOCX), the transition and the
#                      finalisation in storage and through HTTP, on SQLite and PostgreSQL
#   stats.txt          statistics of a year with about 1,000,000 events on PostgreSQL
#   pgbench.txt        the PostgreSQL ceiling of a transition (bench/pgbench.sh)
#   load.txt, load-*   the load generator against `dealgate serve` on PostgreSQL: transitions
#                      and documents at 1, 4 and 16 clients, with the server's peak resident
#                      size (sampled from /proc every 100 ms) and CPU time; pprof profiles of
#                      the 16-client transitions and 4-client documents runs
#   ab.txt             with BASELINE=<commit>: the same load on that commit's binary and on this
#                      tree, alternating, for before/after ratios under the same machine load
#   replicas.txt       bench/replicas.sh: two replicas on one database, checked in SQL
#   alternatives.txt   dealgate's PDF rate against warm LibreOffice and warm Chromium
#   docxtemplater.txt  dealgate's DOCX fill against docxtemplater (bench/docxtemplater.sh; skipped
#                      with a message when node and npm are missing)
#   oneshot.txt        wall time of one `dealgate render` of a proposal (hyperfine when
#                      installed — apt-get install hyperfine — else a timed loop)
#
# Usage: bash bench/run-all.sh [load-seconds, default 15]
#        PGURL (see bench/lib.sh); SKIP="stats alternatives …" leaves parts out
#        (parts: go stats pgbench load ab replicas alternatives oneshot);
#        BASELINE=<commit> adds the before/after runs (ab; AB_SPECS chooses them, AB_CURRENT_PGURL
#        connects the current tree's server another way).
# The machine is shared and noisy: compare figures as ratios within one run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"

secs=${1:-15}
skip=" ${SKIP:-} "
out=$here/results/$(date -u +%Y-%m-%d-%H%M)
mkdir -p "$out"
work=$(mktemp -d /tmp/dealgate-bench.XXXXXX)
trap 'bench_cleanup; rm -rf "$work"' EXIT
wants() { [[ $skip != *" $1 "* ]]; }
export DEALGATE_TEST_POSTGRES=${DEALGATE_TEST_POSTGRES:-$PGURL}

machine_info | tee "$out/machine.txt"
log "results in $out"
build_dealgate "$work"

# --- Go benchmarks ----------------------------------------------------------------------
# gobench NAME PKG PATTERN BENCHTIME [env...]
gobench() {
  local name=$1 pkg=$2 pattern=$3 bt=$4
  shift 4
  log "go test -bench '$pattern' $pkg (-cpu 1,2, -benchtime $bt) $*"
  {
    echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)  $* go test $pkg -run '^\$' -bench '$pattern' -benchmem -benchtime $bt -cpu 1,2"
    (cd "$root" && env "$@" go test "$pkg" -run '^$' -bench "$pattern" -benchmem -benchtime "$bt" -cpu 1,2 -timeout 30m 2>&1) || echo "FAILED: exit $?"
    echo "# done $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  } >>"$out/go-$name.txt"
}
if wants go; then
  gobench decide ./workflow/ 'BenchmarkDecide' 200000x
  gobench render ./documents/ 'BenchmarkProposal(PDF|DOCX)$' 3s
  gobench render ./documents/ 'BenchmarkProposal(PDF|DOCX)$' 3s GOGC=400
  gobench render ./documents/pdflayout/ 'BenchmarkProposalPDF(Parallel)?$' 3s
  gobench render ./documents/pdflayout/ 'BenchmarkProposalPDF(Parallel)?$' 3s GOGC=400
  gobench render ./documents/docxfill/ 'BenchmarkProposalDOCX$' 3s
  gobench storage ./storage/ 'BenchmarkTransition' 1000x
  gobench storage ./storage/ 'BenchmarkFinalise' 300x
  gobench http ./api/ 'BenchmarkTransitionHTTP' 1000x
fi
if wants stats; then
  log "statistics of a year with ~1,000,000 events on PostgreSQL (generates the data first: minutes)"
  if grep -qs 'func BenchmarkStatsYearPostgres1M' "$root"/stats/*_test.go; then
    { echo "# load $(cut -d' ' -f1-3 /proc/loadavg)  go test ./stats/ -run '^\$' -bench StatsYearPostgres1M -benchtime 3x -v"
      (cd "$root" && go test ./stats/ -run '^$' -bench StatsYearPostgres1M -benchtime 3x -benchmem -v -timeout 60m 2>&1) || echo "FAILED: exit $?"
      echo "# done load $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$out/stats.txt"
  else
    echo "stats: BenchmarkStatsYearPostgres1M not found" >"$out/stats.txt"
  fi
fi

# --- the PostgreSQL ceiling ---------------------------------------------------------------
if wants pgbench; then
  log "pgbench ceiling (bench/pgbench.sh 10)"
  { echo "# load $(cut -d' ' -f1-3 /proc/loadavg)  bash bench/pgbench.sh 10"; PGURL=$PGURL DEALGATE_BIN=$DG bash "$here/pgbench.sh" 10; echo "# done load $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$out/pgbench.txt" 2>&1
fi

# --- the load generator against dealgate serve on PostgreSQL ------------------------------
if wants load; then
  printf '%-12s %7s %9s %9s %9s %9s %9s %10s %12s %s\n' scenario clients "op/s" "p50 ms" "p95 ms" "p99 ms" "all req/s" "peak RSS" "CPU ms/req" "load" >"$out/load.txt"
  port=18431
  for scenario in transitions documents; do
    db=dealgate_bench_${scenario}_$$
    create_db "$db"
    export DATABASE_URL
    DATABASE_URL=$(db_url "$db")
    "$DG" migrate >/dev/null
    for i in 1 2 3 4; do new_token "rep$i@bench.test" rep; done >"$work/tokens"
    start_serve "$port" "$out/serve-$scenario.log" DEALGATE_PPROF=127.0.0.1:$((port + 1000))
    pid=$SERVE_PID
    op=transition
    [ "$scenario" = documents ] && op=document.proposal
    for clients in 1 4 16; do
      name=$scenario-$clients
      log "load: $scenario, $clients clients, ${secs}s"
      echo "0 0 0" >"$work/rss"
      rss_sampler "$pid" "$work/rss"
      # Transitions alone: each client makes its deals before the clock starts (enough for the
      # run at up to min(600, 1800/clients) transitions/s per client; beyond, it makes them
      # inline). The CPU count and the profile start when the load generator says the timed run
      # starts.
      prep=()
      if [ "$scenario" = transitions ]; then
        per=$((1800 / clients)); [ $per -gt 600 ] && per=600
        prep=(--prepare-deals $((secs * per)))
      fi
      "$DG" load --target "http://127.0.0.1:$port" --tokens-file "$work/tokens" --clients "$clients" --duration "${secs}s" \
        --scenario "$scenario" --seed "$clients" "${prep[@]}" --json >"$out/load-$name.json" 2>"$work/load.err" &
      lpid=$!
      if [ ${#prep[@]} -gt 0 ]; then
        until grep -q "timed run starts" "$work/load.err" 2>/dev/null || ! kill -0 "$lpid" 2>/dev/null; do sleep 0.1; done
      fi
      t0=$(cpu_ticks "$pid")
      la=$(cut -d' ' -f1 /proc/loadavg)
      prof=
      if [ "$scenario-$clients" = transitions-16 ] || [ "$scenario-$clients" = documents-4 ]; then
        (sleep 2; curl -s -o "$out/cpu-$name.pprof" "http://127.0.0.1:$((port + 1000))/debug/pprof/profile?seconds=$((secs - 4))") &
        prof=$!
      fi
      wait "$lpid" || log "load generator failed ($name)"
      t1=$(cpu_ticks "$pid")
      [ -n "$prof" ] && wait "$prof" || true
      stop_pid "$SAMPLER_PID"
      read -r peak _ _ <"$work/rss"
      jq -r --arg sc "$scenario" --arg op "$op" --argjson c "$clients" --argjson peak "$peak" --argjson ticks $((t1 - t0)) \
        --argjson hz "$(getconf CLK_TCK)" --arg la "$la" '
        . as $r | (.ops[] | select(.op == $op)) as $o |
        [$sc, $c, ($o.per_sec*10|round/10), ($o.p50_ns/1e4|round/100), ($o.p95_ns/1e4|round/100), ($o.p99_ns/1e4|round/100),
         ($r.per_sec*10|round/10), "\($peak/1024|round) MB", (($ticks/$hz*1000/$r.requests)*100|round/100), $la] | @tsv' \
        "$out/load-$name.json" | awk -F'\t' '{printf "%-12s %7s %9s %9s %9s %9s %9s %10s %12s %s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}' >>"$out/load.txt"
      [ -s "$out/cpu-$name.pprof" ] && go tool pprof -top -nodecount=40 "$DG" "$out/cpu-$name.pprof" >"$out/pprof-$name.txt" 2>/dev/null || true
    done
    stop_pid "$pid"
    port=$((port + 2))
  done
  cat "$out/load.txt"
fi

# --- before and after: the same load on an older commit's binary, alternating -------------
# BASELINE=<commit> builds that commit and runs transitions at 16 clients and documents at 4
# clients on it and on this tree in turn (A B A B), each on a fresh database, so the ratio is
# taken under the same machine load. AB_SPECS="documents 4,documents 16" picks other runs.
# AB_CURRENT_PGURL gives this tree's server another way to the same PostgreSQL (e.g. its Unix
# socket, postgres://postgres@/postgres?host=/var/run/postgresql); with BASELINE=HEAD that
# compares the two connections alone.
if wants ab && [ -n "${BASELINE:-}" ]; then
  log "before/after: $BASELINE against the working tree"
  mkdir -p "$work/base-src" "$work/base"
  (cd "$root" && git archive "$BASELINE" | tar -x -C "$work/base-src") || die "git archive $BASELINE"
  (cd "$work/base-src" && go build -o "$work/base/dealgate" ./cmd/dealgate) || die "build $BASELINE"
  cur=$DG
  printf '%-10s %-12s %7s %9s %9s %9s %10s %12s %s\n' binary scenario clients "op/s" "p50 ms" "p99 ms" "peak RSS" "CPU ms/req" "load" >"$out/ab.txt"
  port=18461
  for round in 1 2; do
    IFS=, read -r -a specs <<<"${AB_SPECS:-transitions 16,documents 4}"
    for spec in "${specs[@]}"; do
      read -r scenario clients <<<"$spec"
      op=transition
      [ "$scenario" = documents ] && op=document.proposal
      for which in base current; do
        DG=$cur
        [ $which = base ] && DG=$work/base/dealgate
        db=dealgate_ab_${which}_${round}_$$
        create_db "$db"
        DATABASE_URL=$(db_url "$db")
        [ $which = current ] && [ -n "${AB_CURRENT_PGURL:-}" ] && DATABASE_URL=$(PGURL=$AB_CURRENT_PGURL db_url "$db")
        export DATABASE_URL
        "$DG" migrate >/dev/null
        for i in 1 2 3 4; do new_token "rep$i@ab.test" rep; done >"$work/tokens"
        start_serve "$port" "$work/ab-serve.log"
        pid=$SERVE_PID
        echo "0 0 0" >"$work/rss"
        rss_sampler "$pid" "$work/rss"
        t0=$(cpu_ticks "$pid")
        la=$(cut -d' ' -f1 /proc/loadavg)
        "$DG" load --target "http://127.0.0.1:$port" --tokens-file "$work/tokens" --clients "$clients" --duration 10s \
          --scenario "$scenario" --json >"$work/ab.json" || log "load generator failed (ab $which)"
        t1=$(cpu_ticks "$pid")
        stop_pid "$SAMPLER_PID"
        read -r peak _ _ <"$work/rss"
        stop_pid "$pid"
        jq -r --arg w "$which" --arg sc "$scenario" --arg op "$op" --argjson c "$clients" --argjson peak "$peak" --argjson ticks $((t1 - t0)) \
          --argjson hz "$(getconf CLK_TCK)" --arg la "$la" '
          . as $r | (.ops[] | select(.op == $op)) as $o |
          [$w, $sc, $c, ($o.per_sec*10|round/10), ($o.p50_ns/1e4|round/100), ($o.p99_ns/1e4|round/100),
           "\($peak/1024|round) MB", (($ticks/$hz*1000/$r.requests)*100|round/100), $la] | @tsv' "$work/ab.json" |
          awk -F'\t' '{printf "%-10s %-12s %7s %9s %9s %9s %10s %12s %s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9}' >>"$out/ab.txt"
        port=$((port + 1))
      done
    done
  done
  DG=$cur
  echo "# base = $BASELINE ($(cd "$root" && git log -1 --format='%h %s' "$BASELINE" | cut -c1-80)), current = working tree" >>"$out/ab.txt"
  cat "$out/ab.txt"
fi

# --- two replicas on one database ---------------------------------------------------------
if wants replicas; then
  log "two replicas on one PostgreSQL database (bench/replicas.sh 20s)"
  PGURL=$PGURL bash "$here/replicas.sh" 20s >"$out/replicas.txt" 2>&1 || log "replicas.sh reported a failure (see replicas.txt)"
  sed -n '/^checks on/,$p' "$out/replicas.txt"
fi

# --- the alternatives ---------------------------------------------------------------------
if wants alternatives; then
  log "alternatives: dealgate vs warm LibreOffice and warm Chromium"
  { echo "# load $(cut -d' ' -f1-3 /proc/loadavg)  GOGC=400 go run ./bench/alternatives -n 1000 -alt-n 40"
    (cd "$root" && GOGC=400 go run ./bench/alternatives -n 1000 -alt-n 40 2>&1) || echo "FAILED: exit $?"
    echo "# done load $(cut -d' ' -f1-3 /proc/loadavg)"; } >"$out/alternatives.txt"
  cat "$out/alternatives.txt"
  log "alternatives: dealgate's DOCX fill vs docxtemplater (bench/docxtemplater.sh; needs node and npm)"
  bash "$here/docxtemplater.sh" >"$out/docxtemplater.txt" 2>&1 || echo "FAILED: exit $?" >>"$out/docxtemplater.txt"
  cat "$out/docxtemplater.txt"
fi

# --- one-shot render ----------------------------------------------------------------------
if wants oneshot; then
  log "one-shot dealgate render of one proposal PDF"
  data=$root/templates/examples/proposal.json
  {
    echo "# load $(cut -d' ' -f1-3 /proc/loadavg)"
    if command -v hyperfine >/dev/null; then
      hyperfine -N --warmup 5 --runs 50 --export-json "$work/oneshot.json" "$DG render --kind proposal --data $data --out $work/oneshot.pdf" 2>&1
      jq -r '.results[0] | "median \(.median*1000*10|round/10) ms, min \(.min*1000*10|round/10) ms, mean \(.mean*1000*10|round/10) ms, user \(.user*1000*10|round/10) ms, system \(.system*1000*10|round/10) ms (wall, 50 runs)"' "$work/oneshot.json"
    else
      echo "hyperfine not installed (apt-get install hyperfine): 50 runs timed in a loop"
      start=$(date +%s%N)
      for _ in $(seq 50); do "$DG" render --kind proposal --data "$data" --out "$work/oneshot.pdf" 2>/dev/null; done
      echo "mean $(( ($(date +%s%N) - start) / 50000000 )) ms per render (wall, 50 runs)"
    fi
  } >"$out/oneshot.txt" 2>&1
  cat "$out/oneshot.txt"
fi

machine_info | sed 's/^/after: /' >>"$out/machine.txt"
log "done: $out"
