/* tenants.c — see tenants.h. */
#include "tenants.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A uid or gid, or a user or group name (POSIX portable names): the engine resolves a
 * name; syntax alone is checked here. */
static int parse_id(const char *value, char *out, size_t size)
{
	size_t n = strlen(value);

	if (n && (n > 32 || strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789._-") != n || value[0] == '-'))
		return -EINVAL;
	return str_copy(out, size, value);
}

const struct field tenant_fields[] = {
	FIELD_OF(struct tenant, description, .type = FIELD_TEXT),
	FIELD_OF(struct tenant, admin_uid, .type = FIELD_CUSTOM, .parse = parse_id,
		 .expects = "\"\", a uid or a user name"),
	FIELD_OF(struct tenant, admin_gid, .type = FIELD_CUSTOM, .parse = parse_id,
		 .expects = "\"\", a gid or a group name"),
	{ NULL },
};

int tenant_resolve_id(const char *value, bool group, char *out, size_t size)
{
	unsigned id;

	if (!value[0])
		return str_copy(out, size, "");
	if (strspn(value, "0123456789") == strlen(value)) {
		if (value_parse_uint(value, 1, 0x7ffffffe, &id) < 0)
			return -EINVAL;
	} else if (group) {
		struct group *g = getgrnam(value);

		if (!g)
			return -ENOENT;
		id = (unsigned)g->gr_gid;
	} else {
		struct passwd *p = getpwnam(value);

		if (!p)
			return -ENOENT;
		id = (unsigned)p->pw_uid;
	}
	if (id == 0)
		return -EINVAL;
	return str_printf(out, size, "%u", id);
}

void tenants_free(struct tenants *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		events_free(&ts->items[i].log);
	free(ts->items);
	free(ts->shares);
	free(ts->nodes);
	free(ts->owners);
	memset(ts, 0, sizeof(*ts));
}

struct tenant *tenants_find(struct tenants *ts, const char *name)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!strcmp(ts->items[i].name, name))
			return &ts->items[i];
	return NULL;
}

struct tenant *tenants_add(struct tenants *ts, const char *name)
{
	struct tenant *grown = realloc(ts->items, (ts->n + 1) * sizeof(*ts->items)), *t;

	if (!grown)
		return NULL;
	ts->items = grown;
	t = memset(&grown[ts->n++], 0, sizeof(*t));
	t->id = object_id_next();
	str_copy(t->name, sizeof(t->name), name);
	fields_init(tenant_fields, t);
	return t;
}

void tenants_remove(struct tenants *ts, struct tenant *t)
{
	size_t i = (size_t)(t - ts->items);

	assert(t >= ts->items && i < ts->n);
	events_free(&t->log);
	memmove(t, t + 1, (ts->n - i - 1) * sizeof(*t));
	ts->n--;
}

/* Grows an array by one zeroed element; NULL when out of memory. */
static void *grow(void *items, size_t *n, size_t size)
{
	char *grown = realloc(items, (*n + 1) * size);

	if (!grown)
		return NULL;
	memset(grown + *n * size, 0, size);
	(*n)++;
	return grown;
}

struct share *shares_find(struct tenants *ts, const char *tenant, const char *node,
			  const char *name)
{
	for (size_t i = 0; i < ts->n_shares; i++) {
		struct share *s = &ts->shares[i];

		if (!strcmp(s->tenant, tenant) && !strcmp(s->node, node) &&
		    !strcmp(s->form.name, name))
			return s;
	}
	return NULL;
}

struct share *shares_add(struct tenants *ts, const char *tenant, const char *node,
			 const char *name)
{
	struct share *grown, *s;

	assert(!shares_find(ts, tenant, node, name));
	grown = grow(ts->shares, &ts->n_shares, sizeof(*grown));
	if (!grown)
		return NULL;
	ts->shares = grown;
	s = &grown[ts->n_shares - 1];
	s->form.id = object_id_next();
	str_copy(s->form.name, sizeof(s->form.name), name);
	str_copy(s->tenant, sizeof(s->tenant), tenant);
	str_copy(s->node, sizeof(s->node), node);
	fields_init(device_fields, &s->form);
	return s;
}

void shares_remove(struct tenants *ts, struct share *s)
{
	size_t i = (size_t)(s - ts->shares);

	assert(s >= ts->shares && i < ts->n_shares);
	memmove(s, s + 1, (ts->n_shares - i - 1) * sizeof(*s));
	ts->n_shares--;
}

bool tenant_node_exists(const struct tenants *ts, const char *tenant, const char *node)
{
	for (size_t i = 0; i < ts->n_nodes; i++)
		if (!strcmp(ts->nodes[i].tenant, tenant) && !strcmp(ts->nodes[i].node, node))
			return true;
	return false;
}

