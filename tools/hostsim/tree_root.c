/* tree_root.c - the top of the tree and everything that only links to the
 * device directories: bus/, class/, module/, kernel/iommu_groups/.
 *
 * As in real sysfs, each device has one real directory under
 * devices/pci0000:00/ and every other place refers to it by symlink. */
#include "tree.h"

#include <stdio.h>
#include <string.h>

static const char *const known_drivers[] = { "ahci", "nvidia", "snd_hda_intel" };

#define DECLARE_DIR(name, fn) \
	static void fn(struct sim_host *, const struct sim_node *, struct lister *); \
	static const struct dir_kind name = { fn }

DECLARE_DIR(dir_bus, list_bus);
DECLARE_DIR(dir_bus_pci, list_bus_pci);
DECLARE_DIR(dir_pci_devices, list_pci_devices);
DECLARE_DIR(dir_pci_drivers, list_pci_drivers);
DECLARE_DIR(dir_pci_driver, list_pci_driver);
DECLARE_DIR(dir_bus_mdev, list_bus_mdev);
DECLARE_DIR(dir_class, list_class);
DECLARE_DIR(dir_mdev_bus, list_mdev_bus);
DECLARE_DIR(dir_devices, list_devices);
DECLARE_DIR(dir_pci_root, list_pci_root);
DECLARE_DIR(dir_module, list_module);
DECLARE_DIR(dir_module_nvidia, list_module_nvidia);
DECLARE_DIR(dir_kernel, list_kernel);
DECLARE_DIR(dir_iommu_groups, list_iommu_groups);
DECLARE_DIR(dir_iommu_group, list_iommu_group);
DECLARE_DIR(dir_iommu_group_devices, list_iommu_group_devices);

static void list_root(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "bus", self, &dir_bus);
	emit_dir(l, "class", self, &dir_class);
	emit_dir(l, "devices", self, &dir_devices);
	emit_dir(l, "kernel", self, &dir_kernel);
	emit_dir(l, "module", self, &dir_module);
	emit_attrs(l, self, simctl_attrs);
}

const struct dir_kind dir_root = { list_root };

static void list_bus(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	emit_dir(l, "pci", self, &dir_bus_pci);
	if (model_has_mdev_bus(h))
		emit_dir(l, "mdev", self, &dir_bus_mdev);
}

static void list_bus_pci(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "devices", self, &dir_pci_devices);
	emit_dir(l, "drivers", self, &dir_pci_drivers);
}

static void list_pci_devices(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (unsigned i = 0; i < h->npci; i++)
		if (model_pci_present(h, i))
			emit_link(l, h->pci[i].bdf, self, "../../../devices/pci0000:00/%s",
				  h->pci[i].bdf);
}

static bool driver_loaded(const struct sim_host *h, const char *driver)
{
	if (strcmp(driver, "nvidia") == 0)
		return model_has_driver(h);
	for (unsigned i = 0; i < h->npci; i++)
		if (h->pci[i].driver && strcmp(h->pci[i].driver, driver) == 0)
			return true;
	return false;
}

static void list_pci_drivers(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (size_t i = 0; i < sizeof(known_drivers) / sizeof(known_drivers[0]); i++) {
		struct sim_node child = *self;

		if (!driver_loaded(h, known_drivers[i]))
			continue;
		child.driver = known_drivers[i];
		emit_dir(l, known_drivers[i], &child, &dir_pci_driver);
	}
}

static void list_pci_driver(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (unsigned i = 0; i < h->npci; i++)
		if (h->pci[i].driver && strcmp(h->pci[i].driver, self->driver) == 0 &&
		    model_pci_present(h, i))
			emit_link(l, h->pci[i].bdf, self, "../../../../devices/pci0000:00/%s",
				  h->pci[i].bdf);
}

static void list_bus_mdev(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "devices", self, &dir_bus_mdev_devices);
}

static void list_class(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	if (model_has_mdev_bus(h))
		emit_dir(l, "mdev_bus", self, &dir_mdev_bus);
}

static void list_mdev_bus(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (unsigned i = 0; i < h->npci; i++)
		if (model_is_mdev_parent(h, i))
			emit_link(l, h->pci[i].bdf, self, "../../devices/pci0000:00/%s",
				  h->pci[i].bdf);
}

static void list_devices(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "pci0000:00", self, &dir_pci_root);
}

static void list_pci_root(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (unsigned i = 0; i < h->npci && !l->stop; i++) {
		struct sim_node child = *self;

		if (!model_pci_present(h, i))
			continue;
		child.dev = (int)i;
		emit_dir(l, h->pci[i].bdf, &child, &dir_pci_device);
	}
}

static void list_module(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	if (model_has_driver(h))
		emit_dir(l, "nvidia", self, &dir_module_nvidia);
}

static int show_version(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	(void)n;
	tb_printf(out, "%s\n", h->driver);
	return 0;
}

static const struct sim_attr module_nvidia_attrs[] = {
	{ "version", 0444, show_version, NULL },
	{ 0 },
};

static void list_module_nvidia(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_attrs(l, self, module_nvidia_attrs);
}

static void list_kernel(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "iommu_groups", self, &dir_iommu_groups);
}

static void emit_group(struct lister *l, const struct sim_node *self, unsigned group)
{
	struct sim_node child = *self;
	char name[16];

	child.group = (int)group;
	snprintf(name, sizeof(name), "%u", group);
	emit_dir(l, name, &child, &dir_iommu_group);
}

/* Groups 0..npci-1 belong to the PCI functions; vGPUs get the ones above. */
static void list_iommu_groups(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	for (unsigned i = 0; i < h->npci && !l->stop; i++)
		if (model_pci_present(h, i))
			emit_group(l, self, i);
	for (const struct sim_vgpu *v = h->vgpus; v && !l->stop; v = v->next)
		if (v->uuid[0])
			emit_group(l, self, v->iommu_group);
}

static void list_iommu_group(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_dir(l, "devices", self, &dir_iommu_group_devices);
}

static void list_iommu_group_devices(struct sim_host *h, const struct sim_node *self,
				     struct lister *l)
{
	unsigned group = (unsigned)self->group;

	if (group < h->npci) {
		emit_link(l, h->pci[group].bdf, self, "../../../../devices/pci0000:00/%s",
			  h->pci[group].bdf);
		return;
	}
	for (const struct sim_vgpu *v = h->vgpus; v; v = v->next)
		if (v->uuid[0] && v->iommu_group == group)
			emit_link(l, v->uuid, self, "../../../../devices/pci0000:00/%s/%s",
				  h->pci[v->parent].bdf, v->uuid);
}
