#!/bin/bash
# A group's profile must be offered by every GPU of the group; profiles/
# lists the ones that are, as links into the catalogue.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"

mkdir groups/t4
put gpus/0000:41:00.0/group t4
put gpus/0000:42:00.0/group t4

say "profiles/ lists what both T4s offer, as links to ../../../profiles/P"
want=$(ls gpus/0000:41:00.0/types)
check_eq "ls groups/t4/profiles" "$want" "$(ls groups/t4/profiles)"
check_eq "number of T4 profiles" 14 "$(ls groups/t4/profiles | wc -l)"
for p in $want; do
	check_eq "groups/t4/profiles/$p" "../../../profiles/$p" "$(readlink groups/t4/profiles/$p)"
done
check_val groups/t4/profiles/T4-4Q/framebuffer_mib "$(cat profiles/T4-4Q/framebuffer_mib)"
pass "profiles/"

say "a profile every GPU of the group offers is accepted"
put groups/t4/profile T4-4Q
check_val groups/t4/profile T4-4Q
check_grep "^$EVENT_TIME groups/t4/profile = T4-4Q\$" events
pass "T4-4Q"

say "a profile no GPU offers is ENOENT; one the group's GPUs lack is EINVAL naming the GPU"
put_refused "$ENOENT" groups/t4/profile NOPE-1Q
check_grep 'NOPE-1Q' groups/t4/error
check_grep "^$EVENT_TIME groups/t4: refused \(ENOENT\): .*NOPE-1Q" events
put_refused "$ENOENT" groups/t4/profile t4-4q
put_refused "$EINVAL" groups/t4/profile A16-4Q
check_grep '0000:4[12]:00\.0.*A16-4Q|A16-4Q.*0000:4[12]:00\.0' groups/t4/error
check_grep "^$EVENT_TIME groups/t4: refused \(EINVAL\): .*0000:4[12]:00\.0" events
put_refused "$EINVAL" groups/t4/profile L40S-48Q
check_val groups/t4/profile T4-4Q
pass "refused"

say "a group of an A16 and a T4 accepts no profile: they share none"
mkdir groups/mixed
put gpus/0000:43:00.0/group mixed
check_eq "ls groups/mixed/profiles (one A16)" "$(ls gpus/0000:43:00.0/types)" "$(ls groups/mixed/profiles)"
put groups/mixed/profile A16-2Q
put groups/mixed/profile ""
put gpus/0000:41:00.0/group ""
put gpus/0000:41:00.0/group mixed
check_eq "ls groups/mixed/profiles (A16 + T4)" "" "$(ls groups/mixed/profiles)"
put_refused "$EINVAL" groups/mixed/profile A16-2Q
check_grep '0000:41:00\.0' groups/mixed/error
put_refused "$EINVAL" groups/mixed/profile T4-2Q
check_grep '0000:43:00\.0' groups/mixed/error
check_val groups/mixed/profile ""
pass "mixed group"

say "the A40 (mdev-sriov) and the L40S (vfio-sriov) offer their own profiles"
mkdir groups/big
put gpus/0000:47:00.0/group big
put groups/big/profile A40-12Q
put_refused "$EINVAL" gpus/0000:48:00.0/group big     # the L40S does not offer A40-12Q
grep -q "does not offer profile A40-12Q" gpus/0000:48:00.0/error ||
	fail "gpus/0000:48:00.0/error: $(cat gpus/0000:48:00.0/error)"
put groups/big/profile ""
put gpus/0000:48:00.0/group big
check_eq "ls groups/big/profiles (A40 + L40S)" "" "$(ls groups/big/profiles)"
put gpus/0000:47:00.0/group ""
put groups/big/profile L40S-24C
check_val groups/big/profile L40S-24C
check_eq "groups/big/profiles has L40S-24C" L40S-24C "$(ls groups/big/profiles | grep -x L40S-24C)"
pass "sriov GPUs"

say "the profile survives a restart"
cd /
restart_vgpufs
check_val "$MNT/groups/t4/profile" T4-4Q
check_val "$MNT/groups/big/profile" L40S-24C
pass "persisted"
