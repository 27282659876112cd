#!/bin/bash
# A device with attach_guest_drivers puts its group's guest ISO (the one
# make_guest_iso made) in its VM's definition as a read-only cdrom, one per VM
# however many devices ask; the cdrom follows the ISO when it is built again
# (a new client token), goes with the last device that asked, and leaves the
# VM's own disks alone; a running VM whose ISO changed waits for a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

need xmllint

demo_up
cd "$MNT"
g=groups/a16
ISO550=nvidia-guest-550.54.15-551.78.iso

cdroms() { xp "$(def "$1")" "count(/domain/devices/disk[@device='cdrom'])"; }
cdrom_source() { xp "$(def "$1")" "string(/domain/devices/disk[@device='cdrom']/source/@file)"; }
# own_disks VM: the VM's own disk devices (not cdroms), and its interfaces.
own_disks() {
	local f
	f=$(def "$1")
	xp "$f" "/domain/devices/disk[@device!='cdrom']"
	xp "$f" "/domain/devices/interface"
}
# check_cdrom VM ISO: one read-only cdrom of <state>/media/ISO.
check_cdrom() {
	local f
	f=$(def "$1")
	check_eq "cdroms of $1" 1 "$(xp "$f" "count(/domain/devices/disk[@device='cdrom'])")"
	check_eq "cdrom of $1: type" file "$(xp "$f" "string(/domain/devices/disk[@device='cdrom']/@type)")"
	check_eq "cdrom of $1: source" "$TMP/state/media/$2" "$(xp "$f" "string(/domain/devices/disk[@device='cdrom']/source/@file)")"
	check_eq "cdrom of $1: readonly" 1 "$(xp "$f" "count(/domain/devices/disk[@device='cdrom']/readonly)")"
	[ -f "$TMP/state/media/$2" ] || fail "the cdrom's source $TMP/state/media/$2 does not exist"
}
wait_ready() {
	wait_until 10 "groups/$1/iso_status ready ($(cat "groups/$1/iso_error"))" reads "groups/$1/iso_status" ready
}
listed() { ls -A media | grep -Fxq -- "$1"; }

upload_bundle "$BUNDLE_550"
make_group a16 A16-4Q 0000:43:00.0 0000:44:00.0
put $g/make_guest_iso 1
wait_ready a16
check_val $g/driver_iso "$ISO550"

say "a device with attach_guest_drivers: the ISO is the VM's read-only cdrom"
own_disks render01 >"$TMP/render01-own"
[ -s "$TMP/render01-own" ] || fail "render01 has no disk of its own to keep"
check_eq "cdroms of render01 at first" 0 "$(cdroms render01)"
d0=vms/render01/devices/gpu0
d1=vms/render01/devices/gpu1
mkdir $d0
put $d0/attach_guest_drivers 1
check_eq "cdroms while the device is unassigned" 0 "$(cdroms render01)"
put $d0/group a16
check_cdrom render01 "$ISO550"
check_eq "hostdevs of render01" 1 "$(xp "$(def render01)" "count(/domain/devices/hostdev)")"
own_disks render01 >"$TMP/render01-now"
check_file_eq "render01's own disks and interfaces" "$TMP/render01-own" "$TMP/render01-now"
pass "cdrom attached"

say "a second device of the VM asking for the same ISO adds no second cdrom"
mkdir $d1
put $d1/attach_guest_drivers 1
put $d1/group a16
check_cdrom render01 "$ISO550"
check_eq "hostdevs of render01" 2 "$(xp "$(def render01)" "count(/domain/devices/hostdev)")"
pass "one cdrom per VM"

