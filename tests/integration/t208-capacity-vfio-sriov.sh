#!/bin/bash
# A vfio-sriov GPU (L40S) publishes no max_instances: asking it for more
# vGPUs than it can make is ENOSPC (not the kernel's EINVAL), all or nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group l40s L40S-8Q $L40S

say "7 x L40S-8Q (the GPU makes 6): ENOSPC, nothing made"
mkdir vms/vdi-pool01/devices/gpu0
echo 7 >vms/vdi-pool01/devices/gpu0/count
put_refused "$ENOSPC" vms/vdi-pool01/devices/gpu0/group l40s
check_eq "VFs holding a vGPU" "" "$(sim_vf_vgpus)"
check_val vms/vdi-pool01/devices/gpu0/status unassigned
check_eq "pci hostdevs" "" "$(def_pci vdi-pool01)"
pass "ENOSPC"

say "6 fit; one more on another VM is ENOSPC"
echo 6 >vms/vdi-pool01/devices/gpu0/count
echo l40s >vms/vdi-pool01/devices/gpu0/group
check_eq "VFs holding a vGPU" 6 "$(sim_vf_vgpus | wc -l)"
mkdir vms/render01/devices/gpu0
put_refused "$ENOSPC" vms/render01/devices/gpu0/group l40s
check_eq "VFs holding a vGPU" 6 "$(sim_vf_vgpus | wc -l)"
pass "full"
