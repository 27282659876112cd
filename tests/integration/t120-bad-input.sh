#!/bin/bash
# Bad input, table-driven: for every writable attribute of every kind, the
# classes of bad values (empty, too long, NUL, invalid UTF-8, newlines, spaces,
# signs, out of range, unknown references, wrong type, several values), and
# every directory operation on every kind of path (mkdir, rmdir, rename, link,
# symlink, mknod, unlink, truncate, chmod, chown, setxattr).  Each case checks
# the errno, the line added to events (one, naming the object and the errno,
# or none), the object's error file (one line, the same message), that the
# daemon lives, and that nothing changed: the object, groups/, host/, vms/
# (definitions included), vgpus/, every GPU's group, and the simulated host's
# vGPUs.
#
# A row is "op | path | value | errno | events":
#   op      w (open O_TRUNC, write VALUE and a newline in one write(2)),
#           wa (O_APPEND), wo (pwrite at offset 1), wc (O_CREAT), r (read),
#           mkdir, rmdir, unlink, truncate (to VALUE bytes), chmod (to VALUE,
#           octal), chown (to VALUE, uid:gid), setxattr, mv (rename to VALUE),
#           mvx (RENAME_EXCHANGE with VALUE), link (hard link named VALUE),
#           symlink (PATH -> VALUE), mkfifo, mknod (a character device),
#           mvtmp (a scratch file holding VALUE and a newline, renamed over
#           PATH; it is made next to PATH, or in groups/a16 where PATH's
#           directory takes no scratch files)
#   path    relative to the mount point; $A, $G, $RL, $T4R, $V, $D, $R, $F, $U
#           stand for the objects made below
#   value   C escapes (\n \t \xHH), \s for a space, *N:C for N times the
#           character C; spaces around a field do not count
#   events  the object the refusal is recorded on: one new line in events,
#           "TIME OBJECT: refused (ERRNO): MESSAGE", and the object's error
#           file, where it has one, reads MESSAGE as one line; "-" for no line
#           (the kernel refuses before the daemon sees it, or an xattr probe);
#           "?" for at most one line, naming the errno
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"

demo_up
cd "$MNT"

