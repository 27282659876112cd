/* node_store.c — see node_store.h: devices, vGPUs, host settings and VMs in sqlite. */
#include "node_store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int store_vgpu_set_type(struct store *s, const char *uuid, const char *type_id)
{
	return store_exec(s, "UPDATE vgpus SET type_id = ? WHERE uuid = ?", type_id, uuid, NULL);
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

int store_vm_owners_load(struct store *s, struct tenants *ts)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT uuid, tenant FROM vms WHERE tenant != ''", NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW)
		r = tenants_set_vm_owner(ts, store_column(st, 0), store_column(st, 1));
	return r;
}

int store_vm_set_tenant(struct store *s, const char *vm_uuid, const char *tenant)
{
	return store_exec(s, "INSERT INTO vms (uuid, tenant) VALUES (?, ?) "
			  "ON CONFLICT(uuid) DO UPDATE SET tenant = excluded.tenant",
			  vm_uuid, tenant, NULL);
}

#define TYPE_COLUMNS "type_id, name, profile, series, max_resolution, framebuffer_mib, " \
	"heads, frl, max_instances"

static void type_from_row(sqlite3_stmt *st, struct vgpu_type *t)
{
	memset(t, 0, sizeof(*t));
	str_copy(t->type_id, sizeof(t->type_id), store_column(st, 1));
	str_copy(t->name, sizeof(t->name), store_column(st, 2));
	str_copy(t->profile, sizeof(t->profile), store_column(st, 3));
	str_copy(t->series, sizeof(t->series), store_column(st, 4));
	str_copy(t->max_resolution, sizeof(t->max_resolution), store_column(st, 5));
	t->framebuffer_mib = (unsigned)sqlite3_column_int64(st, 6);
	t->heads = (unsigned)sqlite3_column_int64(st, 7);
	t->frl = (unsigned)sqlite3_column_int64(st, 8);
	t->max_instances = (unsigned)sqlite3_column_int64(st, 9);
}

/* Rows come ordered by catalogue then position: each catalogue is one run of rows. */
int store_catalogues_load(struct store *s, struct catalogues *c)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct vgpu_type types[256];
	char key[CATALOGUE_KEY_MAX] = "";
	size_t n = 0;
	int r = store_query(s, &st, "SELECT catalogue, " TYPE_COLUMNS " FROM gpu_types "
			    "ORDER BY catalogue, position", NULL);

	while (r >= 0) {
		bool row = sqlite3_step(st) == SQLITE_ROW;

		if (n && (!row || strcmp(key, store_column(st, 0)))) {
			r = catalogue_add(c, key, types, n);
			n = 0;
		}
		if (!row || r < 0)
			break;
		str_copy(key, sizeof(key), store_column(st, 0));
		if (n == ARRAY_SIZE(types))
			return -E2BIG;
		type_from_row(st, &types[n++]);
	}
	c->changed = false;
	return r;
}

static int save_type(struct store *s, const char *key, size_t position,
		     const struct vgpu_type *t)
{
	char pos[24], fb[16], heads[16], frl[16], max[16];

	snprintf(pos, sizeof(pos), "%zu", position);
	snprintf(fb, sizeof(fb), "%u", t->framebuffer_mib);
	snprintf(heads, sizeof(heads), "%u", t->heads);
	snprintf(frl, sizeof(frl), "%u", t->frl);
	snprintf(max, sizeof(max), "%u", t->max_instances);
	return store_exec(s, "INSERT INTO gpu_types (catalogue, position, " TYPE_COLUMNS ") "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", key, pos, t->type_id,
			  t->name, t->profile, t->series, t->max_resolution, fb, heads, frl,
			  max, NULL);
}

int store_catalogues_save(struct store *s, const struct catalogues *c)
{
	int r = store_exec(s, "DELETE FROM gpu_types", NULL);

	for (size_t i = 0; i < c->n && r >= 0; i++)
		for (size_t j = 0; j < c->items[i].n_types && r >= 0; j++)
			r = save_type(s, c->items[i].key, j, &c->items[i].types[j]);
	return r;
}

int store_media_load(struct store *s, struct media_entry **out, size_t *n)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT name, size, mtime_ns, sha256, generated "
			    "FROM media_files ORDER BY name", NULL);

	*out = NULL;
	*n = 0;
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct media_entry *grown = realloc(*out, (*n + 1) * sizeof(**out)), *e;

		if (!grown)
			return -ENOMEM; /* the caller frees *out */
		*out = grown;
		e = memset(&grown[(*n)++], 0, sizeof(*e));
		str_copy(e->name, sizeof(e->name), store_column(st, 0));
		e->size = (uint64_t)sqlite3_column_int64(st, 1);
		e->mtime_ns = sqlite3_column_int64(st, 2);
		str_copy(e->sha256, sizeof(e->sha256), store_column(st, 3));
		e->generated = sqlite3_column_int(st, 4) != 0;
	}
	return r;
}

int store_media_save(struct store *s, const struct media_entry *e)
{
	char size[24], mtime[24];

	snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
	snprintf(mtime, sizeof(mtime), "%lld", (long long)e->mtime_ns);
	return store_exec(s, "INSERT OR REPLACE INTO media_files (name, size, mtime_ns, sha256, "
			  "generated) VALUES (?, ?, ?, ?, ?)", e->name, size, mtime, e->sha256,
			  e->generated ? "1" : "0", NULL);
}

int store_media_delete(struct store *s, const char *name)
{
	return store_exec(s, "DELETE FROM media_files WHERE name = ?", name, NULL);
}
