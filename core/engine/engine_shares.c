/* engine_shares.c — tenant shares (tenants/<t>/nodes/<node>/devices/<share>): vGPUs of a
 * provider group reserved for a tenant, and what draws on them. A share reserves at
 * once and makes nothing; the vGPUs are made when a device of one of the tenant's VMs
 * names the share. Only shares on this host reserve here (docs/tree.md, "Shares"). */
#include "engine_internal.h"
#include "util.h"

#include <errno.h>
#include <string.h>

/* ---- accounting ---- */

static bool on_this_host(struct engine *e, const struct share *s)
{
	return !strcmp(s->node, e->host_name);
}

struct share *device_share(struct engine *e, const struct device *d)
{
	const char *owner = tenants_vm_owner(&e->tenants, d->vm_uuid);

	if (!owner[0] || !d->group[0])
		return NULL;
	return shares_find(&e->tenants, owner, e->host_name, d->group);
}

struct group *device_group(struct engine *e, const struct device *d)
{
	const struct share *s;

	if (!tenants_vm_owner(&e->tenants, d->vm_uuid)[0])
		return groups_find(&e->groups, d->group);
	s = device_share(e, d);
	return s ? groups_find(&e->groups, s->form.group) : NULL;
}

/* Whether d draws from s. */
static bool draws_from(struct engine *e, const struct device *d, const struct share *s)
{
	return !strcmp(d->group, s->form.name) && on_this_host(e, s) &&
	       !strcmp(tenants_vm_owner(&e->tenants, d->vm_uuid), s->tenant);
}

unsigned share_used(struct engine *e, const struct share *s)
{
	struct vgpu *vs[64];
	unsigned used = 0;

	for (size_t i = 0; i < e->devices.n; i++)
		if (draws_from(e, &e->devices.items[i], s))
			used += (unsigned)device_vgpus(e, &e->devices.items[i], vs, ARRAY_SIZE(vs));
	return used;
}

/* A device drawing from s, or NULL. */
static const struct device *share_user(struct engine *e, const struct share *s)
{
	for (size_t i = 0; i < e->devices.n; i++)
		if (draws_from(e, &e->devices.items[i], s))
			return &e->devices.items[i];
	return NULL;
}

static unsigned share_unused(struct engine *e, const struct share *s)
{
	unsigned used = share_used(e, s);

	return s->form.count > used ? s->form.count - used : 0;
}

unsigned group_unused_reserve(struct engine *e, const struct group *g,
			      const struct share *except)
{
	unsigned n = 0;

	for (size_t i = 0; i < e->tenants.n_shares; i++) {
		const struct share *s = &e->tenants.shares[i];

		if (s != except && on_this_host(e, s) && !strcmp(s->form.group, g->name))
			n += share_unused(e, s);
	}
	return n;
}

unsigned group_reserved(struct engine *e, const struct group *g)
{
	unsigned n = 0;

	for (size_t i = 0; i < e->tenants.n_shares; i++) {
		const struct share *s = &e->tenants.shares[i];

		if (on_this_host(e, s) && !strcmp(s->form.group, g->name))
			n += s->form.count;
	}
	return n;
}

const struct share *group_share(struct engine *e, const char *group)
{
	for (size_t i = 0; i < e->tenants.n_shares; i++)
		if (!strcmp(e->tenants.shares[i].form.group, group))
			return &e->tenants.shares[i];
	return NULL;
}

void share_path(const struct share *s, char *buf, size_t size)
{
	snprintf(buf, size, "tenants/%s/nodes/%s/devices/%s", s->tenant, s->node, s->form.name);
}

/* ---- the share's options as limits ---- */

/* A device of the share's that its options as want has them would not allow, or NULL. */
static const struct device *user_beyond(struct engine *e, const struct share *s,
					const struct device *want, const char **option)
{
	char limit[32];

	for (size_t i = 0; i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];

		if (draws_from(e, d, s) &&
		    (*option = share_option_beyond(want, d, limit, sizeof(limit))))
			return d;
	}
	return NULL;
}

