#!/bin/bash
# A group that cannot hold `count` vGPUs refuses with ENOSPC, says how many
# are free, and makes nothing: allocation is all or nothing, also in the DB.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "group a16: two A16 with A16-8Q, two per GPU"
make_group a16 A16-8Q 0000:43:00.0 0000:44:00.0
check_val groups/a16/vgpus_free 4
mkdir vms/cad-ws02/devices/gpu0
echo 3 >vms/cad-ws02/devices/gpu0/count
echo a16 >vms/cad-ws02/devices/gpu0/group
check_val groups/a16/vgpus_free 1
pass "3 of 4 allocated"

snapshot() {
	sim_snapshot
	echo "--- tree"
	tree_vgpus
	cat groups/a16/vgpus_used groups/a16/vgpus_free vms/render01/definition
	grep -v '^#' vms/cad-ws02/definition
}

say "2 more than the 1 free: ENOSPC, the reason in error, nothing made"
dev=vms/render01/devices/gpu0
mkdir $dev
echo 2 >$dev/count
snapshot >"$TMP/before"
put_refused "$ENOSPC" $dev/group a16
grep -q "1 free" $dev/error || fail "$dev/error does not say how many are free: $(cat $dev/error)"
grep -Eq "$dev: refused \(ENOSPC\): .*1 free" events || fail "no ENOSPC line in events: $(tail -n 3 events)"
check_val $dev/status unassigned
check_val $dev/count 2
check_eq "ls $dev/vgpus" "" "$(ls $dev/vgpus)"
snapshot >"$TMP/after"
check_file_eq "simulator, vgpus/ and definitions after ENOSPC" "$TMP/before" "$TMP/after"
pass "refused, nothing made"

say "raising count past the room of an allocated device: ENOSPC, count kept"
put_refused "$ENOSPC" vms/cad-ws02/devices/gpu0/count 5
check_val vms/cad-ws02/devices/gpu0/status allocated
snapshot >"$TMP/after"
check_file_eq "after the refused count" "$TMP/before" "$TMP/after"
pass "count refused"

say "the same after a restart: the refusals left nothing in the database"
# (The test driver rebuilds the domains from its file on a restart, so only
# what vgpufs re-applies from its database is compared.)
recovered() {
	sim_snapshot
	echo "--- tree"
	tree_vgpus
	cat groups/a16/vgpus_used groups/a16/vgpus_free
	def_mdevs render01
	echo "--- cad-ws02"
	def_mdevs cad-ws02
	def_owned cad-ws02 gpu0
}
recovered >"$TMP/before"
restart_vgpufs
check_val $dev/group ""
check_val $dev/status unassigned
check_val vms/cad-ws02/devices/gpu0/count 3
recovered >"$TMP/after"
check_file_eq "after restart" "$TMP/before" "$TMP/after"
pass "database unchanged"

say "the 1 that is free can still be had"
echo 1 >$dev/count
echo a16 >$dev/group
check_val $dev/status allocated
check_val groups/a16/vgpus_free 0
pass "exact fit"
