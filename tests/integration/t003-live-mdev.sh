#!/bin/bash
# A vGPU created or removed behind the daemon's back (mdev) shows within the host
# snapshot's bound (host_settles).
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

# --- a plain mdev GPU (T4) ---
bdf=
for g in $(ls "$MNT/gpus"); do
	[ "$(sim_mode "$g")" = mdev ] && [ -z "$(sim_vfs "$g")" ] && { bdf=$g; break; }
done
[ -n "$bdf" ] || fail "no plain mdev GPU on the simulated host"
types=$SIM/class/mdev_bus/$bdf/mdev_supported_types
# A type that takes at least two instances, so both drops are visible.
type_id=
for t in "$types"/*; do
	[ "$(<"$t/available_instances")" -ge 2 ] && { type_id=${t##*/}; break; }
done
[ -n "$type_id" ] || fail "no type with two free instances on $bdf"
name=$(<"$types/$type_id/name")
profile=${name##* }

check_eq "gpus/$bdf/profile with no vGPU" "" "$(<"$MNT/gpus/$bdf/profile")"
check_eq "gpus/$bdf/vgpus_used with no vGPU" 0 "$(<"$MNT/gpus/$bdf/vgpus_used")"
tree_available "$bdf" >"$TMP/gpu-before"
tree_profiles_available >"$TMP/profiles-before"

say "create one $profile ($type_id) on $bdf in the simulator"
uuid1=$(new_uuid)
echo "$uuid1" >"$types/$type_id/create"
expect_after_create "$bdf" "$profile" 1
pass "one $profile on $bdf: its available drops by one, other types read 0, profiles/ follows"

say "create a second $profile on $bdf"
uuid2=$(new_uuid)
echo "$uuid2" >"$types/$type_id/create"
expect_after_create "$bdf" "$profile" 2
check_eq "gpus/$bdf/types/$profile/available vs the simulator" \
	"$(<"$types/$type_id/available_instances")" "$(<"$MNT/gpus/$bdf/types/$profile/available")"
pass "two $profile on $bdf"

say "remove both through /sys/bus/mdev/devices/<uuid>/remove"
echo 1 >"$SIM/bus/mdev/devices/$uuid2/remove"
expect_after_create "$bdf" "$profile" 1
echo 1 >"$SIM/bus/mdev/devices/$uuid1/remove"
expect_restored "$bdf"
pass "removal restores every reading"

# --- an SR-IOV GPU in mdev mode (A40): the vGPU lives on a VF ---
bdf=
for g in $(ls "$MNT/gpus"); do
	[ "$(sim_mode "$g")" = mdev ] && [ -n "$(sim_vfs "$g")" ] && { bdf=$g; break; }
done
[ -n "$bdf" ] || fail "no SR-IOV GPU in mdev mode on the simulated host"
vf=$(sim_mdev_parents "$bdf" | grep -vx "$bdf" | sed -n 1p)
types=$SIM/class/mdev_bus/$vf/mdev_supported_types
type_id=
for t in "$types"/*; do
	[ "$(<"$t/available_instances")" -ge 1 ] && { type_id=${t##*/}; break; }
done
[ -n "$type_id" ] || fail "no free type on VF $vf"
name=$(<"$types/$type_id/name")
profile=${name##* }
tree_available "$bdf" >"$TMP/gpu-before"
tree_profiles_available >"$TMP/profiles-before"

say "create one $profile on VF $vf of $bdf"
uuid=$(new_uuid)
echo "$uuid" >"$types/$type_id/create"
expect_after_create "$bdf" "$profile" 1
pass "one $profile on a VF counts against its GPU $bdf"

echo 1 >"$SIM/bus/mdev/devices/$uuid/remove"
expect_restored "$bdf"
pass "removal restores every reading"
