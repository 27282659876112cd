/* metrics.c — the engine's model as metrics (docs/tree.md, "Metrics"): /vgpu/metrics and
 * the --metrics-textfile writer. exposition.c renders the one model in either format.
 *
 * Every value is what the tree's file of the same meaning reads, through the same getter
 * (gpu_usage_get, profile_available, group_get, tenant_share_get, vgpu_view_get), all
 * under one hold of the lock: one consistent picture, costing what reading those files
 * costs: the live ones through the host snapshot (each sysfs file read at most once per
 * 100 ms), and, as vgpus/<uuid>/state does, one libvirt lookup per vGPU of the engine's.
 *
 * The writer is a thread of its own, so no FUSE request waits for the disk: a change
 * (any new event) makes the file due, written once things settle for METRICS_SETTLE_MS,
 * and it is written every METRICS_TEXTFILE_PERIOD_S anyway, for the live values. */
#include "engine_internal.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define METRICS_SETTLE_MS 200

void metrics_refused(struct metrics *m, int err)
{
	assert(err < 0 && -err < METRICS_ERRNO_MAX);
	m->refusals[-err]++;
}

void metrics_recovered(struct metrics *m, enum recovery_action action, size_t n)
{
	assert(action < RECOVERY_ACTIONS);
	m->recovery[action] += n;
}

/* ---- the model ---- */

/* A count a tree's file read (getters print numbers). */
static unsigned long long count_of(const char *text)
{
	return strtoull(text, NULL, 10);
}

static void add_host(struct engine *e, struct exposition *x)
{
	char driver[64] = "";

	host_driver_version(&e->host, driver, sizeof(driver));
	exposition_family(x, "vgpufs_host", METRIC_INFO, "",
			  "This node: host/name, the vgpufs version, host/driver_version");
	exposition_sample(x, 1, "node", e->host_name, "version", VGPUFS_VERSION,
			  "driver_version", driver, NULL);
}

static int add_gpus(struct engine *e, struct exposition *x)
{
	size_t n = e->host.n_gpus;
	struct gpu_usage_info u[n + 1];
	static const struct {
		const char *name, *help;
	} counts[] = {
		{ "vgpufs_gpu_vgpus_used", "vGPUs on the GPU now, whoever made them "
		  "(gpus/<bdf>/vgpus_used)" },
		{ "vgpufs_gpu_vgpus_max", "vGPUs of its profile the GPU can hold, 0 without "
		  "one (gpus/<bdf>/vgpus_max)" },
	};

	for (size_t i = 0; i < n; i++) {
		int r = gpu_usage_get(e, &e->host.gpus[i], &u[i]);

		if (r < 0)
			return r;
	}
	exposition_family(x, "vgpufs_gpu", METRIC_INFO, "", "A physical GPU: gpus/<bdf>/name, "
			  "mode and profile (the one its vGPUs have, \"\" when none)");
	for (size_t i = 0; i < n; i++)
		exposition_sample(x, 1, "gpu", e->host.gpus[i].pci.bdf, "name",
				  e->host.gpus[i].name, "mode", gpu_mode_name(e->host.gpus[i].mode),
				  "profile", u[i].profile, NULL);
	exposition_family(x, "vgpufs_gpu_present", METRIC_GAUGE, "",
			  "1 while the GPU is on the bus, 0 while gone (gpus/<bdf>/state)");
	for (size_t i = 0; i < n; i++)
		exposition_sample(x, !e->host.gpus[i].gone, "gpu", e->host.gpus[i].pci.bdf, NULL);
	for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
		exposition_family(x, counts[c].name, METRIC_GAUGE, "", counts[c].help);
		for (size_t i = 0; i < n; i++)
			exposition_sample(x, c ? u[i].vgpus_max : u[i].vgpus_used, "gpu",
					  e->host.gpus[i].pci.bdf, NULL);
	}
	return 0;
}

/* Calls fn with each profile once, at the first GPU offering it (as profiles/ lists). */
static int for_each_profile_type(struct engine *e,
				 int (*fn)(struct engine *e, const struct vgpu_type *t,
					   struct exposition *x), struct exposition *x)
{
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		const struct gpu *gpu = &e->host.gpus[g];

