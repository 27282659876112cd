/* node_store.c — see node_store.h: devices, vGPUs, host settings and VMs in sqlite. */
#include "node_store.h"
#include "util.h"

#include <errno.h>

static int load_devices(struct store *s, struct devices *ds)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_select(s, &st, "devices", "vm_uuid, name", device_fields);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct device *d = devices_add(ds, store_column(st, 0), store_column(st, 1));

		if (!d)
			return -ENOMEM;
		store_load_fields(device_fields, st, 2, d);
	}
	return r;
}

static int load_vgpus(struct store *s, struct devices *ds)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT uuid, vm_uuid, device, gpu, slot, type_id, profile, "
			    "params, state FROM vgpus ORDER BY rowid", NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct vgpu v = { 0 };

		str_copy(v.uuid, sizeof(v.uuid), store_column(st, 0));
		str_copy(v.vm_uuid, sizeof(v.vm_uuid), store_column(st, 1));
		str_copy(v.device, sizeof(v.device), store_column(st, 2));
		str_copy(v.gpu, sizeof(v.gpu), store_column(st, 3));
		str_copy(v.slot, sizeof(v.slot), store_column(st, 4));
		str_copy(v.type_id, sizeof(v.type_id), store_column(st, 5));
		str_copy(v.profile, sizeof(v.profile), store_column(st, 6));
		str_copy(v.params, sizeof(v.params), store_column(st, 7));
		v.state = vgpu_state_from_name(store_column(st, 8));
		if (!devices_add_vgpu(ds, &v))
			return -ENOMEM;
	}
	return r;
}

int store_devices_load(struct store *s, struct devices *ds)
{
	int r = store_add_columns(s, "devices", device_fields);

	if (r >= 0)
		r = load_devices(s, ds);
	if (r >= 0)
		r = load_vgpus(s, ds);
	if (r < 0)
		devices_free(ds);
	return r;
}

int store_device_insert(struct store *s, const char *vm_uuid, const char *name)
{
	return store_exec(s, "INSERT INTO devices (vm_uuid, name) VALUES (?, ?)", vm_uuid, name,
			  NULL);
}

int store_device_save(struct store *s, const struct device *d)
{
	return store_update(s, "devices", device_fields, d, "vm_uuid", d->vm_uuid, "name",
			    d->name, NULL);
}

int store_device_delete(struct store *s, const char *vm_uuid, const char *name)
{
	return store_exec(s, "DELETE FROM devices WHERE vm_uuid = ? AND name = ?", vm_uuid, name,
			  NULL);
}

int store_vm_devices_delete(struct store *s, const char *vm_uuid)
{
	return store_exec(s, "DELETE FROM devices WHERE vm_uuid = ?", vm_uuid, NULL);
}

int store_vgpu_insert(struct store *s, const struct vgpu *v)
{
	return store_exec(s, "INSERT INTO vgpus (uuid, vm_uuid, device, gpu, slot, type_id, "
			  "profile, params, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", v->uuid,
			  v->vm_uuid, v->device, v->gpu, v->slot, v->type_id, v->profile, v->params,
			  vgpu_state_name(v->state), NULL);
}

int store_vgpu_set_state(struct store *s, const char *uuid, enum vgpu_state state)
{
	return store_exec(s, "UPDATE vgpus SET state = ? WHERE uuid = ?", vgpu_state_name(state),
			  uuid, NULL);
}

int store_vgpu_delete(struct store *s, const char *uuid)
{
	return store_exec(s, "DELETE FROM vgpus WHERE uuid = ?", uuid, NULL);
}

int store_device_vgpus_set_params(struct store *s, const struct device *d,
				  const char *params)
{
	return store_exec(s, "UPDATE vgpus SET params = ? WHERE vm_uuid = ? AND device = ? AND "
			  "state = 'created'", params, d->vm_uuid, d->name, NULL);
}

int store_setting_get(struct store *s, const char *key, char *buf, size_t size, bool *found)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT value FROM host_settings WHERE key = ?", key, NULL);

	buf[0] = '\0';
	*found = r >= 0 && sqlite3_step(st) == SQLITE_ROW;
	if (*found)
		str_copy(buf, size, store_column(st, 0));
	return r;
}

int store_setting_set(struct store *s, const char *key, const char *value)
{
	return store_exec(s, "INSERT OR REPLACE INTO host_settings (key, value) VALUES (?, ?)",
			  key, value, NULL);
}

int store_vm_tenant(struct store *s, const char *vm_uuid, char *buf, size_t size)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT tenant FROM vms WHERE uuid = ?", vm_uuid, NULL);

	buf[0] = '\0';
	if (r >= 0 && sqlite3_step(st) == SQLITE_ROW)
		str_copy(buf, size, store_column(st, 0));
	return r;
}
