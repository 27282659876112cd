/* kind_tenants.c — tenants/<tenant>/ (mkdir/rmdir): a tenant's settings, the VMs it owns
 * (vms/, links to vms/<vm>), its shares (nodes/<node>/devices/<share>/, made by root;
 * shares/<share>/, its view of those on this host) and its events. Every attribute is
 * the engine field of the same name. */
#include "kinds.h"

#include <errno.h>
#include <stdio.h>

static int show_tenant(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_tenant_get(n->engine, n->key[0], a->name, value, sizeof(value));

	return show_value(out, r, value);
}

static int store_tenant(const struct node *n, const struct attr *a, const char *value)
{
	return engine_tenant_set(n->engine, n->key[0], a->name, value);
}

/* ---- vms/: links to the VMs the tenant owns ---- */

static int tenant_vm_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_tenant_vm(n->engine, n->key[0], fn, ctx);
}

static int tenant_vm_exists(const struct node *n, const char *name)
{
	return listed(n, tenant_vm_list, name);
}

static int tenant_vm_link(const struct node *n, const char *name, char *buf, size_t size)
{
	(void)n;
	return snprintf(buf, size, "../../../vms/%s", name) >= (int)size ? -ENAMETOOLONG : 0;
}

static const struct node_kind tenant_vms_kind = {
	.list = tenant_vm_list,
	.exists = tenant_vm_exists,
	.readlink = tenant_vm_link,
};

/* ---- nodes/<node>/devices/<share>: key[0] tenant, key[1] node, key[2] share ---- */

static int show_share(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_share_get(n->engine, n->key[0], n->key[1], n->key[2], a->name, value,
				 sizeof(value));

	return show_value(out, r, value);
}

static int store_share(const struct node *n, const struct attr *a, const char *value)
{
	return engine_share_set(n->engine, n->key[0], n->key[1], n->key[2], a->name, value);
}

static const struct node_kind share_kind = {
	.attrs = (const struct attr[]) {
		{ "status", 0444, false, show_share },
		{ "error", 0444, false, show_share },
		{ NULL },
	},
	.fields = device_fields,
	.show_field = show_share,
	.store_field = store_share,
};

static int share_exists(const struct node *n, const char *name)
{
	return engine_share_id(n->engine, n->key[0], n->key[1], name);
}

static int share_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_share(n->engine, n->key[0], n->key[1], fn, ctx);
}

static int share_mkdir(const struct node *n, const char *name)
{
	return engine_share_create(n->engine, n->key[0], n->key[1], name);
}

static int share_rmdir(const struct node *n, const char *name)
{
	return engine_share_delete(n->engine, n->key[0], n->key[1], name);
}

static const struct node_kind shares_kind = {
	.entry_kind = &share_kind,
	.list = share_list,
	.exists = share_exists,
	.mkdir = share_mkdir,
	.rmdir = share_rmdir,
};

static const struct node_kind tenant_node_kind = {
	.subdirs = (const struct subdir[]) {
		{ "devices", &shares_kind },
		{ NULL },
	},
};

static int node_exists(const struct node *n, const char *name)
{
	return engine_tenant_node_exists(n->engine, n->key[0], name);
}

static int node_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_tenant_node(n->engine, n->key[0], fn, ctx);
}

static int node_mkdir(const struct node *n, const char *name)
{
	return engine_tenant_node_create(n->engine, n->key[0], name);
}

static int node_rmdir(const struct node *n, const char *name)
{
	return engine_tenant_node_delete(n->engine, n->key[0], name);
}

static const struct node_kind tenant_nodes_kind = {
	.entry_kind = &tenant_node_kind,
	.list = node_list,
	.exists = node_exists,
	.mkdir = node_mkdir,
	.rmdir = node_rmdir,
};

/* ---- shares/<share>: key[0] tenant, key[1] share ---- */

static int show_tenant_share(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_tenant_share_get(n->engine, n->key[0], n->key[1], a->name, value,
					sizeof(value));

	return show_value(out, r, value);
}

static const struct node_kind tenant_share_kind = {
	.attrs = (const struct attr[]) {
		{ "group", 0444, false, show_tenant_share },
		{ "profile", 0444, false, show_tenant_share },
		{ "vgpus_total", 0444, false, show_tenant_share },
		{ "vgpus_used", 0444, false, show_tenant_share },
		{ "vgpus_free", 0444, false, show_tenant_share },
		{ NULL },
	},
};

static int tenant_share_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_tenant_share(n->engine, n->key[0], fn, ctx);
}

static int tenant_share_exists(const struct node *n, const char *name)
{
	return listed(n, tenant_share_list, name);
}

static const struct node_kind tenant_shares_kind = {
	.entry_kind = &tenant_share_kind,
	.list = tenant_share_list,
	.exists = tenant_share_exists,
};

/* ---- events ---- */

static long long events_size(const struct node *n)
{
	return engine_tenant_events_size(n->engine, n->key[0]);
}

static size_t events_read(const struct node *n, char *buf, size_t size, long long offset)
{
	return engine_tenant_events_read(n->engine, n->key[0], offset, buf, size);
}

/* ---- tenants/ ---- */

static int tenant_exists(const struct node *n, const char *name)
{
	return engine_tenant_id(n->engine, name);
}

static int tenant_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_tenant(n->engine, fn, ctx);
}

static int tenant_mkdir(const struct node *n, const char *name)
{
	return engine_tenant_create(n->engine, name);
}

static int tenant_rmdir(const struct node *n, const char *name)
{
	return engine_tenant_delete(n->engine, name);
}

static int tenant_owner(const struct node *n, const char *name, char *buf, size_t size)
{
	(void)n;
	return snprintf(buf, size, "%s", name) >= (int)size ? -ENAMETOOLONG : 0;
}

static const struct node_kind tenant_kind = {
	.attrs = (const struct attr[]) {
		{ "error", 0444, false, show_tenant },
		{ "events", 0444, false, .size = events_size, .read_at = events_read },
		{ NULL },
	},
	.fields = tenant_fields,
	.show_field = show_tenant,
	.store_field = store_tenant,
	.subdirs = (const struct subdir[]) {
		{ "vms", &tenant_vms_kind },
		{ "nodes", &tenant_nodes_kind },
		{ "shares", &tenant_shares_kind },
		{ NULL },
	},
};

const struct node_kind tenants_kind = {
	.entry_kind = &tenant_kind,
	.list = tenant_list,
	.exists = tenant_exists,
	.mkdir = tenant_mkdir,
	.rmdir = tenant_rmdir,
	.owner = tenant_owner,
};
