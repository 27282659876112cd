/* engine.h — the vgpufs engine: the one API the FUSE layer (or any other front end, or a
 * test) uses. It owns the host model and, as the project grows, the state database and
 * the libvirt connection.
 *
 * Concurrency: one mutex guards the whole engine. Every public function takes it for its
 * whole duration, so a caller never sees a half-applied change; callbacks passed in run
 * under it and must not call back into the engine.
 *
 * Errors: functions return 0 (or a count) on success and -errno on failure. */
#ifndef VGPUFS_ENGINE_H
#define VGPUFS_ENGINE_H

#include <stddef.h>
#include "vgpu_type.h"

struct engine;

struct engine_options {
	const char *sysfs_root;   /* "/sys" on a real host */
	const char *libvirt_uri;  /* "qemu:///system" on a real host */
	const char *state_dir;    /* where the state database lives */
};

typedef int (*engine_name_fn)(const char *name, void *ctx);

int engine_open(const struct engine_options *opts, struct engine **out,
		char *err, size_t err_size);
void engine_close(struct engine *e);

struct host_info {
	char name[256];
	char driver_version[64];
};
int engine_host_info(struct engine *e, struct host_info *out);

struct gpu_info {
	char bdf[16];
	char name[128];
	unsigned vendor, device, subsystem_vendor, subsystem_device, class_code;
	int numa_node;
	char iommu_group[16];
	char kernel_driver[32];
	const char *mode;           /* "mdev" | "vfio-sriov" | "none" (static string) */
};
int engine_for_each_gpu(struct engine *e, engine_name_fn fn, void *ctx);
int engine_gpu_info(struct engine *e, const char *bdf, struct gpu_info *out);

/* Live: what the GPU hosts now. */
struct gpu_usage_info {
	char profile[PROFILE_MAX];  /* in use, "" when none */
	unsigned vgpus_used, vgpus_max;
};
int engine_gpu_usage(struct engine *e, const char *bdf, struct gpu_usage_info *out);

int engine_for_each_gpu_type(struct engine *e, const char *bdf, engine_name_fn fn, void *ctx);
int engine_gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out);
/* Live: vGPUs of this type that can still be created on the GPU. */
int engine_gpu_type_available(struct engine *e, const char *bdf, const char *profile);

struct profile_info {
	struct vgpu_type type;  /* type_id/name from the first GPU offering it */
	unsigned available;     /* summed over GPUs */
	char gpus[4096];        /* BDFs, one per line */
};
int engine_for_each_profile(struct engine *e, engine_name_fn fn, void *ctx);
int engine_profile_info(struct engine *e, const char *profile, struct profile_info *out);

#endif
