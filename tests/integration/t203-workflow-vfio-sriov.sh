#!/bin/bash
# The seed workflow on a vfio-sriov GPU (L40S): a vGPU is a VF given a type
# id (resolved by name) in current_vgpu_type, and the VM gets the VF as a
# PCI hostdev; attach by restart; detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

demo_up
cd "$MNT"

say "group l40s with the L40S and L40S-8Q"
make_group l40s L40S-8Q $L40S
check_val gpus/$L40S/mode vfio-sriov
check_val groups/l40s/status ready
first_vf=$(sim_vfs $L40S | head -n 1)
type_id=$(awk '$3 == "NVIDIA" && $4 == "L40S-8Q" { print $1 }' \
	"$SIM/bus/pci/devices/$first_vf/nvidia/creatable_vgpu_types")
[ -n "$type_id" ] || fail "no L40S-8Q in creatable_vgpu_types of $first_vf"
check_val gpus/$L40S/types/L40S-8Q/type_id "$type_id"
avail0=$(cat gpus/$L40S/types/L40S-8Q/available)
pass "group ready (L40S-8Q is $type_id)"

say "2 vGPUs with disable_console_vnc and enable_cuda_profilers on the stopped vdi-pool01"
keep_def_others vdi-pool01
dev=vms/vdi-pool01/devices/gpu0
mkdir $dev
echo 2 >$dev/count
echo 1 >$dev/disable_console_vnc
echo 1 >$dev/enable_cuda_profilers
echo l40s >$dev/group
check_val $dev/status allocated
uuids=$(dev_vgpus vdi-pool01 gpu0)
check_eq "number of vGPUs" 2 "$(wc -l <<<"$uuids")"
vfs=$(sim_vf_vgpus | cut -d' ' -f1)
check_eq "VFs holding a vGPU" 2 "$(wc -l <<<"$vfs")"
for vf in $vfs; do
	check_eq "physfn of $vf" $L40S "$(basename "$(readlink "$SIM/bus/pci/devices/$vf/physfn")")"
	n=$SIM/bus/pci/devices/$vf/nvidia
	check_eq "$vf current_vgpu_type" "$type_id" "$(cat $n/current_vgpu_type)"
	check_eq "$vf vgpu_params" "disable_vnc=1, enable_profiling=1" "$(cat $n/vgpu_params)"
	check_eq "$vf creatable_vgpu_types (header only once it holds one)" "ID    : vGPU Name" "$(cat $n/creatable_vgpu_types)"
done
check_eq "mdevs" "" "$(sim_mdevs)"
check_vgpus vdi-pool01 gpu0 gpu=$L40S profile=L40S-8Q type_id="$type_id" \
	params="disable_vnc=1, enable_profiling=1" vm=vdi-pool01 device=gpu0 state=created
check_val gpus/$L40S/vgpus_used 2
check_val gpus/$L40S/types/L40S-8Q/available $((avail0 - 2))
pass "two VFs of $L40S hold L40S-8Q"

say "the definition has the VFs as <hostdev mode='subsystem' type='pci' managed='no'>"
f=$(def vdi-pool01)
check_eq "pci hostdevs" "$vfs" "$(def_pci vdi-pool01)"
check_eq "hostdevs mode='subsystem' type='pci' managed='no'" 2 \
	"$(xp "$f" "count(/domain/devices/hostdev[@mode='subsystem'][@type='pci'][@managed='no'])")"
check_eq "mdev hostdevs" "" "$(def_mdevs vdi-pool01)"
check_eq "recorded vGPUs" "$uuids" "$(def_owned vdi-pool01 gpu0)"
check_def_others vdi-pool01
pass "definition"

say "the running ml-train01: restart-required, restart, attached"
device_on_running_vm ml-train01 gpu0 l40s
u1=$(dev_vgpus ml-train01 gpu0)
vf1=$(def_pci ml-train01)
grep -qx "$vf1" <<<"$vfs" && fail "ml-train01 got a VF of vdi-pool01: $vf1"
check_eq "$vf1 current_vgpu_type" "$type_id" "$(cat "$SIM/bus/pci/devices/$vf1/nvidia/current_vgpu_type")"
restart_vm ml-train01 gpu0
check_val vgpus/$u1/state in-use
pass "attached"

say "rmdir on the stopped vdi-pool01 gives the VFs back"
rmdir $dev
check_eq "pci hostdevs of vdi-pool01" "" "$(def_pci vdi-pool01)"
for vf in $vfs; do
	check_eq "$vf current_vgpu_type" 0 "$(cat "$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type")"
	grep -q "^$type_id *: NVIDIA L40S-8Q\$" "$SIM/bus/pci/devices/$vf/nvidia/creatable_vgpu_types" ||
		fail "$vf does not list L40S-8Q again"
done
check_eq "VFs holding a vGPU" "$vf1 $type_id" "$(sim_vf_vgpus)"
check_eq "ls vgpus" "$u1" "$(ls vgpus)"
check_val gpus/$L40S/vgpus_used 1
check_val gpus/$L40S/types/L40S-8Q/available $((avail0 - 1))
pass "detached"
