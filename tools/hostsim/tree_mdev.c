/* tree_mdev.c - the kernel mdev interface of a parent device:
 * mdev_supported_types/<type>/ with create, the <uuid>/ device dirs with
 * remove and nvidia/{vgpu_params,vm_name}, and bus/mdev/devices/.
 *
 * Also defines the vgpu_params/vm_name attributes shared with vfio-sriov
 * VFs, which find their vGPU through the VF instead of a UUID. */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "params.h"

static void list_mdev_type(struct sim_host *, const struct sim_node *, struct lister *);
static void list_type_devices(struct sim_host *, const struct sim_node *, struct lister *);
static void list_mdev_device(struct sim_host *, const struct sim_node *, struct lister *);
static void list_mdev_nvidia(struct sim_host *, const struct sim_node *, struct lister *);

static const struct dir_kind dir_mdev_type = { list_mdev_type };
static const struct dir_kind dir_type_devices = { list_type_devices };
static const struct dir_kind dir_mdev_device = { list_mdev_device };
static const struct dir_kind dir_mdev_nvidia = { list_mdev_nvidia };

/* The vGPU a node belongs to: by UUID under an mdev, else the VF's. */
static struct sim_vgpu *vgpu_of(const struct sim_host *h, const struct sim_node *n)
{
	if (n->uuid[0])
		return model_find_vgpu(h, n->uuid);
	return n->dev >= 0 ? h->pci[n->dev].vgpu : NULL;
}

static void list_mdev_types(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	unsigned dev = (unsigned)self->dev;
	char name[32];

	for (unsigned t = 0; t < model_type_count(h, dev) && !l->stop; t++) {
		struct sim_node child = *self;

		if (!model_type_offered(h, dev, t))
			continue;
		child.type = (int)t;
		snprintf(name, sizeof(name), "nvidia-%u", model_type_id(h, dev, t));
		emit_dir(l, name, &child, &dir_mdev_type);
	}
}

const struct dir_kind dir_mdev_types = { list_mdev_types };

static int show_name(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	char name[64];

	model_type_name(h, (unsigned)n->dev, (unsigned)n->type, name, sizeof(name));
	tb_printf(out, "%s\n", name);
	return 0;
}

static int show_description(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	const struct vgpu_profile *p = model_profile(h, (unsigned)n->dev, (unsigned)n->type);

	tb_printf(out, "num_heads=%u, frl_config=%u, framebuffer=%uM, max_resolution=%s, "
		  "max_instance=%u\n", p->heads, p->frl, p->framebuffer_mib, p->max_resolution,
		  model_effective_max(h, (unsigned)n->dev, (unsigned)n->type));
	return 0;
}

static int show_device_api(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	(void)h, (void)n;
	tb_printf(out, "vfio-pci\n");
	return 0;
}

static int show_available(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%u\n", model_available(h, (unsigned)n->dev, (unsigned)n->type));
	return 0;
}

static int store_create(struct sim_host *h, const struct sim_node *n, const char *value, size_t len)
{
	(void)len;
	return model_mdev_create(h, (unsigned)n->dev, (unsigned)n->type, value);
}

static const struct sim_attr mdev_type_attrs[] = {
	{ "name", 0444, show_name, NULL },
	{ "description", 0444, show_description, NULL },
	{ "device_api", 0444, show_device_api, NULL },
	{ "available_instances", 0444, show_available, NULL },
	{ "create", 0200, NULL, store_create },
	{ 0 },
};

static void list_mdev_type(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_attrs(l, self, mdev_type_attrs);
	emit_dir(l, "devices", self, &dir_type_devices);
}

static void list_type_devices(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (const struct sim_vgpu *v = h->vgpus; v && !l->stop; v = v->next)
		if (v->uuid[0] && v->parent == self->dev && v->type == self->type)
			emit_link(l, v->uuid, self, "../../../%s", v->uuid);
}

void tree_emit_mdev_devices(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (const struct sim_vgpu *v = h->vgpus; v && !l->stop; v = v->next) {
		struct sim_node child = *self;

		if (!v->uuid[0] || v->parent != self->dev)
			continue;
		strcpy(child.uuid, v->uuid);
		child.type = v->type;
		emit_dir(l, v->uuid, &child, &dir_mdev_device);
	}
}

/* remove: kstrtoul, any non-zero value removes, 0 does nothing. */
static int store_remove(struct sim_host *h, const struct sim_node *n, const char *value, size_t len)
{
	struct sim_vgpu *v = vgpu_of(h, n);
	unsigned long yes;

	(void)len;
	if (!v)
		return -ENODEV;
	if (parse_ulong(value, 0, &yes) < 0)
		return -EINVAL;
	return yes ? model_mdev_remove(h, v) : 0;
}

static const struct sim_attr mdev_device_attrs[] = {
	{ "remove", 0200, NULL, store_remove },
	{ 0 },
};

static void list_mdev_device(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	const struct sim_vgpu *v = vgpu_of(h, self);

	if (!v)
		return;
	emit_attrs(l, self, mdev_device_attrs);
	emit_link(l, "mdev_type", self, "../mdev_supported_types/nvidia-%u",
		  model_type_id(h, (unsigned)self->dev, (unsigned)v->type));
	emit_link(l, "iommu_group", self, "../../../../kernel/iommu_groups/%u", v->iommu_group);
	emit_link(l, "subsystem", self, "../../../../bus/mdev");
	emit_dir(l, "nvidia", self, &dir_mdev_nvidia);
}

static int show_params(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	const struct sim_vgpu *v = vgpu_of(h, n);

	tb_printf(out, "%s\n", v ? v->params : "");
	return 0;
}

static int store_params(struct sim_host *h, const struct sim_node *n, const char *value, size_t len)
{
	struct sim_vgpu *v = vgpu_of(h, n);

	return v ? model_set_params(v, value, len) : -ENODEV;
}

static int show_vm_name(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	const struct sim_vgpu *v = vgpu_of(h, n);

	tb_printf(out, "%s\n", v ? v->vm_name : "");
	return 0;
}

const struct sim_attr vgpu_common_attrs[] = {
	{ "vgpu_params", 0644, show_params, store_params },
	{ "vm_name", 0444, show_vm_name, NULL },
	{ 0 },
};

static void list_mdev_nvidia(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_attrs(l, self, vgpu_common_attrs);
}

static void list_bus_mdev_devices(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (const struct sim_vgpu *v = h->vgpus; v && !l->stop; v = v->next)
		if (v->uuid[0])
			emit_link(l, v->uuid, self, "../../../devices/pci0000:00/%s/%s",
				  h->pci[v->parent].bdf, v->uuid);
}

const struct dir_kind dir_bus_mdev_devices = { list_bus_mdev_devices };
