#!/bin/bash
# Placement: depth-first fills one GPU before the next, breadth-first spreads,
# and a GPU that hosts one profile is never used for another.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

# used: vgpus_used of the four A16, in address order.
used() {
	local b
	for b in $A16_GPUS; do cat gpus/$b/vgpus_used; done | xargs
}

make_group a16 A16-4Q $A16_GPUS
check_val groups/a16/policy depth-first
check_eq "A16-4Q max per GPU" 4 "$(cat gpus/0000:43:00.0/types/A16-4Q/max_instances)"

say "depth-first: 6 vGPUs fill the first A16, then go on the second"
mkdir vms/cad-ws02/devices/gpu0
echo 6 >vms/cad-ws02/devices/gpu0/count
echo a16 >vms/cad-ws02/devices/gpu0/group
check_eq "vgpus_used of the A16" "4 2 0 0" "$(used)"
mkdir vms/render01/devices/gpu0
echo a16 >vms/render01/devices/gpu0/group
check_eq "vgpus_used after one more (the fullest GPU with room)" "4 3 0 0" "$(used)"
pass "depth-first packs"

say "breadth-first: each vGPU goes to the GPU with the fewest"
echo breadth-first >groups/a16/policy
mkdir vms/vdi-pool01/devices/gpu0
echo 3 >vms/vdi-pool01/devices/gpu0/count
echo a16 >vms/vdi-pool01/devices/gpu0/group
u=$(used)
check_eq "vgpus_used of the first two A16" "4 3" "$(cut -d' ' -f1,2 <<<"$u")"
case $(cut -d' ' -f3,4 <<<"$u") in "2 1" | "1 2") ;; *) fail "breadth-first: vgpus_used of the A16 read '$u'; expected 4 3 and 2+1 on the empty two" ;; esac
for d in cad-ws02 render01 vdi-pool01; do
	check_val vms/$d/devices/gpu0/status allocated
done
check_eq "mdevs in the simulator" 10 "$(sim_mdevs | wc -l)"
pass "breadth-first spreads"

say "one profile per GPU: an A16 that hosts A16-4Q is not used for A16-2Q"
rmdir vms/vdi-pool01/devices/gpu0
rmdir vms/render01/devices/gpu0
check_eq "vgpus_used after two detaches" "4 2 0 0" "$(used)"
# The second A16 cannot leave a16 while cad-ws02's vGPUs are on it (EBUSY): put
# them all on the first, and two A16-4Q made behind our back on the second.
put_refused "$EBUSY" gpus/0000:44:00.0/group ""
rmdir vms/cad-ws02/devices/gpu0
echo depth-first >groups/a16/policy
mkdir vms/cad-ws02/devices/gpu0
echo 4 >vms/cad-ws02/devices/gpu0/count
echo a16 >vms/cad-ws02/devices/gpu0/group
type=$(cat gpus/0000:44:00.0/types/A16-4Q/type_id)
new_uuid >"$SIM/class/mdev_bus/0000:44:00.0/mdev_supported_types/$type/create"
new_uuid >"$SIM/class/mdev_bus/0000:44:00.0/mdev_supported_types/$type/create"
host_settles
check_eq "vgpus_used" "4 2 0 0" "$(used)"
# Take the second A16 (two A16-4Q on it) and the third into a group for A16-2Q.
echo "" >gpus/0000:44:00.0/group
echo "" >gpus/0000:45:00.0/group
make_group two A16-2Q 0000:44:00.0 0000:45:00.0
check_val groups/two/vgpus_free 8
mkdir vms/render01/devices/gpu0
echo 3 >vms/render01/devices/gpu0/count
echo two >vms/render01/devices/gpu0/group
check_eq "vgpus_used (depth-first would pick the busier A16 if it could)" "4 2 3 0" "$(used)"
check_vgpus render01 gpu0 gpu=0000:45:00.0 profile=A16-2Q
pass "the A16-2Q went to the A16 without A16-4Q"

say "one profile per GPU, also against a vGPU made behind our back"
check_eq "groups/a16/gpus" "0000:43:00.0 0000:46:00.0" "$(echo $(cat groups/a16/gpus))"
check_val groups/a16/vgpus_free 4
type=$(cat gpus/0000:46:00.0/types/A16-2Q/type_id)
# Made behind our back: the daemon may still read 4 free for up to 100 ms, and place
# on the GPU; the kernel's refusal has the last word (the GPU is read again).
new_uuid >"$SIM/class/mdev_bus/0000:46:00.0/mdev_supported_types/$type/create"
before=$(sim_snapshot)
mkdir vms/vdi-pool01/devices/gpu0
put_refused "$ENOSPC" vms/vdi-pool01/devices/gpu0/group a16
check_eq "the simulator after the refusal" "$before" "$(sim_snapshot)"
check_val groups/a16/vgpus_free 0
check_val vms/vdi-pool01/devices/gpu0/status unassigned
pass "no A16-4Q next to an A16-2Q made in the simulator"
