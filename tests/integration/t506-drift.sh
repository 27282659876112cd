#!/bin/bash
# host/drift names, one line each, what the host or libvirt shows that differs
# from the desired state; `echo 1 > host/reconcile` repairs what it safely can
# and says so in events. Each kind is broken behind the daemon's back: through
# the simulator's sysfs, and with virsh on the private libvirtd's session QEMU
# driver, whose attach-device/detach-device --config change a definition
# without a lifecycle event (the test driver has neither call, and the daemon
# puts back at once what a `virsh define` drops). An orphan vgpufs did not make
# stays, and stays listed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint virsh libvirtd setpriv qemu-system-x86_64

APP01=66666666-0000-4000-8000-000000000001
CLONE01=66666666-0000-4000-8000-000000000002

# qemu_vm NAME UUID: a QEMU domain, defined only (the session driver cannot
# start one with a vGPU).
qemu_vm() {
	cat >"$TMP/$1.xml" <<-EOF
	<domain type='qemu'>
	  <name>$1</name>
	  <uuid>$2</uuid>
	  <memory unit='MiB'>512</memory>
	  <vcpu>1</vcpu>
	  <os><type arch='x86_64'>hvm</type></os>
	  <devices/>
	</domain>
	EOF
	lv define "$TMP/$1.xml" >/dev/null || fail "virsh define $1 failed"
}

# drift_is LINE...: host/drift reads these lines, sorted ("" for none).
drift_is() {
	check_list "$MNT/host/drift" "$(printf '%s\n' "$@" | sort | sed '/^$/d')"
}

reconcile() {
	put "$MNT/host/reconcile" 1
}

# check_event LINE: some line of events is LINE after its time.
check_event() {
	cut -d' ' -f2- "$MNT/events" | grep -Fxq -- "$1" ||
		fail "events: no line '$1'; the last ones: $(tail -n 5 "$MNT/events")"
}

# check_summary REPAIRED LEFT: reconcile's last line.
check_summary() {
	check_eq "the last events line" \
		"host/reconcile: $1 repaired, $2 left (host/drift lists them)" \
		"$(tail -n 1 "$MNT/events" | cut -d' ' -f2-)"
}

# hostdev_xml UUID | VF: the hostdev of an mdev or a VF, for virsh.
hostdev_xml() {
	local d b s f
	case $1 in
	*-*)
		echo "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
		echo "<source><address uuid='$1'/></source></hostdev>" ;;
	*)
		IFS=':.' read -r d b s f <<<"$1"
		echo "<hostdev mode='subsystem' type='pci' managed='no'><source>"
		echo "<address domain='0x$d' bus='0x$b' slot='0x$s' function='0x$f'/></source></hostdev>" ;;
	esac
}

# detach VM UUID|VF: drop one hostdev from the persistent definition.
detach() {
	hostdev_xml "$2" >"$TMP/hostdev.xml"
	lv detach-device "$1" "$TMP/hostdev.xml" --config >/dev/null ||
		fail "virsh detach-device $2 failed"
}

start_sim demo.host
chmod 0711 "$TMP" # test-libvirtd.sh runs libvirtd as nobody: it must reach $TMP/lv
LV_DIR=$TMP/lv
"$SRC_DIR/tools/test-libvirtd.sh" start "$LV_DIR" >/dev/null || fail "test-libvirtd.sh start failed"
LIBVIRT_URI="qemu+unix:///session?socket=$LV_DIR/libvirt-sock"
qemu_vm app01 $APP01
start_vgpufs
cd "$MNT"

