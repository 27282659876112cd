/* layout.c - builds the simulated host's PCI functions from a host spec.
 *
 * Every GPU gets its own bus: the physical function at BB:00.0, an HDA audio
 * function at BB:00.1 where the model has one, and (SR-IOV modes, driver
 * loaded) VFs at routing id PF + 4 + i.  Two chipset functions are always
 * present so that discovery has to filter by vendor and class.  Functions
 * are kept sorted by address; each gets its own IOMMU group, numbered in that
 * order. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VENDOR_NVIDIA 0x10de
#define VENDOR_INTEL  0x8086
#define VF_OFFSET 4
#define MIB (1024ull * 1024)
#define GIB (1024 * MIB)
#define TIB (1024 * GIB)

/* Linux IORESOURCE_* bits plus the BAR's own low bits, as sysfs shows them. */
#define RES_IO        0x00040101ull
#define RES_MEM32     0x00040200ull
#define RES_MEM64     0x00140204ull
#define RES_MEM64_PF  0x0014220cull

#define LOW_BAR0_GPUS 112       /* 32-bit BAR0s that fit below 0xf0000000 */

static struct sim_pci *add_function(struct sim_host *h, unsigned bus, unsigned devfn)
{
	struct sim_pci *p = &h->pci[h->npci++];

	memset(p, 0, sizeof(*p));
	p->bus = bus;
	p->devfn = devfn;
	snprintf(p->bdf, sizeof(p->bdf), "0000:%02x:%02x.%x", bus & 0xff, (devfn >> 3) & 0x1f,
		 devfn & 7);
	p->gpu = -1;
	p->vf = -1;
	p->enabled = true;
	p->revision = 0xa1;
	return p;
}

static void set_res(struct sim_pci *p, unsigned i, uint64_t start, uint64_t size, uint64_t flags)
{
	p->res[i] = (struct pci_resource){ start, size, flags };
}

static void add_chipset(struct sim_host *h)
{
	struct sim_pci *bridge = add_function(h, 0, 0);
	struct sim_pci *sata = add_function(h, 0, 0x1f << 3 | 2);

	bridge->vendor = bridge->subsystem_vendor = VENDOR_INTEL;
	bridge->device = 0x29c0;
	bridge->subsystem_device = 0x1100;
	bridge->class_code = 0x060000;
	bridge->revision = 0x02;
	sata->vendor = sata->subsystem_vendor = VENDOR_INTEL;
	sata->device = 0x2922;
	sata->subsystem_device = 0x1100;
	sata->class_code = 0x010601;
	sata->revision = 0x02;
	sata->irq_pin = 1;
	sata->driver = "ahci";
	set_res(sata, 4, 0x6040, 0x20, RES_IO);
	set_res(sata, 5, 0xfea1a000, 0x1000, RES_MEM32);
}

/* Each GPU owns a 1 TiB window of 64-bit address space for its BARs. */
static uint64_t gpu_window(unsigned gpu)
{
	return 32 * TIB + (uint64_t)gpu * TIB;
}

static void gpu_resources(struct sim_pci *p, const struct sim_gpu *g, unsigned gpu)
{
	uint64_t win = gpu_window(gpu);

	if (gpu < LOW_BAR0_GPUS)
		set_res(p, 0, 0x80000000ull + gpu * 16 * MIB, 16 * MIB, RES_MEM32);
	else
		set_res(p, 0, win + 1000 * GIB, 16 * MIB, RES_MEM64);
	set_res(p, 1, win, g->model->bar1_size, RES_MEM64_PF);
	set_res(p, 3, win + 256 * GIB, 32 * MIB, RES_MEM64_PF);
	if (!g->numvfs)
		return;
	set_res(p, 7, win + 384 * GIB, g->numvfs * 16 * MIB, RES_MEM64);
	set_res(p, 8, win + 512 * GIB, g->numvfs * GIB, RES_MEM64_PF);
	set_res(p, 10, win + 768 * GIB, g->numvfs * 32 * MIB, RES_MEM64_PF);
}

static void vf_resources(struct sim_pci *p, unsigned gpu, unsigned vf)
{
	uint64_t win = gpu_window(gpu);

	set_res(p, 0, win + 384 * GIB + vf * 16 * MIB, 16 * MIB, RES_MEM64);
	set_res(p, 1, win + 512 * GIB + vf * GIB, GIB, RES_MEM64_PF);
	set_res(p, 3, win + 768 * GIB + vf * 32 * MIB, 32 * MIB, RES_MEM64_PF);
}

static void set_nvidia_ids(struct sim_host *h, struct sim_pci *p, const struct gpu_spec *s,
			   unsigned gpu)
{
	p->vendor = p->subsystem_vendor = VENDOR_NVIDIA;
	p->device = s->model->device_id;
	p->subsystem_device = s->model->subsystem_device;
	p->class_code = s->model->class_code;
	p->numa_node = s->numa_node;
	p->gpu = (int)gpu;
	p->driver = h->driver[0] ? "nvidia" : NULL;
}

