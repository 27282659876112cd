#!/bin/bash
# kill -9 in the middle of a stream of writes: after a restart the value is
# the last acknowledged one or the one in flight, never older, never garbage.
. "$(dirname "$0")/lib.sh"
need sqlite3 timeout

start_sim demo.host
start_vgpufs
mkdir "$MNT/groups/g"
d=$MNT/groups/g/description

for round in 1 2 3; do
	say "round $round: a writer loop, kill -9 after a while"
	: >"$TMP/acked"
	# each value is recorded only after echo returned success
	(
		i=$((round * 100000))
		while :; do
			i=$((i + 1))
			echo "value $i" >"$d" 2>/dev/null || exit 0
			echo "$i" >>"$TMP/acked"
		done
	) &
	writer=$!
	for _ in $(seq 100); do
		[ "$(wc -l <"$TMP/acked")" -ge $((round * 50)) ] && break
		sleep 0.05
	done
	kill9_vgpufs
	timeout 10 tail --pid="$writer" -f /dev/null || fail "the writer did not stop after kill -9"
	wait "$writer" || true
	acked=$(tail -n 1 "$TMP/acked")
	[ -n "$acked" ] || fail "no write was acknowledged before kill -9"
	check_db
	start_vgpufs
	got=$(cat "$d")
	case $got in
	"value $acked" | "value $((acked + 1))") ;;
	*) fail "after kill -9: description is '$got'; last acknowledged 'value $acked'" ;;
	esac
	pass "round $round: $(wc -l <"$TMP/acked") writes acknowledged, last $acked, read back '$got'"
done
