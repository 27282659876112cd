/* engine_devices.c — the device API of engine.h (vms/<vm>/devices/<dev>): finding
 * devices, creating, deleting, reading and setting them. Changes go through change.c. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

size_t device_vgpus(struct engine *e, const struct device *d, struct vgpu **out,
			   size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < e->devices.n_vgpus && n < max; i++) {
		struct vgpu *v = &e->devices.vgpus[i];

		if (!strcmp(v->vm_uuid, d->vm_uuid) && !strcmp(v->device, d->name))
			out[n++] = v;
	}
	return n;
}

void device_path(struct engine *e, const struct device *d, char *buf, size_t size)
{
	char vm[256];

	vm_name_of(e, d->vm_uuid, vm, sizeof(vm));
	snprintf(buf, size, "vms/%s/devices/%s", vm[0] ? vm : d->vm_uuid, d->name);
}

bool group_in_use(struct engine *e, const char *group, char *device, size_t size)
{
	const struct share *s = group_share(e, group);

	for (size_t i = 0; i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];

		if (!strcmp(d->group, group) && !tenants_vm_owner(&e->tenants, d->vm_uuid)[0]) {
			device_path(e, d, device, size);
			return true;
		}
	}
	if (s)
		share_path(s, device, size);
	return s != NULL;
}

/* A device by the path's names; no libvirt call when the VM's name is known. */
static int find_device(struct engine *e, const char *vm_name, const char *dev,
		       struct device **d)
{
	char uuid[UUID_STR_LEN];
	int r = vm_resolve(e, vm_name, uuid);

	if (r < 0)
		return r;
	*d = devices_find(&e->devices, uuid, dev);
	return *d ? 0 : -ENOENT;
}

int engine_device_id(struct engine *e, const char *vm_name, const char *dev)
{
	LOCK_ENGINE(e);
	struct device *d;
	int r = find_device(e, vm_name, dev, &d);

	return r < 0 ? r : d->id;
}

static int insert_device(struct engine *e, void *arg)
{
	const struct device *d = arg;

	return store_device_insert(&e->store, d->vm_uuid, d->name);
}

int engine_device_create(struct engine *e, const char *vm_name, const char *dev)
{
	LOCK_ENGINE(e);
	struct device row = { 0 };
	char uuid[UUID_STR_LEN];
	int r = vm_resolve(e, vm_name, uuid);

	if (r < 0)
		return r;
	engine_object(e, "vms/%s", vm_name);
	if (!value_is_name(dev))
		return refuse(e, -EINVAL, "\"%s\" is not a valid device name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", dev);
	if (devices_find(&e->devices, uuid, dev))
		return -EEXIST;
	str_copy(row.vm_uuid, sizeof(row.vm_uuid), uuid);
	str_copy(row.name, sizeof(row.name), dev);
	r = commit_change(e, insert_device, &row);
	if (r < 0)
		return r;
	if (!devices_add(&e->devices, uuid, dev))
		return -ENOMEM;
	events_add(&e->events, "%s/devices/%s created", e->object, dev);
	return 0;
}

/* Finds the device and starts its wanted copy. */
static int begin_change(struct engine *e, const char *vm_name, const char *dev,
			struct device **d, struct device *want)
{
	int r = find_device(e, vm_name, dev, d);

	if (r < 0)
		return r;
	engine_object(e, "vms/%s/devices/%s", vm_name, dev);
	*want = **d;
	return 0;
}

int engine_device_delete(struct engine *e, const char *vm_name, const char *dev)
{
	LOCK_ENGINE(e);
	struct device *d, want;
	int r = begin_change(e, vm_name, dev, &d, &want);

	if (r < 0)
		return r;
	r = change_device(e, d, &want, true);
	if (r < 0)
		return r;
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	return 0;
}

/* Parses value into the wanted device and checks what it draws on; -ENOENT for an
 * unknown field. */
static int set_wanted(struct engine *e, const struct device *d, struct device *want,
		      const char *field, const char *value)
{
	const struct field *f = field_find(device_fields, field);
	char why[MESSAGE_MAX];

	if (!f)
		return -ENOENT;
	if (field_parse(f, value, want, why, sizeof(why)) < 0)
		return refuse(e, -EINVAL, "%s", why);
	return check_device_source(e, d, want, field);
}

