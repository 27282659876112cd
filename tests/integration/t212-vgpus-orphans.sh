#!/bin/bash
# vgpus/ lists every vGPU; one made behind vgpufs's back (mdev or vfio-sriov)
# shows as an orphan, is never deleted, and is still there after a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "an mdev made in the simulator is an orphan"
types=$SIM/class/mdev_bus/0000:42:00.0/mdev_supported_types
t4_4q=$(cat gpus/0000:42:00.0/types/T4-4Q/type_id)
orphan=$(new_uuid)
echo "$orphan" >"$types/$t4_4q/create"
host_settles # made behind the daemon's back: shown within the snapshot's bound
orphan=${orphan,,}
check_eq "ls vgpus" "$orphan" "$(ls vgpus)"
check_val vgpus/$orphan/state orphan
check_val vgpus/$orphan/gpu 0000:42:00.0
check_val vgpus/$orphan/profile T4-4Q
check_val vgpus/$orphan/type_id "$t4_4q"
check_val vgpus/$orphan/params ""
check_val vgpus/$orphan/vm ""
check_val vgpus/$orphan/device ""
check_eq "gpus/0000:42:00.0/vgpus/$orphan" ../../../vgpus/$orphan "$(readlink gpus/0000:42:00.0/vgpus/$orphan)"
pass "mdev orphan"

say "a VF given a type in the simulator is an orphan named from its address"
vf=$(sim_vfs $L40S | sed -n 3p)
l40s_id=$(awk '$4 == "L40S-4Q" { print $1 }' "$SIM/bus/pci/devices/$vf/nvidia/creatable_vgpu_types")
echo "$l40s_id" >"$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type"
host_settles
vf_orphan=$(ls vgpus | grep -vx "$orphan")
check_eq "one more vGPU" 1 "$(wc -l <<<"$vf_orphan")"
check_val vgpus/$vf_orphan/state orphan
check_val vgpus/$vf_orphan/gpu $L40S
check_val vgpus/$vf_orphan/profile L40S-4Q
check_val vgpus/$vf_orphan/type_id "$l40s_id"
check_val vgpus/$vf_orphan/vm ""
pass "vfio-sriov orphan $vf_orphan"

say "allocating and freeing beside them leaves them alone"
make_group t4 T4-4Q $T4_GPUS
make_group l40s L40S-4Q $L40S
mkdir vms/cad-ws02/devices/gpu0 vms/render01/devices/gpu0
echo 3 >vms/cad-ws02/devices/gpu0/count
echo t4 >vms/cad-ws02/devices/gpu0/group
echo l40s >vms/render01/devices/gpu0/group
check_vgpus cad-ws02 gpu0 state=created vm=cad-ws02
echo "" >vms/cad-ws02/devices/gpu0/group
rmdir vms/render01/devices/gpu0
check_eq "mdevs" "$orphan" "$(sim_mdevs)"
check_eq "VFs holding a vGPU" "$vf $l40s_id" "$(sim_vf_vgpus)"
check_eq "ls vgpus" "$(printf '%s\n' "$orphan" "$vf_orphan" | sort)" "$(ls vgpus)"
pass "orphans kept"

say "after a restart the orphans are still on the host, and still orphans"
restart_vgpufs
check_eq "mdevs" "$orphan" "$(sim_mdevs)"
check_eq "VFs holding a vGPU" "$vf $l40s_id" "$(sim_vf_vgpus)"
check_val vgpus/$orphan/state orphan
check_val vgpus/$vf_orphan/state orphan
check_val vgpus/$vf_orphan/gpu $L40S
pass "orphans survive a restart, with the same names"
