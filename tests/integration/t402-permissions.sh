#!/bin/bash
# Who may do what (docs/tree.md "Who may do what", "Tenants", "Conventions"): root, a
# tenant's admin by admin_uid (a1, tenant t1), a tenant's admin through a supplementary
# group that is its admin_gid (m2, tenant t2) and an ordinary user (o1) each try every
# operation (read, write, O_TRUNC, append, mkdir, rmdir, rename, sed -i, os.replace,
# unlink, symlink, chmod, chown, ls) on every kind of path, and each gets exactly the
# errno the matrix says: ENOENT for what is invisible to the caller, EACCES for what the
# mode bits or the provider's part of the tree refuse, EPERM for what no one may do.
# Scratch files are no way around the modes; listings are filtered per caller; nothing
# caller-dependent is cached (root looks first, then the tenant's admin); a tenant's
# part of the tree has the owners and modes the doc gives; events is 0440 for root and
# the admin group (--admin-group).  The users and groups are real accounts made for
# this run (names carry the PID, so that parallel runs do not meet), deleted at exit.
# The end of the log is the matrix: operation x path kind x user -> result.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need setpriv useradd userdel groupadd groupdel getent sed bsdtar stat
[ "$(id -u)" = 0 ] || { echo "skip: $TEST_NAME makes users: it must run as root"; exit 77; }
# the users' python: root's PATH may name interpreters under /root, which they cannot reach
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "skip: $TEST_NAME needs $PY"; exit 77; }

# --- accounts ---------------------------------------------------------------------

ID=v402-$$ # at most 7 digits: every name below is under 32 characters
GT2=$ID-t2adm # t2's admin_gid; m2 has it as a supplementary group
GADM=$ID-log  # --admin-group: may read events
declare -A USER_OF=([a1]=$ID-a1 [a2]=$ID-a2 [m2]=$ID-m2 [o1]=$ID-o1 [e1]=$ID-e1)
ACCOUNT_USERS=
ACCOUNT_GROUPS=

# account COMMAND...: useradd and groupadd fail while another process (a parallel
# test) holds the lock of /etc/passwd or /etc/group: try again.
account() {
	local err
	for _ in $(seq 50); do
		err=$("$@" 2>&1) && return 0
		sleep 0.2
	done
	fail "$*: $err"
}

# drop_accounts STATUS (a CLEANUP_HOOKS of lib.sh's EXIT trap, run pass or fail once
# the daemon is stopped): the users, their own groups, and the groups made here.
drop_accounts() {
	local u g
	for u in $ACCOUNT_USERS; do
		for _ in $(seq 50); do
			id "$u" >/dev/null 2>&1 || break
			userdel "$u" 2>/dev/null && break
			sleep 0.2
		done
		id "$u" >/dev/null 2>&1 && echo "warning: could not delete user $u" >&2
	done
	for g in $ACCOUNT_GROUPS; do
		for _ in $(seq 50); do
			getent group "$g" >/dev/null || break
			groupdel "$g" 2>/dev/null && break
			sleep 0.2
		done
		getent group "$g" >/dev/null && echo "warning: could not delete group $g" >&2
	done
	return 0
}
CLEANUP_HOOKS="$CLEANUP_HOOKS drop_accounts"

add_group() {
	ACCOUNT_GROUPS="$ACCOUNT_GROUPS $1"
	account groupadd "$1"
}

# add_user WHO [useradd options]: a user with a group of its own, no home, no login
add_user() {
	local u=${USER_OF[$1]}
	shift
	ACCOUNT_USERS="$ACCOUNT_USERS $u"
	ACCOUNT_GROUPS="$ACCOUNT_GROUPS $u"
	account useradd -M -U -d /nonexistent -s /usr/sbin/nologin "$@" "$u"
}

say "set-up: users a1, a2, m2 (in $GT2), o1, e1 (in $GADM)"
add_group "$GT2"
add_group "$GADM"
add_user a1
add_user a2
add_user m2 -G "$GT2"
add_user o1
add_user e1 -G "$GADM"
id "${USER_OF[m2]}" | grep -q "($GT2)" || fail "${USER_OF[m2]} is not in $GT2: $(id "${USER_OF[m2]}")"
# the users must reach the mount point (mktemp made $TMP 0700)
chmod 0711 "$TMP"

# --- running things as a user --------------------------------------------------

# What every case's shell has: py (op.py: the operations the shell cannot make or
# tell apart) and scratch_mv (a scratch file renamed over an attribute).
cat >"$TMP/op.py" <<'PY'
import errno, os, sys, tempfile

def main():
    op, path = sys.argv[1], sys.argv[2]
    if op == "trunc":      # open(O_WRONLY | O_TRUNC), no write
        os.close(os.open(path, os.O_WRONLY | os.O_TRUNC))
    elif op == "pywrite":  # open(path, "w"): O_WRONLY | O_CREAT | O_TRUNC, then a write
        with open(path, "w") as f:
            f.write(sys.argv[3] + "\n")
    elif op == "replace":  # a temp file (tmpXXXXXXXX) in DIR, then os.replace over path
        d = sys.argv[4] if len(sys.argv) > 4 else (os.path.dirname(path) or ".")
        with tempfile.NamedTemporaryFile("w", dir=d, delete=False) as f:
            f.write(sys.argv[3] + "\n")
        try:
            os.replace(f.name, path)
        except OSError:
            try:
                os.unlink(f.name)
            except OSError:
                pass
            raise
    else:
        sys.exit("op.py: no operation " + op)

try:
    main()
except OSError as e:
    print("op.py %s: %s [%s]" % (sys.argv[1], e.strerror, errno.errorcode.get(e.errno, e.errno)),
          file=sys.stderr)
    sys.exit(1)
PY
cat >"$TMP/pre.sh" <<EOF
py() { $PY "\$OPPY" "\$@"; }
# scratch_mv DIR TARGET VALUE: a scratch file in DIR holding VALUE, renamed over TARGET
scratch_mv() {
	local f=\$1/.tmp-\$WHO-\$\$ r=0
	printf '%s\n' "\$3" >"\$f" || return
	mv -T -- "\$f" "\$2" || r=\$?
	rm -f -- "\$f" 2>/dev/null
	return \$r
}
EOF
chmod 0644 "$TMP/op.py" "$TMP/pre.sh"

CASE_ENV=()
# as_user WHO COMMAND...: COMMAND as root, or as the user WHO stands for with its
# groups (setpriv --init-groups), in a clean environment with the case variables.
as_user() {
	local who=$1 u
	shift
	local envs=(PATH=/usr/local/bin:/usr/bin:/bin HOME=/ LC_ALL=C MNT="$MNT" PRE="$TMP/pre.sh"
		OPPY="$TMP/op.py" WHO="$who" CMD="${CMD-}" "${CASE_ENV[@]}")
	if [ "$who" = root ]; then
		env -i "${envs[@]}" "$@"
	else
		u=${USER_OF[$who]}
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups env -i "${envs[@]}" "$@"
	fi
}

