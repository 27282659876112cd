#!/bin/bash
# Mounts the host simulator (tools/hosts/big.host unless told otherwise) and
# vgpufs in a scratch directory, runs the benchmarks against the mount, and
# unmounts both.  Every figure comes with a baseline measured in the same run.
#   tools/bench/run.sh [--quick] [--seconds S] [--devices D] [--vgpus N] [--vms M]
#                        [--starts R] [HOSTFILE]
#   --quick: about 30 s (short reads, no tree walk, 20 devices, 100 vGPUs).
# BUILD_DIR selects the build (default build/); run tools/setup.sh first.
#
# 1. vgpufs-bench: attribute reads and a full tree walk, vs tmpfs and sysfs.
# 2. vgpufs-bench-host, one table:
#    - durable writes: echo > groups/G/description, and mkdir+rmdir groups/G,
#      vs the same number of sqlite commits (WAL, synchronous=FULL) on a
#      database in the same directory as the daemon's state;
#    - with M shut-off VMs (libvirt test driver, generated) and a group over the
#      host's T4 GPUs (T4-1B): attach (mkdir vms/VM/devices/gpu0 + echo t4 >
#      .../group) and detach (rmdir) of D one-vGPU devices, vs the same number
#      of libvirt GetXMLDesc+DefineXML in-process on the same domains, and of
#      UUIDs written to the simulator's create / remove files;
#    - the host is filled up to N vGPUs (devices of up to 64 vGPUs each), then
#      "rebooted": daemon stopped, simulator restarted empty, daemon started; its
#      start (it re-creates every vGPU before it mounts) vs a start with empty
#      state, and vs writing the N UUIDs to the create files directly;
#    - the daemon's VmRSS with empty state and with N vGPUs, and the simulator's.
# Attach and detach are also shown in halves: attach grows with the vGPUs the
# host already holds (placement reads every mdev once per GPU of the group).
#
# Example: tools/bench/run.sh (1 min 55 s; a 2-CPU VM shared with other test runs, ext4
# on virtio; the start-up times are noisy there, hence the medians):
#
#   test                                      ops/s      time/op    x tmpfs    x sysfs
#   read attribute, tmpfs                    293891      3.40 us       1.0x       0.5x
#   read attribute, sysfs                    153238      6.53 us       1.9x       1.0x
#   read static attribute, vgpufs             39268     25.47 us       7.5x       3.9x
#   read live attribute, vgpufs                4893    204.37 us      60.1x      31.3x
#   walk+read tree, tmpfs copy               13.394     74.66 ms       1.0x          -   (10958 files, 6.81 us/file)
#   walk+read tree, vgpufs                    0.151       6.63 s      88.8x          -   (10958 files, 605.03 us/file)
#
#   test                                                                          n      ops/s    time/op      total  x baseline (cost)
#   durable writes through the mount (state dir and baseline db on ext4 on /dev/vda)
#     write groups/G/description (open+write+close)                            3082       3082   324.5 us     1.00 s       2.1x sql-update
#       baseline: sqlite BEGIN+UPDATE+COMMIT                                   3082       6515   153.5 us  473.06 ms
#     mkdir+rmdir groups/G                                                     1835       1835   545.1 us     1.00 s       1.6x sql-insdel
#       baseline: sqlite INSERT txn + DELETE txn                               1835       2867   348.8 us  640.12 ms
#
#   VM devices: big, 1000 VMs, group t4 = all T4 GPUs, T4-1B
#       kernel share: UUID written to create, first 100                         100       2451   408.0 us   40.80 ms
#       kernel share: 1 written to remove, first 100                            100       3029   330.1 us   33.01 ms
#       baseline: libvirt lookup+GetXMLDesc+DefineXML, 1000 domains             100       6605   151.4 us   15.14 ms
#     attach vm0000-vm0049 (host holds 0-49 vGPUs)                               50       9.04  110.63 ms     5.53 s     730.7x virt-redef
#     attach vm0050-vm0099 (host holds 50-99 vGPUs)                              50       2.83  353.60 ms    17.68 s    2335.6x virt-redef
#     attach vm0000-vm0099, all 100 (host holds 0-99 vGPUs)                     100       4.31  232.11 ms    23.21 s    1533.2x virt-redef
#     attach count=64 vm0100-vm0105 (host holds 100-420 vGPUs)                    6       0.73     1.36 s     8.18 s
#     attach count=16 vm0106 (host holds 484 vGPUs)                               1       0.32     3.13 s     3.13 s
#     detach vm0000-vm0049 (host holds 500-451 vGPUs)                            50        321    3.12 ms  155.82 ms      20.6x virt-redef
#     detach vm0050-vm0099 (host holds 450-401 vGPUs)                            50        540    1.85 ms   92.53 ms      12.2x virt-redef
#     detach vm0000-vm0099, all 100 (host holds 500-401 vGPUs)                  100        403    2.48 ms  248.36 ms      16.4x virt-redef
#
#   start-up until the mount answers
#       for scale: one file read (open+read+close) on the simulator             787       7826   127.8 us  100.57 ms
#       baseline: 500 UUIDs written to create files                             500       2382   419.9 us  209.94 ms
#     libvirt test driver open, 1000 domains (in-process)                                                  236.05 ms
#     daemon start, empty state, 0 VMs, median of 5, 2.1 to 3.0 s                                             2.66 s
#     daemon start, empty state, 1000 VMs, median of 5, 2.6 to 4.6 s                                          3.09 s       1.2x start-novms
#     start re-creating 500 vGPUs (107 VMs), median of 5, 2.5 to 3.5 s                                        3.24 s       1.0x start-empty
#       difference, paired, median of 5, -1.9 to 0.7 s                                                     229.55 ms       1.1x mdev-create-all
#
#   memory (VmRSS)
#     vgpufs idle after start, empty state, no VMs                                                            21.0 MiB
#     vgpufs idle after start, empty state, 1000 VMs                                                          33.2 MiB       1.6x rss-novms
#       simulator, no vGPUs                                                                                    6.1 MiB
#     vgpufs, 500 vGPUs in 107 devices, 1000 VMs                                                              40.0 MiB       1.2x rss-empty
#       simulator, 500 vGPUs                                                                                   7.8 MiB       1.3x sim-rss-empty
#     vgpufs after that start                                                                                 34.4 MiB       1.0x rss-empty
#
#   x baseline: time per operation (rates), total time (start-up) or memory, divided
#   by the named row's, measured in the same run: 1.0x = as cheap as the baseline;
#   "-": a difference that came out negative, i.e. smaller than the noise.
SECONDS_PER_TEST=1
QUICK=0
DEVICES=
VGPUS=
VMS=1000
START_REPS=
HOST=big.host
TOPUP_COUNT=64 # vGPUs per device when the host is filled up to N (count takes 1-64)
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER_TEST=$2; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--devices) DEVICES=$2; shift 2 ;;
	--vgpus) VGPUS=$2; shift 2 ;;
	--vms) VMS=$2; shift 2 ;;
	--starts) START_REPS=$2; shift 2 ;;
	-h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) HOST=$1; shift ;;
	esac
