/* engine_devices.c — VM vGPU devices (vms/<vm>/devices/<dev>): allocation on the group's
 * GPUs, creation through the kernel, attachment in the domain definition, release, and
 * recovery at start.
 *
 * The vgpus table is the journal that makes every step crash-safe:
 *   allocate: rows 'creating' committed → vGPUs made on the host → definition updated →
 *             rows 'created' and the device's new settings committed together (the ack);
 *   release:  rows 'removing' and the device's new settings committed (the ack) →
 *             hostdevs out of the definition → vGPUs removed → rows deleted.
 * At start, devices_recover() rolls back 'creating' rows (never acknowledged), finishes
 * 'removing' ones, and re-creates 'created' vGPUs a reboot took away. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

/* ---- the definition ---- */

/* The guest-driver ISO attached to a device: the group's driver_iso in the media store. */
static void device_cdrom(struct engine *e, const struct device *d, char *buf, size_t size)
{
	struct group *g = groups_find(&e->groups, d->group);

	buf[0] = '\0';
	if (d->attach_guest_drivers && g && g->driver_iso[0])
		str_printf(buf, size, "%s/media/%s", e->state_dir, g->driver_iso);
}

static void to_domxml_vgpu(struct engine *e, const struct vgpu *v, struct domxml_vgpu *out)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);

	memset(out, 0, sizeof(*out));
	out->kind = g && g->mode == GPU_MODE_VFIO_SRIOV ? DOMXML_VF : DOMXML_MDEV;
	str_copy(out->uuid, sizeof(out->uuid), v->uuid);
	str_copy(out->vf_bdf, sizeof(out->vf_bdf), out->kind == DOMXML_VF ? v->slot : "");
	str_copy(out->gpu, sizeof(out->gpu), v->gpu);
	str_copy(out->profile, sizeof(out->profile), v->profile);
}

/* The devices of a VM as its definition should hold them (removing vGPUs left out). */
struct owned_set {
	struct domxml_device *devices;
	struct domxml_vgpu *vgpus;
	size_t n;
};

static void owned_set_free(struct owned_set *s)
{
	free(s->devices);
	free(s->vgpus);
}

static int owned_set_build(struct engine *e, const char *vm_uuid, struct owned_set *s)
{
	size_t k = 0;

	memset(s, 0, sizeof(*s));
	s->devices = calloc(e->devices.n + 1, sizeof(*s->devices));
	s->vgpus = calloc(e->devices.n_vgpus + 1, sizeof(*s->vgpus));
	if (!s->devices || !s->vgpus)
		return -ENOMEM; /* the caller frees */
	for (size_t i = 0; i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];
		struct domxml_device *out = &s->devices[s->n];

		if (strcmp(d->vm_uuid, vm_uuid))
			continue;
		str_copy(out->name, sizeof(out->name), d->name);
		out->vgpus = &s->vgpus[k];
		for (size_t j = 0; j < e->devices.n_vgpus; j++) {
			const struct vgpu *v = &e->devices.vgpus[j];

			if (!strcmp(v->vm_uuid, vm_uuid) && !strcmp(v->device, d->name) &&
			    v->state != VGPU_REMOVING)
				to_domxml_vgpu(e, v, &s->vgpus[k++]), out->n_vgpus++;
		}
		if (out->n_vgpus) /* an unassigned device puts nothing in the definition */
			device_cdrom(e, d, out->cdrom, sizeof(out->cdrom));
		s->n += out->n_vgpus > 0;
	}
	return 0;
}

int vm_apply(struct engine *e, const char *vm_uuid, char *err, size_t err_size)
{
	_cleanup_free_ char *xml = NULL, *edited = NULL;
	struct owned_set s;
	int r = virt_xml(e->virt, vm_uuid, true, &xml, err, err_size);

	if (r < 0)
		return r;
	r = owned_set_build(e, vm_uuid, &s);
	if (r >= 0)
		r = domxml_apply_changes(xml, s.devices, s.n, &edited, err, err_size);
	if (r >= 0 && edited) {
		r = virt_define(e->virt, edited, err, err_size);
		if (r >= 0)
			vms_expect_own_define(e, vm_uuid);
	}
	owned_set_free(&s);
	return r;
}

