/* crashpoint.h — fault injection for crash-recovery tests: crashpoint("name") kills the
 * process with SIGKILL when the environment variable VGPUFS_CRASHPOINT equals name, so
 * tests can stop the daemon at exact points of a change and check that the next start
 * repairs everything. A no-op otherwise. */
#ifndef VGPUFS_CRASHPOINT_H
#define VGPUFS_CRASHPOINT_H

void crashpoint(const char *name);

#endif
