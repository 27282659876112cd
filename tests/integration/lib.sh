# tests/integration/lib.sh: setup, teardown and checks for the integration tests.
#
# Every tNNN-*.sh sources this file, mounts the host simulator and vgpufs in a
# scratch directory and checks one behaviour the way a user would: ls, cat,
# echo into the tree or the simulator.  The first failed check ends the test
# with status 1; the EXIT trap stops the daemon and the simulator, fails the
# test when a sanitizer (ASan/UBSan build) reported anything in their logs,
# unmounts and kills whatever the test started, pass or fail, and shows the
# end of the logs when the test failed.  The tests of VMs also source
# vms-lib.sh (libvirt set-ups, domain definitions, the host's vGPUs).
#
# Environment: SRC_DIR (checkout), BUILD_DIR (default $SRC_DIR/build).
# Exit status 77 means "skipped" to meson (no FUSE on this machine).

set -eu -o pipefail
export LC_ALL=C

SRC_DIR=${SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
HOSTS_DIR=$SRC_DIR/tools/hosts
VGPUFS_BIN=$BUILD_DIR/fs/vgpufs
HOSTSIM_BIN=$BUILD_DIR/tools/hostsim/vgpu-hostsim
TEST_NAME=$(basename "$0" .sh)

say()  { printf '# %s\n' "$*"; }
pass() { printf 'ok - %s\n' "$*"; }
fail() { printf 'FAIL - %s\n' "$*" >&2; exit 1; }

# need TOOL...: skip (77) if a tool is missing.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "skip: $TEST_NAME needs $t"; exit 77; }
	done
}

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "skip: $TEST_NAME needs /dev/fuse and fusermount3"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vgpufs-$TEST_NAME.XXXXXX")
SIM=$TMP/sys
MNT=$TMP/vgpu
SIM_PID=
VGPUFS_PID=
HOST_FILE=
HELPER_PIDS=
LIBVIRT_URI=test:///default # the daemon's --libvirt (vms-lib.sh sets others)
CLEANUP_HOOKS=              # functions the EXIT trap calls with the status

# --- processes and mounts -------------------------------------------------

