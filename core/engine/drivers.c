/* drivers.c — the host drivers of drivers/: the running one and those of the bundles
 * and host packages in media/, with what the compatibility data (compat.h) says of them
 * and of this host's GPUs; and the one check of a group's driver (validate_driver). */
#include "engine_internal.h"
#include "compat.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DRIVERS_MAX 64

bool media_is_driver(const struct media_entry *m)
{
	return (m->info.kind == MEDIA_DRIVER_BUNDLE || m->info.kind == MEDIA_HOST_PACKAGE) &&
	       !m->info.invalid[0] && m->info.host_version[0];
}

/* The bundle a driver version is taken from: the lexically first (duplicates are
 * reported when they appear); with guest_files, the first that has guest files. */
const struct media_entry *driver_bundle(struct engine *e, const char *version,
					bool guest_files)
{
	const struct media_entry *best = NULL;

	for (size_t i = 0; i < e->media.n; i++) {
		const struct media_entry *m = &e->media.items[i];

		if (media_is_driver(m) && !strcmp(m->info.host_version, version) &&
		    (!guest_files || m->info.n_guest_files) &&
		    (!best || strcmp(m->name, best->name) < 0))
			best = m;
	}
	return best;
}

static void running_driver(struct engine *e, char *buf, size_t size)
{
	buf[0] = '\0';
	host_driver_version(&e->host, buf, size);
}

static int newest_first(const void *a, const void *b)
{
	return compat_version_compare(b, a);
}

/* Every host driver drivers/ lists: the running one and each bundle's, newest first. */
static size_t drivers_list(struct engine *e, char (*out)[BUNDLE_VERSION_MAX], size_t max)
{
	size_t n = 0;

	running_driver(e, out[0], BUNDLE_VERSION_MAX);
	n = out[0][0] ? 1 : 0;
	for (size_t i = 0; i < e->media.n && n < max; i++) {
		const struct media_entry *m = &e->media.items[i];
		bool seen = false;

		for (size_t j = 0; media_is_driver(m) && j < n && !seen; j++)
			seen = !strcmp(out[j], m->info.host_version);
		if (media_is_driver(m) && !seen)
			str_copy(out[n++], BUNDLE_VERSION_MAX, m->info.host_version);
	}
	qsort(out, n, sizeof(*out), newest_first);
	return n;
}

static bool driver_listed(struct engine *e, const char *version)
{
	char running[BUNDLE_VERSION_MAX];

	running_driver(e, running, sizeof(running));
	return !strcmp(version, running) || driver_bundle(e, version, false);
}

/* Over this host's GPUs: NO when one cannot be driven, else UNKNOWN when one is not
 * known, else YES. */
static enum compat_support host_support(struct engine *e, const char *version)
{
	enum compat_support all = COMPAT_YES;

	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct pci_gpu *p = &e->host.gpus[i].pci;
		enum compat_support s = compat_drives(version, p->vendor, p->device);

		if (s == COMPAT_NO)
			return COMPAT_NO;
		if (s == COMPAT_UNKNOWN)
			all = COMPAT_UNKNOWN;
	}
	return all;
}

static const char *support_word(enum compat_support s, bool numeric)
{
	if (s == COMPAT_UNKNOWN)
		return "unknown";
	if (numeric)
		return s == COMPAT_YES ? "1" : "0";
	return s == COMPAT_YES ? "supported" : "unsupported";
}

/* The one place that says which host drivers a group may ask for: one drivers/ lists
 * (a bundle's name stands for its version), that can drive every GPU of the group. */