# errno_of MESSAGE: the errno a failed command reported (op.py names it in brackets;
# the others say strerror).
errno_of() {
	if [[ $1 =~ \[(E[A-Z0-9]+)\] ]]; then
		echo "${BASH_REMATCH[1]}"
		return
	fi
	case $1 in
	*"No such file or directory"*) echo ENOENT ;;
	*"Permission denied"*) echo EACCES ;;
	*"Operation not permitted"*) echo EPERM ;;
	*"Invalid argument"*) echo EINVAL ;;
	*"Device or resource busy"*) echo EBUSY ;;
	*"No space left on device"*) echo ENOSPC ;;
	*"File exists"*) echo EEXIST ;;
	*"Directory not empty"*) echo ENOTEMPTY ;;
	*"Not a directory"*) echo ENOTDIR ;;
	*"Is a directory"*) echo EISDIR ;;
	*"Invalid cross-device link"*) echo EXDEV ;;
	*"Operation not supported"*) echo EOPNOTSUPP ;;
	*"No such device"*) echo ENODEV ;;
	*"Stale file handle"*) echo ESTALE ;;
	*) echo "?" ;;
	esac
}

# outcome WHO COMMAND: runs the shell COMMAND as WHO in the mount (with pre.sh);
# OUTCOME is OK or the errno name, OUT its stdout, ERR its stderr.
OUTCOME= OUT= ERR=
outcome() {
	local rc=0
	as_user "$1" bash -c 'cd "$MNT" || exit 99; . "$PRE"; eval "$CMD"' >"$TMP/case.out" 2>"$TMP/case.err" <<<"" || rc=$?
	OUT=$(tr -d '\0' <"$TMP/case.out")
	ERR=$(head -c 600 "$TMP/case.err" | tr -d '\0')
	if [ "$rc" = 0 ]; then OUTCOME=OK; else OUTCOME=$(errno_of "$ERR"); fi
}

# env_for WHO: the case variables.  Own objects (T V D U S SN SC) are t1's for root,
# a1 and o1 and t2's for m2; the other tenant's (TO VO DO UO SNO) the other way round.
env_for() {
	local t=t1 o=t2
	[ "$1" = m2 ] && t=t2 o=t1
	CASE_ENV=(B="$B" G="$G" H="$H" P=vms/cad-ws02 PD=vms/cad-ws02/devices/gpu0 UP="$UP"
		MF=media/guest.iso
		T=$t V="${VM_OF[$t]}" D="${DEV_OF[$t]}" U="${VG_OF[$t]}" SN=$t-share
		S="tenants/$t/nodes/$H/devices/$t-share" SC="${SC_OF[$t]}"
		TO=$o VO="${VM_OF[$o]}" DO="${DEV_OF[$o]}" UO="${VG_OF[$o]}" SNO=$o-share)
}

# --- recording the cases ---------------------------------------------------------

N_CASES=0
FAILS=()
ROW_KEYS=()
declare -A ROW_OP ROW_KIND RESULT WANT
USERS=(root a1 m2 o1)

# record OP KIND WHO WANT GOT WHAT: one case; a difference is kept for the end.
record() {
	local key="$1|$2"
	[ -n "${ROW_OP[$key]+x}" ] || { ROW_KEYS+=("$key"); ROW_OP[$key]=$1; ROW_KIND[$key]=$2; }
	RESULT[$key|$3]=$5
	WANT[$key|$3]=$4
	N_CASES=$((N_CASES + 1))
	[ "$4" = "$5" ] || FAILS+=("$3: $6: expected $4, got $5${ERR:+ ($ERR)}")
}

# try OP KIND WHO WANT COMMAND: run the case and record it.
try() {
	env_for "$3"
	CMD=$5 outcome "$3"
	record "$1" "$2" "$3" "$4" "$OUTCOME" "$5"
}

# cases: each line "op | path kind | command | root a1 m2 o1", each expectation OK, an
# errno name, or - (not run).  Within a line the users run a1, m2, o1, then root, so that
# root's mkdir and rmdir come after the others were refused.  The command runs in the
# mount with the case variables (env_for); it holds no '|'.
cases() {
	local op kind cmd exp line who i
	local -a want
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r op kind cmd exp <<<"$line"
		op=$(xargs <<<"$op")
		kind=$(sed 's/^ *//; s/ *$//' <<<"$kind")
		cmd=$(sed 's/^ *//; s/ *$//' <<<"$cmd")
		read -r -a want <<<"$exp"
		[ "${#want[@]}" = 4 ] || fail "case line without 4 expectations: $line"
		for i in 1 2 3 0; do
			who=${USERS[i]}
			[ "${want[i]}" = - ] && continue
			try "$op" "$kind" "$who" "${want[i]}" "$cmd"
		done
	done
}

# check_as WHAT WHO EXPECTED COMMAND: COMMAND's stdout as WHO must be EXPECTED (words).
check_as() {
	env_for "$2"
	CMD=$4 outcome "$2"
	local got
	got=$(xargs <<<"$OUT")
	[ "$OUTCOME" = OK ] || got="<$OUTCOME>"
	N_CASES=$((N_CASES + 1))
	[ "$got" = "$3" ] || FAILS+=("$2: $1 ($4): expected '$3', got '$got'${ERR:+ ($ERR)}")
	LISTINGS+=("$(printf '%-5s %-44s %s' "$2" "$1" "${got:-(nothing)}")")
}
LISTINGS=()

# check_mode PATH OWNER:GROUP MODE: stat as root.
check_mode() {
	local got
	got=$(stat -c '%U:%G %a' "$MNT/$1" 2>&1) || got="<$(errno_of "$got")>"
	N_CASES=$((N_CASES + 1))
	[ "$got" = "$2 $3" ] || FAILS+=("root: stat -c '%U:%G %a' $1: expected '$2 $3', got '$got'")
	MODES+=("$(printf '%-52s %s' "$1" "$got")")
}
MODES=()

# --- the tree -----------------------------------------------------------------

demo_up
cd "$MNT"

say "events and host/drift are 0440 from the start, for root and the admin group (default adm)"
ADM=adm
getent group adm >/dev/null || ADM=root
check_mode events "root:$ADM" 440
check_mode host/drift "root:$ADM" 440

