#!/bin/bash
# Four shells writing at once (one attribute, or one each) and mkdir/rmdir of
# groups in parallel: no deadlock, every final value is the last write of one
# writer, and a restart shows the same values.
. "$(dirname "$0")/lib.sh"
need timeout

start_sim demo.host
start_vgpufs
cd "$MNT"
mkdir groups/g
N=200

# writer ID FILE [SUFFIX]: N writes of "wID-K[SUFFIX]"; a refused write fails the writer.
writer() {
	local k
	for k in $(seq "$N"); do
		echo "w$1-$k${3-}" >"$2" || exit 1
	done
}

# run_all TIMEOUT: wait for the background jobs in $pids, each must exit 0.
run_all() {
	local pid rc=0
	for pid in $pids; do
		timeout "$1" tail --pid="$pid" -f /dev/null || fail "a writer is still running after $1 s: deadlock?"
		wait "$pid" || rc=$?
	done
	[ "$rc" = 0 ] || fail "a writer failed (status $rc)"
}

say "4 shells x $N writes to the same attribute"
pids=
for w in 1 2 3 4; do
	writer $w groups/g/description &
	pids="$pids $!"
done
run_all 60
final=$(cat groups/g/description)
case $final in
w[1-4]-$N) ;;
*) fail "groups/g/description is '$final', not the last write of a writer (w1-$N .. w4-$N)" ;;
esac
check_eq "description events" $((4 * N)) "$(grep -c ' groups/g/description = w' events)"
check_eq "last description event" "$final" "$(grep ' groups/g/description = ' events | tail -n 1 | sed 's/.* = //')"
pass "same attribute: '$final'"

say "4 shells x $N writes, each to its own attribute or object"
mkdir groups/g/rules/r groups/h
# driver_iso takes only an ISO in media/: one for each value writer 2 writes
upload_iso w2-1.iso
for k in $(seq 2 "$N"); do
	cp "$TMP/w2-1.iso" "media/w2-$k.iso" || fail "cp to media/w2-$k.iso failed"
done
pids=
writer 1 groups/g/description &
pids="$pids $!"
writer 2 groups/g/driver_iso .iso &
pids="$pids $!"
writer 3 groups/h/description &
pids="$pids $!"
(for k in $(seq "$N"); do
	echo "0000:4$((k % 9)):00.0" >groups/g/rules/r/slot || exit 1
done) &
pids="$pids $!"
run_all 60
check_val groups/g/description "w1-$N"
check_val groups/g/driver_iso "w2-$N.iso"
check_eq "driver_iso events" "$N" "$(grep -c ' groups/g/driver_iso = w2-' events)"
check_eq "the media files in use" "media-info/w2-$N.iso/used_by:groups/g driver_iso" \
	"$(grep -H . media-info/*/used_by)"
check_val groups/h/description "w3-$N"
check_val groups/g/rules/r/slot "0000:4$((N % 9)):00.0"
pass "different attributes"

say "mkdir/rmdir of different groups in parallel with writes"
pids=
for w in 1 2 3; do
	(for k in $(seq 50); do
		mkdir "groups/p$w" || exit 1
		echo "p$w-$k" >"groups/p$w/description" || exit 1
		mkdir "groups/p$w/rules/r" || exit 1
		[ $k = 50 ] && exit 0
		rmdir "groups/p$w" || exit 1
	done) &
	pids="$pids $!"
done
writer 4 groups/g/description &
pids="$pids $!"
run_all 60
check_eq "groups" "g h p1 p2 p3" "$(ls groups | tr '\n' ' ' | sed 's/ $//')"
for w in 1 2 3; do
	check_val groups/p$w/description "p$w-50"
	check_eq "rules of p$w" r "$(ls groups/p$w/rules)"
done
check_val groups/g/description "w4-$N"
pass "mkdir/rmdir"

say "a restart shows the same values"
snapshot() { (cd "$MNT" && ls groups && cat groups/*/description groups/g/driver_iso groups/g/rules/r/slot); }
snapshot >"$TMP/before"
cd /
restart_vgpufs
snapshot >"$TMP/after"
check_file_eq "values after restart" "$TMP/before" "$TMP/after"
pass "persisted"
