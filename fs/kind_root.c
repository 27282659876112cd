/* kind_root.c — the top of /vgpu: README, version, and host/. */
#include "kinds.h"

#include <errno.h>

static const char readme[] =
	"vgpufs: this NVIDIA vGPU host as files. One value per file; cat to read.\n"
	"  host/      this node: name, driver_version, reboot_required\n"
	"  gpus/      physical NVIDIA GPUs (BDF), with mode, profile in use and types/\n"
	"  profiles/  every vGPU profile offered here, with the GPUs offering it\n"
	"Values are live: capacity shown is what the kernel reports now.\n"
	"Full reference: docs/tree.md in the vgpufs sources.\n";

static int show_readme(const struct node *n, struct text *out)
{
	(void)n;
	return text_printf(out, "%s", readme);
}

static int show_version(const struct node *n, struct text *out)
{
	(void)n;
	return text_printf(out, "%s\n", VGPUFS_VERSION);
}

static int show_host_name(const struct node *n, struct text *out)
{
	struct host_info h;
	int r = engine_host_info(n->engine, &h);

	return r < 0 ? r : text_printf(out, "%s\n", h.name);
}

static int show_driver_version(const struct node *n, struct text *out)
{
	struct host_info h;
	int r = engine_host_info(n->engine, &h);

	return r < 0 ? r : text_printf(out, "%s\n", h.driver_version);
}

/* No resource group can ask for another driver yet. */
static int show_reboot_required(const struct node *n, struct text *out)
{
	(void)n;
	return text_printf(out, "0\n");
}

const struct node_kind host_kind = {
	.attrs = (const struct attr[]) {
		{ "name", 0444, false, show_host_name },
		{ "driver_version", 0444, false, show_driver_version },
		{ "reboot_required", 0444, false, show_reboot_required },
		{ NULL },
	},
};

const struct node_kind root_kind = {
	.attrs = (const struct attr[]) {
		{ "README", 0444, true, show_readme },
		{ "version", 0444, true, show_version },
		{ NULL },
	},
	.subdirs = (const struct subdir[]) {
		{ "host", &host_kind },
		{ "gpus", &gpus_kind },
		{ "profiles", &profiles_kind },
		{ NULL },
	},
};
