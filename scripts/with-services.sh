#!/usr/bin/env bash
# Installs (Debian packages) and starts what the tests need, then runs the
# command given as arguments with ATLAS_REQUIRE_SERVICES=1, so that no test
# that needs a service can pass by skipping.
#
#   ./scripts/with-services.sh go test -race ./...
#
# Services: Chromium (browser tests). Needs root or sudo for apt-get when a
# package is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export ATLAS_REQUIRE_SERVICES=1
export ATLAS_CHROMIUM="${ATLAS_CHROMIUM:-$(command -v chromium)}"
export ATLAS_ARTIFACTS="${ATLAS_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$ATLAS_ARTIFACTS"
"$@"
