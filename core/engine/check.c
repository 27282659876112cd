/* check.c — see check.h. It runs the discovery engine_open starts with (host_discover)
 * and none of what follows it there: the state database is neither created nor migrated,
 * no vGPU is recovered, and sysfs is only read. libvirt is asked over a read-only
 * connection, and the database is read without touching even sqlite's side files. */
#include "check.h"
#include "devices.h"
#include "host.h"
#include "node_store.h"
#include "store.h"
#include "util.h"
#include "virt.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *or_none(const char *s)
{
	return s[0] ? s : "none";
}

static void print_gpu(FILE *out, const struct gpu *g, const struct gpu_usage *u)
{
	const struct pci_gpu *p = &g->pci;

	fprintf(out, "gpu: %s id=%04x:%04x subsystem=%04x:%04x class=0x%06x kernel_driver=%s "
		"numa_node=%d iommu_group=%s mode=%s vfs=%zu types=%zu catalogue=%s vgpus=%u "
		"name=%s\n",
		p->bdf, p->vendor, p->device, p->subsystem_vendor, p->subsystem_device,
		p->class_code, or_none(p->kernel_driver), p->numa_node, or_none(p->iommu_group),
		gpu_mode_name(g->mode), p->n_vfs, g->n_types,
		g->catalogue_partial ? "partial" : "full", u->used, g->name);
}

static void print_libvirt(FILE *out, const char *uri)
{
	unsigned long version;
	int n_domains;
	char err[512] = "";

	if (virt_probe(uri, &version, &n_domains, err, sizeof(err)) < 0) {
		fprintf(out, "libvirt: %s does not answer: %s\n", uri, err);
		return;
	}
	fprintf(out, "libvirt: %s answers (libvirt %lu.%lu.%lu, %d domain%s)\n", uri,
		version / 1000000, version / 1000 % 1000, version % 1000, n_domains,
		n_domains == 1 ? "" : "s");
}

/* What a start would do with one recorded vGPU, on the host as discovered. */
static const char *recreate_verdict(struct host *h, const struct vgpu *v)
{
	const struct gpu *g = host_find_gpu(h, v->gpu);

	if (v->state != VGPU_CREATED)
		return "roll-back";  /* an unfinished change: undone once libvirt answers */
	if (!g)
		return "gpu-missing";
	if (!gpu_has_slot(g, v->slot))
		return "slot-missing";  /* waited for: --vf-wait */
	if (gpu_find_type(g, v->profile) < 0)
		return "profile-missing";
	return host_vgpu_exists(h, g, v->slot, v->type_id, v->uuid) ? "present" : "re-create";
}

/* The unit's view of a start: every vGPU the journal records and what becomes of it. */
static void print_recreate(FILE *out, struct store *s, struct host *h)
{
	struct devices ds = { 0 };
	size_t todo = 0;
	int r = store_devices_load(s, &ds);

	if (r < 0) {
		fprintf(out, "recreate: journal unreadable: %s\n", strerror(-r));
		return;
	}
	for (size_t i = 0; i < ds.n_vgpus; i++)
		todo += !strcmp(recreate_verdict(h, &ds.vgpus[i]), "re-create");
	fprintf(out, "recreate: %zu vGPU%s recorded, %zu to re-create at start\n", ds.n_vgpus,
		ds.n_vgpus == 1 ? "" : "s", todo);
	for (size_t i = 0; i < ds.n_vgpus; i++) {
		const struct vgpu *v = &ds.vgpus[i];

		fprintf(out, "vgpu: %s %s gpu=%s slot=%s profile=%s vm=%s device=%s\n", v->uuid,
			recreate_verdict(h, v), v->gpu, v->slot, v->profile, v->vm_uuid, v->device);
	}
	devices_free(&ds);
}

