#!/bin/bash
# A vGPU created or removed behind the daemon's back (vfio-sriov VF) shows within the
# host snapshot's bound (host_settles).
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

bdf=
for g in $(ls "$MNT/gpus"); do
	[ "$(sim_mode "$g")" = vfio-sriov ] && { bdf=$g; break; }
done
[ -n "$bdf" ] || fail "no vfio-sriov GPU on the simulated host"
check_eq "gpus/$bdf/mode" vfio-sriov "$(<"$MNT/gpus/$bdf/mode")"
mapfile -t vfs < <(sim_vfs "$bdf")
[ "${#vfs[@]}" -ge 2 ] || fail "$bdf has fewer than two VFs"
vf1=$SIM/bus/pci/devices/${vfs[0]}/nvidia
vf2=$SIM/bus/pci/devices/${vfs[1]}/nvidia

# A profile the GPU can hold at least twice: the first whose max_instances >= 2.
profile=
for t in "$MNT/gpus/$bdf/types"/*; do
	[ "$(<"$t/max_instances")" -ge 2 ] && [ "$(<"$t/available")" -ge 2 ] && { profile=${t##*/}; break; }
done
[ -n "$profile" ] || fail "no type of $bdf holds two vGPUs"
type_id=$(<"$MNT/gpus/$bdf/types/$profile/type_id")
grep -Eq "^$type_id +: .*[ ]$profile\$" "$vf1/creatable_vgpu_types" ||
	fail "VF ${vfs[0]} does not list $type_id : $profile: $(cat "$vf1/creatable_vgpu_types")"

tree_available "$bdf" >"$TMP/gpu-before"
tree_profiles_available >"$TMP/profiles-before"
check_eq "gpus/$bdf/profile with no vGPU" "" "$(<"$MNT/gpus/$bdf/profile")"
check_eq "gpus/$bdf/vgpus_used with no vGPU" 0 "$(<"$MNT/gpus/$bdf/vgpus_used")"

say "echo $type_id > current_vgpu_type of VF ${vfs[0]} ($profile)"
echo "$type_id" >"$vf1/current_vgpu_type"
check_eq "current_vgpu_type of ${vfs[0]}" "$type_id" "$(<"$vf1/current_vgpu_type")"
expect_after_create "$bdf" "$profile" 1
pass "one $profile: its available drops by one, other types read 0, profiles/ follows"

say "the same type on VF ${vfs[1]}"
echo "$type_id" >"$vf2/current_vgpu_type"
expect_after_create "$bdf" "$profile" 2
pass "two $profile"

say "echo 0 > current_vgpu_type removes them"
echo 0 >"$vf2/current_vgpu_type"
expect_after_create "$bdf" "$profile" 1
echo 0 >"$vf1/current_vgpu_type"
expect_restored "$bdf"
pass "removal restores every reading"
