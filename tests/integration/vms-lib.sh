# tests/integration/vms-lib.sh: libvirt, VMs and their vGPUs, for the tests
# of VMs, devices and vGPUs.  Source it after lib.sh.
#
# Two libvirt set-ups, each with demo.host in the simulator and the daemon on
# $LIBVIRT_URI:
#   - demo_up: the in-process test driver over tools/hosts/demo-vms.xml
#     (cad-ws01 and ml-train01 running; cad-ws02, render01, vdi-pool01 off).
#     Private to the daemon: a restart brings the file's domains back.
#   - libvirtd_up: a private libvirtd (tools/test-libvirtd.sh) that virsh
#     shares with the daemon, as an admin's shell would.  A `virsh event`
#     holds a connection open for the whole test, so that the shared state
#     survives a daemon restart or kill -9.  The EXIT trap stops it (after
#     the daemon), pass or fail.

XMLNS_VGPUFS=https://vgpufs.dev/xmlns/domain/1

LV_DIR=
LV_HOLDER_PID=

# demo_up [ARGS...]: demo.host and the daemon on demo-vms.xml.
demo_up() {
	LIBVIRT_URI="test://$SRC_DIR/tools/hosts/demo-vms.xml"
	start_sim demo.host
	start_vgpufs "$@"
}

# --- the shared libvirtd ----------------------------------------------------

# libvirtd_up [NAME=UUID...]: demo.host, a private libvirtd with a domain
# of each NAME and UUID (define_vm), and the daemon on it.
libvirtd_up() {
	local vm
	need virsh libvirtd setpriv
	start_sim demo.host
	# test-libvirtd.sh runs libvirtd as nobody: it must reach $TMP/lv.
	chmod 0711 "$TMP"
	LV_DIR=$TMP/lv
	LIBVIRT_URI=$("$SRC_DIR/tools/test-libvirtd.sh" start "$LV_DIR") || fail "test-libvirtd.sh start failed"
	virsh -q -c "$LIBVIRT_URI" event --loop --all </dev/null >"$TMP/virsh-events.log" 2>&1 &
	LV_HOLDER_PID=$!
	# Until the holder is connected, each virsh is the only connection and
	# what it defines is gone when it exits: define a sentinel until the
	# holder reports it.
	vm_xml sentinel 00000000-0000-4000-8000-00000000cafe >"$TMP/sentinel.xml"
	holder_saw_sentinel() {
		alive "$LV_HOLDER_PID" || fail "virsh event exited: $(cat "$TMP/virsh-events.log")"
		virsh -q -c "$LIBVIRT_URI" define "$TMP/sentinel.xml" >/dev/null 2>&1
		grep -q "domain 'sentinel'" "$TMP/virsh-events.log"
	}
	wait_until 10 "virsh event connected to libvirtd" holder_saw_sentinel
	virsh -q -c "$LIBVIRT_URI" undefine sentinel >/dev/null || fail "virsh undefine sentinel failed"
	say "libvirtd: $LIBVIRT_URI"
	for vm in "$@"; do
		define_vm "${vm%%=*}" "${vm#*=}"
	done
	start_vgpufs
}

# libvirtd_down STATUS (a CLEANUP_HOOKS of the EXIT trap, once the daemon is
# stopped): stop the holder and the libvirtd, keeping its log on a failure.
libvirtd_down() {
	if [ -n "$LV_HOLDER_PID" ]; then
		kill "$LV_HOLDER_PID" 2>/dev/null
		wait "$LV_HOLDER_PID" 2>/dev/null
	fi
	if [ -n "$LV_DIR" ]; then
		[ "$1" = 0 ] || cp "$LV_DIR/libvirtd.log" "$TMP/libvirtd.log" 2>/dev/null
		"$SRC_DIR/tools/test-libvirtd.sh" stop "$LV_DIR" >/dev/null 2>&1
	fi
}
CLEANUP_HOOKS="$CLEANUP_HOOKS libvirtd_down"

# vm_xml NAME UUID: a minimal test-driver domain with one disk and one
# interface (so that "unrelated devices" can be checked); define_vm NAME
# UUID: virsh define it.
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
	virsh -q -c "$LIBVIRT_URI" define "$TMP/$1.xml" >/dev/null || fail "virsh define $1 failed"
}

# lv ARGS...: virsh on the shared libvirtd.
lv() {
	virsh -q -c "$LIBVIRT_URI" "$@"
}

# --- devices and their vGPUs -----------------------------------------------

# dev_vgpus VM DEV: the UUIDs of a device's vGPUs, sorted, one a line.
dev_vgpus() {
	ls "$MNT/vms/$1/devices/$2/vgpus" | sort
}

# tree_vgpus: every vGPU the tree lists, sorted.
tree_vgpus() {
	ls "$MNT/vgpus" | sort
}

# check_vgpus VM DEV KEY=VALUE...: the device has vGPUs, and for each of
# them every KEY reads VALUE: a file of vgpus/UUID/ (gpu, profile, type_id,
# params, vm, device, state), or what the simulated host says of an mdev:
# sim_params (its vgpu_params), sim_type (its type), sim_parent (the PCI
# function it hangs off).
check_vgpus() {
	local vm=$1 dev=$2 uuids u kv
	shift 2
	uuids=$(dev_vgpus "$vm" "$dev")
	[ -n "$uuids" ] || fail "vms/$vm/devices/$dev has no vGPU"
	for u in $uuids; do
		for kv in "$@"; do
			case ${kv%%=*} in
			sim_params | sim_type | sim_parent)
				check_eq "${kv%%=*} of $u" "${kv#*=}" "$("${kv%%=*}" "$u")" ;;
			*) check_val "$MNT/vgpus/$u/${kv%%=*}" "${kv#*=}" ;;
			esac
		done
	done
}

# device_on_running_vm VM DEV GROUP: mkdir a device of GROUP on the running
# VM: it gets its vGPUs and waits for the VM's restart (restart_required).
device_on_running_vm() {
	local d=$MNT/vms/$1/devices/$2
	mkdir "$d" || fail "mkdir $(rel "$d") failed"
	put "$d/group" "$3"
	check_val "$d/status" restart-required
	check_val "$MNT/vms/$1/restart_required" 1
}

# restart_vm VM DEV: restart VM through vgpufs; DEV is then attached.
restart_vm() {
	echo 1 >"$MNT/vms/$1/restart"
	wait_until 10 "$1 attached after a restart" reads "$MNT/vms/$1/devices/$2/status" attached
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
# (to check that unrelated parts are untouched): keep_def_others VM notes it,
# check_def_others VM checks that it is still the same.
def_others() {
	local f
	f=$(def "$1")
	xp "$f" "/domain/*[not(self::metadata) and not(self::devices)]"
	xp "$f" "/domain/devices/*[not(self::hostdev)]"
}

keep_def_others() {
	def_others "$1" >"$TMP/others-$1"
}

check_def_others() {
	def_others "$1" >"$TMP/others-$1-now"
	check_file_eq "vms/$1/definition but our hostdevs and metadata" "$TMP/others-$1" "$TMP/others-$1-now"
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