say "set-up: group g1 (A16-4Q, two GPUs), tenants t1 (admin_uid a1) and t2 (admin_uid a2, admin_gid $GT2), their shares, render01 to t1, vdi-pool01 to t2, provider device on cad-ws02"
G=g1
B=0000:43:00.0
make_group "$G" A16-4Q "$B" 0000:44:00.0
H=$(cat host/name)
declare -A VM_OF=([t1]=vms/render01 [t2]=vms/vdi-pool01)
declare -A DEV_OF=([t1]=vms/render01/devices/d1 [t2]=vms/vdi-pool01/devices/d2)
declare -A SC_OF=([t1]=3 [t2]=2)
declare -A VG_OF=([t1]=none [t2]=none)
mkdir tenants/t1 tenants/t2
put tenants/t1/description "tenant one"
put tenants/t2/description "tenant two"
put tenants/t1/admin_uid "${USER_OF[a1]}"
put tenants/t2/admin_uid "${USER_OF[a2]}"
put tenants/t2/admin_gid "$GT2"
check_val tenants/t1/admin_uid "$(id -u "${USER_OF[a1]}")"
check_val tenants/t2/admin_gid "$(getent group "$GT2" | cut -d: -f3)"
for t in t1 t2; do
	s=tenants/$t/nodes/$H/devices/$t-share
	mkdir "$s" || fail "mkdir $s failed"
	put "$s/count" "${SC_OF[$t]}"
	put "$s/group" "$G"
done
check_val "groups/$G/vgpus_reserved" 5
put vms/render01/tenant t1
put vms/vdi-pool01/tenant t2
mkdir vms/cad-ws02/devices/gpu0
put vms/cad-ws02/devices/gpu0/group "$G"
UP=$(dev_vgpus cad-ws02 gpu0)
[ -n "$UP" ] || fail "cad-ws02's device has no vGPU"
upload_iso guest.iso
# the tenants' admins make their own devices, drawing from their shares
for who in a1 m2; do
	t=t1
	[ "$who" = m2 ] && t=t2
	CMD="mkdir ${DEV_OF[$t]} && echo $t-share >${DEV_OF[$t]}/group" outcome "$who"
	[ "$OUTCOME" = OK ] || fail "$who: mkdir ${DEV_OF[$t]} and its group = $t-share: $OUTCOME ($ERR)"
	VG_OF[$t]=$(ls "$MNT/${DEV_OF[$t]}/vgpus")
	[ "$(wc -w <<<"${VG_OF[$t]}")" = 1 ] || fail "${DEV_OF[$t]} has vGPUs '${VG_OF[$t]}', not one"
done
check_val vms/render01/devices/d1/status allocated
check_val vms/vdi-pool01/devices/d2/status allocated
check_val vgpus/"${VG_OF[t1]}"/tenant t1
U1=${VG_OF[t1]} U2=${VG_OF[t2]}
pass "set-up: vGPUs $UP (provider), $U1 (t1), $U2 (t2)"

