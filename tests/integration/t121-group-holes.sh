#!/bin/bash
# Group rules and profiles cannot strand vGPUs: while a device holds vGPUs of
# a group, its GPUs stay in the group (gpus/<bdf>/group "", rmdir of a rule,
# a narrowed filter, a second group's rule) and its profile stays; a GPU that
# lacks the group's profile cannot join it; a refused gpus/<bdf>/group
# changes nothing; status puts degraded first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

# groups_snapshot: every value under groups/ and gpus/*/group, errors aside.
groups_snapshot() {
	grep -r --exclude=error . groups 2>/dev/null | sort
	for g in gpus/*; do printf '%s %s\n' "$g" "$(cat "$g/group")"; done
}

# refused_unchanged ERRNO WHAT COMMAND...: COMMAND fails with ERRNO, and
# neither the groups nor the host changed.
refused_unchanged() {
	local want=$1 what=$2 before host
	shift 2
	before=$(groups_snapshot)
	host=$(sim_snapshot)
	expect_fail_errno "$want" "$@"
	check_eq "groups/ after the refused $what" "$before" "$(groups_snapshot)"
	check_eq "the host after the refused $what" "$host" "$(sim_snapshot)"
}

A16_1=${A16_GPUS%% *}

say "a T4 cannot join an A16-4Q group (EINVAL), an A16 can"
make_group a16 A16-4Q $A16_1
refused_unchanged "$EINVAL" "T4 join" bash -c "echo a16 > gpus/${T4_GPUS%% *}/group"
grep -q "does not offer profile A16-4Q" groups/../gpus/${T4_GPUS%% *}/error ||
	fail "gpus/${T4_GPUS%% *}/error: $(cat gpus/${T4_GPUS%% *}/error)"
check_val gpus/${T4_GPUS%% *}/group ""
pass "refused with the reason"

say "a refused gpus/<bdf>/group \"\" (another rule still matches) keeps the GPU's own rule"
mkdir groups/wide
put groups/wide/driver "$(cat host/driver_version)"
mkdir groups/wide/rules/all           # matches every GPU: A16_1 is now in conflict
put groups/wide/rules/all/slot "$A16_1"
check_val gpus/$A16_1/group ""
refused_unchanged "$EBUSY" "unassign" bash -c "echo > gpus/$A16_1/group"
[ -d "groups/a16/rules/pci-${A16_1//:/-}" ] || fail "the GPU's own rule was deleted by a refused write"
rmdir groups/wide/rules/all
rmdir groups/wide
check_val gpus/$A16_1/group a16
pass "nothing changed"

say "status: degraded comes before no-driver (a filter matching a GPU that lacks the profile)"
mkdir groups/lack
mkdir groups/lack/rules/a
put groups/lack/rules/a/slot "${A16_GPUS##* }"
put groups/lack/profile A16-4Q
put groups/lack/rules/a/slot "${T4_GPUS##* }"     # a filter may still match a T4
check_val groups/lack/driver ""
check_val groups/lack/status degraded
grep -q "does not offer profile A16-4Q" groups/lack/error || fail "groups/lack/error: $(cat groups/lack/error)"
rmdir groups/lack/rules/a
rmdir groups/lack
pass "degraded, with the GPU named"

say "a device holds two vGPUs of a16"
mkdir vms/cad-ws02/devices/gpu0
put vms/cad-ws02/devices/gpu0/count 2
put vms/cad-ws02/devices/gpu0/group a16
check_val groups/a16/vgpus_used 2
rule=pci-${A16_1//:/-}

say "profile \"\" and another profile: EBUSY naming the device"
put_refused "$EBUSY" groups/a16/profile ""
grep -q "vms/cad-ws02/devices/gpu0" groups/a16/error || fail "groups/a16/error: $(cat groups/a16/error)"
refused_unchanged "$EBUSY" "profile change" bash -c "echo A16-2Q > groups/a16/profile"
check_val groups/a16/vgpus_used 2
pass "profile kept"

say "the GPU cannot leave the group in any of four ways"
refused_unchanged "$EBUSY" "gpus/<bdf>/group \"\"" bash -c "echo > gpus/$A16_1/group"
grep -q "vms/cad-ws02/devices/gpu0" gpus/$A16_1/error || fail "gpus/$A16_1/error: $(cat gpus/$A16_1/error)"
refused_unchanged "$EBUSY" "rmdir of the rule" rmdir "groups/a16/rules/$rule"
grep -q "vms/cad-ws02/devices/gpu0" "groups/a16/rules/$rule/error" ||
	fail "rule error: $(cat "groups/a16/rules/$rule/error")"
refused_unchanged "$EBUSY" "slot narrowed away" bash -c "echo ${T4_GPUS%% *} > groups/a16/rules/$rule/slot"
refused_unchanged "$EBUSY" "rule disabled" bash -c "echo 0 > groups/a16/rules/$rule/enabled"
refused_unchanged "$EBUSY" "vendor changed" bash -c "echo 0x1002 > groups/a16/rules/$rule/vendor"
refused_unchanged "$EBUSY" "node changed" bash -c "echo elsewhere > groups/a16/rules/$rule/node"
echo 0x10de >"groups/a16/rules/$rule/vendor" || fail "a filter edit that keeps the GPU was refused"
pass "rule edits that strand vGPUs refused; one that keeps them accepted"

say "a second group's new rule (matches all) starts disabled, and cannot be enabled"
mkdir groups/other
mkdir groups/other/rules/r
check_val groups/other/rules/r/enabled 0
grep -q "groups/other/rules/r created.*disabled" events || fail "no 'created … disabled' event: $(tail -n 3 events)"
check_val gpus/$A16_1/group a16
refused_unchanged "$EBUSY" "enabling a rule that conflicts" bash -c "echo 1 > groups/other/rules/r/enabled"
put groups/other/rules/r/slot "${T4_GPUS%% *}"
put groups/other/rules/r/enabled 1
check_val gpus/${T4_GPUS%% *}/group other
check_val gpus/$A16_1/group a16
check_val groups/a16/vgpus_used 2
pass "narrowed, then enabled"

say "once the device lets go, everything is allowed"
rmdir vms/cad-ws02/devices/gpu0
put groups/a16/profile ""
put gpus/$A16_1/group ""
check_val gpus/$A16_1/group ""
pass "freed"
