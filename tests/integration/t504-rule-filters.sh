#!/bin/bash
# Rules filter on the GPU's name and the vGPU type ids it offers, each with
# an operator (equals, begins-with, contains, regex), and on whether the GPU
# makes its vGPUs on itself (physical) or on SR-IOV VFs (virtual).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"
all=$(ls gpus)
mkdir groups/g groups/g/rules/r
r=groups/g/rules/r

# gpus_of BUS...: the list file of those GPUs of demo.host (0000:BUS:00.0).
gpus_of() { printf '0000:%s:00.0\n' "$@"; }

# regerror PATTERN: what regcomp(3) says of PATTERN (REG_EXTENDED|REG_NOSUB),
# asked of the C library directly; "" when it compiles.
regerror() {
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None)
re, msg = ctypes.create_string_buffer(256), ctypes.create_string_buffer(256)
rc = libc.regcomp(re, sys.argv[1].encode(), 1 | 8)
if rc:
    libc.regerror(rc, re, msg, 256)
    print(msg.value.decode())
else:
    libc.regfree(re)' "$1"
}

say "a new rule filters on nothing more"
check_val $r/name ""
check_val $r/name_match equals
check_val $r/type_id ""
check_val $r/type_id_match equals
check_val $r/function any
check_list $r/gpus "$all"
for f in name name_match type_id type_id_match function; do
	check_eq "mode of $f" 644 "$(stat -c %a $r/$f)"
done
pass "defaults"

say "name, with each operator"
put $r/name "NVIDIA A16"
check_list $r/gpus "$(gpus_of 43 44 45 46)"
check_grep "^$EVENT_TIME $r/name = NVIDIA A16$" events
put $r/name "NVIDIA A4"
check_list $r/gpus ""
put $r/name_match begins-with
check_list $r/gpus "$(gpus_of 47)"
put $r/name "NVIDIA A"
check_list $r/gpus "$(gpus_of 43 44 45 46 47)"
put $r/name_match contains
put $r/name 40
check_list $r/gpus "$(gpus_of 47 48)"
put $r/name a16 # case counts
check_list $r/gpus ""
put $r/name_match regex
put $r/name '^NVIDIA (T4|L40S)$'
check_list $r/gpus "$(gpus_of 41 42 48)"
put $r/name 'A1[0-9]' # anywhere in the name, as grep -E
check_list $r/gpus "$(gpus_of 43 44 45 46)"
put $r/name ""
check_list $r/gpus "$all"
for v in Equals "" "begins with" like; do
	put_refused "$EINVAL" $r/name_match "$v"
done
check_grep 'name_match takes one of: equals begins-with contains regex' $r/error
pass "name"

say "type_id: the GPU offers a vGPU type whose id passes"
put $r/type_id nvidia-690
check_val $r/type_id_match equals
check_list $r/gpus "$(gpus_of 43 44 45 46)"
put $r/type_id_match begins-with
put $r/type_id 11
check_list $r/gpus "$(gpus_of 48)"
put $r/type_id_match contains
put $r/type_id -55
check_list $r/gpus "$(gpus_of 47)"
put $r/type_id_match regex
put $r/type_id '^nvidia-2[0-9]{2}$'
check_list $r/gpus "$(gpus_of 41 42)"
put $r/type_id '^[0-9]+$'
check_list $r/gpus "$(gpus_of 48)"
put $r/type_id ""
check_list $r/gpus "$all"
pass "type_id"

say "function: physical GPUs make vGPUs on themselves, virtual ones on SR-IOV VFs"
put $r/function physical
check_list $r/gpus "$(gpus_of 41 42 43 44 45 46)"
put $r/function virtual
check_list $r/gpus "$(gpus_of 47 48)"
for v in vf Physical "" pf; do
	put_refused "$EINVAL" $r/function "$v"
done
pass "function"

say "filters add up"
put $r/function any
put $r/name_match contains
put $r/name " A"
check_list $r/gpus "$(gpus_of 43 44 45 46 47)"
put $r/type_id_match begins-with
put $r/type_id nvidia-
check_list $r/gpus "$(gpus_of 43 44 45 46 47)"
put $r/function virtual
check_list $r/gpus "$(gpus_of 47)"
put $r/function physical
check_list $r/gpus "$(gpus_of 43 44 45 46)"
pass "and"

say "a regex that does not compile is EINVAL with regcomp's words; nothing changes"
# check_regex_error FILE PATTERN: the rule's error names FILE and PATTERN and
# says what regcomp says (messages escape a backslash as \\).
check_regex_error() {
	local want
	want=$(regerror "$2")
	[ -n "$want" ] || fail "regcomp compiles '$2'"
	want="$1 \"$2\" is not an extended regular expression: $want"
	check_eq "$r/error" "${want//\\/\\\\}" "$(cat $r/error)"
}
put $r/name_match equals
put $r/name "("
check_val $r/name "("
check_list $r/gpus ""
put_refused "$EINVAL" $r/name_match regex
check_val $r/name_match equals
check_regex_error name "("
check_grep "^$EVENT_TIME $r: refused \(EINVAL\): name \"\(\" is not an extended" events
put $r/name ""
put $r/type_id ""
put $r/function any
put $r/name_match regex
put $r/type_id_match regex
for v in '[' 'a{1' '\' 'a{2,1}' '*a'; do
	put_refused "$EINVAL" $r/name "$v"
	check_regex_error name "$v"
	put_refused "$EINVAL" $r/type_id "$v"
	check_regex_error type_id "$v"
done
check_val $r/name ""
check_val $r/type_id ""
pass "refused"

say "filters survive a restart"
put $r/name_match begins-with
put $r/name "NVIDIA A"
put $r/type_id_match contains
put $r/type_id nvidia-6
put $r/function physical
restart_vgpufs
check_val $r/name "NVIDIA A"
check_val $r/name_match begins-with
check_val $r/type_id nvidia-6
check_val $r/type_id_match contains
check_val $r/function physical
check_list $r/gpus "$(gpus_of 43 44 45 46)"
check_db
pass "persisted"

say "a filter edit that would take vGPUs out of their group is EBUSY"
put groups/g/driver "$(cat host/driver_version)"
put groups/g/profile A16-2Q
mkdir vms/cad-ws02/devices/gpu0
put vms/cad-ws02/devices/gpu0/count 2
put vms/cad-ws02/devices/gpu0/group g
check_vgpus cad-ws02 gpu0 profile=A16-2Q
put_refused "$EBUSY" $r/name "NVIDIA T4"
check_grep "would leave group g while vms/cad-ws02/devices/gpu0 holds vGPUs" $r/error
put_refused "$EBUSY" $r/name_match equals
put_refused "$EBUSY" $r/type_id_match equals
put_refused "$EBUSY" $r/function virtual
put_refused "$EBUSY" $r/type_id nvidia-7
put $r/type_id nvidia-69 # still the A16s
put $r/name_match regex
put $r/name '^NVIDIA A16$'
check_list $r/gpus "$(gpus_of 43 44 45 46)"
check_val groups/g/status ready
pass "EBUSY"
