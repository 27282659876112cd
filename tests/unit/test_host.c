/* Unit tests for discovery (libpci + mdev + vfio-sriov) against a sysfs-shaped fixture
 * made of plain files and links in a temporary directory: the engine reads whatever
 * sysfs root it is given, simulated or not. */
#include "tap.h"
#include "counters.h"
#include "host.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

static void parent_dirs(const char *path)
{
	char dir[PATH_MAX];

	strcpy(dir, path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
}

static void put(const char *rel, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	parent_dirs(path);
	f = fopen(path, "w");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	parent_dirs(path);
	CHECK(symlink(target, path) == 0);
}

static void pci_device(const char *bdf, unsigned vendor, unsigned device, unsigned cls,
		       const char *driver)
{
	char d[128], rel[256];

	snprintf(d, sizeof(d), "devices/pci0000:00/%s", bdf);
	snprintf(rel, sizeof(rel), "%s/vendor", d), put(rel, "0x%04x\n", vendor);
	snprintf(rel, sizeof(rel), "%s/device", d), put(rel, "0x%04x\n", device);
	snprintf(rel, sizeof(rel), "%s/class", d), put(rel, "0x%06x\n", cls);
	snprintf(rel, sizeof(rel), "%s/subsystem_vendor", d), put(rel, "0x10de\n");
	snprintf(rel, sizeof(rel), "%s/subsystem_device", d), put(rel, "0x1234\n");
	snprintf(rel, sizeof(rel), "%s/numa_node", d), put(rel, "1\n");
	snprintf(rel, sizeof(rel), "%s/irq", d), put(rel, "0\n");
	snprintf(rel, sizeof(rel), "%s/driver", d), link_to(rel, driver);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", bdf);
	snprintf(d, sizeof(d), "../../../devices/pci0000:00/%s", bdf);
	link_to(rel, d);
}

static void mdev_type(const char *parent, const char *id, const char *name, int avail,
		      int max)
{
	char rel[256];
	const char *base = "devices/pci0000:00";

	snprintf(rel, sizeof(rel), "%s/%s/mdev_supported_types/%s/name", base, parent, id);
	put(rel, "%s\n", name);
	snprintf(rel, sizeof(rel), "%s/%s/mdev_supported_types/%s/description", base, parent, id);
	put(rel, "num_heads=4, frl_config=60, framebuffer=4096M, max_instance=%d\n", max);
	snprintf(rel, sizeof(rel), "%s/%s/mdev_supported_types/%s/available_instances",
		 base, parent, id);
	put(rel, "%d\n", avail);
}

/* T4 in mdev mode with one vGPU of T4-4Q; an NVIDIA audio function; an Intel bridge; an
 * L40S with two VFs in vendor-specific VFIO mode, one holding type 1150. */
static void build_fixture(void)
{
	put("bus/pci/drivers/nvidia/bind", "");
	put("bus/pci/drivers/x/bind", "");
	pci_device("0000:00:00.0", 0x8086, 0x1237, 0x060000, "../../../bus/pci/drivers/x");
	pci_device("0000:41:00.0", 0x10de, 0x1eb8, 0x030200, "../../../bus/pci/drivers/nvidia");
	pci_device("0000:41:00.1", 0x10de, 0x10fa, 0x040300, "../../../bus/pci/drivers/x");
	link_to("class/mdev_bus/0000:41:00.0", "../../devices/pci0000:00/0000:41:00.0");
	mdev_type("0000:41:00.0", "nvidia-223", "GRID T4-4Q", 3, 4);
	mdev_type("0000:41:00.0", "nvidia-230", "GRID T4-2B4", 0, 8);
	put("devices/pci0000:00/0000:41:00.0/aaaaaaaa-0000-4000-8000-000000000001/nvidia/vm_name",
	    "\n");
	link_to("devices/pci0000:00/0000:41:00.0/aaaaaaaa-0000-4000-8000-000000000001/mdev_type",
		"../mdev_supported_types/nvidia-223");
	link_to("bus/mdev/devices/aaaaaaaa-0000-4000-8000-000000000001",
		"../../../devices/pci0000:00/0000:41:00.0/aaaaaaaa-0000-4000-8000-000000000001");

	pci_device("0000:c1:00.0", 0x10de, 0x26b9, 0x030200, "../../../bus/pci/drivers/nvidia");
	pci_device("0000:c1:00.4", 0x10de, 0x26b9, 0x030200, "../../../bus/pci/drivers/nvidia");
	pci_device("0000:c1:00.5", 0x10de, 0x26b9, 0x030200, "../../../bus/pci/drivers/nvidia");
	link_to("devices/pci0000:00/0000:c1:00.0/virtfn0", "../0000:c1:00.4");
	link_to("devices/pci0000:00/0000:c1:00.0/virtfn1", "../0000:c1:00.5");
	link_to("devices/pci0000:00/0000:c1:00.4/physfn", "../0000:c1:00.0");
	link_to("devices/pci0000:00/0000:c1:00.5/physfn", "../0000:c1:00.0");
	put("devices/pci0000:00/0000:c1:00.4/nvidia/current_vgpu_type", "1150\n");
	put("devices/pci0000:00/0000:c1:00.4/nvidia/creatable_vgpu_types", "ID    : vGPU Name\n");
	put("devices/pci0000:00/0000:c1:00.5/nvidia/current_vgpu_type", "0\n");
	put("devices/pci0000:00/0000:c1:00.5/nvidia/creatable_vgpu_types",
	    "ID    : vGPU Name\n1150  : NVIDIA L40S-4Q\n");
	put("module/nvidia/version", "550.54.16\n");
}

static void test_discovery(void)
{
	struct host h;
	struct gpu *t4, *l40s;
	struct gpu_usage u;
	struct catalogues known = { 0 };
	char err[256] = "", version[64];

	CHECK(host_discover(&h, root, 0, &known, err, sizeof(err)) == 0);
	CHECK(h.n_gpus == 2); /* not the bridge, the audio function, nor the VFs */
	/* the L40S holds a vGPU: its catalogue is partial, and not kept */
	CHECK(known.n == 1 && known.changed &&
	      catalogue_find(&known, "10de:1eb8 10de:1234 mdev 550.54.16"));
	catalogues_free(&known);
	t4 = host_find_gpu(&h, "0000:41:00.0");
	l40s = host_find_gpu(&h, "0000:c1:00.0");
	CHECK(t4 && l40s);
	if (!t4 || !l40s)
		return;
	CHECK(t4->mode == GPU_MODE_MDEV && t4->n_types == 2);
	CHECK_STR(t4->name, "NVIDIA T4");
	CHECK(t4->pci.class_code == 0x030200 && t4->pci.numa_node == 1);
	CHECK_STR(t4->pci.kernel_driver, "nvidia");
	CHECK(gpu_find_type(t4, "T4-2B4") >= 0);
	CHECK(host_gpu_usage(&h, t4, &u) == 0 && u.used == 1);
	CHECK(u.type_index == gpu_find_type(t4, "T4-4Q"));
	CHECK(host_type_available(&h, t4, (size_t)gpu_find_type(t4, "T4-4Q"), NULL) == 3);

	CHECK(l40s->mode == GPU_MODE_VFIO_SRIOV && l40s->n_slots == 2);
	CHECK(l40s->pci.n_vfs == 2 && l40s->n_types == 1);
	CHECK(host_gpu_usage(&h, l40s, &u) == 0 && u.used == 1 && u.type_index == 0);
	/* Only the type in use is listed, so the board's framebuffer reads as 4 GiB: the
	 * maximum is under-estimated (1), never over-promised, and the GPU is full. */
	CHECK(l40s->types[0].max_instances == 1);
	CHECK(host_type_available(&h, l40s, 0, NULL) == 0);

	/* one pass over the host gives what one call per GPU gives */
	struct gpu_usage all[2];
	CHECK(host_usage_all(&h, all, NULL) == 0);
	for (size_t i = 0; i < h.n_gpus; i++) {
		CHECK(host_gpu_usage(&h, &h.gpus[i], &u) == 0);
		CHECK(all[i].used == u.used && all[i].type_index == u.type_index);
	}
	/* only the GPUs asked for are read: the L40S's VFs are not, and it reads empty */
	bool only_t4[2] = { true, false };
	CHECK(host_usage_all(&h, all, only_t4) == 0 && all[0].used == 1 && all[1].used == 0);

	/* the vGPU goes: the GPU is empty, its whole catalogue is listed and read again */
	put("devices/pci0000:00/0000:c1:00.4/nvidia/current_vgpu_type", "0\n");
	for (int vf = 4; vf <= 5; vf++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "devices/pci0000:00/0000:c1:00.%d/nvidia/"
			 "creatable_vgpu_types", vf);
		put(rel, "ID    : vGPU Name\n1150  : NVIDIA L40S-4Q\n1160  : NVIDIA L40S-48Q\n");
	}
	CHECK(l40s->catalogue_partial);
	CHECK(host_gpu_usage(&h, l40s, &u) == 0 && u.used == 0);
	CHECK(!l40s->catalogue_partial && l40s->n_types == 2);
	CHECK(l40s->types[0].max_instances == 2); /* 48 GiB / 4 GiB = 12, one per VF: 2 */
	CHECK(host_type_available(&h, l40s, 0, NULL) == 2);

	CHECK(host_driver_version(&h, version, sizeof(version)) == 0);
	CHECK_STR(version, "550.54.16");
	host_free(&h);
}

