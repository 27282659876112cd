/* engine.c — see engine.h: opening and closing, the host and its GPUs, refusals and the
 * event log. Groups and rules are in engine_groups.c. */
#include "engine_internal.h"
#include "counters.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>

const struct field host_fields[] = {
	FIELD_OF(struct host_settings, maintenance, .type = FIELD_BOOL),
	{ NULL },
};

/* A setting never written keeps its initial value; one the table no longer has is left
 * alone. */
static int load_settings(struct engine *e)
{
	fields_init(host_fields, &e->settings);
	for (const struct field *f = host_fields; f->name; f++) {
		char value[VALUE_SIZE_MAX + 1], why[MESSAGE_MAX];
		bool found;
		int r = store_setting_get(&e->store, f->column, value, sizeof(value), &found);

		if (r < 0)
			return r;
		if (found && field_parse(f, value, &e->settings, why, sizeof(why)) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Unreadable: every model's types are read, as a first start does. */
void catalogues_load_or_log(struct engine *e, struct catalogues *known)
{
	int r = store_catalogues_load(&e->store, known);

	if (r < 0) {
		catalogues_free(known);
		events_add(&e->events, "vGPU type catalogues not read (%s): types read from sysfs",
			   strerror(-r));
	}
}

/* Keeping them is only a saving: a failure is logged, not fatal. */
void catalogues_keep(struct engine *e, struct catalogues *known)
{
	int saved;

	if (!known->changed)
		return;
	saved = store_begin(&e->store);
	if (saved >= 0 && (saved = store_catalogues_save(&e->store, known)) >= 0)
		saved = store_commit(&e->store);
	if (saved < 0) {
		store_rollback(&e->store);
		events_add(&e->events, "vGPU type catalogues not saved: %s",
			   sqlite3_errmsg(e->store.db));
	}
}

/* Discovery, with the GPU models' types known from earlier starts; those it had to read
 * are kept for the next. */
static int discover(struct engine *e, const char *sysfs_root, struct host *into, char *err,
		    size_t err_size)
{
	struct catalogues known = { 0 };
	int r;

	catalogues_load_or_log(e, &known);
	r = host_discover(into, sysfs_root, SNAPSHOT_MAX_AGE_MS, &known, err, err_size);
	if (r >= 0)
		catalogues_keep(e, &known);
	catalogues_free(&known);
	return r;
}

/* Whether a vGPU to re-create lacks its slot while its GPU is there: the VFs of an SR-IOV
 * GPU appear a while after `sriov-manage -e` returns. A missing GPU is not waited for. */
static bool slots_missing(struct engine *e)
{
	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		const struct vgpu *v = &e->devices.vgpus[i];
		const struct gpu *g = host_find_gpu(&e->host, v->gpu);

		if (v->state == VGPU_CREATED && g && !gpu_has_slot(g, v->slot))
			return true;
	}
	return false;
}

/* Discovers the host again every 250 ms until every slot the vGPUs need is there, for
 * wait_s seconds at most. */
static void wait_for_slots(struct engine *e, const char *sysfs_root, unsigned wait_s)
{
	long long deadline = monotonic_ms() + 1000LL * wait_s;
	char err[512];

	if (!slots_missing(e))
		return;
	events_add(&e->events, "waiting up to %u s for the SR-IOV VFs the vGPUs need", wait_s);
	while (slots_missing(e) && monotonic_ms() < deadline) {
		struct host found = { 0 };

		sleep_ms(250);
		if (discover(e, sysfs_root, &found, err, sizeof(err)) < 0) {
			events_add(&e->events, "discovery failed while waiting for VFs: %s", err);
			host_free(&found);
			return;
		}
		host_free(&e->host);
		e->host = found;
	}
	if (slots_missing(e))
		events_add(&e->events, "SR-IOV VFs still missing after %u s", wait_s);
}

static int load_tenants(struct engine *e)
{
	int r = store_tenants_load(&e->store, &e->tenants);

	if (r >= 0)
		r = store_shares_load(&e->store, &e->tenants);
	if (r >= 0)
		r = store_vm_owners_load(&e->store, &e->tenants);
	return r;
}

/* After each new event: the metrics file is due again, and engine_on_event's fn runs. */
static void event_added(void *ctx)
{
	struct engine *e = ctx;

	metrics_changed(e);
	if (e->on_event)
		e->on_event(e->on_event_ctx);
}

int engine_open(const struct engine_options *opts, struct engine **out,
		char *err, size_t err_size)
{
	struct engine *e = calloc(1, sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->queue_lock, NULL);
	pthread_cond_init(&e->queue_cond, NULL);
	str_copy(e->state_dir, sizeof(e->state_dir), opts->state_dir);
	e->events.copy = tenant_log_copy;
	e->events.copy_ctx = e;
	e->events.notify = event_added;
	e->events.notify_ctx = e;
	if (gethostname(e->host_name, sizeof(e->host_name) - 1) < 0)
		str_copy(e->host_name, sizeof(e->host_name), "localhost");
	r = store_open(&e->store, opts->state_dir, err, err_size);
	if (r >= 0 && (r = store_groups_load(&e->store, &e->groups)) < 0)
		snprintf(err, err_size, "loading groups: %s", strerror(-r));
	if (r >= 0 && (r = load_tenants(e)) < 0)
		snprintf(err, err_size, "loading tenants: %s", strerror(-r));
	if (r >= 0 && (r = load_settings(e)) < 0)
		snprintf(err, err_size, "loading host settings: %s", strerror(-r));
	if (r >= 0 && (r = store_devices_load(&e->store, &e->devices)) < 0)
		snprintf(err, err_size, "loading devices: %s", strerror(-r));
	if (r >= 0)
		r = discover(e, opts->sysfs_root, &e->host, err, err_size);
	if (r >= 0)
		rules_note_hardware(e); /* a card changed while the daemon was down */
	if (r >= 0)
		r = media_open(e, err, err_size);
	if (r >= 0)
		r = virt_new(opts->libvirt_uri, vms_on_event, e, &e->virt, err, err_size);
	if (r >= 0) { /* vGPUs exist again before anything is served; libvirt comes later */
		wait_for_slots(e, opts->sysfs_root, opts->vf_wait_s);
		vgpus_recreate(e, NULL);
	}
	if (r >= 0)
		r = media_start(e);
	if (r >= 0)
		r = metrics_start(e, opts->metrics_textfile);
	if (r >= 0)
		r = hotplug_start(e, opts->rescan_interval_s);
	if (r < 0) {
		engine_close(e);
		return r;
	}
	events_add_priority(&e->events, LOG_NOTICE,
			    "vgpufs %s started: %zu GPUs, %zu groups, %zu devices", VGPUFS_VERSION,
			    e->host.n_gpus, e->groups.n, e->devices.n);
	*out = e;
	return 0;
}

int engine_start(struct engine *e)
{
	return vms_start_worker(e);
}

void engine_close(struct engine *e)
{
	if (!e)
		return;
	hotplug_stop(e);
	metrics_stop(e);
	vms_stop_worker(e);
	media_close(e);
	if (e->virt)
		virt_close(e->virt);
	devices_free(&e->devices);
	host_free(&e->host);
	groups_free(&e->groups);
	tenants_free(&e->tenants);
	events_free(&e->events);
	store_close(&e->store);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->queue_lock);
	pthread_cond_destroy(&e->queue_cond);
	free(e);
}

/* The one place a refusal is recorded: the object's error file and the event log. */
static int vrefuse(struct engine *e, const char *object, int err, const char *fmt,
		   va_list ap)
{
	char message[MESSAGE_MAX];

	assert(err < 0);
	vsnprintf(message, sizeof(message), fmt, ap);
	metrics_refused(&e->metrics, err);
	events_set_error(&e->events, object, message);
	events_add_refusal(&e->events, object, err, message);
	return err;
}

int refuse(struct engine *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vrefuse(e, e->object, err, fmt, ap);
	va_end(ap);
	return err;
}

int engine_refuse(struct engine *e, const char *object, int err, const char *fmt, ...)
{
	LOCK_ENGINE(e);
	va_list ap;

	va_start(ap, fmt);
	err = vrefuse(e, object, err, fmt, ap);
	va_end(ap);
	return err;
}

void engine_object(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->object, sizeof(e->object), fmt, ap);
	va_end(ap);
}

