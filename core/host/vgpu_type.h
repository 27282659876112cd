/* vgpu_type.h — what a vGPU type is, and the parsers that derive it from what the NVIDIA
 * driver prints: the type name ("NVIDIA A16-4Q", "GRID T4-2B4"), the mdev description
 * ("num_heads=4, frl_config=60, framebuffer=4096M, …") and the short profile name itself
 * ("<board>-<FB GiB><series>", "A100-1-5C" for MIG-backed ones). The parsers never trust
 * order or completeness: a missing key leaves the field 0/"" (unknown). */
#ifndef VGPUFS_VGPU_TYPE_H
#define VGPUFS_VGPU_TYPE_H

#include <stdbool.h>
#include <stddef.h>

#define PROFILE_MAX 64

struct vgpu_type {
	char type_id[32];        /* "nvidia-558" (mdev) or "1145" (vfio-sriov) */
	char name[128];          /* as the driver prints it */
	char profile[PROFILE_MAX]; /* short profile, e.g. "A16-4Q" */
	char series[8];          /* "Q", "B", "A", "C", "CME" … */
	char max_resolution[32];
	unsigned framebuffer_mib;
	unsigned heads;
	unsigned frl;
	unsigned max_instances;
};

/* The vGPU types of one GPU model as discovery read them, kept across starts so that a
 * start reads them once per model, not once per GPU, and not at all when they are
 * known. The key names what decides them: vendor:device, subsystem, mode and driver
 * version ("10de:1eb8 10de:12a2 mdev 550.54.16"), so a new driver reads them again. */
#define CATALOGUE_KEY_MAX 96

struct catalogue {
	char key[CATALOGUE_KEY_MAX];
	struct vgpu_type *types;
	size_t n_types;
};

struct catalogues {
	struct catalogue *items;
	size_t n;
	bool changed;   /* one was added since the set was loaded: save them */
};

/* A malloc'd copy of n types (NULL only when out of memory). */
struct vgpu_type *vgpu_types_copy(const struct vgpu_type *types, size_t n);

const struct catalogue *catalogue_find(const struct catalogues *c, const char *key);
/* Adds a copy of types under key; marks the set changed. */
int catalogue_add(struct catalogues *c, const char *key, const struct vgpu_type *types,
		  size_t n_types);
void catalogues_free(struct catalogues *c);

/* The short profile of a type name: its last whitespace-separated token. */
int vgpu_type_profile_from_name(const char *name, char *profile, unsigned size);

/* Splits a short profile into board ("RTX6000-Ada"), framebuffer (MiB, "0" = 512) and
 * series letters; "T4-2B4" -> T4, 2048, "B". Returns -EINVAL if it is not one. */
int vgpu_profile_parse(const char *profile, char *board, unsigned board_size,
		       unsigned *fb_mib, char *series, unsigned series_size);

/* Fills heads/frl/framebuffer/max_resolution/max_instances from an mdev description,
 * key by key; unknown keys are ignored. Returns the number of keys understood. */
int vgpu_type_parse_description(struct vgpu_type *t, const char *description);

/* Sets name, profile, and whatever the profile name tells (series, framebuffer, frl of
 * the series) on t. Description values, when parsed later, take precedence. */
int vgpu_type_from_name(struct vgpu_type *t, const char *type_id, const char *name);

#endif