say "a VM with two T4 vGPUs with options and one L40S VF: no drift"
make_group t4 T4-4Q $T4_GPUS
make_group l40s L40S-4Q $L40S
mkdir vms/app01/devices/gpu0 vms/app01/devices/gpu1
put vms/app01/devices/gpu0/count 2
put vms/app01/devices/gpu0/frame_rate_limit 45
put vms/app01/devices/gpu0/disable_console_vnc 1
put vms/app01/devices/gpu0/group t4
put vms/app01/devices/gpu1/group l40s
read -r m1 m2 <<<"$(echo $(dev_vgpus app01 gpu0))"
w=$(dev_vgpus app01 gpu1)
t4=$(cat vgpus/$m1/gpu)
check_eq "both T4 vGPUs on one GPU (depth-first)" "$t4" "$(cat vgpus/$m2/gpu)"
read -r vf l40s_4q <<<"$(sim_vf_vgpus)"
params="frame_rate_limiter=45, disable_vnc=1"
check_eq "vgpu_params of $m1" "$params" "$(sim_params $m1)"
check_eq "hostdevs" "$(printf '%s\n' $m1 $m2 | sort) $vf" "$(def_mdevs app01) $(def_pci app01)"
drift_is ""
check_eq "modes of host/drift and host/reconcile" "440 200" \
	"$(stat -c %a host/drift host/reconcile | xargs)"
pass "drift empty"

say "a vGPU missing: an mdev removed, a VF emptied"
echo 1 >"$SIM/bus/mdev/devices/$m1/remove"
echo 0 >"$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type"
drift_is "vgpus/$m1: missing on $t4" "vgpus/$w: missing on $vf"
reconcile
drift_is ""
check_eq "mdevs" "$(printf '%s\n' $m1 $m2 | sort)" "$(sim_mdevs)"
check_eq "vgpu_params of the re-created $m1" "$params" "$(sim_params $m1)"
check_eq "VFs" "$vf $l40s_4q" "$(sim_vf_vgpus)"
check_event "vgpus/$m1: missing on $t4: repaired"
check_event "vgpus/$w: missing on $vf: repaired"
check_summary 2 0
pass "re-created with the same UUID, slot and vgpu_params"

say "vgpu_params changed: the same items in another order agree"
echo "disable_vnc=1,frame_rate_limiter=45" >"$SIM/bus/mdev/devices/$m1/nvidia/vgpu_params"
drift_is ""
echo "frame_rate_limiter=10" >"$SIM/bus/mdev/devices/$m2/nvidia/vgpu_params"
echo "enable_uvm=1" >"$SIM/bus/pci/devices/$vf/nvidia/vgpu_params"
line_m2="vgpus/$m2: vgpu_params read \"frame_rate_limiter=10\","
line_m2+=" the device's options give \"$params\""
line_w="vgpus/$w: vgpu_params read \"enable_uvm=1\", the device's options give \"\""
drift_is "$line_m2" "$line_w"
reconcile
drift_is ""
check_eq "vgpu_params of $m2" "$params" "$(sim_params $m2)"
check_eq "vgpu_params of the VF" "" "$(cat "$SIM/bus/pci/devices/$vf/nvidia/vgpu_params")"
check_event "$line_m2: repaired"
check_event "$line_w: repaired"
check_summary 2 0
pass "vgpu_params rewritten"

say "a VF given another type"
echo 0 >"$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type"
l40s_2q=$(awk '$4 == "L40S-2Q" { print $1 }' "$SIM/bus/pci/devices/$vf/nvidia/creatable_vgpu_types")
[ -n "$l40s_2q" ] || fail "no L40S-2Q on $vf"
echo "$l40s_2q" >"$SIM/bus/pci/devices/$vf/nvidia/current_vgpu_type"
line="vgpus/$w: type $l40s_2q on $vf, not $l40s_4q (L40S-4Q)"
drift_is "$line"
reconcile
drift_is ""
check_eq "VFs" "$vf $l40s_4q" "$(sim_vf_vgpus)"
check_event "$line: repaired"
check_summary 1 0
pass "the VF's type set back"