static int save_device(struct engine *e, void *arg)
{
	return store_device_save(&e->store, arg);
}

int engine_device_set(struct engine *e, const char *vm_name, const char *dev,
		      const char *field, const char *value)
{
	LOCK_ENGINE(e);
	const struct field *changed;
	struct device *d, want;
	int r = begin_change(e, vm_name, dev, &d, &want);

	if (r < 0)
		return r;
	r = set_wanted(e, d, &want, field, value);
	changed = r < 0 ? NULL : fields_differ(device_fields, d, &want);
	if (!changed)
		return r < 0 ? r : 0;
	if (changed->effect != EFFECT_NONE)
		r = change_device(e, d, &want, false);
	else if ((r = commit_change(e, save_device, &want)) >= 0)
		*d = want; /* a label: neither the host nor libvirt */
	if (r >= 0)
		events_add(&e->events, "%s/%s = %s", e->object, field, value);
	return r;
}

const char *device_status(struct engine *e, const struct device *d, bool vm_active)
{
	_cleanup_free_ char *live = NULL;
	struct vgpu *vs[64];
	size_t n = device_vgpus(e, d, vs, ARRAY_SIZE(vs));
	char err[256], cdrom[PATH_MAX];
	bool pending = false;

	if (!d->group[0])
		return n ? "error" : "unassigned";
	for (size_t i = 0; i < n; i++)
		if (vs[i]->lost)
			return "lost";
	if (n != d->count)
		return "error";
	for (size_t i = 0; i < n; i++) {
		const struct gpu *g = host_find_gpu(&e->host, vs[i]->gpu);

		if (vs[i]->state != VGPU_CREATED || !g ||
		    !host_vgpu_exists(&e->host, g, vs[i]->slot, vs[i]->type_id, vs[i]->uuid))
			return "error";
	}
	if (!vm_active)
		return "allocated";
	if (virt_xml(e->virt, d->vm_uuid, false, &live, NULL, err, sizeof(err)) < 0)
		return "error";
	for (size_t i = 0; i < n && !pending; i++) {
		struct domxml_vgpu v;

		to_domxml_vgpu(e, vs[i], &v);
		pending = domxml_has_hostdev(live, &v) != 1;
	}
	device_cdrom(e, d, cdrom, sizeof(cdrom));
	pending |= cdrom[0] && domxml_has_cdrom(live, cdrom) != 1;
	return pending ? "restart-required" : "attached";
}

int engine_device_get(struct engine *e, const char *vm_name, const char *dev,
		      const char *field, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct field *f;
	struct virt_domain vm;
	struct device *d;
	int r = find_device(e, vm_name, dev, &d);

	if (r < 0)
		return r;
	if (!strcmp(field, "type"))
		return str_copy(buf, size, "nvidia-vgpu");
	if (!strcmp(field, "status")) /* the one field that needs the domain: does it run */
		return (r = vm_lookup(e, d->vm_uuid, &vm, false)) < 0 ? r :
			str_copy(buf, size, device_status(e, d, vm.active));
	if (!strcmp(field, "error")) {
		engine_object(e, "vms/%s/devices/%s", vm_name, dev);
		return str_copy(buf, size, events_error(&e->events, e->object));
	}
	f = field_find(device_fields, field);
	if (!f)
		return -ENOENT;
	field_format(f, d, buf, size);
	return 0;
}

int engine_for_each_device(struct engine *e, const char *vm_name, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	char uuid[UUID_STR_LEN];
	int r = vm_resolve(e, vm_name, uuid);

	for (size_t i = 0; r >= 0 && i < e->devices.n; i++)
		if (!strcmp(e->devices.items[i].vm_uuid, uuid))
			r = fn(e->devices.items[i].name, ctx);
	return r;
}

int engine_for_each_device_vgpu(struct engine *e, const char *vm_name, const char *dev,
				engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	struct device *d;
	struct vgpu *vs[64];
	int r = find_device(e, vm_name, dev, &d);
	size_t n = r < 0 ? 0 : device_vgpus(e, d, vs, ARRAY_SIZE(vs));

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = fn(vs[i]->uuid, ctx);
	return r;
}

