#!/bin/bash
# make_guest_iso builds an ISO of the guest drivers of the group's driver
# bundle into media/ (Joliet and Rock Ridge, the bundle's bytes), points
# driver_iso at it, does not build it again for nothing, builds another when
# the driver or the client token changes and removes the one no group uses;
# a hand-picked driver_iso stops the group making one.
. "$(dirname "$0")/lib.sh"

need bsdtar isoinfo xorriso unzip

start_sim demo.host
start_vgpufs
cd "$MNT"
store=$TMP/state/media
g=groups/g

ISO535=nvidia-guest-535.161.08-538.46.iso
ISO550=nvidia-guest-550.54.15-551.78.iso
listed() { ls -A media | grep -Fxq -- "$1"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# wait_ready GROUP: its iso_status goes to ready within 10 s (from building).
wait_ready() {
	local st
	st=$(cat "groups/$1/iso_status")
	case $st in building | ready) ;; *) fail "groups/$1/iso_status: '$st' after make_guest_iso=1 ($(cat "groups/$1/iso_error"))" ;; esac
	wait_until 10 "groups/$1/iso_status ready ($(cat "groups/$1/iso_error"))" reads "groups/$1/iso_status" ready
	check_val "groups/$1/iso_error" ""
}
# fingerprint NAME: what changes when the file is written again: the store's
# inode, mtime (ns) and the digest.
fingerprint() { stat -c '%i %y' "$store/$1" && sha "$store/$1"; }
building_events() { grep -c "media/$1: building the guest ISO" events || true; }
# iso_names ISO: the regular files' names in each tree of the image, each
# list sorted: bsdtar, the Joliet tree (isoinfo -J), the Rock Ridge tree
# (isoinfo -R -l) and xorriso's view.
tree_bsdtar() { bsdtar -tf "$1" | grep -v '/$' | grep -vx '\.' | grep -v '^ClientConfigToken$' | sort; }
tree_joliet() { isoinfo -J -f -i "$1" | sed 's|^/||' | grep -v '^ClientConfigToken$' | sort; }
tree_rr() { isoinfo -R -l -i "$1" | awk '/^Directory listing of/ { dir = $4; sub("^/", "", dir) } /^-/ { print dir $NF }' | sort; }
tree_xorriso() { xorriso -abort_on FAILURE -indev "$1" -find / -type f 2>/dev/null | sed -n "s|^'/\\(.*\\)'\$|\\1|p" | sort; }
# check_iso ISO BUNDLE VERSION [TOKEN]: the image holds exactly the
# basenames of drivers/VERSION/guest_files with the bundle's bytes (and
# ClientConfigToken/<TOKEN> with the token's bytes), in every tree.
check_iso() {
	local iso=$1 zip=$2 v=$3 tok=${4:-} want t m
	want=$(sed 's|.*/||' "drivers/$v/guest_files"; [ -z "$tok" ] || echo "ClientConfigToken/$tok")
	want=$(sort <<<"$want")
	[ "$(wc -l <<<"$want")" -ge 4 ] || fail "drivers/$v/guest_files lists fewer than 4 files"
	for t in bsdtar joliet rr xorriso; do
		check_eq "files of $(basename "$iso") ($t)" "$want" "$("tree_$t" "$iso")"
	done
	while read -r m; do
		cmp -s <(bsdtar -xOf "$iso" "${m##*/}") <(unzip -p "$zip" "$m") ||
			fail "${m##*/} in $(basename "$iso") differs from $m in $(basename "$zip")"
	done <"drivers/$v/guest_files"
	if [ -n "$tok" ]; then
		cmp -s <(bsdtar -xOf "$iso" "ClientConfigToken/$tok") "media/$tok" ||
			fail "ClientConfigToken/$tok in $(basename "$iso") differs from media/$tok"
	fi
	isoinfo -d -i "$iso" >"$TMP/isoinfo-d"
	grep -q '^Joliet with UCS level 3 found' "$TMP/isoinfo-d" || fail "$(basename "$iso"): no Joliet: $(cat "$TMP/isoinfo-d")"
	grep -q '^Rock Ridge signatures' "$TMP/isoinfo-d" || fail "$(basename "$iso"): no Rock Ridge: $(cat "$TMP/isoinfo-d")"
	grep -q '^Volume id: NVIDIA_GUEST' "$TMP/isoinfo-d" || fail "$(basename "$iso"): volume id: $(grep 'Volume id' "$TMP/isoinfo-d")"
}
# check_generated NAME GROUP: an ISO the daemon made, 0644, described, used
# by GROUP's driver_iso.
check_generated() {
	listed "$1" || fail "media/$1 is not listed: $(ls media)"
	check_eq "mode of media/$1" 644 "$(stat -c %a "media/$1")"
	check_eq "mode of $store/$1" 644 "$(stat -c %a "$store/$1")"
	check_val "media-info/$1/kind" iso
	check_val "media-info/$1/state" ok
	check_val "media-info/$1/sha256" "$(sha "media/$1")"
	check_grep "^groups/$2 driver_iso\$" "media-info/$1/used_by"
}

