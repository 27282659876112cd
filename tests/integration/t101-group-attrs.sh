#!/bin/bash
# The writable attributes of a group take valid values and refuse the rest
# with EINVAL, a message in error and a line in events.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
mkdir groups/g
a=groups/g

say "description: one line of UTF-8, trailing newline optional"
put "$a"/description "GPU pool for the render farm"
check_val "$a"/description "GPU pool for the render farm"
printf 'no newline' >$a/description
check_val "$a"/description "no newline"
put "$a"/description "héllo wörld ✓ 日本"
check_val "$a"/description "héllo wörld ✓ 日本"
put_refused "$EINVAL" "$a"/description $'two\nlines'
check_grep "description" "$a"/error
check_grep "^$EVENT_TIME groups/g: refused \(EINVAL\): .*description" events
put "$a"/description ""
check_val "$a"/description ""
pass "description"

say "class: one word, default vgpu"
put "$a"/class render-farm_2.0
check_val "$a"/class render-farm_2.0
put_refused "$EINVAL" "$a"/class "two words"
put_refused "$EINVAL" "$a"/class ""
pass "class"

say "driver: \"\", a version drivers/ lists, or a bundle's file name in media/"
running=$(cat host/driver_version)
check_eq host/driver_version 550.54.16 "$running"
for v in "$running" ""; do
	put "$a"/driver "$v"
	check_val "$a"/driver "$v"
done
# well-formed, but drivers/ does not list them (no bundle in media/): ENOENT
for v in 535.161.05 1.2.3.4 "$BUNDLE_535"; do
	put_refused "$ENOENT" "$a"/driver "$v"
done
check_grep "535.161.05" "$a"/error
upload_bundle "$BUNDLE_535"
check_list drivers/535.161.05/bundles "$BUNDLE_535"
put "$a"/driver 535.161.05
check_val "$a"/driver 535.161.05
put "$a"/driver ""
put "$a"/driver "$BUNDLE_535"
check_val "$a"/driver 535.161.05 # a bundle's name stands for its version
check_grep "^$EVENT_TIME groups/g/driver = 535.161.05\$" events
put_refused "$ENOENT" "$a"/driver 1.2.3.4
for v in 550 abc "535.161.05 " 535.161.05x ../535.161.05 latest 550..54 "a/$BUNDLE_535"; do
	put_refused "$EINVAL" "$a"/driver "$v"
done
check_grep "driver" "$a"/error
put "$a"/driver ""
pass "driver"

say "driver: one that the compatibility data says cannot drive a GPU of the group is EINVAL"
upload_bundle "$BUNDLE_470"
put "$a"/driver 470.256.02 # no GPU yet: nothing it cannot drive
put_refused "$EINVAL" "gpus/$L40S/group" g
check_grep "$L40S" "gpus/$L40S/error"
check_val "gpus/$L40S/group" ""
put "$a"/driver ""
put "gpus/$L40S/group" g
for v in 470.256.02 "$BUNDLE_470"; do
	put_refused "$EINVAL" "$a"/driver "$v"
	check_grep "$L40S" "$a"/error
done
put "$a"/driver "$running"
put "gpus/$L40S/group" ""
pass "470.256.02 cannot drive the L40S: refused either way round"

say "policy: depth-first | breadth-first"
put "$a"/policy breadth-first
check_val "$a"/policy breadth-first
for v in random Depth-First "" depth; do
	put_refused "$EINVAL" "$a"/policy "$v"
done
put "$a"/policy depth-first
check_val "$a"/policy depth-first
pass "policy"

say "make_guest_iso: booleans in any case read back as 0/1 (the driver has a bundle with guest drivers)"
upload_bundle "$BUNDLE_550"
put "$a"/driver "$running"
for v in 1:1 0:0 yes:1 no:0 true:1 false:0 on:1 off:0 YES:1 No:0 TRUE:1 False:0 On:1 OFF:0; do
	put "$a"/make_guest_iso "${v%:*}"
	check_val "$a"/make_guest_iso "${v#*:}"
done
for v in 2 y n "" maybe " 1" -1; do
	put_refused "$EINVAL" "$a"/make_guest_iso "$v"
done
check_grep "boolean" "$a"/error
pass "make_guest_iso"

