/* metrics.h — what the engine counts for /vgpu/metrics beyond its model (allocations,
 * releases, refusals, recovery at start), each bumped in the one place it happens, and
 * the --metrics-textfile writer. Everything here runs with the engine lock held but
 * metrics_start and metrics_stop. The rendering itself is engine_metrics (engine.h). */
#ifndef VGPUFS_METRICS_H
#define VGPUFS_METRICS_H

#include <stddef.h>

/* What the start did to bring the journal and the host in line (recovery.c). */
enum recovery_action {
	RECOVERY_ROLLED_BACK,       /* a vGPU never acknowledged, removed */
	RECOVERY_REMOVAL_FINISHED,  /* a vGPU whose removal was acknowledged, removed */
	RECOVERY_VM_GONE,           /* a vGPU of a domain libvirt no longer has, freed */
	RECOVERY_RECREATED,         /* a vGPU the host had lost, made again */
	RECOVERY_RECREATE_FAILED,   /* one that could not be made again */
	RECOVERY_ACTIONS
};

#define METRICS_ERRNO_MAX 256  /* above every Linux errno */

struct metrics_writer;

struct metrics {
	/* vGPUs made for a device, acknowledged (change.c) */
	unsigned long long allocations;
	/* vGPUs released: a device's change acknowledged without them (change.c), or their
	 * domain undefined (recovery.c) */
	unsigned long long releases;
	unsigned long long refusals[METRICS_ERRNO_MAX];  /* by errno */
	unsigned long long recovery[RECOVERY_ACTIONS];
	struct metrics_writer *writer;   /* --metrics-textfile; NULL without it */
	unsigned long long textfile_written, textfile_failed;  /* its writes */
};

struct engine;

/* A refusal with -err (vrefuse, engine.c). */
void metrics_refused(struct metrics *m, int err);
void metrics_recovered(struct metrics *m, enum recovery_action action, size_t n);

/* --metrics-textfile DIR: writes DIR/vgpufs.prom now, after changes (metrics_changed)
 * and every METRICS_TEXTFILE_PERIOD_S, from a thread of its own. NULL dir: nothing. */
#define METRICS_TEXTFILE_NAME "vgpufs.prom"
#define METRICS_TEXTFILE_PERIOD_S 60
int metrics_start(struct engine *e, const char *dir);
void metrics_stop(struct engine *e);
/* Something changed (a new event): the file is written again soon. */
void metrics_changed(struct engine *e);

#endif
