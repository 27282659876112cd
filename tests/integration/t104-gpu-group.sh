#!/bin/bash
# echo GROUP > gpus/BDF/group puts a GPU in a group through a rule of its
# own; echo "" > gpus/BDF/group takes it out.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
node=$(cat host/name)
mkdir groups/a16 groups/other

say "a GPU in no group reads \"\""
for g in gpus/*; do
	check_val $g/group ""
	check_eq "mode of $g/group" 644 "$(stat -c %a $g/group)"
done
pass "no group"

say "writing a group name creates rule pci-0000-43-00.0 for this GPU on this node"
put gpus/0000:43:00.0/group a16
check_val gpus/0000:43:00.0/group a16
check_eq "ls groups/a16/rules" pci-0000-43-00.0 "$(ls groups/a16/rules)"
r=groups/a16/rules/pci-0000-43-00.0
check_val $r/slot 0000:43:00.0
check_val $r/node "$node"
check_val $r/vendor ""
check_val $r/device ""
check_val $r/enabled 1
check_list $r/gpus 0000:43:00.0
check_list groups/a16/gpus 0000:43:00.0
check_grep "^$EVENT_TIME groups/a16/rules/pci-0000-43-00.0 created" events
pass "rule made"

say "writing the same group again changes nothing"
put gpus/0000:43:00.0/group a16
check_eq "ls groups/a16/rules" pci-0000-43-00.0 "$(ls groups/a16/rules)"
pass "idempotent"

say "a GPU already in a group: EBUSY naming that group, for another group"
put_refused "$EBUSY" gpus/0000:43:00.0/group other
check_grep 'a16' gpus/0000:43:00.0/error
check_grep "^$EVENT_TIME gpus/0000:43:00.0: refused \(EBUSY\): .*a16" events
check_eq "ls groups/other/rules" "" "$(ls groups/other/rules)"
pass "EBUSY"

say "an unknown group is ENOENT; a bad name is refused"
put_refused "$ENOENT" gpus/0000:44:00.0/group nope
check_grep 'nope' gpus/0000:44:00.0/error
check_grep "^$EVENT_TIME gpus/0000:44:00.0: refused \(ENOENT\): .*nope" events
if write_once gpus/0000:44:00.0/group $'../a16\n' 2>/dev/null; then
	fail "echo ../a16 > gpus/0000:44:00.0/group succeeded"
fi
check_val gpus/0000:44:00.0/group ""
check_eq "ls groups/a16/rules" pci-0000-43-00.0 "$(ls groups/a16/rules)"
pass "ENOENT"

say "every kind of GPU can join: T4 and A16 (mdev), A40 (mdev-sriov), L40S (vfio-sriov)"
for bdf in 0000:41:00.0 0000:44:00.0 0000:47:00.0 0000:48:00.0; do
	put gpus/$bdf/group a16
	check_val gpus/$bdf/group a16
done
check_list groups/a16/gpus "$(printf '%s\n' 0000:41:00.0 0000:43:00.0 0000:44:00.0 0000:47:00.0 0000:48:00.0)"
check_eq "ls groups/a16/rules" "$(printf 'pci-0000-%s-00.0\n' 41 43 44 47 48)" "$(ls groups/a16/rules)"
pass "five GPUs"

say "writing \"\" removes the GPU's own rule; the GPU can then join another group"
put gpus/0000:41:00.0/group ""
check_val gpus/0000:41:00.0/group ""
[ ! -e groups/a16/rules/pci-0000-41-00.0 ] || fail "rule pci-0000-41-00.0 still there"
printf '' >gpus/0000:41:00.0/group # no write(2) at all: no change
check_val gpus/0000:41:00.0/group ""
put gpus/0000:41:00.0/group other
check_val gpus/0000:41:00.0/group other
check_list groups/other/gpus 0000:41:00.0
pass "removed"

say "rmdir of a rule takes the GPU out too; the GPU's group follows at once"
rmdir groups/a16/rules/pci-0000-47-00.0
check_val gpus/0000:47:00.0/group ""
pass "rmdir rule"

say "all of it survives a restart"
restart_vgpufs
for bdf in 0000:43:00.0 0000:44:00.0 0000:48:00.0; do check_val gpus/$bdf/group a16; done
check_val gpus/0000:41:00.0/group other
check_val gpus/0000:47:00.0/group ""
check_val groups/a16/rules/pci-0000-43-00.0/slot 0000:43:00.0
pass "persisted"

say "rmdir of the group frees its GPUs"
rmdir groups/a16
for bdf in 0000:43:00.0 0000:44:00.0 0000:48:00.0; do check_val gpus/$bdf/group ""; done
put gpus/0000:43:00.0/group other
check_list groups/other/gpus $'0000:41:00.0\n0000:43:00.0'
pass "group gone"
