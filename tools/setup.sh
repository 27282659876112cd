#!/bin/sh
# Installs the Debian packages vgpufs needs and builds it.
#   tools/setup.sh            -> build/        (debugoptimized)
#   tools/setup.sh --asan     -> build-asan/   (ASan + UBSan) as well
# Safe to run again: apt-get and meson skip what is already done.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="meson ninja-build pkg-config gcc libfuse3-dev fuse3 libpci-dev pciutils
  libvirt-dev libvirt-daemon libvirt-daemon-system libvirt-clients libsqlite3-dev sqlite3
  libxml2-dev uuid-dev libarchive-dev libssl-dev python3 vim-nox procps psmisc util-linux uuid-runtime mdevctl strace
  ansible-core genisoimage xorriso libarchive-tools rsync openssh-client openssh-sftp-server
  qemu-system-x86"

# shellcheck disable=SC2086
tools/install-packages.sh $PACKAGES

[ -d build ] || meson setup build
ninja -C build
if [ "${1:-}" = "--asan" ]; then
  [ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
  ninja -C build-asan
fi