say "a new client token: the ISO is built again and the cdrom follows at once"
head -c 200 /dev/urandom >"$TMP/site.tok"
cp "$TMP/site.tok" media/
put $g/client_token site.tok
wait_until 10 "driver_iso moves to the token's ISO" eval '[ "$(cat $g/driver_iso)" != "$ISO550" ]'
tokiso=$(cat $g/driver_iso)
case $tokiso in nvidia-guest-550.54.15-551.78-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].iso) ;;
*) fail "driver_iso with a token: $tokiso" ;; esac
check_cdrom render01 "$tokiso"
wait_until 5 "the token-less ISO removed" eval '! listed "$ISO550"'
own_disks render01 >"$TMP/render01-now"
check_file_eq "render01's own disks and interfaces" "$TMP/render01-own" "$TMP/render01-now"
pass "cdrom follows driver_iso"

say "the cdrom stays while one device asks for it, and goes with the last"
put $d0/attach_guest_drivers 0
check_cdrom render01 "$tokiso"
put $d1/attach_guest_drivers 0
check_eq "cdroms of render01" 0 "$(cdroms render01)"
check_eq "hostdevs of render01" 2 "$(xp "$(def render01)" "count(/domain/devices/hostdev)")"
own_disks render01 >"$TMP/render01-now"
check_file_eq "render01's own disks and interfaces" "$TMP/render01-own" "$TMP/render01-now"
put $d1/attach_guest_drivers 1
check_cdrom render01 "$tokiso"
rmdir $d1
check_eq "cdroms of render01 after rmdir of the only device asking" 0 "$(cdroms render01)"
rmdir $d0
check_eq "hostdevs of render01" 0 "$(xp "$(def render01)" "count(/domain/devices/hostdev)")"
own_disks render01 >"$TMP/render01-now"
check_file_eq "render01's own disks and interfaces" "$TMP/render01-own" "$TMP/render01-now"
pass "cdrom detached"

say "two VMs, one ISO: each gets its cdrom; a group without a driver_iso gives none"
mkdir vms/cad-ws02/devices/gpu0 vms/vdi-pool01/devices/gpu0
put vms/cad-ws02/devices/gpu0/attach_guest_drivers 1
put vms/cad-ws02/devices/gpu0/group a16
put vms/vdi-pool01/devices/gpu0/attach_guest_drivers 1
put vms/vdi-pool01/devices/gpu0/group a16
check_cdrom cad-ws02 "$tokiso"
check_cdrom vdi-pool01 "$tokiso"
make_group t4 T4-4Q 0000:41:00.0
mkdir vms/render01/devices/t4
put vms/render01/devices/t4/attach_guest_drivers 1
put vms/render01/devices/t4/group t4
check_eq "cdroms of render01 (group t4 has no driver_iso)" 0 "$(cdroms render01)"
pass "several VMs"

say "the ISO attached to VMs cannot be removed; a hand-picked one replaces it everywhere"
expect_fail_errno "$EBUSY" rm "media/$tokiso"
check_grep "groups/a16" "media-info/$tokiso/error"
upload_iso tools.iso
put $g/driver_iso tools.iso
check_val $g/make_guest_iso 0
check_cdrom cad-ws02 tools.iso
check_cdrom vdi-pool01 tools.iso
wait_until 5 "the generated ISO removed once no group uses it" eval '! listed "$tokiso"'
pass "hand-picked ISO"

say "a running VM whose ISO changed must restart"
put $g/make_guest_iso 1
wait_ready a16
check_val $g/driver_iso "$tokiso"
check_cdrom cad-ws02 "$tokiso"
run=vms/cad-ws01/devices/gpu0
mkdir $run
put $run/attach_guest_drivers 1
put $run/group a16
check_val vms/cad-ws01/restart_required 1
restart_vm cad-ws01 gpu0
check_val vms/cad-ws01/restart_required 0
check_cdrom cad-ws01 "$tokiso"
put $g/client_token ""
wait_ready a16
check_val $g/driver_iso "$ISO550"
check_cdrom cad-ws01 "$ISO550"
check_cdrom cad-ws02 "$ISO550"
check_val vms/cad-ws02/restart_required 0
check_val vms/cad-ws01/restart_required 1
check_val $run/status restart-required
restart_vm cad-ws01 gpu0
check_val vms/cad-ws01/restart_required 0
check_cdrom cad-ws01 "$ISO550"
pass "restart_required"

stop_vgpufs
