#!/bin/bash
# Boot order under systemd (Type=notify), with this test playing systemd's side of
# NOTIFY_SOCKET (notify-listen.py): READY=1 comes once the tree is mounted and every
# vGPU is re-created after a simulated reboot, also while libvirt is down (vgpufs.service
# comes before libvirtd); the daemon reaches libvirt after READY and keeps retrying; a
# failed start never sends READY=1; STOPPING=1 on the way out; WATCHDOG=1 when asked.
# libvirt here is a private libvirtd's session QEMU driver, whose definitions persist
# across a libvirtd restart as qemu:///system's do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need virsh libvirtd setpriv python3 qemu-system-x86_64

start_sim demo.host
chmod 0711 "$TMP"
LV_DIR=$TMP/lv
libvirtd_start() {
	"$SRC_DIR/tools/test-libvirtd.sh" start "$LV_DIR" >/dev/null ||
		fail "test-libvirtd.sh start failed"
}
libvirtd_stop() { "$SRC_DIR/tools/test-libvirtd.sh" stop "$LV_DIR" >/dev/null 2>&1; }
CLEANUP_HOOKS="$CLEANUP_HOOKS libvirtd_stop"
libvirtd_start
LIBVIRT_URI="qemu+unix:///session?socket=$LV_DIR/libvirt-sock"
for vm in boot01=55555555-0000-4000-8000-000000000001 \
	boot02=55555555-0000-4000-8000-000000000002; do
	cat >"$TMP/${vm%%=*}.xml" <<-EOF
	<domain type='qemu'>
	  <name>${vm%%=*}</name>
	  <uuid>${vm#*=}</uuid>
	  <memory unit='MiB'>512</memory>
	  <os><type arch='x86_64'>hvm</type></os>
	</domain>
	EOF
	virsh -q -c "$LIBVIRT_URI" define "$TMP/${vm%%=*}.xml" >/dev/null || fail "define $vm"
done

# listen NAME: a fresh notify socket and log for the next start.
listen() {
	NOTIFY_LOG=$TMP/notify-$1.log
	rm -f "$TMP/notify.sock"
	helper python3 "$SRC_DIR/tests/integration/notify-listen.py" "$TMP/notify.sock" \
		"$NOTIFY_LOG" "$SIM"
	wait_until 5 "notify socket" test -S "$TMP/notify.sock"
	export NOTIFY_SOCKET=$TMP/notify.sock
}
notified() { grep -q "^MSG [0-9]* $1\$" "$NOTIFY_LOG"; }

say "first start, libvirt up: READY=1 once mounted"
listen first
start_vgpufs
wait_until 5 "READY=1" notified READY=1
check_eq "vGPUs when READY=1 came" 0 "$(sed -n 's/^VGPUS //p' "$NOTIFY_LOG")"
check_eq "READY=1 from the daemon" "$VGPUFS_PID" \
	"$(sed -n 's/^MSG \([0-9]*\) READY=1$/\1/p' "$NOTIFY_LOG")"
check_val "$MNT/host/libvirt" connected
pass "READY=1 from pid $VGPUFS_PID"

say "four vGPUs (mdev and vfio-sriov) on two VMs"
cd "$MNT"
make_group a16 A16-4Q $A16_GPUS
make_group l40s L40S-2Q $L40S
mkdir vms/boot01/devices/gpu0 vms/boot02/devices/gpu0
echo 2 >vms/boot01/devices/gpu0/count
echo a16 >vms/boot01/devices/gpu0/group
echo 2 >vms/boot02/devices/gpu0/count
echo l40s >vms/boot02/devices/gpu0/group
check_eq "vGPUs on the host" 4 "$(sim_vgpu_count)"
{ sim_mdevs | sed 's/^/mdev /'; sim_vf_vgpus | sed 's/ .*//; s/^/vf /'; } | sort \
	>"$TMP/vgpus-before"
def_mdevs boot01 >"$TMP/mdevs-boot01"
check_eq "hostdevs of boot01" 2 "$(wc -l <"$TMP/mdevs-boot01")"
pass "allocated"

say "shutdown: STOPPING=1"
cd /
stop_vgpufs TERM
notified STOPPING=1 || fail "no STOPPING=1: $(cat "$NOTIFY_LOG")"
pass "STOPPING=1 sent"

say "reboot with libvirt down: READY=1 after the four vGPUs are back"
libvirtd_stop
stop_sim
start_sim demo.host
check_eq "vGPUs on the fresh host" 0 "$(sim_vgpu_count)"
"$VGPUFS_BIN" --check --sysfs-root "$SIM" --libvirt "$LIBVIRT_URI" --state "$TMP/state" \
	>"$TMP/check.txt" || fail "vgpufs --check failed"
check_grep "^recreate: 4 vGPUs recorded, 4 to re-create at start$" \
	"$TMP/check.txt"
check_eq "--check: one line per vGPU, each to re-create" "re-create re-create re-create re-create" \
	"$(echo $(sed -n 's/^vgpu: [^ ]* \([^ ]*\) .*/\1/p' "$TMP/check.txt"))"
check_grep "^modules: nvidia=loaded " "$TMP/check.txt"
check_grep "does not answer" "$TMP/check.txt"
pass "--check says what the start will re-create"
listen reboot
WAIT_LIBVIRT=0 start_vgpufs
wait_until 5 "READY=1" notified READY=1
check_eq "vGPUs when READY=1 came (the daemon stopped meanwhile)" 4 \
	"$(sed -n 's/^VGPUS //p' "$NOTIFY_LOG")"
check_eq "the same vGPUs" "$(cat "$TMP/vgpus-before")" \
	"$(sed -n 's/^VGPU //p' "$NOTIFY_LOG" | sort)"
check_val "$MNT/host/libvirt" connecting
grep -q "libvirt: cannot connect to $LIBVIRT_URI" "$MNT/events" ||
	fail "events: no line about libvirt being down"
expect_fail_errno "Transport endpoint is not connected" ls "$MNT/vms"
pass "re-created before READY=1, without libvirt"

say "libvirtd comes up: the daemon connects by itself"
libvirtd_start
wait_until 10 "host/libvirt connected" reads "$MNT/host/libvirt" connected
grep -q "libvirt: connected to $LIBVIRT_URI" "$MNT/events" || fail "events: no connected line"
check_eq "ls vms" "boot01 boot02" "$(echo $(ls "$MNT/vms"))"
check_val "$MNT/vms/boot01/devices/gpu0/status" allocated
check_val "$MNT/vms/boot02/devices/gpu0/status" allocated
check_eq "hostdevs of boot01" "$(cat "$TMP/mdevs-boot01")" "$(def_mdevs boot01)"
pass "connected after READY=1"

say "libvirtd restarts under the daemon: it reconnects"
libvirtd_stop
wait_until 10 "host/libvirt connecting" reads "$MNT/host/libvirt" connecting
libvirtd_start
wait_until 10 "host/libvirt connected again" reads "$MNT/host/libvirt" connected
check_eq "ls vms" "boot01 boot02" "$(echo $(ls "$MNT/vms"))"
pass "reconnected"
stop_vgpufs TERM

say "WATCHDOG=1 at half of WATCHDOG_USEC"
listen watchdog
WATCHDOG_USEC=400000 start_vgpufs
pinged_twice() { [ "$(grep -c "^MSG [0-9]* WATCHDOG=1$" "$NOTIFY_LOG")" -ge 2 ]; }
wait_until 5 "two WATCHDOG=1" pinged_twice
pass "watchdog pings"
stop_vgpufs TERM

say "a start that fails never sends READY=1"
listen failed
cp -a "$TMP/state" "$TMP/state-good"
printf 'not a database' >"$TMP/state/vgpufs.db"
rc=0
"$VGPUFS_BIN" -f --sysfs-root "$SIM" --libvirt "$LIBVIRT_URI" --state "$TMP/state" "$MNT" \
	>"$TMP/failed.log" 2>&1 || rc=$?
check_eq "exit status of a failed start" 1 "$rc"
sleep 0.3 # a datagram sent before the exit would be in the log by now
notified READY=1 && fail "READY=1 from a failed start"
is_mounted "$MNT" && fail "mounted after a failed start"
pass "exit 1, no READY=1: $(head -n 1 "$TMP/failed.log")"
