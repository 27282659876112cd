#!/bin/bash
# A host reboot loses every vGPU (and the test driver forgets the domains'
# edits): at start, before the tree is served, vgpufs re-creates each vGPU
# with the same UUID, slot and vgpu_params, and re-applies the definitions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

demo_up
cd "$MNT"

say "allocate on mdev, mdev-sriov and vfio-sriov GPUs, with options"
make_group a16 A16-4Q $A16_GPUS
make_group a40 A40-4Q $A40
make_group l40s L40S-2Q $L40S
mkdir vms/cad-ws02/devices/gpu0 vms/render01/devices/gpu0 vms/vdi-pool01/devices/gpu0 \
	vms/cad-ws01/devices/gpu0
echo 2 >vms/cad-ws02/devices/gpu0/count
echo 45 >vms/cad-ws02/devices/gpu0/frame_rate_limit
echo 1 >vms/cad-ws02/devices/gpu0/disable_console_vnc
echo a16 >vms/cad-ws02/devices/gpu0/group
echo 2 >vms/render01/devices/gpu0/count
echo 1 >vms/render01/devices/gpu0/enable_unified_memory
echo a40 >vms/render01/devices/gpu0/group
echo 2 >vms/vdi-pool01/devices/gpu0/count
echo 1 >vms/vdi-pool01/devices/gpu0/enable_cuda_profilers
echo l40s >vms/vdi-pool01/devices/gpu0/group
echo a16 >vms/cad-ws01/devices/gpu0/group
sim_snapshot >"$TMP/sim-before"
check_eq "vGPUs on the host" 7 "$(sim_vgpu_count)"
for vm in cad-ws02 render01 vdi-pool01 cad-ws01; do
	def_mdevs $vm >"$TMP/mdevs-$vm"
	def_pci $vm >"$TMP/pci-$vm"
	[ -s "$TMP/mdevs-$vm" ] || [ -s "$TMP/pci-$vm" ] || fail "$vm has no hostdev before the reboot"
done
tree_vgpus >"$TMP/tree-before"
pass "7 vGPUs"

say "reboot: the daemon stops, the simulated host comes back empty"
cd /
quit_vgpufs
check_eq "hostdevs of cad-ws02 in a fresh test driver" 0 \
	"$(virsh -q -c "$LIBVIRT_URI" dumpxml --inactive cad-ws02 | grep -c "<hostdev" || true)"
stop_sim
start_sim demo.host
check_eq "vGPUs on the fresh host" 0 "$(sim_vgpu_count)"
start_vgpufs
# No read of the tree first: the vGPUs must exist when the mount is served.
sim_snapshot >"$TMP/sim-after"
check_file_eq "vGPUs (UUID, slot, type, params) right after start" "$TMP/sim-before" "$TMP/sim-after"
cd "$MNT"
pass "every vGPU re-created before the mount was served"

say "the definitions (reset by the test driver) have the hostdevs again"
for vm in cad-ws02 render01 vdi-pool01 cad-ws01; do
	check_eq "mdev hostdevs of $vm" "$(cat "$TMP/mdevs-$vm")" "$(def_mdevs $vm)"
	check_eq "pci hostdevs of $vm" "$(cat "$TMP/pci-$vm")" "$(def_pci $vm)"
	check_eq "recorded vGPUs of $vm" "$(dev_vgpus $vm gpu0)" "$(def_owned $vm gpu0)"
done
check_eq "vgpus/" "$(cat "$TMP/tree-before")" "$(tree_vgpus)"
for vm in cad-ws02 render01 vdi-pool01; do check_val vms/$vm/devices/gpu0/status allocated; done
check_val vms/cad-ws01/devices/gpu0/status restart-required
for u in $(tree_vgpus); do
	case $(cat vgpus/$u/state) in created | in-use) ;; *) fail "vgpus/$u/state: $(cat vgpus/$u/state)" ;; esac
done
check_consistent
pass "definitions re-applied"
