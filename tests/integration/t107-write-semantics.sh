#!/bin/bash
# How a write is taken: one value per open, trailing newline optional, and
# every refused write (too big, NUL, bad UTF-8, offset, append, read-only,
# typo, rm, chmod) changes nothing, now and after a restart.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
mkdir groups/g
d=groups/g/description
put $d "the value"

# unchanged: description still reads "the value"; refused ERRNO COMMAND...:
# COMMAND fails with ERRNO, and description is unchanged.
unchanged() { check_val $d "the value"; }
refused() {
	expect_fail_errno "$@"
	unchanged
}

say "a trailing newline is optional; only one is stripped"
printf 'no newline' >$d
check_val $d "no newline"
printf 'one newline\n' >$d
check_val $d "one newline"
put $d "the value"
put_refused "$EINVAL" $d $'two newlines\n'
unchanged
pass "newline"

say "4096 bytes is the limit: 4097 is EFBIG (File too large)"
v4095=$(head -c 4095 /dev/zero | tr '\0' x)
put $d "$v4095"
check_val $d "$v4095"
put $d "the value"
refused "$EFBIG" write_once $d "$(head -c 4097 /dev/zero | tr '\0' y)"
refused "$EFBIG" write_once $d "$(head -c 10000 /dev/zero | tr '\0' y)"
check_grep "^$EVENT_TIME groups/g: refused \(EFBIG\)" events
# tr writes 4096 bytes, then 1: the second write(2) is the one refused
expect_fail_errno "$EFBIG" sh -c 'head -c 4097 /dev/zero | tr "\0" y >"$1"' sh $d
cat $d >/dev/null || fail "description unreadable after a refused 4097-byte pipe"
put $d "the value"
pass "EFBIG"

say "a value of exactly 4096 bytes, once accepted, reads back"
if head -c 4096 /dev/zero | tr '\0' z >$d 2>/dev/null; then
	check_val $d "$(head -c 4096 /dev/zero | tr '\0' z)"
	put $d "the value"
fi
unchanged
pass "4096 bytes"

say "a NUL byte or invalid UTF-8 is EINVAL"
refused "$EINVAL" bash -c 'printf "a\0b\n" >"$1"' bash $d
check_grep 'NUL' groups/g/error
refused "$EINVAL" bash -c 'printf "caf\351\n" >"$1"' bash $d
refused "$EINVAL" bash -c 'printf "\300\257\n" >"$1"' bash $d
check_grep 'UTF-8' groups/g/error
pass "NUL, UTF-8"

say "a write at an offset > 0 of a fresh open is EINVAL"
refused "$EINVAL" bash -c 'printf x | dd of="$1" bs=1 seek=1 conv=notrunc status=none' bash $d
refused "$EINVAL" bash -c 'printf "y\n" | dd of="$1" bs=1 seek=4 count=2 status=none' bash $d
pass "offset"

say "appending (>>) is EINVAL, also right after a refused or empty truncating open"
refused "$EINVAL" bash -c 'echo more >>"$1"' bash $d
# (in one shell: the kernel appends at the size it last heard of, 0 after O_TRUNC)
refused "$EINVAL" bash -c 'echo "the value" >"$1"; : >"$1"; echo more >>"$1"' bash $d
refused "$EINVAL" bash -c 'echo "the value" >"$1"; printf "a\0" >"$1"; echo more >>"$1"' bash $d
pass "append"

say "writing a 0444 file is EACCES"
for f in type status gpus error vgpus_total; do
	expect_fail_errno "$EACCES" bash -c 'echo x >"$1"' bash groups/g/$f
done
check_val groups/g/type nvidia-vgpu
pass "EACCES"

say "a typo'd name is ENOENT, with a message in error and events"
expect_fail_errno "$ENOENT" bash -c 'echo x >"$1"' bash groups/g/descriptoin
[ ! -e groups/g/descriptoin ] || fail "groups/g/descriptoin exists"
check_grep 'descriptoin' groups/g/error
check_grep "^$EVENT_TIME groups/g: refused \(ENOENT\): .*descriptoin" events
expect_fail_errno "$ENOENT" touch groups/g/notes.txt
expect_fail_errno "$ENOENT" bash -c 'echo 1 >"$1"' bash host/maintenace
check_grep 'maintenace' host/error
unchanged
pass "typo"

say "rm of an attribute is EPERM; chmod to another mode EPERM; same mode, chown to owner, touch succeed"
expect_fail_errno "$EPERM" rm $d
expect_fail_errno "$EPERM" rm -f $d
expect_fail_errno "$EPERM" chmod 600 $d
expect_fail_errno "$EPERM" chmod 666 $d
expect_fail_errno "$EPERM" chown 1000 $d
chmod 644 $d || fail "chmod 644 (same mode) failed"
chmod u=rw,go=r $d || fail "chmod u=rw,go=r (same mode) failed"
chown root:root $d || fail "chown root:root (owner) failed"
chown 0 $d || fail "chown 0 failed"
touch $d || fail "touch failed"
touch -d '2001-01-01' $d || fail "touch -d failed"
check_eq "mode of $d" 644 "$(stat -c %a $d)"
expect_fail_errno "$EPERM" rmdir groups/g/rules
refused "$EPERM" mv $d groups/g/desc
pass "metadata"

say "nothing refused above reached the database"
cd /
restart_vgpufs
d=$MNT/groups/g/description
unchanged
check_eq "ls groups/g after restart" "$(ls "$MNT/groups/g" | tr '\n' ' ')" \
	"class client_token description devices driver driver_iso error gpus iso_error iso_status make_guest_iso policy profile profiles rules status type vgpus_free vgpus_reserved vgpus_total vgpus_used "
pass "after restart"
