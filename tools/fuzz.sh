#!/bin/sh
# Builds the libFuzzer targets in build-fuzz/ (clang, -Dfuzz=true) and runs each for
# SECONDS (default 30) on its seeds (docs/fuzzing.md). Exits non-zero if any target
# crashed, leaked, hung or failed one of its checks.
#   tools/fuzz.sh [SECONDS]     build, then fuzz every target for SECONDS
#   tools/fuzz.sh --build       install clang if needed and build only
set -eu
cd "$(dirname "$0")/.."

PACKAGES="clang libclang-rt-14-dev meson ninja-build pkg-config libfuse3-dev libpci-dev
  libvirt-dev libsqlite3-dev libxml2-dev uuid-dev libarchive-dev libssl-dev"

# shellcheck disable=SC2086
tools/install-packages.sh $PACKAGES

[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
ninja -C build-fuzz
[ "${1:-}" != "--build" ] || exit 0

VGPUFS_FUZZ_SECONDS=${1:-30} meson test -C build-fuzz --suite fuzz --print-errorlogs
