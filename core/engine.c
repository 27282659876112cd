/* engine.c — see engine.h. */
#include "engine.h"
#include "host.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

struct engine {
	pthread_mutex_t lock;
	struct host host;
};

/* Runs one engine operation under the lock; the body is a statement using `e`. */
#define WITH_LOCK(e, body)                            \
	do {                                          \
		pthread_mutex_lock(&(e)->lock);       \
		body;                                 \
		pthread_mutex_unlock(&(e)->lock);     \
	} while (0)

int engine_open(const struct engine_options *opts, struct engine **out,
		char *err, size_t err_size)
{
	struct engine *e = calloc(1, sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	r = host_discover(&e->host, opts->sysfs_root, err, err_size);
	if (r < 0) {
		engine_close(e);
		return r;
	}
	*out = e;
	return 0;
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	host_free(&e->host);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int engine_host_info(struct engine *e, struct host_info *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (gethostname(out->name, sizeof(out->name) - 1) < 0)
		return -errno;
	WITH_LOCK(e, r = host_driver_version(&e->host, out->driver_version,
					     sizeof(out->driver_version)));
	return r;
}

static int list_gpus(struct engine *e, engine_name_fn fn, void *ctx)
{
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		int r = fn(e->host.gpus[i].pci.bdf, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_for_each_gpu(struct engine *e, engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_gpus(e, fn, ctx));
	return r;
}

static int gpu_info(struct engine *e, const char *bdf, struct gpu_info *out)
{
	struct gpu *g = host_find_gpu(&e->host, bdf);

	if (!g)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	str_copy(out->bdf, sizeof(out->bdf), g->pci.bdf);
	str_copy(out->name, sizeof(out->name), g->name);
	out->vendor = g->pci.vendor;
	out->device = g->pci.device;
	out->subsystem_vendor = g->pci.subsystem_vendor;
	out->subsystem_device = g->pci.subsystem_device;
	out->class_code = g->pci.class_code;
	out->numa_node = g->pci.numa_node;
	str_copy(out->iommu_group, sizeof(out->iommu_group), g->pci.iommu_group);
	str_copy(out->kernel_driver, sizeof(out->kernel_driver), g->pci.kernel_driver);
	out->mode = gpu_mode_name(g->mode);
	return 0;
}

int engine_gpu_info(struct engine *e, const char *bdf, struct gpu_info *out)
{
	int r;

	WITH_LOCK(e, r = gpu_info(e, bdf, out));
	return r;
}

static int gpu_usage(struct engine *e, const char *bdf, struct gpu_usage_info *out)
{
	struct gpu *g = host_find_gpu(&e->host, bdf);
	struct gpu_usage u;
	int r;

	if (!g)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	r = host_gpu_usage(&e->host, g, &u);
	if (r < 0)
		return r;
	out->vgpus_used = u.used;
	if (u.type_index >= 0) {
		str_copy(out->profile, sizeof(out->profile), g->types[u.type_index].profile);
		out->vgpus_max = g->types[u.type_index].max_instances;
	}
	return 0;
}

int engine_gpu_usage(struct engine *e, const char *bdf, struct gpu_usage_info *out)
{
	int r;

	WITH_LOCK(e, r = gpu_usage(e, bdf, out));
	return r;
}

static int list_gpu_types(struct engine *e, const char *bdf, engine_name_fn fn, void *ctx)
{
	struct gpu *g = host_find_gpu(&e->host, bdf);

	if (!g)
		return -ENOENT;
	for (size_t i = 0; i < g->n_types; i++) {
		int r = fn(g->types[i].profile, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_for_each_gpu_type(struct engine *e, const char *bdf, engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_gpu_types(e, bdf, fn, ctx));
	return r;
}

static int gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out, bool live)
{
	struct gpu *g = host_find_gpu(&e->host, bdf);
	int i = g ? gpu_find_type(g, profile) : -1, r = 0;

	if (i < 0)
		return -ENOENT;
	if (live)
		r = host_type_available(&e->host, g, (size_t)i);
	if (out)
		*out = g->types[i];
	return r;
}

int engine_gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out)
{
	int r;

	WITH_LOCK(e, r = gpu_type(e, bdf, profile, out, false));
	return r;
}

int engine_gpu_type_available(struct engine *e, const char *bdf, const char *profile)
{
	int r;

	WITH_LOCK(e, r = gpu_type(e, bdf, profile, NULL, true));
	return r;
}

/* A profile is listed once, at the first GPU (in BDF order) that offers it. */
static bool first_offer(const struct host *h, size_t gpu_index, const char *profile)
{
	for (size_t i = 0; i < gpu_index; i++)
		if (gpu_find_type(&h->gpus[i], profile) >= 0)
			return false;
	return true;
}

static int list_profiles(struct engine *e, engine_name_fn fn, void *ctx)
{
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		const struct gpu *gpu = &e->host.gpus[g];

		for (size_t t = 0; t < gpu->n_types; t++) {
			int r;

			if (!first_offer(&e->host, g, gpu->types[t].profile))
				continue;
			r = fn(gpu->types[t].profile, ctx);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int engine_for_each_profile(struct engine *e, engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_profiles(e, fn, ctx));
	return r;
}

/* Per-GPU facts a catalogue entry lacks (0 / "") are filled from the next GPU. */
static void merge_profile(struct vgpu_type *into, const struct vgpu_type *t)
{
	if (!into->heads)
		into->heads = t->heads;
	if (!into->frl)
		into->frl = t->frl;
	if (!into->max_resolution[0])
		str_copy(into->max_resolution, sizeof(into->max_resolution), t->max_resolution);
	if (t->max_instances > into->max_instances)
		into->max_instances = t->max_instances;
}

static int profile_info(struct engine *e, const char *profile, struct profile_info *out)
{
	size_t len = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		struct gpu *gpu = &e->host.gpus[g];
		int i = gpu_find_type(gpu, profile), avail;

		if (i < 0)
			continue;
		avail = host_type_available(&e->host, gpu, (size_t)i);
		if (avail < 0)
			return avail;
		if (!found)
			out->type = gpu->types[i];
		merge_profile(&out->type, &gpu->types[i]);
		found = true;
		out->available += (unsigned)avail;
		len += snprintf(out->gpus + len, sizeof(out->gpus) - len, "%s\n", gpu->pci.bdf);
		if (len >= sizeof(out->gpus))
			return -E2BIG;
	}
	return found ? 0 : -ENOENT;
}

int engine_profile_info(struct engine *e, const char *profile, struct profile_info *out)
{
	int r;

	WITH_LOCK(e, r = profile_info(e, profile, out));
	return r;
}
