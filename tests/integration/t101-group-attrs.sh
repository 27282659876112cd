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

say "driver: \"\" or a host driver version"
for v in 535.161.05 550.54.16 1.2.3.4 ""; do
	put "$a"/driver "$v"
	check_val "$a"/driver "$v"
done
for v in 550 abc "535.161.05 " 535.161.05x ../535.161.05; do
	put_refused "$EINVAL" "$a"/driver "$v"
done
check_grep "driver" "$a"/error
pass "driver"

say "policy: depth-first | breadth-first"
put "$a"/policy breadth-first
check_val "$a"/policy breadth-first
for v in random Depth-First "" depth; do
	put_refused "$EINVAL" "$a"/policy "$v"
done
put "$a"/policy depth-first
check_val "$a"/policy depth-first
pass "policy"

say "make_guest_iso: booleans in any case read back as 0/1"
for v in 1:1 0:0 yes:1 no:0 true:1 false:0 on:1 off:0 YES:1 No:0 TRUE:1 False:0 On:1 OFF:0; do
	put "$a"/make_guest_iso "${v%:*}"
	check_val "$a"/make_guest_iso "${v#*:}"
done
for v in 2 y n "" maybe " 1" -1; do
	put_refused "$EINVAL" "$a"/make_guest_iso "$v"
done
check_grep "boolean" "$a"/error
pass "make_guest_iso"

say "driver_iso: a file name in media/, no slash"
put "$a"/driver_iso guest-drivers.iso
check_val "$a"/driver_iso guest-drivers.iso
put_refused "$EINVAL" "$a"/driver_iso a/b.iso
put_refused "$EINVAL" "$a"/driver_iso ../x.iso
put "$a"/driver_iso ""
check_val "$a"/driver_iso ""
pass "driver_iso"

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
put "$a"/make_guest_iso on
put "$a"/driver_iso kept.iso
cd /
restart_vgpufs
a=$MNT/groups/g
check_val "$a"/description kept
check_val "$a"/class kept-class
check_val "$a"/driver 535.161.05
check_val "$a"/policy breadth-first
check_val "$a"/make_guest_iso 1
check_val "$a"/driver_iso kept.iso
pass "persisted"
