#!/bin/bash
# What a hostile or careless script does, the daemon survives and refuses
# precisely: sed -i / os.replace onto read-only files (EACCES, alive), names
# and values with newlines (one escaped line each in events and error), a
# file descriptor kept across rmdir + mkdir of its object (ENODEV), scratch
# files that die with their object, links and special files (EPERM),
# extended attributes (EOPNOTSUPP).
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
mkdir groups/g

lines() { wc -l <events; }

say "sed -i and os.replace over read-only attributes: EACCES, the daemon lives"
for f in groups/g/status gpus/0000:41:00.0/name events README; do
	before=$(cat "$f")
	expect_fail_errno "$EACCES" sed -i 's/x/y/' "$f"
	expect_fail_errno "$EACCES" python3 -c 'import os, sys
d = os.path.dirname(sys.argv[1]) or "."
with open(os.path.join(d, ".tmp-replace"), "w") as f: f.write("x\n")
os.replace(os.path.join(d, ".tmp-replace"), sys.argv[1])' "$f"
	[ "$f" = events ] || check_eq "$f after the refused replace" "$before" "$(cat "$f")"
	rm -f "$(dirname "$f")/.tmp-replace" "$(dirname "$f")"/sed??????
done
alive "$VGPUFS_PID" || fail "vgpufs died"
grep -q "status is read-only" groups/g/error || fail "groups/g/error: $(cat groups/g/error)"
pass "refused, daemon alive"

say "a newline in a name or a value stays one escaped line"
n=$(lines)
expect_fail_errno "$EINVAL" mkdir "groups/$(printf 'x\nFAKE 2026-01-01T00:00:00Z forged')"
check_eq "lines added by a refused mkdir" $((n + 1)) "$(lines)"
check_grep 'x\\nFAKE' events
n=$(lines)
expect_fail_errno "$EINVAL" write_once groups/g/policy $'depth\nFAKE\tline\x01\\'
check_eq "lines added by a refused write" $((n + 1)) "$(lines)"
check_grep 'depth\\nFAKE\\tline\\x01\\\\' events
check_eq "groups/g/error lines" 1 "$(wc -l <groups/g/error)"
n=$(lines)
expect_fail_errno "$EINVAL" write_once groups/g/policy $'\xff\xfe'
check_eq "lines added by invalid UTF-8" $((n + 1)) "$(lines)"
put groups/g/description "tab	and ünïcode"
check_val groups/g/description "tab	and ünïcode"
check_grep 'groups/g/description = tab\\tand ünïcode$' events
pass "escaped: \\n \\t \\xHH \\\\, UTF-8 kept"

say "a descriptor opened before rmdir + mkdir does not write into the new object"
exec 7>groups/g/description
rmdir groups/g
mkdir groups/g
expect_fail_errno "$ENODEV" bash -c 'echo stale >&7'
check_val groups/g/description ""
exec 7>&-
expect_fail_errno "$ENODEV" python3 -c 'import os
fd = os.open("groups/g/description", os.O_RDONLY)
os.rmdir("groups/g")
os.read(fd, 100)'
mkdir groups/g
pass "ENODEV"

say "scratch files go with their object"
echo kept >groups/g/.scratch
check_eq "ls -a groups/g | grep scratch" .scratch "$(ls -a groups/g | grep scratch)"
rmdir groups/g
mkdir groups/g
[ ! -e groups/g/.scratch ] || fail "groups/g/.scratch outlived rmdir groups/g"
pass "dropped"

say "links, special files and xattrs"
expect_fail_errno "$EPERM" ln -s status groups/g/link
expect_fail_errno "$EPERM" ln groups/g/status groups/g/hard
expect_fail_errno "$EPERM" mkfifo groups/g/fifo
expect_fail_errno "$EPERM" python3 -c 'import os, stat; os.mknod("groups/g/node", stat.S_IFCHR | 0o600, os.makedev(1, 3))'
expect_fail_errno "$EPERM" ln -s x gpus/link
check_grep 'refused \(EPERM\): cannot make the symlink "link"' events
expect_fail_errno "$EOPNOTSUPP" python3 -c 'import os; os.setxattr("groups/g/description", "user.x", b"1")'
expect_fail_errno "$EOPNOTSUPP" python3 -c 'import os; os.setxattr("groups/g", "user.x", b"1")'
[ -z "$(ls groups/g | grep -E 'link|hard|fifo|node')" ] || fail "something was made: $(ls groups/g)"
pass "EPERM, EOPNOTSUPP"
