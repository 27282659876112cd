#!/bin/bash
# vgpufs mounts over a simulated host and shows the top of the tree.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

say "the top level holds README version host/ gpus/ profiles/ media/ media-info/ drivers/"
for entry in README version host gpus profiles media media-info drivers; do
	ls "$MNT" | grep -qx "$entry" || fail "ls $MNT lacks $entry: $(ls "$MNT" | tr '\n' ' ')"
done
for entry in README version; do
	[ -f "$MNT/$entry" ] || fail "$entry is not a regular file"
done
for entry in host gpus profiles media media-info drivers; do
	[ -d "$MNT/$entry" ] || fail "$entry is not a directory"
done
pass "top-level entries"

say "README explains the tree; version is one non-empty line"
[ -s "$MNT/README" ] || [ -n "$(cat "$MNT/README")" ] || fail "README is empty"
check_eq "lines in version" 1 "$(wc -l <"$MNT/version")"
[ -n "$(cat "$MNT/version")" ] || fail "version is empty"
pass "README and version: $(cat "$MNT/version")"

say "host/ holds name driver_version reboot_required pending_driver maintenance"
for entry in name driver_version reboot_required pending_driver maintenance; do
	[ -f "$MNT/host/$entry" ] || fail "host/$entry missing"
done
pass "host/ entries"