int commit_change(struct engine *e, int (*change)(struct engine *e, void *arg), void *arg)
{
	int r = store_begin(&e->store);

	if (r >= 0)
		r = change(e, arg);
	if (r >= 0)
		r = store_commit(&e->store);
	if (r < 0) {
		store_rollback(&e->store);
		return refuse(e, r == -EEXIST ? r : -EIO, "state database: %s",
			      sqlite3_errmsg(e->store.db));
	}
	return 0;
}

long long engine_events_size(struct engine *e)
{
	LOCK_ENGINE(e);
	return events_size(&e->events);
}

size_t engine_events_read(struct engine *e, long long offset, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	return events_read(&e->events, offset, buf, size);
}

void engine_on_event(struct engine *e, void (*fn)(void *ctx), void *ctx)
{
	LOCK_ENGINE(e);
	e->on_event = fn;
	e->on_event_ctx = ctx;
}

int engine_host_info(struct engine *e, struct host_info *out)
{
	LOCK_ENGINE(e);
	memset(out, 0, sizeof(*out));
	str_copy(out->name, sizeof(out->name), e->host_name);
	return host_driver_version(&e->host, out->driver_version, sizeof(out->driver_version));
}

struct setting_row {
	const char *key, *value;
};

static int save_setting(struct engine *e, void *arg)
{
	const struct setting_row *row = arg;

	return store_setting_set(&e->store, row->key, row->value);
}

