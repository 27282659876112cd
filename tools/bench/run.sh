#!/bin/bash
# Mounts the host simulator (tools/hosts/big.host unless told otherwise) and
# vgpufs in a scratch directory, runs vgpufs-bench against the mount, and
# unmounts both.
#   tools/bench/run.sh [--seconds N] [HOSTFILE]
# BUILD_DIR selects the build (default build/); run tools/setup.sh first.
SECONDS_PER_TEST=1
HOST=big.host
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER_TEST=$2; shift 2 ;;
	-h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) HOST=$1; shift ;;
	esac
done

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC_DIR/tests/integration/lib.sh"

BENCH_BIN=$BUILD_DIR/tools/bench/vgpufs-bench
[ -x "$BENCH_BIN" ] || fail "not built: $BENCH_BIN (run tools/setup.sh)"

start_sim "$HOST"
start_vgpufs
say "$(ls "$MNT/gpus" | wc -l) GPUs, $(ls "$MNT/profiles" | wc -l) profiles, $(find "$MNT" -type f | wc -l) files"
"$BENCH_BIN" --mount "$MNT" --seconds "$SECONDS_PER_TEST"
quit_vgpufs
