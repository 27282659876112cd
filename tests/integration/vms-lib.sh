# tests/integration/vms-lib.sh: helpers for the t2NN tests of VMs, devices
# and vGPUs.  Source it after lib.sh.
#
# Two libvirt set-ups:
#   - demo_up: the in-process test driver over tools/hosts/demo-vms.xml
#     (cad-ws01 and ml-train01 running; cad-ws02, render01, vdi-pool01 off).
#     Private to the daemon: a restart brings the file's domains back.
#   - libvirtd_up: a private libvirtd (tools/test-libvirtd.sh) that virsh
#     shares with the daemon, as an admin's shell would.  A `virsh event`
#     holds a connection open for the whole test, so that the shared state
#     survives a daemon restart or kill -9.  It is stopped by the EXIT trap,
#     pass or fail.
# The EXIT trap also fails the test when a sanitizer (ASan/UBSan build)
# reported anything in the daemon's or the simulator's log.

E_NOENT="No such file or directory"
E_INVAL="Invalid argument"
E_BUSY="Device or resource busy"
E_NOSPC="No space left on device"
E_EXIST="File exists"

A16_GPUS="0000:43:00.0 0000:44:00.0 0000:45:00.0 0000:46:00.0"
T4_GPUS="0000:41:00.0 0000:42:00.0"
A40=0000:47:00.0
L40S=0000:48:00.0
XMLNS_VGPUFS=https://vgpufs.dev/xmlns/domain/1
EVENTS_TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

VMS_URI=test:///default
LV_DIR=
LV_URI=
LV_HOLDER_PID=

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "skip: $TEST_NAME needs $t"; exit 77; }
	done
}

# --- daemon -----------------------------------------------------------------

# vgpufs_up [ARGS...]: start the daemon on the current libvirt set-up.
vgpufs_up() {
	start_vgpufs --libvirt "$VMS_URI" "$@"
}

# vgpufs_restart: stop the daemon (SIGTERM) and start it again on the same
# state and libvirt; the working directory is kept.
vgpufs_restart() {
	local here=$PWD
	cd /
	quit_vgpufs
	vgpufs_up "$@"
	cd "$here"
}

# vgpufs_kill9: SIGKILL the daemon and drop its dead mount.
vgpufs_kill9() {
	local here=$PWD
	cd /
	[ -n "$VGPUFS_PID" ] || fail "vgpufs_kill9: vgpufs is not running"
	kill -KILL "$VGPUFS_PID" 2>/dev/null || true
	{ wait "$VGPUFS_PID"; } 2>/dev/null || true
	VGPUFS_PID=
	fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	is_mounted "$MNT" && fail "$MNT still mounted after kill -9 and fusermount3 -uz"
	cd "$here" 2>/dev/null || true
}

# vgpufs_reap_dead: after the daemon killed itself (a crash point), wait for
# it and drop its dead mount.
vgpufs_reap_dead() {
	local i
	for i in $(seq 50); do
		alive "$VGPUFS_PID" || break
		sleep 0.1
	done
	alive "$VGPUFS_PID" && fail "vgpufs still alive; expected it to have killed itself"
	vgpufs_kill9
}

demo_up() {
	VMS_URI="test://$SRC_DIR/tools/hosts/demo-vms.xml"
	start_sim demo.host
	vgpufs_up "$@"
}

# --- the shared libvirtd ----------------------------------------------------

libvirtd_up() {
	need_tools virsh libvirtd setpriv
	# test-libvirtd.sh runs libvirtd as nobody: it must reach $TMP/lv.
	chmod 0711 "$TMP"
	LV_DIR=$TMP/lv
	LV_URI=$("$SRC_DIR/tools/test-libvirtd.sh" start "$LV_DIR") || fail "test-libvirtd.sh start failed"
	VMS_URI=$LV_URI
	virsh -q -c "$LV_URI" event --loop --all </dev/null >"$TMP/virsh-events.log" 2>&1 &
	LV_HOLDER_PID=$!
	# Until the holder is connected, each virsh is the only connection and
	# what it defines is gone when it exits: define a sentinel until the
	# holder reports it.
	vm_xml sentinel 00000000-0000-4000-8000-00000000cafe >"$TMP/sentinel.xml"
	holder_saw_sentinel() {
		alive "$LV_HOLDER_PID" || fail "virsh event exited: $(cat "$TMP/virsh-events.log")"
		virsh -q -c "$LV_URI" define "$TMP/sentinel.xml" >/dev/null 2>&1
		grep -q "domain 'sentinel'" "$TMP/virsh-events.log"
	}
	wait_until 10 "virsh event connected to libvirtd" holder_saw_sentinel
	virsh -q -c "$LV_URI" undefine sentinel >/dev/null || fail "virsh undefine sentinel failed"
	say "libvirtd: $LV_URI"
}

