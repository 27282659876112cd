#!/bin/bash
# virsh domrename keeps a VM's devices and vGPUs: the tree follows the new name
# (vms/ is resolved by UUID), the old name is gone, nothing is freed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

libvirtd_up app01=55555555-0000-4000-8000-000000000001
cd "$MNT"

make_group t4 T4-2Q $T4_GPUS
mkdir vms/app01/devices/gpu0
echo 2 >vms/app01/devices/gpu0/count
echo t4 >vms/app01/devices/gpu0/group
vgpus=$(dev_vgpus app01 gpu0)
check_eq "vGPUs made" 2 "$(wc -l <<<"$vgpus")"
check_val vms/app01/devices/gpu0/status allocated

say "virsh domrename app01 app02"
lv domrename app01 app02 >/dev/null
renamed() { [ -d vms/app02/devices/gpu0 ] && [ ! -e vms/app01 ]; }
wait_until 5 "vms/app02 with its device, no vms/app01" renamed
check_eq "vGPUs of the renamed VM" "$vgpus" "$(dev_vgpus app02 gpu0)"
check_eq "vGPUs on the host" 2 "$(sim_vgpu_count)"
check_val vms/app02/devices/gpu0/status allocated
check_val vms/app02/uuid 55555555-0000-4000-8000-000000000001
check_eq "groups/t4/devices" "app02:gpu0" "$(ls groups/t4/devices)"
if grep -q "vGPUs were freed" events; then
	fail "the rename freed vGPUs: $(grep 'vGPUs were freed' events)"
fi
pass "renamed with its devices"

say "the renamed VM's device still changes"
echo 1 >vms/app02/devices/gpu0/count
check_eq "vGPUs on the host" 1 "$(sim_vgpu_count)"
check_consistent
pass "count 1 after the rename"