upload_bundle "$BUNDLE_535"
upload_bundle "$BUNDLE_550"
B535=$(bundle "$BUNDLE_535")
B550=$(bundle "$BUNDLE_550")
mkdir $g

say "make_guest_iso=1: the ISO is built, listed and becomes driver_iso"
check_val $g/iso_status none
put $g/driver 535.161.05
put $g/make_guest_iso 1
check_val $g/make_guest_iso 1
wait_ready g
check_val $g/driver_iso "$ISO535"
check_generated "$ISO535" g
check_grep "^$EVENT_TIME media/$ISO535: building the guest ISO\$" events
check_grep "^$EVENT_TIME media/$ISO535: guest ISO built \([0-9]+ bytes\)\$" events
check_grep "^$EVENT_TIME groups/g/driver_iso = $ISO535" events
pass "built"

say "the image: Joliet and Rock Ridge, the guest files by their names, the bundle's bytes"
check_iso "media/$ISO535" "$B535" 535.161.05
exe=$(sed -n 's|.*/\(.*\.exe\)$|\1|p' drivers/535.161.05/guest_files)
[ "${#exe}" -gt 64 ] || fail "the Windows driver's name is only ${#exe} characters (Joliet's plain limit is 64): $exe"
isoinfo -J -f -i "media/$ISO535" | grep -Fxq "/$exe" || fail "the Joliet tree lacks /$exe: $(isoinfo -J -f -i "media/$ISO535")"
pass "image contents"

say "idempotent: make_guest_iso=1 again, and a restart, build nothing"
fp=$(fingerprint "$ISO535")
n=$(building_events "$ISO535")
put $g/make_guest_iso 1
sleep 0.5 # a build, if one were started, would show by then
check_val $g/iso_status ready
check_eq "building events after make_guest_iso=1 again" "$n" "$(building_events "$ISO535")"
check_eq "the ISO after make_guest_iso=1 again" "$fp" "$(fingerprint "$ISO535")"
restart_vgpufs
sleep 0.5
check_val $g/iso_status ready
check_val $g/driver_iso "$ISO535"
check_eq "building events after a restart" 0 "$(building_events "$ISO535")"
check_eq "the ISO after a restart" "$fp" "$(fingerprint "$ISO535")"
check_generated "$ISO535" g
pass "no rebuild"

say "a generated ISO a group uses cannot be removed"
expect_fail_errno "$EBUSY" rm "media/$ISO535"
check_grep "groups/g" "media-info/$ISO535/error"
pass "EBUSY"

say "another driver: a new ISO, driver_iso follows, the old one goes"
put $g/driver "$BUNDLE_550"
check_val $g/driver 550.54.16
wait_ready g
check_val $g/driver_iso "$ISO550"
check_generated "$ISO550" g
check_iso "media/$ISO550" "$B550" 550.54.16
wait_until 5 "media/$ISO535 removed" eval '! listed "$ISO535"'
[ -e "$store/$ISO535" ] && fail "$ISO535 still in the store"
check_grep "^$EVENT_TIME media/$ISO535 removed: no group uses this guest ISO\$" events
pass "driver change"

say "two groups share an ISO: it stays while one of them uses it"
mkdir groups/h
put groups/h/driver 550.54.16
n=$(building_events "$ISO550")
put groups/h/make_guest_iso 1
check_val groups/h/iso_status ready
check_val groups/h/driver_iso "$ISO550"
check_eq "building events for a shared ISO" "$n" "$(building_events "$ISO550")"
check_list "media-info/$ISO550/used_by" "groups/g driver_iso
groups/h driver_iso"
put $g/driver 535.161.05
wait_ready g
check_val $g/driver_iso "$ISO535"
check_generated "$ISO535" g
sleep 0.3
listed "$ISO550" || fail "media/$ISO550 removed while groups/h uses it"
check_list "media-info/$ISO550/used_by" "groups/h driver_iso"
put groups/h/make_guest_iso 0
check_val groups/h/iso_status none
check_val groups/h/driver_iso "$ISO550"
put groups/h/driver_iso ""
wait_until 5 "media/$ISO550 removed once unused" eval '! listed "$ISO550"'
rmdir groups/h
pass "shared ISO"

