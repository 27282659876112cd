#!/bin/bash
# vgpufs --check: discovery without mounting. It prints what discovery finds, exits 0
# when discovery worked, and writes nothing: not to the state directory, not to the
# (simulated) sysfs, not to the current directory.
. "$(dirname "$0")/lib.sh"

DB=$TMP/state/vgpufs.db
WORK=$TMP/cwd # --check runs here: a file it dropped would show
mkdir -p "$WORK"

# vgpufs_check [ARGS...]: --check on the simulator, libvirt's test driver and $TMP/state
# (ARGS override them), run in $WORK; stdout to $TMP/check.out, stderr to $TMP/check.err.
vgpufs_check() {
	(cd "$WORK" && "$VGPUFS_BIN" --check --sysfs-root "$SIM" --libvirt test:///default \
		--state "$TMP/state" "$@") >"$TMP/check.out" 2>"$TMP/check.err"
}

# expect_check [ARGS...]: vgpufs_check must exit 0 and print nothing on stderr.
expect_check() {
	local rc=0
	vgpufs_check "$@" || rc=$?
	[ "$rc" = 0 ] || fail "vgpufs --check $* exited $rc: $(cat "$TMP/check.err")"
	[ ! -s "$TMP/check.err" ] || fail "vgpufs --check $* wrote to stderr: $(cat "$TMP/check.err")"
}

line_of() { grep "^$1: " "$TMP/check.out" | sed "s/^$1: //"; }

# gpu_field BDF KEY: KEY=VALUE from the GPU's line (name= is the rest of the line).
gpu_field() {
	local line
	line=$(grep "^gpu: $1 " "$TMP/check.out") || fail "no 'gpu: $1' line"
	if [ "$2" = name ]; then
		echo "${line#* name=}"
	else
		tr ' ' '\n' <<<"${line%% name=*}" | sed -n "s/^$2=//p"
	fi
}

