/* devices.c — see devices.h. */
#include "devices.h"
#include "util.h"

#include <assert.h>
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

enum vgpu_state vgpu_state_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(state_names[i], name))
			return (enum vgpu_state)i;
	return VGPU_CREATING; /* unknown: treat as unacknowledged, rolled back */
}

struct device *devices_add(struct devices *ds, const char *vm_uuid, const char *name)
{
	struct device *grown, *d;

	assert(!devices_find(ds, vm_uuid, name));
	grown = realloc(ds->items, (ds->n + 1) * sizeof(*ds->items));
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

	assert(d >= ds->items && i < ds->n);
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
	struct vgpu *grown;

	assert(!devices_find_vgpu(ds, v->uuid)); /* a UUID names one vGPU */
	grown = realloc(ds->vgpus, (ds->n_vgpus + 1) * sizeof(*ds->vgpus));
	if (!grown)
		return NULL;
	ds->vgpus = grown;
	grown[ds->n_vgpus] = *v;
	return &grown[ds->n_vgpus++];
}

void devices_remove_vgpu(struct devices *ds, struct vgpu *v)
{
	size_t i = (size_t)(v - ds->vgpus);

	assert(v >= ds->vgpus && i < ds->n_vgpus);
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

void device_params(const struct device *d, char *buf, size_t size)
{
	fields_vgpu_params(device_fields, d, buf, size);
}