say "the matrix: every operation on every kind of path, as root, a1, m2 and o1"
cases <<'EOF'
# op      | path kind                                   | command                                            | root   a1     m2     o1
# the catalogue: README, version, gpus/, profiles/ (everyone reads; root writes gpus/B/group)
read      | README                                      | cat README                                         | OK     OK     OK     OK
read      | version                                     | cat version                                        | OK     OK     OK     OK
write     | README                                      | echo x >README                                     | EACCES EACCES EACCES EACCES
O_TRUNC   | README                                      | py trunc README                                    | EACCES EACCES EACCES EACCES
append    | README                                      | echo x >>README                                    | EACCES EACCES EACCES EACCES
unlink    | README                                      | rm README                                          | EPERM  EACCES EACCES EACCES
rename    | README                                      | mv README README.txt                               | EPERM  EACCES EACCES EACCES
chmod     | README                                      | chmod 0644 README                                  | EPERM  EPERM  EPERM  EPERM
chown     | README                                      | chown 1 README                                     | EPERM  EPERM  EPERM  EPERM
symlink   | /                                           | ln -s README lnk                                   | EPERM  EACCES EACCES EACCES
scratch   | / (no writable file)                        | echo x >.tmp-$WHO                                  | EACCES EACCES EACCES EACCES
list      | /                                           | ls                                                 | OK     OK     OK     OK
read      | gpus/B/name                                 | cat gpus/$B/name                                   | OK     OK     OK     OK
write     | gpus/B/name                                 | echo x >gpus/$B/name                               | EACCES EACCES EACCES EACCES
O_TRUNC   | gpus/B/name                                 | py trunc gpus/$B/name                              | EACCES EACCES EACCES EACCES
unlink    | gpus/B/name                                 | rm gpus/$B/name                                    | EPERM  EACCES EACCES EACCES
rename    | gpus/B/name                                 | mv gpus/$B/name gpus/$B/name2                      | EPERM  EACCES EACCES EACCES
chmod     | gpus/B/name                                 | chmod 0600 gpus/$B/name                            | EPERM  EPERM  EPERM  EPERM
mkdir     | gpus/B/                                     | mkdir gpus/$B/x                                    | EPERM  EACCES EACCES EACCES
symlink   | gpus/B/                                     | ln -s name gpus/$B/lnk                             | EPERM  EACCES EACCES EACCES
write     | gpus/B/group                                | echo $G >gpus/$B/group                             | OK     EACCES EACCES EACCES
sed -i    | gpus/B/group                                | sed -i s/x/x/ gpus/$B/group                        | OK     EACCES EACCES EACCES
list      | gpus/B/                                     | ls gpus/$B                                         | OK     OK     OK     OK
list      | profiles/                                   | ls profiles                                        | OK     OK     OK     OK
read      | profiles/P/available                        | cat profiles/A16-4Q/available                      | OK     OK     OK     OK
write     | profiles/P/gpus                             | echo x >profiles/A16-4Q/gpus                       | EACCES EACCES EACCES EACCES
mkdir     | profiles/                                   | mkdir profiles/x                                   | EPERM  EACCES EACCES EACCES
# events: 0440, root and the admin group (adm here: none of the users is in it)
read      | events                                      | cat events                                         | OK     EACCES EACCES EACCES
write     | events                                      | echo x >events                                     | EACCES EACCES EACCES EACCES
# the provider's part: host/ groups/ media/ media-info/ drivers/
list      | host/                                       | ls host                                            | OK     EACCES EACCES OK
read      | host/maintenance                            | cat host/maintenance                               | OK     EACCES EACCES OK
stat      | host/maintenance                            | stat host/maintenance                              | OK     EACCES EACCES OK
write     | host/maintenance                            | echo 0 >host/maintenance                           | OK     EACCES EACCES EACCES
O_TRUNC   | host/maintenance                            | py trunc host/maintenance                          | -      EACCES EACCES EACCES
append    | host/maintenance                            | echo 0 >>host/maintenance                          | EINVAL EACCES EACCES EACCES
sed -i    | host/maintenance                            | sed -i s/1/0/ host/maintenance                     | OK     EACCES EACCES EACCES
replace   | host/maintenance                            | py replace host/maintenance 0                      | OK     EACCES EACCES EACCES
scratch   | host/                                       | echo 0 >host/.tmp-$WHO && rm host/.tmp-$WHO        | OK     EACCES EACCES EACCES
unlink    | host/maintenance                            | rm host/maintenance                                | EPERM  EACCES EACCES EACCES
rename    | host/maintenance                            | mv host/maintenance host/maint                     | EPERM  EACCES EACCES EACCES
chmod     | host/maintenance                            | chmod 0600 host/maintenance                        | EPERM  EACCES EACCES EPERM
chown     | host/maintenance                            | chown 1 host/maintenance                           | EPERM  EACCES EACCES EPERM
mkdir     | host/                                       | mkdir host/x                                       | EPERM  EACCES EACCES EACCES
symlink   | host/                                       | ln -s maintenance host/lnk                         | EPERM  EACCES EACCES EACCES
# host/drift: 0440 as events (its lines may name any tenant's VMs); reconcile: root's
read      | host/drift                                  | cat host/drift                                     | OK     EACCES EACCES EACCES
write     | host/reconcile                              | echo 0 >host/reconcile                             | OK     EACCES EACCES EACCES
list      | groups/                                     | ls groups                                          | OK     EACCES EACCES OK
read      | groups/G/profile                            | cat groups/$G/profile                              | OK     EACCES EACCES OK
write     | groups/G/description                        | echo d >groups/$G/description                      | OK     EACCES EACCES EACCES
O_TRUNC   | groups/G/description                        | py trunc groups/$G/description                     | -      EACCES EACCES EACCES
append    | groups/G/description                        | echo d >>groups/$G/description                     | EINVAL EACCES EACCES EACCES
sed -i    | groups/G/description                        | sed -i s/d/e/ groups/$G/description                | OK     EACCES EACCES EACCES
replace   | groups/G/description                        | py replace groups/$G/description f                 | OK     EACCES EACCES EACCES
scratch   | groups/G/                                   | echo d >groups/$G/.tmp-$WHO && rm groups/$G/.tmp-$WHO | OK  EACCES EACCES EACCES
unlink    | groups/G/description                        | rm groups/$G/description                           | EPERM  EACCES EACCES EACCES
rename    | groups/G/description                        | mv groups/$G/description groups/$G/notes           | EPERM  EACCES EACCES EACCES
chmod     | groups/G/description                        | chmod 0600 groups/$G/description                   | EPERM  EACCES EACCES EPERM
chown     | groups/G/description                        | chown 1 groups/$G/description                      | EPERM  EACCES EACCES EPERM
symlink   | groups/G/                                   | ln -s profile groups/$G/lnk                        | EPERM  EACCES EACCES EACCES
mkdir     | groups/                                     | mkdir groups/x                                     | OK     EACCES EACCES EACCES
rmdir     | groups/x                                    | rmdir groups/x                                     | OK     EACCES EACCES EACCES
rmdir     | groups/G (shares and devices draw from it)  | rmdir groups/$G                                    | EBUSY  EACCES EACCES EACCES
list      | groups/G/devices/                           | ls groups/$G/devices                               | OK     EACCES EACCES OK
list      | media/                                      | ls media                                           | OK     EACCES EACCES OK
read      | media/F                                     | cat $MF                                            | OK     EACCES EACCES OK
write     | media/ (a new file)                         | echo x >media/new-$WHO.iso                         | -      EACCES EACCES EACCES
unlink    | media/F                                     | rm $MF                                             | -      EACCES EACCES EACCES
chmod     | media/F                                     | chmod 0600 $MF                                     | -      EACCES EACCES EPERM
symlink   | media/                                      | ln -s guest.iso media/lnk.iso                      | EPERM  EACCES EACCES EACCES
read      | media-info/F/state                          | cat media-info/guest.iso/state                     | OK     EACCES EACCES OK
read      | drivers/compatible                          | cat drivers/compatible                             | OK     EACCES EACCES OK
# provider VMs and their vGPUs: invisible to the tenants' admins, read-only to the others
list      | provider VM                                 | ls $P                                              | OK     ENOENT ENOENT OK
stat      | provider VM                                 | stat $P                                            | OK     ENOENT ENOENT OK
read      | provider VM state                           | cat $P/state                                       | OK     ENOENT ENOENT OK
read      | provider VM tenant                          | cat $P/tenant                                      | OK     ENOENT ENOENT OK
write     | provider VM tenant (has a device in use)    | echo $T >$P/tenant                                 | EBUSY  ENOENT ENOENT EACCES
write     | provider VM restart                         | echo 1 >$P/restart                                 | OK     ENOENT ENOENT EACCES
mkdir     | provider VM devices/                        | mkdir $P/devices/x                                 | OK     ENOENT ENOENT EACCES
rmdir     | provider VM devices/x                       | rmdir $P/devices/x                                 | OK     ENOENT ENOENT EACCES
read      | provider device group                       | cat $PD/group                                      | OK     ENOENT ENOENT OK
write     | provider device count                       | echo 1 >$PD/count                                  | OK     ENOENT ENOENT EACCES
sed -i    | provider device description                 | sed -i s/x/y/ $PD/description                      | OK     ENOENT ENOENT EACCES
scratch   | provider device                             | echo 1 >$PD/.tmp-$WHO && rm $PD/.tmp-$WHO          | OK     ENOENT ENOENT EACCES
unlink    | provider device count                       | rm $PD/count                                       | EPERM  ENOENT ENOENT EACCES
chmod     | provider device count                       | chmod 0600 $PD/count                               | EPERM  ENOENT ENOENT EPERM
symlink   | provider device                             | ln -s count $PD/lnk                                | EPERM  ENOENT ENOENT EACCES
read      | provider vGPU                               | cat vgpus/$UP/state                                | OK     ENOENT ENOENT OK
write     | provider vGPU                               | echo x >vgpus/$UP/state                            | EACCES ENOENT ENOENT EACCES
# the own VM (t1's render01; t2's vdi-pool01 for m2): read; devices: mkdir, rmdir, write; restart
list      | own VM                                      | ls $V                                              | OK     OK     OK     ENOENT
stat      | own VM                                      | stat $V                                            | OK     OK     OK     ENOENT
read      | own VM state                                | cat $V/state                                       | OK     OK     OK     ENOENT
read      | own VM definition                           | cat $V/definition                                  | OK     OK     OK     ENOENT
read      | own VM tenant                               | cat $V/tenant                                      | OK     OK     OK     ENOENT
write     | own VM tenant                               | echo "" >$V/tenant                                 | EBUSY  EACCES EACCES ENOENT
O_TRUNC   | own VM tenant                               | py trunc $V/tenant                                 | -      EACCES EACCES ENOENT
append    | own VM tenant                               | echo x >>$V/tenant                                 | EINVAL EACCES EACCES ENOENT
sed -i    | own VM tenant                               | sed -i s/t/x/ $V/tenant                            | -      EACCES EACCES ENOENT
rename    | own VM tenant (scratch from own device)     | scratch_mv $D $V/tenant ""                         | -      EACCES EACCES ENOENT
replace   | own VM tenant (temp in own device)          | py replace $V/tenant "" $D                         | -      EACCES EACCES ENOENT
read      | own VM restart                              | cat $V/restart                                     | EACCES EACCES EACCES ENOENT
write     | own VM restart                              | echo 1 >$V/restart                                 | OK     OK     OK     ENOENT
scratch   | own VM/                                     | echo x >$V/.tmp-$WHO && rm $V/.tmp-$WHO            | OK     EACCES EACCES ENOENT
mkdir     | own VM/                                     | mkdir $V/x                                         | EPERM  EACCES EACCES ENOENT
unlink    | own VM uuid                                 | rm $V/uuid                                         | EPERM  EACCES EACCES ENOENT
rename    | own VM uuid                                 | mv $V/uuid $V/uuid2                                | EPERM  EACCES EACCES ENOENT
symlink   | own VM/                                     | ln -s uuid $V/lnk                                  | EPERM  EACCES EACCES ENOENT
chmod     | own VM/ (made writable)                     | chmod 0770 $V                                      | EPERM  EPERM  EPERM  ENOENT
chmod     | own VM state (same mode)                    | chmod "$(stat -c %a $V/state)" $V/state            | OK     OK     EPERM  ENOENT
chown     | own VM state (same owner)                   | chown "$(stat -c %u $V/state)" $V/state            | OK     OK     EPERM  ENOENT
# the own VM's devices
list      | own device                                  | ls $D                                              | OK     OK     OK     ENOENT
read      | own device group                            | cat $D/group                                       | OK     OK     OK     ENOENT
write     | own device group (own share)                | echo $SN >$D/group                                 | OK     OK     OK     ENOENT
write     | own device group (a provider group)         | echo $G >$D/group                                  | ENOENT ENOENT ENOENT ENOENT
write     | own device group (other tenant's share)     | echo $SNO >$D/group                                | ENOENT ENOENT ENOENT ENOENT
write     | own device count                            | echo 2 >$D/count                                   | OK     OK     OK     ENOENT
write     | own device count (beyond the share)         | echo 9 >$D/count                                   | ENOSPC ENOSPC ENOSPC ENOENT
O_TRUNC   | own device count (python open w)            | py pywrite $D/count 1                              | OK     OK     OK     ENOENT
append    | own device count                            | echo 1 >>$D/count                                  | EINVAL EINVAL EINVAL ENOENT
write     | own device option                           | echo 30 >$D/frame_rate_limit                       | OK     OK     OK     ENOENT
write     | own device option (0 on the share)          | echo 1 >$D/enable_cuda_debuggers                   | EACCES EACCES EACCES ENOENT
sed -i    | own device option                           | sed -i s/30/0/ $D/frame_rate_limit                 | OK     OK     OK     ENOENT
replace   | own device option                           | py replace $D/disable_console_vnc 1                | OK     OK     OK     ENOENT
rename    | own device count (scratch)                  | scratch_mv $D $D/count 1                           | OK     OK     OK     ENOENT
rename    | own device count to a scratch name (a copy) | mv $D/count $D/count~ && rm $D/count~ && cat $D/count | OK  OK     OK     ENOENT
rename    | own device count to another name            | mv $D/count $D/count2                              | EPERM  EPERM  EPERM  ENOENT
write     | own device status                           | echo x >$D/status                                  | EACCES EACCES EACCES ENOENT
rename    | own device status (scratch)                 | scratch_mv $D $D/status attached                   | EACCES EACCES EACCES ENOENT
replace   | own device status                           | py replace $D/status attached                      | EACCES EACCES EACCES ENOENT
rename    | own share count (scratch from own device)   | scratch_mv $D $S/count 9                           | -      EACCES EACCES ENOENT
unlink    | own device count                            | rm $D/count                                        | EPERM  EPERM  EPERM  ENOENT
mkdir     | own device/                                 | mkdir $D/x                                         | EPERM  EPERM  EPERM  ENOENT
symlink   | own device/                                 | ln -s count $D/lnk                                 | EPERM  EPERM  EPERM  ENOENT
chmod     | own device count                            | chmod 0600 $D/count                                | EPERM  EPERM  EPERM  ENOENT
chmod     | own device status (made writable)           | chmod u+w $D/status                                | EPERM  EPERM  EPERM  ENOENT
chmod     | own device count (same mode)                | chmod "$(stat -c %a $D/count)" $D/count            | OK     OK     EPERM  ENOENT
chown     | own device count (to root)                  | chown 0 $D/count                                   | EPERM  EPERM  EPERM  ENOENT
chown     | own device count (same owner)               | chown "$(stat -c %u $D/count)" $D/count            | OK     OK     EPERM  ENOENT
mkdir     | own VM devices/                             | mkdir $V/devices/x-$WHO                            | OK     OK     OK     ENOENT
write     | new own device group (own share)            | echo $SN >$V/devices/x-$WHO/group                  | OK     OK     OK     ENOENT
rmdir     | new own device (holding a vGPU)             | rmdir $V/devices/x-$WHO                            | OK     OK     OK     ENOENT
# the own VM's vGPUs
read      | own vGPU                                    | cat vgpus/$U/state                                 | OK     OK     OK     ENOENT
read      | own vGPU through the device's link          | cat $D/vgpus/$U/tenant                             | OK     OK     OK     ENOENT
write     | own vGPU                                    | echo x >vgpus/$U/state                             | EACCES EACCES EACCES ENOENT
rmdir     | own vGPU                                    | rmdir vgpus/$U                                     | EPERM  EACCES EACCES ENOENT
# another tenant's VM and vGPUs: invisible
list      | other tenant's VM                           | ls $VO                                             | OK     ENOENT ENOENT ENOENT
read      | other tenant's VM state                     | cat $VO/state                                      | OK     ENOENT ENOENT ENOENT
write     | other tenant's VM restart                   | echo 1 >$VO/restart                                | OK     ENOENT ENOENT ENOENT
mkdir     | other tenant's VM devices/                  | mkdir $VO/devices/y                                | -      ENOENT ENOENT ENOENT
write     | other tenant's device count                 | echo 1 >$DO/count                                  | -      ENOENT ENOENT ENOENT
read      | other tenant's vGPU                         | cat vgpus/$UO/state                                | OK     ENOENT ENOENT ENOENT
# tenants/
mkdir     | tenants/                                    | mkdir tenants/x                                    | OK     EACCES EACCES EACCES
rmdir     | tenants/x (no admin)                        | rmdir tenants/x                                    | OK     ENOENT ENOENT ENOENT
mkdir     | tenants/ (the other tenant's name)          | mkdir tenants/$TO                                  | EEXIST EACCES EACCES EACCES
list      | own tenant                                  | ls tenants/$T                                      | OK     OK     OK     ENOENT
read      | own tenant description                      | cat tenants/$T/description                         | OK     OK     OK     ENOENT
read      | own tenant admin_uid                        | cat tenants/$T/admin_uid                           | OK     OK     OK     ENOENT
read      | own tenant error                            | cat tenants/$T/error                               | OK     OK     OK     ENOENT
read      | own tenant events                           | cat tenants/$T/events                              | OK     OK     OK     ENOENT
list      | own tenant vms/                             | ls tenants/$T/vms                                  | OK     OK     OK     ENOENT
read      | own tenant shares/S/vgpus_free              | cat tenants/$T/shares/$SN/vgpus_free               | OK     OK     OK     ENOENT
write     | own tenant description                      | echo x >tenants/$T/description                     | OK     EACCES EACCES ENOENT
sed -i    | own tenant description                      | sed -i s/x/y/ tenants/$T/description               | OK     EACCES EACCES ENOENT
write     | own tenant admin_uid                        | echo 1 >tenants/$T/admin_uid                       | -      EACCES EACCES ENOENT
scratch   | own tenant/                                 | echo x >tenants/$T/.tmp-$WHO && rm tenants/$T/.tmp-$WHO | OK EACCES EACCES ENOENT
chmod     | own tenant/ (made writable)                 | chmod 0770 tenants/$T                              | EPERM  EPERM  EPERM  ENOENT
rmdir     | own tenant (holds a share, owns a VM)       | rmdir tenants/$T                                   | EBUSY  EACCES EACCES ENOENT
read      | own share count                             | cat $S/count                                       | OK     OK     OK     ENOENT
read      | own share status                            | cat $S/status                                      | OK     OK     OK     ENOENT
write     | own share count                             | echo $SC >$S/count                                 | OK     EACCES EACCES ENOENT
O_TRUNC   | own share count                             | py trunc $S/count                                  | -      EACCES EACCES ENOENT
sed -i    | own share count                             | sed -i s/9/8/ $S/count                             | OK     EACCES EACCES ENOENT
mkdir     | own tenant's shares (nodes/N/devices/)      | mkdir tenants/$T/nodes/$H/devices/x                | OK     EACCES EACCES ENOENT
rmdir     | own tenant's share x (unassigned)           | rmdir tenants/$T/nodes/$H/devices/x                | OK     EACCES -      ENOENT
rmdir     | own share (a device draws from it)          | rmdir $S                                           | EBUSY  EACCES EACCES ENOENT
rmdir     | own tenant's node (this host)               | rmdir tenants/$T/nodes/$H                          | -      EACCES EACCES ENOENT
# another tenant: invisible
list      | other tenant                                | ls tenants/$TO                                     | OK     ENOENT ENOENT ENOENT
stat      | other tenant                                | stat tenants/$TO                                   | OK     ENOENT ENOENT ENOENT
read      | other tenant description                    | cat tenants/$TO/description                        | OK     ENOENT ENOENT ENOENT
read      | other tenant events                         | cat tenants/$TO/events                             | OK     ENOENT ENOENT ENOENT
read      | other tenant's share vgpus_free             | cat tenants/$TO/shares/$SNO/vgpus_free             | OK     ENOENT ENOENT ENOENT
write     | other tenant's share count                  | echo 1 >tenants/$TO/nodes/$H/devices/$SNO/count    | -      ENOENT ENOENT ENOENT
EOF
pass "matrix run"

say "scratch-file attacks: a1's scratch file renamed over what a1 may not write"
for target in "${DEV_OF[t1]}/status" "${DEV_OF[t1]}/type" "${DEV_OF[t1]}/error" vms/render01/tenant \
	vms/render01/uuid "tenants/t1/nodes/$H/devices/t1-share/count" tenants/t1/description \
	tenants/t1/admin_uid "groups/$G/description" host/maintenance gpus/$B/group; do
	kind=$target
	case $target in
	"${DEV_OF[t1]}"/*) kind="own device ${target##*/}" ;;
	vms/render01/*) kind="own VM ${target##*/}" ;;
	tenants/t1/nodes/*) kind="own share ${target##*/}" ;;
	tenants/t1/*) kind="own tenant ${target##*/}" ;;
	esac
	try "scratch attack" "$kind" a1 EACCES "scratch_mv \$D $target x"
