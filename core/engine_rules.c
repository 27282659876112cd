/* engine_rules.c — rules of resource groups (groups/<g>/rules/<r>) and the shortcut
 * gpus/<bdf>/group, which manages one rule per GPU named after its address. */
#include "engine_internal.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>


static void rule_object(char *buf, const char *group, const char *rule)
{
	snprintf(buf, OBJECT_MAX, "groups/%s/rules/%s", group, rule);
}

/* The rule gpus/<bdf>/group creates: "pci-0000-41-00.0" (names cannot hold colons). */
static void gpu_rule_name(char *buf, size_t size, const char *bdf)
{
	str_copy(buf, size, "pci-");
	str_copy(buf + 4, size - 4, bdf);
	for (char *p = buf; *p; p++)
		if (*p == ':')
			*p = '-';
}

static int find_rule(struct engine *e, const char *group, const char *rule,
		     struct group **g, struct rule **r)
{
	*g = groups_find(&e->groups, group);
	*r = *g ? group_find_rule(*g, rule) : NULL;
	return *r ? 0 : -ENOENT;
}

/* ---- fields ---- */

static bool is_node_name(const char *s)
{
	size_t n = strlen(s);

	if (n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
			return false;
	return true;
}

static bool is_bdf(const char *s, bool with_domain)
{
	unsigned domain, bus, dev, fn;
	int end = 0;

	if (with_domain)
		sscanf(s, "%4x:%2x:%2x.%1x%n", &domain, &bus, &dev, &fn, &end);
	else
		sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &end);
	return end > 0 && s[end] == '\0' && strspn(s, "0123456789abcdefABCDEF:.") == strlen(s);
}

/* Brackets must pair up, or fnmatch() just never matches. */
static bool brackets_balanced(const char *s)
{
	bool open = false;

	for (; *s; s++) {
		if (*s == '[' && !open)
			open = true;
		else if (*s == ']' && open)
			open = false;
		else if (*s == ']' || *s == '[')
			return false;
	}
	return !open;
}

/* A BDF (the domain may be left out), or a glob over one: it must name at least the
 * bus and device (a ':' in it) and use only address characters and glob syntax. */
static bool is_slot_filter(const char *s)
{
	if (!s[0] || is_bdf(s, true) || is_bdf(s, false))
		return true;
	return strlen(s) < 64 && strpbrk(s, "*?[") && strchr(s, ':') && brackets_balanced(s) &&
	       strspn(s, "0123456789abcdefABCDEF:.*?[]!-") == strlen(s);
}

/* Validates and normalises value for field; -ENOENT for an unknown field. */
static int normalise(struct engine *e, const char *object, const char *field,
		     const char *value, char *out, size_t size)
{
	bool on;

	if (!strcmp(field, "node")) {
		if (!is_node_name(value))
			return refuse(e, object, -EINVAL, "node is a host name or \"\" for any "
				      "node, not \"%s\"", value);
		return str_copy(out, size, value);
	}
	if (!strcmp(field, "vendor") || !strcmp(field, "device")) {
		if (value_normalize_pci_id(value, out, size) < 0)
			return refuse(e, object, -EINVAL, "%s is a hex PCI id such as 0x10de, "
				      "or \"\" for any, not \"%s\"", field, value);
		return 0;
	}
	if (!strcmp(field, "slot")) {
		if (!is_slot_filter(value))
			return refuse(e, object, -EINVAL, "slot is a PCI address such as "
				      "0000:41:00.0 (globs allowed) or \"\", not \"%s\"", value);
		return str_copy(out, size, value);
	}
	if (!strcmp(field, "enabled")) {
		if (value_parse_bool(value, &on) < 0)
			return refuse(e, object, -EINVAL, "enabled takes 0 or 1 (or yes/no, "
				      "true/false, on/off), not \"%s\"", value);
		return str_copy(out, size, on ? "1" : "0");
	}
	return -ENOENT;
}

static char *rule_field(struct rule *r, const char *field, size_t *size)
{
	if (!strcmp(field, "node"))
		return *size = sizeof(r->node), r->node;
	if (!strcmp(field, "vendor"))
		return *size = sizeof(r->vendor), r->vendor;
	if (!strcmp(field, "device"))
		return *size = sizeof(r->device), r->device;
	if (!strcmp(field, "slot"))
		return *size = sizeof(r->slot), r->slot;
	return NULL;
}

static int rule_gpus_text(struct engine *e, const struct rule *r, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->host.n_gpus; i++) {
		if (!rule_matches(r, &e->host.gpus[i], e->host_name))
			continue;
		len += snprintf(buf + len, size - len, "%s\n", e->host.gpus[i].pci.bdf);
		if (len >= size)
			return -E2BIG;
	}
	return 0;
}

