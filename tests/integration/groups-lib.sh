# tests/integration/groups-lib.sh: helpers for the t1NN tests of the writable
# tree (resource groups, rules, write semantics).  Source it after lib.sh.

ENOENT="No such file or directory"
EINVAL="Invalid argument"
EEXIST="File exists"
EBUSY="Device or resource busy"
EFBIG="File too large"
EACCES="Permission denied"
EPERM="Operation not permitted"

# set FILE VALUE: `echo VALUE > FILE` must succeed.
set_ok() {
	local err
	err=$( { printf '%s\n' "$2" >"$1"; } 2>&1) ||
		fail "echo '$2' > ${1#"$MNT"/} failed: $err"
}

# write_once FILE DATA: open FILE with O_TRUNC and write DATA (bytes as
# given, no newline added) with one write(2).  (bash's echo and printf are
# line-buffered: a value with a newline inside would be two writes.)
write_once() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, os.fsencode(sys.argv[2]))' "$1" "$2"
}

# refuse ERRNO_REGEX FILE VALUE: writing VALUE and a newline to FILE in one
# write(2) must fail with that error, FILE must read the same before and
# after, and so must its object, the groups/ tree and the host
# (refusal_snapshot in lib.sh).
refuse() {
	local before after snap
	before=$(cat "$2")
	snap=$(refusal_snapshot "$2")
	expect_fail_errno "$1" write_once "$2" "$3"$'\n'
	after=$(cat "$2")
	check_eq "${2#"$MNT"/} after refused '$3'" "$before" "$after"
	check_unchanged "the refused '$3' > ${2#"$MNT"/}" "$snap" "$(refusal_snapshot "$2")"
}

# check_val FILE EXPECTED: FILE reads EXPECTED (one trailing newline).
check_val() {
	local got
	got=$(cat "$1" && echo .) || fail "cannot read ${1#"$MNT"/}"
	check_eq "${1#"$MNT"/}" "$2"$'\n.' "$got"
}

# check_grep REGEX FILE: some line of FILE matches REGEX.
check_grep() {
	grep -Eq -- "$1" "$2" ||
		fail "${2#"$MNT"/}: no line matches '$1'; it reads: $(tail -n 5 "$2")"
}

# restart_vgpufs: stop the daemon (it must exit cleanly) and start it again
# on the same state.
restart_vgpufs() {
	stop_vgpufs TERM >/dev/null
	start_vgpufs "$@"
}

# kill9_vgpufs: SIGKILL the daemon, then drop its dead mount.
kill9_vgpufs() {
	[ -n "$VGPUFS_PID" ] || fail "kill9_vgpufs: vgpufs is not running"
	kill -KILL "$VGPUFS_PID"
	wait "$VGPUFS_PID" 2>/dev/null || true
	VGPUFS_PID=
	fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	is_mounted "$MNT" && fail "$MNT still mounted after kill -9 and fusermount3 -uz"
	say "vgpufs killed with SIGKILL"
}

# check_db: the state database passes sqlite's integrity check.
check_db() {
	local r
	r=$(sqlite3 "$TMP/state/vgpufs.db" 'PRAGMA integrity_check' 2>&1) ||
		fail "sqlite3 integrity_check failed: $r"
	check_eq "PRAGMA integrity_check" ok "$r"
}

# need TOOL...: skip (77) if a tool is missing.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "skip: $TEST_NAME needs $t"; exit 77; }
	done
}

EVENT_TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# check_list FILE EXPECTED: a list file (one item a line; no line when empty).
check_list() {
	local got
	got=$(cat "$1") || fail "cannot read ${1#"$MNT"/}"
	check_eq "${1#"$MNT"/}" "$2" "$got"
}

# On a passing test, stop both programs and look for sanitizer reports in
# their logs (UBSan reports without changing the exit status), then hand over
# to lib.sh's cleanup.
SANITIZER_REPORT='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'
groups_exit() {
	local rc=$? log
	set +e
	if [ "$rc" = 0 ]; then
		quit_vgpufs
		if [ -n "$SIM_PID" ]; then
			unmount "$SIM"
			timeout 10 tail --pid="$SIM_PID" -f /dev/null 2>/dev/null || true
		fi
		for log in "$TMP"/vgpufs.log "$TMP"/hostsim.log; do
			[ -f "$log" ] || continue
			if grep -Eq -- "$SANITIZER_REPORT" "$log"; then
				echo "FAIL - sanitizer report in $(basename "$log"):" >&2
				grep -E -A 12 -- "$SANITIZER_REPORT" "$log" | head -n 40 >&2
				rc=1
			fi
		done
	fi
	(exit "$rc")
	cleanup
}
trap groups_exit EXIT
