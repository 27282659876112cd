#!/bin/bash
# A Python script (stdlib only) walks the whole tree and reads every file.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs

# A bundle and an ISO in media/, so that media-info/ and drivers/ have more than the
# running driver to show.
upload_bundle "$BUNDLE_535"
upload_iso walk.iso

say "os.walk + read of every file, whole and in 3-byte pieces"
python3 - "$MNT" <<'PY'
import os, stat, sys

root = sys.argv[1]
files = dirs = 0

def fail(msg):
    print("FAIL -", msg, file=sys.stderr)
    sys.exit(1)

# List values: one item a line, and empty when the list is (docs/tree.md, Conventions).
LISTS = {"gpus", "bundles", "guest_files", "used_by", "drift"}

def walk_error(err):
    fail("os.walk: %s" % err)

for top, subdirs, names in os.walk(root, onerror=walk_error):
    dirs += 1
    for name in names:
        path = os.path.join(top, name)
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            continue
        if not stat.S_ISREG(st.st_mode):
            fail("%s is neither a file, a directory nor a link" % path)
        if not st.st_mode & stat.S_IRUSR:
            continue  # write-only action file
        with open(path, "rb") as f:
            whole = f.read()
        pieces = b""
        with open(path, "rb", buffering=0) as f:
            while True:
                piece = f.read(3)
                if not piece:
                    break
                pieces += piece
        if pieces != whole:
            fail("%s: read in pieces %r, whole %r" % (path, pieces, whole))
        files += 1
        if os.path.relpath(top, root) == "media":
            # a stored file (bundle, ISO), read as it is: no value rules
            if len(whole) != st.st_size:
                fail("%s: read %d bytes, st_size %d" % (path, len(whole), st.st_size))
            continue
        if whole == b"" and name in LISTS:
            continue  # an empty list reads as empty
        if not whole.endswith(b"\n"):
            fail("%s does not end in a newline: %r" % (path, whole))
        if len(whole) > 4096 and os.path.relpath(path, root) not in ("README", "metrics"):
            fail("%s holds more than 4 KiB" % path)

if files < 50:
    fail("only %d files under %s" % (files, root))
print("read %d files in %d directories" % (files, dirs))
PY
pass "walked the tree"