/* A model's types are read once per start, and not at all once they are known. */
static void test_catalogues(void)
{
	struct catalogues known = { 0 };
	struct host h;
	unsigned long long first, again;
	char err[256] = "";

	first = counter_get(COUNT_SYSFS_READS);
	CHECK(host_discover(&h, root, 0, &known, err, sizeof(err)) == 0);
	first = counter_get(COUNT_SYSFS_READS) - first;
	host_free(&h);
	CHECK(known.n == 2 && known.changed); /* the L40S is empty now (test_discovery) */
	known.changed = false;
	again = counter_get(COUNT_SYSFS_READS);
	CHECK(host_discover(&h, root, 0, &known, err, sizeof(err)) == 0);
	again = counter_get(COUNT_SYSFS_READS) - again;
	CHECK(!known.changed && known.n == 2);
	CHECK(h.n_gpus == 2 && h.gpus[0].n_types == 2 && h.gpus[1].n_types == 2);
	CHECK(!h.gpus[1].catalogue_partial && h.gpus[1].types[0].max_instances == 2);
	CHECK(again < first);
	printf("# discovery: %llu sysfs reads, %llu with the catalogues known\n", first, again);
	host_free(&h);
	catalogues_free(&known);
}

/* What the engine does: discover into a host of its own, then merge (called outside
 * CHECK: it checks on its own). */
