/* pci.h — finds the host's physical NVIDIA GPUs with libpci, reading sysfs under a
 * configurable root (libpci's "sysfs.path" = <root>/bus/pci). SR-IOV virtual functions
 * carry the same vendor/device IDs as their GPU; they are told apart by their `physfn`
 * link and listed under the GPU they belong to, never as GPUs themselves. */
#ifndef VGPUFS_PCI_H
#define VGPUFS_PCI_H

#include <stddef.h>

#define BDF_MAX 16
#define PCI_VENDOR_NVIDIA 0x10de

struct pci_gpu {
	char bdf[BDF_MAX];          /* "0000:41:00.0" */
	unsigned vendor, device, subsystem_vendor, subsystem_device;
	unsigned class_code;        /* 24 bits as in sysfs: 0x030200 */
	int numa_node;              /* -1 when the platform has none */
	char iommu_group[16];
	char kernel_driver[32];
	char pci_name[128];         /* pci.ids name, "" when unknown */
	char (*vfs)[BDF_MAX];       /* virtual functions, in virtfn order */
	size_t n_vfs;
};

/* Fills *gpus (sorted by BDF) with every physical NVIDIA display/3D controller.
 * On failure returns -errno and a one-line reason in err. */
int pci_discover_gpus(const char *sysfs_root, struct pci_gpu **gpus, size_t *n,
		      char *err, size_t err_size);

void pci_gpus_free(struct pci_gpu *gpus, size_t n);

#endif