# sanitizer_findings LOG: the sanitizer reports in LOG, less the leaks that
# libfuse itself allocated (frame #1 in libfuse3): a directory handle whose
# RELEASEDIR was still queued when SIGTERM ended the session loop.
sanitizer_findings() {
	awk '
		/runtime error:|ERROR: (Address|Undefined)Sanitizer/ { print; bad = 12; next }
		bad > 0 { print; bad--; next }
		/^(Direct|Indirect) leak of/ { block = $0; inleak = 1; next }
		inleak && /^ *#1 / { if ($0 !~ /libfuse3\.so/) print block "\n" $0; inleak = 0 }
	' "$1"
}

vms_cleanup() {
	local rc=$? i
	set +e
	# The daemon first, so that it does not watch its libvirt go away.
	if [ -n "$VGPUFS_PID" ] && alive "$VGPUFS_PID"; then
		kill -TERM "$VGPUFS_PID"
		for i in $(seq 50); do
			alive "$VGPUFS_PID" || break
			sleep 0.1
		done
	fi
	# A sanitizer build reports into the logs and may carry on: that fails too.
	for i in "$TMP/vgpufs.log" "$TMP/hostsim.log"; do
		[ -f "$i" ] || continue
		if [ -n "$(sanitizer_findings "$i")" ]; then
			echo "FAIL - sanitizer report in $(basename "$i"):" >&2
			sanitizer_findings "$i" | head -n 40 >&2
			rc=1
		fi
	done
	if [ -n "$LV_HOLDER_PID" ]; then
		kill "$LV_HOLDER_PID" 2>/dev/null
		wait "$LV_HOLDER_PID" 2>/dev/null
	fi
	if [ -n "$LV_DIR" ]; then
		[ "$rc" = 0 ] || cp "$LV_DIR/libvirtd.log" "$TMP/libvirtd.log" 2>/dev/null
		"$SRC_DIR/tools/test-libvirtd.sh" stop "$LV_DIR" >/dev/null 2>&1
	fi
	(exit "$rc")
	cleanup
}
trap vms_cleanup EXIT

# define_vm NAME UUID [STATE]: virsh define a minimal test-driver domain with
# one disk and one interface (so that "unrelated devices" can be checked).
vm_xml() {
	cat <<-EOF
	<domain type='test'>
	  <name>$1</name>
	  <uuid>$2</uuid>
	  <memory unit='MiB'>512</memory>
	  <vcpu>1</vcpu>
	  <os><type arch='x86_64'>hvm</type></os>
	  <devices>
	    <disk type='file' device='disk'>
	      <source file='/var/lib/libvirt/images/$1.qcow2'/>
	      <target dev='vda' bus='virtio'/>
	    </disk>
	    <interface type='network'><source network='default'/></interface>
	  </devices>
	</domain>
	EOF
}

define_vm() {
	vm_xml "$1" "$2" >"$TMP/$1.xml"
	virsh -q -c "$LV_URI" define "$TMP/$1.xml" >/dev/null || fail "virsh define $1 failed"
}

lv() {
	virsh -q -c "$LV_URI" "$@"
}

# --- tree -------------------------------------------------------------------

rel() { printf '%s' "${1#"$MNT"/}"; }

# put FILE VALUE: `echo VALUE > FILE` must succeed (the object's error file
# is shown when it does not).
put() {
	local err
	err=$( { printf '%s\n' "$2" >"$1"; } 2>&1) ||
		fail "echo '$2' > $(rel "$1") failed: $err; error: $(cat "$(dirname "$1")/error" 2>/dev/null)"
}

