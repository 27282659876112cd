#!/bin/bash
# attach_guest_drivers puts the group's driver ISO in the definition as a
# read-only SATA cdrom (recorded as ours), and takes only that one out again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group a16 A16-4Q 0000:43:00.0
upload_iso guest-drivers-550.iso
put groups/a16/driver_iso guest-drivers-550.iso
dev=vms/render01/devices/gpu0
mkdir $dev
echo 1 >$dev/attach_guest_drivers
check_eq "no cdrom while unassigned" 0 \
	"$(xp "$(def render01)" "count(/domain/devices/disk[@device='cdrom'])")"

say "assigned: the ISO is a read-only SATA cdrom of the definition"
echo a16 >$dev/group
f=$(def render01)
iso=$TMP/state/media/guest-drivers-550.iso
check_file_eq "the ISO in the state's media store" "$TMP/guest-drivers-550.iso" "$iso"
check_eq "cdrom source" "$iso" "$(xp "$f" "string(/domain/devices/disk[@device='cdrom']/source/@file)")"
check_eq "cdrom bus" sata "$(xp "$f" "string(/domain/devices/disk[@device='cdrom']/target/@bus)")"
check_eq "cdrom read-only" 1 "$(xp "$f" "count(/domain/devices/disk[@device='cdrom']/readonly)")"
check_eq "the VM's own disk is kept" 1 "$(xp "$f" "count(/domain/devices/disk[@device='disk'])")"
pass "guest drivers attached"

say "a new driver_iso (here the one make_guest_iso builds) changes the cdrom at once"
upload_bundle "$BUNDLE_550"
put groups/a16/make_guest_iso 1
wait_until 30 "groups/a16/iso_status ready" reads groups/a16/iso_status ready
check_val groups/a16/driver_iso nvidia-guest-550.54.15-551.78.iso
f=$(def render01)
check_eq "cdrom source" "$TMP/state/media/nvidia-guest-550.54.15-551.78.iso" \
	"$(xp "$f" "string(/domain/devices/disk[@device='cdrom']/source/@file)")"
check_eq "cdroms" 1 "$(xp "$f" "count(/domain/devices/disk[@device='cdrom'])")"
put groups/a16/driver_iso guest-drivers-550.iso
check_val groups/a16/make_guest_iso 0
check_eq "cdrom source" "$iso" \
	"$(xp "$(def render01)" "string(/domain/devices/disk[@device='cdrom']/source/@file)")"
pass "driver_iso followed"

say "switched off: only our cdrom goes, the vGPU stays"
echo 0 >$dev/attach_guest_drivers
f=$(def render01)
check_eq "cdroms" 0 "$(xp "$f" "count(/domain/devices/disk[@device='cdrom'])")"
check_eq "mdev hostdevs" 1 "$(xp "$f" "count(/domain/devices/hostdev[@type='mdev'])")"
check_eq "disks" 1 "$(xp "$f" "count(/domain/devices/disk)")"
pass "guest drivers detached"