say "make_guest_iso 1 builds the guest ISO in the background and points driver_iso at it"
guest_iso=nvidia-guest-550.54.15-551.78.iso
put "$a"/make_guest_iso 1
wait_until 30 "iso_status ready" reads "$a"/iso_status ready
check_val "$a"/driver_iso "$guest_iso"
check_val "$a"/iso_error ""
[ -f "media/$guest_iso" ] || fail "media/$guest_iso is not there: $(ls media)"
check_val "media-info/$guest_iso/kind" iso
check_val "media-info/$guest_iso/state" ok
pass "iso_status ready, driver_iso $guest_iso"

say "driver_iso: \"\" or a valid .iso in media/; writing it by hand stops make_guest_iso"
put_refused "$ENOENT" "$a"/driver_iso guest-drivers.iso
check_grep "guest-drivers.iso" "$a"/error
upload_iso guest-drivers.iso
put "$a"/driver_iso guest-drivers.iso
check_val "$a"/driver_iso guest-drivers.iso
check_val "$a"/make_guest_iso 0
check_val "$a"/iso_status none
put_refused "$EINVAL" "$a"/driver_iso a/b.iso
put_refused "$EINVAL" "$a"/driver_iso ../x.iso
put_refused "$EINVAL" "$a"/driver_iso "$BUNDLE_550" # in media/, but no ISO
echo "not an ISO 9660 image" >media/bad.iso
put_refused "$EINVAL" "$a"/driver_iso bad.iso
cp media/guest-drivers.iso media/renamed.img # an ISO's bytes under another extension
put_refused "$EINVAL" "$a"/driver_iso renamed.img
put "$a"/driver_iso ""
check_val "$a"/driver_iso ""
check_val "$a"/make_guest_iso 0
pass "driver_iso"

say "client_token: \"\" or a .tok file in media/"
put_refused "$ENOENT" "$a"/client_token client.tok
echo "synthetic client configuration token" >media/client.tok
put "$a"/client_token client.tok
check_val "$a"/client_token client.tok
put_refused "$EINVAL" "$a"/client_token guest-drivers.iso
put_refused "$EINVAL" "$a"/client_token a/b.tok
put "$a"/client_token ""
check_val "$a"/client_token ""
pass "client_token"

say "type is read-only: EACCES, and nothing changes"
put_refused "$EACCES" "$a"/type usb
check_val "$a"/type nvidia-vgpu
pass "type"

say "successful writes are events: <UTC time> groups/g/<attr> = <value>"
check_grep "^$EVENT_TIME groups/g/description = GPU pool for the render farm\$" events
check_grep "^$EVENT_TIME groups/g/class = render-farm_2.0\$" events
check_grep "^$EVENT_TIME groups/g/policy = breadth-first\$" events
pass "events"

say "values survive a restart"
put "$a"/description "kept"
put "$a"/class kept-class
put "$a"/driver 535.161.05
put "$a"/policy breadth-first
put "$a"/client_token client.tok
put "$a"/make_guest_iso on
wait_until 30 "iso_status ready" reads "$a"/iso_status ready
token_iso=nvidia-guest-535.161.08-538.46-$(cut -c1-8 media-info/client.tok/sha256).iso
check_val "$a"/driver_iso "$token_iso"
mkdir groups/h
upload_iso kept.iso
put groups/h/driver_iso kept.iso
cd /
restart_vgpufs
a=$MNT/groups/g
check_val "$a"/description kept
check_val "$a"/class kept-class
check_val "$a"/driver 535.161.05
check_val "$a"/policy breadth-first
check_val "$a"/client_token client.tok
check_val "$a"/make_guest_iso 1
check_val "$a"/driver_iso "$token_iso"
check_val "$a"/iso_status ready
check_val "$MNT/groups/h/driver_iso" kept.iso
check_val "$MNT/groups/h/make_guest_iso" 0
pass "persisted"

say "make_guest_iso 1 needs a driver with a bundle that holds guest drivers: EINVAL otherwise"
cd "$MNT"
put_refused "$EINVAL" groups/h/make_guest_iso 1 # no driver
rm "media/$BUNDLE_550" || fail "rm media/$BUNDLE_550 (no group uses it) failed"
put groups/h/driver "$running"
put_refused "$EINVAL" groups/h/make_guest_iso 1 # the running driver, with no bundle
check_val groups/h/iso_status none
pass "make_guest_iso refused without guest drivers"