/* ---- looking things up ---- */

static size_t device_vgpus(struct engine *e, const struct device *d, struct vgpu **out,
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
	struct virt_domain vm;
	char err[256];

	if (virt_lookup(e->virt, d->vm_uuid, &vm, err, sizeof(err)) < 0)
		str_copy(vm.name, sizeof(vm.name), d->vm_uuid);
	snprintf(buf, size, "vms/%s/devices/%s", vm.name, d->name);
}

bool group_in_use(struct engine *e, const char *group, char *device, size_t size)
{
	for (size_t i = 0; i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];

		if (!strcmp(d->group, group)) {
			device_path(e, d, device, size);
			return true;
		}
	}
	return false;
}

/* ---- host side of one vGPU ---- */

static int vgpu_make(struct engine *e, const struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);
	int r;

	if (!g)
		return -ENODEV;
	r = host_vgpu_create(&e->host, g, v->slot, v->type_id, v->uuid);
	if (r >= 0 && v->params[0])
		r = host_vgpu_set_params(&e->host, g, v->slot, v->uuid, v->params);
	if (r < 0 && r != -EEXIST)
		host_vgpu_remove(&e->host, g, v->slot, v->uuid);
	return r;
}

static int vgpu_unmake(struct engine *e, const struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);

	return g ? host_vgpu_remove(&e->host, g, v->slot, v->uuid) : 0;
}

/* ---- allocation ---- */

struct plan {
	struct vgpu *vgpus;   /* planned, then journaled as 'creating' */
	size_t n;
};

/* Takes a not yet planned free slot of gpu (VFs hold one vGPU each). */
static int take_slot(struct engine *e, struct gpu *gpu, const struct plan *p, char *slot)
{
	char (*slots)[BDF_MAX] = NULL;
	size_t n;
	int t = gpu_find_type(gpu, p->vgpus[0].profile);
	int r = host_free_slots(&e->host, gpu, (size_t)t, &slots, &n);

	for (size_t i = 0; r >= 0 && i < n; i++) {
		size_t used = 0;

		for (size_t j = 0; j < p->n; j++)
			used += !strcmp(p->vgpus[j].slot, slots[i]);
		for (size_t k = 0; k < i; k++)
			used -= used && !strcmp(slots[k], slots[i]);
		if (!used) {
			str_copy(slot, BDF_MAX, slots[i]);
			free(slots);
			return 0;
		}
	}
	free(slots);
	return r < 0 ? r : -ENOSPC;
}

static int plan_vgpus(struct engine *e, const struct device *want, const struct group *g,
		      unsigned count, const char *object, struct plan *p)
{
	struct gpu *gpus[e->host.n_gpus + 1];
	struct placement_gpu load[e->host.n_gpus + 1];
	size_t n, picks[count + 1];
	enum placement_policy policy = PLACEMENT_DEPTH_FIRST;
	unsigned total = 0;
	int r;

	if (e->settings.maintenance)
		return refuse(e, object, -EBUSY, "host is in maintenance (host/maintenance): no "
			      "new vGPUs are placed");
	if (!g->profile[0])
		return refuse(e, object, -EINVAL, "group %s has no profile yet", g->name);
	r = group_candidates(e, g, gpus, load, &n);
	if (r < 0)
		return refuse(e, object, r, "cannot read GPU capacity: %s", strerror(-r));
	for (size_t i = 0; i < n; i++)
		total += load[i].free;
	placement_policy_parse(g->policy, &policy);
	if (placement_pick(load, n, count, policy, picks) < 0)
		return refuse(e, object, -ENOSPC, "group %s has %u free %s vGPUs on %zu GPUs; "
			      "this needs %u", g->name, total, g->profile, n, count);
	p->vgpus = calloc(count, sizeof(*p->vgpus));
	if (!p->vgpus)
		return -ENOMEM;
	for (unsigned k = 0; k < count; k++) {
		struct vgpu *v = &p->vgpus[p->n];
		struct gpu *gpu = gpus[picks[k]];
		uuid_t id;

		uuid_generate_random(id);
		uuid_unparse_lower(id, v->uuid);
		str_copy(v->vm_uuid, sizeof(v->vm_uuid), want->vm_uuid);
		str_copy(v->device, sizeof(v->device), want->name);
		str_copy(v->gpu, sizeof(v->gpu), gpu->pci.bdf);
		str_copy(v->profile, sizeof(v->profile), g->profile);
		str_copy(v->type_id, sizeof(v->type_id),
			 gpu->types[gpu_find_type(gpu, g->profile)].type_id);
		device_params(want, v->params, sizeof(v->params));
		v->state = VGPU_CREATING;
		if ((r = take_slot(e, gpu, p, v->slot)) < 0)
			return refuse(e, object, -ENOSPC, "no free slot left on GPU %s",
				      gpu->pci.bdf);
		p->n++;
	}
	return 0;
}

