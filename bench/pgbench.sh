#!/usr/bin/env bash
# The PostgreSQL ceiling for a dealgate transition: pgbench runs, in one transaction each, what
# a transition (and a transition with a finalised document) writes, at 1, 4 and 16 clients;
# transition_pipeline sends the transition's statements as one pipeline (one round trip).
# With DEALGATE_BIN (a dealgate binary, run-all.sh sets it), transition_dealgate runs dealgate's
# own transition statements on dealgate's own schema (every index, the statistics trigger) in a
# second scratch database migrated by that binary: the ceiling of exactly what dealgate sends.
# Usage: bash bench/pgbench.sh [seconds-per-run]   (PGURL overrides the server URL)
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-10}
base=${PGURL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=dealgate_pgbench_$$
psql "$base" -qc "CREATE DATABASE $db" >/dev/null
trap 'for d in $db ${db}_dg; do psql "$base" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done' EXIT
url=${base/\/postgres\?/\/$db?}
psql "$url" -q -f pgbench/setup.sql >/dev/null
printf '%-18s %8s %10s %10s\n' script clients tps "lat ms"
for script in transition transition_pipeline transition_doc; do
  mode=simple
  [ "$script" = transition_pipeline ] && mode=prepared
  for c in 1 4 16; do
    out=$(pgbench -n -M "$mode" -f "pgbench/$script.sql" -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$secs" "$url" 2>&1)
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -n1)
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    printf '%-18s %8s %10s %10s\n' "$script" "$c" "$tps" "$lat"
  done
done
if [ -n "${DEALGATE_BIN:-}" ]; then
  psql "$base" -qc "CREATE DATABASE ${db}_dg" >/dev/null
  dgurl=${base/\/postgres\?/\/${db}_dg?}
  DATABASE_URL=$dgurl "$DEALGATE_BIN" migrate >/dev/null
  psql "$dgurl" -q -f pgbench/dealgate_seed.sql >/dev/null
  for c in 1 4 16; do
    out=$(pgbench -n -M prepared -f pgbench/transition_dealgate.sql -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$secs" "$dgurl" 2>&1)
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -n1)
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    printf '%-18s %8s %10s %10s\n' transition_dealgate "$c" "$tps" "$lat"
  done
fi
