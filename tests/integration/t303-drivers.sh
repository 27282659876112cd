#!/bin/bash
# drivers/ lists the running driver and every host driver media/ holds (in a
# bundle or as a lone package), with what each bundle says; broken bundles are
# stored but invalid and give none; drivers/compatible says which can drive
# this host's GPUs; a group's driver must be listed and drive its GPUs; a
# group asking for another driver than the running one needs a reboot.
. "$(dirname "$0")/lib.sh"

need bsdtar

start_sim demo.host
start_vgpufs
cd "$MNT"

B570R=NVIDIA-GRID-RHEL-9.6-570.158.02-570.158.01-573.39.zip
B570U=NVIDIA-GRID-Ubuntu-KVM-570.158.02-570.158.01-573.39.zip
ALL_GPUS=$(sim_gpus)
NO_L40S=$(sim_gpus | grep -vx "$L40S")

driver_list() { ls drivers | grep -v '^compatible$' || true; }
# check_driver VERSION FIELD=VALUE...: drivers/VERSION/FIELD reads VALUE.
check_driver() {
	local v=$1 kv
	shift
	for kv in "$@"; do
		check_list "drivers/$v/${kv%%=*}" "${kv#*=}"
	done
}
# guest_members ZIP: the guest driver members of a bundle (what guest_files
# must list), from the zip itself.
guest_members() {
	bsdtar -tf "$1" | grep -E -- '-grid\.run$|nvidia-linux-grid-|_international\.exe$'
}

say "an empty media/: the running driver only"
check_eq "drivers/" 550.54.16 "$(driver_list)"
check_driver 550.54.16 bundles= host_version=550.54.16 linux_guest_version= \
	windows_guest_version= vgpu_branch=R550 vgpu_release=17 host_package= guest_files= \
	running=1 supported=1 "gpus=$ALL_GPUS"
check_list drivers/compatible "550.54.16 17 supported"
check_val host/reboot_required 0
check_val host/pending_driver ""
pass "running driver listed"

say "lone host packages are drivers without guest files"
for pkg in NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run nvidia-vgpu-ubuntu-535_535.161.05_amd64.deb \
	NVIDIA-vGPU-rhel-9.6-535.161.05.x86_64.rpm; do
	printf 'not really %s\n' "$pkg" >"$TMP/$pkg"
	cp "$TMP/$pkg" media/
	check_val "media-info/$pkg/kind" host-package
	check_val "media-info/$pkg/state" ok
	check_eq "drivers/ with $pkg" "535.161.05
550.54.16" "$(driver_list)"
	check_driver 535.161.05 "bundles=$pkg" host_version=535.161.05 linux_guest_version= \
		windows_guest_version= vgpu_branch=R535 vgpu_release=16 guest_files= running=0 \
		supported=1 "gpus=$ALL_GPUS"
	check_grep "$pkg" drivers/535.161.05/host_package
	rm "media/$pkg"
	check_eq "drivers/ once $pkg is gone" 550.54.16 "$(driver_list)"
done
say "a bundle with a host driver only"
upload_bundle no-guest-drivers.zip
check_val media-info/no-guest-drivers.zip/kind driver-bundle
check_val media-info/no-guest-drivers.zip/state ok
check_driver 535.161.05 bundles=no-guest-drivers.zip linux_guest_version= windows_guest_version= \
	host_package=Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run guest_files= running=0
rm media/no-guest-drivers.zip
pass "host packages"