say "client_token: the token goes into a new ISO; removing it goes back"
head -c 300 /dev/urandom >"$TMP/site.tok"
cp "$TMP/site.tok" media/
put_refused "$ENOENT" $g/client_token missing.tok
put_refused "$EINVAL" $g/client_token "$BUNDLE_535"
upload_iso notes.iso
put_refused "$EINVAL" $g/client_token notes.iso
put $g/client_token site.tok
wait_ready g
tokiso=$(cat $g/driver_iso)
check_eq "ISO name with a token" "nvidia-guest-535.161.08-538.46-$(sha "$TMP/site.tok" | cut -c1-8).iso" "$tokiso"
check_generated "$tokiso" g
check_iso "media/$tokiso" "$B535" 535.161.05 site.tok
isoinfo -J -f -i "media/$tokiso" | grep -Fxq /ClientConfigToken/site.tok || fail "no /ClientConfigToken/site.tok in the Joliet tree"
wait_until 5 "media/$ISO535 removed once the token ISO is used" eval '! listed "$ISO535"'
check_list media-info/site.tok/used_by "groups/g client_token"
expect_fail_errno "$EBUSY" rm media/site.tok
check_grep "groups/g" media-info/site.tok/error
put $g/client_token ""
wait_ready g
check_val $g/driver_iso "$ISO535"
check_generated "$ISO535" g
check_iso "media/$ISO535" "$B535" 535.161.05
wait_until 5 "media/$tokiso removed once unused" eval '! listed "$tokiso"'
rm media/site.tok
pass "client_token"

say "driver_iso by hand: a missing file ENOENT, a zip EINVAL, an ISO stops make_guest_iso"
put_refused "$ENOENT" $g/driver_iso missing.iso
put_refused "$EINVAL" $g/driver_iso "$BUNDLE_535"
check_val $g/driver_iso "$ISO535"
check_val $g/make_guest_iso 1
cp "$B535" media/bundle-renamed.iso
check_val media-info/bundle-renamed.iso/kind iso
grep -q '^invalid: ' media-info/bundle-renamed.iso/state ||
	fail "media-info/bundle-renamed.iso/state: $(cat media-info/bundle-renamed.iso/state)"
put_refused "$EINVAL" $g/driver_iso bundle-renamed.iso
check_val $g/make_guest_iso 1
put $g/driver_iso notes.iso
check_val $g/driver_iso notes.iso
check_val $g/make_guest_iso 0
check_val $g/iso_status none
wait_until 5 "media/$ISO535 removed once the group picked its own ISO" eval '! listed "$ISO535"'
[ -e "$store/$ISO535" ] && fail "$ISO535 still in the store"
listed notes.iso || fail "the uploaded notes.iso went"
check_list media-info/notes.iso/used_by "groups/g driver_iso"
pass "driver_iso by hand"

say "after a restart, a generated ISO is still known as generated"
put $g/make_guest_iso 1
wait_ready g
check_val $g/driver_iso "$ISO535"
restart_vgpufs
put $g/driver_iso notes.iso
wait_until 5 "media/$ISO535 removed after a restart" eval '! listed "$ISO535"'
listed notes.iso || fail "notes.iso went"
pass "restart"

say "no guest files to put in an ISO: EINVAL"
printf 'host only\n' >"$TMP/NVIDIA-Linux-x86_64-525.85.07-vgpu-kvm.run"
cp "$TMP/NVIDIA-Linux-x86_64-525.85.07-vgpu-kvm.run" media/
check_list drivers/525.85.07/guest_files ""
mkdir groups/n
put groups/n/driver 525.85.07
put_refused "$EINVAL" groups/n/make_guest_iso 1
check_grep "525\.85\.07" groups/n/error
put groups/n/driver ""
put_refused "$EINVAL" groups/n/make_guest_iso 1
check_val groups/n/make_guest_iso 0
check_val groups/n/iso_status none
# and a group that makes one cannot switch to such a driver, or to none
put $g/make_guest_iso 1
wait_ready g
put_refused "$EINVAL" $g/driver 525.85.07
put_refused "$EINVAL" $g/driver ""
check_val $g/driver 535.161.05
rmdir groups/n
pass "no guest files"

stop_vgpufs
