#!/bin/bash
# mkdir groups/NAME makes a resource group with defaults; rmdir deletes it.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"

say "a new group has the documented defaults"
mkdir groups/a16
check_eq "ls groups" a16 "$(ls groups)"
check_val groups/a16/type nvidia-vgpu
check_val groups/a16/description ""
check_val groups/a16/class vgpu
check_val groups/a16/driver ""
check_val groups/a16/profile ""
check_val groups/a16/make_guest_iso 0
check_val groups/a16/driver_iso ""
check_val groups/a16/client_token ""
check_val groups/a16/iso_status none
check_val groups/a16/iso_error ""
check_val groups/a16/policy depth-first
check_val groups/a16/status no-gpus
check_list groups/a16/gpus ""
check_val groups/a16/vgpus_total 0
check_val groups/a16/vgpus_used 0
check_val groups/a16/vgpus_free 0
check_val groups/a16/error ""
check_eq "ls groups/a16/rules" "" "$(ls groups/a16/rules)"
check_eq "ls groups/a16/profiles (no GPU refuses any profile)" "$(ls profiles)" "$(ls groups/a16/profiles)"
pass "defaults"

say "read-only attributes are 0444, writable ones 0644"
for f in type status gpus vgpus_total vgpus_used vgpus_free iso_status iso_error error; do
	check_eq "mode of groups/a16/$f" 444 "$(stat -c %a groups/a16/$f)"
done
for f in description class driver profile make_guest_iso driver_iso client_token policy; do
	check_eq "mode of groups/a16/$f" 644 "$(stat -c %a groups/a16/$f)"
done
pass "modes"

say "names: [A-Za-z0-9][A-Za-z0-9._-]{0,62}"
long63=A$(printf 'b%.0s' $(seq 62))
for name in T4 x 0 a.b_c-d "$long63"; do
	mkdir "groups/$name" || fail "mkdir groups/$name failed"
done
for name in -x .x _x 'a b' 'a~' 'é' "${long63}c" 'a$b'; do
	expect_fail_errno "$EINVAL" mkdir "groups/$name"
done
expect_fail_errno "$EEXIST" mkdir groups/..
expect_fail_errno "$EEXIST" mkdir groups/a16
check_eq "ls groups" "$(printf '%s\n' 0 "$long63" T4 a.b_c-d a16 x | sort)" "$(ls groups | sort)"
pass "valid names made, invalid ones refused with EINVAL, existing with EEXIST"

say "rmdir deletes a group, with its rules; an unknown one is ENOENT"
mkdir groups/T4/rules/all
for name in 0 "$long63" a.b_c-d x T4; do
	rmdir "groups/$name" || fail "rmdir groups/$name failed"
done
check_eq "ls groups" a16 "$(ls groups)"
[ ! -e groups/T4 ] || fail "groups/T4 still exists"
expect_fail_errno "$ENOENT" rmdir groups/T4
expect_fail_errno "$ENOENT" rmdir groups/nope
pass "rmdir"

say "a group comes back after a restart; a deleted one does not"
mkdir groups/T4
check_grep "$EVENT_TIME groups/T4 created" events
rmdir groups/T4
cd /
restart_vgpufs
check_eq "ls groups after restart" a16 "$(ls "$MNT/groups")"
check_val "$MNT/groups/a16/status" no-gpus
mkdir "$MNT/groups/T4"
check_eq "rules of a re-made group" "" "$(ls "$MNT/groups/T4/rules")"
pass "persisted"
