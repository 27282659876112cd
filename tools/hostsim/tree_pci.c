/* tree_pci.c - a PCI function's directory, devices/pci0000:00/<bdf>/.
 *
 * The attributes libpci, libvirt and the NVIDIA tools read, the usual links
 * (driver, iommu_group, subsystem, SR-IOV virtfnN/physfn), and the vGPU
 * interface of the function: mdev_supported_types/ and the mdev device dirs
 * for mdev parents, nvidia/ for vfio-sriov VFs. */
#include "tree.h"

#include <errno.h>
#include <stdio.h>

#include "params.h"

#define CPUS_PER_NODE 16
#define VF_OFFSET 4

static const struct sim_pci *pci_of(const struct sim_host *h, const struct sim_node *n)
{
	return &h->pci[n->dev];
}

#define SHOW_FIELD(field, fmt) \
	static int show_##field(struct sim_host *h, const struct sim_node *n, struct textbuf *out) \
	{ \
		tb_printf(out, fmt "\n", pci_of(h, n)->field); \
		return 0; \
	}

SHOW_FIELD(vendor, "0x%04x")
SHOW_FIELD(device, "0x%04x")
SHOW_FIELD(subsystem_vendor, "0x%04x")
SHOW_FIELD(subsystem_device, "0x%04x")
SHOW_FIELD(class_code, "0x%06x")
SHOW_FIELD(revision, "0x%02x")
SHOW_FIELD(irq, "%u")
SHOW_FIELD(numa_node, "%u")

static int show_local_cpulist(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	unsigned first = pci_of(h, n)->numa_node * CPUS_PER_NODE;

	tb_printf(out, "%u-%u\n", first, first + CPUS_PER_NODE - 1);
	return 0;
}

static int show_enable(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%d\n", pci_of(h, n)->enabled);
	return 0;
}

static int store_enable(struct sim_host *h, const struct sim_node *n, const char *value, size_t len)
{
	unsigned long on;

	(void)len;
	if (parse_ulong(value, 0, &on) < 0)
		return -EINVAL;
	h->pci[n->dev].enabled = on != 0;
	return 0;
}

static int show_resource(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	pci_resource_text(pci_of(h, n), out);
	return 0;
}

static int show_config(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	pci_config_space(pci_of(h, n), out);
	return 0;
}

static int show_modalias(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	const struct sim_pci *p = pci_of(h, n);

	tb_printf(out, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", p->vendor, p->device,
		  p->subsystem_vendor, p->subsystem_device, p->class_code >> 16,
		  (p->class_code >> 8) & 0xff, p->class_code & 0xff);
	return 0;
}

static const struct sim_attr pci_attrs[] = {
	{ "vendor", 0444, show_vendor, NULL },
	{ "device", 0444, show_device, NULL },
	{ "subsystem_vendor", 0444, show_subsystem_vendor, NULL },
	{ "subsystem_device", 0444, show_subsystem_device, NULL },
	{ "class", 0444, show_class_code, NULL },
	{ "revision", 0444, show_revision, NULL },
	{ "irq", 0444, show_irq, NULL },
	{ "numa_node", 0444, show_numa_node, NULL },
	{ "local_cpulist", 0444, show_local_cpulist, NULL },
	{ "enable", 0644, show_enable, store_enable },
	{ "resource", 0444, show_resource, NULL },
	{ "config", 0444, show_config, NULL },
	{ "modalias", 0444, show_modalias, NULL },
	{ 0 },
};

static const struct sim_gpu *gpu_of(const struct sim_host *h, const struct sim_node *n)
{
	return model_gpu_of(h, (unsigned)n->dev);
}

static int show_totalvfs(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%u\n", gpu_of(h, n)->totalvfs);
	return 0;
}

static int show_numvfs(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%u\n", gpu_of(h, n)->numvfs);
	return 0;
}

static int show_offset(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	(void)h, (void)n;
	tb_printf(out, "%d\n", VF_OFFSET);
	return 0;
}

static int show_stride(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	(void)h, (void)n;
	tb_printf(out, "1\n");
	return 0;
}

static int show_vf_device(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%x\n", pci_of(h, n)->device);
	return 0;
}

static const struct sim_attr sriov_attrs[] = {
	{ "sriov_totalvfs", 0444, show_totalvfs, NULL },
	{ "sriov_numvfs", 0444, show_numvfs, NULL },
	{ "sriov_offset", 0444, show_offset, NULL },
	{ "sriov_stride", 0444, show_stride, NULL },
	{ "sriov_vf_device", 0444, show_vf_device, NULL },
	{ 0 },
};

static void emit_sriov(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	const struct sim_gpu *g = gpu_of(h, self);
	char name[32];

	emit_attrs(l, self, sriov_attrs);
	for (unsigned i = 0; i < g->numvfs && !l->stop; i++) {
		snprintf(name, sizeof(name), "virtfn%u", i);
		emit_link(l, name, self, "../%s", h->pci[g->first_vf + (int)i].bdf);
	}
}

static void emit_links(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	const struct sim_pci *p = pci_of(h, self);

	emit_link(l, "subsystem", self, "../../../bus/pci");
	if (p->driver)
		emit_link(l, "driver", self, "../../../bus/pci/drivers/%s", p->driver);
	emit_link(l, "iommu_group", self, "../../../kernel/iommu_groups/%u", p->iommu_group);
	if (p->role == ROLE_VF)
		emit_link(l, "physfn", self, "../%s", h->pci[gpu_of(h, self)->pf].bdf);
}

static void list_pci_device(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	const struct sim_pci *p = pci_of(h, self);
	unsigned dev = (unsigned)self->dev;

	emit_attrs(l, self, pci_attrs);
	emit_links(h, self, l);
	if (p->role == ROLE_GPU && gpu_mode_is_sriov(gpu_of(h, self)->mode))
		emit_sriov(h, self, l);
	if (model_is_mdev_parent(h, dev)) {
		emit_dir(l, "mdev_supported_types", self, &dir_mdev_types);
		tree_emit_mdev_devices(h, self, l);
	}
	if (model_is_vfio_vf(h, dev))
		emit_dir(l, "nvidia", self, &dir_vf_nvidia);
}

const struct dir_kind dir_pci_device = { list_pci_device };
