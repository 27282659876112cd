#!/bin/bash
# A group used by a VM device cannot be removed (EBUSY, error names the
# device), and its profile cannot change while it holds vGPUs of another.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group t4 T4-4Q $T4_GPUS
mkdir vms/render01/devices/gpu0
echo 2 >vms/render01/devices/gpu0/count
echo t4 >vms/render01/devices/gpu0/group
check_eq "ls groups/t4/devices" "render01:gpu0" "$(ls groups/t4/devices)"
check_eq "groups/t4/devices/render01:gpu0 link" ../../../vms/render01/devices/gpu0 \
	"$(readlink groups/t4/devices/render01:gpu0)"
before=$(sim_snapshot)

say "rmdir groups/t4 while render01/gpu0 uses it: EBUSY"
expect_fail_errno "$EBUSY" rmdir groups/t4
[ -d groups/t4 ] || fail "groups/t4 was removed"
grep -q "gpu0" groups/t4/error || fail "groups/t4/error does not name the device: $(cat groups/t4/error)"
check_val vms/render01/devices/gpu0/group t4
check_val vms/render01/devices/gpu0/status allocated
pass "rmdir refused"

say "profile T4-4Q -> T4-2Q while T4-4Q vGPUs are allocated: EBUSY"
put_refused "$EBUSY" groups/t4/profile T4-2Q
[ -n "$(cat groups/t4/error)" ] || fail "groups/t4/error is empty after the refusal"
check_val groups/t4/profile T4-4Q
check_eq "the simulator" "$before" "$(sim_snapshot)"
echo T4-4Q >groups/t4/profile || fail "writing the same profile again failed"
pass "profile change refused"

say "once the device lets go, both work"
echo "" >vms/render01/devices/gpu0/group
echo T4-2Q >groups/t4/profile
check_val groups/t4/profile T4-2Q
rmdir groups/t4 || fail "rmdir groups/t4 failed once no device uses it: $(cat groups/t4/error)"
check_eq "ls groups" "" "$(ls groups)"
check_val vms/render01/devices/gpu0/status unassigned
pass "profile changed, group removed"