say "broken bundles are stored, invalid with the reason's class, and give no driver"
for b in truncated.zip:"truncated zip" corrupt-central-directory.zip:"corrupt zip" \
	not-a-zip.zip:"corrupt zip" unsafe-dotdot.zip:"unsafe member name" \
	unsafe-absolute.zip:"unsafe member name" zip-bomb.zip:"zip bomb" \
	no-host-driver.zip:"no host driver"; do
	name=${b%%:*}
	upload_bundle "$name"
	alive "$VGPUFS_PID" || fail "vgpufs died on $name"
	state=$(cat "media-info/$name/state")
	case $state in "invalid: ${b#*:}"*) ;; *) fail "media-info/$name/state: '$state', expected 'invalid: ${b#*:}…'" ;; esac
	check_val "media-info/$name/kind" driver-bundle
	check_val "media-info/$name/size" "$(stat -c %s "$(bundle "$name")")"
	check_grep "^$EVENT_TIME media/$name stored: driver-bundle, [0-9]+ bytes, invalid: ${b#*:}" events
done
check_eq "drivers/ with only broken bundles" 550.54.16 "$(driver_list)"
check_list drivers/compatible "550.54.16 17 supported"
check_grep "unsafe member name: \.\./" media-info/unsafe-dotdot.zip/state
check_grep "unsafe member name: /" media-info/unsafe-absolute.zip/state
mkdir groups/g
for name in truncated.zip zip-bomb.zip no-host-driver.zip unsafe-dotdot.zip; do
	put_refused "$EINVAL" groups/g/driver "$name"
	check_grep "$name" groups/g/error
done
pass "broken bundles"

say "every good bundle: 470, 535, 550 and 570 (two bundles)"
for b in "$BUNDLE_470" "$BUNDLE_535" "$BUNDLE_550" "$B570U" "$B570R"; do
	upload_bundle "$b"
	check_val "media-info/$b/kind" driver-bundle
	check_val "media-info/$b/state" ok
done
check_eq "drivers/" "470.256.02
535.161.05
550.54.16
570.158.02" "$(driver_list)"
check_driver 470.256.02 "bundles=$BUNDLE_470" host_version=470.256.02 linux_guest_version=470.256.02 \
	windows_guest_version=475.14 vgpu_branch=R470 vgpu_release=13 \
	host_package=NVIDIA-Linux-x86_64-470.256.02-vgpu-kvm.run \
	"guest_files=$(guest_members "$(bundle "$BUNDLE_470")")" running=0 supported=0 "gpus=$NO_L40S"
check_driver 535.161.05 "bundles=$BUNDLE_535" host_version=535.161.05 linux_guest_version=535.161.08 \
	windows_guest_version=538.46 vgpu_branch=R535 vgpu_release=16 \
	host_package=Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run \
	"guest_files=$(guest_members "$(bundle "$BUNDLE_535")")" running=0 supported=1 "gpus=$ALL_GPUS"
check_driver 550.54.16 "bundles=$BUNDLE_550" host_version=550.54.16 linux_guest_version=550.54.15 \
	windows_guest_version=551.78 vgpu_branch=R550 vgpu_release=17 \
	host_package=Host_Drivers/NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run \
	"guest_files=$(guest_members "$(bundle "$BUNDLE_550")")" running=1 supported=1 "gpus=$ALL_GPUS"
check_driver 570.158.02 "bundles=$B570R
$B570U" host_version=570.158.02 linux_guest_version=570.158.01 windows_guest_version=573.39 \
	vgpu_branch=R570 vgpu_release=18 running=0 supported=1 "gpus=$ALL_GPUS" \
	"guest_files=$(guest_members "$(bundle "$B570R")")"
# the lexically first bundle is the one used: the RHEL one
check_val drivers/570.158.02/host_package Host_Drivers/NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm
[ "$(guest_members "$(bundle "$BUNDLE_535")" | wc -l)" = 4 ] || fail "the 535 bundle has not 4 guest files"
check_grep "^$EVENT_TIME drivers/570\.158\.02: .*$B570U.*$B570R" events
check_list drivers/compatible "570.158.02 18 supported
550.54.16 17 supported
535.161.05 16 supported
470.256.02 13 unsupported"
alive "$VGPUFS_PID" || fail "vgpufs died"
pass "good bundles"

