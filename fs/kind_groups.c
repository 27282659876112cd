/* kind_groups.c — groups/<group>/ and groups/<group>/rules/<rule>/: vGPU resource groups
 * (mkdir/rmdir), their settings and the rules that select their GPUs. Every attribute is
 * the engine field of the same name. */
#include "kinds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int show_group(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_group_get(n->engine, n->key[0], a->name, value, sizeof(value));

	return show_value(out, r, value);
}

static int show_group_list(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_group_get(n->engine, n->key[0], a->name, value, sizeof(value));

	return show_list(out, r, value);
}

static int store_group(const struct node *n, const struct attr *a, const char *value)
{
	return engine_group_set(n->engine, n->key[0], a->name, value);
}

static int show_rule(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_rule_get(n->engine, n->key[0], n->key[1], a->name, value, sizeof(value));

	return show_value(out, r, value);
}

static int show_rule_list(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_rule_get(n->engine, n->key[0], n->key[1], a->name, value, sizeof(value));

	return show_list(out, r, value);
}

static int store_rule(const struct node *n, const struct attr *a, const char *value)
{
	return engine_rule_set(n->engine, n->key[0], n->key[1], a->name, value);
}

/* ---- rules/ ---- */

static int rule_exists(const struct node *n, const char *name)
{
	return engine_rule_id(n->engine, n->key[0], name);
}

static int rule_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_rule(n->engine, n->key[0], fn, ctx);
}

static int rule_mkdir(const struct node *n, const char *name)
{
	return engine_rule_create(n->engine, n->key[0], name);
}

static int rule_rmdir(const struct node *n, const char *name)
{
	return engine_rule_delete(n->engine, n->key[0], name);
}

static const struct node_kind rule_kind = {
	.attrs = (const struct attr[]) {
		{ "gpus", 0444, false, show_rule_list },
		{ "status", 0444, false, show_rule },
		{ "accept_hardware", 0200, false, NULL, store_rule },
		{ "error", 0444, false, show_rule },
		{ NULL },
	},
	.fields = rule_fields,
	.show_field = show_rule,
	.store_field = store_rule,
};

static const struct node_kind rules_kind = {
	.entry_kind = &rule_kind,
	.list = rule_list,
	.exists = rule_exists,
	.mkdir = rule_mkdir,
	.rmdir = rule_rmdir,
};

/* ---- profiles/: links to the catalogue entries the group would accept ---- */

static int accepted_profile_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_group_profile(n->engine, n->key[0], fn, ctx);
}

static int accepted_profile_exists(const struct node *n, const char *name)
{
	return listed(n, accepted_profile_list, name);
}

static int accepted_profile_link(const struct node *n, const char *name, char *buf,
				 size_t size)
{
	(void)n;
	return snprintf(buf, size, "../../../profiles/%s", name) >= (int)size ? -ENAMETOOLONG : 0;
}

static const struct node_kind group_profiles_kind = {
	.list = accepted_profile_list,
	.exists = accepted_profile_exists,
	.readlink = accepted_profile_link,
};

/* ---- groups/ ---- */

static int group_exists(const struct node *n, const char *name)
{
	return engine_group_id(n->engine, name);
}

static int group_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_group(n->engine, fn, ctx);
}

static int group_mkdir(const struct node *n, const char *name)
{
	return engine_group_create(n->engine, name);
}

static int group_rmdir(const struct node *n, const char *name)
{
	return engine_group_delete(n->engine, name);
}

static const struct node_kind group_kind = {
	.attrs = (const struct attr[]) {
		{ "type", 0444, true, show_group },
		{ "status", 0444, false, show_group },
		{ "gpus", 0444, false, show_group_list },
		{ "vgpus_total", 0444, false, show_group },
		{ "vgpus_used", 0444, false, show_group },
		{ "vgpus_free", 0444, false, show_group },
		{ "vgpus_reserved", 0444, false, show_group },
		{ "iso_status", 0444, false, show_group },
		{ "iso_error", 0444, false, show_group },
		{ "error", 0444, false, show_group },
		{ NULL },
	},
	.fields = group_fields,
	.show_field = show_group,
	.store_field = store_group,
	.subdirs = (const struct subdir[]) {
		{ "rules", &rules_kind },
		{ "profiles", &group_profiles_kind },
		{ "devices", &group_devices_kind },
		{ NULL },
	},
};

const struct node_kind groups_kind = {
	.entry_kind = &group_kind,
	.list = group_list,
	.exists = group_exists,
	.mkdir = group_mkdir,
	.rmdir = group_rmdir,
};
