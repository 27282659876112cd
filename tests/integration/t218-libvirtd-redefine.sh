#!/bin/bash
# A domain redefined by an admin without our hostdevs gets them back; the
# admin's own change stays.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need xmllint

libvirtd_up app01=55555555-0000-4000-8000-000000000001
cd "$MNT"

make_group t4 T4-2Q $T4_GPUS
make_group l40s L40S-4Q $L40S
mkdir vms/app01/devices/gpu0 vms/app01/devices/gpu1
echo 2 >vms/app01/devices/gpu0/count
echo t4 >vms/app01/devices/gpu0/group
echo l40s >vms/app01/devices/gpu1/group
mdevs=$(def_mdevs app01)
vfs=$(def_pci app01)
check_eq "mdev hostdevs" 2 "$(wc -l <<<"$mdevs")"
check_eq "pci hostdevs" 1 "$(wc -l <<<"$vfs")"

say "virsh define of the admin's own XML (more memory, no hostdevs)"
vm_xml app01 55555555-0000-4000-8000-000000000001 | sed 's|512|768|' >"$TMP/app01-admin.xml"
lv define "$TMP/app01-admin.xml" >/dev/null
has_hostdevs() {
	[ "$(lv dumpxml --inactive app01 | grep -c "<hostdev" || true)" = 3 ]
}
wait_until 5 "app01's hostdevs re-applied" has_hostdevs
check_eq "mdev hostdevs" "$mdevs" "$(def_mdevs app01)"
check_eq "pci hostdevs" "$vfs" "$(def_pci app01)"
check_eq "recorded vGPUs of gpu0" "$(dev_vgpus app01 gpu0)" "$(def_owned app01 gpu0)"
check_eq "the admin's memory" "786432" "$(xp "$(def app01)" "string(/domain/memory)")"
check_val vms/app01/devices/gpu0/status allocated
check_val vms/app01/devices/gpu1/status allocated
check_consistent
pass "hostdevs back, the admin's change kept"

say "an admin who removes only one hostdev gets it back too"
lv dumpxml --inactive app01 | python3 -c '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.stdin)
d = t.getroot().find("devices")
d.remove(d.findall("hostdev")[0])
t.write(sys.stdout, encoding="unicode")' >"$TMP/app01-minus-one.xml"
lv define "$TMP/app01-minus-one.xml" >/dev/null
wait_until 5 "app01's hostdev re-applied" has_hostdevs
check_eq "mdev hostdevs" "$mdevs" "$(def_mdevs app01)"
check_consistent
pass "one hostdev back"
