#!/bin/bash
# A rule made from gpus/BDF/group records the card's IDs in identity. When
# another card sits at that address after a restart, the rule stops matching
# and reads hardware-changed (events say so once), no vGPU is made on the new
# card, nothing is deleted, and accept_hardware, a new identity or a
# rewritten slot makes it match again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

T4=0000:41:00.0
r=groups/t4/rules/pci-0000-41-00.0
d=vms/cad-ws02/devices/gpu0

# sim_identity BDF: the card's IDs as the simulated sysfs gives them.
sim_identity() {
	local dev=$SIM/bus/pci/devices/$1
	printf '%s:%s %s:%s' "$(sed 's/^0x//' "$dev/vendor")" "$(sed 's/^0x//' "$dev/device")" \
		"$(sed 's/^0x//' "$dev/subsystem_vendor")" "$(sed 's/^0x//' "$dev/subsystem_device")"
}

# The demo host with an A16 where its first T4 was.
sed 's/^gpu T4 .*/gpu A16 bus=0x41\ngpu T4 bus=0x42\ngpu A16 count=4 bus=0x43/; /^gpu A16 .*count=4 mode/d' \
	"$HOSTS_DIR/demo.host" >"$TMP/swapped.host"

# reboot_into HOSTFILE: the daemon stops, the host comes back as HOSTFILE.
reboot_into() {
	cd /
	quit_vgpufs
	stop_sim
	start_sim "$1"
	start_vgpufs
	cd "$MNT"
}

demo_up
cd "$MNT"
t4_id=$(sim_identity $T4)

say "gpus/BDF/group records the card's IDs; a rule made by mkdir records none"
make_group t4 T4-2Q $T4
check_val $r/identity "$t4_id"
check_eq "the T4's identity" "10de:1eb8 10de:12a2" "$t4_id"
check_val $r/status active
check_eq "mode of identity" 644 "$(stat -c %a $r/identity)"
check_eq "mode of status" 444 "$(stat -c %a $r/status)"
check_eq "mode of accept_hardware" 200 "$(stat -c %a $r/accept_hardware)"
expect_fail_errno "$EACCES" cat $r/accept_hardware
check_grep "^$EVENT_TIME $r created \(node .*, slot $T4, identity $t4_id\)" events
mkdir groups/other groups/other/rules/by-hand
check_val groups/other/rules/by-hand/identity ""
put groups/other/rules/by-hand/enabled 0
pass "recorded"

say "identity takes \"\" or vendor:device subsystem_vendor:subsystem_device"
for v in zz 10de:1eb8 "10de:1eb8  10de:12a2" "0x10de:1eb8 10de:12a2" "10de-1eb8 10de:12a2" \
	"10de:1eb8 10de:12a2 " "10de:1eb8 10de:12g2"; do
	put_refused "$EINVAL" $r/identity "$v"
done
check_grep 'identity takes .*10de:1eb8 10de:12a2' $r/error
expect_fail_errno "$EINVAL" write_once $r/accept_hardware $'maybe\n'
check_grep 'write 1 to accept' $r/error
check_val $r/identity "$t4_id"
pass "syntax"

say "a VM device holds vGPUs on the T4"
mkdir $d
put $d/count 2
put $d/group t4
check_vgpus cad-ws02 gpu0 gpu=$T4
dev_vgpus cad-ws02 gpu0 >"$TMP/vgpus-t4"
check_val $d/status allocated
pass "2 vGPUs on $T4"

say "an identity that would take the card (and its vGPUs) out of the group is EBUSY"
put_refused "$EBUSY" $r/identity "10de:25b6 10de:14a9"
check_grep 'cad-ws02' $r/error
n=$(grep -c 'hardware' events || true)
put $r/accept_hardware 1 # nothing to accept: no change
check_val $r/identity "$t4_id"
check_eq "hardware events after accepting nothing" "$n" "$(grep -c 'hardware' events || true)"
put $r/identity "10DE:1EB8 10DE:12A2" # the same, in upper case
check_val $r/identity "$t4_id"
pass "EBUSY; the same identity is no change"

