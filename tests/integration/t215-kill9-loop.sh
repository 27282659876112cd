#!/bin/bash
# kill -9 at random moments of an attach/detach loop: after each restart, no
# leaked vGPU, no hostdev pointing at nothing, no device in error, and the
# loop can go on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

libvirtd_up vm1=22222222-0000-4000-8000-000000000001 vm2=22222222-0000-4000-8000-000000000002
make_group t4 T4-1Q $T4_GPUS
make_group l40s L40S-2Q $L40S

# churn VM GROUP: attach, grow, change an option, detach, forever.
churn() {
	local d=$MNT/vms/$1/devices/gpu0
	set +e
	while :; do
		mkdir "$d"
		echo 2 >"$d/count"
		echo "$2" >"$d/group"
		echo 3 >"$d/count"
		echo 1 >"$d/disable_console_vnc"
		echo 1 >"$d/count"
		rmdir "$d"
	done >/dev/null 2>&1
}

RANDOM=$$
for round in 1 2 3 4 5 6; do
	say "round $round: churn on vm1 (T4) and vm2 (L40S), then kill -9"
	cd /
	churn vm1 t4 &
	c1=$!
	churn vm2 l40s &
	c2=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill9_vgpufs
	kill "$c1" "$c2"
	wait "$c1" "$c2" 2>/dev/null || true
	start_vgpufs
	cd "$MNT"
	check_eq "ls vms after round $round (virsh list: $(echo $(lv list --all --name)))" "test vm1 vm2" "$(echo $(ls vms))"
	check_consistent
	pass "round $round: consistent after restart ($(sim_vgpu_count) vGPUs on the host)"
done

say "the devices still work after the crashes"
for vm in vm1 vm2; do
	[ -d vms/$vm/devices/gpu0 ] || mkdir vms/$vm/devices/gpu0
	echo "" >vms/$vm/devices/gpu0/group
done
check_eq "vGPUs on the host" 0 "$(sim_vgpu_count)"
echo 2 >vms/vm1/devices/gpu0/count
echo t4 >vms/vm1/devices/gpu0/group
echo l40s >vms/vm2/devices/gpu0/group
check_val vms/vm1/devices/gpu0/status allocated
check_val vms/vm2/devices/gpu0/status allocated
check_consistent
pass "allocate after the crashes"
