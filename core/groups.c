/* groups.c — see groups.h. */
#include "groups.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

static void group_defaults(struct group *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	g->id = object_id_next();
	str_copy(g->name, sizeof(g->name), name);
	g->description = strdup("");
	str_copy(g->class, sizeof(g->class), "vgpu");
	str_copy(g->policy, sizeof(g->policy), "depth-first");
}

struct group *groups_add(struct groups *gs, const char *name)
{
	struct group *grown = realloc(gs->items, (gs->n + 1) * sizeof(*gs->items));

	if (!grown)
		return NULL;
	gs->items = grown;
	group_defaults(&grown[gs->n], name);
	if (!grown[gs->n].description)
		return NULL;
	return &grown[gs->n++];
}

struct rule *group_add_rule(struct group *g, const char *name, const char *node)
{
	struct rule *grown = realloc(g->rules, (g->n_rules + 1) * sizeof(*g->rules));
	struct rule *r;

	if (!grown)
		return NULL;
	g->rules = grown;
	r = &grown[g->n_rules++];
	memset(r, 0, sizeof(*r));
	r->id = object_id_next();
	str_copy(r->name, sizeof(r->name), name);
	str_copy(r->node, sizeof(r->node), node);
	r->enabled = true;
	return r;
}

static void group_free(struct group *g)
{
	free(g->description);
	free(g->rules);
}

void groups_remove(struct groups *gs, struct group *g)
{
	size_t i = (size_t)(g - gs->items);

	group_free(g);
	memmove(g, g + 1, (gs->n - i - 1) * sizeof(*g));
	gs->n--;
}

void group_remove_rule(struct group *g, struct rule *r)
{
	size_t i = (size_t)(r - g->rules);

	memmove(r, r + 1, (g->n_rules - i - 1) * sizeof(*r));
	g->n_rules--;
}

void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		group_free(&gs->items[i]);
	free(gs->items);
	gs->items = NULL;
	gs->n = 0;
}

struct group *groups_find(struct groups *gs, const char *name)
{
	for (size_t i = 0; i < gs->n; i++)
		if (!strcmp(gs->items[i].name, name))
			return &gs->items[i];
	return NULL;
}

struct rule *group_find_rule(struct group *g, const char *name)
{
	for (size_t i = 0; i < g->n_rules; i++)
		if (!strcmp(g->rules[i].name, name))
			return &g->rules[i];
	return NULL;
}

static const char *column(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static int load_groups(struct groups *gs, struct store *s)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT name, description, class, driver, profile, "
			    "make_guest_iso, driver_iso, policy FROM groups ORDER BY rowid", NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct group *g = groups_add(gs, column(st, 0));

		if (!g)
			return -ENOMEM;
		free(g->description);
		g->description = strdup(column(st, 1));
		str_copy(g->class, sizeof(g->class), column(st, 2));
		str_copy(g->driver, sizeof(g->driver), column(st, 3));
		str_copy(g->profile, sizeof(g->profile), column(st, 4));
		g->make_guest_iso = sqlite3_column_int(st, 5);
		str_copy(g->driver_iso, sizeof(g->driver_iso), column(st, 6));
		str_copy(g->policy, sizeof(g->policy), column(st, 7));
		if (!g->description)
			return -ENOMEM;
	}
	return r;
}

static int load_rules(struct groups *gs, struct store *s)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT group_name, name, node, vendor, device, slot, "
			    "enabled FROM rules ORDER BY rowid", NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct group *g = groups_find(gs, column(st, 0));
		struct rule *rule;

		if (!g)
			continue; /* foreign keys make this impossible; be safe */
		rule = group_add_rule(g, column(st, 1), column(st, 2));
		if (!rule)
			return -ENOMEM;
		str_copy(rule->vendor, sizeof(rule->vendor), column(st, 3));
		str_copy(rule->device, sizeof(rule->device), column(st, 4));
		str_copy(rule->slot, sizeof(rule->slot), column(st, 5));
		rule->enabled = sqlite3_column_int(st, 6);
	}
	return r;
}

int groups_load(struct groups *gs, struct store *s)
{
	int r = load_groups(gs, s);

	if (r >= 0)
		r = load_rules(gs, s);
	if (r < 0)
		groups_free(gs);
	return r;
}

static bool id_matches(const char *filter, unsigned id)
{
	return !filter[0] || strtoul(filter, NULL, 16) == id;
}

/* A slot filter is a BDF or a glob over it; the PCI domain may be left out. */
static bool slot_matches(const char *filter, const char *bdf)
{
	if (!filter[0] || fnmatch(filter, bdf, 0) == 0)
		return true;
	return strlen(bdf) > 5 && fnmatch(filter, bdf + 5, 0) == 0;
}

bool rule_matches(const struct rule *r, const struct gpu *gpu, const char *host_name)
{
	return r->enabled && (!r->node[0] || !strcmp(r->node, host_name)) &&
	       id_matches(r->vendor, gpu->pci.vendor) && id_matches(r->device, gpu->pci.device) &&
	       slot_matches(r->slot, gpu->pci.bdf);
}

bool group_matches(const struct group *g, const struct gpu *gpu, const char *host_name)
{
	for (size_t i = 0; i < g->n_rules; i++)
		if (rule_matches(&g->rules[i], gpu, host_name))
			return true;
	return false;
}

size_t groups_matching(const struct groups *gs, const struct gpu *gpu, const char *host_name,
		       const struct group **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < gs->n; i++) {
		if (!group_matches(&gs->items[i], gpu, host_name))
			continue;
		if (!n++)
			*first = &gs->items[i];
	}
	return n;
}

bool group_owns(const struct groups *gs, const struct group *g, const struct gpu *gpu,
		const char *host_name)
{
	const struct group *first;

	return group_matches(g, gpu, host_name) &&
	       groups_matching(gs, gpu, host_name, &first) == 1;
}

static bool matches_after(const struct group *g, const struct gpu *gpu, const char *host_name,
			  const struct rule_edit *edit)
{
	bool edited = edit && edit->group == g;

	if (edited && edit->now && rule_matches(edit->now, gpu, host_name))
		return true;
	for (size_t i = 0; i < g->n_rules; i++)
		if (!(edited && &g->rules[i] == edit->old) &&
		    rule_matches(&g->rules[i], gpu, host_name))
			return true;
	return false;
}

const struct group *groups_owner_after(const struct groups *gs, const struct gpu *gpu,
				       const char *host_name, const struct rule_edit *edit)
{
	const struct group *owner = NULL;

	assert(!edit || edit->old || edit->now);
	for (size_t i = 0; i < gs->n; i++) {
		if (!matches_after(&gs->items[i], gpu, host_name, edit))
			continue;
		if (owner)
			return NULL;
		owner = &gs->items[i];
	}
	return owner;
}