# put_refused ERRNO_MESSAGE FILE VALUE: `echo VALUE > FILE` must fail with
# that error, FILE must read the same after, and so must its object, the
# groups/ tree, its VM's definition and the vGPUs on the host
# (refusal_snapshot in lib.sh).
put_refused() {
	local before after err rc=0 snap
	before=$(cat "$2")
	snap=$(refusal_snapshot "$2")
	err=$( { printf '%s\n' "$3" >"$2"; } 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "echo '$3' > $(rel "$2") succeeded; expected: $1"
	grep -Eq -- "$1" <<<"$err" || fail "echo '$3' > $(rel "$2") failed with '$err'; expected: $1"
	after=$(cat "$2")
	check_eq "$(rel "$2") after the refused write" "$before" "$after"
	check_unchanged "the refused echo '$3' > $(rel "$2")" "$snap" "$(refusal_snapshot "$2")"
}

# is FILE EXPECTED: FILE reads EXPECTED and a newline.
is() {
	local got
	got=$(cat "$1" && echo .) || fail "cannot read $(rel "$1")"
	check_eq "$(rel "$1")" "$2"$'\n.' "$got"
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND every 0.1 s.
wait_until() {
	local secs=$1 what=$2 i
	shift 2
	for i in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what: not within $secs s"
}

# reads FILE VALUE: true when FILE reads VALUE (for wait_until).
reads() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# make_group NAME PROFILE BDF...: a group with the running driver, these
# GPUs and PROFILE.
make_group() {
	local g=$1 p=$2 b
	shift 2
	mkdir "$MNT/groups/$g" || fail "mkdir groups/$g failed"
	put "$MNT/groups/$g/driver" "$(cat "$MNT/host/driver_version")"
	for b in "$@"; do
		put "$MNT/gpus/$b/group" "$g"
	done
	put "$MNT/groups/$g/profile" "$p"
}

# dev_vgpus VM DEV: the UUIDs of a device's vGPUs, sorted, one a line.
dev_vgpus() {
	ls "$MNT/vms/$1/devices/$2/vgpus" | sort
}

# tree_vgpus: every vGPU the tree lists, sorted.
tree_vgpus() {
	ls "$MNT/vgpus" | sort
}

# --- the domain definition ---------------------------------------------------

# def VM: a copy of vms/VM/definition (libvirt's own answer), as a file.
def() {
	cat "$MNT/vms/$1/definition" >"$TMP/def-$1.xml" || fail "cannot read vms/$1/definition"
	printf '%s' "$TMP/def-$1.xml"
}

# xp FILE XPATH: xmllint --xpath, empty output for an empty node set.
xp() {
	local out rc=0
	out=$(xmllint --xpath "$2" "$1" 2>&1) || rc=$?
	case $rc in
	0) printf '%s\n' "$out" ;;
	10) ;; # XPath set is empty
	*) fail "xmllint --xpath '$2' $1: $out" ;;
	esac
}

# attr_values: ' uuid="a" uuid="b"' (xmllint's attribute output) -> a, b.
attr_values() {
	{ grep -o '"[^"]*"' || true; } | tr -d '"'
}

# def_mdevs VM: the UUIDs of the definition's mdev hostdevs, sorted.
def_mdevs() {
	xp "$(def "$1")" "/domain/devices/hostdev[@mode='subsystem'][@type='mdev']/source/address/@uuid" |
		attr_values | sort
}

# def_pci VM: the source addresses of the definition's PCI hostdevs as BDFs.
def_pci() {
	local f n i d b s fn
	f=$(def "$1")
	n=$(xp "$f" "count(/domain/devices/hostdev[@type='pci'])")
	for ((i = 1; i <= ${n:-0}; i++)); do
		d=$(xp "$f" "string(/domain/devices/hostdev[@type='pci'][$i]/source/address/@domain)")
		b=$(xp "$f" "string(/domain/devices/hostdev[@type='pci'][$i]/source/address/@bus)")
		s=$(xp "$f" "string(/domain/devices/hostdev[@type='pci'][$i]/source/address/@slot)")
		fn=$(xp "$f" "string(/domain/devices/hostdev[@type='pci'][$i]/source/address/@function)")
		printf '%04x:%02x:%02x.%x\n' "$d" "$b" "$s" "$fn"
	done | sort
}

# def_owned VM DEV: the UUIDs our metadata records for device DEV.
def_owned() {
	xp "$(def "$1")" "/domain/metadata/*[local-name()='devices' and namespace-uri()='$XMLNS_VGPUFS']/*[local-name()='device'][@name='$2']/*[local-name()='vgpu']/@uuid" |
		attr_values | sort
}

# def_others VM: everything in the definition but our hostdevs and metadata
# (to check that unrelated parts are untouched).
def_others() {
	local f
	f=$(def "$1")
	xp "$f" "/domain/*[not(self::metadata) and not(self::devices)]"
	xp "$f" "/domain/devices/*[not(self::hostdev)]"
}

# --- the simulated host -----------------------------------------------------

# sim_mdevs: every mdev vGPU on the host, sorted.
sim_mdevs() {
	ls "$SIM/bus/mdev/devices" 2>/dev/null | sort
}