static size_t rescan(struct host *h, struct catalogues *known, struct gpu_change_note **notes)
{
	struct host fresh;
	size_t n = 0;
	char err[256] = "";

	CHECK(host_discover(&fresh, h->root, 0, known, err, sizeof(err)) == 0);
	CHECK(host_merge(h, &fresh, notes, &n) == 0);
	return n;
}

/* A GPU found as it was keeps its entry; one gone stays, marked; the same card back, or
 * another at its address, is noted as such. */
static void test_rescan(void)
{
	struct catalogues known = { 0 };
	struct gpu_change_note *notes;
	struct host h;
	char err[256] = "", link[PATH_MAX];
	const char *t4 = "0000:41:00.0";
	size_t n;

	CHECK(host_discover(&h, root, 0, &known, err, sizeof(err)) == 0);
	n = rescan(&h, &known, &notes);
	CHECK(n == 0 && h.n_gpus == 2);
	free(notes);

	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", root, t4);
	CHECK(unlink(link) == 0);
	n = rescan(&h, &known, &notes);
	CHECK(n == 1 && notes[0].change == GPU_VANISHED);
	CHECK_STR(notes[0].bdf, t4);
	CHECK(notes[0].was.device == 0x1eb8 && notes[0].was_mode == GPU_MODE_MDEV);
	free(notes);
	CHECK(h.n_gpus == 2 && host_find_gpu(&h, t4) && host_find_gpu(&h, t4)->gone);
	CHECK(!host_find_gpu(&h, "0000:c1:00.0")->gone);
	n = rescan(&h, &known, &notes);
	CHECK(n == 0); /* still gone: said once */
	free(notes);

	link_to("bus/pci/devices/0000:41:00.0", "../../../devices/pci0000:00/0000:41:00.0");
	n = rescan(&h, &known, &notes);
	CHECK(n == 1 && notes[0].change == GPU_RETURNED);
	free(notes);
	CHECK(!host_find_gpu(&h, t4)->gone && host_find_gpu(&h, t4)->n_types == 2);

	put("devices/pci0000:00/0000:41:00.0/device", "0x1eb9\n");
	n = rescan(&h, &known, &notes);
	CHECK(n == 1 && notes[0].change == GPU_REPLACED);
	CHECK(notes[0].was.device == 0x1eb8 && host_find_gpu(&h, t4)->pci.device == 0x1eb9);
	free(notes);
	put("devices/pci0000:00/0000:41:00.0/device", "0x1eb8\n");

	CHECK(unlink(link) == 0);
	n = rescan(&h, &known, &notes);
	CHECK(n == 1);
	free(notes);
	host_drop_gpu(&h, host_find_gpu(&h, t4));
	CHECK(h.n_gpus == 1 && !host_find_gpu(&h, t4));
	link_to("bus/pci/devices/0000:41:00.0", "../../../devices/pci0000:00/0000:41:00.0");
	n = rescan(&h, &known, &notes);
	CHECK(n == 1 && notes[0].change == GPU_APPEARED);
	free(notes);
	CHECK(h.n_gpus == 2 && !strcmp(h.gpus[0].pci.bdf, t4)); /* in address order */
	host_free(&h);
	catalogues_free(&known);
}

static void test_broken_root(void)
{
	struct host h;
	struct catalogues known = { 0 };
	char err[256] = "";

	/* libpci's fatal error must come back as an error, not exit() the process */
	CHECK(host_discover(&h, "/nonexistent-sysfs", 0, &known, err, sizeof(err)) < 0);
	CHECK(err[0] != '\0');
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(root, sizeof(root), "/tmp/vgpufs-unit-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	build_fixture();
	test_discovery();
	test_catalogues();
	test_rescan();
	test_broken_root();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return tap_done();
}