int check_device_source(struct engine *e, const struct device *d, struct device *want,
			const char *field)
{
	const char *owner = tenants_vm_owner(&e->tenants, d->vm_uuid), *option;
	const struct share *s;
	struct vgpu *vs[64];
	char limit[32];
	unsigned held, others, room;

	if (!owner[0])
		return want->group[0] && !groups_find(&e->groups, want->group) ?
			refuse(e, -ENOENT, "no resource group named \"%s\" (see groups/)",
			       want->group) : 0;
	if (!want->group[0])
		return 0;
	s = shares_find(&e->tenants, owner, e->host_name, want->group);
	if (!s)
		return refuse(e, -ENOENT, "no share named \"%s\" for tenant %s (see "
			      "tenants/%s/shares/)", want->group, owner, owner);
	if (!strcmp(field, "group") && strcmp(d->group, want->group))
		share_defaults(&s->form, want);
	if ((option = share_option_beyond(&s->form, want, limit, sizeof(limit))))
		return refuse(e, -EACCES, "share %s allows %s %s only", s->form.name, option,
			      limit);
	/* what the device holds from the share now stays its own */
	held = strcmp(d->group, want->group) ? 0 :
		(unsigned)device_vgpus(e, d, vs, ARRAY_SIZE(vs));
	others = share_used(e, s) - held;
	room = s->form.count > others ? s->form.count - others : 0;
	if (want->count > room)
		return refuse(e, -ENOSPC, "share %s has %u free vGPUs; this needs %u more",
			      s->form.name, room - held, want->count - held);
	return 0;
}

/* ---- tenants/<t>/nodes/ ---- */

int engine_for_each_tenant_node(struct engine *e, const char *tenant, engine_name_fn fn,
				void *ctx)
{
	LOCK_ENGINE(e);
	int r = tenants_find(&e->tenants, tenant) ? fn(e->host_name, ctx) : -ENOENT;

	for (size_t i = 0; r >= 0 && i < e->tenants.n_nodes; i++) {
		const struct tenant_node *n = &e->tenants.nodes[i];

		if (!strcmp(n->tenant, tenant) && strcmp(n->node, e->host_name))
			r = fn(n->node, ctx);
	}
	return r;
}

static bool node_exists(struct engine *e, const char *tenant, const char *node)
{
	return tenants_find(&e->tenants, tenant) &&
	       (!strcmp(node, e->host_name) || tenant_node_exists(&e->tenants, tenant, node));
}

int engine_tenant_node_exists(struct engine *e, const char *tenant, const char *node)
{
	LOCK_ENGINE(e);
	return node_exists(e, tenant, node) ? 0 : -ENOENT;
}

struct node_row {
	const char *tenant, *node;
};

static int insert_node(struct engine *e, void *arg)
{
	const struct node_row *row = arg;

	return store_tenant_node_insert(&e->store, row->tenant, row->node);
}

static int delete_node(struct engine *e, void *arg)
{
	const struct node_row *row = arg;

	return store_tenant_node_delete(&e->store, row->tenant, row->node);
}

int engine_tenant_node_create(struct engine *e, const char *tenant, const char *node)
{
	LOCK_ENGINE(e);
	struct node_row row = { tenant, node };
	int r;

	if (!tenants_find(&e->tenants, tenant))
		return -ENOENT;
	engine_object(e, "tenants/%s/nodes", tenant);
	if (!value_is_name(node))
		return refuse(e, -EINVAL, "\"%s\" is not a valid node name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", node);
	if (node_exists(e, tenant, node))
		return -EEXIST;
	r = commit_change(e, insert_node, &row);
	if (r >= 0 && (r = tenant_node_add(&e->tenants, tenant, node)) >= 0)
		events_add(&e->events, "%s/%s created", e->object, node);
	return r;
}

int engine_tenant_node_delete(struct engine *e, const char *tenant, const char *node)
{
	LOCK_ENGINE(e);
	struct node_row row = { tenant, node };
	int r;

	if (!node_exists(e, tenant, node))
		return -ENOENT;
	engine_object(e, "tenants/%s/nodes/%s", tenant, node);
	if (!strcmp(node, e->host_name))
		return refuse(e, -EPERM, "%s is this host's own node; it cannot be removed", node);
	for (size_t i = 0; i < e->tenants.n_shares; i++)
		if (!strcmp(e->tenants.shares[i].tenant, tenant) &&
		    !strcmp(e->tenants.shares[i].node, node))
			return refuse(e, -EBUSY, "share %s is on this node; remove it first",
				      e->tenants.shares[i].form.name);
	r = commit_change(e, delete_node, &row);
	if (r < 0)
		return r;
	tenant_node_remove(&e->tenants, tenant, node);
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	return 0;
}

/* ---- tenants/<t>/nodes/<node>/devices/<share> ---- */

