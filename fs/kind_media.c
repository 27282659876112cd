/* kind_media.c — media-info/<name>/ (what the daemon knows of each published file of
 * media/) and drivers/ (the host drivers found in media/'s bundles, and the running one).
 * media/ itself holds real files: fs/media.c. */
#include "kinds.h"

#include <errno.h>
#include <string.h>

/* media/: its files are fs/media.c's; the kind only makes it a directory of the tree. */
const struct node_kind media_kind = { 0 };

/* ---- media-info/<name>/ ---- */

static int show_media_info(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_media_info(n->engine, n->key[0], a->name, value, sizeof(value));

	return !strcmp(a->name, "used_by") ? show_list(out, r, value) : show_value(out, r, value);
}

static int media_info_exists(const struct node *n, const char *name)
{
	char size[32];
	int r = engine_media_info(n->engine, name, "size", size, sizeof(size));

	return r < 0 ? r : 0;
}

static int media_info_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_media(n->engine, fn, ctx);
}

static const struct node_kind media_info_entry_kind = {
	.attrs = (const struct attr[]) {
		{ "size", 0444, false, show_media_info },
		{ "sha256", 0444, false, show_media_info },
		{ "kind", 0444, false, show_media_info },
		{ "state", 0444, false, show_media_info },
		{ "used_by", 0444, false, show_media_info },
		{ "error", 0444, false, show_media_info },
		{ NULL },
	},
};

const struct node_kind media_info_kind = {
	.entry_kind = &media_info_entry_kind,
	.list = media_info_list,
	.exists = media_info_exists,
};

/* ---- drivers/ ---- */

static int show_driver(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_driver_get(n->engine, n->key[0], a->name, value, sizeof(value));
	bool list = !strcmp(a->name, "bundles") || !strcmp(a->name, "guest_files") ||
		    !strcmp(a->name, "gpus");

	return list ? show_list(out, r, value) : show_value(out, r, value);
}

static int show_compatible(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_drivers_compatible(n->engine, value, sizeof(value));

	(void)a;
	return show_list(out, r, value);
}

static int driver_exists(const struct node *n, const char *version)
{
	char value[64];
	int r = engine_driver_get(n->engine, version, "host_version", value, sizeof(value));

	return r < 0 ? r : 0;
}

static int driver_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_driver(n->engine, fn, ctx);
}

static const struct node_kind driver_kind = {
	.attrs = (const struct attr[]) {
		{ "bundles", 0444, false, show_driver },
		{ "host_version", 0444, false, show_driver },
		{ "linux_guest_version", 0444, false, show_driver },
		{ "windows_guest_version", 0444, false, show_driver },
		{ "vgpu_branch", 0444, false, show_driver },
		{ "vgpu_release", 0444, false, show_driver },
		{ "host_package", 0444, false, show_driver },
		{ "guest_files", 0444, false, show_driver },
		{ "running", 0444, false, show_driver },
		{ "supported", 0444, false, show_driver },
		{ "gpus", 0444, false, show_driver },
		{ NULL },
	},
};

const struct node_kind drivers_kind = {
	.attrs = (const struct attr[]) {
		{ "compatible", 0444, false, show_compatible },
		{ NULL },
	},
	.entry_kind = &driver_kind,
	.list = driver_list,
	.exists = driver_exists,
};
