/* allocation.c — making vGPUs for a device: placement on the group's GPUs, the journal
 * rows, creation through the kernel, and the undo of an allocation not acknowledged.
 *
 * The vgpus table is the journal that makes every step crash-safe:
 *   allocate: rows 'creating' committed → vGPUs made on the host → definition updated →
 *             rows 'created' and the device's new settings committed together (the ack);
 *   release:  rows 'removing' and the device's new settings committed (the ack) →
 *             hostdevs out of the definition → vGPUs removed → rows deleted.
 * At start, devices_recover() (recovery.c) rolls back 'creating' rows (never
 * acknowledged), finishes 'removing' ones, and re-creates 'created' vGPUs a reboot took
 * away. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

int vgpu_make(struct engine *e, const struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);
	int r;

	if (!g || g->gone)
		return -ENODEV;
	r = host_vgpu_create(&e->host, g, v->slot, v->type_id, v->uuid);
	if (r >= 0 && v->params[0])
		r = host_vgpu_set_params(&e->host, g, v->slot, v->uuid, v->params);
	if (r < 0 && r != -EEXIST)
		host_vgpu_remove(&e->host, g, v->slot, v->uuid);
	return r;
}

int vgpu_unmake(struct engine *e, const struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);

	return g && !g->gone ? host_vgpu_remove(&e->host, g, v->slot, v->uuid) : 0;
}

/* ---- allocation ---- */

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

/* The group's GPUs and their room, from the snapshot as it stands; when that is short of
 * count, from fresh readings: the group is only found full on those. */
static int candidates(struct engine *e, const struct group *g, unsigned count,
		      struct gpu **gpus, struct placement_gpu *load, size_t *n)
{
	unsigned total = 0;
	int r = group_candidates(e, g, gpus, load, n);

	for (size_t i = 0; r >= 0 && i < *n; i++)
		total += load[i].free;
	if (r < 0 || total >= count)
		return r;
	for (size_t i = 0; i < *n; i++)
		host_forget_gpu(&e->host, gpus[i]);
	return group_candidates(e, g, gpus, load, n);
}

static int plan_vgpus(struct engine *e, const struct device *want, const struct group *g,
		      unsigned count, struct plan *p)
{
	struct gpu *gpus[e->host.n_gpus + 1];
	struct placement_gpu load[e->host.n_gpus + 1];
	size_t n, picks[count + 1];
	enum placement_policy policy = PLACEMENT_DEPTH_FIRST;
	/* what tenants' shares hold back: all of it, but the share this device draws on */
	unsigned total = 0, reserve = group_unused_reserve(e, g, device_share(e, want));
	int r;

	if (e->settings.maintenance)
		return refuse(e, -EBUSY, "host is in maintenance (host/maintenance): no "
			      "new vGPUs are placed");
	if (!g->profile[0])
		return refuse(e, -EINVAL, "group %s has no profile yet", g->name);
	r = candidates(e, g, count, gpus, load, &n);
	if (r < 0)
		return refuse(e, r, "cannot read GPU capacity: %s", strerror(-r));
	for (size_t i = 0; i < n; i++)
		total += load[i].free;
	placement_policy_parse(g->policy, &policy);
	if (reserve && total < reserve + count)
		return refuse(e, -ENOSPC, "group %s has %u free %s vGPUs, %u of them reserved "
			      "by tenants' shares; this needs %u", g->name, total, g->profile,
			      reserve, count);
	if (placement_pick(load, n, count, policy, picks) < 0)
		return refuse(e, -ENOSPC, "group %s has %u free %s vGPUs on %zu GPUs; "
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
			return refuse(e, -ENOSPC, "no free slot left on GPU %s",
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
void rollback_plan(struct engine *e, struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct vgpu *v = devices_find_vgpu(&e->devices, p->vgpus[i].uuid);

		vgpu_unmake(e, &p->vgpus[i]);
		if (v)
			devices_remove_vgpu(&e->devices, v);
	}
	commit_change(e, forget_plan, p);
}

static int kernel_refusal(struct engine *e, int r, const struct vgpu *v)
{
	if (r == -EUSERS || r == -ENOSPC)
		return refuse(e, -ENOSPC, "GPU %s has no room for another %s vGPU",
			      v->gpu, v->profile);
	return refuse(e, r, "creating a %s vGPU on %s failed: %s", v->profile, v->slot,
		      strerror(-r));
}

/* Steps 1-2 of one attempt: journal, make on the host (rows stay 'creating'). On
 * failure, nothing is left of it; *failed is the vGPU the kernel refused, if any. */
static int make_plan(struct engine *e, struct plan *p, const struct vgpu **failed)
{
	int r = commit_change(e, journal_plan, p);

	*failed = NULL;
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n; i++)
		if (!devices_add_vgpu(&e->devices, &p->vgpus[i]))
			return rollback_plan(e, p), -ENOMEM;
	crashpoint("allocate-journaled");
	for (size_t i = 0; i < p->n; i++) {
		r = vgpu_make(e, &p->vgpus[i]);
		if (r < 0) {
			*failed = &p->vgpus[i];
			return r;
		}
	}
	return 0;
}

/* Steps 1-3 of an allocation: plan, journal, make on the host (rows stay 'creating').
 * Placement trusts the snapshot whatever its age (the daemon's own changes are in it at
 * once; reading every GPU of the group for each vGPU would cost more than making it).
 * The kernel has the last word: a GPU it finds full (changed behind the daemon's back)
 * is read again and the vGPUs placed again, at most once per GPU. */
int allocate(struct engine *e, const struct device *want, unsigned count,
		    struct plan *p)
{
	struct group *g = device_group(e, want);
	const struct vgpu *failed;
	int r;

	if (!g)
		return refuse(e, -ENOENT, "no resource group named \"%s\"", want->group);
	for (size_t attempt = 0;; attempt++) {
		snapshot_trust(&e->host.snapshot, true);
		r = plan_vgpus(e, want, g, count, p);
		snapshot_trust(&e->host.snapshot, false);
		if (r < 0 || (r = make_plan(e, p, &failed)) >= 0)
			break;
		if (!failed)
			return r;
		if ((r != -EUSERS && r != -ENOSPC) || attempt >= e->host.n_gpus) {
			kernel_refusal(e, r, failed);
			rollback_plan(e, p);
			return r == -EUSERS ? -ENOSPC : r;
		}
		rollback_plan(e, p);
		free(p->vgpus);
		*p = (struct plan){ 0 };
	}
	if (r >= 0)
		crashpoint("allocate-created");
	return r;
}