static int journal_plan(struct engine *e, void *arg)
{
	const struct plan *p = arg;
	int r = 0;

	for (size_t i = 0; i < p->n && r >= 0; i++)
		r = store_vgpu_insert(&e->store, &p->vgpus[i]);
	return r;
}

static int forget_plan(struct engine *e, void *arg)
{
	const struct plan *p = arg;
	int r = 0;

	for (size_t i = 0; i < p->n && r >= 0; i++)
		r = store_vgpu_delete(&e->store, p->vgpus[i].uuid);
	return r;
}

/* Undoes an allocation that was not acknowledged: host, memory, journal. */
static void rollback_plan(struct engine *e, struct plan *p, const char *object)
{
	for (size_t i = 0; i < p->n; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, p->vgpus[i].uuid);

		vgpu_unmake(e, &p->vgpus[i]);
		if (v)
			devices_remove_vgpu(&e->devices, v);
	}
	commit_change(e, object, forget_plan, p);
}

static int kernel_refusal(struct engine *e, const char *object, int r, const struct vgpu *v)
{
	if (r == -EUSERS || r == -ENOSPC)
		return refuse(e, object, -ENOSPC, "GPU %s has no room for another %s vGPU",
			      v->gpu, v->profile);
	return refuse(e, object, r, "creating a %s vGPU on %s failed: %s", v->profile, v->slot,
		      strerror(-r));
}

/* Steps 1-3 of an allocation: journal, make on the host (rows stay 'creating'). */
static int allocate(struct engine *e, const struct device *want, unsigned count,
		    const char *object, struct plan *p)
{
	struct group *g = groups_find(&e->groups, want->group);
	int r;

	if (!g)
		return refuse(e, object, -ENOENT, "no resource group named \"%s\"", want->group);
	r = plan_vgpus(e, want, g, count, object, p);
	if (r >= 0)
		r = commit_change(e, object, journal_plan, p);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n; i++)
		if (!devices_add_vgpu(&e->devices, &p->vgpus[i]))
			return rollback_plan(e, p, object), -ENOMEM;
	crashpoint("allocate-journaled");
	for (size_t i = 0; i < p->n; i++) {
		r = vgpu_make(e, &p->vgpus[i]);
		if (r < 0) {
			kernel_refusal(e, object, r, &p->vgpus[i]);
			rollback_plan(e, p, object);
			return r == -EUSERS ? -ENOSPC : r;
		}
	}
	crashpoint("allocate-created");
	return 0;
}

/* ---- changing a device ---- */

/* One device change. vGPUs are named by UUID, not pointer: allocating grows the array
 * that holds them. */
struct change {
	struct device *device;      /* the record, holding `want` while the change runs */
	struct plan added;
	char removed[64][UUID_STR_LEN];
	size_t n_removed;
	char kept[64][UUID_STR_LEN];
	size_t n_kept;
	char params[256];           /* vgpu_params for the wanted options */
	char old_params[256];       /* those the kept vGPUs have now */
	bool delete_device;
};

static int store_device_row(struct engine *e, const struct device *d)
{
	return store_update(&e->store, "devices", device_fields, d, "vm_uuid", d->vm_uuid,
			    "name", d->name, NULL);
}

