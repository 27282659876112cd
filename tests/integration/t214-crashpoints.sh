#!/bin/bash
# kill -9 at each crash point of an allocation (VGPUFS_CRASHPOINT), then a
# restart: no leaked vGPU, no hostdev pointing at nothing; an acknowledged
# device (device-committed) has its vGPUs, an unacknowledged one has none.
# The domains live in a shared libvirtd, so the definitions outlive the daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

libvirtd_up vm1=11111111-0000-4000-8000-000000000001 vm2=11111111-0000-4000-8000-000000000002
cd "$MNT"
make_group t4 T4-2Q $T4_GPUS
make_group l40s L40S-4Q $L40S
mkdir vms/vm1/devices/gpu0 vms/vm2/devices/gpu0
echo 3 >vms/vm1/devices/gpu0/count
echo 20 >vms/vm1/devices/gpu0/frame_rate_limit
echo 2 >vms/vm2/devices/gpu0/count
echo 1 >vms/vm2/devices/gpu0/disable_console_vnc

# crash_allocate POINT VM GROUP COUNT
crash_allocate() {
	local point=$1 vm=$2 group=$3 count=$4 dev=vms/$2/devices/gpu0
	say "$vm: echo $group > group, killed at $point"
	cd /
	quit_vgpufs
	VGPUFS_CRASHPOINT=$point start_vgpufs
	cd "$MNT"
	if (echo "$group" >$dev/group) 2>/dev/null; then
		fail "echo $group > $dev/group succeeded with VGPUFS_CRASHPOINT=$point"
	fi
	reap_vgpufs
	# What the crash left behind, for the restart to sort out.
	case $point in
	allocate-journaled) left=0 ;;
	*) left=$count ;;
	esac
	check_eq "vGPUs on the host right after the crash at $point" "$left" "$(sim_vgpu_count)"
	case $point in
	device-*) left=$count ;;
	*) left=0 ;;
	esac
	check_eq "hostdevs of $vm (virsh) right after the crash at $point" "$left" \
		"$(lv dumpxml --inactive "$vm" | grep -c "<hostdev" || true)"
	start_vgpufs
	cd "$MNT"
	check_consistent
	if [ "$point" = device-committed ]; then
		check_val $dev/group "$group"
		check_val $dev/status allocated
		check_eq "vGPUs of $dev" "$count" "$(dev_vgpus "$vm" gpu0 | wc -l)"
		check_eq "vGPUs on the host" "$count" "$(sim_vgpu_count)"
		check_eq "recorded vGPUs of $dev" "$(dev_vgpus "$vm" gpu0)" "$(def_owned "$vm" gpu0)"
		pass "$point: acknowledged, so allocated with its $count vGPUs"
		echo "" >$dev/group
	else
		check_val $dev/group ""
		check_val $dev/status unassigned
		check_eq "vGPUs on the host" 0 "$(sim_vgpu_count)"
		check_eq "mdev hostdevs of $vm" "" "$(def_mdevs "$vm")"
		check_eq "pci hostdevs of $vm" "" "$(def_pci "$vm")"
		pass "$point: not acknowledged, so unassigned and nothing on the host"
	fi
	check_eq "vGPUs on the host after the cleanup" 0 "$(sim_vgpu_count)"
}

for point in allocate-journaled allocate-created device-defined device-committed; do
	crash_allocate $point vm1 t4 3
	crash_allocate $point vm2 l40s 2
done

say "after all that, allocation still works"
echo t4 >vms/vm1/devices/gpu0/group
check_val vms/vm1/devices/gpu0/status allocated
check_vgpus vm1 gpu0 sim_params=frame_rate_limiter=20
check_consistent
pass "allocated"
