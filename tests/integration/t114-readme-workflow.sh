#!/bin/bash
# The README's resource-group workflow (the ```sh block after the line
# "<!-- test: groups-workflow -->") runs as written against demo.host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/groups-lib.sh"

readme=$SRC_DIR/README.md
marker='<!-- test: groups-workflow -->'
[ -f "$readme" ] || fail "$readme does not exist: it must hold the workflow after '$marker'"
grep -qxF -- "$marker" "$readme" || fail "README.md has no line '$marker' before a \`\`\`sh block"

# The first fenced block after the marker, which must be a ```sh block.
awk -v marker="$marker" '
	$0 == marker { found = 1; next }
	found == 1 && /^[[:space:]]*$/ { next }
	found == 1 { if ($0 !~ /^```sh[[:space:]]*$/) { print "no ```sh block after the marker" > "/dev/stderr"; exit 2 }
		found = 2; next }
	found == 2 && /^```[[:space:]]*$/ { found = 3; exit }
	found == 2 { print }
	END { if (found == 2) { print "unterminated ```sh block" > "/dev/stderr"; exit 2 } }
' "$readme" >"$TMP/workflow.sh" || fail "cannot extract the groups-workflow block from README.md"
[ -s "$TMP/workflow.sh" ] || fail "the groups-workflow block in README.md is empty"
say "workflow: $(wc -l <"$TMP/workflow.sh") lines"

start_sim demo.host
start_vgpufs

say "run it with set -e in the mount"
rc=0
(cd "$MNT" && MNT=$MNT bash -e "$TMP/workflow.sh") >"$TMP/workflow.log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	cat "$TMP/workflow.log" >&2
	fail "the README workflow failed (status $rc)"
fi
sed 's/^/  | /' "$TMP/workflow.log"
pass "README workflow ran with status 0"

say "what it did survives a restart"
ls "$MNT/groups" >"$TMP/groups-before"
[ -s "$TMP/groups-before" ] || fail "the README workflow made no group"
for g in $(cat "$TMP/groups-before"); do
	cat "$MNT/groups/$g"/{description,driver,profile,status,gpus} >>"$TMP/before"
done
restart_vgpufs
ls "$MNT/groups" >"$TMP/groups-after"
check_file_eq "groups after restart" "$TMP/groups-before" "$TMP/groups-after"
for g in $(cat "$TMP/groups-after"); do
	cat "$MNT/groups/$g"/{description,driver,profile,status,gpus} >>"$TMP/after"
done
check_file_eq "group values after restart" "$TMP/before" "$TMP/after"
pass "persisted"
