#!/bin/bash
# Every acknowledged write is in the database when write(2) returns: it
# survives a clean restart and a kill -9, and the database stays sound.
. "$(dirname "$0")/lib.sh"
need sqlite3

start_sim demo.host
start_vgpufs
M=$MNT

# configure: one of everything the daemon stores.
configure() {
	mkdir "$M/groups/a16" "$M/groups/t4" "$M/groups/gone"
	put "$M/gpus/0000:43:00.0/group" a16
	put "$M/gpus/0000:44:00.0/group" a16
	put "$M/groups/a16/description" "A16 pool ✓"
	put "$M/groups/a16/class" desktop
	put "$M/groups/a16/driver" 550.54.16
	put "$M/groups/a16/profile" A16-2Q
	upload_iso a16-guest.iso
	upload_bundle "$BUNDLE_550"
	put "$M/groups/a16/make_guest_iso" yes
	put "$M/groups/a16/driver_iso" a16-guest.iso # by hand: make_guest_iso goes back to 0
	put "$M/groups/a16/policy" breadth-first
	mkdir "$M/groups/t4/rules/t4s"
	put "$M/groups/t4/rules/t4s/device" 1EB8
	put "$M/groups/t4/rules/t4s/slot" '4[12]:00.0'
	put "$M/groups/t4/rules/t4s/node" ""
	mkdir "$M/groups/t4/rules/off"
	put "$M/groups/t4/rules/off/enabled" false
	# t4: a driver that is not the running one, named by its bundle, and a guest ISO
	# made from that bundle with a licence token in it
	upload_bundle "$BUNDLE_535"
	put "$M/groups/t4/driver" "$BUNDLE_535"
	echo "synthetic client configuration token" >"$M/media/t4.tok"
	put "$M/groups/t4/client_token" t4.tok
	put "$M/groups/t4/make_guest_iso" yes
	wait_until 30 "groups/t4/iso_status ready" reads "$M/groups/t4/iso_status" ready
	put "$M/host/maintenance" on
	rmdir "$M/groups/gone"
}

# snapshot: every group, rule and host value, as "path=value" lines.
snapshot() {
	local f
	(cd "$M" && for f in host/maintenance host/reboot_required host/pending_driver gpus/*/group \
		groups/*/{description,class,driver,profile,make_guest_iso,driver_iso,client_token} \
		groups/*/{iso_status,policy,status,gpus,vgpus_total} \
		groups/*/rules/*/{node,vendor,device,slot,enabled,gpus} media-info/*/{size,sha256,used_by}; do
		printf '%s=%s\n' "$f" "$(cat "$f" | tr '\n' ' ')"
	done; ls groups groups/*/rules media)
}

say "configure, then a clean restart"
configure
snapshot >"$TMP/before"
check_grep '^groups/a16/status=ready $' "$TMP/before"
check_grep '^groups/a16/make_guest_iso=0 $' "$TMP/before"
check_grep '^groups/a16/driver_iso=a16-guest.iso $' "$TMP/before"
check_grep '^groups/a16/client_token= $' "$TMP/before"
check_grep '^groups/t4/gpus=0000:41:00.0 0000:42:00.0 $' "$TMP/before"
check_grep '^groups/t4/driver=535.161.05 $' "$TMP/before"
check_grep '^groups/t4/make_guest_iso=1 $' "$TMP/before"
check_grep '^groups/t4/driver_iso=nvidia-guest-535.161.08-538.46-[0-9a-f]{8}.iso $' "$TMP/before"
check_grep '^groups/t4/client_token=t4.tok $' "$TMP/before"
check_grep '^groups/t4/iso_status=ready $' "$TMP/before"
check_grep '^host/pending_driver=535.161.05 $' "$TMP/before"
quit_vgpufs
check_db
start_vgpufs
snapshot >"$TMP/after-restart"
check_file_eq "everything after a restart" "$TMP/before" "$TMP/after-restart"
pass "clean restart"

say "kill -9 right after the writes returned"
put "$M/groups/a16/description" "written just before kill -9"
put "$M/groups/t4/rules/off/enabled" 1
put "$M/groups/t4/rules/off/slot" 0000:48:00.0
mkdir "$M/groups/late"
put "$M/groups/late/description" late
put "$M/groups/late/driver_iso" a16-guest.iso
put "$M/groups/t4/client_token" ""
wait_until 30 "groups/t4/iso_status ready (no token)" reads "$M/groups/t4/iso_status" ready
snapshot >"$TMP/before-kill"
kill9_vgpufs
check_db
start_vgpufs
snapshot >"$TMP/after-kill"
check_file_eq "everything after kill -9" "$TMP/before-kill" "$TMP/after-kill"
check_val "$M/groups/a16/description" "written just before kill -9"
check_val "$M/groups/late/description" late
check_val "$M/groups/late/driver_iso" a16-guest.iso
check_val "$M/groups/t4/client_token" ""
check_val "$M/groups/t4/driver_iso" nvidia-guest-535.161.08-538.46.iso
pass "kill -9"

say "the database passes integrity_check while the daemon runs"
check_db
pass "integrity_check"
