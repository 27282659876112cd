#!/bin/bash
# Options of an allocated device rewrite vgpu_params while its VM is off; on
# a running VM, changing options or removing vGPUs is EBUSY with a message,
# and adding vGPUs is allowed (restart-required).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

make_group t4 T4-2Q $T4_GPUS
make_group a16 A16-2Q 0000:43:00.0

say "stopped VM: each option change rewrites vgpu_params of its vGPUs"
dev=vms/cad-ws02/devices/gpu0
mkdir $dev
echo 2 >$dev/count
echo t4 >$dev/group
uuids=$(dev_vgpus cad-ws02 gpu0)
check_vgpus cad-ws02 gpu0 sim_params=
echo 20 >$dev/frame_rate_limit
check_vgpus cad-ws02 gpu0 sim_params=frame_rate_limiter=20
echo 1 >$dev/disable_console_vnc
echo 1 >$dev/enable_cuda_debuggers
want="frame_rate_limiter=20, disable_vnc=1, enable_debugging=1"
check_vgpus cad-ws02 gpu0 sim_params="$want" params="$want"
echo 0 >$dev/frame_rate_limit
echo 0 >$dev/disable_console_vnc
check_vgpus cad-ws02 gpu0 sim_params=enable_debugging=1
check_eq "same vGPUs after option changes" "$uuids" "$(dev_vgpus cad-ws02 gpu0)"
check_val $dev/status allocated
pass "vgpu_params follow the options"

say "running VM: options, rmdir, lower count, group change give EBUSY"
run=vms/cad-ws01/devices/gpu0
mkdir $run
echo 2 >$run/count
echo 1 >$run/enable_unified_memory
echo t4 >$run/group
restart_vm cad-ws01 gpu0
before=$(sim_snapshot)
for o in frame_rate_limit disable_console_vnc enable_cuda_debuggers enable_cuda_profilers; do
	put_refused "$EBUSY" $run/$o 1
done
put_refused "$EBUSY" $run/enable_unified_memory 0
grep -q "VM is running" $run/error || fail "$run/error does not say the VM runs: $(cat $run/error)"
grep -Eq "$run: refused \(EBUSY\): VM is running" events || fail "no EBUSY line in events"
put_refused "$EBUSY" $run/count 1
put_refused "$EBUSY" $run/group ""
expect_fail_errno "$EBUSY" rmdir $run
[ -d $run ] || fail "rmdir of a running VM's device removed it"
check_eq "the simulator after the refusals" "$before" "$(sim_snapshot)"
check_vgpus cad-ws01 gpu0 sim_params=enable_uvm=1
check_val $run/status attached
put_refused "$EBUSY" $run/group a16
check_eq "the simulator after the refused group change" "$before" "$(sim_snapshot)"
pass "EBUSY, nothing changed"

say "running VM: raising count adds a vGPU and asks for a restart"
echo 3 >$run/count
check_val $run/status restart-required
check_val vms/cad-ws01/restart_required 1
check_eq "vGPUs of the device" 3 "$(dev_vgpus cad-ws01 gpu0 | wc -l)"
check_eq "hostdevs in the definition" "$(dev_vgpus cad-ws01 gpu0)" "$(def_mdevs cad-ws01)"
check_vgpus cad-ws01 gpu0 sim_params=enable_uvm=1
restart_vm cad-ws01 gpu0
pass "restart-required, then attached"