/* The acknowledgement: new vGPUs created, old ones removing, the device as wanted. */
static int store_change(struct engine *e, void *arg)
{
	const struct change *c = arg;
	const struct device *d = c->device;
	int r = 0;

	for (size_t i = 0; i < c->added.n && r >= 0; i++)
		r = store_vgpu_set_state(&e->store, c->added.vgpus[i].uuid, VGPU_CREATED);
	for (size_t i = 0; i < c->n_removed && r >= 0; i++)
		r = store_vgpu_set_state(&e->store, c->removed[i], VGPU_REMOVING);
	if (r >= 0 && c->delete_device)
		r = store_exec(&e->store, "DELETE FROM devices WHERE vm_uuid = ? AND name = ?",
			       d->vm_uuid, d->name, NULL);
	else if (r >= 0)
		r = store_device_row(e, d);
	if (r >= 0)
		r = store_exec(&e->store, "UPDATE vgpus SET params = ? WHERE vm_uuid = ? AND "
			       "device = ? AND state = 'created'", c->params, d->vm_uuid, d->name,
			       NULL);
	return r;
}

static int store_vgpu_forget(struct engine *e, void *arg)
{
	return store_vgpu_delete(&e->store, (const char *)arg);
}

/* Removes vGPUs whose rows say 'removing': host, journal, memory. One that cannot be
 * removed now (in use) keeps its row and is retried at the next start. */
static void finish_removal(struct engine *e, const char *uuid)
{
	struct vgpu *v = devices_find_vgpu(&e->devices, uuid);
	char id[UUID_STR_LEN];
	int r;

	if (!v)
		return;
	str_copy(id, sizeof(id), uuid);
	r = vgpu_unmake(e, v);
	if (r < 0) {
		events_add(&e->events, "vgpus/%s: removal failed (%s); retried at next start", id,
			   strerror(-r));
		return;
	}
	if (commit_change(e, "vgpus", store_vgpu_forget, id) >= 0 &&
	    (v = devices_find_vgpu(&e->devices, id)))
		devices_remove_vgpu(&e->devices, v);
}

/* Sorts the vGPUs `old` has into kept and removed for `want`; returns how many to add. */
static unsigned classify(struct engine *e, struct change *c, const struct device *old,
			 const struct device *want)
{
	struct vgpu *have[64];
	size_t n = device_vgpus(e, old, have, ARRAY_SIZE(have));
	bool regroup = c->delete_device || strcmp(want->group, old->group) || !want->group[0];
	size_t keep = regroup ? 0 : n < want->count ? n : want->count;

	for (size_t i = 0; i < n; i++) {
		if (i < keep)
			str_copy(c->kept[c->n_kept++], UUID_STR_LEN, have[i]->uuid);
		else
			str_copy(c->removed[c->n_removed++], UUID_STR_LEN, have[i]->uuid);
	}
	if (keep)
		str_copy(c->old_params, sizeof(c->old_params), have[0]->params);
	if (c->delete_device || !want->group[0])
		return 0;
	return want->count > keep ? want->count - (unsigned)keep : 0;
}

static bool params_change(const struct change *c)
{
	return c->n_kept && strcmp(c->old_params, c->params);
}

/* Writes params to the first n kept vGPUs; returns how many took them, or -errno of the
 * first refusal in *err. */
static size_t write_params(struct engine *e, const struct change *c, size_t n,
			   const char *params, int *err)
{
	size_t done = 0;

	*err = 0;
	for (; done < n && !*err; done++) {
		const struct vgpu *v = devices_find_vgpu(&e->devices, c->kept[done]);
		const struct gpu *g = v ? host_find_gpu(&e->host, v->gpu) : NULL;

		*err = g ? host_vgpu_set_params(&e->host, g, v->slot, v->uuid, params) : -ENODEV;
	}
	return *err ? done - 1 : done;
}