say "a group's driver: a listed version or a bundle's name; the rest refused"
put groups/g/driver 535.161.05
check_val groups/g/driver 535.161.05
put groups/g/driver "$B570U"
check_val groups/g/driver 570.158.02
put groups/g/driver "$BUNDLE_470"
check_val groups/g/driver 470.256.02
put_refused "$ENOENT" groups/g/driver 525.85.07
check_grep "525\.85\.07" groups/g/error
put_refused "$ENOENT" groups/g/driver missing-bundle.zip
upload_iso tools.iso
put_refused "$EINVAL" groups/g/driver tools.iso
check_val groups/g/driver 470.256.02
pass "driver values"

say "a driver that cannot drive a GPU of the group, and a GPU its driver cannot drive"
mkdir groups/l40s
put gpus/$L40S/group l40s
put groups/l40s/driver 550.54.16
put_refused "$EINVAL" groups/l40s/driver 470.256.02
check_grep "$L40S" groups/l40s/error
check_grep "^$EVENT_TIME groups/l40s: refused \(EINVAL\): .*$L40S" events
put_refused "$EINVAL" groups/l40s/driver "$BUNDLE_470"
put groups/l40s/driver 535.161.05
check_val groups/l40s/driver 535.161.05
put gpus/$L40S/group ""
# group g asks for 470.256.02 (R13): the L40S cannot join it, a T4 can
put_refused "$EINVAL" gpus/$L40S/group g
check_val gpus/$L40S/group ""
check_grep "$L40S.*(470\.256\.02|release 13)|(470\.256\.02|release 13).*$L40S" events
put gpus/0000:41:00.0/group g
check_list groups/g/gpus 0000:41:00.0
pass "driver and GPUs"

say "reboot_required and pending_driver follow what the groups ask for"
put groups/l40s/driver ""
put groups/g/driver ""
put gpus/0000:41:00.0/group ""
check_val host/reboot_required 0
check_val host/pending_driver ""
make_group t4 T4-4Q 0000:41:00.0
check_val groups/t4/status ready
check_val host/reboot_required 0
put groups/t4/driver 535.161.05
check_val host/reboot_required 1
check_val host/pending_driver 535.161.05
check_val groups/t4/status reboot-required
put groups/t4/driver "$BUNDLE_550"
check_val groups/t4/driver 550.54.16
check_val host/reboot_required 0
check_val host/pending_driver ""
check_val groups/t4/status ready
put groups/g/driver 535.161.05
check_val host/reboot_required 1
check_val host/pending_driver 535.161.05
check_val groups/g/status no-gpus
put groups/g/driver 550.54.16
check_val host/reboot_required 0
check_val host/pending_driver ""
pass "reboot_required"

say "a restart lists the same drivers"
put groups/g/driver 535.161.05
for f in drivers/compatible drivers/*/*; do echo "== $f"; cat "$f"; done >"$TMP/drivers-before"
restart_vgpufs
for f in drivers/compatible drivers/*/*; do echo "== $f"; cat "$f"; done >"$TMP/drivers-after"
check_file_eq "drivers/ across a restart" "$TMP/drivers-before" "$TMP/drivers-after"
check_val groups/g/driver 535.161.05
check_val host/pending_driver 535.161.05
pass "restart"

say "removing a bundle takes its driver away, but not the running one"
put groups/g/driver ""
rm "media/$BUNDLE_470" "media/$BUNDLE_535" "media/$B570U"
check_eq "drivers/" "550.54.16
570.158.02" "$(driver_list)"
check_list drivers/570.158.02/bundles "$B570R"
# group t4 runs the running driver: its bundle is in use
expect_fail_errno "$EBUSY" rm "media/$BUNDLE_550"
check_grep "groups/t4" "media-info/$BUNDLE_550/error"
put groups/t4/driver ""
rm "media/$BUNDLE_550"
check_list drivers/550.54.16/bundles ""
check_val drivers/550.54.16/running 1
check_list drivers/compatible "570.158.02 18 supported
550.54.16 17 supported"
pass "removal"

stop_vgpufs
