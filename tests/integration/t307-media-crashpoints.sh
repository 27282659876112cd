#!/bin/bash
# kill -9 at each crash point of a media upload and of a guest-ISO build
# (VGPUFS_CRASHPOINT), then a restart: media/ and media-info/ agree, nothing is
# left in <state>/uploads, an upload cut off before its rename is not there,
# and a group that asked for a guest ISO gets it.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
store=$TMP/state

# consistent: the published files are exactly media-info/'s, and no upload or
# ISO being built is left.
consistent() {
	check_eq "media/ vs media-info/" "$(ls "$MNT/media")" "$(ls "$MNT/media-info")"
	check_eq "media/ vs the store" "$(ls "$MNT/media")" "$(ls "$store/media")"
	check_eq "uploads left" "" "$(ls "$store/uploads" | grep -vx tmp || true)"
}

# crashed POINT: restart with the crash point set, for the next change to hit.
crashed() {
	quit_vgpufs
	VGPUFS_CRASHPOINT=$1 start_vgpufs
}

say "an upload killed between its row and its rename"
crashed media-row-committed
cp "$(bundle "$BUNDLE_535")" "$MNT/media/" 2>/dev/null &&
	fail "cp succeeded with VGPUFS_CRASHPOINT=media-row-committed"
reap_vgpufs
start_vgpufs
consistent
[ ! -e "$MNT/media/$BUNDLE_535" ] || fail "an upload cut off before its rename is in media/"
check_eq "drivers/" "550.54.16" "$(ls "$MNT/drivers" | grep -v compatible)"
upload_bundle "$BUNDLE_535"
check_val "$MNT/media-info/$BUNDLE_535/state" ok
pass "media-row-committed: not there after the restart; uploaded again fine"

for point in iso-built iso-row-committed iso-published; do
	say "a guest ISO build killed at $point"
	crashed $point
	mkdir "$MNT/groups/$point"
	put "$MNT/groups/$point/driver" 535.161.05
	echo 1 >"$MNT/groups/$point/make_guest_iso"
	reap_vgpufs
	start_vgpufs
	wait_until 20 "the guest ISO of groups/$point" \
		reads "$MNT/groups/$point/iso_status" ready
	check_val "$MNT/groups/$point/driver_iso" nvidia-guest-535.161.08-538.46.iso
	check_val "$MNT/media-info/nvidia-guest-535.161.08-538.46.iso/state" ok
	check_eq "sha256 of the ISO" "$(sha256sum <"$MNT/media/nvidia-guest-535.161.08-538.46.iso" | cut -d' ' -f1)" \
		"$(cat "$MNT/media-info/nvidia-guest-535.161.08-538.46.iso/sha256")"
	consistent
	rmdir "$MNT/groups/$point" # its ISO goes with it
	wait_until 5 "the unused ISO removed" test ! -e "$MNT/media/nvidia-guest-535.161.08-538.46.iso"
	pass "$point: the ISO is built after the restart, and goes with its group"
done
stop_vgpufs
