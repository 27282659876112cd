/* host.h — the engine's model of the physical host: the GPUs found by PCI discovery, how
 * each makes vGPUs (mode), the vGPU types each offers, and live readings of what is in
 * use. Static facts are read once at discovery; live ones (capacity, usage) come from the
 * host's snapshot of sysfs (snapshot.h): at most 100 ms old, and dropped for a GPU as
 * soon as the daemon itself changes it.
 * Not thread-safe: the engine serialises access (see engine.h). */
#ifndef VGPUFS_HOST_H
#define VGPUFS_HOST_H

#include <limits.h>
#include <stddef.h>
#include "pci.h"
#include "snapshot.h"
#include "vgpu_type.h"
#include "util.h"

enum gpu_mode { GPU_MODE_NONE, GPU_MODE_MDEV, GPU_MODE_VFIO_SRIOV };

struct gpu {
	struct pci_gpu pci;
	enum gpu_mode mode;
	char name[128];
	/* Where vGPUs are made: mdev parents (the GPU itself, or each VF of an SR-IOV GPU in
	 * mdev mode), or the VFs holding vendor-specific VFIO vGPUs. */
	char (*slots)[BDF_MAX];
	size_t n_slots;
	struct vgpu_type *types;
	size_t n_types;
	/* vfio-sriov: the catalogue was read while the GPU held vGPUs, so it lists only their
	 * type; it is read again the next time the GPU is seen empty. */
	bool catalogue_partial;
	/* No longer on the PCI bus (a rescan did not find it): kept while the engine still
	 * refers to it, never used to place a vGPU. */
	bool gone;
};

struct host {
	char root[PATH_MAX];
	struct snapshot snapshot;
	struct gpu *gpus;
	size_t n_gpus;
};

struct gpu_usage {
	int type_index;  /* index into gpu->types of the type in use, -1 if none */
	unsigned used;   /* vGPUs on this GPU */
};

const char *gpu_mode_name(enum gpu_mode mode);

/* Discovers GPUs and their types under sysfs root; live readings are kept for
 * max_age_ms (SNAPSHOT_MAX_AGE_MS by default). Types come from the known catalogues
 * (vgpu_type.h) where they have the GPU's model; those read are added to them. */
int host_discover(struct host *h, const char *root, unsigned max_age_ms,
		  struct catalogues *known, char *err, size_t err_size);
void host_free(struct host *h);

/* What a rescan found about one GPU (the others are as they were). */
enum gpu_change {
	GPU_APPEARED,  /* at an address that had none */
	GPU_VANISHED,  /* no longer on the bus: kept, marked gone */
	GPU_RETURNED,  /* the same card (address, vendor, device and subsystem) is back */
	GPU_REPLACED,  /* another card at the address */
	GPU_CHANGED,   /* the same card with another driver, mode, VFs or slots */
};
struct gpu_change_note {
	char bdf[BDF_MAX];
	enum gpu_change change;
	struct pci_gpu was;       /* the card as it was (vfs not kept) */
	enum gpu_mode was_mode;
};

/* Brings h in line with fresh, what host_discover has just found on the same root (read
 * without h, so without the lock that guards h). A GPU found as it was keeps its entry;
 * one found changed is taken from fresh; one no longer found stays, marked gone. *notes
 * (malloc'd, *n_notes of them) says what changed. fresh is freed, and h's live readings
 * dropped. h->gpus is replaced: pointers into it do not survive a call, GPUs are to be
 * found again by address. On failure (-ENOMEM) h is unchanged and fresh kept. */
int host_merge(struct host *h, struct host *fresh, struct gpu_change_note **notes,
	       size_t *n_notes);
/* Removes g, a gone GPU nothing refers to any more, from h. */
void host_drop_gpu(struct host *h, struct gpu *g);
/* Same address, vendor, device and subsystem IDs. */
bool pci_same_card(const struct pci_gpu *a, const struct pci_gpu *b);

/* Drops every live reading (the host changed: a uevent said so). */
void host_forget_all(struct host *h);

struct gpu *host_find_gpu(struct host *h, const char *bdf);
bool gpu_has_slot(const struct gpu *g, const char *slot);
int gpu_find_type(const struct gpu *g, const char *profile);

/* Live: which type is in use on g and how many vGPUs exist. */
int host_gpu_usage(struct host *h, struct gpu *g, struct gpu_usage *u);

/* Live: the usage of every GPU at once (out has h->n_gpus entries), in one pass over the
 * host's mdevs rather than one per GPU. With `which`, only the GPUs it marks are read
 * (a vfio-sriov GPU costs a read per VF); the others read as empty. */
int host_usage_all(struct host *h, struct gpu_usage *out, const bool *which);

/* Live: how many more vGPUs of g->types[index] can be created now. usage is g's, if the
 * caller has just read it, or NULL. */
int host_type_available(struct host *h, struct gpu *g, size_t index,
			const struct gpu_usage *usage);

/* Live: the slots where one more vGPU of g->types[index] can be made now, in address
 * order; a plain mdev GPU is its own slot, repeated as often as it has room. *slots is
 * malloc'd. */
int host_free_slots(struct host *h, struct gpu *g, size_t index, char (**slots)[BDF_MAX],
		    size_t *n);

/* Drops the live readings of g: the next ones are read from sysfs. */
void host_forget_gpu(struct host *h, const struct gpu *g);

/* Makes, removes, configures and checks one vGPU in a slot of g (each drops g's live
 * readings). For vfio-sriov GPUs
 * the uuid is only the engine's name for it: the VF is the host's identity. */
int host_vgpu_create(struct host *h, const struct gpu *g, const char *slot,
		     const char *type_id, const char *uuid);
int host_vgpu_remove(struct host *h, const struct gpu *g, const char *slot, const char *uuid);
int host_vgpu_set_params(struct host *h, const struct gpu *g, const char *slot,
			 const char *uuid, const char *params);
/* The vGPU's vgpu_params as the driver reads them back (read afresh, not kept). */
int host_vgpu_get_params(struct host *h, const struct gpu *g, const char *slot,
			 const char *uuid, char *buf, size_t size);
bool host_vgpu_exists(struct host *h, const struct gpu *g, const char *slot,
		      const char *type_id, const char *uuid);

/* Every vGPU present on the GPUs of the host (uuid "" for vfio-sriov ones). */
struct host_vgpu {
	char uuid[UUID_STR_LEN];
	const struct gpu *gpu;
	char slot[BDF_MAX];
	char type_id[32];
};
int host_for_each_vgpu(struct host *h, int (*fn)(const struct host_vgpu *v, void *ctx),
		       void *ctx);

/* Live: running NVIDIA host driver version, "" when the module is not loaded. */
int host_driver_version(const struct host *h, char *buf, size_t size);

#endif