		for (size_t t = 0; t < gpu->n_types; t++) {
			int r;

			if (!first_offer(&e->host, g, gpu->types[t].profile))
				continue;
			r = fn(e, &gpu->types[t], x);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int add_profile_available(struct engine *e, const struct vgpu_type *t,
				 struct exposition *x)
{
	int available = profile_available(e, t->profile);

	if (available >= 0)
		exposition_sample(x, (unsigned long long)available, "profile", t->profile, NULL);
	return available;
}

static int add_profile_framebuffer(struct engine *e, const struct vgpu_type *t,
				   struct exposition *x)
{
	(void)e;
	exposition_sample(x, (unsigned long long)t->framebuffer_mib << 20, "profile", t->profile,
			  NULL);
	return 0;
}

static int add_profiles(struct engine *e, struct exposition *x)
{
	int r;

	exposition_family(x, "vgpufs_profile_vgpus_available", METRIC_GAUGE, "",
			  "vGPUs of the profile that can still be made, over every GPU "
			  "(profiles/<profile>/available)");
	r = for_each_profile_type(e, add_profile_available, x);
	if (r < 0)
		return r;
	exposition_family(x, "vgpufs_profile_framebuffer_bytes", METRIC_GAUGE, "bytes",
			  "The framebuffer of one vGPU of the profile "
			  "(profiles/<profile>/framebuffer_mib)");
	return for_each_profile_type(e, add_profile_framebuffer, x);
}

/* One family per file of each of list's objects, as get reads it; the labels name the
 * object: values[0..n_labels) of each (the first of them its own name). */
struct object_files {
	const char *family, *file, *help;
};

static const struct object_files group_files[] = {
	{ "vgpufs_group_vgpus_max", "vgpus_total",
	  "vGPUs of its profile the group's GPUs can hold (groups/<g>/vgpus_total)" },
	{ "vgpufs_group_vgpus_used", "vgpus_used", "vGPUs of its profile on the group's GPUs "
	  "now (groups/<g>/vgpus_used)" },
	{ "vgpufs_group_vgpus_free", "vgpus_free", "vGPUs that can still be made, less what "
	  "tenants' shares reserve and do not use (groups/<g>/vgpus_free)" },
	{ "vgpufs_group_vgpus_reserved", "vgpus_reserved", "vGPUs tenants' shares on this node "
	  "reserve (groups/<g>/vgpus_reserved)" },
};

static const struct object_files share_files[] = {
	{ "vgpufs_share_vgpus_reserved", "vgpus_total",
	  "vGPUs the share reserves for its tenant (tenants/<t>/shares/<s>/vgpus_total)" },
	{ "vgpufs_share_vgpus_used", "vgpus_used", "vGPUs the tenant's devices hold from the "
	  "share (tenants/<t>/shares/<s>/vgpus_used)" },
	{ "vgpufs_share_vgpus_free", "vgpus_free", "vGPUs of the share not in use "
	  "(tenants/<t>/shares/<s>/vgpus_free)" },
};

/* The groups' files, by group and profile. */
static int add_groups(struct engine *e, struct exposition *x)
{
	char (*text)[2 + ARRAY_SIZE(group_files)][VALUE_SIZE_MAX + 1];
	size_t n = e->groups.n;
	int r = 0;

	text = calloc(n + 1, sizeof(*text));
	if (!text)
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct group *g = &e->groups.items[i];

		r = group_get(e, g, "profile", text[i][0], sizeof(text[i][0]));
		if (r >= 0)
			r = group_get(e, g, "status", text[i][1], sizeof(text[i][1]));
		for (size_t f = 0; f < ARRAY_SIZE(group_files) && r >= 0; f++)
			r = group_get(e, g, group_files[f].file, text[i][2 + f],
				      sizeof(text[i][2 + f]));
	}
	if (r >= 0) {
		exposition_family(x, "vgpufs_group", METRIC_INFO, "", "A resource group: "
				  "groups/<g>/profile and status");
		for (size_t i = 0; i < n; i++)
			exposition_sample(x, 1, "group", e->groups.items[i].name, "profile",
					  text[i][0], "status", text[i][1], NULL);
	}
	for (size_t f = 0; f < ARRAY_SIZE(group_files) && r >= 0; f++) {
		exposition_family(x, group_files[f].family, METRIC_GAUGE, "", group_files[f].help);
		for (size_t i = 0; i < n; i++)
			exposition_sample(x, count_of(text[i][2 + f]), "group",
					  e->groups.items[i].name, "profile", text[i][0], NULL);
	}
	free(text);
	return r;
}

/* The shares of this node, as tenants/<t>/shares/ has them. */
static int add_shares(struct engine *e, struct exposition *x)
{
	char (*text)[2 + ARRAY_SIZE(share_files)][VALUE_SIZE_MAX + 1];
	size_t n = e->tenants.n_shares;
	int r = 0;

	text = calloc(n + 1, sizeof(*text));
	if (!text)
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct share *s = &e->tenants.shares[i];

		r = tenant_share_get(e, s, "group", text[i][0], sizeof(text[i][0]));
		if (r >= 0)
			r = tenant_share_get(e, s, "profile", text[i][1], sizeof(text[i][1]));
		for (size_t f = 0; f < ARRAY_SIZE(share_files) && r >= 0; f++)
			r = tenant_share_get(e, s, share_files[f].file, text[i][2 + f],
					     sizeof(text[i][2 + f]));
	}
	for (size_t f = 0; f < ARRAY_SIZE(share_files) && r >= 0; f++) {
		exposition_family(x, share_files[f].family, METRIC_GAUGE, "", share_files[f].help);
		for (size_t i = 0; i < n; i++) {
			const struct share *s = &e->tenants.shares[i];

			if (!strcmp(s->node, e->host_name))
				exposition_sample(x, count_of(text[i][2 + f]), "tenant", s->tenant,
						  "share", s->form.name, "group", text[i][0],
						  "profile", text[i][1], NULL);
		}
	}
	free(text);
	return r;
}

