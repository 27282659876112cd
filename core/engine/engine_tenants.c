/* engine_tenants.c — the tenant half of the engine API (engine.h): tenants/<t>, the VMs
 * they own (vms/<vm>/tenant), their part of the event log, and who administers them
 * (docs/tree.md, "Tenants"). Shares are in engine_shares.c. */
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
	for (size_t i = 0; i < e->tenants.n_owners; i++)
		if (!strcmp(e->tenants.owners[i].tenant, name) &&
		    vm_name_of(e, e->tenants.owners[i].uuid, buf, size) >= 0 && buf[0])
			return true;
	return false;
}

static const struct share *tenant_share(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->tenants.n_shares; i++)
		if (!strcmp(e->tenants.shares[i].tenant, name))
			return &e->tenants.shares[i];
	return NULL;
}

int engine_tenant_delete(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	struct tenant *t = tenants_find(&e->tenants, name);
	const struct share *s;
	char vm[OBJECT_MAX];
	int r;

	if (!t)
		return -ENOENT;
	engine_object(e, "tenants/%s", name);
	if (tenant_owns_vm(e, name, vm, sizeof(vm)))
		return refuse(e, -EBUSY, "tenant %s owns VM %s; write \"\" to vms/%s/tenant first",
			      name, vm, vm);
	if ((s = tenant_share(e, name))) {
		share_path(s, vm, sizeof(vm));
		return refuse(e, -EBUSY, "tenant %s holds the share %s; remove it first", name, vm);
	}
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
	want.log = t->log; /* a refusal may have added to it since the copy */
	*t = want;
	field_format(f, t, shown, sizeof(shown));
	events_add(&e->events, "%s/%s = %s", e->object, field, shown);
	return 0;
}

int engine_for_each_tenant_vm(struct engine *e, const char *name, engine_name_fn fn,
			      void *ctx)
{
	LOCK_ENGINE(e);
	char vm[256];
	int r = tenants_find(&e->tenants, name) ? 0 : -ENOENT;

	for (size_t i = 0; r >= 0 && i < e->tenants.n_owners; i++)
		if (!strcmp(e->tenants.owners[i].tenant, name) &&
		    vm_name_of(e, e->tenants.owners[i].uuid, vm, sizeof(vm)) >= 0 && vm[0])
			r = fn(vm, ctx);
	return r;
}

/* ---- tenants/<t>/events: the tenant's lines of the host-wide log ---- */

/* The length of the longest known VM name (or UUID) that text starts with as a whole
 * path component, and its UUID; 0 when none. */
static size_t vm_prefix(struct engine *e, const char *text, const char **uuid)
{
	size_t best = 0;

	for (size_t i = 0; i < e->n_vm_names; i++) {
		const struct vm_name *v = &e->vm_names[i];
		const char *names[] = { v->name, v->uuid };

		for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
			size_t n = strlen(names[k]);

			if (n > best && !strncmp(text, names[k], n) && strchr("/: \n", text[n])) {
				best = n;
				*uuid = v->uuid;
			}
		}
	}
	return best;
}

/* The tenant a line of the log is about: its object's owner, for "tenants/<t>…",
 * "vms/<vm>…" and "vgpus/<uuid>…"; NULL for the provider's. */
static struct tenant *line_tenant(struct engine *e, const char *line)
{
	const char *text = strchr(line, ' '), *uuid = NULL;
	char name[NAME_MAX_LEN + 1];
	const struct vgpu *v;

	if (!text++)
		return NULL;
	if (!strncmp(text, "tenants/", 8)) {
		text += 8;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(text, "/: \n"), text);
		return tenants_find(&e->tenants, name);
	}
	if (!strncmp(text, "vms/", 4) && vm_prefix(e, text + 4, &uuid))
		return tenants_find(&e->tenants, tenants_vm_owner(&e->tenants, uuid));
	if (!strncmp(text, "vgpus/", 6)) {
		snprintf(name, sizeof(name), "%.36s", text + 6);
		v = devices_find_vgpu(&e->devices, name);
		return v ? tenants_find(&e->tenants, tenants_vm_owner(&e->tenants, v->vm_uuid)) :
			   NULL;
	}
	return NULL;
}

void tenant_log_copy(void *ctx, const char *line, size_t len)
{
	struct tenant *t = line_tenant(ctx, line);

	if (t)
		events_append(&t->log, line, len);
}

long long engine_tenant_events_size(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	const struct tenant *t = tenants_find(&e->tenants, name);

	return t ? events_size(&t->log) : 0;
}

size_t engine_tenant_events_read(struct engine *e, const char *name, long long offset,
				 char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct tenant *t = tenants_find(&e->tenants, name);

	return t ? events_read(&t->log, offset, buf, size) : 0;
}

/* ---- who may reach what ---- */

int engine_may_reach(struct engine *e, const struct caller *c, enum tree_part part,
		     const char *owner)
{
	if (c->uid == 0 || part == PART_CATALOGUE)
		return 0;
	LOCK_ENGINE(e);
	return tenants_reach(&e->tenants, c, part, owner);
}

int engine_vm_owner(struct engine *e, const char *vm, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	char uuid[UUID_STR_LEN];
	int r = vm_resolve(e, vm, uuid);

	return r < 0 ? r : str_copy(buf, size, tenants_vm_owner(&e->tenants, uuid));
}

int engine_vgpu_owner(struct engine *e, const char *uuid, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct vgpu *v = devices_find_vgpu(&e->devices, uuid);

	return str_copy(buf, size, v ? tenants_vm_owner(&e->tenants, v->vm_uuid) : "");
}

int engine_tenant_admins(struct engine *e, const char *tenant, uid_t *uid, gid_t *gid,
			 bool *has_gid)
{
	LOCK_ENGINE(e);
	const struct tenant *t = tenants_find(&e->tenants, tenant);
	unsigned id = 0;

	if (!t)
		return -ENOENT;
	*uid = t->admin_uid[0] && value_parse_uint(t->admin_uid, 1, 0x7ffffffe, &id) >= 0 ?
		(uid_t)id : 0;
	id = 0;
	*has_gid = t->admin_gid[0] && value_parse_uint(t->admin_gid, 1, 0x7ffffffe, &id) >= 0;
	*gid = (gid_t)id;
	return 0;
}
