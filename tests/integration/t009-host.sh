#!/bin/bash
# host/name, reboot_required and maintenance on a fresh daemon.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

say "host/name is the node name; reboot_required is 0 with no group; maintenance is 0"
check_eq host/name "$(uname -n)" "$(cat "$MNT/host/name")"
check_eq host/reboot_required 0 "$(cat "$MNT/host/reboot_required")"
check_eq host/maintenance 0 "$(cat "$MNT/host/maintenance")"
pass "host/name, reboot_required, maintenance"
