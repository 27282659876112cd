#!/bin/bash
# mkdir groups/G/rules/R makes a rule that matches GPUs by node, vendor,
# device and slot; gpus shows what it matches now.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
node=$(cat host/name)
all=$(ls gpus)
mkdir groups/g
r=groups/g/rules/r

say "a new rule matches every GPU of this node"
mkdir $r
check_val $r/node "$node"
check_val $r/vendor ""
check_val $r/device ""
check_val $r/slot ""
check_val $r/enabled 1
check_val $r/error ""
check_list $r/gpus "$all"
check_list groups/g/gpus "$all"
for f in node vendor device slot enabled; do
	check_eq "mode of $f" 644 "$(stat -c %a $r/$f)"
done
check_eq "mode of gpus" 444 "$(stat -c %a $r/gpus)"
put_refused "$EACCES" $r/gpus 0000:41:00.0
check_grep "^$EVENT_TIME groups/g/rules/r created" events
pass "defaults"

say "rule names follow the name rules"
expect_fail_errno "$EINVAL" mkdir groups/g/rules/-bad
expect_fail_errno "$EINVAL" mkdir "groups/g/rules/a b"
expect_fail_errno "$EEXIST" mkdir $r
expect_fail_errno "$ENOENT" mkdir groups/nope/rules/r
pass "names"

say "slot: a BDF, a glob, or bus:dev.fn without the domain"
put $r/slot 0000:43:00.0
check_list $r/gpus 0000:43:00.0
put $r/slot '0000:4[12]:*'
check_val $r/slot '0000:4[12]:*'
check_list $r/gpus $'0000:41:00.0\n0000:42:00.0'
put $r/slot 41:00.0
check_val $r/slot 41:00.0
check_list $r/gpus 0000:41:00.0
put $r/slot '4[5-8]:00.0'
check_list $r/gpus "$(printf '0000:%s:00.0\n' 45 46 47 48)"
put $r/slot 0000:47:00.4
check_list $r/gpus "" # a VF is not a GPU
# and not something that can never match a PCI address
for v in zz 'hello world' 0000:41:00.0/x a 41 41:00 '[' 0000:41:00.0.0; do
	put_refused "$EINVAL" $r/slot "$v"
done
check_grep slot $r/error
check_grep "^$EVENT_TIME groups/g/rules/r: refused \(EINVAL\): .*slot" events
put $r/slot ""
check_list $r/gpus "$all"
pass "slot"

say "vendor and device: hex ids, normalised to 0x%04x"
put $r/vendor 10DE
check_val $r/vendor 0x10de
put $r/device 0X25B6
check_val $r/device 0x25b6
check_list $r/gpus "$(printf '0000:%s:00.0\n' 43 44 45 46)"
put $r/device 1eb8
check_val $r/device 0x1eb8
check_list $r/gpus $'0000:41:00.0\n0000:42:00.0'
put $r/vendor 0x8086
check_list $r/gpus ""
for v in zz 0x 0x12345 -1 "10 de"; do
	put_refused "$EINVAL" $r/vendor "$v"
	put_refused "$EINVAL" $r/device "$v"
done
put $r/vendor ""
put $r/device ""
check_list $r/gpus "$all"
pass "vendor, device"

say "node: this host's name or \"\" match, another name does not"
put $r/node other-host
check_val $r/node other-host
check_list $r/gpus ""
check_val groups/g/status no-gpus
put $r/node ""
check_val $r/node ""
check_list $r/gpus "$all"
put_refused "$EINVAL" $r/node "bad node"
put $r/node "$node"
pass "node"

say "enabled: a boolean; a disabled rule matches nothing"
put $r/enabled OFF
check_val $r/enabled 0
check_list $r/gpus ""
check_list groups/g/gpus ""
put $r/enabled yes
check_val $r/enabled 1
check_list $r/gpus "$all"
put_refused "$EINVAL" $r/enabled 2
pass "enabled"

say "a GPU held by a general rule cannot be taken out or moved through gpus/BDF/group"
check_val gpus/0000:44:00.0/group g
mkdir groups/h
put_refused "$EBUSY" gpus/0000:44:00.0/group ""
check_grep 'rule r|group g' gpus/0000:44:00.0/error
put_refused "$EBUSY" gpus/0000:44:00.0/group h
check_list groups/h/gpus ""
pass "held by rule r"

say "two rules of one group add up; rmdir of a rule takes its GPUs out"
put $r/slot '0000:4[12]:00.0'
mkdir groups/g/rules/l40s
put groups/g/rules/l40s/device 0x26b9
check_list groups/g/rules/l40s/gpus 0000:48:00.0
check_list groups/g/gpus "$(printf '0000:%s:00.0\n' 41 42 48)"
rmdir $r
check_list groups/g/gpus 0000:48:00.0
[ ! -e $r ] || fail "$r still exists"
expect_fail_errno "$ENOENT" rmdir $r
pass "rules add up"

say "rules survive a restart"
mkdir $r
put $r/slot '4[34]:*'
put $r/vendor 0x10de
put $r/enabled 0
restart_vgpufs
check_val $r/slot '4[34]:*'
check_val $r/vendor 0x10de
check_val $r/enabled 0
check_val $r/node "$node"
check_val groups/g/rules/l40s/device 0x26b9
put $r/enabled 1
check_list groups/g/gpus "$(printf '0000:%s:00.0\n' 43 44 48)"
pass "persisted"
