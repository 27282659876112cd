/* profiles.h - built-in NVIDIA GPU models and their vGPU profile tables.
 *
 * The simulator needs the same numbers a real host driver reports (device ids,
 * type ids, framebuffer, max instances), so they live here as plain tables that
 * the rest of the simulator only reads. */
#ifndef HOSTSIM_PROFILES_H
#define HOSTSIM_PROFILES_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu_profile {
	const char *suffix;          /* after "<board>-": "4Q", "2B4", "1-5C" */
	unsigned framebuffer_mib;
	unsigned heads;
	unsigned frl;                /* frame rate limit (frl_config) */
	const char *max_resolution;
	unsigned max_instances;      /* per physical GPU, before any VF cap */
};

struct gpu_model {
	const char *key;             /* as written in host files: "T4" */
	const char *board;           /* in type names: "NVIDIA <board>-<suffix>" */
	uint16_t device_id;
	uint16_t subsystem_device;
	uint32_t class_code;         /* 24-bit class/subclass/prog-if */
	unsigned type_base;          /* first nvidia-<N> / vfio type id */
	bool sriov;                  /* the hardware has SR-IOV */
	bool has_audio;              /* an HDA function at .1 */
	uint64_t bar1_size;
	const struct vgpu_profile *profiles;
	unsigned nprofiles;
};

/* Returns the model whose key matches (case-insensitive), or NULL. */
const struct gpu_model *profiles_find_model(const char *key);

/* Finds a profile by the name type names end with, "A16-4Q" or "A100-1-5C" (any case):
 * sets *MODEL and returns the profile's index, or returns -1. */
int profiles_find_profile(const char *name, const struct gpu_model **model);

/* Lists the known keys, space separated, for error messages. */
const char *profiles_model_keys(void);

#endif