done
if [ "$QUICK" = 1 ]; then
	SECONDS_PER_TEST=0.2
	DEVICES=${DEVICES:-20}
	VGPUS=${VGPUS:-100}
	START_REPS=${START_REPS:-1}
else
	DEVICES=${DEVICES:-100}
	VGPUS=${VGPUS:-500}
	START_REPS=${START_REPS:-5}
fi
[ "$DEVICES" -ge 2 ] && [ "$VGPUS" -ge "$DEVICES" ] ||
	{ echo "run.sh: need 2 <= --devices <= --vgpus" >&2; exit 2; }
[ $((DEVICES + (VGPUS - DEVICES + TOPUP_COUNT - 1) / TOPUP_COUNT)) -le "$VMS" ] ||
	{ echo "run.sh: --vms $VMS is too few for the devices" >&2; exit 2; }

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC_DIR/tests/integration/lib.sh"

BENCH_BIN=$BUILD_DIR/tools/bench/vgpufs-bench
HOSTBENCH_BIN=$BUILD_DIR/tools/bench/vgpufs-bench-host
for bin in "$BENCH_BIN" "$HOSTBENCH_BIN"; do
	[ -x "$bin" ] || fail "not built: $bin (run tools/setup.sh)"
done

ROWS=$TMP/rows.tsv
VMS_XML=$TMP/vms.xml
GROUP=t4
T4_DEVICE=0x1eb8
PROFILE=T4-1B
: >"$ROWS"
STATE_FS="$(findmnt -n -o FSTYPE -T "$TMP" 2>/dev/null || stat -f -c %T "$TMP") on $(findmnt -n -o SOURCE -T "$TMP" 2>/dev/null || echo "?")"
S_WRITES="1 durable writes through the mount (state dir and baseline db on $STATE_FS)"
S_DEVICES="2 VM devices: $(basename "$HOST" .host), $VMS VMs, group $GROUP = all T4 GPUs, $PROFILE"
S_START="3 start-up until the mount answers"
S_MEM="4 memory (VmRSS)"