say "set-up: groups a16 (A16-4Q, rule r1 besides the GPUs' own), t4 and old (driver 470.256.02); media files; devices holding vGPUs"
make_group a16 A16-4Q $A16_GPUS
put groups/a16/description "A16 boards"
mkdir groups/a16/rules/r1
put groups/a16/rules/r1/slot 0000:43:00.0
make_group t4 T4-2Q $T4_GPUS
# media/: a valid ISO, a token, files that are neither a bundle nor an ISO, and the
# bundle of 470.256.02 (vGPU 13: it cannot drive the L40S) for group old
upload_iso guest.iso
echo "synthetic client configuration token" >media/t120.tok
echo "not an ISO 9660 image" >media/bad.iso
echo "not a zip" >media/bad.zip
upload_bundle "$BUNDLE_470"
mkdir groups/old
put groups/old/driver 470.256.02
A=gpus/0000:43:00.0
G=groups/a16
RL=groups/a16/rules/r1
T4R=groups/t4/rules/pci-0000-41-00.0
V=vms/cad-ws02
D=vms/cad-ws02/devices/gpu0   # VM off, 2 vGPUs
R=vms/cad-ws01/devices/run0   # VM running, 1 vGPU waiting for a restart
F=vms/render01/devices/free0  # unassigned
mkdir $D $R $F
put $D/count 2
put $D/group a16
put $R/group a16
check_val $D/status allocated
check_val $R/status restart-required
check_val $F/status unassigned
U=$(dev_vgpus cad-ws02 gpu0 | head -n 1)
check_eq "vGPUs on the host" 3 "$(sim_vgpu_count)"
check_val $G/status ready
check_val $A/vgpus_used 3
cd /
pass "set-up"
# What the set-up made, to compare with after a restart at the end (not the
# definitions: libvirt's test driver makes new MAC addresses on each start;
# check_consistent compares their hostdevs with the devices).
SET_UP=$(tree_snapshot "$MNT/groups" "$MNT/host" "$MNT"/vms/*/devices)

# The worker runs each case: the operation and the checks.  One process for
# the whole table keeps it fast.  It compares "before" with "after" snapshots:
# the object (object_snapshot) and the world (world_snapshot).
WORKER_PY=$(cat <<'PY'
import codecs, ctypes, errno, os, re, stat, sys

MNT = os.fsencode(sys.argv[1])
SIM = os.fsencode(sys.argv[2])
SCRATCH = [b".vgpufs-t120", b"sedA1b2C3", b"tmpt120", b"4913", b"value~", b"value.swp"]
EVENT = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (.+?): refused \((E[A-Z0-9]+)\): (.+)$")
RENAME_EXCHANGE = 2
libc = ctypes.CDLL(None, use_errno=True)
n_case = 0


def decode(field):
    """A table field: C-style escapes (\\n \\t \\xHH \\\\), \\s for a space,
    *N:C for N times the character C."""
    field = re.sub(r"\*(\d+):(.)", lambda m: m.group(2) * int(m.group(1)), field)
    return codecs.escape_decode(field.replace("\\s", "\\x20").encode())[0]


def tree(rel):
    return rel if rel.startswith(b"/") else MNT + b"/" + rel


def read(p):
    try:
        with open(p, "rb", buffering=0) as f:
            return f.read()
    except OSError as e:
        return ("<%s>" % errno.errorcode.get(e.errno, e.errno)).encode()


def walk(p, out, recurse=True):
    """Entries (type, link target) and readable values under p, without
    following symlinks; error, events, metrics (which counts refusals) and
    host/counters (which reading the tree moves) are left out."""
    try:
        names = sorted(os.listdir(p))
    except OSError as e:
        out.append(b"%s <%s>" % (p, errno.errorcode.get(e.errno, "?").encode()))
        return
    for n in names:
        q = p + b"/" + n
        try:
            st = os.lstat(q)
        except OSError as e:
            out.append(b"%s <lstat %s>" % (q, errno.errorcode.get(e.errno, "?").encode()))
            continue
        if stat.S_ISLNK(st.st_mode):
            out.append(q + b" -> " + os.readlink(q))
        elif stat.S_ISDIR(st.st_mode):
            out.append(q + b"/ %o" % stat.S_IMODE(st.st_mode))
            if recurse:
                walk(q, out)
        elif n not in (b"error", b"events", b"metrics", b"counters"):
            out.append(q + b" %o = " % stat.S_IMODE(st.st_mode) + read(q))


# Collections whose entries are walked only when the case is about one of them.
BIG = {MNT, MNT + b"/gpus", MNT + b"/profiles", MNT + b"/vgpus", MNT + b"/vms"}
WORLD = [MNT + b"/groups", MNT + b"/host", MNT + b"/vms", MNT + b"/media-info"]


def object_snapshot(p):
    """p's object: p itself when it is a directory, else its directory
    (recursively, unless it is a whole collection or part of the world below),
    and the names in the directory above."""
    out = []
    try:
        obj = p if stat.S_ISDIR(os.lstat(p).st_mode) else os.path.dirname(p)
    except OSError:
        obj = os.path.dirname(p)
    if not any(obj == w or obj.startswith(w + b"/") for w in WORLD):
        walk(obj, out, obj not in BIG)
    if obj != MNT:
        walk(os.path.dirname(obj), out, False)
    return out


def world_snapshot():
    """What no refusal may change: the groups/ tree, host/, vms/ (definitions
    and devices), the vGPUs listed and every GPU's group, and the vGPUs on the
    simulated host (mdevs, their params, the VFs' current_vgpu_type)."""
    out = []
    for w in WORLD:
        walk(w, out)
    walk(MNT + b"/vgpus", out, False)
    try:
        for g in sorted(os.listdir(MNT + b"/gpus")):
            for f in (b"group", b"profile", b"vgpus_used"):
                q = MNT + b"/gpus/" + g + b"/" + f
                out.append(q + b" = " + read(q))
    except OSError as e:
        out.append(b"gpus <%d>" % e.errno)
    mdevs = SIM + b"/bus/mdev/devices"
    for u in sorted(os.listdir(mdevs)):
        out.append(b"mdev %s %s %s" % (u, os.readlink(mdevs + b"/" + u),
                                       read(mdevs + b"/" + u + b"/nvidia/vgpu_params")))
    for vf in VFS:
        out.append(b"vf %s %s %s" % (vf, read(vf + b"/nvidia/current_vgpu_type"),
                                     read(vf + b"/nvidia/vgpu_params")))
    return out


# The world as the last case left it, when that case passed: nothing has
# changed since, so it stands for the next case's "before".
world_cache = None


pci = SIM + b"/bus/pci/devices"
VFS = [pci + b"/" + d for d in sorted(os.listdir(pci))
       if os.path.exists(pci + b"/" + d + b"/nvidia/current_vgpu_type")]


def make_scratch(dest, content):
    """A scratch file next to dest, or in groups/a16 where dest's directory
    takes none; returns its path."""
    name = SCRATCH[n_case % len(SCRATCH)]
    for d in (os.path.dirname(dest), MNT + b"/groups/a16"):
        try:
            fd = os.open(d + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError:
            continue
        os.write(fd, content)
        os.close(fd)
        return d + b"/" + name
    raise RuntimeError("cannot make a scratch file for %r" % dest)


def do(op, p, arg, undo):
    """Runs one operation; returns an undo for when it unexpectedly worked
    (a write also leaves it in undo[0] before it runs, for a refused write
    that changed the value all the same)."""
    if op in ("w", "wa", "wo", "wc"):
        flags = {"w": os.O_TRUNC, "wa": os.O_APPEND, "wo": os.O_TRUNC,
                 "wc": os.O_CREAT | os.O_TRUNC}[op]
        old = read(p)
        if op == "wc" and old.startswith(b"<"):
            undo[0] = lambda: os.unlink(p)
        elif not old.startswith(b"<"):
            undo[0] = lambda: restore(p, old)
        fd = os.open(p, os.O_WRONLY | flags, 0o644)
        try:
            if op == "wo":
                os.pwrite(fd, decode(arg) + b"\n", 1)
            else:
                os.write(fd, decode(arg) + b"\n")
        finally:
            os.close(fd)
        return undo[0]
    if op == "r":
        read_or_raise(p)
        return None
    if op == "mkdir":
        os.mkdir(p)
        return lambda: os.rmdir(p)
    if op == "rmdir":
        os.rmdir(p)
        return None
    if op == "unlink":
        os.unlink(p)
        return None
    if op == "mv":
        dest = tree(decode(arg))
        os.rename(p, dest)
        return lambda: os.rename(dest, p)
    if op == "mvx":
        dest = tree(decode(arg))
        if libc.renameat2(-100, p, -100, dest, RENAME_EXCHANGE) < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return lambda: libc.renameat2(-100, p, -100, dest, RENAME_EXCHANGE)
    if op == "link":
        dest = tree(decode(arg))
        os.link(p, dest)
        return lambda: os.unlink(dest)
    if op == "symlink":
        os.symlink(decode(arg), p)
        return lambda: os.unlink(p)
    if op == "mkfifo":
        os.mkfifo(p)
        return lambda: os.unlink(p)
    if op == "mknod":
        os.mknod(p, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        return lambda: os.unlink(p)
    if op == "truncate":
        old = read(p)
        undo[0] = lambda: restore(p, old)
        os.truncate(p, int(arg))
        return undo[0]
    if op == "chmod":
        mode = stat.S_IMODE(os.stat(p).st_mode)
        os.chmod(p, int(arg, 8))
        return lambda: os.chmod(p, mode)
    if op == "chown":
        st = os.stat(p)
        uid, gid = (int(x) for x in arg.split(":"))
        os.chown(p, uid, gid)
        return lambda: os.chown(p, st.st_uid, st.st_gid)
    if op == "setxattr":
        os.setxattr(p, "user.t120", b"1")
        return lambda: os.removexattr(p, "user.t120")
    raise RuntimeError("unknown op " + op)


def read_or_raise(p):
    with open(p, "rb", buffering=0) as f:
        f.read()


def restore(p, old):
    fd = os.open(p, os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, old if old.endswith(b"\n") else old + b"\n")
    finally:
        os.close(fd)


def clean_line(line):
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(b >= 0x20 and b != 0x7f for b in line)


def check_messages(new, want_errno, ev, problems):
    """The events added by the case, and the object's error file."""
    lines = new.split(b"\n")
    if lines[-1] != b"":
        problems.append("events: a line without its newline: %r" % lines[-1][-80:])
    lines = lines[:-1]
    if ev == "-":
        if lines:
            problems.append("events: expected no line, got %r" % lines)
        return
    if len(lines) != 1 and not (ev == "?" and not lines):
        problems.append("events: expected %s line, got %d: %r"
                        % ("one" if ev != "?" else "at most one", len(lines), lines[:3]))
        return
    if not lines:
        return
    line = lines[0]
    m = EVENT.match(line)
    if not clean_line(line):
        problems.append("events: not one clean line: %r" % line)
    if not m:
        problems.append("events: not a refusal line: %r" % line)
        return
    obj, err, msg = m.groups()
    if getattr(errno, err.decode(), -1) != getattr(errno, want_errno, -2):
        problems.append("events: names %s, not %s: %r" % (err.decode(), want_errno, line))
    if ev == "?":
        return
    if obj != ev.encode():
        problems.append("events: object %r, expected %r" % (obj.decode(errors="replace"), ev))
    if ev == "/" or not os.path.exists(MNT + b"/" + ev.encode() + b"/error"):
        return
    text = read(MNT + b"/" + ev.encode() + b"/error")
    if text.count(b"\n") != 1 or not text.endswith(b"\n") or len(text) < 2 \
            or not clean_line(text[:-1]):
        problems.append("%s/error is not one line: %r" % (ev, text[:200]))
    elif not (msg.startswith(text[:-1]) or text[:-1].startswith(msg)):
        problems.append("%s/error %r differs from the event's %r" % (ev, text[:-1][:120], msg[:120]))


def run(row):
    global n_case, world_cache
    world_cache, cached = None, world_cache
    n_case += 1
    fields = [f.strip(" \t") for f in row.split("|")]
    if len(fields) != 5:
        return "bad row (%d fields)" % len(fields)
    op, path, arg, want, ev = fields
    p = tree(decode(path))
    problems = []
    scratch = None
    if op == "mvtmp":  # a scratch file with arg as its content, renamed over path
        scratch = make_scratch(p, decode(arg) + b"\n")
    before = object_snapshot(p) + (cached if cached and not scratch else world_snapshot())
    events_before = read(MNT + b"/events")
    undo = [None]
    try:
        if scratch:
            os.rename(scratch, p)
        else:
            undo[0] = do(op, p, arg, undo)
        got = "OK"
    except OSError as e:
        got = errno.errorcode.get(e.errno, str(e.errno))
    if got in ("ENOTCONN", "ECONNABORTED"):
        return "%s: the daemon died" % got
    if got != want and getattr(errno, got, -1) != getattr(errno, want, -2):
        problems.append("%s, expected %s" % (got, want))
    events_after = read(MNT + b"/events")
    if events_after.startswith(events_before):
        check_messages(events_after[len(events_before):], want, ev, problems)
    world = world_snapshot()
    after = object_snapshot(p) + world
    if before != after:
        b, a = set(before), set(after)
        gone = [x for x in before if x not in a][:4]
        new = [x for x in after if x not in b][:4]
        problems.append("changed: -%r +%r" % ([x[:150] for x in gone], [x[:150] for x in new]))
    if undo[0] and (got == "OK" or before != after):
        try:
            undo[0]()
        except OSError as e:
            problems.append("undo failed: %s" % os.strerror(e.errno))
    if scratch and os.path.lexists(scratch):
        os.unlink(scratch)
    if not problems and not scratch:
        world_cache = world
    return "; ".join(problems).replace("\n", "\\n") if problems else "ok"


os.chdir("/")
for row in sys.stdin:
    try:
        reply = run(row.rstrip("\n"))
    except Exception as e:  # a bug in the case, not in the daemon: say so
        reply = "worker: %s: %s" % (type(e).__name__, e)
    sys.stdout.write(reply + "\n")
    sys.stdout.flush()
PY
)

coproc WORKER { exec python3 -u -c "$WORKER_PY" "$MNT" "$SIM"; }
HELPER_PIDS="$HELPER_PIDS $WORKER_PID"

N_CASES=0
FAILED=()

# daemon_alive: alive without a fork per case (the state in /proc, not ps).
daemon_alive() {
	local stat
	{ read -r stat <"/proc/$VGPUFS_PID/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ $stat != Z* ]]
}

# run_cases: feeds the rows on stdin to the worker, one at a time, and
# restarts the daemon if a case killed it (that case fails).
run_cases() {
	local row reply v
	while IFS= read -r row; do
		[[ $row =~ ^[[:space:]]*$ ]] && continue
		if [[ $row == '#'* ]]; then
			say "${row#'# '}"
			continue
		fi
		row=${row//'$RL'/$RL}
		row=${row//'$T4R'/$T4R}
		for v in A G V D R F U; do
			row=${row//"\$$v"/${!v}}
		done
		N_CASES=$((N_CASES + 1))
		printf '%s\n' "$row" >&"${WORKER[1]}"
		IFS= read -r reply <&"${WORKER[0]}" || fail "the case worker died at: $row"
		if ! daemon_alive; then
			[ "$reply" = ok ] && reply="vgpufs died" || reply="$reply; vgpufs died"
			quit_vgpufs
			start_vgpufs
		fi
		while [[ $row == *'  '* ]]; do row=${row//'  '/ }; done
		if [ "$reply" = ok ]; then
			printf 'ok %d - %s\n' "$N_CASES" "$row"
		else
			printf 'not ok %d - %s: %s\n' "$N_CASES" "$row" "$reply"
			FAILED+=("$N_CASES")
		fi
	done
}

run_cases <<'EOF'
# host/maintenance: a boolean
w        | host/maintenance             | 2                        | EINVAL  | host
w        | host/maintenance             |                          | EINVAL  | host
w        | host/maintenance             | maybe                    | EINVAL  | host
w        | host/maintenance             | \s1                      | EINVAL  | host
w        | host/maintenance             | 1\s                      | EINVAL  | host
w        | host/maintenance             | +1                       | EINVAL  | host
w        | host/maintenance             | -1                       | EINVAL  | host
w        | host/maintenance             | 0x1                      | EINVAL  | host
w        | host/maintenance             | 1.0                      | EINVAL  | host
w        | host/maintenance             | 0 1                      | EINVAL  | host
w        | host/maintenance             | 1\n0                     | EINVAL  | host
w        | host/maintenance             | 1\n                      | EINVAL  | host
w        | host/maintenance             | \xef\xbc\x91             | EINVAL  | host
w        | host/maintenance             | 1\x00                    | EINVAL  | host
w        | host/maintenance             | \xff                     | EINVAL  | host
w        | host/maintenance             | *4097:1                  | EFBIG   | host
wa       | host/maintenance             | 0                        | EINVAL  | host
wo       | host/maintenance             | 0                        | EINVAL  | host
wc       | host/maintenace              | 1                        | ENOENT  | host
# host/reconcile: write-only, a boolean
w        | host/reconcile               | 2                        | EINVAL  | host
w        | host/reconcile               | reconcile                | EINVAL  | host
w        | host/reconcile               | \s1                      | EINVAL  | host
# gpus/<bdf>/group: "" or a group; vGPUs keep their GPU in its group ($T4R: a rule of t4)
w        | $A/group                     | nope                     | ENOENT  | $A
w        | $A/group                     | \sa16                    | EINVAL  | $A
w        | $A/group                     | a16\s                    | EINVAL  | $A
w        | $A/group                     | A16                      | ENOENT  | $A
w        | $A/group                     | a16 t4                   | EINVAL  | $A
w        | $A/group                     | a16\nt4                  | EINVAL  | $A
w        | $A/group                     | t4                       | EBUSY   | $A
w        | $A/group                     |                          | EBUSY   | $A
w        | $A/group                     | a16\x00                  | EINVAL  | $A
w        | $A/group                     | \xc0\xaf                 | EINVAL  | $A
w        | $A/group                     | *4097:a                  | EFBIG   | $A
wa       | $A/group                     | a16                      | EINVAL  | $A
w        | gpus/0000:41:00.0/group      | a16                      | EBUSY   | gpus/0000:41:00.0
w        | gpus/0000:47:00.0/group      | a16                      | EINVAL  | gpus/0000:47:00.0
w        | gpus/0000:47:00.0/group      | t4                       | EINVAL  | gpus/0000:47:00.0
w        | gpus/0000:48:00.0/group      | a16                      | EINVAL  | gpus/0000:48:00.0
w        | gpus/0000:48:00.0/group      | old                      | EINVAL  | gpus/0000:48:00.0
w        | $T4R/slot                    | 0000:43:00.0             | EBUSY   | $T4R
w        | $T4R/slot                    |                          | EBUSY   | $T4R
w        | $T4R/slot                    | 4?:00.0                  | EBUSY   | $T4R
w        | $T4R/slot                    | 0000:4[0-9]:00.?         | EBUSY   | $T4R
wc       | $A/groups                    | a16                      | ENOENT  | $A
# groups/G/description: one line of UTF-8 text
w        | $G/description               | a\nb                     | EINVAL  | $G
w        | $G/description               | \x01                     | EINVAL  | $G
w        | $G/description               | \x1b[31mred              | EINVAL  | $G
w        | $G/description               | del\x7f                  | EINVAL  | $G
w        | $G/description               | cr\r                     | EINVAL  | $G
w        | $G/description               | caf\xe9                  | EINVAL  | $G
w        | $G/description               | \xed\xa0\x80             | EINVAL  | $G
w        | $G/description               | \xf4\x90\x80\x80         | EINVAL  | $G
w        | $G/description               | a\x00b                   | EINVAL  | $G
w        | $G/description               | two newlines\n           | EINVAL  | $G
w        | $G/description               | *4096:d                  | EFBIG   | $G
w        | $G/description               | *10000:d                 | EFBIG   | $G
wa       | $G/description               | more                     | EINVAL  | $G
wo       | $G/description               | at one                   | EINVAL  | $G
wc       | $G/descriptoin               | typo                     | ENOENT  | $G
wc       | $G/notes.txt                 | x                        | ENOENT  | $G
# groups/G/class: a name
w        | $G/class                     |                          | EINVAL  | $G
w        | $G/class                     | two words                | EINVAL  | $G
w        | $G/class                     | \svgpu                   | EINVAL  | $G
w        | $G/class                     | vgpu\s                   | EINVAL  | $G
w        | $G/class                     | -vgpu                    | EINVAL  | $G
w        | $G/class                     | .vgpu                    | EINVAL  | $G
w        | $G/class                     | +vgpu                    | EINVAL  | $G
w        | $G/class                     | a/b                      | EINVAL  | $G
w        | $G/class                     | a:b                      | EINVAL  | $G
w        | $G/class                     | vg\xc3\xbc               | EINVAL  | $G
w        | $G/class                     | *64:c                    | EINVAL  | $G
w        | $G/class                     | vgpu\nother              | EINVAL  | $G
w        | $G/class                     | *4097:c                  | EFBIG   | $G
# groups/G/driver: "", a version drivers/ lists, or a driver bundle's (or host package's) name in media/
w        | $G/driver                    | latest                   | EINVAL  | $G
w        | $G/driver                    | 550                      | EINVAL  | $G
w        | $G/driver                    | 550.54.16.1.2            | EINVAL  | $G
w        | $G/driver                    | 550..54                  | EINVAL  | $G
w        | $G/driver                    | .550.54                  | EINVAL  | $G
w        | $G/driver                    | 550.54.                  | EINVAL  | $G
w        | $G/driver                    | \s550.54.16              | EINVAL  | $G
w        | $G/driver                    | 550.54.16\s              | EINVAL  | $G
w        | $G/driver                    | +550.54.16               | EINVAL  | $G
w        | $G/driver                    | -550.54                  | EINVAL  | $G
w        | $G/driver                    | v550.54.16               | EINVAL  | $G
w        | $G/driver                    | 1234567.1                | EINVAL  | $G
w        | $G/driver                    | 550.54.16 535.161.05     | EINVAL  | $G
w        | $G/driver                    | 550.54.16\n535.161.05    | EINVAL  | $G
w        | $G/driver                    | 550,54,16                | EINVAL  | $G
w        | $G/driver                    | 550.54.16\x00            | EINVAL  | $G
w        | $G/driver                    | guest.iso                | EINVAL  | $G
w        | $G/driver                    | a/b.zip                  | EINVAL  | $G
w        | $G/driver                    | bad.zip                  | EINVAL  | $G
w        | $G/driver                    | 1.2.3.4                  | ENOENT  | $G
w        | $G/driver                    | 535.161.05               | ENOENT  | $G
w        | $G/driver                    | 999.99                   | ENOENT  | $G
w        | $G/driver                    | NVIDIA-GRID-Linux-KVM-535.161.05-535.161.08-538.46.zip | ENOENT | $G
w        | $G/driver                    | NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run | ENOENT | $G
# groups/G/profile: "" or a profile every GPU of the group offers
w        | $G/profile                   | NOPE-1Q                  | ENOENT  | $G
w        | $G/profile                   | \sA16-4Q                 | EINVAL  | $G
w        | $G/profile                   | A16-4Q\s                 | EINVAL  | $G
w        | $G/profile                   | a16-4q                   | ENOENT  | $G
w        | $G/profile                   | A16-4Q A16-2Q            | EINVAL  | $G
w        | $G/profile                   | A16-4Q\nA16-2Q           | EINVAL  | $G
w        | $G/profile                   | A16-2Q                   | EBUSY   | $G
w        | $G/profile                   |                          | EBUSY   | $G
w        | $G/profile                   | A40-4Q                   | EINVAL  | $G
w        | $G/profile                   | \xa0                     | EINVAL  | $G
w        | groups/t4/profile            | A16-4Q                   | EINVAL  | groups/t4
w        | groups/t4/profile            | L40S-48Q                 | EINVAL  | groups/t4
# groups/G/make_guest_iso: a boolean
w        | $G/make_guest_iso            |                          | EINVAL  | $G
w        | $G/make_guest_iso            | 2                        | EINVAL  | $G
w        | $G/make_guest_iso            | \son                     | EINVAL  | $G
w        | $G/make_guest_iso            | yes!                     | EINVAL  | $G
w        | $G/make_guest_iso            | on off                   | EINVAL  | $G
w        | $G/make_guest_iso            | -0                       | EINVAL  | $G
w        | $G/make_guest_iso            | 1\n0                     | EINVAL  | $G
w        | $G/make_guest_iso            | \x00                     | EINVAL  | $G
w        | $G/make_guest_iso            | 1                        | EINVAL  | $G
# groups/G/driver_iso: "" or a valid ISO in media/
w        | $G/driver_iso                | a/b.iso                  | EINVAL  | $G
w        | $G/driver_iso                | ../x.iso                 | EINVAL  | $G
w        | $G/driver_iso                | /abs.iso                 | EINVAL  | $G
w        | $G/driver_iso                | .                        | EINVAL  | $G
w        | $G/driver_iso                | ..                       | EINVAL  | $G
w        | $G/driver_iso                | x\ny.iso                 | EINVAL  | $G
w        | $G/driver_iso                | x\x01.iso                | EINVAL  | $G
w        | $G/driver_iso                | *256:i                   | EINVAL  | $G
w        | $G/driver_iso                | x.iso\xff                | EINVAL  | $G
w        | $G/driver_iso                | bad.iso                  | EINVAL  | $G
w        | $G/driver_iso                | bad.zip                  | EINVAL  | $G
w        | $G/driver_iso                | t120.tok                 | EINVAL  | $G
w        | $G/driver_iso                | NVIDIA-GRID-Linux-KVM-470.256.02-475.14.zip | EINVAL | $G
w        | $G/driver_iso                | missing.iso              | ENOENT  | $G
w        | $G/driver_iso                | guest\sdrivers.iso       | ENOENT  | $G
w        | $G/driver_iso                | GUEST.ISO                | ENOENT  | $G
# groups/G/client_token: "" or a .tok file in media/
w        | $G/client_token              | a/b.tok                  | EINVAL  | $G
w        | $G/client_token              | ..                       | EINVAL  | $G
w        | $G/client_token              | x\ny.tok                 | EINVAL  | $G
w        | $G/client_token              | *256:t                   | EINVAL  | $G
w        | $G/client_token              | x.tok\xff                | EINVAL  | $G
w        | $G/client_token              | guest.iso                | EINVAL  | $G
w        | $G/client_token              | missing.tok              | ENOENT  | $G
# groups/G/policy: depth-first | breadth-first
w        | $G/policy                    |                          | EINVAL  | $G
w        | $G/policy                    | depth_first              | EINVAL  | $G
w        | $G/policy                    | Depth-First              | EINVAL  | $G
w        | $G/policy                    | \sdepth-first            | EINVAL  | $G
w        | $G/policy                    | depth-first\s            | EINVAL  | $G
w        | $G/policy                    | depth-first breadth-first | EINVAL | $G
w        | $G/policy                    | depth-first\nbreadth-first | EINVAL | $G
w        | $G/policy                    | first                    | EINVAL  | $G
w        | $G/policy                    | *4097:p                  | EFBIG   | $G
# groups/G/rules/R: node, vendor, device, slot, enabled, the filters, identity, accept_hardware
w        | $RL/node                     | bad node                 | EINVAL  | $RL
w        | $RL/node                     | a/b                      | EINVAL  | $RL
w        | $RL/node                     | \shost                   | EINVAL  | $RL
w        | $RL/node                     | host\s                   | EINVAL  | $RL
w        | $RL/node                     | h\xc3\xb4st              | EINVAL  | $RL
w        | $RL/node                     | a:b                      | EINVAL  | $RL
w        | $RL/node                     | host\nother              | EINVAL  | $RL
w        | $RL/node                     | *254:n                   | EINVAL  | $RL
w        | $RL/vendor                   | nvidia                   | EINVAL  | $RL
w        | $RL/vendor                   | 0x                       | EINVAL  | $RL
w        | $RL/vendor                   | 0x10000                  | EINVAL  | $RL
w        | $RL/vendor                   | 10de0                    | EINVAL  | $RL
w        | $RL/vendor                   | -10de                    | EINVAL  | $RL
w        | $RL/vendor                   | +10de                    | EINVAL  | $RL
w        | $RL/vendor                   | \s10de                   | EINVAL  | $RL
w        | $RL/vendor                   | 10de\s                   | EINVAL  | $RL
w        | $RL/vendor                   | 0x10de 0x1002            | EINVAL  | $RL
w        | $RL/vendor                   | 0x10de\n0x1002           | EINVAL  | $RL
w        | $RL/vendor                   | 0xg                      | EINVAL  | $RL
w        | $RL/device                   | 0X                       | EINVAL  | $RL
w        | $RL/device                   | 12345                    | EINVAL  | $RL
w        | $RL/device                   | 25b6x                    | EINVAL  | $RL
w        | $RL/device                   | 0x-1                     | EINVAL  | $RL
w        | $RL/device                   | 25 b6                    | EINVAL  | $RL
w        | $RL/slot                     | 0000:46:00.8             | EINVAL  | $RL
w        | $RL/slot                     | 0000:46:20.0             | EINVAL  | $RL
w        | $RL/slot                     | 46:00                    | EINVAL  | $RL
w        | $RL/slot                     | garbage                  | EINVAL  | $RL
w        | $RL/slot                     | \s0000:43:00.0           | EINVAL  | $RL
w        | $RL/slot                     | 0000:43:00.0\s           | EINVAL  | $RL
w        | $RL/slot                     | 0000:43:00.0,0000:44:00.0 | EINVAL | $RL
w        | $RL/slot                     | 0000:43:00.0\n0000:44:00.0 | EINVAL | $RL
w        | $RL/slot                     | [43:00.0                 | EINVAL  | $RL
w        | $RL/slot                     | 0000:4g:00.0             | EINVAL  | $RL
w        | $RL/slot                     | *                        | EINVAL  | $RL
w        | $RL/slot                     | 0000:43:00.0:1           | EINVAL  | $RL
w        | $RL/enabled                  | 2                        | EINVAL  | $RL
w        | $RL/enabled                  |                          | EINVAL  | $RL
w        | $RL/enabled                  | \s1                      | EINVAL  | $RL
w        | $RL/enabled                  | -1                       | EINVAL  | $RL
w        | $RL/enabled                  | enabled                  | EINVAL  | $RL
w        | $RL/enabled                  | 1 1                      | EINVAL  | $RL
w        | $RL/enabled                  | 1\x00                    | EINVAL  | $RL
w        | $RL/name                     | NVIDIA\nA16              | EINVAL  | $RL
w        | $RL/name                     | NVIDIA\xff               | EINVAL  | $RL
w        | $RL/name                     | *256:n                   | EINVAL  | $RL
w        | $RL/name_match               |                          | EINVAL  | $RL
w        | $RL/name_match               | Equals                   | EINVAL  | $RL
w        | $RL/name_match               | begins\swith             | EINVAL  | $RL
w        | $RL/name_match               | regex\s                  | EINVAL  | $RL
w        | $RL/type_id                  | nvidia-1\nnvidia-2       | EINVAL  | $RL
w        | $RL/type_id_match            | regexp                   | EINVAL  | $RL
w        | $RL/function                 |                          | EINVAL  | $RL
w        | $RL/function                 | vf                       | EINVAL  | $RL
w        | $RL/function                 | Physical                 | EINVAL  | $RL
w        | $RL/identity                 | 10de:25b6                | EINVAL  | $RL
w        | $RL/identity                 | 0x10de:25b6\s10de:14a9   | EINVAL  | $RL
w        | $RL/identity                 | 10de:25b6\s\s10de:14a9   | EINVAL  | $RL
w        | $RL/identity                 | 10de:25b6\n10de:14a9     | EINVAL  | $RL
w        | $RL/accept_hardware          | maybe                    | EINVAL  | $RL
w        | $RL/accept_hardware          | 2                        | EINVAL  | $RL
r        | $RL/accept_hardware          |                          | EACCES  | -
wa       | $RL/slot                     | 0000:43:00.0             | EINVAL  | $RL
wc       | $RL/slots                    | 0000:43:00.0             | ENOENT  | $RL
# vms/VM/tenant: "" or a tenant of tenants/ (none here); restart: write-only, 1
w        | $V/tenant                    | acme                     | ENOENT  | $V
w        | $V/tenant                    | \s                       | EINVAL  | $V
w        | $V/tenant                    | acme corp                | EINVAL  | $V
w        | $V/tenant                    | acme\nbob                | EINVAL  | $V
w        | $V/tenant                    | \x00                     | EINVAL  | $V
w        | $V/tenant                    | caf\xe9                  | EINVAL  | $V
w        | $V/tenant                    | *4097:t                  | EFBIG   | $V
wo       | $V/tenant                    |                          | EINVAL  | $V
w        | $V/restart                   | 2                        | EINVAL  | $V
w        | $V/restart                   |                          | EINVAL  | $V
w        | $V/restart                   | restart                  | EINVAL  | $V
w        | $V/restart                   | \s1                      | EINVAL  | $V
w        | $V/restart                   | 1 1                      | EINVAL  | $V
w        | $V/restart                   | -1                       | EINVAL  | $V
w        | $V/restart                   | 1\n1                     | EINVAL  | $V
w        | $V/restart                   | 1\x00                    | EINVAL  | $V
r        | $V/restart                   |                          | EACCES  | -
wc       | $V/tenants                   | acme                     | ENOENT  | $V
# vms/VM/devices/DEV: text, group, count 1..64, frame_rate_limit 0..1000, booleans
w        | $D/description               | a\nb                     | EINVAL  | $D
w        | $D/description               | \x01                     | EINVAL  | $D
w        | $D/description               | caf\xe9                  | EINVAL  | $D
w        | $D/description               | a\x00b                   | EINVAL  | $D
w        | $D/description               | *4097:x                  | EFBIG   | $D
wo       | $D/description               | seat                     | EINVAL  | $D
w        | $D/group                     | nope                     | ENOENT  | $D
w        | $D/group                     | \sa16                    | EINVAL  | $D
w        | $D/group                     | a16\s                    | EINVAL  | $D
w        | $D/group                     | A16                      | ENOENT  | $D
w        | $D/group                     | a16 t4                   | EINVAL  | $D
w        | $D/group                     | a16\nt4                  | EINVAL  | $D
w        | $D/group                     | a16\x00                  | EINVAL  | $D
w        | $D/group                     | \xff                     | EINVAL  | $D
w        | $D/count                     | 0                        | EINVAL  | $D
w        | $D/count                     | 65                       | EINVAL  | $D
w        | $D/count                     | -1                       | EINVAL  | $D
w        | $D/count                     | +2                       | EINVAL  | $D
w        | $D/count                     | \s2                      | EINVAL  | $D
w        | $D/count                     | 2\s                      | EINVAL  | $D
w        | $D/count                     | 02                       | EINVAL  | $D
w        | $D/count                     | 2\n                      | EINVAL  | $D
w        | $D/count                     |                          | EINVAL  | $D
w        | $D/count                     | two                      | EINVAL  | $D
w        | $D/count                     | 2.0                      | EINVAL  | $D
w        | $D/count                     | 0x2                      | EINVAL  | $D
w        | $D/count                     | 1e1                      | EINVAL  | $D
w        | $D/count                     | 1 2                      | EINVAL  | $D
w        | $D/count                     | 1\n2                     | EINVAL  | $D
w        | $D/count                     | 4294967298               | EINVAL  | $D
w        | $D/count                     | 18446744073709551618     | EINVAL  | $D
w        | $D/count                     | \xef\xbc\x92             | EINVAL  | $D
w        | $D/count                     | 64                       | ENOSPC  | $D
wa       | $D/count                     | 2                        | EINVAL  | $D
w        | $D/frame_rate_limit          | 1001                     | EINVAL  | $D
w        | $D/frame_rate_limit          | -1                       | EINVAL  | $D
w        | $D/frame_rate_limit          | -0                       | EINVAL  | $D
w        | $D/frame_rate_limit          | +0                       | EINVAL  | $D
w        | $D/frame_rate_limit          | 00                       | EINVAL  | $D
w        | $D/frame_rate_limit          | \s0                      | EINVAL  | $D
w        | $D/frame_rate_limit          | 0\s                      | EINVAL  | $D
w        | $D/frame_rate_limit          | 60fps                    | EINVAL  | $D
w        | $D/frame_rate_limit          | 1000.0                   | EINVAL  | $D
w        | $D/frame_rate_limit          | 4294967296               | EINVAL  | $D
w        | $D/frame_rate_limit          | 0x0                      | EINVAL  | $D
w        | $D/attach_guest_drivers      | 2                        | EINVAL  | $D
w        | $D/attach_guest_drivers      |                          | EINVAL  | $D
w        | $D/disable_console_vnc       | \s1                      | EINVAL  | $D
w        | $D/disable_console_vnc       | 1\n0                     | EINVAL  | $D
w        | $D/enable_unified_memory     | yes!                     | EINVAL  | $D
w        | $D/enable_unified_memory     | \xff                     | EINVAL  | $D
w        | $D/enable_cuda_debuggers     | 0 1                      | EINVAL  | $D
w        | $D/enable_cuda_debuggers     | +1                       | EINVAL  | $D
w        | $D/enable_cuda_profilers     | -1                       | EINVAL  | $D
w        | $D/enable_cuda_profilers     | offf                     | EINVAL  | $D
w        | $F/count                     | +1                       | EINVAL  | $F
w        | $F/count                     | 01                       | EINVAL  | $F
w        | $F/count                     | \s1                      | EINVAL  | $F
w        | $F/group                     | nope                     | ENOENT  | $F
wc       | $D/counts                    | 2                        | ENOENT  | $D
# a device of a running VM: its vGPUs and options are held
w        | $R/disable_console_vnc       | 1                        | EBUSY   | $R
w        | $R/enable_unified_memory     | on                       | EBUSY   | $R
w        | $R/frame_rate_limit          | 30                       | EBUSY   | $R
w        | $R/group                     |                          | EBUSY   | $R
w        | $R/group                     | t4                       | EBUSY   | $R
rmdir    | $R                           |                          | EBUSY   | $R
# read-only files: opening one for writing is EACCES
w        | README                       | x                        | EACCES  | /
w        | version                      | 9                        | EACCES  | /
w        | events                       | forged                   | EACCES  | /
w        | host/name                    | x                        | EACCES  | host
w        | host/driver_version          | 535.161.05               | EACCES  | host
w        | host/reboot_required         | 0                        | EACCES  | host
w        | host/pending_driver          | 470.256.02               | EACCES  | host
w        | host/error                   |                          | EACCES  | host
w        | host/drift                   |                          | EACCES  | host
w        | $A/name                      | x                        | EACCES  | $A
w        | $A/vgpus_used                | 0                        | EACCES  | $A
w        | $A/profile                   | A16-2Q                   | EACCES  | $A
w        | $A/error                     |                          | EACCES  | $A
w        | $A/types/A16-4Q/available    | 9                        | EACCES  | $A/types/A16-4Q
w        | profiles/A16-4Q/gpus         | x                        | EACCES  | profiles/A16-4Q
w        | $G/type                      | usb                      | EACCES  | $G
w        | $G/status                    | ready                    | EACCES  | $G
w        | $G/gpus                      | 0000:47:00.0             | EACCES  | $G
w        | $G/vgpus_free                | 100                      | EACCES  | $G
w        | $G/iso_status                | ready                    | EACCES  | $G
w        | $G/iso_error                 |                          | EACCES  | $G
w        | $G/error                     |                          | EACCES  | $G
w        | $RL/gpus                     | 0000:47:00.0             | EACCES  | $RL
w        | $V/uuid                      | x                        | EACCES  | $V
w        | $V/state                     | running                  | EACCES  | $V
w        | $V/definition                | <domain/>                | EACCES  | $V
w        | $V/restart_required          | 0                        | EACCES  | $V
w        | $D/type                      | x                        | EACCES  | $D
w        | $D/status                    | attached                 | EACCES  | $D
w        | vgpus/$U/state               | removing                 | EACCES  | vgpus/$U
w        | vgpus/$U/params              | x                        | EACCES  | vgpus/$U
w        | $G                           | x                        | EISDIR  | -
# new files: only attributes, and editors' scratch files where a file is writable
wc       | x                            | x                        | ENOENT  | /
wc       | .tmpx                        | x                        | EACCES  | /
wc       | groups/x                     | x                        | ENOENT  | groups
wc       | groups/.tmpx                 | x                        | EACCES  | groups
wc       | $A/types/A16-4Q/sedA1b2C3    | x                        | EACCES  | $A/types/A16-4Q
wc       | vgpus/$U/x~                  | x                        | EACCES  | vgpus/$U
wc       | vgpus/$U/y                   | x                        | ENOENT  | vgpus/$U
wc       | vms/nosuch/x                 | x                        | ENOENT  | -
# mkdir: objects only where mkdir makes them, with valid names
mkdir    | x                            |                          | EPERM   | /
mkdir    | host/x                       |                          | EPERM   | host
mkdir    | gpus/x                       |                          | EPERM   | gpus
mkdir    | $A/x                         |                          | EPERM   | $A
mkdir    | $A/types/x                   |                          | EPERM   | $A/types
mkdir    | $A/types/A16-4Q/x            |                          | EPERM   | $A/types/A16-4Q
mkdir    | $A/vgpus/x                   |                          | EPERM   | $A/vgpus
mkdir    | profiles/x                   |                          | EPERM   | profiles
mkdir    | vgpus/x                      |                          | EPERM   | vgpus
mkdir    | vms/x                        |                          | EPERM   | vms
mkdir    | $V/x                         |                          | EPERM   | $V
mkdir    | $G/x                         |                          | EPERM   | $G
mkdir    | $G/profiles/x                |                          | EPERM   | $G/profiles
mkdir    | $G/devices/x                 |                          | EPERM   | $G/devices
mkdir    | $RL/x                        |                          | EPERM   | $RL
mkdir    | $D/x                         |                          | EPERM   | $D
mkdir    | $D/vgpus/x                   |                          | EPERM   | $D/vgpus
mkdir    | $G                           |                          | EEXIST  | -
mkdir    | $RL                          |                          | EEXIST  | -
mkdir    | $D                           |                          | EEXIST  | -
mkdir    | $G/description               |                          | EEXIST  | -
mkdir    | groups/a b                   |                          | EINVAL  | groups
mkdir    | groups/-x                    |                          | EINVAL  | groups
mkdir    | groups/.x                    |                          | EINVAL  | groups
mkdir    | groups/a:b                   |                          | EINVAL  | groups
mkdir    | groups/x\nFAKE               |                          | EINVAL  | groups
mkdir    | groups/x\n2026-01-01T00:00:00Z groups: refused (EPERM): forged | | EINVAL | groups
mkdir    | groups/a\tb                  |                          | EINVAL  | groups
mkdir    | groups/caf\xe9               |                          | EINVAL  | groups
mkdir    | groups/*64:g                 |                          | EINVAL  | groups
mkdir    | groups/*256:g                |                          | EINVAL  | groups
mkdir    | groups/*1025:g               |                          | ENAMETOOLONG | -
mkdir    | $G/rules/r 1                 |                          | EINVAL  | $G
mkdir    | $G/rules/.r                  |                          | EINVAL  | $G
mkdir    | $V/devices/gpu 1             |                          | EINVAL  | $V
mkdir    | $V/devices/a:b               |                          | EINVAL  | $V
mkdir    | $V/devices/gpu\x01           |                          | EINVAL  | $V
mkdir    | vms/nosuch/devices/x         |                          | ENOENT  | -
mkdir    | groups/nosuch/rules/x        |                          | ENOENT  | -
# rmdir: only objects, and not while in use
rmdir    | host                         |                          | EPERM   | /
rmdir    | groups                       |                          | EPERM   | /
rmdir    | profiles                     |                          | EPERM   | /
rmdir    | vgpus                        |                          | EPERM   | /
rmdir    | $A                           |                          | EPERM   | gpus
rmdir    | $A/types                     |                          | EPERM   | $A
rmdir    | $A/types/A16-4Q              |                          | EPERM   | $A/types
rmdir    | profiles/A16-4Q              |                          | EPERM   | profiles
rmdir    | vgpus/$U                     |                          | EPERM   | vgpus
rmdir    | $V                           |                          | EPERM   | vms
rmdir    | $V/devices                   |                          | EPERM   | $V
rmdir    | $G/rules                     |                          | EPERM   | $G
rmdir    | $G/profiles                  |                          | EPERM   | $G
rmdir    | $G/devices                   |                          | EPERM   | $G
rmdir    | $D/vgpus                     |                          | EPERM   | $D
rmdir    | $G                           |                          | EBUSY   | $G
rmdir    | $G/description               |                          | ENOTDIR | -
rmdir    | $G/profiles/A16-4Q           |                          | ENOTDIR | -
rmdir    | $D/vgpus/$U                  |                          | ENOTDIR | -
rmdir    | groups/nosuch                |                          | ENOENT  | -
# unlink: attributes and links stay
unlink   | README                       |                          | EPERM   | /
unlink   | events                       |                          | EPERM   | /
unlink   | host/maintenance             |                          | EPERM   | host
unlink   | $A/group                     |                          | EPERM   | $A
unlink   | $A/name                      |                          | EPERM   | $A
unlink   | $A/types/A16-4Q/name         |                          | EPERM   | $A/types/A16-4Q
unlink   | profiles/A16-4Q/gpus         |                          | EPERM   | profiles/A16-4Q
unlink   | $G/description               |                          | EPERM   | $G
unlink   | $G/status                    |                          | EPERM   | $G
unlink   | $G/error                     |                          | EPERM   | $G
unlink   | $RL/slot                     |                          | EPERM   | $RL
unlink   | $V/restart                   |                          | EPERM   | $V
unlink   | $V/definition                |                          | EPERM   | $V
unlink   | $D/count                     |                          | EPERM   | $D
unlink   | vgpus/$U/state               |                          | EPERM   | vgpus/$U
unlink   | $G/profiles/A16-4Q           |                          | EPERM   | $G/profiles
unlink   | $G/devices/cad-ws02:gpu0     |                          | EPERM   | $G/devices
unlink   | $A/vgpus/$U                  |                          | EPERM   | $A/vgpus
unlink   | $D/vgpus/$U                  |                          | EPERM   | $D/vgpus
unlink   | $G                           |                          | EISDIR  | -
unlink   | $G/nosuch                    |                          | ENOENT  | -
# rename: nothing but scratch files over attributes
mv       | $G                           | groups/b16               | EPERM   | groups
mv       | groups/t4                    | $G                       | EPERM   | groups
mv       | $RL                          | $G/rules/r2              | EPERM   | $G/rules
mv       | $RL                          | groups/t4/rules/r1       | EPERM   | groups/t4/rules
mv       | $D                           | $V/devices/gpu9          | EPERM   | $V/devices
mv       | $D                           | vms/render01/devices/gpu0 | EPERM  | vms/render01/devices
mv       | $V                           | vms/cad-ws03             | EPERM   | vms
mv       | host                         | host2                    | EPERM   | /
mv       | $A                           | gpus/0000:49:00.0        | EPERM   | gpus
mv       | vgpus/$U                     | vgpus/x                  | EPERM   | vgpus
mv       | profiles/A16-4Q              | profiles/A16-5Q          | EPERM   | profiles
mv       | $G/description               | $G/notes                 | EPERM   | $G
mv       | $G/description               | $G/class                 | EPERM   | $G
mv       | $RL/slot                     | $RL/node                 | EPERM   | $RL
mv       | vgpus/$U/state               | vgpus/$U/x               | EPERM   | vgpus/$U
mv       | host/maintenance             | $G/make_guest_iso        | EPERM   | $G
mv       | README                       | README.txt               | EPERM   | /
mv       | events                       | events.old               | EPERM   | /
mv       | $A/group                     | gpus/0000:44:00.0/group  | EPERM   | gpus/0000:44:00.0
mv       | $G/profiles/A16-4Q           | $G/profiles/A16-2Q       | EPERM   | $G/profiles
mv       | $G/devices/cad-ws02:gpu0     | $G/devices/x             | EPERM   | $G/devices
mv       | $D/vgpus/$U                  | $D/vgpus/x               | EPERM   | $D/vgpus
mv       | $G/description               | /tmp/vgpufs-t120-out     | EXDEV   | -
mv       | $G/nosuch                    | $G/x                     | ENOENT  | -
mvx      | $G/description               | $G/class                 | EINVAL  | $G
# a scratch file renamed over an attribute is one write of its content
mvtmp    | $G/status                    | ready                    | EACCES  | $G
mvtmp    | $A/name                      | NVIDIA H100              | EACCES  | $A
mvtmp    | events                       | forged                   | EACCES  | /
mvtmp    | README                       | x                        | EACCES  | /
mvtmp    | $V/definition                | <domain/>                | EACCES  | $V
mvtmp    | vgpus/$U/state               | removing                 | EACCES  | vgpus/$U
mvtmp    | $D/status                    | attached                 | EACCES  | $D
mvtmp    | host/name                    | x                        | EACCES  | host
mvtmp    | $D/count                     | abc                      | EINVAL  | $D
mvtmp    | $D/count                     | 2\n                      | EINVAL  | $D
mvtmp    | $G/description               | a\x00b                   | EINVAL  | $G
mvtmp    | $G/policy                    | *4097:p                  | EFBIG   | $G
mvtmp    | $G/profile                   | NOPE-1Q                  | ENOENT  | $G
mvtmp    | host/maintenance             | 2                        | EINVAL  | host
mvtmp    | $V/restart                   | 2                        | EINVAL  | $V
# links and special files: EPERM anywhere
link     | $G/description               | $G/desc2                 | EPERM   | $G
link     | README                       | README2                  | EPERM   | /
link     | $A/group                     | $A/group2                | EPERM   | $A
link     | $D/count                     | $D/count2                | EPERM   | $D
link     | $V/tenant                    | $V/owner                 | EPERM   | $V
link     | $G/profiles/A16-4Q           | $G/profiles/A40-4Q       | EPERM   | $G/profiles
link     | $G/description               | $G/class                 | EEXIST  | -
link     | $G                           | groups/b16               | EPERM   | -
symlink  | $G/x                         | description              | EPERM   | $G
symlink  | $G/profiles/A40-4Q           | ../../../profiles/A40-4Q | EPERM   | $G/profiles
symlink  | $G/devices/render01:gpu0     | ../../../vms/render01/devices/gpu0 | EPERM | $G/devices
symlink  | $D/vgpus/x                   | ../../../../../vgpus/x   | EPERM   | $D/vgpus
symlink  | groups/b16                   | a16                      | EPERM   | groups
symlink  | x                            | README                   | EPERM   | /
symlink  | host/x                       | name                     | EPERM   | host
symlink  | $A/vgpus/x                   | ../../../vgpus/x         | EPERM   | $A/vgpus
symlink  | $G/description               | x                        | EEXIST  | -
mkfifo   | $G/fifo                      |                          | EPERM   | $G
mkfifo   | host/fifo                    |                          | EPERM   | host
mkfifo   | fifo                         |                          | EPERM   | /
mkfifo   | $D/fifo                      |                          | EPERM   | $D
mkfifo   | groups/fifo                  |                          | EPERM   | groups
mkfifo   | $G/rules/fifo                |                          | EPERM   | $G/rules
mkfifo   | $G/description               |                          | EEXIST  | -
mknod    | $G/null                      |                          | EPERM   | $G
mknod    | null                         |                          | EPERM   | /
mknod    | $V/null                      |                          | EPERM   | $V
mknod    | $A/null                      |                          | EPERM   | $A
# truncate: read-only files EACCES, values only to 0 (which changes nothing)
truncate | $G/status                    | 0                        | EACCES  | $G
truncate | $G/iso_status                | 0                        | EACCES  | $G
truncate | $A/name                      | 0                        | EACCES  | $A
truncate | README                       | 0                        | EACCES  | /
truncate | events                       | 0                        | EACCES  | /
truncate | $V/definition                | 0                        | EACCES  | $V
truncate | vgpus/$U/state               | 0                        | EACCES  | vgpus/$U
truncate | host/name                    | 0                        | EACCES  | host
truncate | $D/status                    | 0                        | EACCES  | $D
truncate | $RL/gpus                     | 0                        | EACCES  | $RL
truncate | $G/description               | 5                        | EINVAL  | $G
truncate | $D/count                     | 1                        | EINVAL  | $D
truncate | host/maintenance             | 4096                     | EINVAL  | host
truncate | $V/restart                   | 1                        | EINVAL  | $V
truncate | $G                           | 0                        | EISDIR  | -
truncate | $G/profiles/A16-4Q           | 0                        | EISDIR  | -
# chmod and chown: only to what already is
chmod    | $G/description               | 600                      | EPERM   | $G
chmod    | $G/description               | 666                      | EPERM   | $G
chmod    | $G/description               | 4644                     | EPERM   | $G
chmod    | $G/status                    | 644                      | EPERM   | $G
chmod    | $V/restart                   | 644                      | EPERM   | $V
chmod    | $G                           | 700                      | EPERM   | $G
chmod    | $G/rules                     | 777                      | EPERM   | $G/rules
chmod    | README                       | 644                      | EPERM   | /
chmod    | $A                           | 700                      | EPERM   | $A
chmod    | $V                           | 777                      | EPERM   | $V
chmod    | $A/types/A16-4Q/name         | 600                      | EPERM   | $A/types/A16-4Q
chmod    | $G/profiles/A16-4Q           | 700                      | EPERM   | profiles/A16-4Q
chown    | $G/description               | 1000:-1                  | EPERM   | $G
chown    | $G/description               | -1:1000                  | EPERM   | $G
chown    | $G                           | 1000:1000                | EPERM   | $G
chown    | $D                           | 0:1                      | EPERM   | $D
chown    | vgpus/$U/state               | 1:1                      | EPERM   | vgpus/$U
chown    | README                       | 65534:-1                 | EPERM   | /
# extended attributes are not supported
setxattr | $G/description               |                          | EOPNOTSUPP | -
setxattr | $G                           |                          | EOPNOTSUPP | -
setxattr | README                       |                          | EOPNOTSUPP | -
setxattr | host/maintenance             |                          | EOPNOTSUPP | -
setxattr | $D                           |                          | EOPNOTSUPP | -
EOF

say "$N_CASES cases"
[ ${#FAILED[@]} = 0 ] || fail "${#FAILED[@]} of $N_CASES cases failed: ${FAILED[*]}"
pass "every case refused as expected and changed nothing"

say "after a restart the tree is as the set-up left it: no refusal reached the database"
# The worker is done; it goes first, as its command line names $MNT.
worker=$WORKER_PID
exec {WORKER[1]}>&-
wait "$worker" 2>/dev/null || true
restart_vgpufs
check_unchanged "$N_CASES refusals and a restart" "$SET_UP" \
	"$(tree_snapshot "$MNT/groups" "$MNT/host" "$MNT"/vms/*/devices)"
check_consistent
pass "state after a restart"
