#!/bin/bash
# The README's workflows (the ```sh blocks after "<!-- test: driver-workflow -->",
# "<!-- test: groups-workflow -->", "<!-- test: vm-workflow -->" and
# "<!-- test: tenant-workflow -->") run as written against demo.host and demo-vms.xml,
# with the bundles the first one copies in ~/Downloads.  The tenant's admin, the user
# "tenant-admin" in the README, is a user made for this run (a name of its own, so that
# parallel runs do not meet), deleted at exit.
. "$(dirname "$0")/lib.sh"

readme=$SRC_DIR/README.md
[ -f "$readme" ] || fail "$readme does not exist: it must hold the workflows"

# extract NAME OUT: the README's block for NAME (tools/readme-block.sh).
extract() {
	"$SRC_DIR/tools/readme-block.sh" "$1" "$readme" >"$2" ||
		fail "README.md has no \`\`\`sh block after '<!-- test: $1 -->'"
	[ -s "$2" ] || fail "the $1 block in README.md is empty"
	say "$1: $(wc -l <"$2") lines"
}

# The README's tenant admin, "tenant-admin", stands for this user.
TENANT_ADMIN=v114-$$-admin

# drop_tenant_admin STATUS (a CLEANUP_HOOKS of lib.sh's EXIT trap, pass or fail)
drop_tenant_admin() {
	for _ in $(seq 50); do
		id "$TENANT_ADMIN" >/dev/null 2>&1 || break
		userdel "$TENANT_ADMIN" 2>/dev/null && break
		sleep 0.2 # another test's useradd holds the lock of /etc/passwd
	done
	getent group "$TENANT_ADMIN" >/dev/null && groupdel "$TENANT_ADMIN" 2>/dev/null
	return 0
}
CLEANUP_HOOKS="$CLEANUP_HOOKS drop_tenant_admin"

# run MARKER: runs its block with set -e in the mount, as the README says (with this
# run's user for "tenant-admin").
run() {
	local rc=0
	extract "$1" "$TMP/$1.sh"
	sed -i "s/\btenant-admin\b/$TENANT_ADMIN/g" "$TMP/$1.sh"
	(cd "$MNT" && HOME=$TMP/home MNT=$MNT bash -e "$TMP/$1.sh") >"$TMP/$1.log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$TMP/$1.log" >&2
		fail "the README's $1 failed (status $rc)"
	fi
	sed 's/^/  | /' "$TMP/$1.log"
	pass "README $1 ran with status 0"
}

start_sim demo.host
start_vgpufs --libvirt "test://$SRC_DIR/tools/hosts/demo-vms.xml"
mkdir -p "$TMP/home/Downloads"
cp "$(bundle "$BUNDLE_535")" "$(bundle "$BUNDLE_550")" "$TMP/home/Downloads/"
run driver-workflow
check_eq "the guest ISO render01 attaches" "$TMP/state/media/nvidia-guest-550.54.15-551.78.iso" \
	"$(sed -n "s/.*<source file='\([^']*\.iso\)'.*/\1/p" "$MNT/vms/render01/definition")"
run groups-workflow
run vm-workflow
check_eq "cad-ws01's device after the restart" attached "$(cat "$MNT/vms/cad-ws01/devices/gpu0/status")"
check_eq "vGPUs left in the sim (render01's and cad-ws01's)" 2 "$(ls "$SIM/bus/mdev/devices" | wc -l)"
check_eq "cad-ws02's device is gone" "" "$(ls "$MNT/vms/cad-ws02/devices")"

# tenant_workflow: the README's tenant block, with a user made for it.
tenant_workflow() {
	local err=
	say "the tenant workflow, with $TENANT_ADMIN as the tenant's admin"
	for _ in $(seq 50); do
		err=$(useradd -M -U -d /nonexistent -s /usr/sbin/nologin "$TENANT_ADMIN" 2>&1) && break
		sleep 0.2 # another test's useradd holds the lock of /etc/passwd
	done
	id "$TENANT_ADMIN" >/dev/null 2>&1 || fail "useradd $TENANT_ADMIN: $err"
	chmod 0711 "$TMP" # the tenant's admin must reach the mount point
	run tenant-workflow
	check_eq "ml-train01's tenant" acme "$(cat "$MNT/vms/ml-train01/tenant")"
	check_eq "tenants/acme/admin_uid" "$(id -u "$TENANT_ADMIN")" "$(cat "$MNT/tenants/acme/admin_uid")"
	check_eq "ml-train01's device after the tenant's restart" attached \
		"$(cat "$MNT/vms/ml-train01/devices/gpu0/status")"
	check_eq "groups/a16/vgpus_reserved" 2 "$(cat "$MNT/groups/a16/vgpus_reserved")"
	check_eq "tenants/acme/shares/cad/vgpus_used" 1 "$(cat "$MNT/tenants/acme/shares/cad/vgpus_used")"
	check_eq "vGPUs left in the sim (render01's, cad-ws01's, ml-train01's)" 3 \
		"$(ls "$SIM/bus/mdev/devices" | wc -l)"
	grep -q "Permission denied" "$TMP/tenant-workflow.log" ||
		fail "the tenant's admin could read groups/a16/profile"
}
if [ "$(id -u)" = 0 ]; then
	tenant_workflow
else
	say "skipped: the tenant workflow (it makes a user: root only)"
fi

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