int engine_for_each_share(struct engine *e, const char *tenant, const char *node,
			  engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	int r = node_exists(e, tenant, node) ? 0 : -ENOENT;

	for (size_t i = 0; r >= 0 && i < e->tenants.n_shares; i++) {
		const struct share *s = &e->tenants.shares[i];

		if (!strcmp(s->tenant, tenant) && !strcmp(s->node, node))
			r = fn(s->form.name, ctx);
	}
	return r;
}

int engine_share_id(struct engine *e, const char *tenant, const char *node, const char *name)
{
	LOCK_ENGINE(e);
	const struct share *s = shares_find(&e->tenants, tenant, node, name);

	return s ? s->form.id : -ENOENT;
}

static int insert_share(struct engine *e, void *arg)
{
	return store_share_insert(&e->store, arg);
}

static int delete_share(struct engine *e, void *arg)
{
	return store_share_delete(&e->store, arg);
}

static int save_share(struct engine *e, void *arg)
{
	return store_share_save(&e->store, arg);
}

int engine_share_create(struct engine *e, const char *tenant, const char *node,
			const char *name)
{
	LOCK_ENGINE(e);
	struct share row = { 0 };
	int r;

	if (!node_exists(e, tenant, node))
		return -ENOENT;
	engine_object(e, "tenants/%s/nodes/%s/devices", tenant, node);
	if (!value_is_name(name))
		return refuse(e, -EINVAL, "\"%s\" is not a valid share name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", name);
	if (shares_find(&e->tenants, tenant, node, name))
		return -EEXIST;
	str_copy(row.tenant, sizeof(row.tenant), tenant);
	str_copy(row.node, sizeof(row.node), node);
	str_copy(row.form.name, sizeof(row.form.name), name);
	r = commit_change(e, insert_share, &row);
	if (r < 0)
		return r;
	if (!shares_add(&e->tenants, tenant, node, name))
		return -ENOMEM;
	events_add(&e->events, "%s/%s created", e->object, name);
	return 0;
}

/* "vms/<vm>/devices/<dev> holds N vGPUs from this share" into buf. */
static void describe_user(struct engine *e, const struct share *s, const struct device *d,
			  char *buf, size_t size)
{
	char path[OBJECT_MAX];

	device_path(e, d, path, sizeof(path));
	snprintf(buf, size, "%s draws %u vGPUs from this share (%u in all)", path, d->count,
		 share_used(e, s));
}

int engine_share_delete(struct engine *e, const char *tenant, const char *node,
			const char *name)
{
	LOCK_ENGINE(e);
	struct share *s = shares_find(&e->tenants, tenant, node, name);
	const struct device *d;
	char user[OBJECT_MAX + 64];
	int r;

	if (!s)
		return -ENOENT;
	share_path(s, e->object, sizeof(e->object));
	if ((d = share_user(e, s))) {
		describe_user(e, s, d, user, sizeof(user));
		return refuse(e, -EBUSY, "%s; free them first", user);
	}
	r = commit_change(e, delete_share, s);
	if (r < 0)
		return r;
	shares_remove(&e->tenants, s);
	events_forget(&e->events, e->object);
	events_add(&e->events, "%s deleted", e->object);
	return 0;
}

static const char *share_status(struct engine *e, const struct share *s)
{
	const struct group *g = groups_find(&e->groups, s->form.group);
	struct capacity c;

	if (!s->form.group[0])
		return "unassigned";
	if (!on_this_host(e, s))
		return "other-node";
	if (!g || group_capacity(e, g, &c) < 0 ||
	    c.free < group_unused_reserve(e, g, s) + share_unused(e, s))
		return "short";
	return "reserved";
}

int engine_share_get(struct engine *e, const char *tenant, const char *node, const char *name,
		     const char *field, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct share *s = shares_find(&e->tenants, tenant, node, name);
	const struct field *f = field_find(device_fields, field);

	if (!s)
		return -ENOENT;
	if (f) {
		field_format(f, &s->form, buf, size);
		return 0;
	}
	if (!strcmp(field, "status"))
		return str_copy(buf, size, share_status(e, s));
	if (!strcmp(field, "error")) {
		share_path(s, e->object, sizeof(e->object));
		return str_copy(buf, size, events_error(&e->events, e->object));
	}
	return -ENOENT;
}

/* The checks of a share as want would have it: what it names, what its tenant's devices
 * hold from it, and room in the group for what it reserves and they do not use. */
