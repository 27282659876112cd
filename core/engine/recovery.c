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
		e->metrics.releases++;
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

		metrics_recovered(&e->metrics, v->state == VGPU_CREATING ? RECOVERY_ROLLED_BACK :
				  RECOVERY_REMOVAL_FINISHED, 1);
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

/* A vGPU that could not be made again: its device reads error, and says why. */
static void recreate_failed(struct engine *e, const struct vgpu *v, const char *why)
{
	const struct device *d = devices_find(&e->devices, v->vm_uuid, v->device);
	char object[OBJECT_MAX], message[MESSAGE_MAX];

	metrics_recovered(&e->metrics, RECOVERY_RECREATE_FAILED, 1);
	snprintf(message, sizeof(message), "vGPU %s could not be re-created: %s", v->uuid, why);
	if (d) {
		device_path(e, d, object, sizeof(object));
		events_set_error(&e->events, object, message);
	}
	events_add(&e->events, "vgpus/%s: could not be re-created: %s", v->uuid, why);
}

/* A vGPU's type as the running driver names it: type ids change between drivers, the
 * profile does not. A profile the driver no longer offers leaves the device in error. */
static int resolve_type(struct engine *e, struct vgpu *v, const struct gpu *g)
{
	int t = g ? gpu_find_type(g, v->profile) : -1;
	char why[MESSAGE_MAX], driver[64] = "";

	if (t >= 0 && strcmp(g->types[t].type_id, v->type_id)) {
		events_add(&e->events, "vgpus/%s: type %s of profile %s is %s on this driver",
			   v->uuid, v->type_id, v->profile, g->types[t].type_id);
		str_copy(v->type_id, sizeof(v->type_id), g->types[t].type_id);
		store_vgpu_set_type(&e->store, v->uuid, v->type_id);
	}
	if (t >= 0 || !g)
		return 0;
	host_driver_version(&e->host, driver, sizeof(driver));
	snprintf(why, sizeof(why), "GPU %s no longer offers profile %s with host driver %s",
		 v->gpu, v->profile, driver);
	recreate_failed(e, v, why);
	return -ENOENT;
}

/* never on a card other than the one its group's rule recorded */
static int card_confirmed(struct engine *e, const struct vgpu *v, const struct gpu *g)
{
	const struct device *d = devices_find(&e->devices, v->vm_uuid, v->device);
	const struct group *group = d ? device_group(e, d) : NULL;
	char why[MESSAGE_MAX];

	if (!g || !group || group_gpu_unconfirmed(e, group, g, why, sizeof(why)) == 0)
		return 0;
	recreate_failed(e, v, why);
	return -ENODEV;
}

int vgpu_recreate(struct engine *e, struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);
	char why[MESSAGE_MAX];
	int r = card_confirmed(e, v, g);

	if (r < 0 || (r = resolve_type(e, v, g)) < 0)
		return r;
	if (g && host_vgpu_exists(&e->host, g, v->slot, v->type_id, v->uuid)) {
		v->lost = false;
		return 0;
	}
	r = vgpu_make(e, v);
	if (r < 0) {
		snprintf(why, sizeof(why), "on %s: %s", v->slot, strerror(-r));
		recreate_failed(e, v, why);
		return r;
	}
	v->lost = false;
	metrics_recovered(&e->metrics, RECOVERY_RECREATED, 1);
	events_add(&e->events, "vgpus/%s: re-created on %s", v->uuid, v->slot);
	return 1;
}

/* vGPUs do not survive a reboot, nor their GPU's going away: make again, with the same
 * UUID and options, those of gpu_bdf's or (NULL) every GPU's. Rows of an unfinished
 * change wait for libvirt (devices_recover_definitions). */
size_t vgpus_recreate(struct engine *e, const char *gpu_bdf)
{
	size_t made = 0;

	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		struct vgpu *v = &e->devices.vgpus[i];

		if (v->state == VGPU_CREATED && (!gpu_bdf || !strcmp(v->gpu, gpu_bdf)))
			made += vgpu_recreate(e, v) > 0;
	}
	return made;
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

void devices_recover_definitions(struct engine *e)
{
	size_t held;

	recover_journal(e);
	held = e->devices.n_vgpus;
	devices_forget_missing_vms(e);
	metrics_recovered(&e->metrics, RECOVERY_VM_GONE, held - e->devices.n_vgpus);
	reapply_definitions(e);
}
