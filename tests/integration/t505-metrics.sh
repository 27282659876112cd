#!/bin/bash
# Metrics (docs/tree.md "Metrics"). After a workflow (two groups with GPUs, VM devices
# holding vGPUs, one of a VM named with a quote, a backslash and an accent, a tenant's
# share its VM draws on, refused writes, a vGPU released), /vgpu/metrics parses with
# python3-prometheus-client's OpenMetrics parser and every sample equals what the tree's
# files read (each GPU, profile, group, share and vGPU, and no other), the counters equal
# what the workflow did and what events says (refusals by errno, recovery at start); a
# rendering writes nothing and asks libvirt only the state of each vGPU.
# --metrics-textfile DIR keeps DIR/vgpufs.prom, which `promtool check metrics` accepts,
# with the same samples, replaced within seconds of a change (the periodic rewrite is a
# minute away) and never left half-written; a failed write is said once in events.
# Recovery at start is counted (vGPUs re-created after a simulated reboot, an
# allocation rolled back after a crash). Only root and the admin group may read metrics.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vms-lib.sh"
need promtool setpriv stat
PY=/usr/bin/python3 # the distribution's, which python3-prometheus-client is for
"$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
	{ echo "skip: $TEST_NAME needs $PY with python3-prometheus-client"; exit 77; }

# demo-vms.xml's domains and one whose name the metrics must escape
ODD='odd"vm\café'
sed "s|</node>||" "$SRC_DIR/tools/hosts/demo-vms.xml" >"$TMP/vms.xml"
cat >>"$TMP/vms.xml" <<EOF
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>$ODD</name>
    <uuid>6f1d2c3e-0000-4000-8000-0000000000aa</uuid>
    <memory unit='GiB'>1</memory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <test:runstate>5</test:runstate>
  </domain>
</node>
EOF
LIBVIRT_URI="test://$TMP/vms.xml"
PROM=$TMP/prom
mkdir "$PROM"
start_sim demo.host
start_vgpufs --metrics-textfile "$PROM"
cd "$MNT"

# The checker: parses one read of metrics (OpenMetrics), then compares every family
# with the tree's files; allocations and releases with what the test says; refusals and
# recovery actions with the lines of events.
cat >"$TMP/check.py" <<'PY'
import collections, os, re, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families

mnt, allocations, releases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open(os.path.join(mnt, "metrics")).read()
families = {f.name: f for f in text_string_to_metric_families(text)}

def fail(msg):
    print("FAIL -", msg, file=sys.stderr)
    sys.exit(1)

def read(*path):
    with open(os.path.join(mnt, *path)) as f:
        return f.read().rstrip("\n")

def samples(name, kind):
    f = families.get(name)
    if f is None:
        fail("no family %s" % name)
    if f.type != kind:
        fail("%s is a %s, not a %s" % (name, f.type, kind))
    return f.samples

def by(name, kind, *keys):
    """{label values: sample value} of a family, its keys unique."""
    out = {}
    for s in samples(name, kind):
        k = tuple(s.labels[key] for key in keys)
        if k in out:
            fail("%s has %r twice" % (name, k))
        out[k] = s.value
    return out

def same(what, want, got):
    if want != got:
        fail("%s: the tree says %r, metrics %r" % (what, want, got))

checked = 0
gpus = sorted(os.listdir(os.path.join(mnt, "gpus")))
same("GPUs", gpus, sorted(b for b, in by("vgpufs_gpu_present", "gauge", "gpu")))
for s in samples("vgpufs_gpu", "info"):
    b = s.labels["gpu"]
    same("gpus/%s name mode profile" % b,
         (read("gpus", b, "name"), read("gpus", b, "mode"), read("gpus", b, "profile")),
         (s.labels["name"], s.labels["mode"], s.labels["profile"]))
