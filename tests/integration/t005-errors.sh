#!/bin/bash
# Unknown paths are ENOENT; read-only files and directories refuse changes.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

DENIED="$EACCES|$EPERM"
bdf=$(ls "$MNT/gpus" | sed -n 1p)
profile=$(ls "$MNT/gpus/$bdf/types" | sed -n 1p)

say "unknown paths give ENOENT to cat, ls and stat"
expect_fail_errno "$ENOENT" cat "$MNT/nonexistent"
expect_fail_errno "$ENOENT" ls "$MNT/gpus/0000:ff:00.0"
expect_fail_errno "$ENOENT" cat "$MNT/gpus/0000:ff:00.0/vendor"
expect_fail_errno "$ENOENT" cat "$MNT/gpus/$bdf/descriptoin"
expect_fail_errno "$ENOENT" ls "$MNT/gpus/$bdf/types/NOPE-1Q"
expect_fail_errno "$ENOENT" cat "$MNT/profiles/NOPE-1Q/available"
expect_fail_errno "$ENOENT" stat "$MNT/host/nothing"
pass "ENOENT"

ro_files=(
	README version host/name host/driver_version host/reboot_required
	gpus/$bdf/{name,vendor,device,subsystem_vendor,subsystem_device,class,numa_node,iommu_group,kernel_driver,mode,profile,vgpus_max,vgpus_used}
	gpus/$bdf/types/$profile/{type_id,name,framebuffer_mib,heads,frl,max_resolution,max_instances,available,series}
	profiles/$profile/{framebuffer_mib,series,heads,max_instances,max_resolution,frl,gpus,available}
)

say "read-only files are mode 0444"
for f in "${ro_files[@]}"; do
	check_eq "mode of $f" 444 "$(stat -c %a "$MNT/$f")"
done
pass "${#ro_files[@]} files are 0444"

say "writing a read-only file fails with EACCES or EPERM (even as root) and changes nothing"
for f in "${ro_files[@]}"; do
	before=$(cat "$MNT/$f")
	expect_fail_errno "$DENIED" sh -c 'echo 1 >"$1"' sh "$MNT/$f"
	expect_fail_errno "$DENIED" sh -c 'echo 1 >>"$1"' sh "$MNT/$f"
	check_eq "$f after refused writes" "$before" "$(cat "$MNT/$f")"
done
expect_fail_errno "$DENIED" truncate -s 0 "$MNT/gpus/$bdf/vendor"
pass "writes refused"

say "the read-only directories refuse mkdir, new files, rm, rmdir and mv"
for dir in gpus "gpus/$bdf" "gpus/$bdf/types" profiles "profiles/$profile"; do
	if mkdir "$MNT/$dir/new" 2>/dev/null; then fail "mkdir $dir/new succeeded"; fi
	[ ! -e "$MNT/$dir/new" ] || fail "$dir/new exists after a refused mkdir"
done
expect_fail_errno "$DENIED" mkdir "$MNT/gpus/0000:99:00.0"
if touch "$MNT/gpus/$bdf/newfile" 2>/dev/null; then fail "touch gpus/$bdf/newfile succeeded"; fi
if rm -f "$MNT/version" 2>/dev/null; then fail "rm version succeeded"; fi
if rmdir "$MNT/gpus/$bdf" 2>/dev/null; then fail "rmdir gpus/$bdf succeeded"; fi
if mv "$MNT/gpus/$bdf" "$MNT/gpus/0000:99:00.0" 2>/dev/null; then fail "mv of gpus/$bdf succeeded"; fi
[ -f "$MNT/version" ] && [ -d "$MNT/gpus/$bdf" ] || fail "something was deleted or moved"
[ ! -e "$MNT/gpus/$bdf/newfile" ] || fail "gpus/$bdf/newfile exists"
pass "directories unchanged"
