/* change.c — the one path of every device change (change_device): plan, allocate,
 * rewrite options, edit the definition, acknowledge, then remove what the change freed. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

/* One device change. vGPUs are named by UUID, not pointer: allocating grows the array
 * that holds them. */
struct change {
	struct device *device;      /* the record, unchanged until the acknowledgement */
	const struct device *want;  /* the device as the change leaves it */
	struct plan added;
	char removed[64][UUID_STR_LEN];
	size_t n_removed;
	char kept[64][UUID_STR_LEN];
	size_t n_kept;
	char params[256];           /* vgpu_params for the wanted options */
	char old_params[256];       /* those the kept vGPUs have now */
	bool delete_device;
};

/* The acknowledgement: new vGPUs created, old ones removing, the device as wanted. */
static int acknowledge(struct engine *e, void *arg)
{
	const struct change *c = arg;
	const struct device *d = c->want;
	int r = 0;

	for (size_t i = 0; i < c->added.n && r >= 0; i++)
		r = store_vgpu_set_state(&e->store, c->added.vgpus[i].uuid, VGPU_CREATED);
	for (size_t i = 0; i < c->n_removed && r >= 0; i++)
		r = store_vgpu_set_state(&e->store, c->removed[i], VGPU_REMOVING);
	if (r >= 0 && c->delete_device)
		r = store_device_delete(&e->store, d->vm_uuid, d->name);
	else if (r >= 0)
		r = store_device_save(&e->store, d);
	if (r >= 0)
		r = store_device_vgpus_set_params(&e->store, d, c->params);
	return r;
}

/* Removes vGPUs whose rows say 'removing': host, journal, memory. One that cannot be
 * removed now (in use) keeps its row and is retried at the next start. */
void finish_removal(struct engine *e, const char *uuid)
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
	r = store_begin(&e->store);
	if (r >= 0)
		r = store_vgpu_delete(&e->store, id);
	if (r >= 0)
		r = store_commit(&e->store);
	if (r < 0) { /* not the write's refusal: it was acknowledged before */
		store_rollback(&e->store);
		events_add(&e->events, "vgpus/%s: removed, but its row stays (%s); forgotten at "
			   "next start", id, sqlite3_errmsg(e->store.db));
	} else if ((v = devices_find_vgpu(&e->devices, id))) {
		devices_remove_vgpu(&e->devices, v);
	}
}

/* Sorts the vGPUs `old` has into kept and removed for `want`; returns how many to add. */
static unsigned classify(struct engine *e, struct change *c, const struct device *old,
			 const struct device *want)
{
	struct vgpu *have[64];
	size_t n = device_vgpus(e, old, have, ARRAY_SIZE(have));
	bool regroup = c->delete_device || strcmp(want->group, old->group) || !want->group[0];
	size_t keep = regroup ? 0 : n < want->count ? n : want->count;

	assert(n <= ARRAY_SIZE(c->kept) && !c->n_kept && !c->n_removed);
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
static int rewrite_params(struct engine *e, struct change *c)
{
	int r, ignored;
	size_t done = write_params(e, c, c->n_kept, c->params, &r);

	if (!r)
		return 0;
	write_params(e, c, done, c->old_params, &ignored);
	if (r == -EPERM)
		return refuse(e, -EBUSY, "the driver refuses new options on vGPU %s "
			      "while it is in use", c->kept[done]);
	return refuse(e, r, "writing vgpu_params of %s: %s", c->kept[done], strerror(-r));
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
static void undo_change(struct engine *e, struct change *c)
{
	int ignored;

	mark_removed(e, c, VGPU_CREATED);
	if (params_change(c))
		write_params(e, c, c->n_kept, c->old_params, &ignored);
	rollback_plan(e, &c->added);
}

/* Everything before the acknowledgement; on failure nothing is left changed. xml is the
 * persistent definition when the change may edit it, else NULL. */
static int prepare_change(struct engine *e, struct change *c, unsigned add,
			  const struct device *want, bool vm_active, const char *xml)
{
	char err[512] = "";
	int r = 0;

	if (vm_active && (c->n_removed || params_change(c)))
		return refuse(e, -EBUSY, "VM is running: shut it down to remove vGPUs "
			      "or change their options (the driver takes them only before start)");
	if (add && (r = allocate(e, want, add, &c->added)) < 0)
		return r;
	if (params_change(c) && (r = rewrite_params(e, c)) < 0)
		return rollback_plan(e, &c->added), r;
	mark_removed(e, c, VGPU_REMOVING);
	if (xml)
		r = vm_apply_to(e, want->vm_uuid, xml, c->delete_device ? NULL : want, err,
				sizeof(err));
	if (r < 0) {
		undo_change(e, c);
		return refuse(e, r, "updating the VM definition failed: %s", err);
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
	e->metrics.allocations += c->added.n;
	e->metrics.releases += c->n_removed;
	for (size_t i = 0; i < c->n_kept; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, c->kept[i]);

		if (v)
			str_copy(v->params, sizeof(v->params), c->params);
	}
	crashpoint("device-committed");
	if (c->delete_device)
		devices_remove(&e->devices, d);
	else
		*d = *c->want;
	for (size_t i = 0; i < c->n_removed; i++)
		finish_removal(e, c->removed[i]);
}

/* Moves the device to `want` (or deletes it): the single path every device change takes.
 * d must not be used after a successful delete. */
int change_device(struct engine *e, struct device *d, const struct device *want,
		  bool delete_device)
{
	struct change c = { .device = d, .want = want, .delete_device = delete_device };
	_cleanup_free_ char *xml = NULL;
	struct virt_domain vm;
	char err[512] = "";
	unsigned add;
	int r;

	assert(!strcmp(d->vm_uuid, want->vm_uuid) && !strcmp(d->name, want->name));
	device_params(want, c.params, sizeof(c.params));
	add = classify(e, &c, d, want);
	/* one lookup: with the definition when the change may edit it */
	if (add || c.n_removed || d->attach_guest_drivers != want->attach_guest_drivers)
		r = virt_xml(e->virt, d->vm_uuid, true, &xml, &vm, err, sizeof(err));
	else
		r = vm_lookup(e, d->vm_uuid, &vm, false);
	if (r < 0)
		return refuse(e, r, "VM lookup failed: %s", err[0] ? err : strerror(-r));
	r = prepare_change(e, &c, add, want, vm.active, xml);
	if (r >= 0) {
		r = commit_change(e, acknowledge, &c);
		if (r < 0) {
			undo_change(e, &c);
			vm_apply(e, d->vm_uuid, NULL, err, sizeof(err)); /* the records again */
		}
	}
	if (r >= 0)
		complete_change(e, &c, d);
	free(c.added.vgpus);
	return r;
}
