#!/bin/bash
# Mounts the host simulator (tools/hosts/big.host unless told otherwise) and
# vgpufs in a scratch directory, runs the benchmarks against the mount, and
# unmounts both.  Every figure comes with a baseline measured in the same run,
# and every row through the mount with the daemon's own counts of work per
# operation (host/counters: sysfs reads and writes, libvirt calls, sqlite
# commits; "-" on baselines).
#   tools/bench/run.sh [--quick] [--seconds S] [--devices D] [--vgpus N] [--vms M]
#                        [--starts R] [--media] [HOSTFILE]
#   --quick: about a minute (short reads, no tree walk, 20 devices, 100 vGPUs,
#   one start of each kind, no media/ rows).  --media: the media/ rows (3.)
#   alone.  Defaults: 1 s per read test, 100 devices, 500 vGPUs, 1000 VMs, 5
#   starts.  HOSTFILE: a path, or a name in tools/hosts/.
#   The host's T4 GPUs must have room for N + D/2 T4-1B vGPUs (mixed32.host:
#   128, so --quick, or e.g. --devices 40 --vgpus 100).
# BUILD_DIR selects the build (default build/); run tools/setup.sh first.
#
# 1. vgpufs-bench: attribute reads vs tmpfs, sysfs and the FUSE floor (the one
#    file of vgpufs-fuse-floor: what any FUSE read costs here); the inventory (every
#    gpus/*/types/*/available, then every name), cold (after a 200 ms pause)
#    and repeated, vs `mdevctl types` on the same simulator bind-mounted over
#    /sys in a private mount namespace (root only; otherwise no baseline); a
#    full tree walk vs a tmpfs copy.
# 2. vgpufs-bench-host, one table:
#    - durable writes: echo > groups/G/description, and mkdir+rmdir groups/G,
#      vs the same number of sqlite commits (WAL, synchronous=FULL) on a
#      database in the same directory as the daemon's state;
#    - attach (mkdir vms/VM/devices/gpu0 + echo t4 > .../group) and detach
#      (rmdir) of one-vGPU devices in a group over the host's T4 GPUs (T4-1B),
#      on shut-off VMs (libvirt test driver, generated), vs their necessary
#      parts measured in the same run: "attach parts" = one UUID written to
#      the simulator's create file + one vgpu_params write + one libvirt
#      lookup+GetXMLDesc+DefineXML + two sqlite commits; "detach parts" = one
#      write to remove + the same libvirt calls + two commits.  For flatness:
#      10 devices with 10 VMs; D devices with M VMs (in two halves, the host
#      holding 0 to D vGPUs); after the host is filled up to N vGPUs (devices
#      of up to 64 vGPUs each) and rebooted, D/2 more with the host holding N;
#      then their detach, and the first D's;
#    - the reboot: daemon stopped, simulator restarted empty, daemon started;
#      its start (it re-creates every vGPU before it mounts) vs a start with
#      empty state, and vs writing the N UUIDs to the create files directly;
#    - the daemon's VmRSS with empty state and with N vGPUs, and the simulator's.
# 3. media/ (not with --quick; needs 7 GiB free where the state is): a 2 GiB file
#    of random data cp'd into media/ (durable when cp returns; its sha256 checked)
#    vs dd conv=fsync and cp+sync -f on the state's filesystem; a guest ISO built
#    (make_guest_iso=1 until iso_status is ready) from a zip with 1 GiB of guest
#    files vs bsdtar (libarchive too, as the daemon) and xorriso on those files,
#    extracted beforehand.  n: MiB, ops/s: MiB/s.
#
# Example: tools/bench/run.sh (on big.host; a 2-CPU VM, ext4 on virtio; times there
# swing by 2x from minute to minute, so compare ratios within one run, and counts):
#
#   test                                        ops/s      time/op    x tmpfs    x sysfs  x mdevctl  sysfs-r sysfs-w libvirt     sql
#   read attribute, tmpfs                      539421      1.85 us       1.0x       0.5x          -        -       -       -       -
#   read attribute, sysfs                      267234      3.74 us       2.0x       1.0x          -        -       -       -       -
#   read attribute, FUSE floor                  10840     92.25 us      49.8x      24.7x          -        -       -       -       -
#   read static attribute, vgpufs               20034     49.91 us      26.9x      13.3x          -        0       0       0       0
#   read live attribute, vgpufs                  9021    110.85 us      59.8x      29.6x          -        0       0       0       0
#   inventory, mdevctl types                    0.106       9.47 s          -          -       1.0x        -       -       -       -
#   inventory, vgpufs, cold                     0.763       1.31 s          -          -       0.1x     4776       0       0       0   (2064 files, 635.06 us/file)
#   inventory, vgpufs, repeated                 0.634       1.58 s          -          -       0.2x     4777       0       0       0   (2064 files, 764.22 us/file)
#   walk+read tree, tmpfs copy                 19.693     50.78 ms       1.0x          -          -        -       -       -       -   (10959 files, 4.63 us/file)
#   walk+read tree, vgpufs                      0.245       4.09 s      80.5x          -          -    13184       0       7       0   (10959 files, 373.16 us/file)
#
#   sysfs-r sysfs-w libvirt sql: per operation (start-up: per start), the sysfs reads
#   and writes, libvirt calls and sqlite commits the daemon counted (host/counters,
#   read before and after, outside the timing); "-": not the daemon's work.
#
#
#   test                                                                          n      ops/s    time/op      total  sysfs-r sysfs-w libvirt     sql  x baseline (cost)
#   durable writes through the mount (state dir and baseline db on ext4 on /dev/vda)
#     write groups/G/description (open+write+close)                            2142       2141   467.0 us     1.00 s        0       0       0       1       2.1x sql-update
#       baseline: sqlite BEGIN+UPDATE+COMMIT                                   2142       4477   223.4 us  478.42 ms        -       -       -       -
#     mkdir+rmdir groups/G                                                     1451       1451   689.3 us     1.00 s        0       0       0       2       1.8x sql-insdel
#       baseline: sqlite INSERT txn + DELETE txn                               1451       2567   389.6 us  565.36 ms        -       -       -       -
#
#   VM devices: big, group t4 = all T4 GPUs, T4-1B
#       kernel share: UUID written to create, first 100                         100      10512    95.1 us    9.51 ms        -       -       -       -
#       kernel share: vgpu_params written, first 100                            100       5535   180.7 us   18.07 ms        -       -       -       -
#       kernel share: 1 written to remove, first 100                            100       7342   136.2 us   13.62 ms        -       -       -       -
#       baseline: libvirt lookup+GetXMLDesc+DefineXML, 1000 domains             100       3008   332.4 us   33.24 ms        -       -       -       -
#       baseline: attach parts = create+vgpu_params+redefine+2 commits                     948    1.05 ms                   -       -       -       -
#       baseline: detach parts = remove+redefine+2 commits                                1092   915.3 us                   -       -       -       -
#     attach vm0000-vm0009 of 10 VMs (host holds 0-9 vGPUs)                      10        303    3.30 ms   32.98 ms     0.90       1       4       3       3.1x attach-parts
#     detach vm0000-vm0009 of 10 VMs (host holds 10-1 vGPUs)                     10        540    1.85 ms   18.52 ms        0       1       3       2       2.0x detach-parts
#     attach vm0000-vm0049 of 1000 VMs (host holds 0-49 vGPUs)                   50        357    2.80 ms  140.12 ms     0.98       1       4       3       2.7x attach-parts
#     attach vm0050-vm0099 of 1000 VMs (host holds 50-99 vGPUs)                  50        333    3.01 ms  150.30 ms        1       1       4       3       2.8x attach-parts
#     attach vm0000-vm0099 of 1000 VMs, all 100 (host holds 0-99 vGPUs)         100        344    2.90 ms  290.42 ms     0.99       1       4       3       2.8x attach-parts
#     attach count=64 vm0100-vm0105 of 1000 VMs (host holds 100-420 vGPUs)        6      28.21   35.45 ms  212.68 ms     4.33      64       5       4
#     attach count=16 vm0106 of 1000 VMs (host holds 484 vGPUs)                   1      45.24   22.10 ms   22.10 ms        5      16       5       4
#     attach vm0107-vm0156 of 1000 VMs (host holds 500-549 vGPUs)                50        117    8.57 ms  428.42 ms     1.80       1       4       3       8.1x attach-parts
#     detach vm0107-vm0156 of 1000 VMs (host holds 550-501 vGPUs)                50        233    4.30 ms  214.96 ms        0       1       3       2       4.7x detach-parts
#     detach vm0000-vm0049 of 1000 VMs (host holds 500-451 vGPUs)                50        132    7.59 ms  379.36 ms        0       1       3       2       8.3x detach-parts
#     detach vm0050-vm0099 of 1000 VMs (host holds 450-401 vGPUs)                50        130    7.71 ms  385.54 ms        0       1       3       2       8.4x detach-parts
#     detach vm0000-vm0099 of 1000 VMs, all 100 (host holds 500-401 vGPUs)      100        131    7.65 ms  764.90 ms        0       1       3       2       8.4x detach-parts
#
#   start-up until the mount answers
#       for scale: one file read (open+read+close) on the simulator            1279      12781    78.2 us  100.07 ms        -       -       -       -
#       baseline: 500 UUIDs written to create files                             500       3253   307.4 us  153.72 ms        -       -       -       -
#     libvirt test driver open, 1000 domains (in-process)                                                  228.60 ms        -       -       -       -
#     daemon start, empty state, 0 VMs, median of 5, 0.3 to 0.6 s                                          357.24 ms      697       0       3       4
#     daemon start, empty state, 1000 VMs, median of 5, 0.5 to 0.9 s                                       589.44 ms      697       0       3       4       1.6x start-novms
#     start re-creating 500 vGPUs (107 VMs), median of 5, 0.7 to 1.0 s                                     939.90 ms      577     500     431       0       1.6x start-empty
#       difference, paired, median of 5, 0.1 to 0.4 s                                                      321.02 ms     -120     500     428      -4       2.1x mdev-create-all
#
#   memory (VmRSS)
#     vgpufs idle after start, empty state, no VMs                                                          21.2 MiB
#     vgpufs idle after start, empty state, 1000 VMs                                                        33.5 MiB                                        1.6x rss-novms
#       simulator, no vGPUs                                                                                  3.0 MiB
#     vgpufs, 500 vGPUs in 107 devices, 1000 VMs                                                            37.4 MiB                                        1.1x rss-empty
#       simulator, 500 vGPUs                                                                                 3.6 MiB                                        1.2x sim-rss-empty
#     vgpufs after that start                                                                               34.3 MiB                                        1.0x rss-empty
#
#   x baseline: time per operation (rates), total time (start-up) or memory, divided
#   by the named row's, measured in the same run: 1.0x = as cheap as the baseline;
#   "-": a difference that came out negative, i.e. smaller than the noise.
#   sysfs-r sysfs-w libvirt sql: per operation (start-up: per start), the sysfs reads
#   and writes, libvirt calls and sqlite commits the daemon counted (host/counters,
#   read before and after, outside the timing); "-": not the daemon's work.
SECONDS_PER_TEST=1
QUICK=0
MEDIA_ONLY=0
DEVICES=
VGPUS=
VMS=1000
FEW_VMS=10
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
	--media) MEDIA_ONLY=1; shift ;;
	-h | --help) sed -n '2,/^# Example/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
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
EXTRA=$((DEVICES / 2)) # devices attached with the host holding N vGPUs
# A relative path would not survive the cd's below; a bare name is looked up in
# tools/hosts/ (lib.sh's start_sim).
[ -f "$HOST" ] && HOST=$(realpath "$HOST")
[ "$DEVICES" -ge 2 ] && [ "$VGPUS" -ge "$DEVICES" ] ||
	{ echo "run.sh: need 2 <= --devices <= --vgpus" >&2; exit 2; }
