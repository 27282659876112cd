/* devices.c — see devices.h. */
#include "devices.h"
#include "util.h"

#include <errno.h>
#include <string.h>

/* The names as the NVIDIA driver takes them in vgpu_params (HOST-FACTS.md). */
const struct field device_fields[] = {
	FIELD_OF(struct device, description, .type = FIELD_TEXT),
	FIELD_AS(struct device, group, "group_name", .type = FIELD_NAME, .empty_ok = true,
		 .effect = EFFECT_HOST),
	FIELD_OF(struct device, count, .type = FIELD_UINT, .min = 1, .max = 64,
		 .effect = EFFECT_HOST, .initial = "1"),
	FIELD_OF(struct device, attach_guest_drivers, .type = FIELD_BOOL,
		 .effect = EFFECT_DEFINITION),
	FIELD_OF(struct device, frame_rate_limit, .type = FIELD_UINT, .max = 1000,
		 .vgpu_param = "frame_rate_limiter", .effect = EFFECT_HOST),
	FIELD_OF(struct device, disable_console_vnc, .type = FIELD_BOOL,
		 .vgpu_param = "disable_vnc", .effect = EFFECT_HOST),
	FIELD_OF(struct device, enable_unified_memory, .type = FIELD_BOOL,
		 .vgpu_param = "enable_uvm", .effect = EFFECT_HOST),
	FIELD_OF(struct device, enable_cuda_debuggers, .type = FIELD_BOOL,
		 .vgpu_param = "enable_debugging", .effect = EFFECT_HOST),
	FIELD_OF(struct device, enable_cuda_profilers, .type = FIELD_BOOL,
		 .vgpu_param = "enable_profiling", .effect = EFFECT_HOST),
	{ NULL },
};

static const char *const state_names[] = { "creating", "created", "removing" };

const char *vgpu_state_name(enum vgpu_state s)
{
	return state_names[s];
}

static enum vgpu_state state_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(state_names[i], name))
			return (enum vgpu_state)i;
	return VGPU_CREATING; /* unknown: treat as unacknowledged, rolled back */
}

struct device *devices_add(struct devices *ds, const char *vm_uuid, const char *name)
{
	struct device *grown = realloc(ds->items, (ds->n + 1) * sizeof(*ds->items));
	struct device *d;

	if (!grown)
		return NULL;
	ds->items = grown;
	d = &grown[ds->n];
	memset(d, 0, sizeof(*d));
	d->id = object_id_next();
	str_copy(d->vm_uuid, sizeof(d->vm_uuid), vm_uuid);
	str_copy(d->name, sizeof(d->name), name);
	fields_init(device_fields, d);
	ds->n++;
	return d;
}

void devices_remove(struct devices *ds, struct device *d)
{
	size_t i = (size_t)(d - ds->items);

	memmove(d, d + 1, (ds->n - i - 1) * sizeof(*d));
	ds->n--;
}

struct device *devices_find(struct devices *ds, const char *vm_uuid, const char *name)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->items[i].vm_uuid, vm_uuid) && !strcmp(ds->items[i].name, name))
			return &ds->items[i];
	return NULL;
}

struct vgpu *devices_add_vgpu(struct devices *ds, const struct vgpu *v)
{
	struct vgpu *grown = realloc(ds->vgpus, (ds->n_vgpus + 1) * sizeof(*ds->vgpus));

	if (!grown)
		return NULL;
	ds->vgpus = grown;
	grown[ds->n_vgpus] = *v;
	return &grown[ds->n_vgpus++];
}

void devices_remove_vgpu(struct devices *ds, struct vgpu *v)
{
	size_t i = (size_t)(v - ds->vgpus);

	memmove(v, v + 1, (ds->n_vgpus - i - 1) * sizeof(*v));
	ds->n_vgpus--;
}

struct vgpu *devices_find_vgpu(struct devices *ds, const char *uuid)
{
	for (size_t i = 0; i < ds->n_vgpus; i++)
		if (!strcasecmp(ds->vgpus[i].uuid, uuid))
			return &ds->vgpus[i];
	return NULL;
}

void devices_free(struct devices *ds)
{
	free(ds->items);
	free(ds->vgpus);
	memset(ds, 0, sizeof(*ds));
}

static const char *column(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int load_devices(struct devices *ds, struct store *s)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_select(s, &st, "devices", "vm_uuid, name", device_fields);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct device *d = devices_add(ds, column(st, 0), column(st, 1));

		if (!d)
			return -ENOMEM;
		fields_load(device_fields, st, 2, d);
	}
	return r;
}

static int load_vgpus(struct devices *ds, struct store *s)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT uuid, vm_uuid, device, gpu, slot, type_id, profile, "
			    "params, state FROM vgpus ORDER BY rowid", NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct vgpu v = { 0 };

		str_copy(v.uuid, sizeof(v.uuid), column(st, 0));
		str_copy(v.vm_uuid, sizeof(v.vm_uuid), column(st, 1));
		str_copy(v.device, sizeof(v.device), column(st, 2));
		str_copy(v.gpu, sizeof(v.gpu), column(st, 3));
		str_copy(v.slot, sizeof(v.slot), column(st, 4));
		str_copy(v.type_id, sizeof(v.type_id), column(st, 5));
		str_copy(v.profile, sizeof(v.profile), column(st, 6));
		str_copy(v.params, sizeof(v.params), column(st, 7));
		v.state = state_from_name(column(st, 8));
		if (!devices_add_vgpu(ds, &v))
			return -ENOMEM;
	}
	return r;
}

int devices_load(struct devices *ds, struct store *s)
{
	int r = store_add_columns(s, "devices", device_fields);

	if (r >= 0)
		r = load_devices(ds, s);

	if (r >= 0)
		r = load_vgpus(ds, s);
	if (r < 0)
		devices_free(ds);
	return r;
}

void device_params(const struct device *d, char *buf, size_t size)
{
	fields_vgpu_params(device_fields, d, buf, size);
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
