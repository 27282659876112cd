#!/bin/bash
# Tenant shares (docs/tree.md "Tenants"): a share under tenants/T/nodes/<host>/devices/
# reserves vGPUs of a group for T without making any (the group's vgpus_free drops,
# vgpus_reserved rises), all or nothing; provider devices cannot take them; T's VMs
# draw only from T's shares, never beyond, under the share's options as defaults and
# limits (EACCES); what is in use is EBUSY; tenants/T/events is T's part of the log;
# a restart keeps it all; writers of two tenants at once never exceed a share or the group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need timeout

demo_up
cd "$MNT"

make_group t4 T4-2Q $T4_GPUS
make_group a16 A16-4Q $A16_GPUS
mkdir groups/np # no profile
F0=$(<groups/t4/vgpus_free)
U0=$(<groups/t4/vgpus_used)
[ "$F0" -ge 8 ] || fail "groups/t4/vgpus_free is $F0; this test needs at least 8"
check_val groups/t4/vgpus_reserved 0
N=$(<host/name)
S=tenants/acme/nodes/$N/devices/s1
OPTS="attach_guest_drivers frame_rate_limit disable_console_vnc enable_unified_memory enable_cuda_debuggers enable_cuda_profilers"

# vgpus_on_host: what a reservation must not change (no vGPU is made).
vgpus_on_host() { ls vgpus; ls gpus/*/vgpus; sim_mdevs; }

say "tenants/T/nodes/<host>/devices/S makes a share with the defaults of a VM device"
mkdir tenants/acme
for f in nodes shares events vms; do
	[ -e tenants/acme/$f ] || fail "tenants/acme has no $f: $(ls tenants/acme | xargs)"
done
check_eq "ls tenants/acme/nodes" "$N" "$(ls tenants/acme/nodes)"
expect_fail_errno "$EPERM" rmdir "tenants/acme/nodes/$N"
mkdir "$S" || fail "mkdir $S failed"
for f in group count description $OPTS status error; do
	[ -f "$S/$f" ] || fail "$S has no file $f: $(ls "$S" | xargs)"
done
check_val "$S/group" ""
check_val "$S/count" 1
check_val "$S/description" ""
for f in $OPTS; do check_val "$S/$f" 0; done
check_val "$S/status" unassigned
check_val groups/t4/vgpus_reserved 0
pass "share s1 with defaults"

say "setting group reserves count vGPUs, makes none; all or nothing"
before=$(vgpus_on_host)
put "$S/count" 4
check_val groups/t4/vgpus_free "$F0" # no group yet: nothing reserved
put "$S/group" t4
check_val "$S/status" reserved
check_val groups/t4/vgpus_free $((F0 - 4))
check_val groups/t4/vgpus_reserved 4
check_val groups/t4/vgpus_used "$U0"
check_eq "vgpus/, gpus/*/vgpus and the host's mdevs after reserving" "$before" "$(vgpus_on_host)"
put "$S/count" 6
check_val groups/t4/vgpus_free $((F0 - 6))
check_val groups/t4/vgpus_reserved 6
put "$S/count" 4
check_val groups/t4/vgpus_free $((F0 - 4))
put_refused "$ENOSPC" "$S/count" $((F0 + 1))
check_val "$S/count" 4
check_val groups/t4/vgpus_free $((F0 - 4))
check_val groups/t4/vgpus_reserved 4
mkdir "tenants/acme/nodes/$N/devices/s2"
put_refused "$ENOENT" "tenants/acme/nodes/$N/devices/s2/group" nosuch
put_refused "$EINVAL" "tenants/acme/nodes/$N/devices/s2/group" np
check_val "tenants/acme/nodes/$N/devices/s2/status" unassigned
rmdir "tenants/acme/nodes/$N/devices/s2"
check_eq "vgpus/, gpus/*/vgpus and the host's mdevs" "$before" "$(vgpus_on_host)"
pass "4 reserved, ENOSPC/ENOENT/EINVAL refused"

say "the group lists the share; tenants/T/shares/S; a group a share names stays"
link="tenant=acme:node=$N:share=s1"
check_eq "ls groups/t4/devices" "$link" "$(ls groups/t4/devices)"
check_eq "groups/t4/devices/$link" "../../../tenants/acme/nodes/$N/devices/s1" "$(readlink "groups/t4/devices/$link")"
check_val "groups/t4/devices/$link/count" 4
check_eq "ls tenants/acme/shares" s1 "$(ls tenants/acme/shares)"
check_val tenants/acme/shares/s1/group t4
check_val tenants/acme/shares/s1/profile T4-2Q
check_val tenants/acme/shares/s1/vgpus_total 4
check_val tenants/acme/shares/s1/vgpus_used 0
check_val tenants/acme/shares/s1/vgpus_free 4
expect_fail_errno "$EBUSY" rmdir groups/t4
[ -d groups/t4 ] || fail "groups/t4 was removed while share s1 names it"
check_grep s1 groups/t4/error
put_refused "$EBUSY" groups/t4/profile T4-4Q
check_grep s1 groups/t4/error
pass "groups/t4/devices, tenants/acme/shares/s1, EBUSY"

say "provider devices cannot take the reserved vGPUs"
mkdir vms/cad-ws02/devices/p0 vms/vdi-pool01/devices/p1
put vms/cad-ws02/devices/p0/count "$(<groups/t4/vgpus_free)"
put vms/cad-ws02/devices/p0/group t4
check_val groups/t4/vgpus_free 0
check_val profiles/T4-2Q/available 4 # the host could still make the 4 reserved
put_refused "$ENOSPC" vms/vdi-pool01/devices/p1/group t4
put_refused "$ENOSPC" vms/cad-ws02/devices/p0/count $((F0 - 3))
put_refused "$ENOENT" vms/vdi-pool01/devices/p1/group s1 # a share is no provider group
put vms/cad-ws02/devices/p0/group ""
check_val groups/t4/vgpus_free $((F0 - 4))
pass "ENOSPC for a provider device once only reserved vGPUs are left"

say "the share's options, set while unused"
put "$S/enable_unified_memory" 1
put "$S/disable_console_vnc" 1
put "$S/frame_rate_limit" 30
put "$S/attach_guest_drivers" 0
check_val "$S/enable_unified_memory" 1
check_val "$S/disable_console_vnc" 1
check_val "$S/frame_rate_limit" 30
pass "options set"

say "a tenant VM's device draws from the tenant's share, never beyond"
put vms/render01/tenant acme
d=vms/render01/devices/d
mkdir $d
put_refused "$ENOENT" $d/group t4
check_grep "no share named" $d/error
put_refused "$ENOENT" $d/group nosuch
put $d/count 2
put $d/group s1
check_val $d/status allocated
check_eq "vGPUs of $d" 2 "$(dev_vgpus render01 d | wc -l)"
check_vgpus render01 d profile=T4-2Q tenant=acme vm=render01
for u in $(dev_vgpus render01 d); do
	grep -qw -- "$(<vgpus/$u/gpu)" <<<"$T4_GPUS" || fail "vgpus/$u/gpu is $(<vgpus/$u/gpu), not a T4 of t4"
done
check_val tenants/acme/shares/s1/vgpus_used 2
check_val tenants/acme/shares/s1/vgpus_free 2
check_val groups/t4/vgpus_free $((F0 - 4)) # already counted as reserved
check_val groups/t4/vgpus_used $((U0 + 2))
put_refused "$ENOSPC" $d/count 5
check_val tenants/acme/shares/s1/vgpus_used 2
mkdir vms/render01/devices/d2
put vms/render01/devices/d2/count 3
put_refused "$ENOSPC" vms/render01/devices/d2/group s1
rmdir vms/render01/devices/d2
check_val tenants/acme/shares/s1/vgpus_used 2
pass "2 of the share's 4 allocated; ENOENT for a provider group, ENOSPC beyond the share"

say "the share's options are the device's defaults and limits (EACCES)"
check_val $d/enable_unified_memory 1
check_val $d/disable_console_vnc 1
check_val $d/frame_rate_limit 30
check_val $d/attach_guest_drivers 0
check_vgpus render01 d sim_params="frame_rate_limiter=30, disable_vnc=1, enable_uvm=1"
put_refused "$EACCES" $d/enable_cuda_debuggers 1
[ -n "$(<$d/error)" ] || fail "$d/error is empty after an EACCES"
put_refused "$EACCES" $d/disable_console_vnc 0
put_refused "$EACCES" $d/frame_rate_limit 0
put_refused "$EACCES" $d/frame_rate_limit 31
put_refused "$EACCES" $d/attach_guest_drivers 1
check_grep "$d: refused \(EACCES\): " events
put $d/frame_rate_limit 15
check_val $d/frame_rate_limit 15
check_vgpus render01 d sim_params="frame_rate_limiter=15, disable_vnc=1, enable_uvm=1"
pass "defaults taken, limits enforced"

say "what a tenant device uses is EBUSY"
put_refused "$EBUSY" "$S/count" 1
put_refused "$EBUSY" "$S/group" a16
put_refused "$EBUSY" "$S/enable_unified_memory" 0
check_grep render01 "$S/error"
expect_fail_errno "$EBUSY" rmdir "$S"
[ -d "$S" ] || fail "$S was removed while $d draws from it"
check_grep render01 "$S/error"
expect_fail_errno "$EBUSY" rmdir tenants/acme
check_grep "s1|render01" tenants/acme/error
put_refused "$EBUSY" vms/render01/tenant ""
check_val "$S/count" 4
check_val $d/status allocated
pass "EBUSY for count, group, an option, rmdir, the tenant and the VM's owner"

say "tenants/T/events is T's part of the log"
mkdir tenants/umbrella "tenants/umbrella/nodes/$N/devices/u1"
put "tenants/umbrella/nodes/$N/devices/u1/group" t4
put vms/cad-ws02/devices/p0/description "provider device"
te=tenants/acme/events
check_grep "tenants/acme/nodes/$N/devices/s1" $te
check_grep "vms/render01/devices/d" $te
check_grep "$d: refused \(EACCES\)" $te
grep -q umbrella $te && fail "$te has lines about tenant umbrella: $(grep umbrella $te | head -n 3)"
awk '{ print $2 }' $te | grep -E '^(groups|gpus|profiles|host)/|^vms/(cad-ws02|vdi-pool01)' &&
	fail "$te has lines about provider objects (above)"
missing=$(grep -Fxv -f events $te || true)
[ -z "$missing" ] || fail "lines of $te that events lacks: $(head -n 3 <<<"$missing")"
for re in "tenants/umbrella/nodes/$N/devices/u1" "vms/cad-ws02/devices/p0" "groups/t4" \
	"tenants/acme/nodes/$N/devices/s1" "vms/render01/devices/d"; do
	check_grep "$re" events
done
rmdir "tenants/umbrella/nodes/$N/devices/u1" tenants/umbrella
check_val groups/t4/vgpus_reserved 4
pass "acme's lines only, and all of them in /vgpu/events"

say "a restart keeps the share, the reservation and the tenant device's vGPUs"
# (The test driver rebuilds its domains from the file: vgpufs re-applies its own.)
snapshot() {
	tree_snapshot "$MNT/tenants" "$MNT/groups" "$MNT/vms/render01/devices" "$MNT/vgpus"
	cat "$MNT/vms/render01/tenant"
	sim_mdevs
}
uuids=$(dev_vgpus render01 d)
snapshot >"$TMP/before"
restart_vgpufs
snapshot >"$TMP/after"
check_file_eq "tenants/, groups/, render01's devices, vgpus/ after a restart" "$TMP/before" "$TMP/after"
check_eq "vGPUs of $d after a restart" "$uuids" "$(dev_vgpus render01 d)"
check_val "$S/status" reserved
check_val groups/t4/vgpus_reserved 4
check_val tenants/acme/shares/s1/vgpus_used 2
pass "persisted"

say "freeing: the device lets go, then the share goes"
put $d/group ""
check_val tenants/acme/shares/s1/vgpus_used 0
check_val tenants/acme/shares/s1/vgpus_free 4
check_val groups/t4/vgpus_used "$U0"
check_val groups/t4/vgpus_free $((F0 - 4))
rmdir "$S" || fail "rmdir $S failed once unused: $(<"$S/error")"
check_val groups/t4/vgpus_reserved 0
check_val groups/t4/vgpus_free "$F0"
check_eq "ls groups/t4/devices" "" "$(ls groups/t4/devices)"
check_eq "ls tenants/acme/shares" "" "$(ls tenants/acme/shares)"
rmdir $d
put vms/render01/tenant ""
rmdir tenants/acme || fail "rmdir tenants/acme failed once it holds nothing: $(<tenants/acme/error)"
pass "freed"

say "concurrency: two tenants' writers at once never exceed a share or the group"
rmdir vms/cad-ws02/devices/p0 vms/vdi-pool01/devices/p1
F=$(<groups/t4/vgpus_free)
P=$((F / 4))
SA=$(((F - P) / 2))
SB=$((F - P - SA))
mkdir tenants/alpha tenants/beta
put vms/vdi-pool01/tenant alpha
put vms/cad-ws02/tenant beta
declare -A VM=([alpha]=vdi-pool01 [beta]=cad-ws02) CNT=([alpha]=$SA [beta]=$SB)
for t in alpha beta; do
	mkdir "tenants/$t/nodes/$N/devices/sh"
	put "tenants/$t/nodes/$N/devices/sh/count" "${CNT[$t]}"
	put "tenants/$t/nodes/$N/devices/sh/group" t4
	mkdir vms/${VM[$t]}/devices/g{1..4}
done
mkdir vms/render01/devices/p
put vms/render01/devices/p/count "$P"
put vms/render01/devices/p/group t4
check_val groups/t4/vgpus_free 0

# writer VM DEV IDX TOTAL: group sh and counts in a loop (device 4 sometimes asks
# TOTAL + 1); each refused write goes to $TMP/refused-VM-DEV with its message.
writer() {
	local dir=vms/$1/devices/$2 log=$TMP/refused-$1-$2 i c
	try() { { printf '%s\n' "$2" >"$dir/$1"; } 2>>"$log" || true; }
	for i in $(seq 12); do
		c=$(((i + $3) % 4 + 1))
		[ "$3" = 4 ] && [ $((i % 3)) = 0 ] && c=$(($4 + 1))
		try count $c
		try group sh
		[ $(((i + $3) % 3)) = 0 ] && try group ""
	done
	return 0
}
# sampler: while the writers run, no share reads more used than its total.
sampler() {
	while :; do
		for t in alpha beta; do
			u=$(<tenants/$t/shares/sh/vgpus_used)
			[ "$u" -le "${CNT[$t]}" ] || echo "tenants/$t/shares/sh/vgpus_used read $u"
		done
	done
}
sampler >"$TMP/over" 2>&1 &
sampler_pid=$!
HELPER_PIDS="$HELPER_PIDS $sampler_pid" # killed at exit if a check fails first
pids=
for t in alpha beta; do
	for i in 1 2 3 4; do
		writer "${VM[$t]}" g$i $i "${CNT[$t]}" &
		pids="$pids $!"
	done
done
for pid in $pids; do
	timeout 120 tail --pid="$pid" -f /dev/null || fail "a writer is still running after 120 s: deadlock?"
	wait "$pid"
done
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
[ ! -s "$TMP/over" ] || fail "while the writers ran: $(head -n 3 "$TMP/over")"
others=$(cat "$TMP"/refused-* | grep -v "$ENOSPC" || true)
[ -z "$others" ] || fail "writers refused with something else than ENOSPC: $(head -n 5 <<<"$others")"
used_all=0
for t in alpha beta; do
	grep -q "$ENOSPC" "$TMP"/refused-${VM[$t]}-g* || fail "no writer of $t got ENOSPC"
	used=$(<tenants/$t/shares/sh/vgpus_used)
	check_val tenants/$t/shares/sh/vgpus_total "${CNT[$t]}"
	[ "$used" -le "${CNT[$t]}" ] || fail "share of $t: vgpus_used $used > vgpus_total ${CNT[$t]}"
	check_val tenants/$t/shares/sh/vgpus_free $((${CNT[$t]} - used))
	sum=0
	for i in 1 2 3 4; do
		n=$(dev_vgpus "${VM[$t]}" g$i | wc -l)
		if [ -n "$(<vms/${VM[$t]}/devices/g$i/group)" ]; then
			check_eq "vGPUs of ${VM[$t]}/g$i" "$(<vms/${VM[$t]}/devices/g$i/count)" "$n"
		else
			check_eq "vGPUs of ${VM[$t]}/g$i (no group)" 0 "$n"
		fi
		sum=$((sum + n))
	done
	check_eq "vGPUs of ${VM[$t]}'s devices vs the share's vgpus_used" "$used" "$sum"
	used_all=$((used_all + used))
done
gu=$(<groups/t4/vgpus_used) gf=$(<groups/t4/vgpus_free) gt=$(<groups/t4/vgpus_total)
check_val groups/t4/vgpus_reserved $((SA + SB))
check_eq "groups/t4/vgpus_used (provider + shares)" $((P + used_all)) "$gu"
check_eq "vGPUs on the host" "$gu" "$(sim_vgpu_count)"
unused=$((SA + SB - used_all))
[ $((gu + gf + unused)) -le "$gt" ] ||
	fail "groups/t4: used $gu + free $gf + unused reservations $unused > total $gt"
check_consistent
pass "$(cat "$TMP"/refused-* | wc -l) writes refused with ENOSPC; shares and group within bounds"
stop_vgpufs