/* The files of vgpus/<uuid>/ its info sample's labels are read from, in their order. */
static const char *const vgpu_files[] = { "gpu", "profile", "vm", "device", "tenant", "state" };

struct vgpu_walk {
	struct engine *e;
	struct exposition *x;
};

static int add_vgpu(const struct vgpu_view *v, void *ctx)
{
	struct vgpu_walk *w = ctx;
	char text[ARRAY_SIZE(vgpu_files)][256];

	for (size_t f = 0; f < ARRAY_SIZE(vgpu_files); f++) {
		int r = vgpu_view_get(w->e, v, vgpu_files[f], text[f], sizeof(text[f]));

		if (r < 0)
			return r;
	}
	exposition_sample(w->x, 1, "vgpu", v->uuid, "gpu", text[0], "profile", text[1], "vm",
			  text[2], "device", text[3], "tenant", text[4], "state", text[5], NULL);
	return 0;
}

static int add_vgpus(struct engine *e, struct exposition *x)
{
	exposition_family(x, "vgpufs_vgpu", METRIC_INFO, "", "A vGPU as vgpus/<uuid>/ reads: its "
			  "GPU, profile, VM, device, tenant and state (orphans included)");
	return for_each_vgpu_view(e, add_vgpu, &(struct vgpu_walk){ e, x });
}

/* The errnos docs/tree.md lists for refused writes: shown at 0 before the first. */
static const int usual_refusals[] = {
	EINVAL, EFBIG, ENOENT, EBUSY, ENOSPC, EEXIST, EACCES, EPERM, EOPNOTSUPP, ENODEV,
};

static bool usual_refusal(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(usual_refusals); i++)
		if (usual_refusals[i] == err)
			return true;
	return false;
}

static void add_refusal(struct exposition *x, const struct metrics *m, int err)
{
	const char *name = strerrorname_np(err);
	char number[16];

	if (!name) {
		snprintf(number, sizeof(number), "%d", err);
		name = number;
	}
	exposition_sample(x, m->refusals[err], "errno", name, NULL);
}

static const char *const recovery_names[RECOVERY_ACTIONS] = {
	[RECOVERY_ROLLED_BACK] = "rolled_back",
	[RECOVERY_REMOVAL_FINISHED] = "removal_finished",
	[RECOVERY_VM_GONE] = "vm_gone",
	[RECOVERY_RECREATED] = "recreated",
	[RECOVERY_RECREATE_FAILED] = "recreate_failed",
};

static void add_counters(struct engine *e, struct exposition *x)
{
	const struct metrics *m = &e->metrics;

	exposition_family(x, "vgpufs_allocations", METRIC_COUNTER, "",
			  "vGPUs made for devices and acknowledged, since the daemon started");
	exposition_sample(x, m->allocations, NULL);
	exposition_family(x, "vgpufs_releases", METRIC_COUNTER, "",
			  "vGPUs released by a device's change or their domain's undefining, "
			  "since the daemon started");
	exposition_sample(x, m->releases, NULL);
	exposition_family(x, "vgpufs_refusals", METRIC_COUNTER, "",
			  "Refused writes and operations (each a line in events), by errno");
	for (size_t i = 0; i < ARRAY_SIZE(usual_refusals); i++)
		add_refusal(x, m, usual_refusals[i]);
	for (int err = 1; err < METRICS_ERRNO_MAX; err++)
		if (m->refusals[err] && !usual_refusal(err))
			add_refusal(x, m, err);
	exposition_family(x, "vgpufs_recovery_actions", METRIC_COUNTER, "",
			  "What the start did to bring the journal, the host and the "
			  "definitions in line, by action");
	for (int a = 0; a < RECOVERY_ACTIONS; a++)
		exposition_sample(x, m->recovery[a], "action", recovery_names[a], NULL);
	if (!m->writer)
		return;
	exposition_family(x, "vgpufs_textfile_writes", METRIC_COUNTER, "",
			  "Writes of the --metrics-textfile file, by result");
	exposition_sample(x, m->textfile_written, "result", "written", NULL);
	exposition_sample(x, m->textfile_failed, "result", "failed", NULL);
}