int engine_host_set(struct engine *e, const char *field, const char *value)
{
	LOCK_ENGINE(e);
	const struct field *f = field_find(host_fields, field);
	struct host_settings wanted = e->settings;
	char why[MESSAGE_MAX], shown[64];
	int r;

	if (!f)
		return -ENOENT;
	engine_object(e, "host");
	if (field_parse(f, value, &wanted, why, sizeof(why)) < 0)
		return refuse(e, -EINVAL, "%s", why);
	if (field_equal(f, &e->settings, &wanted))
		return 0;
	field_format(f, &wanted, shown, sizeof(shown));
	r = commit_change(e, save_setting, &(struct setting_row){ f->column, shown });
	if (r < 0)
		return r;
	e->settings = wanted;
	events_add(&e->events, "host/%s = %s", field, shown);
	return 0;
}

/* A group asking for a host driver that is not the running one needs a reboot. */
static bool reboot_required(struct engine *e)
{
	char running[64] = "";

	host_driver_version(&e->host, running, sizeof(running));
	for (size_t i = 0; i < e->groups.n; i++) {
		const char *wanted = e->groups.items[i].driver;

		if (wanted[0] && strcmp(wanted, running))
			return true;
	}
	return false;
}

int engine_host_get(struct engine *e, const char *field, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct field *f = field_find(host_fields, field);

	if (f)
		field_format(f, &e->settings, buf, size);
	else if (!strcmp(field, "reboot_required"))
		return str_printf(buf, size, "%d", reboot_required(e)) < 0 ? -ENAMETOOLONG : 0;
	else if (!strcmp(field, "pending_driver"))
		return media_pending_driver(e, buf, size), 0;
	else if (!strcmp(field, "libvirt"))
		return str_copy(buf, size, e->libvirt_attached ? "connected" : "connecting");
	return f ? 0 : -ENOENT;
}

int engine_object_error(struct engine *e, const char *object, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	str_copy(buf, size, events_error(&e->events, object));
	return 0;
}