done
# sed -i and os.replace on a file a1 may read but not write, in its own device directory
try "scratch attack" "own device status (sed -i)" a1 EACCES 'sed -i s/allocated/attached/ $D/status'
try "scratch attack" "own device type (os.replace)" a1 EACCES 'py replace $D/type x'
# no scratch file where a1 or o1 may not write
for dir in . host "groups/$G" "gpus/$B" vms/render01 tenants/t1 "tenants/t1/nodes/$H/devices/t1-share" \
	tenants/t1/shares/t1-share vgpus/"$U1"; do
	try "scratch" "in ${dir/#./\/}" a1 EACCES "echo x >$dir/.tmp-a1"
done
for dir in . host "groups/$G" "gpus/$B" vms/cad-ws02 vms/cad-ws02/devices/gpu0 media; do
	try "scratch" "in ${dir/#./\/}" o1 EACCES "echo x >$dir/.tmp-o1"
done
try "scratch" "in own device (and removed)" a1 OK 'echo x >$D/.tmp-a1 && rm $D/.tmp-a1'
try "scratch" "in own device (and removed)" m2 OK 'echo x >$D/.tmp-m2 && rm $D/.tmp-m2'
# what the refused renames left: nothing changed, no scratch file behind
check_val "${DEV_OF[t1]}/status" allocated
check_val vms/render01/tenant t1
check_val "tenants/t1/nodes/$H/devices/t1-share/count" 3
check_val tenants/t1/admin_uid "$(id -u "${USER_OF[a1]}")"
check_eq "ls -A ${DEV_OF[t1]}" "$(ls "${DEV_OF[t2]}" | xargs)" "$(ls -A "${DEV_OF[t1]}" | xargs)"
check_eq "ls -A vms/render01" "$(ls vms/cad-ws02 | xargs)" "$(ls -A vms/render01 | xargs)"
pass "scratch attacks refused"

