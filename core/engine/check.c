/* check.c — see check.h. It runs the discovery engine_open starts with (host_discover)
 * and none of what follows it there: the state database is neither created nor migrated,
 * no vGPU is recovered, and sysfs is only read. libvirt is asked over a read-only
 * connection, and the database is read without touching even sqlite's side files. */
#include "check.h"
#include "host.h"
#include "store.h"
#include "util.h"
#include "virt.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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

static void print_state(FILE *out, const char *state_dir)
{
	struct store_schema s;
	char err[512] = "";

	int r = store_read_schema(state_dir, &s, err, sizeof(err));

	if (r < 0) {
		fprintf(out, "state: %s unreadable: %s\n", s.path[0] ? s.path : state_dir,
			err[0] ? err : strerror(-r));
		return;
	}
	if (!s.exists) {
		fprintf(out, "state: no database at %s\n", s.path);
		return;
	}
	fprintf(out, "state: %s schema version %d", s.path, s.version);
	if (s.version > s.latest)
		fprintf(out, ", newer than this vgpufs (%d)", s.latest);
	if (s.wal_unread)
		fprintf(out, ", read without its -wal (no -shm beside it)");
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
	discovery_free(&d);
	print_libvirt(out, opts->libvirt_uri);
	print_state(out, opts->state_dir);
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
