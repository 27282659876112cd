/* vgpu.c - the driver's rules for vGPUs: capacity, one profile per physical
 * GPU, one vGPU per VF, and the errnos the kernel and NVIDIA driver return.
 *
 * mdev vGPUs are named by UUID; vfio-sriov vGPUs have no UUID and are found
 * through their VF.  All functions expect host->lock to be held. */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "params.h"

/* The GPU-wide rule: all vGPUs share one type, and that type has room. */
static bool gpu_allows(const struct sim_host *h, unsigned dev, unsigned type)
{
	const struct sim_gpu *g = model_gpu_of(h, dev);

	if (g->used && g->used_type != (int)type)
		return false;
	return g->used < model_effective_max(h, dev, type);
}

unsigned model_available(const struct sim_host *h, unsigned dev, unsigned type)
{
	const struct sim_gpu *g = model_gpu_of(h, dev);

	if (!model_type_offered(h, dev, type) || !gpu_allows(h, dev, type))
		return 0;
	if (h->pci[dev].role == ROLE_VF)
		return h->pci[dev].vgpu ? 0 : 1;
	return model_effective_max(h, dev, type) - g->used;
}

static bool group_taken(const struct sim_host *h, unsigned group)
{
	for (const struct sim_vgpu *v = h->vgpus; v; v = v->next)
		if (v->iommu_group == group)
			return true;
	return false;
}

/* Like the kernel's IDA: the lowest group number not in use. */
static unsigned free_iommu_group(const struct sim_host *h)
{
	unsigned group = h->npci;

	while (group_taken(h, group))
		group++;
	return group;
}

static int add_vgpu(struct sim_host *h, unsigned dev, unsigned type, const char *uuid)
{
	struct sim_vgpu *v = calloc(1, sizeof(*v)), **tail = &h->vgpus;
	struct sim_gpu *g = &h->gpus[h->pci[dev].gpu];

	if (!v)
		return -ENOMEM;
	strcpy(v->uuid, uuid);
	v->gpu = h->pci[dev].gpu;
	v->parent = (int)dev;
	v->type = (int)type;
	v->iommu_group = uuid[0] ? free_iommu_group(h) : UINT_MAX;
	while (*tail)
		tail = &(*tail)->next;
	*tail = v;
	if (h->pci[dev].role == ROLE_VF)
		h->pci[dev].vgpu = v;
	g->used++;
	g->used_type = (int)type;
	return 0;
}

/* Remembers a removed mdev so that cached paths to it can be dropped. */
static void bury(struct sim_host *h, const struct sim_vgpu *v)
{
	struct sim_gone *gone;

	if (!v->uuid[0] || h->ngone == GONE_MAX)
		return;
	gone = &h->gone[h->ngone++];
	strcpy(gone->parent, h->pci[v->parent].bdf);
	strcpy(gone->uuid, v->uuid);
	gone->type_id = model_type_id(h, (unsigned)v->parent, (unsigned)v->type);
	gone->iommu_group = v->iommu_group;
}

static void drop_vgpu(struct sim_host *h, struct sim_vgpu *v)
{
	struct sim_vgpu **link = &h->vgpus;
	struct sim_gpu *g = &h->gpus[v->gpu];

	bury(h, v);
	while (*link != v)
		link = &(*link)->next;
	*link = v->next;
	if (h->pci[v->parent].vgpu == v)
		h->pci[v->parent].vgpu = NULL;
	if (--g->used == 0)
		g->used_type = -1;
	free(v);
}

int model_mdev_create(struct sim_host *h, unsigned dev, unsigned type, const char *text)
{
	uuid_t uuid;
	char canonical[UUID_TEXT_LEN + 1];

	if (strlen(text) != UUID_TEXT_LEN || uuid_parse(text, uuid) < 0)
		return -EINVAL;
	uuid_unparse_lower(uuid, canonical);
	if (model_find_vgpu(h, canonical))
		return -EEXIST;
	if (!model_available(h, dev, type))
		return -EUSERS;
	return add_vgpu(h, dev, type, canonical);
}

int model_mdev_remove(struct sim_host *h, struct sim_vgpu *v)
{
	if (v->in_use)
		return -EBUSY;
	drop_vgpu(h, v);
	return 0;
}

void model_vgpu_destroy(struct sim_host *h, struct sim_vgpu *v)
{
	drop_vgpu(h, v);
}

int model_vf_current_id(const struct sim_host *h, unsigned dev)
{
	const struct sim_vgpu *v = h->pci[dev].vgpu;

	return v ? (int)model_type_id(h, dev, (unsigned)v->type) : 0;
}

/* current_vgpu_type: ID 0 deletes the VF's vGPU, any other creates one. */
int model_vf_set_type(struct sim_host *h, unsigned dev, unsigned long id)
{
	struct sim_vgpu *v = h->pci[dev].vgpu;
	int type;

	if (id == 0) {
		if (!v)
			return -EPERM;
		return model_mdev_remove(h, v);
	}
	if (v)
		return -EPERM;
	type = model_type_by_id(h, dev, id);
	if (type < 0 || !model_available(h, dev, (unsigned)type))
		return -EINVAL;
	return add_vgpu(h, dev, (unsigned)type, "");
}

int model_set_params(struct sim_vgpu *v, const char *value, size_t len)
{
	int r;

	if (v->in_use)
		return -EPERM;
	if (len > VGPU_PARAMS_MAX)
		return -E2BIG;
	if (strcmp(value, " ") == 0) {
		v->params[0] = '\0';
		return 0;
	}
	r = params_validate(value);
	if (r < 0)
		return r;
	memcpy(v->params, value, len + 1);
	return 0;
}
