/* hostfile.h - the host description file (see docs/simulator.md).
 *
 * The parser turns a host file into a flat list of GPUs with their PCI bus
 * already chosen, so every error, bus clashes included, can name its line. */
#ifndef HOSTSIM_HOSTFILE_H
#define HOSTSIM_HOSTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profiles.h"

enum gpu_mode { MODE_MDEV, MODE_MDEV_SRIOV, MODE_VFIO_SRIOV };
enum name_style { NAMES_NVIDIA, NAMES_GRID };

#define HOSTFILE_MAX_GPUS 255
#define HOSTFILE_MAX_VFS  252   /* devfn 4 + 251 still fits on the PF's bus */
#define HOSTFILE_MAX_DROPS 64
#define HOSTFILE_MAX_TYPE_ID_SHIFT 65535

struct gpu_spec {
	const struct gpu_model *model;
	enum gpu_mode mode;
	unsigned bus;
	unsigned numa_node;
	unsigned vfs;               /* 0 unless an SR-IOV mode */
};

/* A profile the driver does not offer ("drop A16-4Q"). */
struct dropped_profile {
	const struct gpu_model *model;
	unsigned profile;           /* index in model->profiles */
};

struct host_spec {
	char driver[64];            /* "" when "driver none" */
	enum name_style names;
	unsigned type_id_shift;     /* "type_ids +N": added to every type id */
	struct dropped_profile drops[HOSTFILE_MAX_DROPS];
	unsigned ndrops;
	struct gpu_spec gpus[HOSTFILE_MAX_GPUS];
	unsigned ngpus;
};

/* Parses PATH into SPEC.  Returns 0, or -1 with a one-line message in ERR
 * ("FILE:LINE: what is wrong"). */
int hostfile_parse(const char *path, struct host_spec *spec, char *err, size_t errlen);

/* The same, from an open stream (the fuzzer reads from memory); NAME stands for the
 * path in messages. */
int hostfile_parse_stream(FILE *f, const char *name, struct host_spec *spec, char *err,
			  size_t errlen);

static inline bool gpu_mode_is_sriov(enum gpu_mode mode)
{
	return mode != MODE_MDEV;
}

#endif