for fam, file in (("vgpufs_gpu_vgpus_used", "vgpus_used"), ("vgpufs_gpu_vgpus_max", "vgpus_max")):
    got = by(fam, "gauge", "gpu")
    same(fam + " GPUs", gpus, sorted(b for b, in got))
    for (b,), v in got.items():
        same("gpus/%s/%s" % (b, file), int(read("gpus", b, file)), v)
        checked += 1

profiles = sorted(os.listdir(os.path.join(mnt, "profiles")))
available = by("vgpufs_profile_vgpus_available", "gauge", "profile")
framebuffer = by("vgpufs_profile_framebuffer_bytes", "gauge", "profile")
same("profiles", profiles, sorted(p for p, in available))
same("profiles (framebuffer)", profiles, sorted(p for p, in framebuffer))
if families["vgpufs_profile_framebuffer_bytes"].unit != "bytes":
    fail("vgpufs_profile_framebuffer_bytes has no UNIT bytes")
for p in profiles:
    same("profiles/%s/available" % p, int(read("profiles", p, "available")), available[(p,)])
    same("profiles/%s/framebuffer_mib" % p, int(read("profiles", p, "framebuffer_mib")) << 20,
         framebuffer[(p,)])
    checked += 2

groups = sorted(os.listdir(os.path.join(mnt, "groups")))
info = by("vgpufs_group", "info", "group", "profile", "status")
same("groups", groups, sorted(g for g, _, _ in info))
for g, p, st in info:
    same("groups/%s profile status" % g, (read("groups", g, "profile"),
         read("groups", g, "status")), (p, st))
for what in ("max", "used", "free", "reserved"):
    file = "vgpus_total" if what == "max" else "vgpus_" + what
    got = by("vgpufs_group_vgpus_" + what, "gauge", "group", "profile")
    same("groups of vgpufs_group_vgpus_" + what, groups, sorted(g for g, _ in got))
    for (g, p), v in got.items():
        same("groups/%s/profile" % g, read("groups", g, "profile"), p)
        same("groups/%s/%s" % (g, file), int(read("groups", g, file)), v)
        checked += 1

shares = sorted((t, s) for t in os.listdir(os.path.join(mnt, "tenants"))
                for s in os.listdir(os.path.join(mnt, "tenants", t, "shares")))
for what, file in (("reserved", "vgpus_total"), ("used", "vgpus_used"), ("free", "vgpus_free")):
    got = by("vgpufs_share_vgpus_" + what, "gauge", "tenant", "share", "group", "profile")
    same("shares of vgpufs_share_vgpus_" + what, shares, sorted((t, s) for t, s, _, _ in got))
    for (t, s, g, p), v in got.items():
        d = ("tenants", t, "shares", s)
        same("%s/ group profile" % "/".join(d), (read(*d, "group"), read(*d, "profile")), (g, p))
        same("%s/%s" % ("/".join(d), file), int(read(*d, file)), v)
        checked += 1

vgpus = sorted(os.listdir(os.path.join(mnt, "vgpus")))
FILES = ("gpu", "profile", "vm", "device", "tenant", "state")
seen = []
for s in samples("vgpufs_vgpu", "info"):
    u = s.labels["vgpu"]
    seen.append(u)
    same("vgpus/%s/" % u, tuple(read("vgpus", u, f) for f in FILES),
         tuple(s.labels[f] for f in FILES))
    checked += 1
same("vGPUs", vgpus, sorted(seen))

def counter(name, key=None):
    f = samples(name, "counter")
    for s in f:
        if s.name != name + "_total":
            fail("%s has a sample %s" % (name, s.name))
    return {s.labels.get(key): s.value for s in f}

same("vgpufs_allocations_total", {None: allocations}, counter("vgpufs_allocations"))
same("vgpufs_releases_total", {None: releases}, counter("vgpufs_releases"))
events = read("events")
refused = collections.Counter(re.findall(r": refused \((E[A-Z0-9]+)\): ", events))
got = counter("vgpufs_refusals", "errno")
for e, n in got.items():
    same("vgpufs_refusals_total{errno=%s} (events' lines)" % e, refused.get(e, 0), n)