[ $((DEVICES + (VGPUS - DEVICES + TOPUP_COUNT - 1) / TOPUP_COUNT + EXTRA)) -le "$VMS" ] &&
	[ "$VMS" -ge "$FEW_VMS" ] ||
	{ echo "run.sh: --vms $VMS is too few for the devices" >&2; exit 2; }

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC_DIR/tests/integration/lib.sh"

BENCH_BIN=$BUILD_DIR/tools/bench/vgpufs-bench
HOSTBENCH_BIN=$BUILD_DIR/tools/bench/vgpufs-bench-host
FLOOR_BIN=$BUILD_DIR/tools/bench/vgpufs-fuse-floor
for bin in "$BENCH_BIN" "$HOSTBENCH_BIN" "$FLOOR_BIN"; do
	[ -x "$bin" ] || fail "not built: $bin (run tools/setup.sh)"
done

ROWS=$TMP/rows.tsv
VMS_XML=$TMP/vms.xml
FEW_XML=$TMP/vms-few.xml
GROUP=t4
T4_DEVICE=0x1eb8
PROFILE=T4-1B
: >"$ROWS"
STATE_FS="$(findmnt -n -o FSTYPE -T "$TMP" 2>/dev/null || stat -f -c %T "$TMP") on $(findmnt -n -o SOURCE -T "$TMP" 2>/dev/null || echo "?")"
S_WRITES="1 durable writes through the mount (state dir and baseline db on $STATE_FS)"
S_DEVICES="2 VM devices: $(basename "$HOST" .host), group $GROUP = all T4 GPUs, $PROFILE"
S_START="3 start-up until the mount answers"
S_MEM="4 memory (VmRSS)"
S_MEDIA="5 media/: large files on $STATE_FS (n: MiB, ops/s: MiB/s)"