static int rule_get(struct engine *e, const char *group, const char *rule, const char *field,
		    char *buf, size_t size)
{
	struct group *g;
	struct rule *r;
	char object[OBJECT_MAX], *value;
	size_t value_size;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	if (!strcmp(field, "enabled"))
		return str_copy(buf, size, r->enabled ? "1" : "0");
	if (!strcmp(field, "gpus"))
		return rule_gpus_text(e, r, buf, size);
	if (!strcmp(field, "error")) {
		rule_object(object, group, rule);
		return str_copy(buf, size, events_error(&e->events, object));
	}
	value = rule_field(r, field, &value_size);
	return value ? str_copy(buf, size, value) : -ENOENT;
}

int engine_rule_get(struct engine *e, const char *group, const char *rule, const char *field,
		    char *buf, size_t size)
{
	int r;

	WITH_LOCK(e, r = rule_get(e, group, rule, field, buf, size));
	return r;
}

struct rule_change {
	const char *group, *rule, *field, *value;
};

static int store_rule_field(struct engine *e, void *arg)
{
	const struct rule_change *c = arg;
	char sql[128];

	/* field was checked by normalise(): never the caller's text */
	snprintf(sql, sizeof(sql), "UPDATE rules SET %s = ? WHERE group_name = ? AND name = ?",
		 c->field);
	return store_exec(&e->store, sql, c->value, c->group, c->rule, NULL);
}

static int rule_set(struct engine *e, const char *group, const char *rule, const char *field,
		    const char *value)
{
	struct group *g;
	struct rule *r;
	char object[OBJECT_MAX], normalised[256], *target;
	struct rule_change change = { group, rule, field, normalised };
	size_t target_size;
	int rc;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	rule_object(object, group, rule);
	rc = normalise(e, object, field, value, normalised, sizeof(normalised));
	if (rc < 0)
		return rc;
	target = rule_field(r, field, &target_size);
	if (target ? !strcmp(target, normalised) : r->enabled == (normalised[0] == '1'))
		return 0;
	rc = commit_change(e, object, store_rule_field, &change);
	if (rc < 0)
		return rc;
	if (target)
		str_copy(target, target_size, normalised);
	else
		r->enabled = normalised[0] == '1';
	events_add(&e->events, "%s/%s = %s", object, field, normalised);
	return 0;
}

int engine_rule_set(struct engine *e, const char *group, const char *rule, const char *field,
		    const char *value)
{
	int r;

	WITH_LOCK(e, r = rule_set(e, group, rule, field, value));
	return r;
}

/* ---- creating and deleting rules ---- */

struct rule_row {
	const char *group, *rule, *node, *slot;
};

static int store_rule_insert(struct engine *e, void *arg)
{
	const struct rule_row *row = arg;

	return store_exec(&e->store, "INSERT INTO rules (group_name, name, node, slot) "
			  "VALUES (?, ?, ?, ?)", row->group, row->rule, row->node, row->slot, NULL);
}

static int store_rule_delete(struct engine *e, void *arg)
{
	const struct rule_row *row = arg;

	return store_exec(&e->store, "DELETE FROM rules WHERE group_name = ? AND name = ?",
			  row->group, row->rule, NULL);
}

/* A new rule is for this node, and matches every GPU on it until narrowed. */
static int add_rule(struct engine *e, struct group *g, const char *rule, const char *slot)
{
	struct rule_row row = { g->name, rule, e->host_name, slot };
	char object[OBJECT_MAX];
	struct rule *r;
	int rc;

	rule_object(object, g->name, rule);
	if (group_find_rule(g, rule))
		return refuse(e, object, -EEXIST, "rule %s already exists in group %s", rule,
			      g->name);
	rc = commit_change(e, object, store_rule_insert, &row);
	if (rc < 0)
		return rc;
	r = group_add_rule(g, rule, e->host_name);
	if (!r)
		return -ENOMEM;
	str_copy(r->slot, sizeof(r->slot), slot);
	events_add(&e->events, "%s created (node %s, slot %s)", object, e->host_name,
		   slot[0] ? slot : "any");
	return 0;
}

static int remove_rule(struct engine *e, struct group *g, struct rule *r)
{
	struct rule_row row = { g->name, r->name, NULL, NULL };
	char object[OBJECT_MAX];
	int rc;

	rule_object(object, g->name, r->name);
	rc = commit_change(e, object, store_rule_delete, &row);
	if (rc < 0)
		return rc;
	group_remove_rule(g, r);
	events_forget(&e->events, object);
	events_add(&e->events, "%s deleted", object);
	return 0;
}

static int rule_create(struct engine *e, const char *group, const char *rule)
{
	struct group *g = groups_find(&e->groups, group);
	char object[OBJECT_MAX];

	if (!g)
		return -ENOENT;
	snprintf(object, sizeof(object), "groups/%s", group);
	if (!value_is_name(rule))
		return refuse(e, object, -EINVAL, "\"%s\" is not a valid rule name "
			      "([A-Za-z0-9][A-Za-z0-9._-], at most 63)", rule);
	return add_rule(e, g, rule, "");
}

