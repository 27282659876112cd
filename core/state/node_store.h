/* node_store.h — the durable copy of what belongs to this node alone: VM devices, the
 * vGPU journal (the vgpus table: creating → created → removing), the host's settings
 * and the VMs' records. Rows here name groups by name only (no foreign key into
 * cluster_store.h), so the cluster-wide part can live elsewhere.
 *
 * Writes run inside the caller's transaction (store_begin/store_commit). */
#ifndef VGPUFS_NODE_STORE_H
#define VGPUFS_NODE_STORE_H

#include "devices.h"
#include "media.h"
#include "store.h"
#include "tenants.h"
#include "vgpu_type.h"

/* Adds the columns the device table has gained, then loads every device and vGPU. */
int store_devices_load(struct store *s, struct devices *ds);

int store_device_insert(struct store *s, const char *vm_uuid, const char *name);
int store_device_save(struct store *s, const struct device *d);  /* every field */
int store_device_delete(struct store *s, const char *vm_uuid, const char *name);
int store_vm_devices_delete(struct store *s, const char *vm_uuid);

int store_vgpu_insert(struct store *s, const struct vgpu *v);
int store_vgpu_set_state(struct store *s, const char *uuid, enum vgpu_state state);
/* A driver upgrade renumbered the vGPU's type (its profile stays). */
int store_vgpu_set_type(struct store *s, const char *uuid, const char *type_id);
int store_vgpu_delete(struct store *s, const char *uuid);
/* vgpu_params of the device's created vGPUs. */
int store_device_vgpus_set_params(struct store *s, const struct device *d,
				  const char *params);

/* host/ settings as key/value rows: *found false (and buf "") for one never written. */
int store_setting_get(struct store *s, const char *key, char *buf, size_t size, bool *found);
int store_setting_set(struct store *s, const char *key, const char *value);

/* The GPU models' type catalogues; saving replaces every row with c's (so the
 * catalogues of a driver no longer running go). */
int store_catalogues_load(struct store *s, struct catalogues *c);
int store_catalogues_save(struct store *s, const struct catalogues *c);

/* The media store's rows (media.h): loaded into a malloc'd array (*n entries, without
 * their inspection, which the store redoes); saved one by one as files are published. */
int store_media_load(struct store *s, struct media_entry **out, size_t *n);
int store_media_save(struct store *s, const struct media_entry *e);
int store_media_delete(struct store *s, const char *name);

/* vms/<vm>/tenant: every VM a tenant owns, into ts (tenants_set_vm_owner). */
int store_vm_owners_load(struct store *s, struct tenants *ts);
int store_vm_set_tenant(struct store *s, const char *vm_uuid, const char *tenant);

#endif
