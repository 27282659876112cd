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
	free(ts->items);
	ts->items = NULL;
	ts->n = 0;
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
	memmove(t, t + 1, (ts->n - i - 1) * sizeof(*t));
	ts->n--;
}