for e in refused:
    if e not in got:
        fail("events has %d %s refusals; metrics has none" % (refused[e], e))
recovery = {
    "rolled_back": len(re.findall(r"at the last stop; rolled back", events)),
    "removal_finished": len(re.findall(r"at the last stop; removal finished", events)),
    "vm_gone": sum(int(n) for n in re.findall(r"domain undefined; its (\d+) vGPUs", events)),
    "recreated": len(re.findall(r": re-created on ", events)),
    "recreate_failed": len(re.findall(r": could not be re-created: ", events)),
}
same("vgpufs_recovery_actions_total (events' lines)", recovery,
     counter("vgpufs_recovery_actions", "action"))
print("%d values equal the tree's; %d families; %d refusals" %
      (checked, len(families), sum(refused.values())))
PY

# check_metrics ALLOCATIONS RELEASES
check_metrics() {
	local out
	out=$("$PY" "$TMP/check.py" "$MNT" "$1" "$2") || fail "metrics do not match the tree"
	pass "metrics: $out"
}

# metric SAMPLE: its value in metrics ("" when there is none).
metric() { awk -v k="$1" '$1 == k { print $2 }' metrics; }

# The samples of a file: the same in both formats, but for the count of the writes of
# the .prom file, which a write moves.
samples() { grep -v -e '^#' -e '^vgpufs_textfile_writes_total' "$1"; }
prom_fresh() {
	[ -f "$PROM/vgpufs.prom" ] && [ "$(samples "$PROM/vgpufs.prom")" = "$(samples metrics)" ]
}

# check_prom: vgpufs.prom has what metrics has, passes promtool, is the only file there.
check_prom() {
	wait_until 10 "$PROM/vgpufs.prom has the samples of metrics" prom_fresh
	promtool check metrics <"$PROM/vgpufs.prom" >"$TMP/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$TMP/promtool.out")"
	check_eq "files in $PROM" vgpufs.prom "$(ls -A "$PROM")"
	check_eq "mode of vgpufs.prom" 644 "$(stat -c %a "$PROM/vgpufs.prom")"
	pass "vgpufs.prom: promtool check metrics passes; the samples of metrics"
}

say "at start: OpenMetrics with every GPU and profile, nothing allocated yet"
[ "$(cat metrics | tail -n 1)" = "# EOF" ] || fail "metrics does not end in # EOF"
check_metrics 0 0
check_prom

say "a workflow: groups, devices, a tenant's share, refusals, a release"
make_group t4 T4-2Q $T4_GPUS
make_group a16 A16-4Q $A16_GPUS
mkdir vms/cad-ws02/devices/gpu0
put vms/cad-ws02/devices/gpu0/count 2
put vms/cad-ws02/devices/gpu0/group t4
mkdir "vms/$ODD/devices/d1"
put "vms/$ODD/devices/d1/group" a16
mkdir tenants/acme
S=tenants/acme/nodes/$(<host/name)/devices/s1
mkdir "$S"
put "$S/count" 3
put "$S/group" t4
put vms/render01/tenant acme
mkdir vms/render01/devices/gpu0
put vms/render01/devices/gpu0/group s1
put_refused "$ENOSPC" vms/cad-ws02/devices/gpu0/count 64
put_refused "$EINVAL" groups/t4/policy sideways
put_refused "$ENOENT" "$S/group" no-such-group
put vms/cad-ws02/devices/gpu0/count 1
check_val tenants/acme/shares/s1/vgpus_used 1
check_eq "vGPUs" 3 "$(ls vgpus | wc -l)"
check_metrics 4 1
grep -qF 'vm="odd\"vm\\café"' metrics ||
	fail "metrics does not name $ODD escaped: $(grep odd metrics)"
check_eq "vgpufs_refusals_total{errno=\"ENOSPC\"}" 1 \
	"$(metric 'vgpufs_refusals_total{errno="ENOSPC"}')"
check_prom

