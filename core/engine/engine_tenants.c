/* engine_tenants.c — the tenant half of the engine API (engine.h): tenants/<t> and the
 * VMs they own (vms/<vm>/tenant). Shares of vGPUs and who may do what come next
 * (docs/tree.md, "Tenants"). */
#include "engine_internal.h"
#include "util.h"

#include <errno.h>
#include <string.h>

int engine_for_each_tenant(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	for (size_t i = 0; i < e->tenants.n; i++) {
		int r = fn(e->tenants.items[i].name, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_tenant_id(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	const struct tenant *t = tenants_find(&e->tenants, name);

	return t ? t->id : -ENOENT;
}

static int insert_tenant(struct engine *e, void *arg)
{
	return store_tenant_insert(&e->store, arg);
}

static int delete_tenant(struct engine *e, void *arg)
{
	return store_tenant_delete(&e->store, arg);
}

static int save_tenant(struct engine *e, void *arg)
{
	return store_tenant_save(&e->store, arg);
}

int engine_tenant_create(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	int r;

	engine_object(e, "tenants");
	if (!value_is_name(name))
		return refuse(e, -EINVAL, "\"%s\" is not a valid tenant name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", name);
	engine_object(e, "tenants/%s", name);
	if (tenants_find(&e->tenants, name))
		return refuse(e, -EEXIST, "tenant %s already exists", name);
	r = commit_change(e, insert_tenant, (void *)name);
	if (r < 0)
		return r;
	if (!tenants_add(&e->tenants, name))
		return -ENOMEM;
	events_add(&e->events, "%s created", e->object);
	return 0;
}

/* The first VM the tenant owns, by name into buf; false when it owns none (a domain
 * libvirt no longer has is owned by nobody). */
static bool tenant_owns_vm(struct engine *e, const char *name, char *buf, size_t size)
{
	char uuids[16384];

	if (store_tenant_vms(&e->store, name, uuids, sizeof(uuids)) < 0)
		return str_copy(buf, size, "(unreadable)"), true; /* cannot tell: keep it */
	for (char *u = uuids, *nl; (nl = strchr(u, '\n')); u = nl + 1) {
		*nl = '\0';
		if (vm_name_of(e, u, buf, size) >= 0 && buf[0])
			return true;
	}
	return false;
}

int engine_tenant_delete(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	struct tenant *t = tenants_find(&e->tenants, name);
	char vm[256];
	int r;

	if (!t)
		return -ENOENT;
	engine_object(e, "tenants/%s", name);
	if (tenant_owns_vm(e, name, vm, sizeof(vm)))
		return refuse(e, -EBUSY, "tenant %s owns VM %s; write \"\" to vms/%s/tenant first",
			      name, vm, vm);
	r = commit_change(e, delete_tenant, (void *)name);
	if (r < 0)
		return r;
	tenants_remove(&e->tenants, t);
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	return 0;
}

int engine_tenant_get(struct engine *e, const char *name, const char *field, char *buf,
		      size_t size)
{
	LOCK_ENGINE(e);
	const struct tenant *t = tenants_find(&e->tenants, name);
	const struct field *f = field_find(tenant_fields, field);

	if (!t)
		return -ENOENT;
	if (f) {
		field_format(f, t, buf, size);
		return 0;
	}
	if (!strcmp(field, "error")) {
		engine_object(e, "tenants/%s", name);
		return str_copy(buf, size, events_error(&e->events, e->object));
	}
	return -ENOENT;
}

/* admin_uid/admin_gid hold numbers: a name in want is resolved now, and an unknown one
 * refused. Other fields pass. */
static int resolve_admin(struct engine *e, const char *field, struct tenant *want)
{
	bool group = !strcmp(field, "admin_gid");
	char *value = group ? want->admin_gid : want->admin_uid, id[16];
	size_t size = group ? sizeof(want->admin_gid) : sizeof(want->admin_uid);
	int r;

	if (!group && strcmp(field, "admin_uid"))
		return 0;
	r = tenant_resolve_id(value, group, id, sizeof(id));
	if (r == -ENOENT)
		return refuse(e, r, "%s: no %s named \"%s\" on this host", field,
			      group ? "group" : "user", value);
	if (r < 0)
		return refuse(e, -EINVAL, "%s: \"%s\" is not a %s other than root's (0)", field,
			      value, group ? "gid" : "uid");
	return str_copy(value, size, id);
}

int engine_tenant_set(struct engine *e, const char *name, const char *field,
		      const char *value)
{
	LOCK_ENGINE(e);
	struct tenant *t = tenants_find(&e->tenants, name);
	const struct field *f = field_find(tenant_fields, field);
	char why[MESSAGE_MAX], shown[VALUE_SIZE_MAX + 1];
	struct tenant want;
	int r;

	if (!t || !f)
		return -ENOENT;
	engine_object(e, "tenants/%s", name);
	want = *t;
	if (field_parse(f, value, &want, why, sizeof(why)) < 0)
		return refuse(e, -EINVAL, "%s", why);
	r = resolve_admin(e, field, &want);
	if (r < 0 || field_equal(f, t, &want))
		return r < 0 ? r : 0;
	r = commit_change(e, save_tenant, &want);
	if (r < 0)
		return r;
	*t = want;
	field_format(f, t, shown, sizeof(shown));
	events_add(&e->events, "%s/%s = %s", e->object, field, shown);
	return 0;
}

int engine_for_each_tenant_vm(struct engine *e, const char *name, engine_name_fn fn,
			      void *ctx)
{
	LOCK_ENGINE(e);
	char uuids[16384], vm[256];
	int r;

	if (!tenants_find(&e->tenants, name))
		return -ENOENT;
	r = store_tenant_vms(&e->store, name, uuids, sizeof(uuids));
	for (char *u = uuids, *nl; r >= 0 && (nl = strchr(u, '\n')); u = nl + 1) {
		*nl = '\0';
		if (vm_name_of(e, u, vm, sizeof(vm)) >= 0 && vm[0])
			r = fn(vm, ctx);
	}
	return r;
}