/* Writes the new options to the kept vGPUs; on failure restores the old ones. */
static int rewrite_params(struct engine *e, struct change *c, const char *object)
{
	int r, ignored;
	size_t done = write_params(e, c, c->n_kept, c->params, &r);

	if (!r)
		return 0;
	write_params(e, c, done, c->old_params, &ignored);
	if (r == -EPERM)
		return refuse(e, object, -EBUSY, "the driver refuses new options on vGPU %s "
			      "while it is in use", c->kept[done]);
	return refuse(e, object, r, "writing vgpu_params of %s: %s", c->kept[done], strerror(-r));
}

static void mark_removed(struct engine *e, const struct change *c, enum vgpu_state state)
{
	for (size_t i = 0; i < c->n_removed; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, c->removed[i]);

		if (v)
			v->state = state;
	}
}

/* Puts back what prepare_change() did, after it or the commit failed. */
static void undo_change(struct engine *e, struct change *c, const char *object)
{
	int ignored;

	mark_removed(e, c, VGPU_CREATED);
	if (params_change(c))
		write_params(e, c, c->n_kept, c->old_params, &ignored);
	rollback_plan(e, &c->added, object);
}

/* Everything before the acknowledgement; on failure nothing is left changed. */
static int prepare_change(struct engine *e, struct change *c, const struct device *old,
			  const struct device *want, bool vm_active, const char *object)
{
	unsigned add = classify(e, c, old, want);
	char err[512] = "";
	int r;

	if (vm_active && (c->n_removed || params_change(c)))
		return refuse(e, object, -EBUSY, "VM is running: shut it down to remove vGPUs "
			      "or change their options (the driver takes them only before start)");
	if (add && (r = allocate(e, want, add, object, &c->added)) < 0)
		return r;
	if (params_change(c) && (r = rewrite_params(e, c, object)) < 0)
		return rollback_plan(e, &c->added, object), r;
	mark_removed(e, c, VGPU_REMOVING);
	r = vm_apply(e, want->vm_uuid, err, sizeof(err));
	if (r < 0) {
		undo_change(e, c, object);
		return refuse(e, object, r, "updating the VM definition failed: %s", err);
	}
	crashpoint("device-defined");
	return 0;
}

/* After the acknowledgement: the records say what the journal says, the old vGPUs go. */
static void complete_change(struct engine *e, struct change *c, struct device *d)
{
	for (size_t i = 0; i < c->added.n; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, c->added.vgpus[i].uuid);

		if (v)
			v->state = VGPU_CREATED;
	}
	for (size_t i = 0; i < c->n_kept; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, c->kept[i]);

		if (v)
			str_copy(v->params, sizeof(v->params), c->params);
	}
	crashpoint("device-committed");
	if (c->delete_device)
		devices_remove(&e->devices, d);
	for (size_t i = 0; i < c->n_removed; i++)
		finish_removal(e, c->removed[i]);
}

/* Moves the device to `want` (or deletes it): the single path every device change takes.
 * d must not be used after a successful delete. */
static int change_device(struct engine *e, struct device *d, struct device *want,
			 bool delete_device, const char *object)
{
	struct change c = { .device = d, .delete_device = delete_device };
	struct virt_domain vm;
	struct device old = *d;
	char err[512] = "";
	int r = virt_lookup(e->virt, d->vm_uuid, &vm, err, sizeof(err));

	if (r < 0)
		return refuse(e, object, r, "VM lookup failed: %s", err);
	device_params(want, c.params, sizeof(c.params));
	*d = *want; /* the definition is built from the records: show it the wanted device */
	r = prepare_change(e, &c, &old, d, vm.active, object);
	if (r >= 0) {
		r = commit_change(e, object, store_change, &c);
		if (r < 0) {
			undo_change(e, &c, object);
			*d = old;
			vm_apply(e, d->vm_uuid, err, sizeof(err));
			*d = *want;
		}
	}
	if (r < 0)
		*d = old;
	else
		complete_change(e, &c, d);
	free(c.added.vgpus);
	return r;
}

/* ---- the device API (engine.h) ---- */

static int find_vm(struct engine *e, const char *vm_name, struct virt_domain *vm)
{
	char err[256];

	return virt_lookup(e->virt, vm_name, vm, err, sizeof(err));
}