hostbench() {
	"$HOSTBENCH_BIN" "$@" >>"$ROWS" || fail "vgpufs-bench-host $1 failed"
}

# row SECTION KIND KEY LABEL N VALUE BASEKEY [WORK]: a row of the table (see
# vgpufs-bench-host.c).
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:--}" >>"$ROWS"
}

rss_kib() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'
}

# mean_work WORK...: the mean of WORK fields ("-" if any is unknown).
mean_work() {
	printf '%s\n' "$@" | awk -F, '$0 == "-" { unknown = 1 } { for (i = 1; i <= 4; i++) s[i] += $i }
		END { if (unknown || !NR) print "-"
		      else printf "%.9g,%.9g,%.9g,%.9g\n", s[1] / NR, s[2] / NR, s[3] / NR, s[4] / NR }'
}

# work_minus A B: WORK A - B.
work_minus() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") { print "-"; exit }
		split(a, x, ","); split(b, y, ",")
		printf "%.9g,%.9g,%.9g,%.9g\n", x[1] - y[1], x[2] - y[2], x[3] - y[3], x[4] - y[4] }'
}

# timed_start STATE_DIR ARGS...: start_vgpufs (lib.sh) on STATE_DIR, timed from
# the spawn until the mount answers (polled every millisecond): STARTED (s), and
# STARTED_WORK, what the daemon counted until then.
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
	STARTED_WORK=$("$HOSTBENCH_BIN" work --mount "$MNT")
}