say "hostdevs of ours dropped from the definition (virsh detach-device --config)"
keep_def_others app01
detach app01 "$m1"
detach app01 "$vf"
check_eq "mdev hostdevs left" "$m2" "$(def_mdevs app01)"
line_m1="vms/app01/devices/gpu0: hostdev of vGPU $m1 missing from the definition"
line_w="vms/app01/devices/gpu1: hostdev of vGPU $w missing from the definition"
drift_is "$line_m1" "$line_w"
reconcile
drift_is ""
check_eq "mdev hostdevs" "$(printf '%s\n' $m1 $m2 | sort)" "$(def_mdevs app01)"
check_eq "pci hostdevs" "$vf" "$(def_pci app01)"
check_eq "recorded vGPUs of gpu0" "$(printf '%s\n' $m1 $m2 | sort)" "$(def_owned app01 gpu0)"
check_def_others app01
check_event "$line_m1: repaired"
check_event "$line_w: repaired"
check_summary 2 0
pass "hostdevs put back, nothing else touched"

say "stale hostdevs: app01's definition copied to clone01 (virsh define)"
lv dumpxml --inactive app01 |
	sed -e "s|<name>app01</name>|<name>clone01</name>|" \
		-e "s|<uuid>$APP01</uuid>|<uuid>$CLONE01</uuid>|" >"$TMP/clone01.xml"
lv define "$TMP/clone01.xml" >/dev/null || fail "virsh define clone01 failed"
check_eq "hostdevs of clone01" 3 "$(lv dumpxml --inactive clone01 | grep -c "<hostdev")"
stale=$(for u in $m1 $m2 $w; do
	echo "vms/clone01: stale hostdev of vGPU $u, held by no device of this VM"
done)
drift_is "$stale"
reconcile
drift_is ""
check_eq "hostdevs of clone01" 0 "$(lv dumpxml --inactive clone01 | grep -c "<hostdev" || true)"
check_eq "vgpufs metadata of clone01" 0 \
	"$(lv dumpxml --inactive clone01 | grep -c "$XMLNS_VGPUFS" || true)"
check_eq "mdev hostdevs of app01" "$(printf '%s\n' $m1 $m2 | sort)" "$(def_mdevs app01)"
check_eq "pci hostdevs of app01" "$vf" "$(def_pci app01)"
while read -r l; do check_event "$l: repaired"; done <<<"$stale"
check_summary 3 0
pass "stale hostdevs removed from the copy only"

say "several at once: sorted, and one reconcile repairs them all"
echo 1 >"$SIM/bus/mdev/devices/$m2/remove"
echo "enable_uvm=1" >"$SIM/bus/mdev/devices/$m1/nvidia/vgpu_params"
detach app01 "$vf"
drift_is "vgpus/$m2: missing on $t4" \
	"vgpus/$m1: vgpu_params read \"enable_uvm=1\", the device's options give \"$params\"" \
	"vms/app01/devices/gpu1: hostdev of vGPU $w missing from the definition"
reconcile
drift_is ""
check_summary 3 0
check_consistent
pass "all repaired"

say "our record removed (virsh metadata --remove): hostdevs it does not record are not taken"
lv metadata app01 --config --uri "$XMLNS_VGPUFS" --remove >/dev/null ||
	fail "virsh metadata --remove failed"
cannot="vms/app01: definition cannot take its devices: device gpu0: the domain already has a"
cannot+=" hostdev for vGPU"
got=$(cat host/drift)
case $got in
"$cannot $m1 that vgpufs does not own" | "$cannot $m2 that vgpufs does not own") ;;
*) fail "host/drift: '$got'" ;;
esac
reconcile
check_event "$got: not repaired: ${got#*: definition cannot take its devices: }"
check_summary 0 1
check_eq "hostdevs left as they were" "$(printf '%s\n' $m1 $m2 | sort) $vf" \
	"$(def_mdevs app01) $(def_pci app01)"
say "the admin removes them: reconcile puts ours back"
detach app01 "$m1"
detach app01 "$m2"
detach app01 "$vf"
drift_is "vms/app01/devices/gpu0: hostdev of vGPU $m1 missing from the definition" \
	"vms/app01/devices/gpu0: hostdev of vGPU $m2 missing from the definition" \
	"vms/app01/devices/gpu1: hostdev of vGPU $w missing from the definition"