# A child that exited stays a zombie until waited for, and kill -0 still
# succeeds on a zombie: ask ps for its state instead.
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# mountpoint(1) stats the directory, which fails on a FUSE mount whose daemon
# died; the mount table still lists it, and that is what cleanup must undo.
is_mounted() {
	awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

unmount() {
	is_mounted "$1" || return 0
	fusermount3 -u "$1" 2>/dev/null || fusermount3 -uz "$1" 2>/dev/null ||
		umount -l "$1" 2>/dev/null || true
}

# wait_mounted DIR PID LOG WHAT: until DIR answers as a mount point, or fail
# if PID exits first or 30 s pass (sanitizer builds start slowly).
wait_mounted() {
	for _ in $(seq 300); do
		mountpoint -q "$1" && return 0
		if ! alive "$2"; then
			tail -n 30 "$3" >&2
			fail "$4 exited before mounting $1"
		fi
		sleep 0.1
	done
	tail -n 30 "$3" >&2
	fail "$4 did not mount $1 within 30 s"
}

# Bash starts background jobs of a script with SIGINT ignored, and libfuse
# only installs its handler over the default disposition: restore it so that
# SIGINT reaches the daemon as it would from a terminal or systemd.
spawn() {
	env --default-signal=INT,QUIT "$@" &
}

# helper COMMAND...: runs a user-side process in the background (output
# discarded, so that it cannot hold the test's output open), killed at exit.
helper() {
	"$@" </dev/null >/dev/null 2>&1 &
	HELPER_PIDS="$HELPER_PIDS $!"
}

# start_sim HOSTFILE: HOSTFILE is a path or a name in tools/hosts/.
start_sim() {
	HOST_FILE=$1
	[ -f "$HOST_FILE" ] || HOST_FILE=$HOSTS_DIR/$1
	[ -f "$HOST_FILE" ] || fail "no host file $1"
	[ -x "$HOSTSIM_BIN" ] || fail "simulator not built: $HOSTSIM_BIN"
	mkdir -p "$SIM"
	spawn "$HOSTSIM_BIN" -f "$HOST_FILE" "$SIM" >>"$TMP/hostsim.log" 2>&1
	SIM_PID=$!
	wait_mounted "$SIM" "$SIM_PID" "$TMP/hostsim.log" vgpu-hostsim
	say "simulator ($(basename "$HOST_FILE")) on $SIM"
}

stop_sim() {
	unmount "$SIM"
	for _ in $(seq 50); do
		alive "$SIM_PID" || break
		sleep 0.1
	done
	alive "$SIM_PID" && fail "vgpu-hostsim still running 5 s after its unmount"
	wait "$SIM_PID" 2>/dev/null || true
	SIM_PID=
}

# start_vgpufs [ARGS...]: the daemon on $LIBVIRT_URI; extra daemon options
# go before the mount point. The daemon reaches libvirt only once mounted:
# this waits for host/libvirt to read connected (the definitions then agree
# with the journal), unless WAIT_LIBVIRT=0.
start_vgpufs() {
	[ -x "$VGPUFS_BIN" ] || fail "daemon not built: $VGPUFS_BIN"
	mkdir -p "$MNT" "$TMP/state"
	spawn "$VGPUFS_BIN" -f --sysfs-root "$SIM" --libvirt "$LIBVIRT_URI" \
		--state "$TMP/state" "$@" "$MNT" >>"$TMP/vgpufs.log" 2>&1
	VGPUFS_PID=$!
	wait_mounted "$MNT" "$VGPUFS_PID" "$TMP/vgpufs.log" vgpufs
	[ "${WAIT_LIBVIRT:-1}" = 0 ] || wait_until 20 "vgpufs connected to libvirt" \
		grep -qx connected "$MNT/host/libvirt"
	say "vgpufs on $MNT"
}

# stop_vgpufs [SIGNAL]: the daemon must exit with status 0 within 10 s and
# leave neither its mount nor a process behind.
stop_vgpufs() {
	local sig=${1:-TERM} pid=$VGPUFS_PID rc=0
	[ -n "$pid" ] || fail "stop_vgpufs: vgpufs is not running"
	kill -s "$sig" "$pid"
	for _ in $(seq 100); do
		alive "$pid" || break
		sleep 0.1
	done
	alive "$pid" && fail "vgpufs still running 10 s after SIG$sig"
	wait "$pid" || rc=$?
	VGPUFS_PID=
	[ "$rc" = 0 ] || { tail -n 30 "$TMP/vgpufs.log" >&2; fail "vgpufs exited with status $rc after SIG$sig"; }
	is_mounted "$MNT" && fail "$MNT still mounted after SIG$sig"
	pgrep -f -- "$MNT" >/dev/null && fail "a process naming $MNT survived SIG$sig: $(pgrep -af -- "$MNT")"
	pass "SIG$sig: vgpufs exited with status 0, unmounted, no process left"
}

# quit_vgpufs: stops the daemon without judging how (for tests that restart
# it to check something else; stop_vgpufs is the check of a clean exit).
quit_vgpufs() {
	[ -n "$VGPUFS_PID" ] || return 0
	kill -TERM "$VGPUFS_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		alive "$VGPUFS_PID" || break
		sleep 0.1
	done
	alive "$VGPUFS_PID" && kill -KILL "$VGPUFS_PID"
	wait "$VGPUFS_PID" 2>/dev/null || true
	VGPUFS_PID=
	unmount "$MNT"
}

# restart_vgpufs [ARGS...]: stop the daemon (it must exit cleanly, as
# stop_vgpufs checks) and start it again on the same state and libvirt; the
# working directory is kept (left for the stop, entered again after).
restart_vgpufs() {
	local here=$PWD
	cd /
	stop_vgpufs TERM >/dev/null
	start_vgpufs "$@"
	cd "$here"
}

# kill9_vgpufs: SIGKILL the daemon (or reap it, if it is already dead) and
# drop its dead mount; the working directory is kept where it can be.
kill9_vgpufs() {
	local here=$PWD
	cd /
	[ -n "$VGPUFS_PID" ] || fail "kill9_vgpufs: vgpufs is not running"
	kill -KILL "$VGPUFS_PID" 2>/dev/null || true
	{ wait "$VGPUFS_PID"; } 2>/dev/null || true
	VGPUFS_PID=
	fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	is_mounted "$MNT" && fail "$MNT still mounted after kill -9 and fusermount3 -uz"
	say "vgpufs killed with SIGKILL"
	cd "$here" 2>/dev/null || true
}

# reap_vgpufs: after the daemon killed itself (a crash point), wait for it
# and drop its dead mount.
reap_vgpufs() {
	for _ in $(seq 50); do
		alive "$VGPUFS_PID" || break
		sleep 0.1
	done
	alive "$VGPUFS_PID" && fail "vgpufs still alive; expected it to have killed itself"
	kill9_vgpufs
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND every 0.1 s.
wait_until() {
	local secs=$1 what=$2
	shift 2
	for _ in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what: not within $secs s"
}

# reads FILE VALUE: true when FILE reads VALUE (for wait_until).
reads() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# --- the end of a test ------------------------------------------------------

# sanitizer_findings LOG: what a sanitizer reported in LOG: each error
# (ASan, UBSan) with the 12 lines after it, each summary but a leak count,
# and each leak but those that libfuse itself allocated (frame #1 in
# libfuse3): a directory handle whose RELEASEDIR was still queued when
# SIGTERM ended the session loop.
sanitizer_findings() {
	awk '
		/runtime error:|ERROR: [A-Za-z]*Sanitizer/ && !/ERROR: LeakSanitizer/ { print; bad = 12; next }
		/SUMMARY: [A-Za-z]*Sanitizer/ && !/ leaked in / { print; next }
		bad > 0 { print; bad--; next }
		/^(Direct|Indirect) leak of/ { block = $0; inleak = 1; next }
		inleak && /^ *#1 / { if ($0 !~ /libfuse3\.so/) print block "\n" $0; inleak = 0 }
	' "$1"
}

# The EXIT trap, pass or fail: helpers killed; the daemon stopped first (so
# that it does not watch its sysfs or libvirt go away), then the simulator,
# each writing its sanitizer report as it exits; a report fails the test;
# then CLEANUP_HOOKS (vms-lib.sh: the private libvirtd), the last lines of
# the logs of a failed test, and the scratch directory.
cleanup() {
	local rc=$? pid log findings hook
	set +e
	cd / # not in the mount while it goes
	for pid in $HELPER_PIDS; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	quit_vgpufs
	if [ -n "$SIM_PID" ]; then
		unmount "$SIM"
		for _ in $(seq 100); do
			alive "$SIM_PID" || break
			sleep 0.1
		done
	fi
	for log in "$TMP/vgpufs.log" "$TMP/hostsim.log"; do
		[ -f "$log" ] || continue
		findings=$(sanitizer_findings "$log")
		[ -n "$findings" ] || continue
		echo "FAIL - sanitizer report in $(basename "$log"):" >&2
		head -n 40 <<<"$findings" >&2
		rc=1
	done
	for hook in $CLEANUP_HOOKS; do
		"$hook" "$rc"
	done
	unmount "$MNT"
	unmount "$SIM"
	for pid in $VGPUFS_PID $SIM_PID; do
		alive "$pid" && kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	done
	if [ "$rc" != 0 ]; then
		for log in "$TMP"/*.log; do
			[ -s "$log" ] || continue
			echo "--- last lines of $(basename "$log")" >&2
			tail -n 40 "$log" >&2
		done
	fi
	if is_mounted "$MNT" || is_mounted "$SIM"; then
		echo "warning: left $TMP in place: still mounted" >&2
	else
		rm -rf --one-file-system "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- checks ---------------------------------------------------------------

# What a failed system call says (strerror), for expect_fail_errno and
# put_refused.
ENOENT="No such file or directory"
EINVAL="Invalid argument"
EEXIST="File exists"
EBUSY="Device or resource busy"
ENOSPC="No space left on device"
EFBIG="File too large"
EACCES="Permission denied"
EPERM="Operation not permitted"
ENODEV="No such device"
EOPNOTSUPP="Operation not supported"

# An events line starts with this UTC time.
EVENT_TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# rel PATH: PATH without the mount point, for messages.
rel() { printf '%s' "${1#"$MNT"/}"; }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# check_file_eq WHAT EXPECTED_FILE ACTUAL_FILE: same bytes, newlines included.
# (Not cmp: it calls files of different st_size different without reading
# them, and sysfs-like files all claim 4096 bytes.)
check_file_eq() {
	local expected actual
	expected=$(cat "$2" && echo .) || fail "$1: cannot read $2"
	actual=$(cat "$3" && echo .) || fail "$1: cannot read $3"
	[ "$expected" = "$actual" ] ||
		fail "$1: $3 reads $(printf %q "${actual%.}"), $2 reads $(printf %q "${expected%.}")"
}

# expect_fail_errno REGEX COMMAND...: COMMAND must fail and say REGEX
# (e.g. "Permission denied|Operation not permitted") on stderr.
expect_fail_errno() {
	local want=$1 err rc=0
	shift
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" != 0 ] || fail "'$*' succeeded; expected: $want"
	grep -Eq -- "$want" <<<"$err" || fail "'$*' failed with '$err'; expected: $want"
}

# check_val FILE EXPECTED: FILE reads EXPECTED and one newline.
check_val() {
	local got
	got=$(cat "$1" && echo .) || fail "cannot read $(rel "$1")"
	check_eq "$(rel "$1")" "$2"$'\n.' "$got"
}

# check_list FILE EXPECTED: a list file (one item a line; no line when empty).
check_list() {
	local got
	got=$(cat "$1") || fail "cannot read $(rel "$1")"
	check_eq "$(rel "$1")" "$2" "$got"
}

# check_grep REGEX FILE: some line of FILE matches REGEX.
check_grep() {
	grep -Eq -- "$1" "$2" ||
		fail "$(rel "$2"): no line matches '$1'; it reads: $(tail -n 5 "$2")"
}

# check_db: the state database passes sqlite's integrity check.
check_db() {
	local r
	r=$(sqlite3 "$TMP/state/vgpufs.db" 'PRAGMA integrity_check' 2>&1) ||
		fail "sqlite3 integrity_check failed: $r"
	check_eq "PRAGMA integrity_check" ok "$r"
}

# --- writes -----------------------------------------------------------------

# put FILE VALUE: `echo VALUE > FILE` must succeed (the object's error file
# is shown when it does not).
put() {
	local err
	err=$( { printf '%s\n' "$2" >"$1"; } 2>&1) ||
		fail "echo '$2' > $(rel "$1") failed: $err; error: $(cat "$(dirname "$1")/error" 2>/dev/null)"
}

# write_once FILE DATA: open FILE with O_TRUNC and write DATA (bytes as
# given, no newline added) with one write(2).  (bash's echo and printf are
# line-buffered: a value with a newline inside would be two writes.)
write_once() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, os.fsencode(sys.argv[2]))' "$1" "$2"
}

# put_refused ERRNO_REGEX FILE VALUE: writing VALUE and a newline to FILE in
# one write(2) must fail with that error, FILE must read the same before and
# after, and so must its object, the groups/ tree, its VM's definition and
# the vGPUs on the host (refusal_snapshot).
put_refused() {
	local before after snap
	before=$(cat "$2")
	snap=$(refusal_snapshot "$2")
	expect_fail_errno "$1" write_once "$2" "$3"$'\n'
	after=$(cat "$2")
	check_eq "$(rel "$2") after the refused '$3'" "$before" "$after"
	check_unchanged "the refused echo '$3' > $(rel "$2")" "$snap" "$(refusal_snapshot "$2")"
}

new_uuid() {
	if command -v uuidgen >/dev/null; then uuidgen; else cat /proc/sys/kernel/random/uuid; fi
}

# --- groups ---------------------------------------------------------------

# The GPUs of demo.host.
A16_GPUS="0000:43:00.0 0000:44:00.0 0000:45:00.0 0000:46:00.0"
T4_GPUS="0000:41:00.0 0000:42:00.0"
A40=0000:47:00.0
L40S=0000:48:00.0

# make_group NAME PROFILE BDF...: a group with the running driver, these
# GPUs and PROFILE.
make_group() {
	local g=$1 p=$2 b
	shift 2
	mkdir "$MNT/groups/$g" || fail "mkdir groups/$g failed"
	put "$MNT/groups/$g/driver" "$(cat "$MNT/host/driver_version")"
	for b in "$@"; do
		put "$MNT/gpus/$b/group" "$g"
	done
	put "$MNT/groups/$g/profile" "$p"
}

# --- media/: driver bundles, ISOs ------------------------------------------

# bundle NAME: the path of a synthetic driver bundle (tools/make-bundles.py
# --list names them), made once per test in $TMP/bundles.
bundle() {
	[ -f "$TMP/bundles/$1" ] ||
		python3 "$SRC_DIR/tools/make-bundles.py" --only "$1" "$TMP/bundles" >/dev/null ||
		fail "make-bundles.py could not make $1"
	echo "$TMP/bundles/$1"
}

# upload_bundle NAME: copies it into media/ as a user would.
upload_bundle() {
	cp "$(bundle "$1")" "$MNT/media/" || fail "cp $1 to media/ failed"
}

# Bundles of the drivers the tests use: the simulator's running one, and
# others for reboot-required and upgrades.
BUNDLE_550=NVIDIA-GRID-Linux-KVM-550.54.16-550.54.15-551.78.zip
BUNDLE_535=NVIDIA-GRID-Linux-KVM-535.161.05-535.161.08-538.46.zip
BUNDLE_470=NVIDIA-GRID-Linux-KVM-470.256.02-475.14.zip

# upload_iso NAME: a small ISO 9660 image (made with bsdtar) put in media/.
upload_iso() {
	mkdir -p "$TMP/iso-src"
	echo "guest tools for $1" >"$TMP/iso-src/README.txt"
	bsdtar -C "$TMP/iso-src" --format iso9660 -cf "$TMP/$1" README.txt ||
		fail "bsdtar could not make $1"
	cp "$TMP/$1" "$MNT/media/" || fail "cp $1 to media/ failed"
}

# --- what the simulated host says (the oracle the tree is checked against) --

# Physical NVIDIA GPUs: vendor 0x10de, display or 3D class, and no physfn
# link (a VF carries its PF's IDs and is told apart only by that link).
sim_gpus() {
	local dev class
	for dev in "$SIM"/bus/pci/devices/*; do
		[ "$(<"$dev/vendor")" = 0x10de ] || continue
		class=$(<"$dev/class")
		case $class in 0x0300* | 0x0302*) ;; *) continue ;; esac
		[ -e "$dev/physfn" ] || [ -L "$dev/physfn" ] || basename "$dev"
	done | sort
}

# VFs of a PF, in virtfn order.
sim_vfs() {
	local link
	for link in "$SIM/bus/pci/devices/$1"/virtfn*; do
		[ -L "$link" ] || continue
		printf '%s %s\n' "${link##*/virtfn}" "$(basename "$(readlink "$link")")"
	done | sort -n | cut -d' ' -f2
}

# The mdev parents that belong to a GPU: the GPU itself and, on SR-IOV GPUs
# in mdev mode, each of its VFs.
sim_mdev_parents() {
	local vf
	[ -d "$SIM/class/mdev_bus/$1" ] && echo "$1"
	for vf in $(sim_vfs "$1"); do
		[ -d "$SIM/class/mdev_bus/$vf" ] && echo "$vf"
	done
	return 0
}

sim_mode() {
	local vf
	for vf in $(sim_vfs "$1"); do
		[ -e "$SIM/bus/pci/devices/$vf/nvidia/creatable_vgpu_types" ] && { echo vfio-sriov; return; }
	done
	[ -n "$(sim_mdev_parents "$1")" ] && { echo mdev; return; }
	echo none
}

# fb_gib PROFILE: the framebuffer a profile name gives, in GiB ("…-8Q" 8, "…-0B" 0.5).
fb_gib() {
	local size=${1##*-}
	size=${size%%[A-Z]*}
	[ "$size" = 0 ] && echo 0.5 || echo "$size"
}

# sim_types BDF: one line "PROFILE TYPE_ID AVAILABLE NAME" per type the GPU
# offers now. On SR-IOV GPUs each VF reports room for one vGPU on its own: the
# GPU holds at most MAX of a type (the mdev description's max_instance; for
# vfio-sriov, NVIDIA's sizing: the largest profile's framebuffer / this one's,
# one per VF), less the vGPUs it has, so the VFs' sum is capped at that.
sim_types() {
	local parent t name vf line nvfs=0 used=0 vfio=0
	for vf in $(sim_vfs "$1"); do
		nvfs=$((nvfs + 1))
		t=$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type
		[ -f "$t" ] && vfio=1 && [ "$(<"$t")" != 0 ] && used=$((used + 1))
	done
	[ -d "$SIM/class/mdev_bus/$1" ] && nvfs=0 # the GPU itself is the parent
	for parent in $(sim_mdev_parents "$1"); do
		for t in "$SIM/class/mdev_bus/$parent/mdev_supported_types"/*/devices/*; do
			[ -e "$t" ] && used=$((used + 1))
		done
	done
	{
		for parent in $(sim_mdev_parents "$1"); do
			for t in "$SIM/class/mdev_bus/$parent/mdev_supported_types"/*; do
				[ -d "$t" ] || continue
				name=$(<"$t/name")
				printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${name##* }" "${t##*/}" "$(<"$t/available_instances")" "$name" \
					"$(sed -n 's/.*max_instance=\([0-9]*\).*/\1/p' "$t/description")" "$(fb_gib "${name##* }")"
			done
		done
		for vf in $(sim_vfs "$1"); do
			t=$SIM/bus/pci/devices/$vf/nvidia/creatable_vgpu_types
			[ -f "$t" ] || continue
			# "ID    : vGPU Name" header, then "1145  : NVIDIA L40S-1B"
			tail -n +2 "$t" | while IFS= read -r line; do
				[ -n "$line" ] || continue
				name=$(sed 's/^[0-9]* *: *//' <<<"$line")
				printf '%s\t%s\t1\t%s\t0\t%s\n' "${name##* }" "${line%% *}" "$name" "$(fb_gib "${name##* }")"
			done
		done
	} | awk -F'\t' -v nvfs="$nvfs" -v used="$used" -v vfio="$vfio" '
		{ key = $1 "\t" $2; sum[key] += $3; name[key] = $4; max[key] = $5; fb[key] = $6
		  if ($6 > board) board = $6 }
		END {
			for (k in sum) {
				avail = sum[k]
				if (nvfs > 0) {
					m = max[k]
					if (vfio) { m = int(board / fb[k]); if (m > nvfs) m = nvfs }
					cap = m - used; if (cap < 0) cap = 0
					if (avail > cap) avail = cap
				}
				printf "%s\t%s\t%s\n", k, avail, name[k]
			}
		}' | sort
}

# host_gpus HOSTFILE: one "MODEL MODE NODE" line per GPU, in file order.
host_gpus() {
	awk '$1 == "gpu" {
		count = 1; mode = "mdev"; node = 0
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "count") count = kv[2]
			if (kv[1] == "mode") mode = kv[2]
			if (kv[1] == "node") node = kv[2]
		}
		for (n = 0; n < count; n++) print $2, mode, node
	}' "$1"
}