int engine_for_each_gpu(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		int r = fn(e->host.gpus[i].pci.bdf, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_gpu_info(struct engine *e, const char *bdf, struct gpu_info *out)
{
	LOCK_ENGINE(e);
	struct gpu *g = host_find_gpu(&e->host, bdf);

	if (!g)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	str_copy(out->bdf, sizeof(out->bdf), g->pci.bdf);
	str_copy(out->name, sizeof(out->name), g->name);
	out->vendor = g->pci.vendor;
	out->device = g->pci.device;
	out->subsystem_vendor = g->pci.subsystem_vendor;
	out->subsystem_device = g->pci.subsystem_device;
	out->class_code = g->pci.class_code;
	out->numa_node = g->pci.numa_node;
	str_copy(out->iommu_group, sizeof(out->iommu_group), g->pci.iommu_group);
	str_copy(out->kernel_driver, sizeof(out->kernel_driver), g->pci.kernel_driver);
	out->mode = gpu_mode_name(g->mode);
	out->present = !g->gone;
	return 0;
}

int gpu_usage_get(struct engine *e, struct gpu *g, struct gpu_usage_info *out)
{
	struct gpu_usage u;
	int r;

	memset(out, 0, sizeof(*out));
	r = host_gpu_usage(&e->host, g, &u);
	if (r < 0)
		return r;
	out->vgpus_used = u.used;
	if (u.type_index >= 0) {
		str_copy(out->profile, sizeof(out->profile), g->types[u.type_index].profile);
		out->vgpus_max = g->types[u.type_index].max_instances;
	}
	return 0;
}

int engine_gpu_usage(struct engine *e, const char *bdf, struct gpu_usage_info *out)
{
	LOCK_ENGINE(e);
	struct gpu *g = host_find_gpu(&e->host, bdf);

	return g ? gpu_usage_get(e, g, out) : -ENOENT;
}

int engine_for_each_gpu_type(struct engine *e, const char *bdf, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	struct gpu *g = host_find_gpu(&e->host, bdf);

	if (!g)
		return -ENOENT;
	for (size_t i = 0; i < g->n_types; i++) {
		int r = fn(g->types[i].profile, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

static int gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out, bool live)
{
	struct gpu *g = host_find_gpu(&e->host, bdf);
	int i = g ? gpu_find_type(g, profile) : -1, r = 0;

	if (i < 0)
		return -ENOENT;
	if (live)
		r = host_type_available(&e->host, g, (size_t)i, NULL);
	if (out)
		*out = g->types[i];
	return r;
}

int engine_gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out)
{
	LOCK_ENGINE(e);
	return gpu_type(e, bdf, profile, out, false);
}

int engine_gpu_type_available(struct engine *e, const char *bdf, const char *profile)
{
	LOCK_ENGINE(e);
	return gpu_type(e, bdf, profile, NULL, true);
}

bool first_offer(const struct host *h, size_t gpu_index, const char *profile)
{
	for (size_t i = 0; i < gpu_index; i++)
		if (!h->gpus[i].gone && gpu_find_type(&h->gpus[i], profile) >= 0)
			return false;
	return true;
}

int engine_for_each_profile(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		const struct gpu *gpu = &e->host.gpus[g];

		for (size_t t = 0; !gpu->gone && t < gpu->n_types; t++) {
			int r;

			if (!first_offer(&e->host, g, gpu->types[t].profile))
				continue;
			r = fn(gpu->types[t].profile, ctx);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Per-GPU facts a catalogue entry lacks (0 / "") are filled from the next GPU. */
static void merge_profile(struct vgpu_type *into, const struct vgpu_type *t)
{
	if (!into->heads)
		into->heads = t->heads;
	if (!into->frl)
		into->frl = t->frl;
	if (!into->max_resolution[0])
		str_copy(into->max_resolution, sizeof(into->max_resolution), t->max_resolution);
	if (t->max_instances > into->max_instances)
		into->max_instances = t->max_instances;
}

int engine_profile_info(struct engine *e, const char *profile, struct profile_info *out)
{
	LOCK_ENGINE(e);
	size_t len = 0;
	bool found = false;

	memset(out, 0, sizeof(*out));
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		const struct gpu *gpu = &e->host.gpus[g];
		int i = gpu->gone ? -1 : gpu_find_type(gpu, profile);

		if (i < 0)
			continue;
		if (!found)
			out->type = gpu->types[i];
		merge_profile(&out->type, &gpu->types[i]);
		found = true;
		len += snprintf(out->gpus + len, sizeof(out->gpus) - len, "%s\n", gpu->pci.bdf);
		if (len >= sizeof(out->gpus))
			return -E2BIG;
	}
	return found ? 0 : -ENOENT;
}

int profile_available(struct engine *e, const char *profile)
{
	struct gpu_usage usage[e->host.n_gpus + 1];
	int total = 0, found = 0, r = host_usage_all(&e->host, usage, NULL);

	if (r < 0)
		return r;
	for (size_t g = 0; g < e->host.n_gpus; g++) {
		struct gpu *gpu = &e->host.gpus[g];
		int i = gpu->gone ? -1 : gpu_find_type(gpu, profile), avail;

		if (i < 0)
			continue;
		avail = host_type_available(&e->host, gpu, (size_t)i, &usage[g]);
		if (avail < 0)
			return avail;
		total += avail;
		found = 1;
	}
	return found ? total : -ENOENT;
}

int engine_profile_available(struct engine *e, const char *profile)
{
	LOCK_ENGINE(e);
	return profile_available(e, profile);
}

/* Under the lock, so that a reading does not fall in the middle of a change. */
int engine_counters(struct engine *e, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (int c = 0; c < COUNTERS; c++) {
		int r = str_printf(buf + len, size - len, "%s %llu\n", counter_names[c],
				   counter_get(c));

		if (r < 0)
			return r;
		len += (size_t)r;
	}
	return (int)len;
}
