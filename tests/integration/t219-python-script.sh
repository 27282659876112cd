#!/bin/bash
# A user's Python script (stdlib only) walks vms/, gives every stopped VM
# without a device one vGPU, and reads the result back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need python3

demo_up
make_group t4 T4-16Q $T4_GPUS

cat >"$TMP/give-vgpus.py" <<'PY'
import errno, os, sys

root = sys.argv[1]
vms = os.path.join(root, "vms")

def read(*path):
    with open(os.path.join(*path)) as f:
        return f.read().rstrip("\n")

def write(path, value):
    with open(path, "w") as f:
        f.write(value + "\n")

for vm in sorted(os.listdir(vms)):
    state = read(vms, vm, "state")
    devices = os.path.join(vms, vm, "devices")
    if state != "shutoff" or os.listdir(devices):
        print(f"{vm}: {state}, skipped")
        continue
    dev = os.path.join(devices, "gpu0")
    os.mkdir(dev)
    write(os.path.join(dev, "count"), "1")
    write(os.path.join(dev, "frame_rate_limit"), "30")
    try:
        write(os.path.join(dev, "group"), "t4")
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        print(f"{vm}: no room: {read(dev, 'error')}")
        continue
    vgpus = sorted(os.listdir(os.path.join(dev, "vgpus")))
    print(f"{vm}: {read(dev, 'status')} {len(vgpus)} {read(dev, 'vgpus', vgpus[0], 'params')}")
PY

say "run the script"
python3 "$TMP/give-vgpus.py" "$MNT" >"$TMP/out" 2>&1 || fail "the script failed: $(cat "$TMP/out")"
cat >"$TMP/expected" <<'EOF2'
cad-ws01: running, skipped
cad-ws02: allocated 1 frame_rate_limiter=30
ml-train01: running, skipped
render01: allocated 1 frame_rate_limiter=30
vdi-pool01: no room: group t4 has 0 free T4-16Q vGPUs on 2 GPUs; this needs 1
EOF2
check_file_eq "the script's output" "$TMP/expected" "$TMP/out"
pass "script output"
