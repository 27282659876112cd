/* devices.h — VM vGPU devices (vms/<vm>/devices/<dev>) and the vGPU instances made for
 * them, as the engine holds them in memory; the database is the durable copy (store.h).
 * A device names its VM by libvirt UUID, so renaming a domain keeps its devices. */
#ifndef VGPUFS_DEVICES_H
#define VGPUFS_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include "fields.h"
#include "mdev.h"
#include "store.h"
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
};

/* The fields of a device as the tree and the database know them (fields.h). */
extern const struct field device_fields[];

struct devices {
	struct device *items;
	size_t n;
	struct vgpu *vgpus;
	size_t n_vgpus;
};

int devices_load(struct devices *ds, struct store *s);
void devices_free(struct devices *ds);

struct device *devices_find(struct devices *ds, const char *vm_uuid, const char *name);
struct device *devices_add(struct devices *ds, const char *vm_uuid, const char *name);
void devices_remove(struct devices *ds, struct device *d);

struct vgpu *devices_find_vgpu(struct devices *ds, const char *uuid);
struct vgpu *devices_add_vgpu(struct devices *ds, const struct vgpu *v);
void devices_remove_vgpu(struct devices *ds, struct vgpu *v);

const char *vgpu_state_name(enum vgpu_state s);

/* vgpu_params for the device's options, "" when all are defaults. */
void device_params(const struct device *d, char *buf, size_t size);

/* SQL row writes (inside the caller's transaction). */
int store_vgpu_insert(struct store *s, const struct vgpu *v);
int store_vgpu_set_state(struct store *s, const char *uuid, enum vgpu_state state);
int store_vgpu_delete(struct store *s, const char *uuid);

#endif
