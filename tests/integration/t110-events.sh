#!/bin/bash
# /vgpu/events has one line per change or refused write; tail -f follows it
# and poll(2) wakes a reader when another process changes something.
. "$(dirname "$0")/lib.sh"
need python3 timeout

start_sim demo.host
start_vgpufs
cd "$MNT"

say "every line starts with a UTC time; changes and refusals have their own form"
check_eq "mode of events" 440 "$(stat -c %a events)"
before=$(wc -l <events)
mkdir groups/g
put groups/g/description "first"
put groups/g/class render
put_refused "$EINVAL" groups/g/policy sideways
put host/maintenance yes
{ echo x >groups/g/descriptoin; } 2>/dev/null && fail "typo accepted"
mkdir groups/g/rules/r
put groups/g/rules/r/enabled off
new=$(tail -n +$((before + 1)) events)
check_eq "number of new events" 8 "$(wc -l <<<"$new")"
bad=$(grep -Ev "^$EVENT_TIME " <<<"$new" || true)
[ -z "$bad" ] || fail "events without a UTC time: $bad"
now=$(date -u +%s)
t=$(date -u -d "$(tail -n 1 <<<"$new" | cut -d' ' -f1)" +%s)
[ $((now - t)) -ge 0 ] && [ $((now - t)) -le 60 ] || fail "event time $t is not UTC now ($now)"
want=(
	'groups/g created$'
	'groups/g/description = first$'
	'groups/g/class = render$'
	'groups/g: refused \(EINVAL\): .*policy.*sideways'
	'host/maintenance = 1$'
	'groups/g: refused \(ENOENT\): .*descriptoin'
	'groups/g/rules/r created'
	'groups/g/rules/r/enabled = 0$'
)
i=0
while IFS= read -r line; do
	[[ ${line#* } =~ ^${want[i]} ]] || fail "event $((i + 1)): '$line' does not match '${want[i]}'"
	i=$((i + 1))
done <<<"$new"
pass "format"

say "tail -f shows a change made by another process"
timeout 10 tail -n 0 -f events >"$TMP/tail.out" &
tailer=$!
sleep 0.5
put groups/g/description "seen by tail"
for _ in $(seq 50); do
	grep -q "groups/g/description = seen by tail" "$TMP/tail.out" && break
	sleep 0.1
done
kill "$tailer" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true
check_grep "^$EVENT_TIME groups/g/description = seen by tail\$" "$TMP/tail.out"
pass "tail -f"

say "poll(2) on events wakes when another process writes an attribute"
python3 - "$MNT/events" >"$TMP/poll.out" 2>&1 <<'PY' &
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
while os.read(fd, 65536):
    pass
print("ready", flush=True)
p = select.poll()
p.register(fd, select.POLLIN)
start = time.monotonic()
ev = p.poll(10000)
print("woke" if ev else "timeout", round(time.monotonic() - start, 2), flush=True)
print(os.read(fd, 65536).decode(), end="", flush=True)
PY
poller=$!
for _ in $(seq 50); do grep -q ready "$TMP/poll.out" && break; sleep 0.1; done
sleep 0.3
put groups/g/description "seen by poll"
wait "$poller" || fail "poller failed: $(cat "$TMP/poll.out")"
grep -q '^woke' "$TMP/poll.out" || fail "poll did not wake: $(cat "$TMP/poll.out")"
check_grep "^$EVENT_TIME groups/g/description = seen by poll\$" "$TMP/poll.out"
pass "poll"
