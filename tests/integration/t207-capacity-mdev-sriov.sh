#!/bin/bash
# An SR-IOV GPU in mdev mode (A40, 12 VFs) holds max_instances vGPUs of a
# profile, however many VFs it has: its capacity is the GPU's, not the sum of
# its VFs' available_instances.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "A40-8Q on the A40 (12 VFs, 6 per GPU): vgpus_free is 6"
make_group a40 A40-8Q $A40
max=$(cat gpus/$A40/types/A40-8Q/max_instances)
check_eq "gpus/$A40/types/A40-8Q/max_instances" 6 "$max"
check_val gpus/$A40/types/A40-8Q/available 6
check_val groups/a40/vgpus_free 6
pass "capacity of the GPU"

say "7 x A40-8Q: ENOSPC, the message says 6 are free, nothing made"
mkdir vms/render01/devices/gpu0
echo 7 >vms/render01/devices/gpu0/count
put_refused "$ENOSPC" vms/render01/devices/gpu0/group a40
grep -q "6 free" vms/render01/devices/gpu0/error ||
	fail "error does not say 6 are free: $(cat vms/render01/devices/gpu0/error)"
check_eq "mdevs" "" "$(sim_mdevs)"
pass "ENOSPC"

say "6 fit, and then vgpus_free is 0"
echo 6 >vms/render01/devices/gpu0/count
echo a40 >vms/render01/devices/gpu0/group
check_eq "mdevs" 6 "$(sim_mdevs | wc -l)"
check_val groups/a40/vgpus_free 0
check_val gpus/$A40/types/A40-8Q/available 0
pass "full"

