/* recovery.c — bringing the journal, the host and the definitions in line at start, and
 * when libvirt says a domain is gone. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

void devices_vm_gone(struct engine *e, const char *vm_uuid, const char *vm_name)
{
	size_t freed = 0;

	for (size_t i = e->devices.n_vgpus; i-- > 0;) {
		if (strcmp(e->devices.vgpus[i].vm_uuid, vm_uuid))
			continue;
		e->devices.vgpus[i].state = VGPU_REMOVING;
		store_vgpu_set_state(&e->store, e->devices.vgpus[i].uuid, VGPU_REMOVING);
	}
	if (store_vm_devices_delete(&e->store, vm_uuid) < 0)
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
		if (vm_apply(e, v->vm_uuid, NULL, err, sizeof(err)) < 0 && !strstr(err, "no domain"))
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
		if (virt_find(e->virt, uuid, &vm, err, sizeof(err)) == -ENOENT)
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
		if (!done && vm_apply(e, uuid, NULL, err, sizeof(err)) < 0)
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