# What a write would change. The simulator's files report fixed times, so these are its
# live values: the mdevs, every VF's vGPU, every type's free count, the driver.
sim_state() {
	local f
	ls "$SIM/bus/mdev/devices"
	for f in "$SIM"/bus/pci/devices/*/nvidia/current_vgpu_type \
		"$SIM"/class/mdev_bus/*/mdev_supported_types/*/available_instances \
		"$SIM"/module/nvidia/version; do
		[ -f "$f" ] && printf '%s %s\n' "${f#"$SIM"/}" "$(<"$f")"
	done
	return 0
}

# The state directory (names, sizes, times, contents) and the working directory.
files_state() {
	if [ -d "$TMP/state" ]; then
		find "$TMP/state" -printf '%P %s %T@\n' | sort
		find "$TMP/state" -type f -exec md5sum {} + | sort
	else
		echo "no $TMP/state"
	fi
	find "$WORK" -mindepth 1
}

# check_writes_nothing WHAT: no change since snapshot_before.
snapshot_before() {
	sim_state >"$TMP/sim-before"
	files_state >"$TMP/files-before"
}
check_writes_nothing() {
	sim_state >"$TMP/sim-after"
	files_state >"$TMP/files-after"
	diff "$TMP/sim-before" "$TMP/sim-after" >&2 || fail "$1: the simulated sysfs changed"
	diff "$TMP/files-before" "$TMP/files-after" >&2 ||
		fail "$1: the state or the working directory changed"
}

start_sim demo.host

say "--help mentions --check"
"$VGPUFS_BIN" --help | grep -q -- '--check' || fail "--help does not mention --check"
pass "--help mentions --check"

# One vGPU on a T4 (mdev) and one on the L40S (vfio-sriov), made behind vgpufs's back.
T4=$(sim_gpus | head -n 1)
T4_TYPE=$(ls "$SIM/class/mdev_bus/$T4/mdev_supported_types" | head -n 1)
new_uuid >"$SIM/class/mdev_bus/$T4/mdev_supported_types/$T4_TYPE/create"
for bdf in $(sim_gpus); do [ "$(sim_mode "$bdf")" = vfio-sriov ] && L40S=$bdf; done
VF=$(sim_vfs "$L40S" | head -n 1)
sed -n '2s/ .*//p' "$SIM/bus/pci/devices/$VF/nvidia/creatable_vgpu_types" \
	>"$SIM/bus/pci/devices/$VF/nvidia/current_vgpu_type"

say "the report follows the simulated host, with no state directory yet"
snapshot_before
cp "$TMP/sim-before" "$TMP/sim-first"
expect_check
cat "$TMP/check.out"
check_eq "vgpufs: line" "$("$VGPUFS_BIN" --version | sed 's/^vgpufs //')" "$(line_of vgpufs)"
check_eq "sysfs: line" "$SIM" "$(line_of sysfs)"
check_eq "driver_version: line" "$(<"$SIM/module/nvidia/version")" "$(line_of driver_version)"
check_eq "gpus: line" "$(sim_gpus | wc -l)" "$(line_of gpus)"
check_eq "the GPUs listed" "$(sim_gpus)" "$(line_of gpu | cut -d' ' -f1)"
# the host file's GPUs are on ascending buses, in file order (as in t001)
host_gpus "$HOST_FILE" >"$TMP/host-gpus"
i=0
for bdf in $(sim_gpus); do
	i=$((i + 1))
	read -r model _ < <(sed -n "${i}p" "$TMP/host-gpus")
	dev=$SIM/bus/pci/devices/$bdf
	vgpus=0
	[ "$bdf" = "$T4" ] || [ "$bdf" = "$L40S" ] && vgpus=1
	catalogue=full
	[ "$bdf" = "$L40S" ] && catalogue=partial
	while read -r key want; do
		check_eq "$bdf $key" "$want" "$(gpu_field "$bdf" "$key")"
	done <<-EOF
		id $(sed 's/^0x//' "$dev/vendor"):$(sed 's/^0x//' "$dev/device")
		subsystem $(sed 's/^0x//' "$dev/subsystem_vendor"):$(sed 's/^0x//' "$dev/subsystem_device")
		class $(<"$dev/class")
		kernel_driver $(basename "$(readlink "$dev/driver")")
		numa_node $(<"$dev/numa_node")
		iommu_group $(basename "$(readlink "$dev/iommu_group")")
		mode $(sim_mode "$bdf")
		vfs $(sim_vfs "$bdf" | wc -l)
		types $(sim_types "$bdf" | wc -l)
		catalogue $catalogue
		vgpus $vgpus
	EOF
	name=$(gpu_field "$bdf" name)
	check_eq "$bdf name" "NVIDIA $model" "$name"
done
check_eq "modes" "mdev mdev mdev mdev mdev mdev mdev vfio-sriov" \
	"$(for bdf in $(sim_gpus); do gpu_field "$bdf" mode; done | paste -sd' ')"
check_eq "the L40S lists only the type it holds" 1 "$(gpu_field "$L40S" types)"
pass "$(line_of gpus) GPUs, their PCI identity, mode, type and VF counts, the driver"

check_eq "libvirt: line" "test:///default answers" "$(line_of libvirt | sed 's/ (.*//')"
line_of libvirt | grep -Eq '\(libvirt [0-9]+\.[0-9]+\.[0-9]+, 1 domain\)$' ||
	fail "libvirt: line '$(line_of libvirt)'"
check_eq "state: line" "no database at $DB" "$(line_of state)"
[ ! -e "$TMP/state" ] || fail "--check created $TMP/state"
check_writes_nothing "--check with no database"
pass "libvirt answers, no database; nothing written"

if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
	say "under strace: no file opened for writing, no write but to stdout"
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o "$TMP/strace.log" -e trace=%file,write,writev,pwrite64,pwritev,ftruncate \
		"$VGPUFS_BIN" --check --sysfs-root "$SIM" --libvirt test:///default \
		--state "$TMP/state" >/dev/null || fail "--check under strace failed"
	bad=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|[ (](write|writev|pwrite64|pwritev)\(([03-9]|[0-9][0-9]+),|[ (](mkdir|mkdirat|rmdir|unlink|unlinkat|rename|renameat2?|truncate|ftruncate|symlink|symlinkat|link|linkat|chmod|fchmodat|chown|fchownat|lchown|utimensat|mknod|mknodat)\(' \
		"$TMP/strace.log" || true)
	[ -z "$bad" ] || fail "--check wrote: $bad"
	pass "$(wc -l <"$TMP/strace.log") traced calls, none writes"
else
	say "strace is not available: the syscall check is skipped"
fi

say "a libvirt URI that does not answer is reported, and the exit status stays 0"
uri="test+unix:///default?socket=$TMP/no-such-socket"
expect_check --libvirt "$uri"
line_of libvirt | grep -qF "$uri does not answer: Failed to connect socket to '$TMP/no-such-socket'" ||
	fail "libvirt: line '$(line_of libvirt)'"
check_eq "GPUs still listed" "$(sim_gpus | wc -l)" "$(line_of gpu | wc -l)"
pass "libvirt: $(line_of libvirt)"

say "while the daemon runs, the schema version is read through the WAL, and nothing changes"
start_vgpufs
if [ ! -e "$DB-wal" ] || [ ! -e "$DB-shm" ]; then
	fail "the running daemon has no -wal and -shm: $(ls "$TMP/state")"
fi
snapshot_before
expect_check
state=$(line_of state)
[[ $state =~ ^"$DB schema version "([0-9]+)$ ]] || fail "state: line '$state'"
version=${BASH_REMATCH[1]}
[ "$version" -gt 0 ] || fail "schema version $version while the daemon runs"
check_writes_nothing "--check while the daemon runs"
pass "schema version $version; database, -wal and -shm unchanged"

say "after kill -9 (a -wal and -shm left behind) the same, and nothing changes"
kill9_vgpufs
snapshot_before
expect_check
check_eq "state: line after kill -9" "$DB schema version $version" "$(line_of state)"
check_writes_nothing "--check after kill -9"
pass "schema version $version after kill -9"
mkdir "$TMP/no-shm"
cp "$DB" "$DB-wal" "$TMP/no-shm/"

say "after a clean stop (the database alone) the same, and no -wal or -shm appears"
start_vgpufs
quit_vgpufs
# the database, and the media store's directories (media/, uploads/) with no file in them
STATE_FILES=$'media\nuploads\nvgpufs.db'
state_files() {
	(cd "$TMP/state" && { ls; find media uploads -mindepth 1 ! -type d; } | sort)
}
check_eq "state files after a clean stop" "$STATE_FILES" "$(state_files)"
snapshot_before
expect_check
check_eq "state: line after a clean stop" "$DB schema version $version" "$(line_of state)"
check_eq "schema version per sqlite3" "$version" \
	"$(sqlite3 "file:$DB?immutable=1" 'PRAGMA user_version')"
check_writes_nothing "--check after a clean stop"
check_eq "state files after --check" "$STATE_FILES" "$(state_files)"
pass "schema version $version, only vgpufs.db (and the empty media store) in $TMP/state"

say "a -wal without its -shm, a newer schema and a file that is no database are reported"
expect_check --state "$TMP/no-shm"
line_of state | grep -Eq "^$TMP/no-shm/vgpufs.db schema version [0-9]+, read without its -wal \(no -shm beside it\)$" ||
	fail "state: line '$(line_of state)'"
check_eq "files in $TMP/no-shm" "vgpufs.db vgpufs.db-wal" "$(ls "$TMP/no-shm" | paste -sd' ')"
mkdir "$TMP/newer" "$TMP/garbage"
cp "$DB" "$TMP/newer/vgpufs.db"
sqlite3 "$TMP/newer/vgpufs.db" 'PRAGMA user_version = 999'
expect_check --state "$TMP/newer"
check_eq "state: line, newer schema" \
	"$TMP/newer/vgpufs.db schema version 999, newer than this vgpufs ($version)" "$(line_of state)"
head -c 4096 /dev/urandom >"$TMP/garbage/vgpufs.db"
expect_check --state "$TMP/garbage"
line_of state | grep -q "^$TMP/garbage/vgpufs.db unreadable: ." || fail "state: line '$(line_of state)'"
check_eq "files in $TMP/garbage" vgpufs.db "$(ls "$TMP/garbage")"
pass "$(line_of state)"

say "the simulated sysfs is as it was before any --check"
sim_state >"$TMP/sim-end"
diff "$TMP/sim-first" "$TMP/sim-end" >&2 || fail "the simulated sysfs changed"
check_eq "the T4's vGPU" 1 "$(ls "$SIM/class/mdev_bus/$T4/mdev_supported_types/$T4_TYPE/devices" | wc -l)"
[ "$(<"$SIM/bus/pci/devices/$VF/nvidia/current_vgpu_type")" != 0 ] || fail "the L40S VF lost its vGPU"
pass "vGPUs and free counts unchanged"

say "a host without GPUs is a result; a sysfs root that cannot be read is an error"
mkdir -p "$TMP/empty/bus/pci/devices"
expect_check --sysfs-root "$TMP/empty"
check_eq "gpus: line, empty host" "0 (no NVIDIA GPU found)" "$(line_of gpus)"
check_eq "driver_version: line, empty host" none "$(line_of driver_version)"
for root in "$TMP/nowhere" "$WORK" "$DB"; do
	rc=0
	vgpufs_check --sysfs-root "$root" || rc=$?
	check_eq "exit status with --sysfs-root $root" 1 "$rc"
	[ ! -s "$TMP/check.out" ] || fail "--sysfs-root $root printed: $(cat "$TMP/check.out")"
	check_eq "stderr lines with --sysfs-root $root" 1 "$(wc -l <"$TMP/check.err")"
	grep -q '^vgpufs: .' "$TMP/check.err" || fail "stderr: $(cat "$TMP/check.err")"
	say "  $(cat "$TMP/check.err")"
done
rc=0
vgpufs_check "$MNT" || rc=$?
check_eq "exit status with a mount point" 2 "$rc"
pass "no GPU: exit 0; bad sysfs root: exit 1 and one line; a mount point: exit 2"

say "a host whose nvidia module is not loaded"
stop_sim
printf 'driver none\ngpu T4\ngpu L40S mode=vfio-sriov\n' >"$TMP/no-driver.host"
start_sim "$TMP/no-driver.host"
expect_check
check_eq "driver_version: line, no driver" none "$(line_of driver_version)"
for bdf in $(sim_gpus); do
	check_eq "$bdf mode, no driver" none "$(gpu_field "$bdf" mode)"
	check_eq "$bdf kernel_driver, no driver" none "$(gpu_field "$bdf" kernel_driver)"
	check_eq "$bdf types, no driver" 0 "$(gpu_field "$bdf" types)"
done
pass "driver none, $(line_of gpus) GPUs in mode none"
