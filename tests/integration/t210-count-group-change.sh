#!/bin/bash
# On a stopped VM, changing count adds or removes vGPUs, changing group moves
# them to the new group's GPUs and profile, and group "" frees them all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group t4 T4-2Q $T4_GPUS
make_group a16 A16-4Q $A16_GPUS
dev=vms/cad-ws02/devices/gpu0
mkdir $dev
echo 15 >$dev/frame_rate_limit
echo t4 >$dev/group
first=$(dev_vgpus cad-ws02 gpu0)

say "count 1 -> 3 keeps the first vGPU and adds two"
echo 3 >$dev/count
check_val $dev/status allocated
all=$(dev_vgpus cad-ws02 gpu0)
check_eq "vGPUs" 3 "$(wc -l <<<"$all")"
grep -qx "$first" <<<"$all" || fail "the first vGPU $first was replaced"
check_eq "mdevs in the simulator" "$all" "$(sim_mdevs)"
check_eq "hostdevs" "$all" "$(def_mdevs cad-ws02)"
check_vgpus cad-ws02 gpu0 sim_params=frame_rate_limiter=15
pass "count up"

say "count 3 -> 2 removes one"
echo 2 >$dev/count
two=$(dev_vgpus cad-ws02 gpu0)
check_eq "vGPUs" 2 "$(wc -l <<<"$two")"
check_eq "mdevs in the simulator" "$two" "$(sim_mdevs)"
check_eq "hostdevs" "$two" "$(def_mdevs cad-ws02)"
check_val groups/t4/vgpus_used 2
pass "count down"

say "group t4 -> a16 moves both vGPUs to A16-4Q"
echo a16 >$dev/group
check_val $dev/group a16
check_val $dev/status allocated
moved=$(dev_vgpus cad-ws02 gpu0)
check_eq "vGPUs" 2 "$(wc -l <<<"$moved")"
check_vgpus cad-ws02 gpu0 profile=A16-4Q sim_type="$(cat gpus/0000:43:00.0/types/A16-4Q/type_id)" \
	sim_params=frame_rate_limiter=15
for u in $moved; do
	case $(cat vgpus/$u/gpu) in 0000:4[3-6]:00.0) ;; *) fail "vgpus/$u/gpu is $(cat vgpus/$u/gpu), not an A16" ;; esac
done
check_eq "mdevs in the simulator" "$moved" "$(sim_mdevs)"
check_eq "hostdevs" "$moved" "$(def_mdevs cad-ws02)"
check_val groups/t4/vgpus_used 0
check_val groups/a16/vgpus_used 2
pass "moved"

say "group \"\" frees them all and the device stays, unassigned"
echo "" >$dev/group
check_val $dev/status unassigned
check_eq "vGPUs" "" "$(dev_vgpus cad-ws02 gpu0)"
check_eq "mdevs in the simulator" "" "$(sim_mdevs)"
check_eq "hostdevs" "" "$(def_mdevs cad-ws02)"
check_val $dev/count 2
check_val $dev/frame_rate_limit 15
pass "freed"