hostbench() {
	"$HOSTBENCH_BIN" "$@" >>"$ROWS" || fail "vgpufs-bench-host $1 failed"
}

# row SECTION KIND KEY LABEL N VALUE BASEKEY: a row of the table (see
# vgpufs-bench-host.c).
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"
}

rss_kib() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'
}

# timed_start STATE_DIR ARGS...: start_vgpufs (lib.sh) on STATE_DIR, timed from
# the spawn until the mount answers (polled every millisecond): STARTED (s).
timed_start() {
	local state=$1 t0 t1
	shift
	mkdir -p "$MNT" "$state"
	t0=$EPOCHREALTIME
	spawn "$VGPUFS_BIN" -f --sysfs-root "$SIM" --state "$state" "$@" "$MNT" >>"$TMP/vgpufs.log" 2>&1
	VGPUFS_PID=$!
	"$HOSTBENCH_BIN" wait-mount --mount "$MNT" --pid "$VGPUFS_PID" ||
		{ tail -n 30 "$TMP/vgpufs.log" >&2; fail "vgpufs did not mount"; }
	t1=$EPOCHREALTIME
	STARTED=$(elapsed "$t0" "$t1")
}

# timing_row KEY LABEL BASEKEY SECONDS...: the median, with the spread in the label.
timing_row() {
	local key=$1 label=$2 base=$3 stats
	shift 3
	stats=$(printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { printf "%.6f %.1f %.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }')
	set -- $# $stats
	if [ "$1" = 1 ]; then
		row "$S_START" time "$key" "$label" 0 "$2" "$base"
	else
		row "$S_START" time "$key" "$label, median of $1, $3 to $4 s" 0 "$2" "$base"
	fi
}

restart_sim() {
	stop_sim
	start_sim "$HOST" >/dev/null
}

sim_mdev_count() {
	find "$SIM/bus/mdev/devices" -mindepth 1 -maxdepth 1 | wc -l
}

# --- reads and durable writes: empty state, no VMs ---------------------------

start_sim "$HOST"
timed_start "$TMP/state" --libvirt test:///default
say "vgpufs on $MNT"
row "$S_MEM" mem rss-novms "vgpufs idle after start, empty state, no VMs" 0 "$(rss_kib "$VGPUFS_PID")" -
say "$(ls "$MNT/gpus" | wc -l) GPUs, $(ls "$MNT/profiles" | wc -l) profiles"
if [ "$QUICK" = 1 ]; then
	"$BENCH_BIN" --mount "$MNT" --seconds "$SECONDS_PER_TEST" --no-walk
else
	"$BENCH_BIN" --mount "$MNT" --seconds "$SECONDS_PER_TEST"
fi
echo
say "durable writes (${SECONDS_PER_TEST} s each, then the same count on sqlite)"
hostbench writes --section "$S_WRITES" --mount "$MNT" --db "$TMP/baseline" \
	--seconds "$SECONDS_PER_TEST"
quit_vgpufs

# --- baselines for the devices: the simulator alone, libvirt alone ------------

"$HOSTBENCH_BIN" gen-vms --count "$VMS" --out "$VMS_XML" || fail "gen-vms failed"
restart_sim
say "baselines: $VGPUS UUIDs to create, then remove, on the fresh simulator; libvirt redefinitions"
hostbench mdev --section "$S_DEVICES" --all-section "$S_START" --sim "$SIM" \
	--device "$T4_DEVICE" --profile "$PROFILE" --count "$VGPUS" --split "$DEVICES"
[ "$(sim_mdev_count)" = 0 ] || fail "the mdev baseline left vGPUs behind"
hostbench redefine --section "$S_DEVICES" --all-section "$S_START" --uri "test://$VMS_XML" \
	--first 0 --last $((DEVICES - 1))
restart_sim

# --- VMs: empty state, then D one-vGPU devices, then filled up to N vGPUs -----

rm -rf "$TMP/state"
timed_start "$TMP/state" --libvirt "test://$VMS_XML"
row "$S_MEM" mem rss-empty "vgpufs idle after start, empty state, $VMS VMs" 0 "$(rss_kib "$VGPUFS_PID")" rss-novms
row "$S_MEM" mem sim-rss-empty "  simulator, no vGPUs" 0 "$(rss_kib "$SIM_PID")" -
cd "$MNT"
mkdir groups/$GROUP groups/$GROUP/rules/all
echo "$T4_DEVICE" >groups/$GROUP/rules/all/device
cat host/driver_version >groups/$GROUP/driver
echo "$PROFILE" >groups/$GROUP/profile || fail "profile $PROFILE: $(cat groups/$GROUP/error)"
[ "$(cat groups/$GROUP/status)" = ready ] || fail "group $GROUP is $(cat groups/$GROUP/status): $(cat groups/$GROUP/error)"
FREE=$(cat groups/$GROUP/vgpus_free)
[ "$FREE" -ge "$VGPUS" ] || fail "group $GROUP has room for $FREE vGPUs of $PROFILE; --vgpus $VGPUS"
say "group $GROUP: $(wc -l <groups/$GROUP/gpus) GPUs, $FREE free $PROFILE"
cd /

say "attach: $DEVICES one-vGPU devices"
hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first 0 \
	--last $((DEVICES - 1)) --chunks 2 --base virt-redef
REST=$((VGPUS - DEVICES))
FULL=$((REST / TOPUP_COUNT))
NEXT=$DEVICES
say "filling the host up to $VGPUS vGPUs"
if [ "$FULL" -gt 0 ]; then
	hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first "$NEXT" \
		--last $((NEXT + FULL - 1)) --count "$TOPUP_COUNT" --vgpus-before "$DEVICES" --key fill
	NEXT=$((NEXT + FULL))
fi
if [ $((REST % TOPUP_COUNT)) -gt 0 ]; then
	hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first "$NEXT" \
		--last "$NEXT" --count $((REST % TOPUP_COUNT)) \
		--vgpus-before $((DEVICES + FULL * TOPUP_COUNT)) --key fill-rest
	NEXT=$((NEXT + 1))
fi
[ "$(sim_mdev_count)" = "$VGPUS" ] || fail "the simulator holds $(sim_mdev_count) vGPUs, not $VGPUS"
row "$S_MEM" mem rss-full "vgpufs, $VGPUS vGPUs in $NEXT devices, $VMS VMs" 0 "$(rss_kib "$VGPUFS_PID")" rss-empty
row "$S_MEM" mem sim-rss-full "  simulator, $VGPUS vGPUs" 0 "$(rss_kib "$SIM_PID")" sim-rss-empty

# --- reboot: daemon stopped, simulator back empty, daemon re-creates ------------

# Start-up times vary by a second or more from run to run here (thousands of
# FUSE round trips to the simulator): the three kinds of start take turns, each
# on a freshly started simulator, and the medians are reported.
say "reboot: re-creating $VGPUS vGPUs, in turn with empty-state starts, $START_REPS times each"
quit_vgpufs
NOVMS_TIMES=()
EMPTY_TIMES=()
RECREATE_TIMES=()
DELTAS=()
for ((rep = 1; rep <= START_REPS; rep++)); do
	restart_sim
	rm -rf "$TMP/state-empty"
	timed_start "$TMP/state-empty" --libvirt test:///default
	NOVMS_TIMES+=("$STARTED")
	quit_vgpufs
	restart_sim
	rm -rf "$TMP/state-empty"
	timed_start "$TMP/state-empty" --libvirt "test://$VMS_XML"
	EMPTY_TIMES+=("$STARTED")
	quit_vgpufs
	restart_sim
	timed_start "$TMP/state" --libvirt "test://$VMS_XML"
	RECREATE_TIMES+=("$STARTED")
	DELTAS+=("$(elapsed "${EMPTY_TIMES[-1]}" "$STARTED")")
	[ "$(sim_mdev_count)" = "$VGPUS" ] ||
		fail "after the restart the simulator holds $(sim_mdev_count) vGPUs, not $VGPUS"
	[ "$rep" = "$START_REPS" ] || quit_vgpufs
done
timing_row start-novms "daemon start, empty state, 0 VMs" - "${NOVMS_TIMES[@]}"
timing_row start-empty "daemon start, empty state, $VMS VMs" start-novms "${EMPTY_TIMES[@]}"
timing_row start-recreate "start re-creating $VGPUS vGPUs ($NEXT VMs)" start-empty \
	"${RECREATE_TIMES[@]}"
timing_row start-delta "  difference, paired" mdev-create-all "${DELTAS[@]}"
row "$S_MEM" mem rss-recreated "vgpufs after that start" 0 "$(rss_kib "$VGPUFS_PID")" rss-empty

say "detach: $DEVICES one-vGPU devices"
hostbench detach --section "$S_DEVICES" --mount "$MNT" --first 0 --last $((DEVICES - 1)) \
	--chunks 2 --vgpus-before "$VGPUS" --base virt-redef
quit_vgpufs

echo
"$HOSTBENCH_BIN" table "$ROWS"
