#!/bin/bash
# A domain undefined with virsh after it got vGPUs: its vGPUs are freed on
# the host, its devices vanish, and an events line says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

libvirtd_up db01=44444444-0000-4000-8000-000000000001 db02=44444444-0000-4000-8000-000000000002
cd "$MNT"

make_group a16 A16-2Q $A16_GPUS
make_group l40s L40S-4Q $L40S
mkdir vms/db01/devices/gpu0 vms/db01/devices/gpu1 vms/db02/devices/gpu0
echo 2 >vms/db01/devices/gpu0/count
echo a16 >vms/db01/devices/gpu0/group
echo l40s >vms/db01/devices/gpu1/group
echo a16 >vms/db02/devices/gpu0/group
keep=$(dev_vgpus db02 gpu0)
check_eq "vGPUs on the host" 4 "$(sim_vgpu_count)"
check_eq "ls groups/a16/devices" "db01:gpu0 db02:gpu0" "$(echo $(ls groups/a16/devices))"

say "virsh undefine db01"
lv undefine db01 >/dev/null
wait_until 5 "db01 gone from vms/" test ! -d vms/db01
wait_until 5 "db01's vGPUs freed" test "$(sim_vgpu_count)" = 1
check_eq "mdevs left" "$keep" "$(sim_mdevs)"
check_eq "VFs holding a vGPU" "" "$(sim_vf_vgpus)"
check_eq "ls vgpus" "$keep" "$(ls vgpus)"
check_eq "ls groups/a16/devices" "db02:gpu0" "$(ls groups/a16/devices)"
check_eq "ls groups/l40s/devices" "" "$(ls groups/l40s/devices)"
check_val groups/a16/vgpus_used 1
grep -Eq "$EVENT_TIME vms/db01: domain undefined; its 3 vGPUs were freed" events ||
	fail "no events line for the undefined domain: $(tail -n 3 events)"
pass "freed"

say "the devices do not come back with a restart, nor with a new db01"
restart_vgpufs
check_eq "ls vms" "db02 test" "$(echo $(ls vms))"
define_vm db01 44444444-0000-4000-8000-000000000001
wait_until 5 "db01 back in vms/" test -d vms/db01
check_eq "ls vms/db01/devices" "" "$(ls vms/db01/devices)"
check_eq "hostdevs of the new db01" 0 "$(lv dumpxml --inactive db01 | grep -c "<hostdev" || true)"
check_val vms/db02/devices/gpu0/status allocated
check_consistent
pass "gone for good"

say "undefined while vgpufs was down: freed at start"
define_vm db03 44444444-0000-4000-8000-000000000003
wait_until 5 "db03 in vms/" test -d vms/db03
mkdir vms/db03/devices/gpu0
echo 2 >vms/db03/devices/gpu0/count
echo a16 >vms/db03/devices/gpu0/group
gone=$(dev_vgpus db03 gpu0)
cd /
quit_vgpufs
lv undefine db03 >/dev/null
start_vgpufs
cd "$MNT"
for u in $gone; do
	[ ! -e "$SIM/bus/mdev/devices/$u" ] || fail "vGPU $u of the undefined db03 is still on the host"
done
check_eq "mdevs left" "$keep" "$(sim_mdevs)"
check_eq "ls vms" "db01 db02 test" "$(echo $(ls vms))"
check_consistent
pass "freed at start"
