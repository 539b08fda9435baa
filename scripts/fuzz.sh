#!/usr/bin/env bash
# Runs every Go fuzz target of the repository (every `func FuzzXxx(f *testing.F)` in a
# *_test.go file) for a set time each, one after the other, and reports which ones failed.
#
#   bash scripts/fuzz.sh                 # every target, FUZZTIME (default 10s) each
#   FUZZTIME=2m bash scripts/fuzz.sh     # longer
#   bash scripts/fuzz.sh API Docx        # only targets whose "package/FuzzName" matches a pattern
#
# FUZZTIME_<Target> sets one target's time, e.g. FUZZTIME_FuzzAPIBodies=10m. FuzzAPIBodies posts
# to the real server and database, and replaying its seed corpus alone takes about a minute on
# two cores, so it gets max(FUZZTIME, 2m) unless FUZZTIME_FuzzAPIBodies says otherwise.
# FUZZ_PARALLEL sets go test's -parallel (fuzz workers; default GOMAXPROCS). FUZZMINTIME
# (default 5s) bounds go's minimisation of each new input: targets that render documents are
# slow per input, and go's default (60s) would spend a short run minimising instead of fuzzing.
# This is not part of the default test run: `go test ./...` (scripts/test.sh) runs each target's
# seed corpus (f.Add and testdata/fuzz/FuzzXxx) only. When fuzzing finds a failing input, go
# writes it to <package>/testdata/fuzz/FuzzXxx/; fix the code and commit that file, so the input
# stays in the seed corpus for good.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
FUZZMINTIME=${FUZZMINTIME:-5s}
par=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then par=(-parallel "$FUZZ_PARALLEL"); fi

# secs converts a Go duration such as 10s, 2m or 1h30m to whole seconds.
secs() {
  local d=$1 total=0 n
  while [[ $d =~ ^([0-9]+)(h|m|s)(.*)$ ]]; do
    n=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in h) n=$((n * 3600)) ;; m) n=$((n * 60)) ;; esac
    total=$((total + n))
    d=${BASH_REMATCH[3]}
  done
  echo "$total"
}

mapfile -t targets < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . |
  sed -E 's#^\./##; s#/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\t\1#' | sort -u)

if [ $# -gt 0 ]; then
  keep=()
  for t in "${targets[@]}"; do
    name="${t/$'\t'//}"
    for p in "$@"; do
      if [[ "$name" == *"$p"* ]]; then keep+=("$t"); break; fi
    done
  done
  targets=("${keep[@]}")
fi
if [ ${#targets[@]} -eq 0 ]; then echo "no fuzz target matches"; exit 1; fi

echo "== ${#targets[@]} fuzz targets, $FUZZTIME each"
failed=()
summary=()
for t in "${targets[@]}"; do
  dir=${t%%$'\t'*}
  name=${t##*$'\t'}
  echo
  echo "== ./$dir $name"
  start=$(date +%s)
  log=$(mktemp)
  tvar="FUZZTIME_${name}"
  ftime=${!tvar:-$FUZZTIME}
  if [ "$name" = FuzzAPIBodies ] && [ -z "${!tvar:-}" ] && [ "$(secs "$ftime")" -lt 120 ]; then ftime=2m; fi
  for try in 1 2; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$ftime" -fuzzminimizetime "$FUZZMINTIME" "${par[@]}" "./$dir" 2>&1 | tee "$log"; then
      res=ok
      break
    fi
    res=FAIL
    # Go's fuzzing engine sometimes ends a run with "context deadline exceeded" when the time
    # is up, without any failing input: that is no finding, so the target runs once more.
    if [ $try = 1 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
      echo "(the fuzzing engine stopped with 'context deadline exceeded' and no failing input: running again)"
      continue
    fi
    failed+=("./$dir $name")
    break
  done
  execs=$(grep -Eo 'execs: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  rm -f "$log"
  summary+=("$(printf '%-4s %-34s %-22s %6s fuzzing, %5ss in all, %10s execs' "$res" "./$dir" "$name" "$ftime" "$(( $(date +%s) - start ))" "${execs:-?}")")
done

echo
echo "== summary (FUZZTIME=$FUZZTIME)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "FAILED: ${failed[*]}"
  echo "The failing inputs are in the packages' testdata/fuzz directories."
  exit 1
fi
