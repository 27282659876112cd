#!/bin/bash
# The seed workflow on an SR-IOV GPU in mdev mode (A40): each vGPU is an
# mdev on a VF of its own; attach to a running VM by restart; detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

demo_up
cd "$MNT"

say "group a40 with the A40 and A40-8Q"
make_group a40 A40-8Q $A40
check_val groups/a40/status ready
check_val gpus/$A40/mode mdev
max=$(cat gpus/$A40/types/A40-8Q/max_instances)
type=$(cat gpus/$A40/types/A40-8Q/type_id)
free0=$(cat groups/a40/vgpus_free)
avail0=$(cat gpus/$A40/types/A40-8Q/available)
pass "group ready ($max x A40-8Q, $type)"

say "3 vGPUs with frame_rate_limit 30 and enable_uvm on the stopped render01"
keep_def_others render01
dev=vms/render01/devices/gpu0
mkdir $dev
echo 3 >$dev/count
echo 30 >$dev/frame_rate_limit
echo 1 >$dev/enable_unified_memory
echo a40 >$dev/group
check_val $dev/status allocated
uuids=$(dev_vgpus render01 gpu0)
check_eq "mdevs in the simulator" "$uuids" "$(sim_mdevs)"
parents=$(for u in $uuids; do sim_parent "$u"; done | sort)
check_eq "distinct parents" 3 "$(sort -u <<<"$parents" | wc -l)"
for p in $parents; do
	[ "$p" != $A40 ] || fail "a vGPU landed on the PF $A40"
	check_eq "physfn of parent $p" $A40 "$(basename "$(readlink "$SIM/bus/pci/devices/$p/physfn")")"
	check_eq "available_instances of $type on the used VF $p" 0 "$(sim_avail "$p" "$type")"
done
check_vgpus render01 gpu0 sim_params="frame_rate_limiter=30, enable_uvm=1" sim_type="$type" \
	gpu=$A40 profile=A40-8Q state=created
check_val gpus/$A40/vgpus_used 3
check_val gpus/$A40/types/A40-8Q/available $((avail0 - 3))
check_val groups/a40/vgpus_free $((free0 - 3))
pass "3 vGPUs on 3 VFs of $A40"

say "render01's definition"
f=$(def render01)
check_eq "mdev hostdevs" "$uuids" "$(def_mdevs render01)"
check_eq "hostdevs mode='subsystem' type='mdev' model='vfio-pci' display='off'" 3 \
	"$(xp "$f" "count(/domain/devices/hostdev[@mode='subsystem'][@type='mdev'][@model='vfio-pci'][@display='off'])")"
check_eq "recorded vGPUs" "$uuids" "$(def_owned render01 gpu0)"
check_def_others render01
pass "definition"

say "the running ml-train01: restart-required, restart, attached"
device_on_running_vm ml-train01 gpu0 a40
u1=$(dev_vgpus ml-train01 gpu0)
p1=$(sim_parent "$u1")
grep -qx "$p1" <<<"$parents" && fail "ml-train01's vGPU shares VF $p1 with render01"
restart_vm ml-train01 gpu0
check_val vms/ml-train01/restart_required 0
check_val vgpus/$u1/state in-use
check_eq "ml-train01 hostdevs" "$u1" "$(def_mdevs ml-train01)"
pass "attached"

say "rmdir on the stopped render01 frees its VFs"
rmdir $dev
check_eq "render01 hostdevs" "" "$(def_mdevs render01)"
check_eq "mdevs left" "$u1" "$(sim_mdevs)"
for p in $parents; do
	check_eq "available_instances of $type on the freed VF $p" 1 "$(sim_avail "$p" "$type")"
done
check_val gpus/$A40/vgpus_used 1
check_val gpus/$A40/types/A40-8Q/available $((avail0 - 1))
pass "detached"
