# Helpers shared by bench/replicas.sh and bench/run-all.sh (source it; it defines functions
# only). Everything listens on 127.0.0.1 and everything it starts is stopped by bench_cleanup.
#
# PGURL (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) names a server on
# which the scripts may create and drop their own scratch databases.

PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
BENCH_PIDS=()
BENCH_DBS=()

log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# db_url NAME: PGURL with its database replaced by NAME.
db_url() {
  local base=${PGURL%%\?*} query=
  [[ $PGURL == *\?* ]] && query="?${PGURL#*\?}"
  printf '%s/%s%s\n' "${base%/*}" "$1" "$query"
}

# create_db NAME: a fresh scratch database, dropped by bench_cleanup.
create_db() {
  psql "$PGURL" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql "$PGURL" -qc "CREATE DATABASE $1" >/dev/null
  BENCH_DBS+=("$1")
}

# build_dealgate DIR: builds the dealgate binary into DIR and sets DG to its path.
build_dealgate() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  (cd "$root" && go build -o "$1/dealgate" ./cmd/dealgate) || die "go build ./cmd/dealgate"
  DG=$1/dealgate
}

# new_token EMAIL ROLE: creates a user on $DATABASE_URL and prints its API token.
new_token() {
  "$DG" user add --email "$1" --role "$2" --name "$2 $1" 2>/dev/null | tail -n 1
}

# start_serve PORT LOG [VAR=VALUE...]: starts `dealgate serve` on 127.0.0.1:PORT with the current
# DATABASE_URL (and the given variables), waits until /healthz answers, and sets SERVE_PID.
start_serve() {
  local port=$1 logf=$2
  shift 2
  env "$@" DEALGATE_LOG_LEVEL=${DEALGATE_LOG_LEVEL:-warn} "$DG" serve --addr "127.0.0.1:$port" >"$logf" 2>&1 &
  SERVE_PID=$!
  BENCH_PIDS+=("$SERVE_PID")
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { cat "$logf" >&2; die "dealgate serve on port $port exited"; }
    sleep 0.1
  done
  die "dealgate serve on port $port did not answer /healthz within 20 s"
}

# stop_pid PID: stops a process this script started and waits for it.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# rss_sampler PID OUT: samples PID's resident set size (VmRSS, kB) every 100 ms into OUT as
# "peak_kb last_kb samples" until PID exits; sets SAMPLER_PID.
rss_sampler() {
  local pid=$1 out=$2
  (
    peak=0 n=0 last=0
    while r=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null) && [ -n "$r" ]; do
      last=$r n=$((n + 1))
      ((r > peak)) && peak=$r
      echo "$peak $last $n" >"$out"
      sleep 0.1
    done
  ) &
  SAMPLER_PID=$!
  BENCH_PIDS+=("$SAMPLER_PID")
}

# cpu_ticks PID: user+system CPU time of PID in clock ticks (see getconf CLK_TCK).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# machine_info: the machine and its load, for the head of every result file.
machine_info() {
  echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "host:    $(uname -srm)"
  echo "cpu:     $(nproc) x $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "memory:  $(free -h | awk '/^Mem:/{print $2 " total, " $7 " available"}')"
  echo "go:      $(go version | awk '{print $3}')"
  echo "pg:      $(psql "$PGURL" -Atc 'show server_version' 2>/dev/null)"
  echo "load:    $(uptime | sed 's/.*load average: //') (1, 5, 15 min)"
}

# bench_cleanup: stops what was started and drops the scratch databases (trap it on EXIT).
bench_cleanup() {
  local p d
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for d in "${BENCH_DBS[@]}"; do psql "$PGURL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
}
