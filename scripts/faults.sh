#!/usr/bin/env bash
# Runs dealgate's long fault tests (package reliability with DEALGATE_FAULT_TESTS=1):
#   - 60 SIGKILLs of `dealgate serve` under load per database (SQLite and PostgreSQL), every
#     deal verified afterwards;
#   - 6 restarts of a private PostgreSQL instance under load (fast and immediate stops);
#   - two server processes, 32 clients, a minute of invoice load;
# and the access, session and hostile-input tests of the same package. Each test writes its
# figures as JSON to $DEALGATE_FAULT_REPORT (default testout/faults), and this script prints
# them at the end; RELIABILITY.md quotes them.
#
#   bash scripts/faults.sh                         # everything, about 10 minutes on two cores
#   bash scripts/faults.sh -run TestCrashUnderLoad # extra arguments go to go test
#
# The ordinary test run (scripts/test.sh, .ci/run) runs reduced versions of the same tests.
# Like scripts/test.sh this needs PostgreSQL: it starts the local cluster when it is not running
# and uses $DEALGATE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$ver" ]; then echo "no PostgreSQL cluster found; run scripts/test.sh once to install it"; exit 1; fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
PGURL=${DEALGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
if ! psql "$PGURL" -qtAc 'select 1' >/dev/null 2>&1; then
  PGURL=postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
fi
export DEALGATE_TEST_POSTGRES=$PGURL
export DEALGATE_FAULT_TESTS=1
export DEALGATE_FAULT_REPORT=${DEALGATE_FAULT_REPORT:-$PWD/testout/faults}
mkdir -p "$DEALGATE_FAULT_REPORT"
rm -f "$DEALGATE_FAULT_REPORT"/*.json

status=0
go test -count=1 -timeout 80m -v "$@" ./reliability 2>&1 | tee "$DEALGATE_FAULT_REPORT/go-test.log" || status=$?

echo
echo "== figures ($DEALGATE_FAULT_REPORT)"
for f in "$DEALGATE_FAULT_REPORT"/*.json; do
  [ -e "$f" ] || continue
  echo "-- $(basename "$f" .json)"
  cat "$f"
  echo
done
exit "$status"