int tenant_node_add(struct tenants *ts, const char *tenant, const char *node)
{
	struct tenant_node *grown;

	if (tenant_node_exists(ts, tenant, node))
		return 0;
	grown = grow(ts->nodes, &ts->n_nodes, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ts->nodes = grown;
	str_copy(grown[ts->n_nodes - 1].tenant, sizeof(grown->tenant), tenant);
	str_copy(grown[ts->n_nodes - 1].node, sizeof(grown->node), node);
	return 0;
}

void tenant_node_remove(struct tenants *ts, const char *tenant, const char *node)
{
	size_t kept = 0;

	for (size_t i = 0; i < ts->n_nodes; i++)
		if (strcmp(ts->nodes[i].tenant, tenant) || strcmp(ts->nodes[i].node, node))
			ts->nodes[kept++] = ts->nodes[i];
	ts->n_nodes = kept;
}

const char *share_option_beyond(const struct device *s, const struct device *d, char *limit,
				size_t size)
{
	static const struct {
		const char *name;
		size_t offset;
	} enables[] = {
		{ "attach_guest_drivers", offsetof(struct device, attach_guest_drivers) },
		{ "enable_unified_memory", offsetof(struct device, enable_unified_memory) },
		{ "enable_cuda_debuggers", offsetof(struct device, enable_cuda_debuggers) },
		{ "enable_cuda_profilers", offsetof(struct device, enable_cuda_profilers) },
	};

	for (size_t i = 0; i < ARRAY_SIZE(enables); i++) {
		bool allowed = *(const bool *)((const char *)s + enables[i].offset);

		if (!allowed && *(const bool *)((const char *)d + enables[i].offset))
			return str_copy(limit, size, "0"), enables[i].name;
	}
	if (s->disable_console_vnc && !d->disable_console_vnc)
		return str_copy(limit, size, "1"), "disable_console_vnc";
	if (s->frame_rate_limit && (!d->frame_rate_limit ||
				    d->frame_rate_limit > s->frame_rate_limit)) {
		snprintf(limit, size, "1..%u", s->frame_rate_limit);
		return "frame_rate_limit";
	}
	return NULL;
}

void share_defaults(const struct device *s, struct device *d)
{
	d->attach_guest_drivers |= s->attach_guest_drivers;
	d->enable_unified_memory |= s->enable_unified_memory;
	d->enable_cuda_debuggers |= s->enable_cuda_debuggers;
	d->enable_cuda_profilers |= s->enable_cuda_profilers;
	d->disable_console_vnc |= s->disable_console_vnc;
	if (!d->frame_rate_limit)
		d->frame_rate_limit = s->frame_rate_limit;
}

static bool in_groups(const struct caller *c, unsigned gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool tenant_admits(const struct tenant *t, const struct caller *c)
{
	unsigned id;

	if (t->admin_uid[0] && value_parse_uint(t->admin_uid, 1, 0x7ffffffe, &id) >= 0 &&
	    id == c->uid)
		return true;
	return t->admin_gid[0] && value_parse_uint(t->admin_gid, 1, 0x7ffffffe, &id) >= 0 &&
	       in_groups(c, id);
}

int tenants_reach(const struct tenants *ts, const struct caller *c, enum tree_part part,
		  const char *owner)
{
	bool admin = false;

	if (c->uid == 0 || part == PART_CATALOGUE)
		return 0;
	for (size_t i = 0; i < ts->n; i++) {
		if (part == PART_OWNED && !strcmp(ts->items[i].name, owner))
			return tenant_admits(&ts->items[i], c) ? 0 : -ENOENT;
		admin |= tenant_admits(&ts->items[i], c);
	}
	if (part == PART_OWNED && owner[0])
		return -ENOENT; /* no such tenant */
	if (!admin)
		return 0; /* an ordinary user reads the provider's side */
	return part == PART_PROVIDER ? -EACCES : -ENOENT;
}

const char *tenants_vm_owner(const struct tenants *ts, const char *vm_uuid)
{
	for (size_t i = 0; i < ts->n_owners; i++)
		if (!strcmp(ts->owners[i].uuid, vm_uuid))
			return ts->owners[i].tenant;
	return "";
}

int tenants_set_vm_owner(struct tenants *ts, const char *vm_uuid, const char *tenant)
{
	struct vm_owner *grown;
	size_t i = 0;

	while (i < ts->n_owners && strcmp(ts->owners[i].uuid, vm_uuid))
		i++;
	if (!tenant[0]) {
		if (i < ts->n_owners)
			ts->owners[i] = ts->owners[--ts->n_owners];
		return 0;
	}
	if (i == ts->n_owners) {
		grown = grow(ts->owners, &ts->n_owners, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		ts->owners = grown;
		str_copy(grown[i].uuid, sizeof(grown->uuid), vm_uuid);
	}
	str_copy(ts->owners[i].tenant, sizeof(ts->owners->tenant), tenant);
	return 0;
}