say "listings: each caller sees what it may use"
ALL_VGPUS=$(printf '%s\n' "$U1" "$U2" "$UP" | sort | xargs)
check_as "ls /" a1 "$(ls "$MNT" | xargs)" 'ls'
check_as "ls /" o1 "$(ls "$MNT" | xargs)" 'ls'
check_as "ls vms" root "cad-ws01 cad-ws02 ml-train01 render01 vdi-pool01" 'ls vms'
check_as "ls vms" a1 "render01" 'ls vms'
check_as "ls vms" m2 "vdi-pool01" 'ls vms'
check_as "ls vms" o1 "cad-ws01 cad-ws02 ml-train01" 'ls vms'
check_as "ls vgpus" root "$ALL_VGPUS" 'ls vgpus'
check_as "ls vgpus" a1 "$U1" 'ls vgpus'
check_as "ls vgpus" m2 "$U2" 'ls vgpus'
check_as "ls vgpus" o1 "$UP" 'ls vgpus'
for who in root a1 m2 o1; do
	case $who in root) want=$ALL_VGPUS ;; a1) want=$U1 ;; m2) want=$U2 ;; o1) want=$UP ;; esac
	check_as "vGPUs in gpus/B/vgpus of g1's GPUs" "$who" "$want" \
		'for b in gpus/0000:43:00.0 gpus/0000:44:00.0; do ls $b/vgpus; done | sort'
