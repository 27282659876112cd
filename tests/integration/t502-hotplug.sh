#!/bin/bash
# The host changes under the daemon: a GPU is unplugged and plugged back
# (the simulator's .simctl), and the tree follows without a restart.  With
# the periodic rescan off, what the daemon learns comes from the uevents the
# simulator sends as the kernel would; so the test runs in a network
# namespace of its own (unshare -n), where no other listener hears them and
# no other sender reaches the daemon.  Then the same with uevents off and a
# short rescan interval: the fallback.
if [ -z "${T502_NETNS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
		echo "skip: $(basename "$0" .sh) needs root and unshare -n (uevents)"
		exit 77
	fi
	T502_NETNS=1 exec unshare -n -- bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

# events_count REGEX: lines of the event log that match.
events_count() { grep -Ec -- "$1" "$MNT/events" || true; }
# gpu_events: lines of the event log about a GPU coming, going or changing.
gpu_events() { events_count '^[^ ]+ gpus/[^ ]+: (gone|back|appeared|changed|another)'; }

# vgpu_states VM DEV: the state of each of the device's vGPUs, one a line.
vgpu_states() {
	local u
	for u in $(dev_vgpus "$1" "$2"); do cat "$MNT/vgpus/$u/state"; done
}

# rules_text: every rule of every group with its filters (nothing may change).
rules_text() {
	local r
	for r in "$MNT"/groups/*/rules/*; do
		printf '%s %s %s %s %s\n' "$(rel "$r")" "$(cat "$r/slot")" "$(cat "$r/vendor")" \
			"$(cat "$r/device")" "$(cat "$r/enabled")"
	done
}

demo_up --rescan-interval 0
cd "$MNT"
T4=${T4_GPUS%% *}

say "a VM holds two vGPUs on one A16"
make_group a16 A16-4Q $A16_GPUS
mkdir vms/cad-ws02/devices/gpu0
put vms/cad-ws02/devices/gpu0/count 2
put vms/cad-ws02/devices/gpu0/group a16
B=$(cat "vgpus/$(dev_vgpus cad-ws02 gpu0 | head -n 1)/gpu")
for u in $(dev_vgpus cad-ws02 gpu0); do check_val "vgpus/$u/gpu" "$B"; done
check_val gpus/$B/state present
check_val groups/a16/status ready
sim_snapshot >"$TMP/sim-before"
rules_text >"$TMP/rules-before"
dev_vgpus cad-ws02 gpu0 >"$TMP/vgpus-before"
pass "vGPUs on $B"

say "unplug $B: the uevents mark it gone, its vGPUs lost, the group degraded"
put "$SIM/.simctl" "unplug $B"
wait_until 10 "gpus/$B/state reads gone" reads gpus/$B/state gone
check_grep "^$B\$" <(ls gpus)
check_eq "vGPUs of the device" "$(cat "$TMP/vgpus-before")" "$(dev_vgpus cad-ws02 gpu0)"
check_eq "vGPU states" $'lost\nlost' "$(vgpu_states cad-ws02 gpu0)"
check_val vms/cad-ws02/devices/gpu0/status lost
check_val groups/a16/status degraded
check_grep "$B" groups/a16/error
check_eq "events about $B going" 1 \
	"$(events_count "gpus/$B: gone from the host.*2 vGPUs lost; group a16 degraded")"
check_eq "rules" "$(cat "$TMP/rules-before")" "$(rules_text)"
check_eq "vGPUs of $B on the host" "" "$(sim_snapshot | grep -F "$B" || true)"
check_eq "lines about GPUs in events (no other GPU changed)" 1 "$(gpu_events)"
pass "gone, listed, lost, degraded; rules kept"

say "placement does not use the gone GPU"
mkdir vms/render01/devices/gpu0
put vms/render01/devices/gpu0/count 1
put vms/render01/devices/gpu0/group a16
u=$(dev_vgpus render01 gpu0)
[ "$(cat "vgpus/$u/gpu")" != "$B" ] || fail "a vGPU was placed on the gone GPU $B"
rmdir vms/render01/devices/gpu0
pass "placed on another GPU"

say "a GPU nothing refers to leaves gpus/ when it is unplugged"
check_val gpus/$T4/state present
put "$SIM/.simctl" "unplug $T4"
wait_until 10 "gpus/$T4 gone from gpus/" test ! -e gpus/$T4
check_eq "events about $T4" 1 "$(events_count "gpus/$T4: gone from the host.*nothing refers to it")"
pass "$T4 no longer listed"

say "plug $B back: the same card, its vGPUs re-created with the same UUIDs"
put "$SIM/.simctl" "plug $B"
wait_until 10 "gpus/$B/state reads present" reads gpus/$B/state present
check_eq "vGPU states" $'created\ncreated' "$(vgpu_states cad-ws02 gpu0)"
sim_snapshot >"$TMP/sim-after"
check_file_eq "vGPUs on the host (UUID, parent, type, params)" "$TMP/sim-before" "$TMP/sim-after"
check_val vms/cad-ws02/devices/gpu0/status allocated
check_val groups/a16/status ready
check_eq "events about $B coming back" 1 \
	"$(events_count "gpus/$B: back on the host, the same card.*2 of 2 lost vGPUs re-created")"
check_eq "rules" "$(cat "$TMP/rules-before")" "$(rules_text)"
put "$SIM/.simctl" "plug $T4"
wait_until 10 "gpus/$T4 listed again" reads gpus/$T4/state present
check_eq "events about $T4 appearing" 1 "$(events_count "gpus/$T4: appeared")"
check_eq "lines about GPUs in events" 4 "$(gpu_events)"
check_consistent
pass "present again, vGPUs back, group ready"

say "without uevents, the rescan timer finds the same changes"
restart_vgpufs --rescan-interval 1
put "$SIM/.simctl" "uevents off"
cd "$MNT"
make_group l40s L40S-2Q $L40S
mkdir vms/vdi-pool01/devices/gpu0
put vms/vdi-pool01/devices/gpu0/count 2
put vms/vdi-pool01/devices/gpu0/group l40s
sim_snapshot >"$TMP/sim-before"
put "$SIM/.simctl" "unplug $L40S"
wait_until 10 "gpus/$L40S/state reads gone" reads gpus/$L40S/state gone
check_eq "vGPU states" $'lost\nlost' "$(vgpu_states vdi-pool01 gpu0)"
check_val groups/l40s/status degraded
put "$SIM/.simctl" "plug $L40S"
wait_until 10 "gpus/$L40S/state reads present" reads gpus/$L40S/state present
check_eq "vGPU states" $'created\ncreated' "$(vgpu_states vdi-pool01 gpu0)"
sim_snapshot >"$TMP/sim-after"
check_file_eq "vGPUs on the host" "$TMP/sim-before" "$TMP/sim-after"
check_val groups/l40s/status ready
check_consistent
pass "the timer alone: gone, lost, back, re-created (vfio-sriov)"

say "a lost vGPU's device can go; the GPU leaves gpus/ with its last reference"
put "$SIM/.simctl" "unplug $L40S"
wait_until 10 "gpus/$L40S/state reads gone" reads gpus/$L40S/state gone
rmdir vms/vdi-pool01/devices/gpu0
check_eq "vGPUs in the tree" "$(cat "$TMP/vgpus-before")" "$(tree_vgpus)"
check_val gpus/$L40S/state gone
put gpus/$L40S/group ""
wait_until 10 "gpus/$L40S gone from gpus/" test ! -e gpus/$L40S
check_eq "events about $L40S leaving" 1 \
	"$(events_count "gpus/$L40S: gone, and nothing refers to it any more")"
pass "device removed, rule removed, GPU no longer listed"

cd /
stop_vgpufs
