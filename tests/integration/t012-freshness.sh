#!/bin/bash
# How fresh the tree is, for each kind of change (docs/tree.md, "Live values"): the
# daemon's own writes show at once; virsh's at once (libvirt is asked, not kept); the
# host's, made behind the daemon's back, within the host snapshot's 100 ms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

libvirtd_up web01=33333333-0000-4000-8000-000000000012
cd "$MNT"
gpu=gpus/0000:41:00.0
avail=$gpu/types/T4-1B/available
make_group t4 T4-1B 0000:41:00.0
n=$(cat $avail)
[ "$n" -ge 2 ] || fail "$avail reads $n"

say "the daemon's own change shows at once"
mkdir vms/web01/devices/gpu0
echo t4 >vms/web01/devices/gpu0/group
check_val $avail $((n - 1))
check_val $gpu/vgpus_used 1
check_val groups/t4/vgpus_free $((n - 1))
rmdir vms/web01/devices/gpu0
check_val $avail "$n"
check_val $gpu/vgpus_used 0
pass "attach and detach: available, vgpus_used and vgpus_free follow at once"

say "virsh's changes show at once"
define_vm web02 33333333-0000-4000-8000-000000000013
check_eq "ls vms" "test web01 web02" "$(echo $(ls vms))"
lv start web01 >/dev/null
check_val vms/web01/state running
lv destroy web01 >/dev/null
check_val vms/web01/state shutoff
lv undefine web02 >/dev/null
check_eq "ls vms" "test web01" "$(echo $(ls vms))"
pass "define, start, destroy, undefine"

say "a vGPU made and removed behind the daemon's back shows within 100 ms"
cat $avail >/dev/null # a reading the snapshot keeps
uuid=$(new_uuid)
type=$(cat $gpu/types/T4-1B/type_id)
echo "$uuid" >"$SIM/class/mdev_bus/0000:41:00.0/mdev_supported_types/$type/create"
host_settles
check_val $avail $((n - 1))
check_val $gpu/vgpus_used 1
check_val groups/t4/vgpus_free $((n - 1))
echo 1 >"$SIM/bus/mdev/devices/$uuid/remove"
host_settles
check_val $avail "$n"
check_val $gpu/vgpus_used 0
pass "create and remove in the simulator"