done
check_as "ls tenants" root "t1 t2" 'ls tenants'
check_as "ls tenants" a1 "t1" 'ls tenants'
check_as "ls tenants" m2 "t2" 'ls tenants'
check_as "ls tenants" o1 "" 'ls tenants'
check_as "ls tenants/T/vms" a1 "render01" 'ls tenants/$T/vms'
check_as "ls tenants/T/vms" m2 "vdi-pool01" 'ls tenants/$T/vms'
check_as "ls tenants/T/shares" a1 "t1-share" 'ls tenants/$T/shares'
check_as "ls tenants/T/shares" m2 "t2-share" 'ls tenants/$T/shares'
check_as "ls tenants/T/nodes" a1 "$H" 'ls tenants/$T/nodes'
check_as "ls own device's vgpus" a1 "$U1" 'ls $D/vgpus'
check_as "ls own device's vgpus" m2 "$U2" 'ls $D/vgpus'
# (whether root also sees the tenants' VM devices there, the doc leaves open)
check_as "ls groups/G/devices (but tenant VMs' links)" root \
	"cad-ws02:gpu0 tenant=t1:node=$H:share=t1-share tenant=t2:node=$H:share=t2-share" \
	'ls groups/$G/devices | grep -v -e ^render01: -e ^vdi-pool01:'
check_as "ls groups/G/devices (no tenant= links, no tenant VMs)" o1 "cad-ws02:gpu0" 'ls groups/$G/devices'
check_as "readlink of a share's link" root "../../../tenants/t1/nodes/$H/devices/t1-share" \
	'readlink groups/$G/devices/tenant=t1:node=$H:share=t1-share'
# nothing a tenant's admin can read names another tenant, its VMs or vGPUs (not the
# other's share name: each admin wrote it into its own device above, and the refusal
# quotes what was written)
check_as "grep -r for t2's names in what a1 can read" a1 "" \
	"grep -rsF -e vdi-pool01 -e \"\$UO\" -e tenants/t2 -e tenant=t2 -e ${USER_OF[a2]} . || true"
check_as "grep -r for t1's names in what m2 can read" m2 "" \
	"grep -rsF -e render01 -e \"\$UO\" -e tenants/t1 -e tenant=t1 -e ${USER_OF[a1]} . || true"
pass "listings checked"

