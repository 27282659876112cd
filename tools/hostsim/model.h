/* model.h - the simulated host: its PCI functions, GPUs and vGPUs, and the
 * kernel/driver rules for creating and removing vGPUs.
 *
 * Everything here is plain data plus functions returning 0 or -errno, the
 * values the real sysfs files return.  The caller holds model->lock around
 * every call; nothing here knows about FUSE or paths. */
#ifndef HOSTSIM_MODEL_H
#define HOSTSIM_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostfile.h"
#include "profiles.h"

#define PCI_RESOURCES 13       /* lines of the sysfs "resource" file */
#define UUID_TEXT_LEN 36
#define VM_NAME_MAX 256
#define VGPU_PARAMS_MAX 1024

enum pci_role { ROLE_CHIPSET, ROLE_GPU, ROLE_VF, ROLE_AUDIO };

struct pci_resource {
	uint64_t start, size, flags;
};

struct sim_vgpu;

struct sim_pci {
	char bdf[13];              /* "0000:41:00.0" */
	unsigned bus, devfn;
	uint16_t vendor, device, subsystem_vendor, subsystem_device;
	uint32_t class_code;
	uint8_t revision, irq_pin, header_type;
	unsigned irq, numa_node, iommu_group;
	const char *driver;        /* NULL: no driver bound */
	enum pci_role role;
	int gpu;                   /* owning GPU (GPU, VF, audio) or -1 */
	int vf;                    /* VF number or -1 */
	bool enabled;
	bool unplugged;            /* .simctl unplug: not on the bus */
	struct pci_resource res[PCI_RESOURCES];
	struct sim_vgpu *vgpu;     /* VFs: the vGPU on this VF */
};

struct sim_gpu {
	const struct gpu_model *model;
	enum gpu_mode mode;
	int pf;                    /* index in host->pci */
	int first_vf;              /* index of VF 0, -1 without VFs */
	unsigned totalvfs, numvfs;
	unsigned used;             /* vGPUs on this GPU */
	int used_type;             /* their profile index, -1 when none */
};

struct sim_vgpu {
	char uuid[UUID_TEXT_LEN + 1];   /* "" on vfio-sriov VFs */
	int gpu, parent, type;
	unsigned iommu_group;
	bool in_use;
	char vm_name[VM_NAME_MAX];
	char params[VGPU_PARAMS_MAX + 1];
	struct sim_vgpu *next;
};

/* A removed mdev, kept until the FUSE layer has dropped its cached paths. */
struct sim_gone {
	char parent[13];
	char uuid[UUID_TEXT_LEN + 1];
	unsigned type_id, iommu_group;
};

#define GONE_MAX 256            /* a GPU unplugged takes all its mdevs */

struct sim_host {
	pthread_mutex_t lock;
	char driver[64];                /* "" when the module is not loaded */
	enum name_style names;
	unsigned type_id_shift;         /* added to every type id (host file "type_ids") */
	struct dropped_profile drops[HOSTFILE_MAX_DROPS]; /* profiles the driver lacks */
	unsigned ndrops;
	struct sim_pci *pci;            /* sorted by bus and devfn */
	unsigned npci;
	struct sim_gpu *gpus;
	unsigned ngpus;
	struct sim_vgpu *vgpus;         /* in creation order */
	struct sim_gone gone[GONE_MAX]; /* removed since the last tree_drain_gone */
	unsigned ngone;
	int unplugged_gpu;              /* its functions' paths still to drop from caches, -1 */
	int uevent_fd;                  /* uevent_send.h: -1 when none is sent */
	int uevent_error;               /* why there is no socket */
	bool uevents;                   /* sending is on (.simctl "uevents") */
	unsigned long long uevent_seqnum;
};

/* layout.c: builds the PCI functions of SPEC.  NULL on allocation failure. */
struct sim_host *model_create(const struct host_spec *spec);
void model_destroy(struct sim_host *host);

/* model.c: lookups.  model_find_target takes an mdev UUID or a VF's BDF. */
int model_find_pci(const struct sim_host *host, const char *bdf);
struct sim_vgpu *model_find_vgpu(const struct sim_host *host, const char *uuid);
struct sim_vgpu *model_find_target(const struct sim_host *host, const char *uuid_or_bdf);
const struct sim_gpu *model_gpu_of(const struct sim_host *host, unsigned dev);
bool model_has_driver(const struct sim_host *host);
bool model_is_mdev_parent(const struct sim_host *host, unsigned dev);
bool model_is_vfio_vf(const struct sim_host *host, unsigned dev);
bool model_has_mdev_bus(const struct sim_host *host);

/* Types of a vGPU-capable function DEV (mdev parent or vfio VF), by profile index:
 * model_type_count counts them all, and model_type_offered says which the driver
 * offers (the host file's "drop" takes some away without renumbering the rest). */
unsigned model_type_count(const struct sim_host *host, unsigned dev);
bool model_type_offered(const struct sim_host *host, unsigned dev, unsigned type);
unsigned model_type_id(const struct sim_host *host, unsigned dev, unsigned type);
int model_type_by_id(const struct sim_host *host, unsigned dev, unsigned long id);
unsigned model_effective_max(const struct sim_host *host, unsigned dev, unsigned type);
int model_type_name(const struct sim_host *host, unsigned dev, unsigned type, char *out, size_t len);
const struct vgpu_profile *model_profile(const struct sim_host *host, unsigned dev, unsigned type);

/* vgpu.c: the driver's rules. */
unsigned model_available(const struct sim_host *host, unsigned dev, unsigned type);
int model_mdev_create(struct sim_host *host, unsigned dev, unsigned type, const char *uuid);
int model_mdev_remove(struct sim_host *host, struct sim_vgpu *vgpu);
/* The vGPU goes, in use or not (its GPU left the bus). */
void model_vgpu_destroy(struct sim_host *host, struct sim_vgpu *vgpu);
int model_vf_set_type(struct sim_host *host, unsigned dev, unsigned long id);
int model_vf_current_id(const struct sim_host *host, unsigned dev);
int model_set_params(struct sim_vgpu *vgpu, const char *value, size_t len);

/* The GPU whose physical function is BDF, or -1. */
int model_find_gpu(const struct sim_host *host, const char *bdf);
/* A GPU leaves the bus with its VFs and audio function, its vGPUs destroyed whether in
 * use or not (-ENODEV when it is gone already); it comes back as the host file made it,
 * without vGPUs (-EEXIST when it is there). Both send the kernel's uevents. */
int model_gpu_unplug(struct sim_host *host, unsigned gpu);
int model_gpu_plug(struct sim_host *host, unsigned gpu);
/* Whether PCI function DEV is on the bus. */
bool model_pci_present(const struct sim_host *host, unsigned dev);

#endif
