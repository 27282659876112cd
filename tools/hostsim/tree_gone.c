/* tree_gone.c - the paths that vanish with a removed mdev or an unplugged GPU.
 *
 * The FUSE layer lets the kernel cache names and attributes; a removal is
 * the only change that takes names away, so for each removed mdev it is
 * told every path that went with it.  Paths through symlinks need no entry:
 * the kernel caches the link itself, never a path through it. */
#include "tree.h"

#include <stdio.h>

static const char *const mdev_children[] = {
	"", "/remove", "/mdev_type", "/iommu_group", "/subsystem", "/nvidia",
	"/nvidia/vgpu_params", "/nvidia/vm_name",
};

static void gone_paths(const struct sim_gone *g, path_fn fn, void *ctx)
{
	char path[LINK_MAX_LEN];

	for (size_t i = 0; i < sizeof(mdev_children) / sizeof(mdev_children[0]); i++) {
		snprintf(path, sizeof(path), "/devices/pci0000:00/%s/%s%s", g->parent, g->uuid,
			 mdev_children[i]);
		fn(ctx, path);
	}
	snprintf(path, sizeof(path), "/devices/pci0000:00/%s/mdev_supported_types/nvidia-%u/devices/%s",
		 g->parent, g->type_id, g->uuid);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/bus/mdev/devices/%s", g->uuid);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/kernel/iommu_groups/%u/devices/%s", g->iommu_group, g->uuid);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/kernel/iommu_groups/%u/devices", g->iommu_group);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/kernel/iommu_groups/%u", g->iommu_group);
	fn(ctx, path);
}

/* The places a PCI function of an unplugged GPU was named. */
static void unplugged_paths(const struct sim_host *h, unsigned dev, path_fn fn, void *ctx)
{
	const char *bdf = h->pci[dev].bdf;
	char path[LINK_MAX_LEN];

	snprintf(path, sizeof(path), "/devices/pci0000:00/%s", bdf);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/bus/pci/devices/%s", bdf);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/class/mdev_bus/%s", bdf);
	fn(ctx, path);
	snprintf(path, sizeof(path), "/kernel/iommu_groups/%u", dev);
	fn(ctx, path);
	if (!h->pci[dev].driver)
		return;
	snprintf(path, sizeof(path), "/bus/pci/drivers/%s/%s", h->pci[dev].driver, bdf);
	fn(ctx, path);
}

void tree_drain_gone(struct sim_host *h, path_fn fn, void *ctx)
{
	for (unsigned i = 0; i < h->ngone; i++)
		gone_paths(&h->gone[i], fn, ctx);
	h->ngone = 0;
	for (unsigned i = 0; h->unplugged_gpu >= 0 && i < h->npci; i++)
		if (h->pci[i].gpu == h->unplugged_gpu)
			unplugged_paths(h, i, fn, ctx);
	h->unplugged_gpu = -1;
}
