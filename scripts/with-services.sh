#!/usr/bin/env bash
# Installs (Debian packages) and starts what the tests need, then runs the
# command given as arguments with ATLAS_REQUIRE_SERVICES=1, so that no test
# that needs a service can pass by skipping.
#
#   ./scripts/with-services.sh go test -race ./...
#
# Services: Chromium (browser tests), PostgreSQL 15 + PostGIS 3 (internal/postgis). Needs root or sudo for apt-get when a
# package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
# OGC API tests: GDAL's OAPIF and MVT drivers, and OWSLib (Debian's python3).
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils) # print map tests: pdfinfo, pdftoppm
/usr/bin/python3 -c 'import owslib.ogcapi.features' >/dev/null 2>&1 || need+=(python3-owslib)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL/PostGIS: a throwaway cluster on 127.0.0.1 (free port), owned by
# the postgres user (root cannot run postgres), removed on exit. Tests read
# its URL from ATLAS_TEST_DATABASE_URL; the database atlas_template (with
# PostGIS) is the template tests clone their own databases from.
pgbin="$(pg_config --bindir 2>/dev/null || true)"
[ -x "$pgbin/initdb" ] || pgbin=/usr/lib/postgresql/15/bin
if [ -z "${ATLAS_TEST_DATABASE_URL:-}" ]; then
  if [ ! -x "$pgbin/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: postgresql postgresql-15-postgis-3" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql postgresql-15-postgis-3 >/dev/null
    pgbin=/usr/lib/postgresql/15/bin
  fi
  pguser="$(id -un)"
  [ "$(id -u)" -ne 0 ] || pguser=postgres
  pgrun() { if [ "$(id -un)" = "$pguser" ]; then "$@"; else runuser -u "$pguser" -- "$@"; fi; }
  pgdir="$(mktemp -d /tmp/atlas-pg.XXXXXX)"
  chown "$pguser" "$pgdir"
  pgrun "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  trap 'pgrun "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  for attempt in 1 2 3 4 5; do # a random port; another try when it is taken
    pgport=$((20000 + RANDOM % 40000))
    if pgrun "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdir -c fsync=off -c max_connections=200" start >/dev/null; then
      break
    fi
    [ "$attempt" -lt 5 ] || { cat "$pgdir/log" >&2; exit 1; }
  done
  pgrun "$pgbin/psql" -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE atlas_template" -c "CREATE DATABASE atlas_test" >/dev/null
  for db in atlas_template atlas_test; do
    pgrun "$pgbin/psql" -q -h 127.0.0.1 -p "$pgport" -U postgres -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION postgis" >/dev/null
  done
  export ATLAS_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/atlas_test?sslmode=disable"
  echo "PostgreSQL test cluster on 127.0.0.1:$pgport ($pgdir)" >&2
fi
export ATLAS_PG_BINDIR="${ATLAS_PG_BINDIR:-$pgbin}"

export ATLAS_REQUIRE_SERVICES=1
export ATLAS_CHROMIUM="${ATLAS_CHROMIUM:-$(command -v chromium)}"
export ATLAS_ARTIFACTS="${ATLAS_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$ATLAS_ARTIFACTS"
"$@"