say "another card at $T4: the rule stops matching, reads hardware-changed"
reboot_into "$TMP/swapped.host"
a16_id=$(sim_identity $T4)
check_eq "the A16's identity" "10de:25b6 10de:14a9" "$a16_id"
check_val $r/status hardware-changed
check_val $r/identity "$t4_id"
check_grep "$T4 is $a16_id \(NVIDIA A16\), not $t4_id as recorded" $r/error
check_list $r/gpus ""
check_val gpus/$T4/group ""
check_list groups/t4/gpus ""
check_val groups/t4/status degraded
check_grep "rule pci-0000-41-00.0 of group t4: GPU $T4 is $a16_id" groups/t4/error
check_eq "hardware-changed events" 1 "$(grep -c "$r: hardware changed: GPU $T4 is $a16_id" events)"
cat $r/status groups/t4/status >/dev/null
check_eq "hardware-changed events after reading" 1 "$(grep -c "hardware changed" events)"
pass "hardware-changed"

say "no vGPU was made on the new card; the device shows why, nothing is deleted"
check_eq "vGPUs on the host" 0 "$(sim_vgpu_count)"
check_eq "the device's vGPUs" "$(cat "$TMP/vgpus-t4")" "$(dev_vgpus cad-ws02 gpu0)"
check_eq "hostdevs kept in the definition" "$(cat "$TMP/vgpus-t4")" "$(def_mdevs cad-ws02 | sort)"
check_val $d/status error
check_grep "could not be re-created: rule pci-0000-41-00.0 of group t4: GPU $T4 is $a16_id" $d/error
check_val $d/group t4
check_val $d/count 2
put_refused "$EBUSY" gpus/$T4/group t4
check_grep "not the card its rule pci-0000-41-00.0 in group t4 recorded" gpus/$T4/error
pass "device in error, records kept"

say "echo 1 > accept_hardware records the card found; the rule matches again"
put $r/accept_hardware 1
check_val $r/identity "$a16_id"
check_val $r/status active
check_list $r/gpus $T4
check_val gpus/$T4/group t4
check_val $r/error ""
check_grep "^$EVENT_TIME $r: hardware accepted: identity = $a16_id" events
check_eq "hardware-changed events after the accept" 1 "$(grep -c "hardware changed" events)"
# the group's profile is the T4's: the A16 does not offer it
check_val groups/t4/status degraded
check_grep "does not offer profile T4-2Q" groups/t4/error
pass "accepted"

say "the accepted identity survives a restart, without a hardware event"
restart_vgpufs
check_val $r/identity "$a16_id"
check_val $r/status active
check_eq "hardware events after the restart" 0 "$(grep -c 'hardware changed' events || true)"
check_db
pass "persisted"

say "the T4 is back: hardware-changed again; rewriting the slot records it"
reboot_into demo.host
check_val $r/status hardware-changed
check_grep "$T4 is $t4_id \(NVIDIA T4\), not $a16_id as recorded" $r/error
check_eq "vGPUs on the host" 0 "$(sim_vgpu_count)"
put $r/slot $T4
check_val $r/identity "$t4_id"
check_val $r/status active
check_grep "^$EVENT_TIME $r/identity = $t4_id \(the cards its slot selects\)" events
check_eq "hardware-changed events" 1 "$(grep -c "hardware changed" events)"
pass "slot rewritten"

say "the device's vGPUs are made again at the next start, on the card accepted"
restart_vgpufs
check_eq "the device's vGPUs" "$(cat "$TMP/vgpus-t4")" "$(dev_vgpus cad-ws02 gpu0)"
check_vgpus cad-ws02 gpu0 gpu=$T4 sim_parent=$T4
check_val $d/status allocated
check_val groups/t4/status ready
pass "re-created"

say "an identity written by hand that the card does not have: no vGPU goes there"
make_group a16 A16-2Q 0000:43:00.0
put groups/a16/rules/pci-0000-43-00.0/identity "$t4_id"
check_val groups/a16/rules/pci-0000-43-00.0/status hardware-changed
check_list groups/a16/gpus ""
mkdir vms/render01/devices/gpu0
put_refused "$ENOSPC" vms/render01/devices/gpu0/group a16
check_eq "vGPUs on the host (cad-ws02's)" 2 "$(sim_vgpu_count)"
check_val gpus/0000:43:00.0/vgpus_used 0
pass "nothing placed"

say "writing the card's own identity makes the rule match again"
put groups/a16/rules/pci-0000-43-00.0/identity "$(sim_identity 0000:43:00.0)"
check_val groups/a16/rules/pci-0000-43-00.0/status active
put vms/render01/devices/gpu0/group a16
check_vgpus render01 gpu0 gpu=0000:43:00.0
pass "identity rewritten"
