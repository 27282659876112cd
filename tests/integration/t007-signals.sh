#!/bin/bash
# SIGTERM and SIGINT unmount the tree and end the daemon, busy or not.
. "$(dirname "$0")/lib.sh"

start_sim demo.host

say "SIGTERM"
start_vgpufs
ls -R "$MNT" >/dev/null
stop_vgpufs TERM

say "SIGINT"
start_vgpufs
cat "$MNT/gpus"/*/mode >/dev/null
stop_vgpufs INT

say "SIGTERM while a shell sits in the tree and a file is held open"
start_vgpufs
bdf=$(ls "$MNT/gpus" | sed -n 1p)
# The paths go through the environment: the holder's command line must not
# name $MNT, or stop_vgpufs's pgrep would take it for a leftover daemon.
helper env HOLD_DIR="$MNT/gpus/$bdf" HOLD_FLAG="$TMP/holding" \
	bash -c 'cd "$HOLD_DIR" && exec 3<vendor && touch "$HOLD_FLAG" && exec sleep 60'
for _ in $(seq 100); do
	[ -e "$TMP/holding" ] && break
	sleep 0.1
done
[ -e "$TMP/holding" ] || fail "the helper did not open gpus/$bdf/vendor"
stop_vgpufs TERM

say "the simulator is untouched and vgpufs mounts again"
start_vgpufs
[ -n "$(ls "$MNT/gpus")" ] || fail "gpus/ is empty after a restart"
stop_vgpufs TERM
