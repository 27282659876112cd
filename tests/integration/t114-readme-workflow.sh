#!/bin/bash
# The README's workflows (the ```sh blocks after "<!-- test: driver-workflow -->",
# "<!-- test: groups-workflow -->" and "<!-- test: vm-workflow -->") run as written
# against demo.host and demo-vms.xml, with the bundles the first one copies in ~/Downloads.
. "$(dirname "$0")/lib.sh"

readme=$SRC_DIR/README.md
[ -f "$readme" ] || fail "$readme does not exist: it must hold the workflows"

# extract NAME OUT: the README's block for NAME (tools/readme-block.sh).
extract() {
	"$SRC_DIR/tools/readme-block.sh" "$1" "$readme" >"$2" ||
		fail "README.md has no \`\`\`sh block after '<!-- test: $1 -->'"
	[ -s "$2" ] || fail "the $1 block in README.md is empty"
	say "$1: $(wc -l <"$2") lines"
}

# run MARKER: runs its block with set -e in the mount, as the README says.
run() {
	local rc=0
	extract "$1" "$TMP/$1.sh"
	(cd "$MNT" && HOME=$TMP/home MNT=$MNT bash -e "$TMP/$1.sh") >"$TMP/$1.log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$TMP/$1.log" >&2
		fail "the README's $1 failed (status $rc)"
	fi
	sed 's/^/  | /' "$TMP/$1.log"
	pass "README $1 ran with status 0"
}

start_sim demo.host
start_vgpufs --libvirt "test://$SRC_DIR/tools/hosts/demo-vms.xml"
mkdir -p "$TMP/home/Downloads"
cp "$(bundle "$BUNDLE_535")" "$(bundle "$BUNDLE_550")" "$TMP/home/Downloads/"
run driver-workflow
check_eq "the guest ISO render01 attaches" "$TMP/state/media/nvidia-guest-550.54.15-551.78.iso" \
	"$(sed -n "s/.*<source file='\([^']*\.iso\)'.*/\1/p" "$MNT/vms/render01/definition")"
run groups-workflow
run vm-workflow
check_eq "cad-ws01's device after the restart" attached "$(cat "$MNT/vms/cad-ws01/devices/gpu0/status")"
check_eq "vGPUs left in the sim (render01's and cad-ws01's)" 2 "$(ls "$SIM/bus/mdev/devices" | wc -l)"
check_eq "cad-ws02's device is gone" "" "$(ls "$MNT/vms/cad-ws02/devices")"

say "what it did survives a restart"
ls "$MNT/groups" >"$TMP/groups-before"
[ -s "$TMP/groups-before" ] || fail "the README workflow made no group"
for g in $(cat "$TMP/groups-before"); do
	cat "$MNT/groups/$g"/{description,driver,profile,status,gpus} >>"$TMP/before"
done
restart_vgpufs
ls "$MNT/groups" >"$TMP/groups-after"
check_file_eq "groups after restart" "$TMP/groups-before" "$TMP/groups-after"
for g in $(cat "$TMP/groups-after"); do
	cat "$MNT/groups/$g"/{description,driver,profile,status,gpus} >>"$TMP/after"
done
check_file_eq "group values after restart" "$TMP/before" "$TMP/after"
pass "persisted"
