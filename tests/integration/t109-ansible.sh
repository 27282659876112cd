#!/bin/bash
# Ansible's copy module (no unsafe_writes) sets attributes, with content= and
# with src=, and a second run with the same content reports no change.
. "$(dirname "$0")/lib.sh"
need ansible

start_sim demo.host
start_vgpufs
mkdir "$MNT/groups/g"
attrs=$(ls -A "$MNT/groups/g")
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False
export ANSIBLE_NOCOLOR=1 LC_ALL=C.UTF-8
export HOME=$TMP/home ANSIBLE_LOCAL_TEMP=$TMP/ansible-local ANSIBLE_REMOTE_TEMP=$TMP/ansible-remote

# copy ARGS: run the copy module on localhost, which must succeed;
# CHANGED is then what it reported: true or false.
copy() {
	local out
	out=$(ansible localhost -c local -m copy -a "$1" 2>&1) ||
		fail "ansible copy -a \"$1\" failed: $(tail -n 30 <<<"$out")"
	CHANGED=$(sed -n 's/.*"changed": *\(true\|false\).*/\1/p' <<<"$out" | head -n 1)
}

say "content= sets the description; the second run is not a change"
copy "content='set by ansible\n' dest=$MNT/groups/g/description"
check_eq "first run changed" true "$CHANGED"
check_val "$MNT/groups/g/description" "set by ansible"
copy "content='set by ansible\n' dest=$MNT/groups/g/description"
check_eq "second run changed" false "$CHANGED"
check_val "$MNT/groups/g/description" "set by ansible"
pass "content="

say "src= copies a local file"
printf 'breadth-first\n' >"$TMP/policy"
copy "src=$TMP/policy dest=$MNT/groups/g/policy"
check_eq "src= run changed" true "$CHANGED"
check_val "$MNT/groups/g/policy" breadth-first
copy "src=$TMP/policy dest=$MNT/groups/g/policy"
check_eq "src= second run changed" false "$CHANGED"
pass "src="

say "a value the attribute refuses makes Ansible fail, and nothing changes"
if ansible localhost -c local -m copy -a "content='sideways\n' dest=$MNT/groups/g/policy" >"$TMP/ansible-bad.out" 2>&1; then
	fail "ansible copy of 'sideways' into policy succeeded"
fi
check_val "$MNT/groups/g/policy" breadth-first
check_grep policy "$MNT/groups/g/error"
pass "refused"

say "Ansible leaves no scratch file behind; the values survive a restart"
check_eq "ls -A groups/g" "$attrs" "$(ls -A "$MNT/groups/g")"
restart_vgpufs
check_val "$MNT/groups/g/description" "set by ansible"
check_val "$MNT/groups/g/policy" breadth-first
pass "restart"
