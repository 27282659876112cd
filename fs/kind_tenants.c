/* kind_tenants.c — tenants/<tenant>/ (mkdir/rmdir): a tenant's settings and the VMs it
 * owns (vms/, links to vms/<vm>). Every attribute is the engine field of the same name. */
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

static const struct node_kind tenant_kind = {
	.attrs = (const struct attr[]) {
		{ "error", 0444, false, show_tenant },
		{ NULL },
	},
	.fields = tenant_fields,
	.show_field = show_tenant,
	.store_field = store_tenant,
	.subdirs = (const struct subdir[]) {
		{ "vms", &tenant_vms_kind },
		{ NULL },
	},
};

const struct node_kind tenants_kind = {
	.entry_kind = &tenant_kind,
	.list = tenant_list,
	.exists = tenant_exists,
	.mkdir = tenant_mkdir,
	.rmdir = tenant_rmdir,
};