static void device_object(char *buf, const char *vm, const char *dev)
{
	snprintf(buf, OBJECT_MAX, "vms/%s/devices/%s", vm, dev);
}

static int find_device(struct engine *e, const char *vm_name, const char *dev,
		       struct virt_domain *vm, struct device **d)
{
	int r = find_vm(e, vm_name, vm);

	if (r < 0)
		return r;
	*d = devices_find(&e->devices, vm->uuid, dev);
	return *d ? 0 : -ENOENT;
}

static int device_id(struct engine *e, const char *vm_name, const char *dev)
{
	struct virt_domain vm;
	struct device *d;
	int r = find_device(e, vm_name, dev, &vm, &d);

	return r < 0 ? r : d->id;
}

int engine_device_id(struct engine *e, const char *vm, const char *dev)
{
	int r;

	WITH_LOCK(e, r = device_id(e, vm, dev));
	return r;
}

static int store_device_insert(struct engine *e, void *arg)
{
	const struct device *d = arg;

	return store_exec(&e->store, "INSERT INTO devices (vm_uuid, name) VALUES (?, ?)",
			  d->vm_uuid, d->name, NULL);
}

static int device_create(struct engine *e, const char *vm_name, const char *dev)
{
	struct virt_domain vm;
	struct device row = { 0 };
	char object[OBJECT_MAX];
	int r = find_vm(e, vm_name, &vm);

	if (r < 0)
		return r;
	snprintf(object, sizeof(object), "vms/%s", vm_name);
	if (!value_is_name(dev))
		return refuse(e, object, -EINVAL, "\"%s\" is not a valid device name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", dev);
	if (devices_find(&e->devices, vm.uuid, dev))
		return -EEXIST;
	str_copy(row.vm_uuid, sizeof(row.vm_uuid), vm.uuid);
	str_copy(row.name, sizeof(row.name), dev);
	r = commit_change(e, object, store_device_insert, &row);
	if (r < 0)
		return r;
	if (!devices_add(&e->devices, vm.uuid, dev))
		return -ENOMEM;
	events_add(&e->events, "%s/devices/%s created", object, dev);
	return 0;
}

int engine_device_create(struct engine *e, const char *vm, const char *dev)
{
	int r;

	WITH_LOCK(e, r = device_create(e, vm, dev));
	return r;
}

/* Finds the device and starts its wanted copy. */
static int begin_change(struct engine *e, const char *vm_name, const char *dev,
			struct device **d, struct device *want, char *object)
{
	struct virt_domain vm;
	int r = find_device(e, vm_name, dev, &vm, d);

	if (r < 0)
		return r;
	device_object(object, vm_name, dev);
	*want = **d;
	return 0;
}

static int device_delete(struct engine *e, const char *vm_name, const char *dev)
{
	struct device *d, want;
	char object[OBJECT_MAX];
	int r = begin_change(e, vm_name, dev, &d, &want, object);

	if (r < 0)
		return r;
	r = change_device(e, d, &want, true, object);
	if (r < 0)
		return r;
	events_forget(&e->events, object);
	events_add(&e->events, "%s deleted", object);
	return 0;
}

int engine_device_delete(struct engine *e, const char *vm, const char *dev)
{
	int r;

	WITH_LOCK(e, r = device_delete(e, vm, dev));
	return r;
}

/* Parses value into the wanted device; -ENOENT for an unknown field or group. */
static int set_wanted(struct engine *e, const char *object, struct device *want,
		      const char *field, const char *value)
{
	const struct field *f = field_find(device_fields, field);
	char why[MESSAGE_MAX];

	if (!f)
		return -ENOENT;
	if (field_parse(f, value, want, why, sizeof(why)) < 0)
		return refuse(e, object, -EINVAL, "%s", why);
	if (!strcmp(field, "group") && want->group[0] && !groups_find(&e->groups, want->group))
		return refuse(e, object, -ENOENT, "no resource group named \"%s\" (see groups/)",
			      value);
	return 0;
}

static int store_device_settings(struct engine *e, void *arg)
{
	return store_device_row(e, arg);
}

