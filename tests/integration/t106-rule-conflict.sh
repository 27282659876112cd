#!/bin/bash
# A GPU matched by rules of two groups belongs to neither: both groups are
# degraded and their error names the GPU and both groups, until a rule changes.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
running=$(cat host/driver_version)

mkdir groups/t4 groups/a16
put gpus/0000:41:00.0/group t4
put gpus/0000:43:00.0/group a16
for g in t4:T4-2Q a16:A16-2Q; do
	put groups/${g%:*}/driver "$running"
	put groups/${g%:*}/profile ${g#*:}
	check_val groups/${g%:*}/status ready
done

say "a rule of a16 that also matches 0000:41:00.0 makes a conflict"
mkdir groups/a16/rules/wide
put groups/a16/rules/wide/slot '0000:4[12]:00.0'
check_val groups/t4/status degraded
check_val groups/a16/status degraded
check_list groups/t4/gpus ""
check_list groups/a16/gpus $'0000:42:00.0\n0000:43:00.0'
check_val gpus/0000:41:00.0/group ""
check_val gpus/0000:42:00.0/group a16
for g in t4 a16; do
	check_grep '0000:41:00\.0' groups/$g/error
	check_grep "'?t4'?.*'?a16'?|'?a16'?.*'?t4'?" groups/$g/error
done
pass "degraded, error names 0000:41:00.0, t4 and a16"

say "a conflicted GPU cannot be given to either group by gpus/BDF/group"
put_refused "$EBUSY" gpus/0000:41:00.0/group a16
check_val gpus/0000:41:00.0/group ""
pass "EBUSY"

say "the conflict shows after a restart too"
restart_vgpufs
check_val groups/t4/status degraded
check_val groups/a16/status degraded
check_grep '0000:41:00\.0' groups/t4/error
pass "persisted"

say "disabling the wide rule ends the conflict: both groups ready, errors clear"
put groups/a16/rules/wide/enabled 0
check_val groups/t4/status ready
check_val groups/a16/status ready
check_list groups/t4/gpus 0000:41:00.0
check_list groups/a16/gpus 0000:43:00.0
check_val gpus/0000:41:00.0/group t4
check_val gpus/0000:42:00.0/group ""
check_val groups/t4/error ""
check_val groups/a16/error ""
pass "resolved by enabled=0"

say "a catch-all rule conflicts on every GPU of the other group; rmdir ends it"
put groups/a16/rules/wide/slot ""
put groups/a16/rules/wide/device 0x1eb8
put groups/a16/rules/wide/enabled 1
check_val groups/t4/status degraded
check_list groups/t4/gpus ""
rmdir groups/a16/rules/wide
check_val groups/t4/status ready
check_val groups/a16/status ready
pass "resolved by rmdir"

say "a third group: rules of t4 and of new conflict; rmdir of new ends it"
mkdir groups/new groups/new/rules/r
put groups/new/rules/r/slot 41:00.0
check_val groups/t4/status degraded
check_val groups/new/status degraded
check_val groups/a16/status ready
check_grep '0000:41:00\.0' groups/new/error
rmdir groups/new
check_val groups/t4/status ready
check_val groups/t4/error ""
pass "resolved by rmdir of the group"
