#!/bin/bash
# The demo: builds vgpufs, mounts a simulated host (tools/hosts/demo.host) on
# DIR/sys and vgpufs on DIR/vgpu, shows a short tour and leaves both running.
#   tools/demo.sh [DIR]          start (DIR defaults to /run/vgpufs-demo)
#   tools/demo.sh stop [DIR]     unmount both and stop them
# Logs and pids are kept in DIR; the daemon's state goes to DIR/state and VMs
# come from libvirt's test driver with tools/hosts/demo-vms.xml (some running).
# The tour ends with the README's workflows, run as written.
set -eu
cd "$(dirname "$0")/.."
SRC_DIR=$PWD
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}

is_mounted() {
	awk -v d="$1" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
}

alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# stop_one DIR NAME: NAME is vgpu (the daemon) or sys (the simulator).  The
# daemon unmounts itself on SIGTERM; the simulator ends when unmounted.
stop_one() {
	local mnt=$1/$2 pidfile=$1/$2.pid pid=""
	[ -f "$pidfile" ] && pid=$(<"$pidfile")
	if [ "$2" = vgpu ] && [ -n "$pid" ] && alive "$pid"; then
		kill -TERM "$pid"
	elif is_mounted "$mnt"; then
		fusermount3 -u "$mnt" 2>/dev/null || true
	fi
	for _ in $(seq 50); do
		{ [ -n "$pid" ] && alive "$pid"; } || is_mounted "$mnt" || break
		sleep 0.1
	done
	if is_mounted "$mnt"; then
		fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fi
	if [ -n "$pid" ] && alive "$pid"; then
		kill -KILL "$pid"
	fi
	rm -f "$pidfile"
}

stop_demo() {
	stop_one "$1" vgpu
	stop_one "$1" sys
}

# start_one DIR NAME LOG COMMAND...: runs COMMAND detached (own session, no
# terminal) and waits until DIR/NAME is mounted.
start_one() {
	local dir=$1 name=$2 log=$3 pid
	shift 3
	setsid "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/$name.pid"
	for _ in $(seq 100); do
		mountpoint -q "$dir/$name" && return 0
		alive "$pid" || break
		sleep 0.1
	done
	tail -n 20 "$log" >&2
	echo "demo: $(basename "$1") did not mount $dir/$name (log: $log)" >&2
	stop_demo "$dir"
	exit 1
}

if [ "${1:-}" = stop ]; then
	DIR=${2:-/run/vgpufs-demo}
	stop_demo "$DIR"
	echo "demo: stopped; $DIR/sys and $DIR/vgpu unmounted"
	exit 0
fi

DIR=${1:-/run/vgpufs-demo}
tools/setup.sh
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
stop_demo "$DIR"
rm -rf "$DIR/state"  # each demo starts from an empty state database
mkdir -p "$DIR/sys" "$DIR/vgpu" "$DIR/state"

start_one "$DIR" sys "$DIR/hostsim.log" \
	"$BUILD_DIR/tools/hostsim/vgpu-hostsim" -f "$SRC_DIR/tools/hosts/demo.host" "$DIR/sys"
start_one "$DIR" vgpu "$DIR/vgpufs.log" \
	"$BUILD_DIR/fs/vgpufs" -f --sysfs-root "$DIR/sys" \
	--libvirt "test://$SRC_DIR/tools/hosts/demo-vms.xml" \
	--state "$DIR/state" "$DIR/vgpu"

tour() {
	printf '\n\033[1m$ %s\033[0m\n' "$1"
	(cd "$DIR/vgpu" && bash -c "$1") || true
}

echo
echo "=== A simulated host (tools/hosts/demo.host: 2x T4, 4x A16, an A40 with 12 VFs,"
echo "=== an L40S in vfio-sriov mode) is mounted on $DIR/sys, vgpufs on $DIR/vgpu."
printf '\n\033[1m$ cd %s\033[0m\n' "$DIR/vgpu"
tour "ls"
tour "cat version host/driver_version"
tour "ls gpus"
tour "grep . gpus/*/mode"
first=$(ls "$DIR/vgpu/gpus" | sed -n 1p)
tour "grep . gpus/$first/{name,vendor,device,numa_node,profile,vgpus_used}"
tour "ls gpus/$first/types"
profile=$(ls "$DIR/vgpu/gpus/$first/types" | sed -n 3p)
[ -n "$profile" ] || profile=$(ls "$DIR/vgpu/gpus/$first/types" | sed -n 1p)
tour "grep . gpus/$first/types/$profile/*"
tour "find $DIR/vgpu/profiles -maxdepth 1 | head -n 20"
tour "grep . profiles/$profile/{gpus,available}"

# The README's workflow, as written: a driver bundle and its guest ISO, a resource group,
# then vGPU devices for two VMs. Synthetic bundles stand in for NVIDIA's downloads.
mkdir -p "$DIR/home/Downloads"
python3 tools/make-bundles.py --only NVIDIA-GRID-Linux-KVM-535.161.05-535.161.08-538.46.zip \
	"$DIR/home/Downloads" >/dev/null
python3 tools/make-bundles.py --only NVIDIA-GRID-Linux-KVM-550.54.16-550.54.15-551.78.zip \
	"$DIR/home/Downloads" >/dev/null
for block in driver-workflow groups-workflow vm-workflow; do
	echo
	echo "=== README: $block (each line is shown, then run)"
	tools/readme-block.sh "$block" >"$DIR/$block.sh"
	(cd "$DIR/vgpu" && HOME=$DIR/home bash -v "$DIR/$block.sh" 2>&1) || true
done

type_id=$(<"$DIR/vgpu/gpus/$first/types/$profile/type_id")
cat <<EOF_HELP

=== Both keep running.  Try making a vGPU behind vgpufs's back, as the kernel would:
  cat /proc/sys/kernel/random/uuid > $DIR/sys/class/mdev_bus/$first/mdev_supported_types/$type_id/create
  grep . $DIR/vgpu/gpus/$first/{profile,vgpus_used} $DIR/vgpu/gpus/$first/types/*/available
Logs: $DIR/vgpufs.log $DIR/hostsim.log
Stop: tools/demo.sh stop${1:+ $DIR}
EOF_HELP
