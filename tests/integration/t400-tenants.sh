#!/bin/bash
# tenants/: mkdir/rmdir a tenant, its description and admins (a user or group name is
# stored as its number; 0 and unknown names are refused), vms/<vm>/tenant hands a VM
# to it (EBUSY while the VM holds vGPUs), tenants/T/vms lists what it owns, rmdir is
# EBUSY while it owns one; all of it survives a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "mkdir and the name rule"
mkdir tenants/acme
check_eq "ls tenants" acme "$(ls tenants)"
check_eq "ls tenants/acme" "admin_gid admin_uid description error events nodes shares vms" "$(ls tenants/acme | xargs)"
check_val tenants/acme/description ""
check_val tenants/acme/admin_uid ""
check_val tenants/acme/admin_gid ""
for bad in .hidden 'a b' "$(printf 'x%.0s' $(seq 64))"; do
	mkdir "tenants/$bad" 2>/dev/null && fail "mkdir tenants/$bad succeeded"
done
mkdir tenants/acme 2>/dev/null && fail "a second mkdir tenants/acme succeeded"
pass "mkdir"

say "admin_uid and admin_gid: numbers, or names stored as numbers; never 0"
put tenants/acme/description "ACME Corp VDI"
put tenants/acme/admin_uid 1234
check_val tenants/acme/admin_uid 1234
put tenants/acme/admin_uid nobody
check_val tenants/acme/admin_uid "$(id -u nobody)"
put tenants/acme/admin_gid "$(getent group | awk -F: '$3 != 0 { print $1; exit }')"
check_val tenants/acme/admin_gid "$(getent group | awk -F: '$3 != 0 { print $3; exit }')"
put_refused "$EINVAL" tenants/acme/admin_uid 0
put_refused "$EINVAL" tenants/acme/admin_uid root
put_refused "$ENOENT" tenants/acme/admin_uid no-such-user-here
check_grep "no user named" tenants/acme/error
put_refused "$ENOENT" tenants/acme/admin_gid no-such-group-here
put_refused "$EINVAL" tenants/acme/admin_uid "-5"
put_refused "$EINVAL" tenants/acme/admin_uid "a b"
put tenants/acme/admin_gid ""
check_val tenants/acme/admin_gid ""
pass "admins"

say "vms/<vm>/tenant hands the VM over; tenants/T/vms lists it"
put vms/render01/tenant acme
check_val vms/render01/tenant acme
check_eq "tenants/acme/vms" render01 "$(ls tenants/acme/vms)"
check_eq "link" ../../../vms/render01 "$(readlink tenants/acme/vms/render01)"
put_refused "$ENOENT" vms/cad-ws02/tenant nobody-tenant
put_refused "$EINVAL" vms/cad-ws02/tenant "a/b"
check_val vms/cad-ws02/tenant ""
rmdir tenants/acme 2>/dev/null && fail "rmdir of a tenant owning a VM succeeded"
check_grep "owns VM render01" tenants/acme/error
pass "VM handed to acme; rmdir EBUSY"

say "a VM holding vGPUs cannot change owner"
make_group t4 T4-2Q $T4_GPUS
mkdir vms/cad-ws02/devices/gpu0
echo t4 >vms/cad-ws02/devices/gpu0/group
put_refused "$EBUSY" vms/cad-ws02/tenant acme
check_grep "holds vGPUs" vms/cad-ws02/error
echo "" >vms/cad-ws02/devices/gpu0/group
put vms/cad-ws02/tenant acme
check_eq "tenants/acme/vms" "cad-ws02 render01" "$(ls tenants/acme/vms | xargs)"
pass "EBUSY while the VM holds vGPUs"

say "a restart keeps tenants, admins and owners"
restart_vgpufs
check_eq "ls tenants" acme "$(ls tenants)"
check_val tenants/acme/description "ACME Corp VDI"
check_val tenants/acme/admin_uid "$(id -u nobody)"
check_val vms/render01/tenant acme
check_eq "tenants/acme/vms" "cad-ws02 render01" "$(ls tenants/acme/vms | xargs)"
pass "persisted"

say "once it owns nothing, rmdir works"
put vms/render01/tenant ""
put vms/cad-ws02/tenant ""
check_eq "tenants/acme/vms" "" "$(ls tenants/acme/vms)"
rmdir tenants/acme
check_eq "ls tenants" "" "$(ls tenants)"
check_grep "tenants/acme deleted" events
pass "rmdir"
stop_vgpufs