# timing_row KEY LABEL BASEKEY WORK SECONDS...: the median, with the spread in
# the label.
timing_row() {
	local key=$1 label=$2 base=$3 work=$4 stats
	shift 4
	stats=$(printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { printf "%.6f %.1f %.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }')
	set -- $# $stats
	if [ "$1" = 1 ]; then
		row "$S_START" time "$key" "$label" 0 "$2" "$base" "$work"
	else
		row "$S_START" time "$key" "$label, median of $1, $3 to $4 s" 0 "$2" "$base" "$work"
	fi
}

restart_sim() {
	stop_sim
	start_sim "$HOST" >/dev/null
}

sim_mdev_count() {
	find "$SIM/bus/mdev/devices" -mindepth 1 -maxdepth 1 | wc -l
}

# t4_room: how many $PROFILE vGPUs the simulator's parents have room for.
t4_room() {
	grep -lE " $PROFILE\$" "$SIM"/class/mdev_bus/*/mdev_supported_types/*/name 2>/dev/null |
		sed 's,/name$,/available_instances,' | xargs -r cat | awk '{ n += $1 } END { print n + 0 }'
}

# make_group: the group $GROUP over every T4 GPU, with $PROFILE; FREE: its room.
make_group() {
	cd "$MNT"
	mkdir groups/$GROUP groups/$GROUP/rules/all
	echo "$T4_DEVICE" >groups/$GROUP/rules/all/device
	cat host/driver_version >groups/$GROUP/driver
	echo "$PROFILE" >groups/$GROUP/profile || fail "profile $PROFILE: $(cat groups/$GROUP/error)"
	[ "$(cat groups/$GROUP/status)" = ready ] ||
		fail "group $GROUP is $(cat groups/$GROUP/status): $(cat groups/$GROUP/error)"
	FREE=$(cat groups/$GROUP/vgpus_free)
	say "group $GROUP: $(wc -l <groups/$GROUP/gpus) GPUs, $FREE free $PROFILE"
	cd /
}

# --- media/: a large upload and a guest ISO, each vs its baselines -------------

COPY_MIB=2048  # the file cp'd into media/
GUEST_MIB=1024 # the guest files of the ISO's bundle
ISO_DRIVER=550.54.16 # its host driver: the simulator's running one

# timed COMMAND...: runs it; T: the seconds it took.
timed() { local t0=$EPOCHREALTIME; "$@"; T=$(elapsed "$t0" "$EPOCHREALTIME"); }
cp_sync() { cp "$1" "$2" && sync -f "$2"; }
iso_bsdtar() { (cd "$2" && TMPDIR=$3 bsdtar --format iso9660 --options joliet=long -cf "$1" -- * && sync -f "$1"); }
iso_xorriso() { xorriso -as mkisofs -quiet -J -joliet-long -R -o "$1" "$2" 2>/dev/null && sync -f "$1"; }
# make_guest_iso G: echo 1 > groups/G/make_guest_iso, then until iso_status is not "building".
make_guest_iso() {
	echo 1 >"$MNT/groups/$1/make_guest_iso"
	for _ in $(seq 15000); do
		[ "$(cat "$MNT/groups/$1/iso_status")" = building ] || return 0
		sleep 0.02
	done
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# media_rows: on the running simulator, a daemon of its own (state in $TMP/state-media).
media_rows() {
	local d=$TMP/media-scratch gd src sum w0 iso free
	free=$(df -P -k "$TMP" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$free" -ge 7 ] || { say "media/ rows skipped: $free GiB free on $STATE_FS, need 7"; return 0; }
	mkdir -p "$d/guest" "$d/tmp"
	src=$d/src
	say "media/: $COPY_MIB MiB cp'd into media/, vs dd and cp+sync; random data made first"
	head -c "${COPY_MIB}M" /dev/urandom >"$src" && sync -f "$src"
	sum=$(sha256sum "$src") && sum=${sum%% *}
	timed dd if="$src" of="$d/x" bs=1M conv=fsync status=none
	row "$S_MEDIA" time copy-dd "  baseline: dd bs=1M conv=fsync" "$COPY_MIB" "$T" -
	rm "$d/x"
	timed cp_sync "$src" "$d/x"
	row "$S_MEDIA" time copy-cp "  cp + sync -f" "$COPY_MIB" "$T" copy-dd
	rm "$d/x"
	timed_start "$TMP/state-media" --libvirt test:///default
	w0=$("$HOSTBENCH_BIN" work --mount "$MNT")
	timed cp "$src" "$MNT/media/big.bin"
	[ "$(cat "$MNT/media-info/big.bin/sha256")" = "$sum" ] || fail "media-info/big.bin/sha256 is not the source's"
	row "$S_MEDIA" time copy-vgpufs "cp into media/ until it returns (sha256 checked)" "$COPY_MIB" "$T" copy-dd \
		"$(work_minus "$("$HOSTBENCH_BIN" work --mount "$MNT")" "$w0")"
	rm "$MNT/media/big.bin" "$src"

	say "media/: a guest ISO from $GUEST_MIB MiB of guest files, vs bsdtar and xorriso"
	python3 - "$d/bundle.zip" "$GUEST_MIB" "$ISO_DRIVER" <<-'EOF'
		import os, sys, zipfile
		path, mib, host = sys.argv[1], int(sys.argv[2]), sys.argv[3]
		g = "Guest_Drivers/"  # 550.54.15 and 551.78: the guests of a 550.54.16 host
		members = [(f"Host_Drivers/NVIDIA-Linux-x86_64-{host}-vgpu-kvm.run", 1),
		           (g + "NVIDIA-Linux-x86_64-550.54.15-grid.run", mib // 2),
		           (g + "nvidia-linux-grid-550_550.54.15_amd64.deb", mib // 4),
		           (g + "551.78_grid_win10_win11_server2022_dch_64bit_international.exe",
		            mib - mib // 2 - mib // 4)]
		with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
		    for name, n in members:
		        zi = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
		        zi.external_attr = 0o100644 << 16
		        with zf.open(zi, "w") as out:
		            for _ in range(n):
		                out.write(os.urandom(1 << 20))
	EOF
	bsdtar -xf "$d/bundle.zip" -C "$d/guest" Guest_Drivers && sync -f "$d/guest"
	gd=$d/guest/Guest_Drivers
	timed iso_bsdtar "$d/base.iso" "$gd" "$d/tmp"
	row "$S_MEDIA" time iso-bsdtar "  baseline: bsdtar --format iso9660 (joliet=long), $(mib "$(stat -c %s "$d/base.iso")")" "$GUEST_MIB" "$T" -
	rm "$d/base.iso"
	timed iso_xorriso "$d/base.iso" "$gd"
	row "$S_MEDIA" time iso-xorriso "  xorriso -as mkisofs -J -R, $(mib "$(stat -c %s "$d/base.iso")")" "$GUEST_MIB" "$T" iso-bsdtar
	rm -r "$d/base.iso" "$d/guest"
	cp "$d/bundle.zip" "$MNT/media/" && rm "$d/bundle.zip"
	mkdir "$MNT/groups/iso"
	put "$MNT/groups/iso/driver" "$ISO_DRIVER"
	w0=$("$HOSTBENCH_BIN" work --mount "$MNT")
	timed make_guest_iso iso
	[ "$(cat "$MNT/groups/iso/iso_status")" = ready ] ||
		fail "guest ISO: iso_status $(cat "$MNT/groups/iso/iso_status") after 300 s: $(cat "$MNT/groups/iso/iso_error")"
	iso=$(cat "$MNT/groups/iso/driver_iso")
	row "$S_MEDIA" time iso-vgpufs "guest ISO, make_guest_iso=1 until ready, $(mib "$(cat "$MNT/media-info/$iso/size")")" \
		"$GUEST_MIB" "$T" iso-bsdtar "$(work_minus "$("$HOSTBENCH_BIN" work --mount "$MNT")" "$w0")"
	quit_vgpufs
	rm -rf "$d" "$TMP/state-media"
}

if [ "$MEDIA_ONLY" = 1 ]; then
	start_sim "$HOST"
	media_rows
	echo
	"$HOSTBENCH_BIN" table "$ROWS"
	exit 0
fi

# --- reads and durable writes: empty state, no VMs ---------------------------

start_sim "$HOST"
ROOM=$(t4_room)
[ $((VGPUS + EXTRA)) -le "$ROOM" ] ||
	fail "$(basename "$HOST")'s T4 GPUs have room for $ROOM $PROFILE vGPUs, not --vgpus $VGPUS + $EXTRA (--devices / 2): try --quick, or fewer --vgpus or --devices"
timed_start "$TMP/state" --libvirt test:///default
say "vgpufs on $MNT"
row "$S_MEM" mem rss-novms "vgpufs idle after start, empty state, no VMs" 0 "$(rss_kib "$VGPUFS_PID")" -
say "$(ls "$MNT/gpus" | wc -l) GPUs, $(ls "$MNT/profiles" | wc -l) profiles"
FLOOR=$TMP/fuse-floor
mkdir -p "$FLOOR"
spawn "$FLOOR_BIN" "$FLOOR"
FLOOR_PID=$!
"$HOSTBENCH_BIN" wait-mount --mount "$FLOOR" --pid "$FLOOR_PID" --probe value ||
	fail "vgpufs-fuse-floor did not mount"
if [ "$QUICK" = 1 ]; then
	"$BENCH_BIN" --mount "$MNT" --sim "$SIM" --floor "$FLOOR/value" --seconds "$SECONDS_PER_TEST" --no-walk
else
	"$BENCH_BIN" --mount "$MNT" --sim "$SIM" --floor "$FLOOR/value" --seconds "$SECONDS_PER_TEST"
fi
unmount "$FLOOR"
wait "$FLOOR_PID"
echo
say "durable writes (${SECONDS_PER_TEST} s each, then the same count on sqlite)"
hostbench writes --section "$S_WRITES" --mount "$MNT" --db "$TMP/baseline" \
	--seconds "$SECONDS_PER_TEST"
quit_vgpufs

# --- baselines for the devices: the simulator alone, libvirt alone ------------

"$HOSTBENCH_BIN" gen-vms --count "$VMS" --out "$VMS_XML" || fail "gen-vms failed"
"$HOSTBENCH_BIN" gen-vms --count "$FEW_VMS" --out "$FEW_XML" || fail "gen-vms failed"
restart_sim
say "baselines: $VGPUS UUIDs to create, then remove, on the fresh simulator; libvirt redefinitions"
hostbench mdev --section "$S_DEVICES" --all-section "$S_START" --sim "$SIM" \
	--device "$T4_DEVICE" --profile "$PROFILE" --count "$VGPUS" --split "$DEVICES"
[ "$(sim_mdev_count)" = 0 ] || fail "the mdev baseline left vGPUs behind"
hostbench redefine --section "$S_DEVICES" --all-section "$S_START" --uri "test://$VMS_XML" \
	--first 0 --last $((DEVICES - 1))
hostbench sum --section "$S_DEVICES" --rows "$ROWS" --key attach-parts \
	--label "  baseline: attach parts = create+vgpu_params+redefine+2 commits" \
	mdev-create mdev-params virt-redef sql-update sql-update
hostbench sum --section "$S_DEVICES" --rows "$ROWS" --key detach-parts \
	--label "  baseline: detach parts = remove+redefine+2 commits" \
	mdev-remove virt-redef sql-update sql-update
restart_sim

# --- few VMs: attach and detach with FEW_VMS domains -------------------------

timed_start "$TMP/state-few" --libvirt "test://$FEW_XML"
make_group
say "attach and detach: $FEW_VMS one-vGPU devices, $FEW_VMS VMs"
hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first 0 \
	--last $((FEW_VMS - 1)) --vms "$FEW_VMS" --key attach-few --base attach-parts
hostbench detach --section "$S_DEVICES" --mount "$MNT" --first 0 --last $((FEW_VMS - 1)) \
	--vgpus-before "$FEW_VMS" --vms "$FEW_VMS" --key detach-few --base detach-parts
quit_vgpufs
[ "$(sim_mdev_count)" = 0 ] || fail "the detach with $FEW_VMS VMs left vGPUs behind"

# --- M VMs: empty state, then D one-vGPU devices, then filled up to N vGPUs ---

rm -rf "$TMP/state"
timed_start "$TMP/state" --libvirt "test://$VMS_XML"
row "$S_MEM" mem rss-empty "vgpufs idle after start, empty state, $VMS VMs" 0 "$(rss_kib "$VGPUFS_PID")" rss-novms
row "$S_MEM" mem sim-rss-empty "  simulator, no vGPUs" 0 "$(rss_kib "$SIM_PID")" -
make_group
[ "$FREE" -ge $((VGPUS + EXTRA)) ] || fail "group $GROUP has room for $FREE vGPUs of $PROFILE; need $((VGPUS + EXTRA))"

say "attach: $DEVICES one-vGPU devices, $VMS VMs"
hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first 0 \
	--last $((DEVICES - 1)) --chunks 2 --vms "$VMS" --base attach-parts
REST=$((VGPUS - DEVICES))
FULL=$((REST / TOPUP_COUNT))
NEXT=$DEVICES
say "filling the host up to $VGPUS vGPUs"
if [ "$FULL" -gt 0 ]; then
	hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first "$NEXT" \
		--last $((NEXT + FULL - 1)) --count "$TOPUP_COUNT" --vgpus-before "$DEVICES" \
		--vms "$VMS" --key fill
	NEXT=$((NEXT + FULL))
fi
if [ $((REST % TOPUP_COUNT)) -gt 0 ]; then
	hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first "$NEXT" \
		--last "$NEXT" --count $((REST % TOPUP_COUNT)) \
		--vgpus-before $((DEVICES + FULL * TOPUP_COUNT)) --vms "$VMS" --key fill-rest
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
NOVMS_WORK=()
EMPTY_WORK=()
RECREATE_WORK=()
for ((rep = 1; rep <= START_REPS; rep++)); do
	restart_sim
	rm -rf "$TMP/state-empty"
	timed_start "$TMP/state-empty" --libvirt test:///default
	NOVMS_TIMES+=("$STARTED")
	NOVMS_WORK+=("$STARTED_WORK")
	quit_vgpufs
	restart_sim
	rm -rf "$TMP/state-empty"
	timed_start "$TMP/state-empty" --libvirt "test://$VMS_XML"
	EMPTY_TIMES+=("$STARTED")
	EMPTY_WORK+=("$STARTED_WORK")
	quit_vgpufs
	restart_sim
	timed_start "$TMP/state" --libvirt "test://$VMS_XML"
	RECREATE_TIMES+=("$STARTED")
	RECREATE_WORK+=("$STARTED_WORK")
	DELTAS+=("$(elapsed "${EMPTY_TIMES[-1]}" "$STARTED")")
	[ "$(sim_mdev_count)" = "$VGPUS" ] ||
		fail "after the restart the simulator holds $(sim_mdev_count) vGPUs, not $VGPUS"
	[ "$rep" = "$START_REPS" ] || quit_vgpufs
done
EMPTY_MEAN=$(mean_work "${EMPTY_WORK[@]}")
RECREATE_MEAN=$(mean_work "${RECREATE_WORK[@]}")
timing_row start-novms "daemon start, empty state, 0 VMs" - "$(mean_work "${NOVMS_WORK[@]}")" \
	"${NOVMS_TIMES[@]}"
timing_row start-empty "daemon start, empty state, $VMS VMs" start-novms "$EMPTY_MEAN" \
	"${EMPTY_TIMES[@]}"
timing_row start-recreate "start re-creating $VGPUS vGPUs ($NEXT VMs)" start-empty \
	"$RECREATE_MEAN" "${RECREATE_TIMES[@]}"
timing_row start-delta "  difference, paired" mdev-create-all \
	"$(work_minus "$RECREATE_MEAN" "$EMPTY_MEAN")" "${DELTAS[@]}"
row "$S_MEM" mem rss-recreated "vgpufs after that start" 0 "$(rss_kib "$VGPUFS_PID")" rss-empty

say "attach: $EXTRA one-vGPU devices more, the host holding $VGPUS vGPUs"
hostbench attach --section "$S_DEVICES" --mount "$MNT" --group $GROUP --first "$NEXT" \
	--last $((NEXT + EXTRA - 1)) --vgpus-before "$VGPUS" --vms "$VMS" --key attach-full \
	--base attach-parts
say "detach: those, then the first $DEVICES one-vGPU devices"
hostbench detach --section "$S_DEVICES" --mount "$MNT" --first "$NEXT" \
	--last $((NEXT + EXTRA - 1)) --vgpus-before $((VGPUS + EXTRA)) --vms "$VMS" \
	--key detach-full --base detach-parts
hostbench detach --section "$S_DEVICES" --mount "$MNT" --first 0 --last $((DEVICES - 1)) \
	--chunks 2 --vgpus-before "$VGPUS" --vms "$VMS" --base detach-parts
quit_vgpufs
[ "$QUICK" = 1 ] || media_rows

echo
"$HOSTBENCH_BIN" table "$ROWS"
