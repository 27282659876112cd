#!/bin/bash
# With a libvirtd shared with virsh: a domain defined by virsh shows in vms/
# without a remount, and virsh start/destroy change vms/X/state and the
# status of its devices.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

libvirtd_up
cd "$MNT"

say "virsh define: the domain appears in vms/"
check_eq "ls vms" test "$(ls vms)"
define_vm web01 33333333-0000-4000-8000-000000000001
wait_until 5 "web01 in vms/" test -d vms/web01
check_eq "ls vms" "test web01" "$(echo $(ls vms))"
check_val vms/web01/state shutoff
check_val vms/web01/uuid 33333333-0000-4000-8000-000000000001
pass "defined"

say "a device on it, then virsh start and destroy"
make_group t4 T4-4Q $T4_GPUS
mkdir vms/web01/devices/gpu0
echo t4 >vms/web01/devices/gpu0/group
check_val vms/web01/devices/gpu0/status allocated
u=$(dev_vgpus web01 gpu0)
check_eq "hostdev in virsh's dumpxml" 1 "$(lv dumpxml --inactive web01 | grep -c "<address uuid='$u'/>")"
lv start web01 >/dev/null
wait_until 5 "web01 running" reads vms/web01/state running
check_val vms/web01/devices/gpu0/status attached
check_val vms/web01/restart_required 0
check_val vgpus/$u/state in-use
lv destroy web01 >/dev/null
wait_until 5 "web01 shut off" reads vms/web01/state shutoff
check_val vms/web01/devices/gpu0/status allocated
check_val vgpus/$u/state created
pass "state follows virsh"

say "the stock running domain: a device waits for its restart"
check_val vms/test/state running
device_on_running_vm test gpu0 t4
restart_vm test gpu0
ut=$(dev_vgpus test gpu0)
check_eq "hostdev in virsh's live dumpxml" 1 "$(lv dumpxml test | grep -c "<address uuid='$ut'/>")"
check_consistent
pass "restart through vgpufs"