static int device_set(struct engine *e, const char *vm_name, const char *dev,
		      const char *field, const char *value)
{
	const struct field *changed;
	struct device *d, want;
	char object[OBJECT_MAX];
	int r = begin_change(e, vm_name, dev, &d, &want, object);

	if (r < 0)
		return r;
	r = set_wanted(e, object, &want, field, value);
	changed = r < 0 ? NULL : fields_differ(device_fields, d, &want);
	if (!changed)
		return r < 0 ? r : 0;
	if (changed->effect != EFFECT_NONE)
		r = change_device(e, d, &want, false, object);
	else if ((r = commit_change(e, object, store_device_settings, &want)) >= 0)
		*d = want; /* a label: neither the host nor libvirt */
	if (r >= 0)
		events_add(&e->events, "%s/%s = %s", object, field, value);
	return r;
}

int engine_device_set(struct engine *e, const char *vm, const char *dev, const char *field,
		      const char *value)
{
	int r;

	WITH_LOCK(e, r = device_set(e, vm, dev, field, value));
	return r;
}

const char *device_status(struct engine *e, const struct device *d, bool vm_active)
{
	_cleanup_free_ char *live = NULL;
	struct vgpu *vs[64];
	size_t n = device_vgpus(e, d, vs, ARRAY_SIZE(vs));
	char err[256];
	bool pending = false;

	if (!d->group[0])
		return n ? "error" : "unassigned";
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
	if (virt_xml(e->virt, d->vm_uuid, false, &live, err, sizeof(err)) < 0)
		return "error";
	for (size_t i = 0; i < n && !pending; i++) {
		struct domxml_vgpu v;

		to_domxml_vgpu(e, vs[i], &v);
		pending = domxml_has_hostdev(live, &v) != 1;
	}
	return pending ? "restart-required" : "attached";
}

static int device_get(struct engine *e, const char *vm_name, const char *dev,
		      const char *field, char *buf, size_t size)
{
	const struct field *f;
	struct virt_domain vm;
	struct device *d;
	char object[OBJECT_MAX];
	int r = find_device(e, vm_name, dev, &vm, &d);

	if (r < 0)
		return r;
	if (!strcmp(field, "type"))
		return str_copy(buf, size, "nvidia-vgpu");
	if (!strcmp(field, "status"))
		return str_copy(buf, size, device_status(e, d, vm.active));
	if (!strcmp(field, "error")) {
		device_object(object, vm_name, dev);
		return str_copy(buf, size, events_error(&e->events, object));
	}
	f = field_find(device_fields, field);
	if (!f)
		return -ENOENT;
	field_format(f, d, buf, size);
	return 0;
}

int engine_device_get(struct engine *e, const char *vm, const char *dev, const char *field,
		      char *buf, size_t size)
{
	int r;

	WITH_LOCK(e, r = device_get(e, vm, dev, field, buf, size));
	return r;
}

static int list_devices(struct engine *e, const char *vm_name, engine_name_fn fn, void *ctx)
{
	struct virt_domain vm;
	int r = find_vm(e, vm_name, &vm);

	for (size_t i = 0; r >= 0 && i < e->devices.n; i++)
		if (!strcmp(e->devices.items[i].vm_uuid, vm.uuid))
			r = fn(e->devices.items[i].name, ctx);
	return r;
}

int engine_for_each_device(struct engine *e, const char *vm, engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_devices(e, vm, fn, ctx));
	return r;
}

static int list_device_vgpus(struct engine *e, const char *vm_name, const char *dev,
			     engine_name_fn fn, void *ctx)
{
	struct virt_domain vm;
	struct device *d;
	struct vgpu *vs[64];
	int r = find_device(e, vm_name, dev, &vm, &d);
	size_t n = r < 0 ? 0 : device_vgpus(e, d, vs, ARRAY_SIZE(vs));

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = fn(vs[i]->uuid, ctx);
	return r;
}

int engine_for_each_device_vgpu(struct engine *e, const char *vm, const char *dev,
				engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_device_vgpus(e, vm, dev, fn, ctx));
	return r;
}

/* ---- recovery ---- */

