#!/bin/bash
# The project's test command: builds build/ and build-asan/ (tools/setup.sh
# --asan) and build-fuzz/ (tools/fuzz.sh --build: clang, libFuzzer), runs every
# meson test in the three, and ends with one line "N passed, N failed" summed
# over all runs.  Exits non-zero if anything failed, sanitizer reports included
# (they abort the process that has them).  Each fuzz target runs for
# $VGPUFS_FUZZ_SECONDS (20 unless set).
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
# Leaks inside libraries the project cannot fix are listed in tests/lsan.supp.
if [ -f tests/lsan.supp ]; then
	export LSAN_OPTIONS=print_suppressions=0:suppressions=$PWD/tests/lsan.supp
fi

passed=0
failed=0

if ! tools/setup.sh --asan; then
	echo "test: tools/setup.sh --asan failed" >&2
	failed=$((failed + 1))
fi
if ! tools/fuzz.sh --build; then
	echo "test: tools/fuzz.sh --build failed" >&2
	failed=$((failed + 1))
fi
export VGPUFS_FUZZ_SECONDS=${VGPUFS_FUZZ_SECONDS:-20}

# count_results LOG: prints "OK FAILED" for a meson test log (JSON lines).
count_results() {
	python3 - "$1" <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif result != "SKIP":
        bad += 1
print(ok, bad)
PY
}

for dir in build build-asan build-fuzz; do
	if [ ! -d "$dir" ]; then
		echo "test: $dir/ is missing" >&2
		failed=$((failed + 1))
		continue
	fi
	echo "=== meson test -C $dir"
	log=$dir/meson-logs/testlog.json
	rm -f "$log"
	rc=0
	meson test -C "$dir" --print-errorlogs || rc=$?
	counts="0 0"
	[ ! -f "$log" ] || counts=$(count_results "$log") || counts="0 1"
	read -r ok bad <<<"$counts"
	# A build that broke before any test ran still fails the run.
	[ "$rc" = 0 ] || [ "$bad" != 0 ] || bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
