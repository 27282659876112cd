#!/bin/bash
# Tools that replace a file atomically (sed -i, vim, Python's temp file +
# os.replace) work on attributes; their scratch files live only until renamed
# or removed, and other new names are refused.
. "$(dirname "$0")/lib.sh"
need sed vim python3

start_sim demo.host
start_vgpufs
cd "$MNT"
mkdir groups/g groups/g/rules/r
upload_bundle "$BUNDLE_550" # make_guest_iso needs a driver with guest files
put groups/g/driver 550.54.16
attrs=$(ls groups/g)
put groups/g/description "alpha beta"

# no_scratch DIR: DIR lists only its attributes, nothing left behind
no_scratch() {
	check_eq "ls -A $1" "$2" "$(ls -A "$1")"
}

say "sed -i"
sed -i 's/alpha/gamma/' groups/g/description
check_val groups/g/description "gamma beta"
sed -i 's/depth/breadth/' groups/g/policy
check_val groups/g/policy breadth-first
sed -i 's/^$/0000:4[12]:*/' groups/g/rules/r/slot
check_val groups/g/rules/r/slot '0000:4[12]:*'
no_scratch groups/g "$attrs"
check_grep "^$EVENT_TIME groups/g/description = gamma beta\$" events
pass "sed -i"

say "sed -i with a value the attribute refuses: sed fails, nothing changes, no scratch left"
if sed -i 's/breadth-first/sideways/' groups/g/policy 2>/dev/null; then
	fail "sed -i put 'sideways' into policy"
fi
check_val groups/g/policy breadth-first
check_grep policy groups/g/error
# (sed removes its sedXXXXXX file when the rename fails)
no_scratch groups/g "$attrs"
pass "sed -i refused"

say "vim -es (backup file, 4913 probe, swap file by default)"
vim -u NONE -N -es -c '%s/gamma/delta/' -c wq groups/g/description </dev/null ||
	fail "vim exited with status $?"
check_val groups/g/description "delta beta"
vim -es -c '%s/delta/epsilon/' -c wq groups/g/description </dev/null ||
	fail "vim (default settings) exited with status $?"
check_val groups/g/description "epsilon beta"
vim -u NONE -N -es -c 'set backup writebackup backupcopy=no' -c '%s/epsilon/zeta/' -c wq \
	groups/g/description </dev/null || fail "vim backupcopy=no exited with status $?"
check_val groups/g/description "zeta beta"
no_scratch groups/g "$attrs"
pass "vim"

say "Python: NamedTemporaryFile(dir=..., delete=False) + os.replace"
python3 - groups/g <<'PY' || fail "python replace failed"
import os, sys, tempfile
d = sys.argv[1]
with tempfile.NamedTemporaryFile("w", dir=d, delete=False) as f:
    f.write("from python\n")
assert os.path.basename(f.name) in os.listdir(d), "temp file not listed"
os.replace(f.name, os.path.join(d, "description"))
with tempfile.NamedTemporaryFile("w", dir=d, delete=False, prefix=".tmp") as f:
    f.write("YES")
os.replace(f.name, os.path.join(d, "make_guest_iso"))
PY
check_val groups/g/description "from python"
check_val groups/g/make_guest_iso 1
no_scratch groups/g "$attrs"
pass "python"

say "scratch names are allowed and listed while they live; rm removes them"
for n in .hidden x~ .x.swp 4913 sedAbC123 tmpq1w2e3 .ansible_tmpXYZ; do
	echo "scratch $n" >"groups/g/$n" || fail "creating scratch file $n failed"
	check_val "groups/g/$n" "scratch $n"
	ls -A groups/g | grep -qxF -- "$n" || fail "$n not listed"
	rm "groups/g/$n"
	[ ! -e "groups/g/$n" ] || fail "$n still exists after rm"
done
touch groups/g/rules/r/.in-rule~
rm groups/g/rules/r/.in-rule~
echo hostwide >host/.tmp-host
mv host/.tmp-host host/maintenance 2>/dev/null && fail "renaming 'hostwide' over maintenance succeeded"
rm -f host/.tmp-host
no_scratch groups/g "$attrs"
pass "scratch files"

say "other new names are refused, on create (ENOENT) and on rename"
for n in notes.txt description.bak DESCRIPTION x; do
	expect_fail_errno "$ENOENT" touch "groups/g/$n"
done
echo "abc" >groups/g/.scratch
expect_fail_errno "$ENOENT|$EPERM|$EINVAL" mv groups/g/.scratch groups/g/notes
rm groups/g/.scratch
no_scratch groups/g "$attrs"
pass "other names refused"

say "scratch files are memory only: gone after a restart; the replaced values stay"
echo left >groups/g/.leftover
restart_vgpufs
no_scratch groups/g "$attrs"
check_val groups/g/description "from python"
check_val groups/g/policy breadth-first
pass "restart"
