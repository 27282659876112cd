#!/bin/bash
# host/driver_version is the running host driver, and an empty line without one.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

say "host/driver_version = the simulator's /sys/module/nvidia/version"
check_file_eq host/driver_version "$SIM/module/nvidia/version" "$MNT/host/driver_version"
check_eq host/driver_version "$(awk '$1 == "driver" { print $2 }' "$HOST_FILE")" "$(cat "$MNT/host/driver_version")"
pass "driver $(cat "$MNT/host/driver_version")"

quit_vgpufs
stop_sim

say "with no NVIDIA driver loaded (driver none) driver_version reads an empty line"
cat >"$TMP/nodriver.host" <<'HOST'
driver none
names nvidia
gpu T4 count=1 mode=mdev node=0
HOST
start_sim "$TMP/nodriver.host"
[ ! -e "$SIM/module/nvidia/version" ] || fail "the simulator shows module/nvidia/version with driver none"
start_vgpufs
check_eq "host/driver_version bytes" "0a" "$(od -An -tx1 "$MNT/host/driver_version" | tr -d ' \n')"
pass "driver_version is \"\\n\""