# available_in DIR: "NAME AVAILABLE" for each directory in DIR (a profile or type).
available_in() {
	local d
	for d in "$1"/*; do
		[ -d "$d" ] && printf '%s %s\n' "${d##*/}" "$(<"$d/available")"
	done
	return 0
}

# tree_available BDF: each type of a GPU in the tree; tree_profiles_available: each profile.
tree_available() { available_in "$MNT/gpus/$1/types"; }
tree_profiles_available() { available_in "$MNT/profiles"; }

# host_settles: waits out the host snapshot's bound (100 ms, docs/tree.md "Live
# values"): a change made in the simulator behind the daemon's back shows by then.
host_settles() { sleep 0.15; }

# expect_after_create BDF PROFILE COUNT: COUNT vGPUs of PROFILE now exist on
# BDF (none before); $TMP/gpu-before and $TMP/profiles-before hold the
# readings taken with none.
expect_after_create() {
	local bdf=$1 profile=$2 count=$3 p before want mine
	host_settles
	while read -r p before; do
		if [ "$p" = "$profile" ]; then want=$((before - count)); else want=0; fi
		check_eq "gpus/$bdf/types/$p/available" "$want" "$(<"$MNT/gpus/$bdf/types/$p/available")"
	done <"$TMP/gpu-before"
	while read -r p before; do
		mine=$(awk -v p="$p" '$1 == p { print $2 }' "$TMP/gpu-before")
		if [ "$p" = "$profile" ]; then want=$((before - count)); else want=$((before - ${mine:-0})); fi
		check_eq "profiles/$p/available" "$want" "$(<"$MNT/profiles/$p/available")"
	done <"$TMP/profiles-before"
	check_eq "gpus/$bdf/profile" "$profile" "$(<"$MNT/gpus/$bdf/profile")"
	check_eq "gpus/$bdf/vgpus_used" "$count" "$(<"$MNT/gpus/$bdf/vgpus_used")"
	check_eq "gpus/$bdf/vgpus_max" "$(<"$MNT/gpus/$bdf/types/$profile/max_instances")" \
		"$(<"$MNT/gpus/$bdf/vgpus_max")"
}