say "one rendering writes nothing, runs no SQL, asks libvirt one lookup per vGPU"
# (the textfile writer is idle: no event since its last write, and its period is a minute)
before=$(<host/counters)
cat metrics >/dev/null
after=$(<host/counters)
cost() { echo $(($(awk -v k="$1" '$1 == k { print $2 }' <<<"$after") - \
	$(awk -v k="$1" '$1 == k { print $2 }' <<<"$before"))); }
for c in sysfs_writes libvirt_get_xml libvirt_defines libvirt_lists sql_transactions; do
	check_eq "$c of one rendering" 0 "$(cost $c)"
done
check_eq "libvirt_lookups of one rendering (the state of each vGPU)" 3 "$(cost libvirt_lookups)"
pass "one rendering: $(cost sysfs_reads) sysfs reads, $(cost libvirt_lookups) libvirt lookups"

say "a change reaches vgpufs.prom within seconds (the periodic write is a minute away)"
put vms/cad-ws02/devices/gpu0/count 2
check_metrics 5 1
wait_until 5 "vgpufs.prom counts the 5th allocation" \
	grep -qx 'vgpufs_allocations_total 5' "$PROM/vgpufs.prom"
check_prom

say "a failed write is said once in events, and so is the next good one"
mv "$PROM" "$PROM.away"
failed() { [ "$(metric 'vgpufs_textfile_writes_total{result="failed"}')" -ge "$1" ]; }
not_written() { grep -c "metrics: $PROM/vgpufs.prom not written" events; }
put groups/t4/description one
wait_until 10 "a failed write of vgpufs.prom" failed 1
put groups/t4/description two
wait_until 10 "a second failed write of vgpufs.prom" failed 2
check_eq "events about the failed writes" 1 "$(not_written)"
mv "$PROM.away" "$PROM"
put groups/t4/description three
wait_until 10 "events: written again" grep -q "metrics: $PROM/vgpufs.prom written again" events
check_eq "events about the failed writes" 1 "$(not_written)"
check_prom

say "who may read: root and the admin group, as events"
check_eq "mode, owner and group of metrics" "440 root $(stat -c %G events)" \
	"$(stat -c '%a %U %G' metrics)"
if [ "$(id -u)" = 0 ]; then
	nobody=(setpriv --reuid=nobody --regid="$(id -g nobody)")
	expect_fail_errno "$EACCES" "${nobody[@]}" --clear-groups cat metrics
	out=$("${nobody[@]}" --groups="$(stat -c %g metrics)" cat metrics) ||
		fail "nobody in the admin group cannot read metrics"
	[ "$(tail -n 1 <<<"$out")" = "# EOF" ] || fail "nobody in the admin group read: $out"
	pass "nobody: EACCES; nobody in the admin group: reads it"
else
	say "not root: the check as another user is left out"
fi

say "recovery at start: a reboot re-creates the vGPUs, a crash's allocation is rolled back"
cd /
quit_vgpufs
stop_sim
start_sim demo.host
start_vgpufs --metrics-textfile "$PROM"
cd "$MNT"
check_eq "vgpufs_recovery_actions_total{action=\"recreated\"}" 4 \
	"$(metric 'vgpufs_recovery_actions_total{action="recreated"}')"
check_metrics 0 0
check_prom
cd /
quit_vgpufs
VGPUFS_CRASHPOINT=allocate-journaled start_vgpufs --metrics-textfile "$PROM"
if (echo 3 >"$MNT/vms/cad-ws02/devices/gpu0/count") 2>/dev/null; then
	fail "echo 3 > count succeeded with VGPUFS_CRASHPOINT=allocate-journaled"
fi
reap_vgpufs
start_vgpufs --metrics-textfile "$PROM"
cd "$MNT"
check_eq "vgpufs_recovery_actions_total{action=\"rolled_back\"}" 1 \
	"$(metric 'vgpufs_recovery_actions_total{action="rolled_back"}')"
check_metrics 0 0
check_prom
stop_vgpufs