static void print_state(FILE *out, const char *state_dir, struct host *h)
{
	struct store_schema schema;
	struct store s;
	char err[512] = "";
	int r = store_open_readonly(state_dir, &s, &schema, err, sizeof(err));

	if (r < 0) {
		fprintf(out, "state: %s unreadable: %s\n", schema.path[0] ? schema.path : state_dir,
			err[0] ? err : strerror(-r));
		return;
	}
	if (!schema.exists) {
		fprintf(out, "state: no database at %s\n", schema.path);
		fprintf(out, "recreate: nothing recorded\n");
		return;
	}
	fprintf(out, "state: %s schema version %d", schema.path, schema.version);
	if (schema.version > schema.latest)
		fprintf(out, ", newer than this vgpufs (%d)", schema.latest);
	if (schema.wal_unread)
		fprintf(out, ", read without its -wal (no -shm beside it)");
	fputc('\n', out);
	if (schema.version == schema.latest)
		print_recreate(out, &s, h);
	else
		fprintf(out, "recreate: not read (a start migrates schema version %d first)\n",
			schema.version);
	store_close(&s);
}

/* The kernel modules a vGPU host runs on, as sysfs shows them loaded. */
static void print_modules(FILE *out, const char *root)
{
	static const char *const modules[] = { "nvidia", "nvidia_vgpu_vfio", "mdev",
					       "vfio_pci", "vfio_pci_core" };
	char path[PATH_MAX];

	fprintf(out, "modules:");
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		snprintf(path, sizeof(path), "%s/module/%s", root, modules[i]);
		fprintf(out, " %s=%s", modules[i], access(path, F_OK) == 0 ? "loaded" : "absent");
	}
	fputc('\n', out);
}

/* Everything discovery reads, read before a line is printed: a host that cannot be read
 * gives one error, not half a report. */
struct discovery {
	struct host host;
	char driver_version[64];   /* "" when the nvidia module is not loaded */
	struct gpu_usage *usage;   /* one per GPU */
};

static void discovery_free(struct discovery *d)
{
	host_free(&d->host);
	free(d->usage);
	d->usage = NULL;
}

static int discover(const char *root, struct discovery *d, char *err, size_t err_size)
{
	struct stat st;
	int r = 0;

	if (stat(root, &st) < 0)
		r = -errno;
	else if (!S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r < 0) {
		snprintf(err, err_size, "sysfs root %s: %s", root, strerror(-r));
		return r;
	}
	struct catalogues none = { 0 }; /* read every model's types, as a first start does */

	r = host_discover(&d->host, root, SNAPSHOT_MAX_AGE_MS, &none, err, err_size);
	catalogues_free(&none);
	if (r < 0) {
		if (!err[0])
			snprintf(err, err_size, "discovery under %s: %s", root, strerror(-r));
		return r;
	}
	r = host_driver_version(&d->host, d->driver_version, sizeof(d->driver_version));
	if (r < 0) {
		snprintf(err, err_size, "reading %s/module/nvidia/version: %s", root, strerror(-r));
		return r;
	}
	d->usage = calloc(d->host.n_gpus ? d->host.n_gpus : 1, sizeof(*d->usage));
	if (!d->usage)
		return -ENOMEM;
	r = host_usage_all(&d->host, d->usage, NULL);
	if (r < 0)
		snprintf(err, err_size, "reading the vGPUs in use under %s: %s", root,
			 strerror(-r));
	return r;
}

int check_host(const struct engine_options *opts, FILE *out, char *err, size_t err_size)
{
	struct discovery d = { .usage = NULL };
	int r;

	err[0] = '\0';
	r = discover(opts->sysfs_root, &d, err, err_size);
	if (r < 0) {
		discovery_free(&d);
		return r;
	}
	fprintf(out, "vgpufs: %s\n", VGPUFS_VERSION);
	fprintf(out, "sysfs: %s\n", opts->sysfs_root);
	fprintf(out, "driver_version: %s\n", or_none(d.driver_version));
	fprintf(out, "gpus: %zu%s\n", d.host.n_gpus,
		d.host.n_gpus ? "" : " (no NVIDIA GPU found)");
	for (size_t i = 0; i < d.host.n_gpus; i++)
		print_gpu(out, &d.host.gpus[i], &d.usage[i]);
	print_modules(out, opts->sysfs_root);
	print_libvirt(out, opts->libvirt_uri);
	print_state(out, opts->state_dir, &d.host);
	discovery_free(&d);
	errno = 0;
	r = fflush(out) == 0 ? 0 : errno ? -errno : -EIO;
	if (r == 0 && ferror(out))
		r = -EIO; /* an earlier write failed */
	if (r < 0) {
		snprintf(err, err_size, "writing the report: %s", strerror(-r));
		return r;
	}
	return 0;
}
