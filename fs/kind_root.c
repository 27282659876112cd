/* kind_root.c — the top of /vgpu: README, version, events, and host/. */
#include "kinds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char readme[] =
	"vgpufs: this NVIDIA vGPU host as files. One value per file: cat to read, echo to\n"
	"write; a refused write says why in the object's `error` file and in `events`.\n"
	"  host/      this node: name, driver_version, reboot_required, pending_driver,\n"
	"             maintenance, libvirt (connected or connecting), counters,\n"
	"             drift (what differs from the desired state), reconcile (echo 1)\n"
	"  gpus/      physical NVIDIA GPUs (BDF): mode, profile in use, types/, group\n"
	"  profiles/  every vGPU profile offered here, with the GPUs offering it\n"
	"  groups/    vGPU resource groups: mkdir NAME; set driver, profile; rules/\n"
	"  vms/       libvirt domains; mkdir vms/VM/devices/DEV, then echo GROUP > group\n"
	"  vgpus/     every vGPU instance on this host (orphans included)\n"
	"  media/     the file store: cp a driver bundle (.zip) here; media-info/NAME/\n"
	"  drivers/   host drivers found in media/'s bundles, and the running one\n"
	"  tenants/   tenants: mkdir NAME; admin_uid, admin_gid; VMs via vms/VM/tenant\n"
	"  events     one line per change or refused write (tail -f it)\n"
	"  metrics    GPUs, groups, shares, vGPUs and counts, for Prometheus\n"
	"Assign a GPU:  echo mygroup > gpus/0000:41:00.0/group\n"
	"Full reference: docs/tree.md in the vgpufs sources.\n";

int show_value(struct text *out, int r, const char *value)
{
	return r < 0 ? r : text_printf(out, "%s\n", value);
}

int show_list(struct text *out, int r, const char *value)
{
	return r < 0 ? r : text_printf(out, "%s", value);
}

struct name_match {
	const char *name;
	bool found;
};

static int match_name(const char *name, void *ctx)
{
	struct name_match *m = ctx;

	m->found |= !strcmp(name, m->name);
	return 0;
}

int listed(const struct node *n, int (*list)(const struct node *n, engine_name_fn fn,
					      void *ctx), const char *name)
{
	struct name_match m = { name, false };
	int r = list(n, match_name, &m);

	return r < 0 ? r : m.found ? 0 : -ENOENT;
}

int show_error(const struct node *n, const struct attr *a, struct text *out)
{
	char message[VALUE_MAX + 1];
	int r = engine_object_error(n->engine, n->path, message, sizeof(message));

	(void)a;
	return show_value(out, r, message);
}

static int show_readme(const struct node *n, const struct attr *a, struct text *out)
{
	(void)n, (void)a;
	return text_printf(out, "%s", readme);
}

static int show_version(const struct node *n, const struct attr *a, struct text *out)
{
	(void)n, (void)a;
	return text_printf(out, "%s\n", VGPUFS_VERSION);
}

static int show_metrics(const struct node *n, const struct attr *a, struct text *out)
{
	char *text;
	size_t len;
	int r = engine_metrics(n->engine, EXPOSITION_OPENMETRICS, &text, &len);

	(void)a;
	if (r >= 0)
		r = text_printf(out, "%s", text);
	free(text);
	return r;
}

static long long events_size(const struct node *n)
{
	return engine_events_size(n->engine);
}

static size_t events_read(const struct node *n, char *buf, size_t size, long long offset)
{
	return engine_events_read(n->engine, offset, buf, size);
}

static int show_host_info(const struct node *n, const struct attr *a, struct text *out)
{
	struct host_info h;
	int r = engine_host_info(n->engine, &h);

	return show_value(out, r, !strcmp(a->name, "name") ? h.name : h.driver_version);
}

static int show_host_setting(const struct node *n, const struct attr *a, struct text *out)
{
	char value[64];
	int r = engine_host_get(n->engine, a->name, value, sizeof(value));

	return show_value(out, r, value);
}

static int store_host_setting(const struct node *n, const struct attr *a, const char *value)
{
	return engine_host_set(n->engine, a->name, value);
}

static int show_host_counters(const struct node *n, const struct attr *a, struct text *out)
{
	char lines[1024];
	int r = engine_counters(n->engine, lines, sizeof(lines));

	(void)a;
	return show_list(out, r, lines);
}

static int show_host_drift(const struct node *n, const struct attr *a, struct text *out)
{
	char *lines;
	int r = engine_host_drift(n->engine, &lines);

	(void)a;
	r = show_list(out, r, lines);
	free(lines);
	return r;
}

static int store_host_reconcile(const struct node *n, const struct attr *a, const char *value)
{
	(void)a;
	return engine_host_reconcile(n->engine, value);
}

const struct node_kind host_kind = {
	.attrs = (const struct attr[]) {
		{ "name", 0444, false, show_host_info },
		{ "driver_version", 0444, false, show_host_info },
		{ "reboot_required", 0444, false, show_host_setting },
		{ "pending_driver", 0444, false, show_host_setting },
		{ "libvirt", 0444, false, show_host_setting },
		{ "counters", 0444, false, show_host_counters },
		/* 0440, group --admin-group, as events: lines may name any tenant's VMs */
		{ "drift", 0440, false, show_host_drift },
		{ "reconcile", 0200, false, NULL, store_host_reconcile },
		{ "error", 0444, false, show_error },
		{ NULL },
	},
	.fields = host_fields,
	.show_field = show_host_setting,
	.store_field = store_host_setting,
};

const struct node_kind root_kind = {
	.attrs = (const struct attr[]) {
		{ "README", 0444, true, show_readme },
		{ "version", 0444, true, show_version },
		/* 0440, group --admin-group: lines may name any tenant */
		{ "events", 0440, false, .size = events_size, .read_at = events_read },
		{ "metrics", 0440, false, show_metrics }, /* as events: names every tenant */
		{ NULL },
	},
	.subdirs = (const struct subdir[]) {
		{ "host", &host_kind, PART_PROVIDER },
		{ "gpus", &gpus_kind, PART_CATALOGUE },
		{ "profiles", &profiles_kind, PART_CATALOGUE },
		{ "groups", &groups_kind, PART_PROVIDER },
		{ "vms", &vms_kind, PART_CATALOGUE },  /* its entries have owners */
		{ "vgpus", &vgpus_kind, PART_CATALOGUE },
		{ "media", &media_kind, PART_PROVIDER },
		{ "media-info", &media_info_kind, PART_PROVIDER },
		{ "drivers", &drivers_kind, PART_PROVIDER },
		{ "tenants", &tenants_kind, PART_CATALOGUE },
		{ NULL },
	},
};
