/* daemon-work.h: the work the daemon counts itself (MOUNT/host/counters,
 * docs/tree.md), summed into the kinds the benchmark tables show next to each
 * time, so that a slow row says what it did too much of. */
#ifndef VGPUFS_BENCH_DAEMON_WORK_H
#define VGPUFS_BENCH_DAEMON_WORK_H

#include <stdbool.h>
#include <stddef.h>

enum work_kind { WORK_SYSFS_READS, WORK_SYSFS_WRITES, WORK_LIBVIRT, WORK_SQL, WORK_KINDS };

struct work {
	bool known;            /* false: no counters (a baseline, or a build without them) */
	double n[WORK_KINDS];
};

/* The column titles work_format fills, and what they mean. */
#define WORK_HEADER "sysfs-r sysfs-w libvirt     sql"
#define WORK_LEGEND \
	"sysfs-r sysfs-w libvirt sql: per operation (start-up: per start), the sysfs reads\n" \
	"and writes, libvirt calls and sqlite commits the daemon counted (host/counters,\n" \
	"read before and after, outside the timing); \"-\": not the daemon's work.\n"

/* The daemon's counts so far; .known is false when mount has no host/counters. */
struct work work_read(const char *mount);

/* after - before; known only when both are. */
struct work work_between(const struct work *before, const struct work *after);

/* The four columns of WORK_HEADER for w divided by ops, or "-" in each. */
void work_format(const struct work *w, double ops, char *buf, size_t size);

#endif
