/* devices.h — VM vGPU devices (vms/<vm>/devices/<dev>) and the vGPU instances made for
 * them, as the engine holds them in memory; the database is the durable copy
 * (node_store.h).
 * A device names its VM by libvirt UUID, so renaming a domain keeps its devices. */
#ifndef VGPUFS_DEVICES_H
#define VGPUFS_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include "engine.h"  /* device_fields */
#include "mdev.h"
#include "value.h"
#include "vgpu_type.h"

struct device {
	int id;              /* object_id_next() */
	char vm_uuid[UUID_STR_LEN];
	char name[NAME_MAX_LEN + 1];
	/* the settable fields, declared in device_fields */
	char description[VALUE_SIZE_MAX + 1];
	char group[NAME_MAX_LEN + 1];
	unsigned count;
	bool attach_guest_drivers;
	unsigned frame_rate_limit;
	bool disable_console_vnc;
	bool enable_unified_memory;
	bool enable_cuda_debuggers;
	bool enable_cuda_profilers;
};

enum vgpu_state { VGPU_CREATING, VGPU_CREATED, VGPU_REMOVING };

struct vgpu {
	char uuid[UUID_STR_LEN];
	char vm_uuid[UUID_STR_LEN];
	char device[NAME_MAX_LEN + 1];
	char gpu[16];
	char slot[16];       /* mdev parent (GPU or VF), or the VF holding it */
	char type_id[32];
	char profile[PROFILE_MAX];
	char params[256];    /* vgpu_params as written */
	enum vgpu_state state;
	/* Its GPU went away (hotplug.c): the record is kept, the vGPU is made again when the
	 * same card returns. In memory only: a start re-creates whatever is missing. */
	bool lost;
};


struct devices {
	struct device *items;
	size_t n;
	struct vgpu *vgpus;
	size_t n_vgpus;
};

void devices_free(struct devices *ds);

struct device *devices_find(struct devices *ds, const char *vm_uuid, const char *name);
struct device *devices_add(struct devices *ds, const char *vm_uuid, const char *name);
void devices_remove(struct devices *ds, struct device *d);

struct vgpu *devices_find_vgpu(struct devices *ds, const char *uuid);
struct vgpu *devices_add_vgpu(struct devices *ds, const struct vgpu *v);
void devices_remove_vgpu(struct devices *ds, struct vgpu *v);

const char *vgpu_state_name(enum vgpu_state s);
/* An unknown name reads as creating: unacknowledged, rolled back at start. */
enum vgpu_state vgpu_state_from_name(const char *name);

/* vgpu_params for the device's options, "" when all are defaults. */
void device_params(const struct device *d, char *buf, size_t size);

#endif