reconcile
drift_is ""
check_summary 3 0
check_eq "recorded vGPUs of gpu0" "$(printf '%s\n' $m1 $m2 | sort)" "$(def_owned app01 gpu0)"
check_eq "recorded vGPUs of gpu1" "$w" "$(def_owned app01 gpu1)"
pass "only what the record holds is ever taken"

say "the guest-driver cdrom dropped (virsh detach-device --config)"
upload_iso drivers.iso
put groups/t4/driver_iso drivers.iso
put vms/app01/devices/gpu0/attach_guest_drivers 1
iso=$TMP/state/media/drivers.iso
cdroms() {
	xp "$(def app01)" "/domain/devices/disk[@device='cdrom']/source/@file" | attr_values
}
check_eq "cdrom of app01" "$iso" "$(cdroms)"
target=$(xp "$(def app01)" "string(/domain/devices/disk[@device='cdrom']/target/@dev)")
echo "<disk type='file' device='cdrom'><source file='$iso'/><target dev='$target'/></disk>" \
	>"$TMP/cdrom.xml"
lv detach-device app01 "$TMP/cdrom.xml" --config >/dev/null || fail "virsh detach-device (cdrom) failed"
check_eq "cdrom of app01" "" "$(cdroms)"
line="vms/app01/devices/gpu0: guest-driver cdrom $iso missing from the definition"
drift_is "$line"
reconcile
drift_is ""
check_eq "cdrom of app01" "$iso" "$(cdroms)"
check_event "$line: repaired"
check_summary 1 0
pass "cdrom put back"

say "a removal the kernel refused is finished by reconcile, once the vGPU is free"
mkdir vms/app01/devices/tmp0
put vms/app01/devices/tmp0/group t4
u=$(dev_vgpus app01 tmp0)
slot=$(cat vgpus/$u/gpu)
echo "use $u" >"$SIM/.simctl" # as if a VM ran on it
rmdir vms/app01/devices/tmp0
check_event "vgpus/$u: removal failed (Device or resource busy); retried at next start"
line="vgpus/$u: removal not finished on $slot"
drift_is "$line"
reconcile
check_event "$line: not repaired: the removal failed again"
check_summary 0 1
echo "release $u" >"$SIM/.simctl"
reconcile
drift_is ""
check_event "$line: repaired"
check_summary 1 0
[ ! -e "$SIM/bus/mdev/devices/$u" ] || fail "mdev $u still on the host"
[ ! -e "vgpus/$u" ] || fail "vgpus/$u still listed"
check_consistent
pass "removal finished"

say "host/reconcile takes a boolean; 0 does nothing"
lines=$(wc -l <events)
put host/reconcile 0
check_eq "events lines after 0" "$lines" "$(wc -l <events)"
expect_fail_errno "$EINVAL" write_once host/reconcile $'yes please\n'
check_val host/error 'write 1 to reconcile, not "yes please"'
pass "refused with EINVAL"

say "orphans: reported on a managed GPU, never removed"
other_t4=$(for g in $T4_GPUS; do [ "$g" = "$t4" ] || echo "$g"; done)
t4_type=$(cat gpus/$other_t4/types/T4-4Q/type_id)
o1=$(new_uuid)
o1=${o1,,}
echo "$o1" >"$SIM/class/mdev_bus/$other_t4/mdev_supported_types/$t4_type/create"
a16=${A16_GPUS%% *}
a16_type=$(cat gpus/$a16/types/A16-2Q/type_id)
o2=$(new_uuid)
o2=${o2,,}
echo "$o2" >"$SIM/class/mdev_bus/$a16/mdev_supported_types/$a16_type/create"
line="vgpus/$o1: orphan on $other_t4 (type $t4_type), held by no device"
drift_is "$line" # the A16 is in no group: not vgpufs's business
reconcile
drift_is "$line"
check_event "$line: left in place (vgpufs did not make it)"
check_summary 0 1
check_eq "mdevs" "$(printf '%s\n' $m1 $m2 $o1 $o2 | sort)" "$(sim_mdevs)"
check_val vgpus/$o1/state orphan
check_val vgpus/$o2/state orphan
pass "orphans left and still listed"