# sim_vf_vgpus: "VF TYPE_ID" for every vfio-sriov VF that holds a vGPU.
sim_vf_vgpus() {
	local f t
	for f in "$SIM"/bus/pci/devices/*/nvidia/current_vgpu_type; do
		[ -f "$f" ] || continue
		t=$(<"$f")
		[ "$t" = 0 ] || printf '%s %s\n' "$(basename "$(dirname "$(dirname "$f")")")" "$t"
	done | sort
}

sim_vgpu_count() {
	echo $(($(sim_mdevs | wc -l) + $(sim_vf_vgpus | wc -l)))
}

# sim_params UUID: an mdev vGPU's vgpu_params.
sim_params() {
	cat "$SIM/bus/mdev/devices/$1/nvidia/vgpu_params"
}

# sim_parent UUID: the PCI function an mdev vGPU hangs off.
sim_parent() {
	basename "$(dirname "$(readlink -f "$SIM/bus/mdev/devices/$1")")"
}

# sim_type UUID: an mdev vGPU's type (nvidia-NNN).
sim_type() {
	basename "$(readlink "$SIM/bus/mdev/devices/$1/mdev_type")"
}

# sim_avail PARENT TYPE: available_instances of an mdev type.
sim_avail() {
	cat "$SIM/class/mdev_bus/$1/mdev_supported_types/$2/available_instances"
}

# sim_snapshot: a text picture of every vGPU on the host, with params.
sim_snapshot() {
	local u vf t
	for u in $(sim_mdevs); do
		printf 'mdev %s %s %s %s\n' "$u" "$(sim_parent "$u")" "$(sim_type "$u")" "$(sim_params "$u")"
	done
	sim_vf_vgpus | while read -r vf t; do
		printf 'vf %s %s %s\n' "$vf" "$t" "$(cat "$SIM/bus/pci/devices/$vf/nvidia/vgpu_params")"
	done
}

# --- invariants after a crash or restart ------------------------------------

# check_consistent: no leaked vGPU on the host (every one is known and
# belongs to a device), no hostdev in any definition that points at a vGPU
# the host lacks, every device's vGPUs are in its VM's definition, and no
# device is in error.
check_consistent() {
	local u vm d dir st vf t n_tree n_sim
	for u in $(tree_vgpus); do
		st=$(cat "$MNT/vgpus/$u/state")
		case $st in created | in-use) ;; *) fail "vgpus/$u/state is '$st' after recovery" ;; esac
		[ -n "$(cat "$MNT/vgpus/$u/vm")" ] || fail "vgpus/$u has no vm"
	done
	n_tree=$(tree_vgpus | wc -l)
	n_sim=$(sim_vgpu_count)
	check_eq "vGPUs on the host vs vgpus/ (leak or loss)" "$n_tree" "$n_sim"
	for u in $(sim_mdevs); do
		[ -d "$MNT/vgpus/$u" ] || fail "mdev $u on the host is unknown to vgpufs"
	done
	for vm in $(ls "$MNT/vms"); do
		for u in $(sim_mdevs); do
			[ "$(cat "$MNT/vgpus/$u/vm")" = "$vm" ] || continue
			def_mdevs "$vm" | grep -qx "$u" ||
				fail "mdev $u of $vm is not a hostdev in vms/$vm/definition"
		done
		for u in $(def_mdevs "$vm"); do
			[ -e "$SIM/bus/mdev/devices/$u" ] ||
				fail "vms/$vm/definition has a hostdev for mdev $u, which the host lacks"
		done
		for vf in $(def_pci "$vm"); do
			t=$(cat "$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type" 2>/dev/null || echo none)
			case $t in 0 | none) fail "vms/$vm/definition has a hostdev for VF $vf, which holds no vGPU" ;; esac
		done
		for dir in "$MNT/vms/$vm/devices"/*; do
			[ -d "$dir" ] || continue
			d=${dir##*/}
			st=$(cat "$dir/status")
			[ "$st" != error ] || fail "vms/$vm/devices/$d/status is error: $(cat "$dir/error")"
			check_eq "vGPUs recorded in vms/$vm/definition for $d" "$(dev_vgpus "$vm" "$d")" "$(def_owned "$vm" "$d")"
			check_eq "vms/$vm/devices/$d/vgpus vs count" \
				"$( [ -n "$(cat "$dir/group")" ] && cat "$dir/count" || echo 0)" "$(dev_vgpus "$vm" "$d" | wc -l)"
		done
	done
}
