/* model.c - read-only questions about the simulated host: which function is
 * what, which vGPU types a function offers and what they are called.
 *
 * The rules that change state live in vgpu.c. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int compare_bdf(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sim_pci *)elem)->bdf);
}

int model_find_pci(const struct sim_host *h, const char *bdf)
{
	const struct sim_pci *p = bsearch(bdf, h->pci, h->npci, sizeof(*p), compare_bdf);

	return p ? (int)(p - h->pci) : -1;
}

struct sim_vgpu *model_find_vgpu(const struct sim_host *h, const char *uuid)
{
	for (struct sim_vgpu *v = h->vgpus; v; v = v->next)
		if (v->uuid[0] && strcasecmp(v->uuid, uuid) == 0)
			return v;
	return NULL;
}

/* An mdev UUID, or the BDF of a VF that holds a vGPU. */
struct sim_vgpu *model_find_target(const struct sim_host *h, const char *uuid_or_bdf)
{
	int dev = model_find_pci(h, uuid_or_bdf);

	if (dev >= 0)
		return h->pci[dev].vgpu;
	return model_find_vgpu(h, uuid_or_bdf);
}

const struct sim_gpu *model_gpu_of(const struct sim_host *h, unsigned dev)
{
	int gpu = h->pci[dev].gpu;

	return gpu >= 0 ? &h->gpus[gpu] : NULL;
}

bool model_has_driver(const struct sim_host *h)
{
	return h->driver[0] != '\0';
}

bool model_is_mdev_parent(const struct sim_host *h, unsigned dev)
{
	const struct sim_gpu *g = model_gpu_of(h, dev);

	if (!g || !model_has_driver(h) || h->pci[dev].unplugged)
		return false;
	if (h->pci[dev].role == ROLE_GPU)
		return g->mode == MODE_MDEV;
	return h->pci[dev].role == ROLE_VF && g->mode == MODE_MDEV_SRIOV;
}

bool model_is_vfio_vf(const struct sim_host *h, unsigned dev)
{
	const struct sim_gpu *g = model_gpu_of(h, dev);

	return g && h->pci[dev].role == ROLE_VF && g->mode == MODE_VFIO_SRIOV;
}

bool model_has_mdev_bus(const struct sim_host *h)
{
	for (unsigned i = 0; i < h->ngpus; i++)
		if (h->gpus[i].mode != MODE_VFIO_SRIOV && model_has_driver(h))
			return true;
	return false;
}

unsigned model_type_count(const struct sim_host *h, unsigned dev)
{
	return model_gpu_of(h, dev)->model->nprofiles;
}

bool model_type_offered(const struct sim_host *h, unsigned dev, unsigned type)
{
	const struct gpu_model *m = model_gpu_of(h, dev)->model;

	for (unsigned i = 0; i < h->ndrops; i++)
		if (h->drops[i].model == m && h->drops[i].profile == type)
			return false;
	return true;
}

/* The model's base, moved by the driver's numbering, plus the profile index. */
unsigned model_type_id(const struct sim_host *h, unsigned dev, unsigned type)
{
	return model_gpu_of(h, dev)->model->type_base + h->type_id_shift + type;
}

/* The profile index whose type id is ID, or -1 (offered or not: callers check). */
int model_type_by_id(const struct sim_host *h, unsigned dev, unsigned long id)
{
	const struct gpu_model *m = model_gpu_of(h, dev)->model;
	unsigned long base = (unsigned long)m->type_base + h->type_id_shift;

	if (id < base || id >= base + m->nprofiles)
		return -1;
	return (int)(id - base);
}

const struct vgpu_profile *model_profile(const struct sim_host *h, unsigned dev, unsigned type)
{
	return &model_gpu_of(h, dev)->model->profiles[type];
}

/* In SR-IOV modes every vGPU needs a VF, so the VF count caps each type. */
unsigned model_effective_max(const struct sim_host *h, unsigned dev, unsigned type)
{
	const struct sim_gpu *g = model_gpu_of(h, dev);
	unsigned max = g->model->profiles[type].max_instances;

	if (gpu_mode_is_sriov(g->mode) && g->numvfs < max)
		max = g->numvfs;
	return max;
}

int model_type_name(const struct sim_host *h, unsigned dev, unsigned type, char *out, size_t len)
{
	const struct gpu_model *m = model_gpu_of(h, dev)->model;

	return snprintf(out, len, "%s %s-%s", h->names == NAMES_GRID ? "GRID" : "NVIDIA",
			m->board, m->profiles[type].suffix);
}
