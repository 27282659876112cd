#!/bin/bash
# A host driver upgrade renumbers the vGPU types, and may drop a profile: at start vgpufs
# re-creates each vGPU by its profile name on the running driver, with the same UUID
# (mdev) or VF (vfio-sriov), records and reports a changed type id, and leaves a
# vGPU whose profile the driver no longer offers un-made, its device in error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

# Two A16 (mdev) and one L40S (vfio-sriov), first on driver 550, then on 570, which
# numbers every type 100 higher, then on a later 570 that no longer offers A16-4Q. Each
# set of types comes with a driver version of its own, as on a real host: vgpufs keeps
# the types it read per GPU model and driver version (the gpu_types catalogues).
UPG_A16="0000:41:00.0 0000:42:00.0"
UPG_L40S=0000:43:00.0
write_host() { # write_host FILE DRIVER [LINE...]
	local f=$1 driver=$2
	shift 2
	{
		echo "driver $driver"
		printf '%s\n' "$@"
		echo "gpu A16 count=2 mode=mdev bus=0x41"
		echo "gpu L40S mode=vfio-sriov vfs=4 bus=0x43"
	} >"$f"
}
write_host "$TMP/550.host" 550.54.16
write_host "$TMP/570.host" 570.158.02 "type_ids +100"
write_host "$TMP/570-drop.host" 570.172.07 "type_ids +100" "drop A16-4Q"

# reboot_on HOSTFILE: the daemon stops, the host reboots on the new driver (no vGPU
# survives), and the daemon starts again; the working directory is the mount after.
reboot_on() {
	cd /
	quit_vgpufs
	stop_sim
	start_sim "$1"
	check_eq "vGPUs on the freshly booted host" 0 "$(sim_vgpu_count)"
	start_vgpufs
	cd "$MNT"
}

# tree_type PROFILE: the type id the tree shows for PROFILE on its GPUs (the first).
tree_type() {
	local bdf
	for bdf in $UPG_A16 $UPG_L40S; do
		[ -f "gpus/$bdf/types/$1/type_id" ] && { cat "gpus/$bdf/types/$1/type_id"; return; }
	done
	return 0
}

# vf_of UUID: the VF that holds a vfio-sriov vGPU, from the definition's hostdev.
vf_of() {
	local vm dev
	vm=$(cat "vgpus/$1/vm") dev=$(cat "vgpus/$1/device")
	[ "$(dev_vgpus "$vm" "$dev" | wc -l)" = 1 ] || fail "vf_of: $vm/$dev has more than one vGPU"
	def_pci "$vm"
}

# check_event LINE: events has LINE (an extended regex) after its time.
check_event() {
	check_grep "^$EVENT_TIME $1\$" events
}

LIBVIRT_URI="test://$SRC_DIR/tools/hosts/demo-vms.xml"
start_sim "$TMP/550.host"
start_vgpufs
cd "$MNT"

say "on 550.54.16: A16-4Q vGPUs for two VMs, an L40S-2Q one for a third"
make_group a16 A16-4Q $UPG_A16
make_group l40s L40S-2Q $UPG_L40S
mkdir vms/cad-ws02/devices/gpu0 vms/render01/devices/gpu0 vms/vdi-pool01/devices/gpu0
put vms/cad-ws02/devices/gpu0/count 2
put vms/cad-ws02/devices/gpu0/frame_rate_limit 45
put vms/cad-ws02/devices/gpu0/group a16
put vms/render01/devices/gpu0/group a16
put vms/vdi-pool01/devices/gpu0/group l40s
for vm in cad-ws02 render01 vdi-pool01; do check_val vms/$vm/devices/gpu0/status allocated; done
old_4q=$(tree_type A16-4Q) old_2q=$(tree_type L40S-2Q)
[ -n "$old_4q" ] && [ -n "$old_2q" ] || fail "no type id for A16-4Q ($old_4q) or L40S-2Q ($old_2q)"
check_vgpus cad-ws02 gpu0 profile=A16-4Q type_id="$old_4q" sim_type="$old_4q"
check_vgpus render01 gpu0 profile=A16-4Q type_id="$old_4q"
check_vgpus vdi-pool01 gpu0 profile=L40S-2Q type_id="$old_2q"
l40s_vgpu=$(dev_vgpus vdi-pool01 gpu0)
l40s_vf=$(vf_of "$l40s_vgpu")
check_eq "current_vgpu_type of VF $l40s_vf" "$old_2q" \
	"$(cat "$SIM/bus/pci/devices/$l40s_vf/nvidia/current_vgpu_type")"
