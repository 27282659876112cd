/* pci.c — GPU discovery with libpci. libpci reports fatal errors through a callback that
 * must not return (its default calls exit()): ours longjmp()s back to the caller, so a
 * broken sysfs becomes an error code, never an exit of the daemon. */
#include "pci.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <pci/pci.h>

static __thread jmp_buf pci_error_jump;
static __thread char pci_error_text[256];

static void __attribute__((noreturn)) pci_on_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_error_text, sizeof(pci_error_text), msg, ap);
	va_end(ap);
	longjmp(pci_error_jump, 1);
}

static void pci_on_warning(char *msg, ...)
{
	(void)msg; /* e.g. a missing `config` file: not fatal for discovery */
}

static int cmp_bdf(const void *a, const void *b)
{
	return strcmp(((const struct pci_gpu *)a)->bdf, ((const struct pci_gpu *)b)->bdf);
}

static int device_path(char *buf, size_t size, const char *root, const char *bdf,
		       const char *leaf)
{
	return str_printf(buf, size, "%s/bus/pci/devices/%s/%s", root, bdf, leaf);
}

static bool is_virtual_function(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	struct stat st;

	return device_path(path, sizeof(path), root, bdf, "physfn") >= 0 &&
	       lstat(path, &st) == 0;
}

static bool is_nvidia_gpu(const struct pci_dev *d)
{
	return d->vendor_id == PCI_VENDOR_NVIDIA &&
	       (d->device_class == 0x0300 || d->device_class == 0x0302);
}

/* VFs come from the PF's virtfn0..N links, in that order. */
static int collect_vfs(const char *root, struct pci_gpu *g)
{
	char path[PATH_MAX], name[BDF_MAX];

	for (size_t i = 0;; i++) {
		char leaf[32];
		void *grown;

		snprintf(leaf, sizeof(leaf), "virtfn%zu", i);
		if (device_path(path, sizeof(path), root, g->bdf, leaf) < 0)
			return -ENAMETOOLONG;
		if (link_target_name(path, name, sizeof(name)) < 0)
			return 0;
		grown = realloc(g->vfs, (g->n_vfs + 1) * sizeof(*g->vfs));
		if (!grown)
			return -ENOMEM;
		g->vfs = grown;
		str_copy(g->vfs[g->n_vfs++], BDF_MAX, name);
	}
}

/* The name a link of the device points at ("" if it has none): one readlink, where
 * libpci resolves the whole path (a readlink per component). */
static void link_name(const char *root, const char *bdf, const char *leaf, char *buf,
		      size_t size)
{
	char path[PATH_MAX];

	if (device_path(path, sizeof(path), root, bdf, leaf) < 0 ||
	    link_target_name(path, buf, size) < 0)
		buf[0] = '\0';
}

static void fill_gpu(struct pci_access *a, const char *root, struct pci_dev *d,
		     struct pci_gpu *g)
{
	char *s;

	memset(g, 0, sizeof(*g));
	snprintf(g->bdf, sizeof(g->bdf), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev, d->func);
	g->vendor = d->vendor_id;
	g->device = d->device_id;
	g->subsystem_vendor = d->subsys_vendor_id;
	g->subsystem_device = d->subsys_id;
	g->class_code = (unsigned)d->device_class << 8 | d->prog_if;
	g->numa_node = d->numa_node;
	link_name(root, g->bdf, "iommu_group", g->iommu_group, sizeof(g->iommu_group));
	link_name(root, g->bdf, "driver", g->kernel_driver, sizeof(g->kernel_driver));
	s = pci_lookup_name(a, g->pci_name, sizeof(g->pci_name),
			    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, d->vendor_id, d->device_id);
	if (!s)
		g->pci_name[0] = '\0';
}

/* A host has hundreds of PCI functions, most of them VFs: a VF is told by its physfn
 * link before anything of it is read, only what tells a GPU apart is read of the other
 * functions, and the rest only of the GPUs. */
static int scan(struct pci_access *a, const char *root, struct pci_gpu **gpus, size_t *n)
{
	const unsigned fill = PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE;
	char bdf[BDF_MAX];
	int r;

	pci_scan_bus(a);
	for (struct pci_dev *d = a->devices; d; d = d->next) {
		struct pci_gpu *grown;

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev, d->func);
		if (is_virtual_function(root, bdf))
			continue;
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
		if (!is_nvidia_gpu(d))
			continue;
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | fill);
		grown = realloc(*gpus, (*n + 1) * sizeof(**gpus));
		if (!grown)
			return -ENOMEM;
		*gpus = grown;
		fill_gpu(a, root, d, &grown[*n]);
		r = collect_vfs(root, &grown[(*n)++]);
		if (r < 0)
			return r;
	}
	return 0;
}

int pci_discover_gpus(const char *sysfs_root, struct pci_gpu **gpus, size_t *n,
		      char *err, size_t err_size)
{
	struct pci_access *volatile a = pci_alloc();
	char path[PATH_MAX];
	volatile int r = 0;

	*gpus = NULL;
	*n = 0;
	if (!a)
		return -ENOMEM;
	a->error = pci_on_error;
	a->warning = pci_on_warning;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	str_printf(path, sizeof(path), "%s/bus/pci", sysfs_root);
	if (setjmp(pci_error_jump)) {
		snprintf(err, err_size, "libpci: %s", pci_error_text);
		r = -EIO;
		goto out;
	}
	pci_set_param(a, "sysfs.path", path);
	pci_set_param(a, "hwdb.disable", "1");
	pci_init(a);
	r = scan(a, sysfs_root, gpus, n);
	if (r < 0)
		snprintf(err, err_size, "PCI scan failed: %s", strerror(-r));
out:
	pci_cleanup(a);
	if (r < 0) {
		pci_gpus_free(*gpus, *n);
		*gpus = NULL;
		*n = 0;
		return r;
	}
	if (*n) /* *gpus is NULL when none was found, and qsort's base must not be */
		qsort(*gpus, *n, sizeof(**gpus), cmp_bdf);
	return 0;
}

void pci_gpus_free(struct pci_gpu *gpus, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(gpus[i].vfs);
	free(gpus);
}