# expect_restored BDF: the vGPUs made since the readings in $TMP/gpu-before
# and $TMP/profiles-before are gone: every reading is back.
expect_restored() {
	local bdf=$1
	host_settles
	check_eq "gpus/$bdf/types/*/available after removal" "$(cat "$TMP/gpu-before")" "$(tree_available "$bdf")"
	check_eq "profiles/*/available after removal" "$(cat "$TMP/profiles-before")" "$(tree_profiles_available)"
	check_eq "gpus/$bdf/profile after removal" "" "$(<"$MNT/gpus/$bdf/profile")"
	check_eq "gpus/$bdf/vgpus_used after removal" 0 "$(<"$MNT/gpus/$bdf/vgpus_used")"
}

# --- snapshots: what a refused change must leave alone ----------------------

# tree_snapshot DIR...: a text picture of directories of the tree, to compare
# before and after a refused change.  Each DIR's entries, recursively but
# without following symlinks, as "path type link-target", then every value
# that can be read, as grep prints it ("path:line").  `error` files,
# `events` and `metrics` are left out: a refusal writes to them (metrics
# counts it); so is `host/counters`, which reading the tree moves.  The
# mount point itself stands for its own entries and files only (not the
# whole tree).  A few processes and one read per file, so that it can run
# around every refusal.
tree_snapshot() {
	local d dirs=() root=
	for d in "$@"; do
		d=${d%/}
		if [ "$d" = "$MNT" ]; then root=1; else dirs+=("$d"); fi
	done
	{
		if [ ${#dirs[@]} -gt 0 ]; then
			find "${dirs[@]}" ! -name error ! -name events ! -name counters \
				-printf '%p %y %l\n' 2>&1
			grep -rasH --exclude=error --exclude=events --exclude=counters '' "${dirs[@]}"
		fi
		if [ -n "$root" ]; then
			find "$MNT" -mindepth 1 -maxdepth 1 ! -name events -printf '%p %y %l\n' 2>&1
			find "$MNT" -mindepth 1 -maxdepth 1 -type f ! -name events ! -name metrics \
				-exec grep -asH '' {} +
		fi
	} | sort || true
}

# host_snapshot: the vGPUs on the simulated host: each mdev with the function
# it hangs off, every vgpu_params, and every VF's current_vgpu_type.
host_snapshot() {
	{
		find "$SIM/bus/mdev/devices" -mindepth 1 -maxdepth 1 -printf '%f %l\n' 2>/dev/null
		grep -sH '' "$SIM"/bus/mdev/devices/*/nvidia/vgpu_params \
			"$SIM"/bus/pci/devices/*/nvidia/current_vgpu_type \
			"$SIM"/bus/pci/devices/*/nvidia/vgpu_params
	} | sort || true
}

# refusal_snapshot FILE: what a refused write to FILE must not change: FILE's
# directory (the object, with its subdirectories), the whole groups/ tree,
# for a file of a VM or of one of its devices that VM's definition, and the
# vGPUs on the simulated host.
refusal_snapshot() {
	local f=$1 dir vm= dirs=("$MNT/groups")
	case $f in /*) ;; *) f=$PWD/$f ;; esac
	dir=${f%/*}
	case $dir/ in
	"$MNT"/groups/*) ;; # in the groups/ tree
	"$MNT"/vms/*/*)
		vm=${dir#"$MNT"/vms/}
		vm=$MNT/vms/${vm%%/*}/definition
		[ "$dir" != "${vm%/definition}" ] || vm=
		dirs+=("$dir")
		;;
	*) dirs+=("$dir") ;;
	esac
	tree_snapshot "${dirs[@]}"
	[ -z "$vm" ] || grep -asH '' "$vm" || true
	if is_mounted "$SIM"; then host_snapshot; fi
}

# check_unchanged WHAT BEFORE AFTER: two snapshots are the same, or fail with
# the lines that differ.
check_unchanged() {
	local changes
	[ "$2" = "$3" ] && return 0
	changes=$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | grep '^[<>]' |
		sed 's/^</-/; s/^>/+/' | head -n 20) || true
	fail "$1 changed what it must not (- before, + after):
${changes//"$MNT/"/}"
}

say "$TEST_NAME (build: $BUILD_DIR)"