int validate_driver(struct engine *e, const struct group *g, struct group *want)
{
	const struct media_entry *m;

	if (!want->driver[0])
		return 0;
	if (!value_is_driver_version(want->driver)) {
		m = media_find(&e->media, want->driver);
		if (!m)
			return refuse(e, -ENOENT, "no driver %s: neither a version in drivers/ nor "
				      "a file in media/", want->driver);
		if (!media_is_driver(m))
			return refuse(e, -EINVAL, "%s is not a usable driver bundle: %s",
				      want->driver, m->info.invalid[0] ? m->info.invalid :
				      media_kind_name(m->info.kind));
		str_copy(want->driver, sizeof(want->driver), m->info.host_version);
	}
	if (!driver_listed(e, want->driver))
		return refuse(e, -ENOENT, "no bundle of host driver %s in media/, and it is not "
			      "the running driver (drivers/ lists those there are)", want->driver);
	m = driver_bundle(e, want->driver, false);
	if (m && media_being_written(&e->media, m->name))
		return refuse(e, -EBUSY, "media/%s, the bundle of driver %s, is open for "
			      "writing; a file in use must not change", m->name, want->driver);
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		const struct gpu *gpu = &e->host.gpus[i];

		if (group_owns(&e->groups, g, gpu, e->host_name) &&
		    compat_drives(want->driver, gpu->pci.vendor, gpu->pci.device) == COMPAT_NO)
			return refuse(e, -EINVAL, "host driver %s (vGPU release %d) cannot drive "
				      "GPU %s (%s) of this group", want->driver,
				      compat_release(want->driver), gpu->pci.bdf, gpu->name);
	}
	return 0;
}

int media_check_gpu_joins(struct engine *e, const struct group *g, const struct gpu *gpu)
{
	if (!g->driver[0] ||
	    compat_drives(g->driver, gpu->pci.vendor, gpu->pci.device) != COMPAT_NO)
		return 0;
	return refuse(e, -EINVAL, "GPU %s (%s) cannot join group %s: its host driver %s "
		      "(vGPU release %d) cannot drive it", gpu->pci.bdf, gpu->name, g->name,
		      g->driver, compat_release(g->driver));
}

void media_pending_driver(struct engine *e, char *buf, size_t size)
{
	char running[BUNDLE_VERSION_MAX];

	running_driver(e, running, sizeof(running));
	buf[0] = '\0';
	for (size_t i = 0; i < e->groups.n; i++) {
		const char *wanted = e->groups.items[i].driver;

		if (wanted[0] && strcmp(wanted, running) &&
		    (!buf[0] || compat_version_compare(wanted, buf) > 0))
			str_copy(buf, size, wanted);
	}
}

