#!/bin/bash
# vms/ lists the libvirt domains; mkdir vms/VM/devices/DEV makes an
# unassigned device with the documented defaults, and it survives a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "vms/ lists the domains of the connection, sorted, with libvirt's state"
check_eq "ls vms" "cad-ws01 cad-ws02 ml-train01 render01 vdi-pool01" "$(echo $(ls vms))"
check_val vms/cad-ws01/state running
check_val vms/ml-train01/state running
check_val vms/cad-ws02/state shutoff
check_val vms/cad-ws02/uuid 6f1d2c3e-0000-4000-8000-000000000002
check_val vms/cad-ws02/restart_required 0
check_val vms/cad-ws02/tenant ""
check_eq "ls vms/cad-ws02/devices" "" "$(ls vms/cad-ws02/devices)"
grep -q "<name>cad-ws02</name>" vms/cad-ws02/definition || fail "definition lacks the domain's name"
pass "vms"

say "mkdir vms/cad-ws02/devices/gpu0: an unassigned device, count 1, options 0"
mkdir vms/cad-ws02/devices/gpu0
dev=vms/cad-ws02/devices/gpu0
check_val $dev/group ""
check_val $dev/count 1
for o in frame_rate_limit disable_console_vnc enable_unified_memory enable_cuda_debuggers \
	enable_cuda_profilers attach_guest_drivers; do
	check_val $dev/$o 0
done
check_val $dev/status unassigned
check_val $dev/error ""
check_eq "ls $dev/vgpus" "" "$(ls $dev/vgpus)"
for f in status error type; do
	check_eq "mode of $dev/$f" 444 "$(stat -c %a $dev/$f)"
done
for f in group count description frame_rate_limit disable_console_vnc enable_unified_memory \
	enable_cuda_debuggers enable_cuda_profilers attach_guest_drivers; do
	check_eq "mode of $dev/$f" 644 "$(stat -c %a $dev/$f)"
done
check_eq "sim vGPUs after mkdir" 0 "$(sim_vgpu_count)"
grep -q "<hostdev" vms/cad-ws02/definition && fail "an unassigned device added a hostdev"
pass "defaults"

say "names, duplicates and unknown VMs"
expect_fail_errno "$EEXIST" mkdir $dev
expect_fail_errno "$EINVAL" mkdir "vms/cad-ws02/devices/a:b"
expect_fail_errno "$EINVAL" mkdir "vms/cad-ws02/devices/-x"
expect_fail_errno "$ENOENT" mkdir vms/no-such-vm/devices/gpu0
put_refused "$ENOENT" $dev/group no-such-group
check_val $dev/status unassigned
pass "EEXIST, EINVAL, ENOENT"

say "settings persist across a restart; rmdir of an unassigned device deletes it"
put $dev/count 3
put $dev/frame_rate_limit 30
put $dev/description "CAD seat"
mkdir vms/render01/devices/scratch
restart_vgpufs
check_val $dev/count 3
check_val $dev/frame_rate_limit 30
check_val $dev/description "CAD seat"
check_val $dev/status unassigned
rmdir vms/render01/devices/scratch
[ ! -e vms/render01/devices/scratch ] || fail "rmdir left the device"
restart_vgpufs
check_eq "ls vms/render01/devices after restart" "" "$(ls vms/render01/devices)"
check_eq "ls vms/cad-ws02/devices after restart" gpu0 "$(ls vms/cad-ws02/devices)"
pass "persisted"