void devices_vm_gone(struct engine *e, const char *vm_uuid, const char *vm_name)
{
	size_t freed = 0;

	for (size_t i = e->devices.n_vgpus; i-- > 0;) {
		if (strcmp(e->devices.vgpus[i].vm_uuid, vm_uuid))
			continue;
		e->devices.vgpus[i].state = VGPU_REMOVING;
		store_vgpu_set_state(&e->store, e->devices.vgpus[i].uuid, VGPU_REMOVING);
	}
	if (store_exec(&e->store, "DELETE FROM devices WHERE vm_uuid = ?", vm_uuid, NULL) < 0)
		return;
	for (size_t i = e->devices.n; i-- > 0;)
		if (!strcmp(e->devices.items[i].vm_uuid, vm_uuid))
			devices_remove(&e->devices, &e->devices.items[i]);
	for (size_t i = e->devices.n_vgpus; i-- > 0;) {
		if (strcmp(e->devices.vgpus[i].vm_uuid, vm_uuid))
			continue;
		finish_removal(e, e->devices.vgpus[i].uuid);
		freed++;
	}
	if (freed)
		events_add(&e->events, "vms/%s: domain undefined; its %zu vGPUs were freed",
			   vm_name, freed);
}

/* Rolls back 'creating' rows and finishes 'removing' ones. */
static void recover_journal(struct engine *e)
{
	for (size_t i = e->devices.n_vgpus; i-- > 0;) {
		struct vgpu *v = &e->devices.vgpus[i];

		if (v->state == VGPU_CREATED)
			continue;
		char err[512];

		events_add(&e->events, "vgpus/%s: %s at the last stop; %s", v->uuid,
			   vgpu_state_name(v->state), v->state == VGPU_CREATING ?
			   "rolled back (never acknowledged)" : "removal finished");
		v->state = VGPU_REMOVING;
		/* first out of the definition, so no hostdev points at nothing */
		if (vm_apply(e, v->vm_uuid, err, sizeof(err)) < 0 && !strstr(err, "no domain"))
			events_add(&e->events, "vms/%s: definition not updated: %s", v->vm_uuid, err);
		finish_removal(e, v->uuid);
	}
}

void devices_forget_missing_vms(struct engine *e)
{
	for (size_t i = e->devices.n; i-- > 0;) {
		struct virt_domain vm;
		char err[256], uuid[UUID_STR_LEN];

		if (i >= e->devices.n)
			continue;
		str_copy(uuid, sizeof(uuid), e->devices.items[i].vm_uuid);
		if (virt_lookup(e->virt, uuid, &vm, err, sizeof(err)) == -ENOENT)
			devices_vm_gone(e, uuid, uuid);
	}
}

/* vGPUs do not survive a reboot: make again, with the same UUID and options. */
static void recreate_vgpus(struct engine *e)
{
	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		const struct vgpu *v = &e->devices.vgpus[i];
		const struct gpu *g = host_find_gpu(&e->host, v->gpu);
		int r;

		if (g && host_vgpu_exists(&e->host, g, v->slot, v->type_id, v->uuid))
			continue;
		r = vgpu_make(e, v);
		if (r < 0)
			events_add(&e->events, "vgpus/%s: could not be re-created on %s: %s",
				   v->uuid, v->slot, strerror(-r));
		else
			events_add(&e->events, "vgpus/%s: re-created on %s", v->uuid, v->slot);
	}
}

static void reapply_definitions(struct engine *e)
{
	for (size_t i = 0; i < e->devices.n; i++) {
		const char *uuid = e->devices.items[i].vm_uuid;
		char err[512];
		bool done = false;

		for (size_t j = 0; j < i && !done; j++)
			done = !strcmp(e->devices.items[j].vm_uuid, uuid);
		if (!done && vm_apply(e, uuid, err, sizeof(err)) < 0)
			events_add(&e->events, "vms/%s: definition could not be updated: %s", uuid,
				   err);
	}
}

int devices_recover(struct engine *e)
{
	recover_journal(e);
	devices_forget_missing_vms(e);
	recreate_vgpus(e);
	reapply_definitions(e);
	return 0;
}