static int check_share(struct engine *e, const struct share *s, const struct share *want)
{
	const struct group *g = groups_find(&e->groups, want->form.group);
	unsigned used = share_used(e, s), need, room;
	const struct device *d = share_user(e, s);
	const char *option;
	char user[OBJECT_MAX + 64];
	struct capacity c;
	int r;

	if (want->form.group[0] && !g)
		return refuse(e, -ENOENT, "no resource group named \"%s\" (see groups/)",
			      want->form.group);
	if (g && !g->profile[0])
		return refuse(e, -EINVAL, "group %s has no profile yet", g->name);
	if (d)
		describe_user(e, s, d, user, sizeof(user));
	if (d && strcmp(want->form.group, s->form.group))
		return refuse(e, -EBUSY, "%s; free them before the share changes group", user);
	if (want->form.count < used)
		return refuse(e, -EBUSY, "%s; count cannot go below %u", user, used);
	if ((d = user_beyond(e, s, &want->form, &option))) {
		device_path(e, d, user, sizeof(user));
		return refuse(e, -EBUSY, "%s has %s beyond what the share would allow; change "
			      "it first", user, option);
	}
	if (!g || !on_this_host(e, s))
		return 0;
	if ((r = group_capacity(e, g, &c)) < 0)
		return refuse(e, r, "cannot read GPU capacity: %s", strerror(-r));
	need = want->form.count - used;
	room = c.free > group_unused_reserve(e, g, s) ? c.free - group_unused_reserve(e, g, s) : 0;
	if (need > room)
		return refuse(e, -ENOSPC, "group %s has %u free %s vGPUs not reserved by other "
			      "shares; this share needs %u more", g->name, room, g->profile, need);
	return 0;
}

int engine_share_set(struct engine *e, const char *tenant, const char *node, const char *name,
		     const char *field, const char *value)
{
	LOCK_ENGINE(e);
	struct share *s = shares_find(&e->tenants, tenant, node, name), want;
	const struct field *f = field_find(device_fields, field);
	char why[MESSAGE_MAX], shown[VALUE_SIZE_MAX + 1];
	int r;

	if (!s || !f)
		return -ENOENT;
	share_path(s, e->object, sizeof(e->object));
	want = *s;
	if (field_parse(f, value, &want.form, why, sizeof(why)) < 0)
		return refuse(e, -EINVAL, "%s", why);
	if (field_equal(f, &s->form, &want.form))
		return 0;
	r = check_share(e, s, &want);
	if (r >= 0)
		r = commit_change(e, save_share, &want);
	if (r < 0)
		return r;
	*s = want;
	field_format(f, &s->form, shown, sizeof(shown));
	events_add(&e->events, "%s/%s = %s", e->object, field, shown);
	return 0;
}

/* ---- tenants/<t>/shares/<share>: the tenant's view of its shares on this host ---- */

int engine_for_each_tenant_share(struct engine *e, const char *tenant, engine_name_fn fn,
				 void *ctx)
{
	LOCK_ENGINE(e);
	int r = tenants_find(&e->tenants, tenant) ? 0 : -ENOENT;

	for (size_t i = 0; r >= 0 && i < e->tenants.n_shares; i++) {
		const struct share *s = &e->tenants.shares[i];

		if (!strcmp(s->tenant, tenant) && on_this_host(e, s))
			r = fn(s->form.name, ctx);
	}
	return r;
}

static int print_count(char *buf, size_t size, unsigned n)
{
	return str_printf(buf, size, "%u", n) < 0 ? -E2BIG : 0;
}

int tenant_share_get(struct engine *e, const struct share *s, const char *field, char *buf,
		     size_t size)
{
	const struct group *g = groups_find(&e->groups, s->form.group);
	unsigned used = share_used(e, s);

	if (!strcmp(field, "group"))
		return str_copy(buf, size, s->form.group);
	if (!strcmp(field, "profile"))
		return str_copy(buf, size, g ? g->profile : "");
	if (!strcmp(field, "vgpus_total"))
		return print_count(buf, size, s->form.count);
	if (!strcmp(field, "vgpus_used"))
		return print_count(buf, size, used);
	if (!strcmp(field, "vgpus_free"))
		return print_count(buf, size, s->form.count > used ? s->form.count - used : 0);
	return -ENOENT;
}

int engine_tenant_share_get(struct engine *e, const char *tenant, const char *name,
			    const char *field, char *buf, size_t size)
{
	LOCK_ENGINE(e);
	const struct share *s = shares_find(&e->tenants, tenant, e->host_name, name);

	return s ? tenant_share_get(e, s, field, buf, size) : -ENOENT;
}
