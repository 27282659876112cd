/* kind_gpus.c — gpus/<bdf>/ and gpus/<bdf>/types/<profile>/: the physical GPUs and the
 * vGPU types each offers. Identity and catalogue values are constant; usage and
 * capacity are read live from the engine on every open. */
#include "kinds.h"

#include <errno.h>

static int show_hex(struct text *out, unsigned value, int digits)
{
	return text_printf(out, "0x%0*x\n", digits, value);
}

static int gpu_exists(const struct node *n, const char *bdf)
{
	struct gpu_info g;

	return engine_gpu_info(n->engine, bdf, &g);
}

static int gpu_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_gpu(n->engine, fn, ctx);
}

/* One show function per gpu_info field: key[0] is the BDF. */
#define GPU_FIELD(field, ...)                                                      \
	static int show_gpu_##field(const struct node *n, const struct attr *a,   \
				  struct text *out)                        \
	{                                                                          \
		(void)a;                                                           \
		struct gpu_info g;                                                 \
		int r = engine_gpu_info(n->engine, n->key[0], &g);                 \
		return r < 0 ? r : __VA_ARGS__;                                    \
	}

GPU_FIELD(name, text_printf(out, "%s\n", g.name))
GPU_FIELD(vendor, show_hex(out, g.vendor, 4))
GPU_FIELD(device, show_hex(out, g.device, 4))
GPU_FIELD(subsystem_vendor, show_hex(out, g.subsystem_vendor, 4))
GPU_FIELD(subsystem_device, show_hex(out, g.subsystem_device, 4))
GPU_FIELD(class, show_hex(out, g.class_code, 6))
GPU_FIELD(numa_node, text_printf(out, "%d\n", g.numa_node))
GPU_FIELD(iommu_group, text_printf(out, "%s\n", g.iommu_group))
GPU_FIELD(kernel_driver, text_printf(out, "%s\n", g.kernel_driver))
GPU_FIELD(mode, text_printf(out, "%s\n", g.mode))
GPU_FIELD(state, text_printf(out, "%s\n", g.present ? "present" : "gone"))

#define USAGE_FIELD(field, fmt)                                                    \
	static int show_gpu_##field(const struct node *n, const struct attr *a,   \
				  struct text *out)                        \
	{                                                                          \
		(void)a;                                                           \
		struct gpu_usage_info u;                                           \
		int r = engine_gpu_usage(n->engine, n->key[0], &u);                \
		return r < 0 ? r : text_printf(out, fmt "\n", u.field);            \
	}

USAGE_FIELD(profile, "%s")
USAGE_FIELD(vgpus_used, "%u")
USAGE_FIELD(vgpus_max, "%u")

static int show_gpu_group(const struct node *n, const struct attr *a, struct text *out)
{
	char group[128];
	int r = engine_gpu_group(n->engine, n->key[0], group, sizeof(group));

	(void)a;
	return show_value(out, r, group);
}

static int store_gpu_group(const struct node *n, const struct attr *a, const char *value)
{
	(void)a;
	return engine_gpu_set_group(n->engine, n->key[0], value);
}

static int type_exists(const struct node *n, const char *profile)
{
	return engine_gpu_type(n->engine, n->key[0], profile, NULL);
}

static int type_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_gpu_type(n->engine, n->key[0], fn, ctx);
}

/* One show function per vgpu_type field: key[0] is the BDF, key[1] the profile. */
#define TYPE_FIELD(field, fmt)                                                     \
	static int show_type_##field(const struct node *n, const struct attr *a,   \
				  struct text *out)                        \
	{                                                                          \
		(void)a;                                                           \
		struct vgpu_type t;                                                \
		int r = engine_gpu_type(n->engine, n->key[0], n->key[1], &t);      \
		return r < 0 ? r : text_printf(out, fmt "\n", t.field);            \
	}

TYPE_FIELD(type_id, "%s")
TYPE_FIELD(name, "%s")
TYPE_FIELD(framebuffer_mib, "%u")
TYPE_FIELD(heads, "%u")
TYPE_FIELD(frl, "%u")
TYPE_FIELD(max_resolution, "%s")
TYPE_FIELD(series, "%s")

static int show_type_available(const struct node *n, const struct attr *a,
			       struct text *out)
{
	(void)a;
	int r = engine_gpu_type_available(n->engine, n->key[0], n->key[1]);

	return r < 0 ? r : text_printf(out, "%d\n", r);
}

/* Live: on vfio-sriov GPUs the maximum is learned from capacity readings. */
static int show_type_max_instances(const struct node *n, const struct attr *a,
				   struct text *out)
{
	struct vgpu_type t;

	(void)a;
	int r = engine_gpu_type_available(n->engine, n->key[0], n->key[1]);

	if (r >= 0)
		r = engine_gpu_type(n->engine, n->key[0], n->key[1], &t);
	return r < 0 ? r : text_printf(out, "%u\n", t.max_instances);
}

static const struct node_kind type_kind = {
	.attrs = (const struct attr[]) {
		{ "type_id", 0444, true, show_type_type_id },
		{ "name", 0444, true, show_type_name },
		{ "framebuffer_mib", 0444, true, show_type_framebuffer_mib },
		{ "heads", 0444, true, show_type_heads },
		{ "frl", 0444, true, show_type_frl },
		{ "max_resolution", 0444, true, show_type_max_resolution },
		{ "series", 0444, true, show_type_series },
		{ "max_instances", 0444, false, show_type_max_instances },
		{ "available", 0444, false, show_type_available },
		{ NULL },
	},
};

static const struct node_kind types_kind = {
	.entry_kind = &type_kind,
	.list = type_list,
	.exists = type_exists,
};

static const struct node_kind gpu_kind = {
	.attrs = (const struct attr[]) {
		{ "name", 0444, true, show_gpu_name },
		{ "vendor", 0444, true, show_gpu_vendor },
		{ "device", 0444, true, show_gpu_device },
		{ "subsystem_vendor", 0444, true, show_gpu_subsystem_vendor },
		{ "subsystem_device", 0444, true, show_gpu_subsystem_device },
		{ "class", 0444, true, show_gpu_class },
		{ "numa_node", 0444, true, show_gpu_numa_node },
		{ "iommu_group", 0444, true, show_gpu_iommu_group },
		{ "kernel_driver", 0444, true, show_gpu_kernel_driver },
		{ "mode", 0444, true, show_gpu_mode },
		{ "state", 0444, false, show_gpu_state },
		{ "profile", 0444, false, show_gpu_profile },
		{ "vgpus_used", 0444, false, show_gpu_vgpus_used },
		{ "vgpus_max", 0444, false, show_gpu_vgpus_max },
		{ "group", 0644, false, show_gpu_group, store_gpu_group },
		{ "error", 0444, false, show_error },
		{ NULL },
	},
	.subdirs = (const struct subdir[]) {
		{ "types", &types_kind },
		{ "vgpus", &gpu_vgpus_kind },
		{ NULL },
	},
};

const struct node_kind gpus_kind = {
	.entry_kind = &gpu_kind,
	.list = gpu_list,
	.exists = gpu_exists,
};
