#!/bin/bash
# The seed workflow on mdev GPUs (A16): group, GPUs, driver, profile; a
# device with count and options allocates vGPUs in the simulator and adds
# them to the VM's definition; a running VM is restarted to attach them;
# rmdir on a stopped VM detaches and frees them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

demo_up
cd "$MNT"

say "group a16: the four A16, the running driver, A16-4Q"
mkdir groups/a16
put groups/a16/driver "$(cat host/driver_version)"
for gpu in gpus/*; do
	if [ "$(cat $gpu/name)" = "NVIDIA A16" ]; then echo a16 >$gpu/group; fi
done
echo A16-4Q >groups/a16/profile
check_val groups/a16/status ready
check_val groups/a16/vgpus_free 16
type=$(cat gpus/0000:43:00.0/types/A16-4Q/type_id)
check_eq "A16-4Q type id" nvidia-687 "$type"
pass "group ready"

say "a device of 2 vGPUs with every option on the stopped cad-ws02"
keep_def_others cad-ws02
dev=vms/cad-ws02/devices/gpu0
mkdir $dev
echo 2 >$dev/count
echo 45 >$dev/frame_rate_limit
echo 1 >$dev/disable_console_vnc
echo yes >$dev/enable_unified_memory
echo on >$dev/enable_cuda_debuggers
echo true >$dev/enable_cuda_profilers
check_val $dev/status unassigned
check_eq "sim vGPUs before group is set" 0 "$(sim_vgpu_count)"
echo a16 >$dev/group
check_val $dev/status allocated
check_val $dev/error ""
uuids=$(dev_vgpus cad-ws02 gpu0)
check_eq "number of vGPUs" 2 "$(echo "$uuids" | wc -l)"
pass "allocated"

say "the simulator holds both, with their params and type, on one A16 (depth-first)"
params="frame_rate_limiter=45, disable_vnc=1, enable_uvm=1, enable_debugging=1, enable_profiling=1"
check_eq "mdevs in the simulator" "$uuids" "$(sim_mdevs)"
check_vgpus cad-ws02 gpu0 sim_params="$params" sim_type="$type" sim_parent=0000:43:00.0 \
	gpu=0000:43:00.0 profile=A16-4Q type_id="$type" params="$params" vm=cad-ws02 device=gpu0 state=created
check_eq "available_instances of $type on 0000:43:00.0" 2 "$(sim_avail 0000:43:00.0 "$type")"
check_val gpus/0000:43:00.0/types/A16-4Q/available 2
check_val gpus/0000:43:00.0/vgpus_used 2
check_val groups/a16/vgpus_used 2
check_val groups/a16/vgpus_free 14
pass "simulator and tree agree"

say "the definition (libvirt's answer) has both hostdevs and our metadata"
f=$(def cad-ws02)
check_eq "mdev hostdevs" "$uuids" "$(def_mdevs cad-ws02)"
check_eq "hostdevs mode='subsystem' type='mdev' model='vfio-pci' display='off'" 2 \
	"$(xp "$f" "count(/domain/devices/hostdev[@mode='subsystem'][@type='mdev'][@model='vfio-pci'][@display='off'])")"
check_eq "metadata <vgpufs:devices> records gpu0's vGPUs" "$uuids" "$(def_owned cad-ws02 gpu0)"
check_def_others cad-ws02
check_eq "cad-ws01 definition untouched" "" "$(def_mdevs cad-ws01)"
pass "definition"

say "the running cad-ws01: restart-required until restarted, then attached"
device_on_running_vm cad-ws01 gpu0 a16
u1=$(dev_vgpus cad-ws01 gpu0)
check_eq "cad-ws01's vGPU in the definition" "$u1" "$(def_mdevs cad-ws01)"
check_eq "depth-first: cad-ws01's vGPU on the A16 that has two" 0000:43:00.0 "$(sim_parent "$u1")"
restart_vm cad-ws01 gpu0
check_val vms/cad-ws01/state running
check_val vms/cad-ws01/restart_required 0
check_val vgpus/$u1/state in-use
check_val groups/a16/vgpus_used 3
check_val vms/cad-ws02/devices/gpu0/status allocated
pass "attached"

say "rmdir on the stopped cad-ws02 detaches: hostdevs out, vGPUs freed"
rmdir $dev
[ ! -e $dev ] || fail "$dev still exists"
check_eq "cad-ws02 mdev hostdevs" "" "$(def_mdevs cad-ws02)"
check_eq "cad-ws02 recorded vGPUs" "" "$(def_owned cad-ws02 gpu0)"
check_def_others cad-ws02
check_eq "mdevs left in the simulator" "$u1" "$(sim_mdevs)"
check_eq "ls vgpus" "$u1" "$(ls vgpus)"
for u in $uuids; do
	# (A positive entry may stay cached for 1 s, docs/tree.md: read, not stat.)
	! cat vgpus/$u/state 2>/dev/null || fail "vgpus/$u/state still reads after the detach"
done
check_eq "available_instances of $type back" 3 "$(sim_avail 0000:43:00.0 "$type")"
check_val gpus/0000:43:00.0/vgpus_used 1
check_val groups/a16/vgpus_used 1
grep -q "vms/cad-ws02/devices/gpu0 deleted" events || fail "no event for the deleted device"
pass "detached"