say "nothing caller-dependent is cached: root walks t2's part, then a1 at once"
cases <<'EOF'
# root looks first (root's line runs last: a line of its own), then the others at once
cached    | root's walk of t2's part and cad-ws02       | ls -lR $VO vgpus/$UO tenants/$TO >/dev/null && cat $VO/state tenants/$TO/description vgpus/$UO/state $P/state >/dev/null && ls -l vms >/dev/null | OK - - -
cached    | other tenant's VM (after root's ls -lR)     | stat $VO                                           | -      ENOENT -      ENOENT
cached    | other tenant's VM state                     | cat $VO/state                                      | -      ENOENT -      ENOENT
cached    | other tenant's device count                 | cat $DO/count                                      | -      ENOENT -      ENOENT
cached    | other tenant's vGPU                         | stat vgpus/$UO                                     | -      ENOENT -      ENOENT
cached    | other tenant's vGPU state                   | cat vgpus/$UO/state                                | -      ENOENT -      ENOENT
cached    | other tenant                                | stat tenants/$TO                                   | -      ENOENT -      ENOENT
cached    | other tenant description                    | cat tenants/$TO/description                        | -      ENOENT -      ENOENT
cached    | provider VM                                 | stat $P                                            | -      ENOENT ENOENT OK
cached    | own VM (after a1's ls -lR)                  | ls -lR $V >/dev/null && cat $D/count               | -      OK     -      ENOENT
EOF
for _ in 1 2 3; do
	cat "$MNT"/vms/vdi-pool01/state "$MNT"/tenants/t2/description "$MNT/vgpus/$U2/state" >/dev/null
	try cached "other tenant's VM state (after root's cat, again)" a1 ENOENT 'cat $VO/state'
	ls -l "$MNT/vms" >/dev/null
	check_as "ls vms right after root's ls -l vms" a1 render01 'ls vms'
done
# a dentry held by a process of root's (its working directory) is still no way in
cd "$MNT/vms/vdi-pool01"
sleep 60 &
pinned=$!
HELPER_PIDS="$HELPER_PIDS $pinned" # killed at exit, should a check end the test here
cd "$MNT"
try cached "other tenant's VM (root's cwd)" a1 ENOENT 'stat $VO'
try cached "other tenant's VM (root's cwd)" a1 ENOENT 'cd $VO'
try cached "other tenant's VM (root's cwd)" o1 ENOENT 'cat $VO/devices/d2/count'
kill "$pinned"
wait "$pinned" 2>/dev/null || true
# an admin whom root removes loses the tenant's part at the next walk, and gets it back
try cached "own VM (before root clears admin_uid)" a1 OK 'cat $V/state && cat $D/count'
put tenants/t1/admin_uid ""
try cached "own VM (root cleared admin_uid)" a1 ENOENT 'cat $V/state'
try cached "own device (root cleared admin_uid)" a1 ENOENT 'echo 1 >$D/count'
try cached "own tenant (root cleared admin_uid)" a1 ENOENT 'stat tenants/$T'
check_as "ls vms once root cleared admin_uid (an ordinary user now)" a1 "cad-ws01 cad-ws02 ml-train01" 'ls vms'
put tenants/t1/admin_uid "${USER_OF[a1]}"
try cached "own VM (admin_uid set again)" a1 OK 'cat $V/state && echo 1 >$D/count'
pass "no cached way in"

say "owners and modes of the tenants' part (t1's admin_gid is \"\": root's group, no group write bit)"
A1=${USER_OF[a1]} A2=${USER_OF[a2]}
# what the admins may change: files 0664, restart 0220, vms/V/devices/ and the devices 0775
check_mode "vms/render01/devices" "$A1:root" 755
check_mode "vms/render01/devices/d1" "$A1:root" 755
check_mode "vms/render01/devices/d1/count" "$A1:root" 644
check_mode "vms/render01/devices/d1/group" "$A1:root" 644
check_mode "vms/render01/devices/d1/enable_cuda_debuggers" "$A1:root" 644
check_mode "vms/render01/restart" "$A1:root" 200
check_mode "vms/vdi-pool01/devices" "$A2:$GT2" 775
check_mode "vms/vdi-pool01/devices/d2" "$A2:$GT2" 775
check_mode "vms/vdi-pool01/devices/d2/count" "$A2:$GT2" 664
check_mode "vms/vdi-pool01/devices/d2/description" "$A2:$GT2" 664
check_mode "vms/vdi-pool01/restart" "$A2:$GT2" 220
# what only root may change: the VM's tenant, the tenant's settings, the share's files: 0644
check_mode "vms/render01/tenant" "root:root" 644
check_mode "vms/vdi-pool01/tenant" "root:$GT2" 644
check_mode "tenants/t1/description" "root:root" 644
check_mode "tenants/t1/admin_uid" "root:root" 644
check_mode "tenants/t1/admin_gid" "root:root" 644
check_mode "tenants/t2/description" "root:$GT2" 644
check_mode "tenants/t2/admin_gid" "root:$GT2" 644
check_mode "tenants/t1/nodes/$H/devices/t1-share/count" "root:root" 644
check_mode "tenants/t1/nodes/$H/devices/t1-share/group" "root:root" 644
check_mode "tenants/t2/nodes/$H/devices/t2-share/count" "root:$GT2" 644
check_mode "tenants/t2/nodes/$H/devices/t2-share/frame_rate_limit" "root:$GT2" 644
# everything else: files 0444, directories 0555, tenants/T/events 0440
check_mode "vms/render01" "$A1:root" 555
check_mode "vms/render01/state" "$A1:root" 444
check_mode "vms/render01/uuid" "$A1:root" 444
check_mode "vms/render01/definition" "$A1:root" 444
check_mode "vms/render01/devices/d1/status" "$A1:root" 444
check_mode "vms/render01/devices/d1/type" "$A1:root" 444
check_mode "vms/render01/devices/d1/vgpus" "$A1:root" 555
check_mode "vgpus/$U1" "$A1:root" 555
check_mode "vgpus/$U1/state" "$A1:root" 444
check_mode "vms/vdi-pool01" "$A2:$GT2" 555
check_mode "vms/vdi-pool01/restart_required" "$A2:$GT2" 444
check_mode "vms/vdi-pool01/devices/d2/status" "$A2:$GT2" 444
check_mode "vgpus/$U2" "$A2:$GT2" 555
check_mode "vgpus/$U2/tenant" "$A2:$GT2" 444
check_mode "tenants/t1" "$A1:root" 555
check_mode "tenants/t1/error" "$A1:root" 444
check_mode "tenants/t1/events" "$A1:root" 440
check_mode "tenants/t1/vms" "$A1:root" 555
check_mode "tenants/t1/shares" "$A1:root" 555
check_mode "tenants/t1/shares/t1-share" "$A1:root" 555
check_mode "tenants/t1/shares/t1-share/vgpus_free" "$A1:root" 444
check_mode "tenants/t1/nodes" "$A1:root" 555
check_mode "tenants/t1/nodes/$H/devices/t1-share" "$A1:root" 555
check_mode "tenants/t1/nodes/$H/devices/t1-share/status" "$A1:root" 444
check_mode "tenants/t2" "$A2:$GT2" 555
check_mode "tenants/t2/events" "$A2:$GT2" 440
check_mode "tenants/t2/shares/t2-share/vgpus_used" "$A2:$GT2" 444
check_mode "tenants/t2/nodes/$H/devices/t2-share/status" "$A2:$GT2" 444
# outside the tenants' parts, root's, as in "Conventions" (events: see below)
check_mode "tenants" "root:root" 755
check_mode "vms/cad-ws02" "root:root" 755
check_mode "vms/cad-ws02/tenant" "root:root" 644
check_mode "vms/cad-ws02/restart" "root:root" 200
check_mode "vms/cad-ws02/devices/gpu0/count" "root:root" 644
check_mode "vms/cad-ws02/devices/gpu0/status" "root:root" 444
check_mode "vgpus/$UP" "root:root" 755
check_mode "vgpus/$UP/state" "root:root" 444
check_mode "groups/$G/description" "root:root" 644
check_mode "gpus/$B/group" "root:root" 644
pass "modes checked"

say "events with --admin-group $GADM: root and its members read it, no one else"
restart_vgpufs --admin-group "$GADM"
check_mode events "root:$GADM" 440
check_mode host/drift "root:$GADM" 440
try read "events (--admin-group)" root OK 'cat events'
try read "events (--admin-group)" e1 OK 'cat events'
try read "events (--admin-group)" a1 EACCES 'cat events'
try read "events (--admin-group)" m2 EACCES 'cat events'
try read "events (--admin-group)" o1 EACCES 'cat events'
try write "events (--admin-group)" e1 EACCES 'echo x >events'
# and after the restart, the tenants' admins still see their own part only
check_as "ls vms after a restart" a1 render01 'ls vms'
check_as "ls vms after a restart" m2 vdi-pool01 'ls vms'
check_as "ls vms after a restart" e1 "cad-ws01 cad-ws02 ml-train01" 'ls vms'
pass "events"

# --- the matrix -------------------------------------------------------------------

say "the matrix: operation, path kind, then each user's result (X!Y: got X, the doc says Y)"
say "a1: t1's admin_uid; m2: t2's admin through admin_gid (supplementary); o1: no tenant's"
printf '# %-14s %-48s %-8s %-8s %-8s %-8s %s\n' operation "path kind" root a1 m2 o1 e1
for key in "${ROW_KEYS[@]}"; do
	line=$(printf '%-14s %-48s' "${ROW_OP[$key]}" "${ROW_KIND[$key]}")
	for who in root a1 m2 o1 e1; do
		if [ -z "${RESULT[$key|$who]+x}" ]; then
			cell=-
		elif [ "${RESULT[$key|$who]}" = "${WANT[$key|$who]}" ]; then
			cell=${RESULT[$key|$who]}
		else
			cell="${RESULT[$key|$who]}!${WANT[$key|$who]}"
		fi
		line+=$(printf ' %-8s' "$cell")
	done
	printf '# %s\n' "${line%"${line##*[! ]}"}"
done
say "listings (user, what, what it saw)"
printf '#   %s\n' "${LISTINGS[@]}"
say "owners and modes (stat -c '%U:%G %a' as root)"
printf '#   %s\n' "${MODES[@]}"

say "$N_CASES permission cases"
if [ "${#FAILS[@]}" != 0 ]; then
	printf 'FAIL - %s\n' "${FAILS[@]}" >&2
	fail "${#FAILS[@]} of $N_CASES permission cases differ from docs/tree.md"
fi
pass "all $N_CASES permission cases as docs/tree.md says"
stop_vgpufs
