#!/bin/bash
# Counts what one write costs the daemon, in calls that do not depend on the machine:
# libvirt domain lookups, GetXMLDesc, DefineXML, XML parses and serialisations, sqlite
# transactions and sysfs opens (tools/bench/callcount.c, preloaded into the daemon).
# The demo host and demo VMs; each figure includes the work the write's own libvirt
# events cause afterwards (counted 1 s later).
#   tools/bench/count-ops.sh            # BUILD_DIR=build by default
# Any build of any version can be counted this way: set BUILD_DIR to it, and CALLCOUNT
# to a callcount.so (a version that predates it has none of its own).
set -eu
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC_DIR/build}
CALLCOUNT=${CALLCOUNT:-$BUILD_DIR/tools/bench/callcount.so}
export SRC_DIR BUILD_DIR
[ -f "$CALLCOUNT" ] || { echo "count-ops: no $CALLCOUNT (build it first)" >&2; exit 1; }
. "$SRC_DIR/tests/integration/lib.sh"

COUNTS=$TMP/counts
NAMES="lookup-by-name lookup-by-uuid get-xml-desc define-xml xml-parse xml-serialise sql-transaction sysfs-open"

start_sim demo.host
LIBVIRT_URI="test://$SRC_DIR/tools/hosts/demo-vms.xml"
LD_PRELOAD=$CALLCOUNT CALLCOUNT_FILE=$COUNTS CALLCOUNT_SYSFS=$SIM start_vgpufs
cd "$MNT"

read_counts() { od -An -v -t u8 -w64 "$COUNTS" | tr -s ' ' | sed 's/^ //'; }

# measure WHAT COMMAND...: one row of counts for COMMAND.
measure() {
	local what=$1 before after
	shift
	before=$(read_counts)
	"$@" >/dev/null
	sleep 1
	after=$(read_counts)
	printf '%-52s' "$what"
	paste <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") |
		awk '{ printf " %8d", $2 - $1 } END { print "" }'
}

mkdir groups/a16
echo 550.54.16 >groups/a16/driver
for g in 0000:43:00.0 0000:44:00.0; do echo a16 >gpus/$g/group; done
echo A16-4Q >groups/a16/profile
mkdir vms/cad-ws02/devices/gpu0
echo 2 >vms/cad-ws02/devices/gpu0/count

printf '%-52s' "operation"
for n in $NAMES; do printf ' %8.8s' "${n%%-*}"; done
echo
printf '%-52s' ""
for n in $NAMES; do printf ' %8.8s' "${n#*-}"; done
echo
measure "echo a16 > vms/cad-ws02/devices/gpu0/group (count 2)" \
	sh -c 'echo a16 >vms/cad-ws02/devices/gpu0/group'
measure "echo a16 > .../group again (no change)" sh -c 'echo a16 >vms/cad-ws02/devices/gpu0/group'
measure "echo 45 > .../frame_rate_limit" sh -c 'echo 45 >vms/cad-ws02/devices/gpu0/frame_rate_limit'
measure "echo text > .../description" sh -c 'echo text >vms/cad-ws02/devices/gpu0/description'
measure "rmdir vms/cad-ws02/devices/gpu0 (2 vGPUs)" rmdir vms/cad-ws02/devices/gpu0
measure "echo text > groups/a16/description" sh -c 'echo text >groups/a16/description'
measure "cat groups/a16/vgpus_free" cat groups/a16/vgpus_free
cd /
quit_vgpufs
