#!/bin/bash
# A group's status follows its GPUs, driver and profile; a driver other than
# the running one makes the group and the host ask for a reboot.
. "$(dirname "$0")/lib.sh"

start_sim demo.host
start_vgpufs
cd "$MNT"
running=$(cat host/driver_version)
check_eq host/driver_version 550.54.16 "$running"

say "no-gpus -> no-driver -> no-profile -> ready"
mkdir groups/a16
check_val groups/a16/status no-gpus
put gpus/0000:43:00.0/group a16
check_list groups/a16/gpus 0000:43:00.0
check_val groups/a16/status no-driver
put groups/a16/driver "$running"
check_val groups/a16/status no-profile
put groups/a16/profile A16-4Q
check_val groups/a16/status ready
pass "status steps"

say "vgpus_total/used/free count the profile's vGPUs on the group's GPUs (A16-4Q: 4 a GPU)"
check_val groups/a16/vgpus_total 4
check_val groups/a16/vgpus_used 0
check_val groups/a16/vgpus_free 4
put gpus/0000:44:00.0/group a16
check_list groups/a16/gpus $'0000:43:00.0\n0000:44:00.0'
check_val groups/a16/vgpus_total 8
check_val groups/a16/vgpus_free 8
put_refused "$EACCES" groups/a16/vgpus_total 100
put_refused "$EACCES" groups/a16/status ready
put_refused "$EACCES" groups/a16/gpus 0000:45:00.0
pass "capacity"

say "a driver that is not the running one: reboot-required, host/reboot_required 1"
check_val host/reboot_required 0
check_val host/pending_driver ""
upload_bundle "$BUNDLE_535" # drivers/ lists 535.161.05 from now on
put groups/a16/driver 535.161.05
check_val groups/a16/status reboot-required
check_val host/reboot_required 1
check_val host/pending_driver 535.161.05
put_refused "$EACCES" host/reboot_required 0
put_refused "$EACCES" host/pending_driver ""
put groups/a16/driver "$running"
check_val groups/a16/status ready
check_val host/reboot_required 0
check_val host/pending_driver ""
mkdir groups/empty
put groups/empty/driver 535.161.05
check_val host/reboot_required 1
check_val host/pending_driver 535.161.05
upload_bundle "$BUNDLE_470"
mkdir groups/old
put groups/old/driver 470.256.02
check_val host/pending_driver 535.161.05 # the newest that groups ask for
rmdir groups/empty
check_val host/reboot_required 1
check_val host/pending_driver 470.256.02
rmdir groups/old
check_val host/reboot_required 0
check_val host/pending_driver ""
pass "reboot-required"

say "clearing driver or profile, or removing the GPUs, steps back"
put groups/a16/profile ""
check_val groups/a16/status no-profile
check_val groups/a16/vgpus_total 0
put groups/a16/profile A16-4Q
put groups/a16/driver ""
check_val groups/a16/status no-driver
put groups/a16/driver "$running"
put gpus/0000:43:00.0/group ""
put gpus/0000:44:00.0/group ""
check_val groups/a16/status no-gpus
check_val groups/a16/vgpus_total 0
pass "steps back"

say "host/maintenance: a persisted boolean that does not stop a group being ready"
put gpus/0000:43:00.0/group a16
check_val host/maintenance 0
put host/maintenance On
check_val host/maintenance 1
check_val groups/a16/status ready
put_refused "$EINVAL" host/maintenance maybe
check_grep maintenance host/error
check_grep "^$EVENT_TIME host/maintenance = 1\$" events
cd /
restart_vgpufs
check_val "$MNT/host/maintenance" 1
put "$MNT/host/maintenance" false
restart_vgpufs
check_val "$MNT/host/maintenance" 0
check_val "$MNT/groups/a16/status" ready
pass "maintenance"

say "small.host runs 535.161.05: a group asking for 550.54.16 needs a reboot"
quit_vgpufs
stop_sim
rm -rf "$TMP/state"
start_sim small.host
start_vgpufs
cd "$MNT"
check_val host/driver_version 535.161.05
mkdir groups/t4
put gpus/0000:41:00.0/group t4
put groups/t4/profile T4-2Q
put_refused "$ENOENT" groups/t4/driver 550.54.16 # no bundle of it yet
upload_bundle "$BUNDLE_550"
put groups/t4/driver 550.54.16
check_val groups/t4/status reboot-required
check_val host/reboot_required 1
check_val host/pending_driver 550.54.16
put groups/t4/driver 535.161.05
check_val groups/t4/status ready
check_val groups/t4/vgpus_total 8
check_val host/reboot_required 0
check_val host/pending_driver ""
pass "small.host"
