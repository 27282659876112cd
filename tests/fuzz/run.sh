#!/bin/sh
# Runs one libFuzzer target for a bounded time; the test command of suite 'fuzz'.
#   run.sh BINARY NAME SOURCE_DIR WORK_DIR
# Seeds are read from SOURCE_DIR/corpus/NAME and never written. The inputs a run finds
# go to WORK_DIR/corpus, where the next run starts from them too; a crashing input is
# written to WORK_DIR/crash-<sha1> (leak-, timeout-, oom- likewise) and its bytes are
# printed in base64 at the end of the output. VGPUFS_FUZZ_SECONDS sets the time
# (default 30).
set -eu
binary=$1 name=$2 source_dir=$3 work=$4
seconds=${VGPUFS_FUZZ_SECONDS:-30}

mkdir -p "$work/corpus"
# libFuzzer's own failure status is 77, which meson reads as "skipped": make it 1.
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$work/"
if [ -f "$source_dir/$name.dict" ]; then
	set -- "$@" -dict="$source_dir/$name.dict"
fi
# timeout(1) guards against a hang outside any one input (libFuzzer's -timeout).
status=0
timeout --kill-after=10 $((seconds + 120)) "$binary" "$@" "$work/corpus" \
	"$source_dir/corpus/$name" || status=$?
if [ "$status" -ne 0 ]; then
	for artifact in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -f "$artifact" ] || continue
		echo "$artifact, base64:"
		base64 "$artifact"
	done
	[ "$status" -ne 77 ] || status=1
fi
exit "$status"
