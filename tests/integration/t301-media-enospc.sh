#!/bin/bash
# A full disk: an upload that does not fit fails with ENOSPC and leaves
# nothing behind (no name, no upload file, the space given back), a file it
# was to replace is kept whole, and smaller uploads still work.  The state
# directory is an 8 MiB tmpfs.
. "$(dirname "$0")/lib.sh"

need mount umount
small_unmount() {
	if is_mounted "$TMP/state"; then umount "$TMP/state" || umount -l "$TMP/state"; fi
}
CLEANUP_HOOKS="$CLEANUP_HOOKS small_unmount"
mkdir -p "$TMP/state"
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$TMP/state" ||
	{ echo "skip: $TEST_NAME cannot mount a tmpfs"; exit 77; }

start_sim demo.host
start_vgpufs
cd "$MNT"
store=$TMP/state/media

free_kib() { df --output=avail -k "$TMP/state" | tail -n 1 | tr -d ' '; }
listed() { ls -A media | grep -Fxq -- "$1"; }
uploads_left() { find "$TMP/state/uploads" -type f; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# check_space_back BEFORE: the free space is back to BEFORE KiB (the
# database may have grown by a few pages in between).
check_space_back() {
	local now
	now=$(free_kib)
	[ "$now" -ge $(($1 - 128)) ] || fail "free space on the state disk: $now KiB, was $1 KiB"
}

head -c 20M /dev/urandom >"$TMP/big.bin"
head -c 1M /dev/urandom >"$TMP/one.bin"
head -c 2M /dev/urandom >"$TMP/two.bin"

say "a 20 MiB upload on an 8 MiB disk: ENOSPC, nothing left behind"
before=$(free_kib)
expect_fail_errno "$ENOSPC" cp "$TMP/big.bin" media/
listed big.bin && fail "media/big.bin is listed after ENOSPC"
ls media-info | grep -Fxq big.bin && fail "media-info/big.bin exists after ENOSPC"
[ -e "$store/big.bin" ] && fail "$store/big.bin exists after ENOSPC"
[ -z "$(uploads_left)" ] || fail "upload files left: $(uploads_left)"
check_space_back "$before"
check_eq "ls media" "" "$(ls -A media)"
pass "ENOSPC, nothing left"

say "a small file still uploads"
cp "$TMP/one.bin" media/
cmp -s "$TMP/one.bin" media/one.bin || fail "media/one.bin differs from what was copied"
check_val media-info/one.bin/sha256 "$(sha "$TMP/one.bin")"
check_val media-info/one.bin/size 1048576
pass "small upload"

say "replacing a file with one that does not fit: ENOSPC, the old file kept whole"
cp "$TMP/two.bin" media/two.bin
before=$(free_kib)
expect_fail_errno "$ENOSPC" cp "$TMP/big.bin" media/two.bin
cmp -s "$TMP/two.bin" media/two.bin || fail "media/two.bin changed by the failed replacement"
check_val media-info/two.bin/size 2097152
check_val media-info/two.bin/sha256 "$(sha "$TMP/two.bin")"
[ -z "$(uploads_left)" ] || fail "upload files left: $(uploads_left)"
check_space_back "$before"
pass "old file kept"

say "a restart: the store is as it was"
restart_vgpufs
check_eq "ls media after a restart" "one.bin
two.bin" "$(ls -A media)"
check_eq "the store after a restart" "one.bin
two.bin" "$(ls -A "$store")"
check_val media-info/two.bin/sha256 "$(sha "$TMP/two.bin")"
cp "$TMP/one.bin" media/again.bin
cmp -s "$TMP/one.bin" media/again.bin || fail "media/again.bin differs"
rm media/again.bin
pass "restart"

say "dd (which closes a dup of its file before writing): ENOSPC leaves nothing either"
before=$(free_kib)
expect_fail_errno "$ENOSPC" dd if="$TMP/big.bin" of=media/dd.bin bs=4M status=none
listed dd.bin && fail "media/dd.bin is listed after ENOSPC (media-info/dd.bin/size: $(cat media-info/dd.bin/size 2>&1), stat: $(stat -c %s media/dd.bin 2>&1))"
[ -e "$store/dd.bin" ] && fail "$store/dd.bin exists after ENOSPC"
[ -z "$(uploads_left)" ] || fail "upload files left: $(uploads_left)"
check_space_back "$before"
pass "dd: ENOSPC, nothing left"

stop_vgpufs
