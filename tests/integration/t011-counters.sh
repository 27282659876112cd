#!/bin/bash
# host/counters: what one write costs the engine, in operations that do not depend on
# the machine (libvirt defines, domain XML parses, sql transactions, sysfs writes),
# read before and after it; reading the counters costs nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

# no periodic rescan: its sysfs reads would fall between a before and an after
demo_up --rescan-interval 0
cd "$MNT"

NAMES="sysfs_reads sysfs_writes libvirt_lookups libvirt_get_xml libvirt_defines
libvirt_lists libvirt_other xml_parses xml_serialisations sql_transactions sql_rollbacks"

say "host/counters: one 'name value' line per counter, in a fixed order, read-only"
check_eq "counter names" "$(printf '%s\n' $NAMES)" "$(cut -d' ' -f1 host/counters)"
! grep -Evq '^[a-z_]+ [0-9]+$' host/counters || fail "not 'name value' lines: $(cat host/counters)"
check_eq "mode of host/counters" 444 "$(stat -c %a host/counters)"
expect_fail_errno "$EACCES|$EPERM" sh -c 'echo 0 >host/counters'
pass "host/counters lists $(wc -l <host/counters) counters"

# cost COMMAND: runs COMMAND (sh -c) between two readings of host/counters; DELTA[name]
# is then how much each counter moved.
declare -A DELTA
cost() {
	local name before after
	cat host/counters >"$TMP/counters-before"
	sh -c "$1" || fail "$1 failed"
	cat host/counters >"$TMP/counters-after"
	while read -r name before after; do
		DELTA[$name]=$((after - before))
	done < <(join "$TMP/counters-before" "$TMP/counters-after")
	say "$1: $(for name in $NAMES; do printf '%s=%s ' "$name" "${DELTA[$name]}"; done)"
}

# check_cost NAME=N...: the named counters moved by exactly N (* for any number), and
# every other one did not move.
check_cost() {
	local name kv want
	for name in $NAMES; do
		want=0
		for kv in "$@"; do
			[ "${kv%%=*}" != "$name" ] || want=${kv#*=}
		done
		[ "$want" = "*" ] || check_eq "$name" "$want" "${DELTA[$name]}"
	done
}

make_group a16 A16-4Q $A16_GPUS
upload_iso guest-drivers-550.iso
put groups/a16/driver_iso guest-drivers-550.iso
dev=vms/cad-ws02/devices/gpu0
mkdir $dev
put $dev/count 2

say "reading host/counters, or listing host/, changes no counter"
cost "cat host/counters >/dev/null; ls -l host >/dev/null"
check_cost
pass "reading the counters costs nothing"

say "a group on a shut-off VM: two vGPUs made, one define, the journal and the commit"
cost "echo a16 >$dev/group"
check_cost sysfs_reads='*' sysfs_writes=2 libvirt_lookups=1 libvirt_get_xml=1 \
	libvirt_defines=1 xml_parses=1 xml_serialisations=1 sql_transactions=2
check_eq "vGPUs made" 2 "$(dev_vgpus cad-ws02 gpu0 | wc -l)"
pass "echo a16 > group"

say "a change of the definition (the guest drivers' cdrom): one of each, one transaction"
cost "echo 1 >$dev/attach_guest_drivers"
check_cost libvirt_lookups=1 libvirt_get_xml=1 libvirt_defines=1 xml_parses=1 \
	xml_serialisations=1 sql_transactions=1
check_eq cdroms 1 "$(xp "$(def cad-ws02)" "count(/domain/devices/disk[@device='cdrom'])")"
pass "echo 1 > attach_guest_drivers"

say "the same value again: nothing defined, parsed, written or committed"
cost "echo 1 >$dev/attach_guest_drivers"
check_cost
pass "echo 1 > attach_guest_drivers again"

say "an option of the vGPUs: one vgpu_params write per vGPU, no define, one transaction"
cost "echo 45 >$dev/frame_rate_limit"
check_cost sysfs_writes=2 libvirt_lookups=1 sql_transactions=1
check_vgpus cad-ws02 gpu0 sim_params=frame_rate_limiter=45
cost "echo 45 >$dev/frame_rate_limit"
check_cost
pass "echo 45 > frame_rate_limit, then again"

say "a description: one transaction, nothing else"
cost "echo text >$dev/description"
check_cost sql_transactions=1
cost "echo text >$dev/description"
check_cost
pass "echo text > description, then again"

say "libvirt events our own defines cause cost nothing afterwards"
cost "sleep 1"
check_cost
pass "idle: no counter moved"

say "a live value: one sysfs read once the snapshot's 100 ms have passed, then none"
avail=gpus/0000:41:00.0/types/T4-1B/available
host_settles
cost "cat $avail >/dev/null"
check_cost sysfs_reads=1
cost "for i in 1 2 3 4 5 6 7 8 9 10; do cat $avail; done >/dev/null"
# ten reads within the bound cost none; a slow machine may cross it once (or twice)
[ "${DELTA[sysfs_reads]}" -le 2 ] || fail "ten reads of $avail: ${DELTA[sysfs_reads]} sysfs reads"
check_cost sysfs_reads='*'
pass "cat $avail"

say "attach one vGPU to a shut-off VM: one lookup, one definition, its three commits"
make_group t4 T4-1B $T4_GPUS
dev=vms/render01/devices/gpu0
cost "mkdir $dev && echo t4 >$dev/group"
check_cost sysfs_reads='*' sysfs_writes=1 libvirt_lookups=1 libvirt_get_xml=1 \
	libvirt_defines=1 xml_parses=1 xml_serialisations=1 sql_transactions=3
[ "${DELTA[sysfs_reads]}" -le 5 ] || fail "attach: ${DELTA[sysfs_reads]} sysfs reads"
cost "rmdir $dev"
check_cost sysfs_writes=1 libvirt_lookups=1 libvirt_get_xml=1 libvirt_defines=1 \
	xml_parses=1 xml_serialisations=1 sql_transactions=2
pass "mkdir + echo t4 > group, then rmdir"
