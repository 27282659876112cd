#!/bin/bash
# host/maintenance = 1 refuses new vGPUs with EBUSY; freeing still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group t4 T4-4Q $T4_GPUS
mkdir vms/cad-ws02/devices/gpu0 vms/render01/devices/gpu0
echo t4 >vms/render01/devices/gpu0/group
check_val vms/render01/devices/gpu0/status allocated
before=$(sim_snapshot)

say "maintenance on: setting group and raising count give EBUSY"
echo 1 >host/maintenance
check_val host/maintenance 1
put_refused "$EBUSY" vms/cad-ws02/devices/gpu0/group t4
grep -q maintenance vms/cad-ws02/devices/gpu0/error ||
	fail "error does not name the maintenance: $(cat vms/cad-ws02/devices/gpu0/error)"
check_val vms/cad-ws02/devices/gpu0/status unassigned
put_refused "$EBUSY" vms/render01/devices/gpu0/count 2
check_eq "the simulator" "$before" "$(sim_snapshot)"
pass "EBUSY, nothing made"

say "maintenance survives a restart"
restart_vgpufs
check_val host/maintenance 1
put_refused "$EBUSY" vms/cad-ws02/devices/gpu0/group t4
pass "persisted"

say "freeing is allowed in maintenance"
rmdir vms/render01/devices/gpu0
check_eq "mdevs" "" "$(sim_mdevs)"
pass "rmdir frees"

say "maintenance off: the same write succeeds"
echo 0 >host/maintenance
echo t4 >vms/cad-ws02/devices/gpu0/group
check_val vms/cad-ws02/devices/gpu0/status allocated
check_eq "mdevs" 1 "$(sim_mdevs | wc -l)"
pass "allocated"