int engine_for_each_driver(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	char versions[DRIVERS_MAX][BUNDLE_VERSION_MAX];
	size_t n = drivers_list(e, versions, DRIVERS_MAX);

	for (size_t i = 0; i < n; i++) {
		int r = fn(versions[i], ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

static int bundles_text(struct engine *e, const char *version, char *buf, size_t size)
{
	const struct media_entry *sorted[e->media.n + 1];
	size_t n = 0, len = 0;

	for (size_t i = 0; i < e->media.n; i++)
		if (media_is_driver(&e->media.items[i]) &&
		    !strcmp(e->media.items[i].info.host_version, version))
			sorted[n++] = &e->media.items[i];
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
		for (size_t j = i; j > 0 && strcmp(sorted[j - 1]->name, sorted[j]->name) > 0; j--) {
			const struct media_entry *t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s\n", sorted[i]->name);
	return len < size ? 0 : -E2BIG;
}

static int guest_files_text(const struct bundle_info *b, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; b && i < b->n_guest_files && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s\n", b->guest_files[i].path);
	return len < size ? 0 : -E2BIG;
}

static int driver_gpus_text(struct engine *e, const char *version, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->host.n_gpus && len < size; i++) {
		const struct pci_gpu *p = &e->host.gpus[i].pci;

		if (compat_drives(version, p->vendor, p->device) != COMPAT_NO)
			len += (size_t)snprintf(buf + len, size - len, "%s\n", p->bdf);
	}
	return len < size ? 0 : -E2BIG;
}

/* drivers/<version>/: one getter per file. b is the bundle the version is taken from,
 * NULL for a running driver that has none. */
struct driver_view {
	struct engine *e;
	const char *version;
	const struct bundle_info *b;
};

static int get_bundles(const struct driver_view *v, char *buf, size_t size)
{
	return bundles_text(v->e, v->version, buf, size);
}

static int get_host_version(const struct driver_view *v, char *buf, size_t size)
{
	return str_copy(buf, size, v->version);
}

static int get_linux_guest(const struct driver_view *v, char *buf, size_t size)
{
	return str_copy(buf, size, v->b ? v->b->linux_guest_version : "");
}

static int get_windows_guest(const struct driver_view *v, char *buf, size_t size)
{
	return str_copy(buf, size, v->b ? v->b->windows_guest_version : "");
}

static int get_branch(const struct driver_view *v, char *buf, size_t size)
{
	return compat_branch(v->version, buf, size);
}

static int get_release(const struct driver_view *v, char *buf, size_t size)
{
	int release = compat_release(v->version);

	return release < 0 ? str_copy(buf, size, "unknown") : str_printf(buf, size, "%d", release);
}

static int get_host_package(const struct driver_view *v, char *buf, size_t size)
{
	return str_copy(buf, size, v->b ? v->b->host_package.path : "");
}

static int get_guest_files(const struct driver_view *v, char *buf, size_t size)
{
	return guest_files_text(v->b, buf, size);
}

static int get_running(const struct driver_view *v, char *buf, size_t size)
{
	char running[BUNDLE_VERSION_MAX];

	running_driver(v->e, running, sizeof(running));
	return str_copy(buf, size, strcmp(v->version, running) ? "0" : "1");
}

static int get_supported(const struct driver_view *v, char *buf, size_t size)
{
	return str_copy(buf, size, support_word(host_support(v->e, v->version), true));
}

static int get_gpus(const struct driver_view *v, char *buf, size_t size)
{
	return driver_gpus_text(v->e, v->version, buf, size);
}

static const struct {
	const char *name;
	int (*get)(const struct driver_view *v, char *buf, size_t size);
} driver_files[] = {
	{ "bundles", get_bundles },
	{ "host_version", get_host_version },
	{ "linux_guest_version", get_linux_guest },
	{ "windows_guest_version", get_windows_guest },
	{ "vgpu_branch", get_branch },
	{ "vgpu_release", get_release },
	{ "host_package", get_host_package },
	{ "guest_files", get_guest_files },
	{ "running", get_running },
	{ "supported", get_supported },
	{ "gpus", get_gpus },
};

int engine_driver_get(struct engine *e, const char *version, const char *field, char *buf,
		      size_t size)
{
	LOCK_ENGINE(e);
	const struct media_entry *b;

	if (!value_is_driver_version(version) || !driver_listed(e, version))
		return -ENOENT;
	b = driver_bundle(e, version, false);
	for (size_t i = 0; i < ARRAY_SIZE(driver_files); i++)
		if (!strcmp(field, driver_files[i].name))
			return driver_files[i].get(&(struct driver_view){ e, version,
							b ? &b->info : NULL }, buf, size);
	return -ENOENT;
}

/* drivers/compatible: "<version> <release> <support>" per listed driver, newest first. */
int engine_drivers_compatible(struct engine *e, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	char versions[DRIVERS_MAX][BUNDLE_VERSION_MAX], release[16];
	size_t n = drivers_list(e, versions, DRIVERS_MAX), len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int r = compat_release(versions[i]);

		if (r < 0)
			str_copy(release, sizeof(release), "unknown");
		else
			snprintf(release, sizeof(release), "%d", r);
		len += (size_t)snprintf(buf + len, size - len, "%s %s %s\n", versions[i], release,
					support_word(host_support(e, versions[i]), false));
	}
	return len < size ? 0 : -E2BIG;
}