sim_snapshot >"$TMP/sim-550"
tree_vgpus >"$TMP/vgpus-550"
check_eq "vGPUs on the host" 4 "$(sim_vgpu_count)"
pass "4 vGPUs: A16-4Q is $old_4q, L40S-2Q is $old_2q"

say "upgrade to 570.158.02, which numbers every type 100 higher"
reboot_on "$TMP/570.host"
check_val host/driver_version 570.158.02
new_4q=$(tree_type A16-4Q) new_2q=$(tree_type L40S-2Q)
check_eq "A16-4Q's type id on 570 (nvidia-N + 100)" "nvidia-$((${old_4q#nvidia-} + 100))" "$new_4q"
check_eq "L40S-2Q's type id on 570" "$((old_2q + 100))" "$new_2q"
# The same vGPUs, with the same UUIDs, parents, VF and params; only the type moved.
sed -e "s/ $old_4q / $new_4q /" -e "s/^vf $l40s_vf $old_2q /vf $l40s_vf $new_2q /" \
	"$TMP/sim-550" >"$TMP/sim-570-expected"
sim_snapshot >"$TMP/sim-570"
check_file_eq "vGPUs on the host after the upgrade" "$TMP/sim-570-expected" "$TMP/sim-570"
check_eq "vgpus/ after the upgrade" "$(cat "$TMP/vgpus-550")" "$(tree_vgpus)"
check_vgpus cad-ws02 gpu0 profile=A16-4Q type_id="$new_4q" sim_type="$new_4q" state=created
check_vgpus render01 gpu0 profile=A16-4Q type_id="$new_4q" sim_type="$new_4q" state=created
check_vgpus vdi-pool01 gpu0 profile=L40S-2Q type_id="$new_2q" state=created
for vm in cad-ws02 render01 vdi-pool01; do check_val vms/$vm/devices/gpu0/status allocated; done
for u in $(sim_mdevs); do
	check_event "vgpus/$u: type $old_4q of profile A16-4Q is $new_4q on this driver"
done
check_event "vgpus/$l40s_vgpu: type $old_2q of profile L40S-2Q is $new_2q on this driver"
check_consistent
pass "re-created by profile: A16-4Q is now $new_4q, L40S-2Q $new_2q"

say "the new ids are stored: a second boot on 570 reports no change"
reboot_on "$TMP/570.host"
check_file_eq "vGPUs on the host after a second boot on 570" "$TMP/sim-570-expected" \
	<(sim_snapshot)
# events lives in the daemon's memory: what it holds now is this start's.
check_event "vgpus/$l40s_vgpu: re-created on $l40s_vf"
grep -q "on this driver\$" events &&
	fail "a second boot on 570 reported a type change: $(grep 'on this driver$' events)"
check_vgpus cad-ws02 gpu0 type_id="$new_4q"
pass "type ids kept across a restart"

say "upgrade to 570.172.07, which no longer offers A16-4Q"
a16_vgpus=$(sim_mdevs)
reboot_on "$TMP/570-drop.host"
check_val host/driver_version 570.172.07
[ -z "$(tree_type A16-4Q)" ] || fail "the tree still lists A16-4Q: $(tree_type A16-4Q)"
check_eq "mdevs on the host" "" "$(sim_mdevs)"
check_eq "VFs holding a vGPU" "$l40s_vf $new_2q" "$(sim_vf_vgpus)"
for vm in cad-ws02 render01; do
	check_val vms/$vm/devices/gpu0/status error
	check_grep "no longer offers profile A16-4Q with host driver 570\.172\.07" \
		vms/$vm/devices/gpu0/error
done
for u in $a16_vgpus; do
	check_event "vgpus/$u: .*no longer offers profile A16-4Q with host driver 570\.172\.07"
done
check_val vms/vdi-pool01/devices/gpu0/status allocated
check_vgpus vdi-pool01 gpu0 profile=L40S-2Q type_id="$new_2q" state=created
pass "A16-4Q vGPUs un-made, their devices in error; the L40S device is fine"