static void add_gpu(struct sim_host *h, const struct gpu_spec *s, unsigned gpu)
{
	struct sim_gpu *g = &h->gpus[gpu];
	struct sim_pci *pf = add_function(h, s->bus, 0);

	g->model = s->model;
	g->mode = s->mode;
	g->totalvfs = s->vfs;
	g->numvfs = h->driver[0] ? s->vfs : 0;
	g->used_type = -1;
	set_nvidia_ids(h, pf, s, gpu);
	pf->role = ROLE_GPU;
	pf->irq_pin = 1;
	gpu_resources(pf, g, gpu);
}

static void add_audio(struct sim_host *h, const struct gpu_spec *s, unsigned gpu)
{
	struct sim_pci *p = add_function(h, s->bus, 1);

	set_nvidia_ids(h, p, s, gpu);
	p->role = ROLE_AUDIO;
	p->device = 0x22ba;
	p->class_code = 0x040300;
	p->irq_pin = 2;
	p->driver = "snd_hda_intel";
	set_res(p, 0, 0xfc000000ull + gpu * 0x4000ull, 0x4000, RES_MEM32);
}

static void add_vfs(struct sim_host *h, const struct gpu_spec *s, unsigned gpu)
{
	for (unsigned i = 0; i < h->gpus[gpu].numvfs; i++) {
		struct sim_pci *vf = add_function(h, s->bus, VF_OFFSET + i);

		set_nvidia_ids(h, vf, s, gpu);
		vf->role = ROLE_VF;
		vf->vf = (int)i;
		vf->subsystem_device = 0x0000;
		vf_resources(vf, gpu, i);
	}
}

static unsigned count_functions(const struct host_spec *spec)
{
	unsigned n = 2;

	for (unsigned i = 0; i < spec->ngpus; i++)
		n += 1 + spec->gpus[i].model->has_audio + (spec->driver[0] ? spec->gpus[i].vfs : 0);
	return n;
}

static int compare_functions(const void *a, const void *b)
{
	const struct sim_pci *x = a, *y = b;
	unsigned kx = x->bus << 8 | x->devfn, ky = y->bus << 8 | y->devfn;

	return (kx > ky) - (kx < ky);
}

static bool shares_slot(const struct sim_host *h, unsigned i)
{
	unsigned slot = h->pci[i].bus << 5 | h->pci[i].devfn >> 3;

	return (i > 0 && (h->pci[i - 1].bus << 5 | h->pci[i - 1].devfn >> 3) == slot) ||
	       (i + 1 < h->npci && (h->pci[i + 1].bus << 5 | h->pci[i + 1].devfn >> 3) == slot);
}

/* After sorting: link GPUs to their functions, number groups and IRQs. */
static void index_functions(struct sim_host *h)
{
	for (unsigned i = 0; i < h->npci; i++) {
		struct sim_pci *p = &h->pci[i];

		p->iommu_group = i;
		p->irq = p->irq_pin ? 24 + i : 0;
		p->header_type = shares_slot(h, i) ? 0x80 : 0x00;
		if (p->role == ROLE_GPU)
			h->gpus[p->gpu].pf = (int)i;
		if (p->role == ROLE_VF && p->vf == 0)
			h->gpus[p->gpu].first_vf = (int)i;
	}
}

struct sim_host *model_create(const struct host_spec *spec)
{
	struct sim_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	h->unplugged_gpu = -1;
	h->uevent_fd = -1;
	h->pci = calloc(count_functions(spec), sizeof(*h->pci));
	h->gpus = calloc(spec->ngpus ? spec->ngpus : 1, sizeof(*h->gpus));
	if (!h->pci || !h->gpus) {
		model_destroy(h);
		return NULL;
	}
	strcpy(h->driver, spec->driver);
	h->names = spec->names;
	h->type_id_shift = spec->type_id_shift;
	memcpy(h->drops, spec->drops, sizeof(h->drops));
	h->ndrops = spec->ndrops;
	h->ngpus = spec->ngpus;
	add_chipset(h);
	for (unsigned i = 0; i < spec->ngpus; i++) {
		h->gpus[i].first_vf = -1;
		add_gpu(h, &spec->gpus[i], i);
		if (spec->gpus[i].model->has_audio)
			add_audio(h, &spec->gpus[i], i);
		add_vfs(h, &spec->gpus[i], i);
	}
	qsort(h->pci, h->npci, sizeof(*h->pci), compare_functions);
	index_functions(h);
	return h;
}

void model_destroy(struct sim_host *h)
{
	if (!h)
		return;
	while (h->vgpus) {
		struct sim_vgpu *next = h->vgpus->next;

		free(h->vgpus);
		h->vgpus = next;
	}
	pthread_mutex_destroy(&h->lock);
	free(h->pci);
	free(h->gpus);
	free(h);
}