int engine_rule_create(struct engine *e, const char *group, const char *rule)
{
	int r;

	WITH_LOCK(e, r = rule_create(e, group, rule));
	return r;
}

static int rule_delete(struct engine *e, const char *group, const char *rule)
{
	struct group *g;
	struct rule *r;

	if (find_rule(e, group, rule, &g, &r) < 0)
		return -ENOENT;
	return remove_rule(e, g, r);
}

int engine_rule_delete(struct engine *e, const char *group, const char *rule)
{
	int r;

	WITH_LOCK(e, r = rule_delete(e, group, rule));
	return r;
}

static int list_rules(struct engine *e, const char *group, engine_name_fn fn, void *ctx)
{
	struct group *g = groups_find(&e->groups, group);

	if (!g)
		return -ENOENT;
	for (size_t i = 0; i < g->n_rules; i++) {
		int r = fn(g->rules[i].name, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_for_each_rule(struct engine *e, const char *group, engine_name_fn fn, void *ctx)
{
	int r;

	WITH_LOCK(e, r = list_rules(e, group, fn, ctx));
	return r;
}

/* ---- gpus/<bdf>/group ---- */

static int gpu_group(struct engine *e, const char *bdf, char *buf, size_t size)
{
	const struct gpu *gpu = host_find_gpu(&e->host, bdf);
	const struct group *first;

	if (!gpu)
		return -ENOENT;
	/* matched by two groups: it belongs to neither (see the groups' error) */
	if (groups_matching(&e->groups, gpu, e->host_name, &first) != 1)
		first = NULL;
	return str_copy(buf, size, first ? first->name : "");
}

int engine_gpu_group(struct engine *e, const char *bdf, char *buf, size_t size)
{
	int r;

	WITH_LOCK(e, r = gpu_group(e, bdf, buf, size));
	return r;
}

/* The GPU's own rule (pci-<bdf>), in whichever group holds it. */
static struct rule *own_rule(struct engine *e, const char *bdf, struct group **holder)
{
	char name[NAME_MAX_LEN + 1];

	gpu_rule_name(name, sizeof(name), bdf);
	for (size_t i = 0; i < e->groups.n; i++) {
		struct rule *r = group_find_rule(&e->groups.items[i], name);

		if (r) {
			*holder = &e->groups.items[i];
			return r;
		}
	}
	return NULL;
}

/* The first rule of another group than `except` that matches gpu. */
static const struct rule *other_match(struct engine *e, const struct gpu *gpu,
				      const struct group *except, const struct group **holder)
{
	for (size_t i = 0; i < e->groups.n; i++) {
		const struct group *g = &e->groups.items[i];

		if (g == except)
			continue;
		for (size_t j = 0; j < g->n_rules; j++) {
			if (rule_matches(&g->rules[j], gpu, e->host_name)) {
				*holder = g;
				return &g->rules[j];
			}
		}
	}
	return NULL;
}

static int gpu_unassign(struct engine *e, const struct gpu *gpu, const char *object)
{
	struct group *holder = NULL;
	struct rule *own = own_rule(e, gpu->pci.bdf, &holder);
	const struct group *other;
	const struct rule *r;
	int rc = own ? remove_rule(e, holder, own) : 0;

	if (rc < 0)
		return rc;
	r = other_match(e, gpu, NULL, &other);
	if (r)
		return refuse(e, object, -EBUSY, "GPU %s is still matched by rule %s of group "
			      "%s; change or remove that rule", gpu->pci.bdf, r->name, other->name);
	return 0;
}

static int gpu_set_group(struct engine *e, const char *bdf, const char *name)
{
	const struct gpu *gpu = host_find_gpu(&e->host, bdf);
	struct group *g, *holder = NULL;
	const struct group *other;
	const struct rule *r;
	char object[OBJECT_MAX], rule[NAME_MAX_LEN + 1];

	if (!gpu)
		return -ENOENT;
	snprintf(object, sizeof(object), "gpus/%s", bdf);
	if (!name[0])
		return gpu_unassign(e, gpu, object);
	g = groups_find(&e->groups, name);
	if (!g)
		return refuse(e, object, -ENOENT, "no resource group named \"%s\" (see groups/)",
			      name);
	r = other_match(e, gpu, g, &other);
	if (r)
		return refuse(e, object, -EBUSY, "GPU %s already belongs to group %s (rule %s); "
			      "write \"\" to its group first", bdf, other->name, r->name);
	if (own_rule(e, bdf, &holder) || group_matches(g, gpu, e->host_name))
		return 0; /* already in g */
	gpu_rule_name(rule, sizeof(rule), bdf);
	return add_rule(e, g, rule, bdf);
}

int engine_gpu_set_group(struct engine *e, const char *bdf, const char *group)
{
	int r;

	WITH_LOCK(e, r = gpu_set_group(e, bdf, group));
	return r;
}
