/* hotplug.c - a GPU leaving the bus and coming back (.simctl unplug/plug), with the
 * uevents the kernel sends then: the mdevs removed with it first, then each function,
 * VFs before the audio function before the GPU, unbound from its driver and removed;
 * on a plug each function is added and bound, the GPU first.  Expects host->lock held. */
#include "model.h"
#include "uevent_send.h"

#include <errno.h>
#include <string.h>

int model_find_gpu(const struct sim_host *h, const char *bdf)
{
	int dev = model_find_pci(h, bdf);

	return dev >= 0 && h->pci[dev].role == ROLE_GPU ? h->pci[dev].gpu : -1;
}

bool model_pci_present(const struct sim_host *h, unsigned dev)
{
	return !h->pci[dev].unplugged;
}

static void destroy_vgpus(struct sim_host *h, unsigned gpu)
{
	struct sim_vgpu *v = h->vgpus;

	while (v) {
		struct sim_vgpu *next = v->next;

		if (v->gpu == (int)gpu) {
			if (v->uuid[0])
				uevent_send_mdev(h, "remove", h->pci[v->parent].bdf, v->uuid);
			model_vgpu_destroy(h, v);
		}
		v = next;
	}
}

int model_gpu_unplug(struct sim_host *h, unsigned gpu)
{
	if (h->pci[h->gpus[gpu].pf].unplugged)
		return -ENODEV;
	destroy_vgpus(h, gpu);
	for (unsigned i = h->npci; i-- > 0;) {
		if (h->pci[i].gpu != (int)gpu)
			continue;
		h->pci[i].unplugged = true;
		if (h->pci[i].driver)
			uevent_send_pci(h, "unbind", i);
		uevent_send_pci(h, "remove", i);
	}
	h->unplugged_gpu = (int)gpu;
	return 0;
}

int model_gpu_plug(struct sim_host *h, unsigned gpu)
{
	if (!h->pci[h->gpus[gpu].pf].unplugged)
		return -EEXIST;
	for (unsigned i = 0; i < h->npci; i++) {
		if (h->pci[i].gpu != (int)gpu)
			continue;
		h->pci[i].unplugged = false;
		uevent_send_pci(h, "add", i);
		if (h->pci[i].driver)
			uevent_send_pci(h, "bind", i);
	}
	return 0;
}