int engine_metrics(struct engine *e, enum exposition_format format, char **out, size_t *len)
{
	LOCK_ENGINE(e);
	struct exposition x = { 0 };
	int r;

	*out = NULL;
	*len = 0;
	add_host(e, &x);
	r = add_gpus(e, &x);
	if (r >= 0)
		r = add_profiles(e, &x);
	if (r >= 0)
		r = add_groups(e, &x);
	if (r >= 0)
		r = add_shares(e, &x);
	if (r >= 0)
		r = add_vgpus(e, &x);
	if (r >= 0) {
		add_counters(e, &x);
		r = exposition_render(&x, format, out, len);
	}
	exposition_free(&x);
	return r < 0 ? r : 0;
}

/* ---- --metrics-textfile ---- */

struct metrics_writer {
	struct engine *e;
	char dir[PATH_MAX];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;   /* due or stopping */
	bool due;              /* something changed since the last write */
	bool stopping;
	bool failing;          /* the last write failed (said once in events) */
};

/* DIR/vgpufs.prom replaced at once, so that the collector never reads half of it: a
 * temporary file in DIR (a dot-name, which the collector skips), synced, renamed over it,
 * and the directory synced. */
static int write_atomically(const char *dir, const char *data, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	_cleanup_close_ int dir_fd = -1;
	int fd, r = 0;

	if (str_printf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, METRICS_TEXTFILE_NAME) < 0 ||
	    str_printf(path, sizeof(path), "%s/%s", dir, METRICS_TEXTFILE_NAME) < 0)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len && r >= 0;) {
		ssize_t n = write(fd, data + done, len - done);

		r = n < 0 ? -errno : 0;
		done += n > 0 ? (size_t)n : 0;
	}
	if (r >= 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dir_fd < 0 || fsync(dir_fd) < 0 ? -errno : 0;
}

/* A failure is said once in events, and so is the first write after one. */
static void write_textfile(struct metrics_writer *w)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = engine_metrics(w->e, EXPOSITION_PROMETHEUS, &text, &len);

	if (r >= 0)
		r = write_atomically(w->dir, text, len);
	LOCK_ENGINE(w->e);
	if (r < 0)
		w->e->metrics.textfile_failed++;
	else
		w->e->metrics.textfile_written++;
	if ((r < 0) == w->failing)
		return;
	w->failing = r < 0;
	if (r < 0)
		events_add(&w->e->events, "metrics: %s/%s not written: %s; tried again at the next "
			   "change and every %d s", w->dir, METRICS_TEXTFILE_NAME, strerror(-r),
			   METRICS_TEXTFILE_PERIOD_S);
	else
		events_add(&w->e->events, "metrics: %s/%s written again", w->dir,
			   METRICS_TEXTFILE_NAME);
}

static struct timespec after_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += ms % 1000 * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

/* Waits (w->lock held) until stopping, the deadline, or also due when wake_when_due. */
static void writer_wait(struct metrics_writer *w, long ms, bool wake_when_due)
{
	struct timespec deadline = after_ms(ms);

	while (!w->stopping && !(wake_when_due && w->due) &&
	       pthread_cond_timedwait(&w->cond, &w->lock, &deadline) != ETIMEDOUT)
		;
}

static void *writer_main(void *arg)
{
	struct metrics_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		if (w->due) /* let a burst of changes settle: one write for all */
			writer_wait(w, METRICS_SETTLE_MS, false);
		if (w->stopping)
			break;
		w->due = false;
		pthread_mutex_unlock(&w->lock);
		write_textfile(w);
		pthread_mutex_lock(&w->lock);
		writer_wait(w, METRICS_TEXTFILE_PERIOD_S * 1000L, true);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void writer_free(struct metrics_writer *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Sets the engine's writer (under the lock: events may come from any thread); returns the
 * one it had. */
static struct metrics_writer *swap_writer(struct engine *e, struct metrics_writer *w)
{
	LOCK_ENGINE(e);
	struct metrics_writer *was = e->metrics.writer;

	e->metrics.writer = w;
	return was;
}

int metrics_start(struct engine *e, const char *dir)
{
	struct metrics_writer *w;
	pthread_condattr_t attr;
	int r;

	if (!dir)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->e = e;
	w->due = true; /* the first write, at once */
	str_copy(w->dir, sizeof(w->dir), dir);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	swap_writer(e, w); /* before the thread runs: its first file has its counts */
	r = -pthread_create(&w->thread, NULL, writer_main, w);
	if (r < 0) {
		swap_writer(e, NULL);
		writer_free(w);
	}
	return r;
}

void metrics_stop(struct engine *e)
{
	struct metrics_writer *w = swap_writer(e, NULL);

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	writer_free(w);
}

void metrics_changed(struct engine *e)
{
	struct metrics_writer *w = e->metrics.writer;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->due = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}
