#!/bin/bash
# smoke.sh BUILDDIR - end-to-end check of vgpu-hostsim against real tools.
#
# Mounts the simulator on scratch directories with tools/hosts/*.host and
# checks what a vGPU host's sysfs must do: layout and links, lspci (real
# libpci), mdev create/remove with the kernel's errnos, capacity and one
# profile per GPU, SR-IOV in both modes, vgpu_params, .simctl (hot-plug too), mdevctl via a
# bind mount over /sys, a driver that renumbers and drops types (type_ids,
# drop), host file errors, and a clean unmount with no process
# left.  With an ASan/UBSan build it also fails on any sanitizer report.
# Needs root (bind mount, allow_other), python3, lspci; mdevctl is optional.
set -u

if [ $# -ne 1 ] || [ ! -x "$1/tools/hostsim/vgpu-hostsim" ]; then
	echo "usage: $0 BUILDDIR   (BUILDDIR/tools/hostsim/vgpu-hostsim must exist)" >&2
	exit 2
fi
SIM=$(cd "$1" && pwd)/tools/hostsim/vgpu-hostsim
HOSTS=$(cd "$(dirname "$0")/../hosts" && pwd)
WORK=$(mktemp -d /tmp/hostsim-smoke.XXXXXX)
M=$WORK/mnt
LOG=$WORK/sim.log
SIM_PID=
checks=0
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }
eq() { if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi; }
yes_() { if "$@"; then pass; else fail "$*"; fi; }
no_() { if "$@"; then fail "not: $*"; else pass; fi; }

# Writes $2 to $1 in one write(2) after open(O_WRONLY|O_CREAT|O_TRUNC), as the
# shell does; prints OK or the errno name.
write_errno() {
	python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])' "$1" "$2"
}
# expect ERRNO|OK FILE VALUE  (VALUE is written with a trailing newline)
expect() { eq "write '$3' > ${2#"$M"/}" "$(write_errno "$2" "$3"$'\n')" "$1"; }

