#!/usr/bin/env bash
# dealgate's DOCX fill against docxtemplater (issue 8: at least 5×, measured in the same run).
# Benchmark tooling only: never part of scripts/test.sh or CI, and npm is used here only.
#
# It installs the pinned docxtemplater and pizzip from bench/alternatives/docxtemplater/
# package-lock.json (`npm ci`, when node_modules is missing or older than the lock file), builds
# bench/alternatives and runs `alternatives -docxtemplater`: both fill dealgate's shipped
# templates/docx/proposal.docx with the example proposal (templates/examples/proposal.json),
# their outputs are checked to carry the same text, then three alternating rounds report fills
# per second (wall) and per CPU-second of each process, and the ratios.
#
# Usage: bash bench/docxtemplater.sh            (prints to stdout; run-all.sh keeps it as
#                                                docxtemplater.txt in its results directory)
#   CORE=1    the CPU both processes are pinned to with taskset, so that "one core" is literal
#             (dealgate then runs with GOMAXPROCS=1, node's helper threads share the core);
#             CORE= (empty) runs unpinned
#   N=3000    dealgate fills per round;  DT_N=300  docxtemplater fills per round (after
#             DT_WARMUP=150 warm-up fills in each node process);  ROUNDS=3. The defaults give
#             both sides timed windows of a few seconds, so a burst of other work on the shared
#             machine weighs on each about equally.
#   GOGC=400  as `dealgate serve` runs by default
# Without node or npm it prints why it skips and exits 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
dir=$here/alternatives/docxtemplater

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "docxtemplater: skipped: node and npm are not installed (Node.js 18 or later with npm is needed for this comparison only)"
  exit 0
fi

if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  echo "# npm ci in bench/alternatives/docxtemplater" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
    echo "docxtemplater: skipped: npm ci failed in $dir (is the npm registry reachable?)"
    exit 0
  }
fi

work=$(mktemp -d /tmp/dealgate-docxtemplater.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/alternatives" ./bench/alternatives)

core=${CORE-1}
pin=()
if [ -n "$core" ]; then
  if command -v taskset >/dev/null; then
    pin=(taskset -c "$core")
  else
    echo "# taskset not found (util-linux): running unpinned"
  fi
fi
args=(-docxtemplater -n "${N:-3000}" -dt-n "${DT_N:-300}" -dt-warmup "${DT_WARMUP:-150}" -rounds "${ROUNDS:-3}" -dt-dir "$dir")

echo "# $(date -u '+%Y-%m-%d %H:%M:%S') UTC  HEAD $(cd "$root" && git rev-parse --short HEAD), bench code $(cd "$root" && git log -1 --format=%h -- bench/alternatives bench/docxtemplater.sh)$(cd "$root" && git diff --quiet HEAD -- bench/alternatives bench/docxtemplater.sh || echo ' (bench files modified)')"
echo "# uptime before: $(uptime)"
echo "# GOGC=${GOGC:-400} ${pin[*]} alternatives ${args[*]}"
(cd "$root" && GOGC=${GOGC:-400} "${pin[@]}" "$work/alternatives" "${args[@]}")
echo "# uptime after:  $(uptime)"
