#!/bin/bash
# Every line of /vgpu/events also goes to the system log: to journald, with the fields
# MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, OBJECT and (refusals) ERRNO, when its socket
# exists at start; else to syslog(3) on /dev/log. --log-level drops the less severe.
# Neither socket exists here: the test runs in a private mount namespace (unshare -m)
# with a tmpfs over /run and over /dev, and listens on the sockets itself.
if [ -z "${VGPUFS_T507_NS:-}" ]; then
	unshare -m true 2>/dev/null || { echo "skip: $(basename "$0" .sh) needs unshare -m"; exit 77; }
	exec env VGPUFS_T507_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need python3

# listen SOCKET OUT: a datagram listener on SOCKET writing each datagram as one line of
# OUT, its newlines made tabs (event text has none: it is escaped).
listen() {
	rm -f "$1"
	helper python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(1 << 20).rstrip(b"\n").replace(b"\n", b"\t") + b"\n")' "$1" "$2"
	wait_until 5 "listener on $1" test -S "$1"
}

# entry FIELD...: the line of a journal entry with these fields (regexes), in this order.
TAB=$'\t'
entry() { local IFS=$TAB; printf '%s' "$*"; }

# has OUT REGEX: some datagram of OUT matches REGEX (for wait_until).
has() { grep -Eq -- "$2" "$1"; }

# private_dev: /dev as a tmpfs of this namespace holding the nodes the test needs, so
# that /dev/log can be made in it.
private_dev() {
	local new=$TMP/dev n
	mkdir "$new"
	mount -t tmpfs -o mode=0755 vgpufs-t507-dev "$new"
	for n in null zero full random urandom tty fuse; do
		touch "$new/$n"
		mount --bind "/dev/$n" "$new/$n"
	done
	ln -s /proc/self/fd "$new/fd"
	ln -s /proc/self/fd/0 "$new/stdin"
	ln -s /proc/self/fd/1 "$new/stdout"
	ln -s /proc/self/fd/2 "$new/stderr"
	mount --move "$new" /dev
}

start_sim demo.host
mount -t tmpfs -o mode=0755 vgpufs-t507-run /run
mkdir -p /run/systemd/journal

say "journald: every event line is a journal entry with its fields"
J=$TMP/journal.txt
listen /run/systemd/journal/socket "$J"
start_vgpufs
wait_until 5 "the start line in the journal" has "$J" \
	"MESSAGE=vgpufs [^$TAB]* started: "
check_grep "^$(entry "MESSAGE=vgpufs [^$TAB]* started: [^$TAB]*" PRIORITY=5 \
	SYSLOG_IDENTIFIER=vgpufs)\$" "$J"
mkdir "$MNT/groups/g1"
put_refused "$EINVAL" "$MNT/groups/g1/policy" sideways
put "$MNT/groups/g1/policy" breadth-first
wait_until 5 "the accepted write in the journal" has "$J" "policy = breadth-first"
check_grep "^$(entry "MESSAGE=groups/g1 created" PRIORITY=6 SYSLOG_IDENTIFIER=vgpufs \
	OBJECT=groups/g1)\$" "$J"
check_grep "^$(entry "MESSAGE=groups/g1: refused \(EINVAL\): [^$TAB]*sideways[^$TAB]*" PRIORITY=4 \
	SYSLOG_IDENTIFIER=vgpufs OBJECT=groups/g1 ERRNO=22)\$" "$J"
check_grep "^$(entry "MESSAGE=groups/g1/policy = breadth-first" PRIORITY=6 \
	SYSLOG_IDENTIFIER=vgpufs OBJECT=groups/g1/policy)\$" "$J"
check_eq "journal entries, against events lines" "$(wc -l <"$MNT/events")" "$(wc -l <"$J")"
diff <(cut -d' ' -f2- "$MNT/events") <(sed 's/^MESSAGE=//; s/	.*//' "$J") ||
	fail "the journal's MESSAGEs are not the events lines"
pass "journald: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, OBJECT, ERRNO"

say "--log-level warning: only refusals reach the journal"
restart_vgpufs --log-level warning
: >"$J"
put "$MNT/groups/g1/description" "not logged"
put_refused "$EINVAL" "$MNT/groups/g1/policy" upwards
wait_until 5 "the refusal in the journal" has "$J" "upwards"
check_eq "journal entries at --log-level warning" 1 "$(wc -l <"$J")"
pass "--log-level warning"
quit_vgpufs

say "no journald: syslog(3) on /dev/log, facility daemon"
rm /run/systemd/journal/socket
private_dev
S=$TMP/syslog.txt
listen /dev/log "$S"
start_vgpufs
put_refused "$EINVAL" "$MNT/groups/g1/policy" sideways
put "$MNT/groups/g1/description" "via syslog"
wait_until 5 "the accepted write in syslog" has "$S" "description = via syslog"
pid=$VGPUFS_PID
check_grep "^<29>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} vgpufs\[$pid\]: vgpufs [^ ]* started: " "$S"
check_grep "^<28>.* vgpufs\[$pid\]: groups/g1: refused \(EINVAL\): .*sideways" "$S"
check_grep "^<30>.* vgpufs\[$pid\]: groups/g1/description = via syslog$" "$S"
[ ! -e /run/systemd/journal/socket ] || fail "a journal socket appeared"
pass "syslog: <priority> (daemon facility), tag vgpufs[pid], the events line"

say "--log-level notice: the start and refusals, not changes"
restart_vgpufs --log-level notice
wait_until 5 "the start line in syslog" has "$S" "vgpufs\[$VGPUFS_PID\]: vgpufs .* started"
: >"$S"
put "$MNT/groups/g1/description" "not logged"
put_refused "$EINVAL" "$MNT/groups/g1/policy" upwards
wait_until 5 "the refusal in syslog" has "$S" "upwards"
check_eq "syslog lines at --log-level notice (the refusal)" 1 "$(wc -l <"$S")"
pass "--log-level notice"

say "a bad --log-level is bad usage"
rc=0
err=$("$VGPUFS_BIN" -f --sysfs-root "$SIM" --state "$TMP/state2" --log-level loud \
	"$TMP/nowhere" 2>&1) || rc=$?
check_eq "exit status of --log-level loud" 2 "$rc"
grep -q "err, warning, notice, info or debug" <<<"$err" || fail "message: $err"
pass "--log-level loud: status 2, the levels named"