cleanup() {
	if [ -n "$SIM_PID" ]; then
		fusermount3 -u "$M" 2>/dev/null
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

mount_sim() {
	mkdir -p "$M"
	"$SIM" -f "$1" "$M" >>"$LOG" 2>&1 &
	SIM_PID=$!
	for _ in $(seq 100); do
		mountpoint -q "$M" && return 0
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "mount of $1 did not appear"
	cat "$LOG"
	exit 1
}

unmount_sim() {
	local rc
	fusermount3 -u "$M"
	wait "$SIM_PID"
	rc=$?
	eq "exit status after fusermount3 -u" "$rc" 0
	no_ kill -0 "$SIM_PID" 2>/dev/null
	no_ mountpoint -q "$M"
	SIM_PID=
}

# lspci through libpci's sysfs method; the container has no /lib/modules,
# so libkmod's warning is the only stderr line allowed.
lspci_sim() {
	lspci -A linux-sysfs -O sysfs.path="$M/bus/pci" "$@" 2>"$WORK/lspci.err"
	local rc=$?
	eq "lspci $* exit status" "$rc" 0
	eq "lspci $* stderr" "$(grep -v 'libkmod' "$WORK/lspci.err")" ""
}

mdevctl_sim() {
	unshare -m sh -c "mount --bind '$M' /sys && mdevctl $*"
}

D=devices/pci0000:00
U1=3b0c2f2e-9a57-4d7c-8f1e-6a1f0c9d2b11
U2=3b0c2f2e-9a57-4d7c-8f1e-6a1f0c9d2b12

test_layout() {
	eq "functions in bus/pci/devices" "$(ls "$M/bus/pci/devices" | wc -l)" 39
	eq "bus/pci/devices link" "$(readlink "$M/bus/pci/devices/0000:41:00.0")" \
		"../../../devices/pci0000:00/0000:41:00.0"
	eq "T4 ids" "$(cat "$M/$D/0000:41:00.0/vendor" "$M/$D/0000:41:00.0/device")" $'0x10de\n0x1eb8'
	eq "T4 class" "$(cat "$M/$D/0000:41:00.0/class")" 0x030200
	eq "A16 class" "$(cat "$M/$D/0000:43:00.0/class")" 0x030000
	eq "A40 numa_node" "$(cat "$M/$D/0000:47:00.0/numa_node")" 1
	eq "driver version" "$(cat "$M/module/nvidia/version")" 550.54.16
	eq "driver link" "$(readlink "$M/$D/0000:41:00.0/driver")" ../../../bus/pci/drivers/nvidia
	eq "ahci driver" "$(basename "$(readlink "$M/$D/0000:00:1f.2/driver")")" ahci
	yes_ test -L "$M/bus/pci/drivers/nvidia/0000:41:00.0"
	local g
	g=$(basename "$(readlink "$M/$D/0000:41:00.0/iommu_group")")
	yes_ test -L "$M/kernel/iommu_groups/$g/devices/0000:41:00.0"
	eq "config size" "$(stat -c %s "$M/$D/0000:41:00.0/config")" 4096
	eq "config ids" "$(od -An -tx1 -N4 "$M/$D/0000:41:00.0/config" | tr -d ' ')" de10b81e
	eq "resource lines" "$(wc -l <"$M/$D/0000:41:00.0/resource")" 13
	eq "audio function class" "$(cat "$M/$D/0000:47:00.1/class")" 0x040300
}

test_sriov_layout() {
	eq "A40 sriov_numvfs" "$(cat "$M/$D/0000:47:00.0/sriov_numvfs")" 12
	eq "virtfn0" "$(readlink "$M/$D/0000:47:00.0/virtfn0")" ../0000:47:00.4
	eq "virtfn11" "$(readlink "$M/$D/0000:47:00.0/virtfn11")" ../0000:47:01.7
	eq "physfn" "$(readlink "$M/$D/0000:47:01.7/physfn")" ../0000:47:00.0
	eq "VF ids" "$(cat "$M/$D/0000:48:00.4/"{vendor,device,subsystem_device})" \
		$'0x10de\n0x26b9\n0x0000'
	eq "mdev parents" "$(ls "$M/class/mdev_bus" | wc -l)" 18
	no_ test -e "$M/class/mdev_bus/0000:47:00.0"
	no_ test -e "$M/$D/0000:47:00.0/mdev_supported_types"
	yes_ test -d "$M/$D/0000:47:00.4/mdev_supported_types"
	no_ test -e "$M/$D/0000:48:00.4/mdev_supported_types"
	no_ test -e "$M/class/mdev_bus/0000:48:00.4"
	yes_ test -d "$M/$D/0000:48:00.4/nvidia"
}

test_lspci() {
	local out
	out=$(lspci_sim -nn -k)
	eq "lspci device count" "$(grep -c '^[0-9a-f]' <<<"$out")" 39
	yes_ grep -q '^41:00.0 3D controller \[0302\]: .*\[10de:1eb8\]' <<<"$out"
	yes_ grep -q '^43:00.0 VGA compatible controller \[0300\]: .*\[10de:25b6\]' <<<"$out"
	yes_ grep -q '^48:00.4 3D controller \[0302\]: .*\[10de:26b9\]' <<<"$out"
	eq "nvidia-bound functions" "$(grep -c 'Kernel driver in use: nvidia' <<<"$out")" 36
	yes_ grep -q 'Kernel driver in use: snd_hda_intel' <<<"$out"
	out=$(lspci_sim -vv -s 47:00.0)
	yes_ grep -q 'NUMA node: 1' <<<"$out"
	yes_ grep -q 'Region 1: Memory at .* (64-bit, prefetchable) \[size=64G\]' <<<"$out"
	lspci_sim -vv >/dev/null
}

test_mdev_create() {
	local T=$M/$D/0000:41:00.0/mdev_supported_types
	eq "type name" "$(cat "$T/nvidia-227/name")" "NVIDIA T4-2Q"
	eq "type description" "$(cat "$T/nvidia-227/description")" \
		"num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=5120x2880, max_instance=8"
	eq "device_api" "$(cat "$T/nvidia-227/device_api")" vfio-pci
	eq "available before" "$(cat "$T/nvidia-227/available_instances")" 8
	if echo "$U1" >"$T/nvidia-227/create"; then pass; else fail "echo uuid > create"; fi
	eq "available after" "$(cat "$T/nvidia-227/available_instances")" 7
	eq "other type once one exists" "$(cat "$T/nvidia-228/available_instances")" 0
	eq "other GPU unaffected" \
		"$(cat "$M/$D/0000:42:00.0/mdev_supported_types/nvidia-228/available_instances")" 4
	eq "bus/mdev link" "$(readlink "$M/bus/mdev/devices/$U1")" \
		"../../../devices/pci0000:00/0000:41:00.0/$U1"
	eq "type devices link" "$(readlink "$T/nvidia-227/devices/$U1")" "../../../$U1"
	eq "mdev_type" "$(basename "$(readlink -f "$M/bus/mdev/devices/$U1/mdev_type")")" nvidia-227
	yes_ test -d "$M/bus/mdev/devices/$U1/iommu_group/devices"
	eq "vgpu_params empty" "$(cat "$M/bus/mdev/devices/$U1/nvidia/vgpu_params")" ""
	eq "vm_name empty" "$(cat "$M/bus/mdev/devices/$U1/nvidia/vm_name")" ""
	expect EEXIST "$T/nvidia-227/create" "${U1^^}"
	expect EEXIST "$M/$D/0000:42:00.0/mdev_supported_types/nvidia-227/create" "$U1"
	expect EINVAL "$T/nvidia-227/create" bogus
	expect EINVAL "$T/nvidia-227/create" "${U2}0"
	expect EINVAL "$T/nvidia-227/create" "${U2:0:35}"
	expect EUSERS "$T/nvidia-228/create" "$U2"
	eq "no trace of refused create" "$(ls "$M/bus/mdev/devices" | wc -l)" 1
}

test_mdev_capacity() {
	local T=$M/$D/0000:41:00.0/mdev_supported_types/nvidia-227 i
	for i in 2 3 4 5 6 7 8; do expect OK "$T/create" "${U1:0:34}0$i"; done
	eq "full" "$(cat "$T/available_instances")" 0
	expect EUSERS "$T/create" "${U1:0:34}09"
	for i in 2 3 4 5 6 7 8; do expect OK "$M/bus/mdev/devices/${U1:0:34}0$i/remove" 1; done
	eq "capacity returns" "$(cat "$T/available_instances")" 7
}

test_mdev_params_and_simctl() {
	local V=$M/bus/mdev/devices/$U1
	expect OK "$V/nvidia/vgpu_params" "frame_rate_limiter=0, disable_vnc=1,enable_uvm=1"
	eq "vgpu_params read back" "$(cat "$V/nvidia/vgpu_params")" \
		"frame_rate_limiter=0, disable_vnc=1,enable_uvm=1"
	expect OK "$V/nvidia/vgpu_params" "vgpu-placement-id=3,enable_debugging=1,enable_profiling=0"
	expect EINVAL "$V/nvidia/vgpu_params" "bogus=1"
	expect EINVAL "$V/nvidia/vgpu_params" "disable_vnc=2"
	expect EINVAL "$V/nvidia/vgpu_params" "frame_rate_limiter=x"
	expect E2BIG "$V/nvidia/vgpu_params" "$(printf 'disable_vnc=1,%.0s' $(seq 80))disable_vnc=1"
	expect OK "$V/nvidia/vgpu_params" " "
	eq "vgpu_params cleared" "$(cat "$V/nvidia/vgpu_params")" ""
	expect OK "$M/.simctl" "use $U1"
	expect OK "$M/.simctl" "vm_name $U1 web-01"
	eq "vm_name" "$(cat "$V/nvidia/vm_name")" web-01
	expect EBUSY "$V/remove" 1
	expect EPERM "$V/nvidia/vgpu_params" "disable_vnc=1"
	expect EINVAL "$M/.simctl" "frob $U1"
	expect ENOENT "$M/.simctl" "use $U2"
	expect OK "$M/.simctl" "release $U1"
	eq "vm_name after release" "$(cat "$V/nvidia/vm_name")" ""
}

test_mdev_remove() {
	local T=$M/$D/0000:41:00.0/mdev_supported_types
	expect OK "$M/bus/mdev/devices/$U1/remove" 0
	yes_ test -d "$M/bus/mdev/devices/$U1"
	expect EINVAL "$M/bus/mdev/devices/$U1/remove" x
	if echo 1 >"$M/bus/mdev/devices/$U1/remove"; then pass; else fail "echo 1 > remove"; fi
	no_ test -e "$M/bus/mdev/devices/$U1"
	no_ test -e "$M/$D/0000:41:00.0/$U1"
	no_ test -e "$T/nvidia-227/devices/$U1"
	eq "capacity back" "$(cat "$T/nvidia-227/available_instances")" 8
	eq "other types back" "$(cat "$T/nvidia-228/available_instances")" 4
}

test_kernel_file_rules() {
	local P=$M/$D/0000:41:00.0
	if (echo 1 >"$P/vendor") 2>/dev/null; then fail "write to read-only attribute"; else pass; fi
	expect EACCES "$P/vendor" 1
	no_ cat "$P/mdev_supported_types/nvidia-222/create" 2>/dev/null
	no_ mkdir "$P/foo" 2>/dev/null
	no_ rm -f "$P/vendor" 2>/dev/null
	expect EACCES "$P/newfile" 1
	no_ cat "$P/nonexistent" 2>/dev/null
	yes_ truncate -s 0 "$P/enable"
	eq "mode of create" "$(stat -c %a "$P/mdev_supported_types/nvidia-222/create")" 200
	eq "mode of enable" "$(stat -c %a "$P/enable")" 644
	eq "attribute size" "$(stat -c %s "$P/vendor")" 4096
}

test_mdev_sriov() {
	local V0=$M/$D/0000:47:00.4/mdev_supported_types V1=$M/$D/0000:47:00.5/mdev_supported_types
	eq "A40 VF type" "$(cat "$V0/nvidia-555/name")" "NVIDIA A40-1Q"
	yes_ grep -q 'max_instance=12$' "$V0/nvidia-555/description"
	eq "free VF" "$(cat "$V0/nvidia-555/available_instances")" 1
	expect OK "$V0/nvidia-555/create" "$U2"
	eq "used VF" "$(cat "$V0/nvidia-555/available_instances")" 0
	expect EUSERS "$V0/nvidia-555/create" "${U2:0:35}3"
	eq "sibling, same type" "$(cat "$V1/nvidia-555/available_instances")" 1
	eq "sibling, other type" "$(cat "$V1/nvidia-556/available_instances")" 0
	expect EUSERS "$V1/nvidia-556/create" "${U2:0:35}3"
	expect OK "$M/bus/mdev/devices/$U2/remove" 1
	eq "sibling after remove" "$(cat "$V1/nvidia-556/available_instances")" 1
}

# .simctl unplug/plug: the GPU, its audio function and VFs leave the bus with their
# vGPUs (in use or not) and come back without them.  Uevents off: this mount is not in a
# network namespace of its own (tests/integration/t502-hotplug.sh checks them).
test_hotplug() {
	local V0=$M/$D/0000:47:00.4/mdev_supported_types
	expect OK "$M/.simctl" "uevents off"
	expect EINVAL "$M/.simctl" "uevents maybe"
	expect OK "$V0/nvidia-555/create" "$U2"
	expect OK "$M/.simctl" "use $U2"
	expect OK "$M/.simctl" "unplug 0000:47:00.0"
	eq "lspci after unplug" "$(lspci_sim -n | grep -c '^[0-9a-f]')" 25
	no_ test -e "$M/bus/pci/devices/0000:47:00.4"
	no_ test -e "$M/class/mdev_bus/0000:47:00.4"
	no_ test -e "$M/bus/mdev/devices/$U2"
	no_ grep -q 0000:47: <(ls "$M/bus/pci/drivers/nvidia" "$M/bus/pci/drivers/snd_hda_intel")
	expect ENODEV "$M/.simctl" "unplug 0000:47:00.0"
	expect ENOENT "$M/.simctl" "unplug 0000:48:00.4"
	expect ENOENT "$M/.simctl" "plug 0000:99:00.0"
	expect OK "$M/.simctl" "plug 0000:47:00.0"
	expect EEXIST "$M/.simctl" "plug 0000:47:00.0"
	eq "lspci after plug" "$(lspci_sim -n | grep -c '^[0-9a-f]')" 39
	eq "no vGPU after plug" "$(ls "$M/bus/mdev/devices" | grep -c "$U2")" 0
	eq "VF free again" "$(cat "$V0/nvidia-555/available_instances")" 1
}

test_vfio_sriov() {
	local F0=$M/$D/0000:48:00.4/nvidia F1=$M/$D/0000:48:00.5/nvidia F2=$M/$D/0000:48:00.6/nvidia
	eq "creatable header" "$(head -1 "$F0/creatable_vgpu_types")" "ID    : vGPU Name"
	eq "creatable count" "$(wc -l <"$F0/creatable_vgpu_types")" 30
	yes_ grep -qx '1145  : NVIDIA L40S-1B' "$F0/creatable_vgpu_types"
	eq "current none" "$(cat "$F0/current_vgpu_type")" 0
	if echo 1155 >"$F0/current_vgpu_type"; then pass; else fail "echo id > current_vgpu_type"; fi
	eq "current set" "$(cat "$F0/current_vgpu_type")" 1155
	eq "holder lists header only" "$(cat "$F0/creatable_vgpu_types")" "ID    : vGPU Name"
	eq "sibling lists same type" "$(cat "$F1/creatable_vgpu_types")" \
		$'ID    : vGPU Name\n1155  : NVIDIA L40S-24Q'
	expect EPERM "$F0/current_vgpu_type" 1155
	expect EINVAL "$F1/current_vgpu_type" 1145
	expect EINVAL "$F1/current_vgpu_type" abc
	expect EINVAL "$F1/current_vgpu_type" 99999
	expect EPERM "$F1/current_vgpu_type" 0
	expect ENODEV "$F1/vgpu_params" "disable_vnc=1"
	expect OK "$F1/current_vgpu_type" 1155
	eq "24Q full (max 2)" "$(cat "$F2/creatable_vgpu_types")" "ID    : vGPU Name"
	expect OK "$F0/vgpu_params" "frame_rate_limiter=30"
	eq "VF vgpu_params" "$(cat "$F0/vgpu_params")" "frame_rate_limiter=30"
	expect OK "$M/.simctl" "use 0000:48:00.4"
	expect EBUSY "$F0/current_vgpu_type" 0
	expect EPERM "$F0/vgpu_params" " "
	expect OK "$M/.simctl" "release 0000:48:00.4"
	expect OK "$F0/current_vgpu_type" 0
	expect OK "$F1/current_vgpu_type" 0
	eq "cleared params" "$(cat "$F0/vgpu_params")" ""
	eq "all types again" "$(wc -l <"$F2/creatable_vgpu_types")" 30
}

test_mdevctl() {
	if ! command -v mdevctl >/dev/null || ! command -v unshare >/dev/null; then
		echo "skip: mdevctl"
		return
	fi
	local out
	out=$(mdevctl_sim types)
	yes_ grep -q '^0000:41:00.0$' <<<"$out"
	yes_ grep -q 'Name: NVIDIA T4-2Q' <<<"$out"
	eq "mdevctl parents" "$(grep -c '^0000:' <<<"$out")" 18
	yes_ mdevctl_sim start -u "$U1" -p 0000:42:00.0 -t nvidia-227
	yes_ grep -q "^$U1 0000:42:00.0 nvidia-227" <<<"$(mdevctl_sim list)"
	expect OK "$M/bus/mdev/devices/$U1/remove" 1
}

test_small_host() {
	eq "small: driver" "$(cat "$M/module/nvidia/version")" 535.161.05
	eq "small: grid names" "$(cat "$M/$D/0000:41:00.0/mdev_supported_types/nvidia-226/name")" \
		"GRID T4-1Q"
	yes_ grep -qx '1147  : GRID L40S-1Q' "$M/$D/0000:42:00.4/nvidia/creatable_vgpu_types"
	local i
	for i in 4 5 6 7; do expect OK "$M/$D/0000:42:00.$i/nvidia/current_vgpu_type" 1147; done
	eq "small: 4 VFs cap" "$(ls "$M/bus/pci/devices" | wc -l)" 8
}

test_big_host() {
	eq "big: functions" "$(ls "$M/bus/pci/devices" | wc -l)" 326
	local out
	out=$(lspci_sim -n)
	eq "big: physical GPUs" "$(grep -cE '^[0-9a-f]{2}:00\.0 030[02]: 10de:' <<<"$out")" 64
	eq "big: mdev parents" "$(ls "$M/class/mdev_bus" | wc -l)" 184
	eq "big: last bus" "$(cat "$M/$D/0000:80:00.0/device")" 0x26b9
}

test_driver_none() {
	eq "none: no module dir" "$(ls "$M/module")" ""
	no_ test -e "$M/$D/0000:41:00.0/driver"
	no_ test -e "$M/class/mdev_bus"
	eq "none: no VFs enabled" "$(cat "$M/$D/0000:41:00.0/sriov_numvfs")" 0
	eq "none: totalvfs" "$(cat "$M/$D/0000:41:00.0/sriov_totalvfs")" 16
}

# A newer driver: every id 100 higher, A16-4Q and L40S-2Q gone (A40-2Q, same table, stays).
test_driver_upgrade() {
	local T=$M/$D/0000:41:00.0/mdev_supported_types F=$M/$D/0000:42:00.4/nvidia
	local A40=$M/$D/0000:43:00.4/mdev_supported_types
	eq "upgrade: driver" "$(cat "$M/module/nvidia/version")" 570.158.02
	eq "upgrade: A16-1B" "$(cat "$T/nvidia-783/name")" "NVIDIA A16-1B"
	eq "upgrade: A16 types" "$(ls "$T" | wc -l)" 14
	no_ test -e "$T/nvidia-787"
	eq "upgrade: A16-8Q keeps its id" "$(cat "$T/nvidia-788/name")" "NVIDIA A16-8Q"
	eq "upgrade: A40-2Q" "$(cat "$A40/nvidia-656/name")" "NVIDIA A40-2Q"
	eq "upgrade: creatable count" "$(wc -l <"$F/creatable_vgpu_types")" 29
	yes_ grep -qx '1245  : NVIDIA L40S-1B' "$F/creatable_vgpu_types"
	no_ grep -q 'L40S-2Q' "$F/creatable_vgpu_types"
	expect EINVAL "$F/current_vgpu_type" 1148
	expect EINVAL "$F/current_vgpu_type" 1248
	expect OK "$F/current_vgpu_type" 1249
	eq "upgrade: current" "$(cat "$F/current_vgpu_type")" 1249
	expect OK "$T/nvidia-788/create" "$U1"
	eq "upgrade: mdev_type link" "$(readlink "$M/bus/mdev/devices/$U1/mdev_type")" \
		../mdev_supported_types/nvidia-788
}

test_bad_hostfiles() {
	local msg rc
	printf 'driver 550.54.16\ngpu X9\n' >"$WORK/bad.host"
	msg=$("$SIM" "$WORK/bad.host" "$M" 2>&1)
	rc=$?
	eq "bad model exit" "$rc" 2
	yes_ grep -q 'bad.host:2: unknown GPU model' <<<"$msg"
	printf 'gpu T4 bus=0x41\ngpu A16 bus=0x41\n' >"$WORK/bad.host"
	"$SIM" "$WORK/bad.host" "$M" 2>/dev/null
	eq "bus clash exit" "$?" 2
	printf 'gpu T4 mode=vfio-sriov\n' >"$WORK/bad.host"
	"$SIM" "$WORK/bad.host" "$M" 2>/dev/null
	eq "T4 without SR-IOV exit" "$?" 2
	for bad in 'type_ids 100' 'type_ids +' 'type_ids +65536' 'drop' 'drop A16' 'drop A16-99Q'; do
		printf '%s\ngpu A16\n' "$bad" >"$WORK/bad.host"
		"$SIM" "$WORK/bad.host" "$M" 2>/dev/null
		eq "'$bad' exit" "$?" 2
	done
}

test_bad_hostfiles

mount_sim "$HOSTS/demo.host"
test_layout
test_sriov_layout
test_lspci
test_mdev_create
test_mdev_capacity
test_mdev_params_and_simctl
test_mdev_remove
test_kernel_file_rules
test_mdev_sriov
test_hotplug
test_vfio_sriov
test_mdevctl
unmount_sim

mount_sim "$HOSTS/small.host"
test_small_host
unmount_sim

mount_sim "$HOSTS/big.host"
test_big_host
unmount_sim

printf '%s\n' 'driver 570.158.02' 'type_ids +100' 'drop A16-4Q' 'drop l40s-2q' 'drop A16-4Q' \
	'gpu A16' 'gpu L40S mode=vfio-sriov vfs=4' 'gpu A40 mode=mdev-sriov vfs=2' >"$WORK/upgrade.host"
mount_sim "$WORK/upgrade.host"
test_driver_upgrade
unmount_sim

printf 'driver none\ngpu A40 mode=mdev-sriov\n' >"$WORK/none.host"
mount_sim "$WORK/none.host"
test_driver_none
unmount_sim

if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$LOG"; then
	fail "sanitizer report in the simulator's output:"
	cat "$LOG"
else
	pass
fi
echo "smoke: $checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
