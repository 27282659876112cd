/* definition.c — a VM's devices in its persistent domain definition: the set its
 * definition should hold, built from the records, and applied in one edit (vm_apply). */
#include "engine_internal.h"
#include "crashpoint.h"
#include "domxml.h"
#include "placement.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

/* The guest-driver ISO attached to a device: its group's driver_iso in the media store. */
void device_cdrom(struct engine *e, const struct device *d, char *buf, size_t size)
{
	struct group *g = device_group(e, d);

	buf[0] = '\0';
	if (d->attach_guest_drivers && g && g->driver_iso[0])
		media_path(&e->media, g->driver_iso, buf, size);
}

void to_domxml_vgpu(struct engine *e, const struct vgpu *v, struct domxml_vgpu *out)
{
	const struct gpu *g = host_find_gpu(&e->host, v->gpu);

	memset(out, 0, sizeof(*out));
	out->kind = g && g->mode == GPU_MODE_VFIO_SRIOV ? DOMXML_VF : DOMXML_MDEV;
	str_copy(out->uuid, sizeof(out->uuid), v->uuid);
	str_copy(out->vf_bdf, sizeof(out->vf_bdf), out->kind == DOMXML_VF ? v->slot : "");
	str_copy(out->gpu, sizeof(out->gpu), v->gpu);
	str_copy(out->profile, sizeof(out->profile), v->profile);
}

void owned_set_free(struct owned_set *s)
{
	free(s->devices);
	free(s->vgpus);
}

int owned_set_build(struct engine *e, const char *vm_uuid, const struct device *want,
		    struct owned_set *s)
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
		if (want && !strcmp(d->name, want->name))
			d = want;
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

int vm_apply(struct engine *e, const char *vm_uuid, const struct device *want, char *err,
	     size_t err_size)
{
	_cleanup_free_ char *xml = NULL;
	int r = virt_xml(e->virt, vm_uuid, true, &xml, NULL, err, err_size);

	return r < 0 ? r : vm_apply_to(e, vm_uuid, xml, want, err, err_size);
}

int vm_apply_to(struct engine *e, const char *vm_uuid, const char *xml,
		const struct device *want, char *err, size_t err_size)
{
	_cleanup_free_ char *edited = NULL;
	struct owned_set s;
	int r = owned_set_build(e, vm_uuid, want, &s);

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
