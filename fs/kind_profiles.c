/* kind_profiles.c — profiles/<profile>/: the catalogue of every vGPU profile offered on
 * this host, merged over the GPUs that offer it, with live summed capacity. */
#include "kinds.h"

static int profile_exists(const struct node *n, const char *profile)
{
	struct profile_info p;

	return engine_profile_info(n->engine, profile, &p);
}

static int profile_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_profile(n->engine, fn, ctx);
}

/* key[0] is the profile. The catalogue fields merge GPUs; only `available` reads sysfs. */
#define PROFILE_FIELD(field, ...)                                                  \
	static int show_profile_##field(const struct node *n, const struct attr *a,   \
				      struct text *out)                    \
	{                                                                          \
		(void)a;                                                           \
		struct profile_info p;                                             \
		int r = engine_profile_info(n->engine, n->key[0], &p);             \
		return r < 0 ? r : __VA_ARGS__;                                    \
	}

PROFILE_FIELD(framebuffer_mib, text_printf(out, "%u\n", p.type.framebuffer_mib))
PROFILE_FIELD(series, text_printf(out, "%s\n", p.type.series))
PROFILE_FIELD(heads, text_printf(out, "%u\n", p.type.heads))
PROFILE_FIELD(max_instances, text_printf(out, "%u\n", p.type.max_instances))
PROFILE_FIELD(max_resolution, text_printf(out, "%s\n", p.type.max_resolution))
PROFILE_FIELD(frl, text_printf(out, "%u\n", p.type.frl))
PROFILE_FIELD(gpus, text_printf(out, "%s", p.gpus))

static int show_profile_available(const struct node *n, const struct attr *a, struct text *out)
{
	int r = engine_profile_available(n->engine, n->key[0]);

	(void)a;
	return r < 0 ? r : text_printf(out, "%d\n", r);
}

static const struct node_kind profile_kind = {
	.attrs = (const struct attr[]) {
		{ "framebuffer_mib", 0444, false, show_profile_framebuffer_mib },
		{ "series", 0444, false, show_profile_series },
		{ "heads", 0444, false, show_profile_heads },
		{ "max_instances", 0444, false, show_profile_max_instances },
		{ "max_resolution", 0444, false, show_profile_max_resolution },
		{ "frl", 0444, false, show_profile_frl },
		{ "gpus", 0444, false, show_profile_gpus },
		{ "available", 0444, false, show_profile_available },
		{ NULL },
	},
};

const struct node_kind profiles_kind = {
	.entry_kind = &profile_kind,
	.list = profile_list,
	.exists = profile_exists,
};
