#!/usr/bin/env bash
# Runs dealgate's whole test suite on a fresh Debian machine (as root, or with sudo):
# installs what the tests need (PostgreSQL, poppler's pdftotext, LibreOffice, Chromium),
# starts PostgreSQL if it is not running, then runs go vet, the import-direction guard,
# every Go test on SQLite and PostgreSQL, and the shared API contract script when present.
# .ci/run calls this same script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf '\n== %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

need=()
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
# The DOCX templates ask for Times New Roman; without a metric-compatible font LibreOffice
# substitutes a wider one and wraps amounts inside table cells (Liberation Serif has its metrics).
fc-list 2>/dev/null | grep -q "Liberation Serif" || need+=(fonts-liberation)
command -v chromium >/dev/null || need+=(chromium)
command -v psql >/dev/null || need+=(postgresql postgresql-client)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

log "PostgreSQL"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$ver" ]; then echo "no PostgreSQL cluster found"; exit 1; fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
PGURL=${DEALGATE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
if ! psql "$PGURL" -qtAc 'select 1' >/dev/null 2>&1; then
  # A fresh cluster asks for a password over TCP: give the postgres role a test password.
  $SUDO su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  PGURL=postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable
  export PGPASSWORD=postgres
fi
psql "$PGURL" -qtAc 'select version()'
export DEALGATE_TEST_POSTGRES=$PGURL

log "go vet and gofmt"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

log "import direction: workflow and documents import neither gorm nor echo"
if go list -deps ./workflow/... ./documents/... | grep -E '^(gorm\.io|github\.com/labstack/echo)'; then
  echo "workflow/documents must not import gorm or echo"; exit 1
fi

log "go test (SQLite and PostgreSQL)"
go test -count=1 -timeout 40m ./... 2>&1 | tee /tmp/dealgate-test.log
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || exit "$status"

smoke="$root/../shared/contract/api-smoke.sh"
if [ -f "$smoke" ]; then
  log "API contract (shared/contract/api-smoke.sh)"
  bash "$smoke"
fi
