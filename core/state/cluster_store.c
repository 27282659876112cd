/* cluster_store.c — see cluster_store.h: groups and rules in sqlite. */
#include "cluster_store.h"
#include "util.h"

#include <errno.h>

static int load_groups(struct store *s, struct groups *gs)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_select(s, &st, "groups", "name", group_fields);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct group *g = groups_add(gs, store_column(st, 0));

		if (!g)
			return -ENOMEM;
		store_load_fields(group_fields, st, 1, g);
	}
	return r;
}

static int load_rules(struct store *s, struct groups *gs)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_select(s, &st, "rules", "group_name, name", rule_fields);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct group *g = groups_find(gs, store_column(st, 0));
		struct rule *rule;

		if (!g)
			continue; /* foreign keys make this impossible; be safe */
		rule = group_add_rule(g, store_column(st, 1), "");
		if (!rule)
			return -ENOMEM;
		store_load_fields(rule_fields, st, 2, rule);
	}
	return r;
}

int store_groups_load(struct store *s, struct groups *gs)
{
	int r = store_add_columns(s, "groups", group_fields);

	if (r >= 0)
		r = store_add_columns(s, "rules", rule_fields);
	if (r >= 0)
		r = load_groups(s, gs);
	if (r >= 0)
		r = load_rules(s, gs);
	if (r < 0)
		groups_free(gs);
	return r;
}

int store_group_insert(struct store *s, const char *name)
{
	return store_exec(s, "INSERT INTO groups (name) VALUES (?)", name, NULL);
}

int store_group_delete(struct store *s, const char *name)
{
	return store_exec(s, "DELETE FROM groups WHERE name = ?", name, NULL);
}

int store_group_save(struct store *s, const struct group *g)
{
	return store_update(s, "groups", group_fields, g, "name", g->name, NULL);
}

int store_rule_insert(struct store *s, const char *group, const struct rule *rule)
{
	int r = store_exec(s, "INSERT INTO rules (group_name, name, node) VALUES (?, ?, ?)",
			   group, rule->name, rule->node, NULL);

	return r < 0 ? r : store_rule_save(s, group, rule);
}

int store_rule_delete(struct store *s, const char *group, const char *name)
{
	return store_exec(s, "DELETE FROM rules WHERE group_name = ? AND name = ?", group, name,
			  NULL);
}

int store_rule_save(struct store *s, const char *group, const struct rule *rule)
{
	return store_update(s, "rules", rule_fields, rule, "group_name", group, "name",
			    rule->name, NULL);
}

int store_tenants_load(struct store *s, struct tenants *ts)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_add_columns(s, "tenants", tenant_fields);

	if (r >= 0)
		r = store_select(s, &st, "tenants", "name", tenant_fields);
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct tenant *t = tenants_add(ts, store_column(st, 0));

		if (!t)
			return -ENOMEM;
		store_load_fields(tenant_fields, st, 1, t);
	}
	return r;
}

int store_tenant_insert(struct store *s, const char *name)
{
	return store_exec(s, "INSERT INTO tenants (name) VALUES (?)", name, NULL);
}

int store_tenant_delete(struct store *s, const char *name)
{
	int r = store_exec(s, "DELETE FROM tenants WHERE name = ?", name, NULL);

	if (r >= 0)
		r = store_exec(s, "DELETE FROM tenant_nodes WHERE tenant = ?", name, NULL);
	return r;
}

int store_tenant_save(struct store *s, const struct tenant *t)
{
	return store_update(s, "tenants", tenant_fields, t, "name", t->name, NULL);
}

static int load_tenant_nodes(struct store *s, struct tenants *ts)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_query(s, &st, "SELECT tenant, node FROM tenant_nodes ORDER BY rowid",
			    NULL);

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW)
		r = tenant_node_add(ts, store_column(st, 0), store_column(st, 1));
	return r;
}

int store_shares_load(struct store *s, struct tenants *ts)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int r = store_add_columns(s, "shares", device_fields);

	if (r >= 0)
		r = store_select(s, &st, "shares", "tenant, node, name", device_fields);
	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct share *sh = shares_add(ts, store_column(st, 0), store_column(st, 1),
					      store_column(st, 2));

		if (!sh)
			return -ENOMEM;
		store_load_fields(device_fields, st, 3, &sh->form);
	}
	return r < 0 ? r : load_tenant_nodes(s, ts);
}

int store_share_insert(struct store *s, const struct share *sh)
{
	return store_exec(s, "INSERT INTO shares (tenant, node, name) VALUES (?, ?, ?)",
			  sh->tenant, sh->node, sh->form.name, NULL);
}

int store_share_delete(struct store *s, const struct share *sh)
{
	return store_exec(s, "DELETE FROM shares WHERE tenant = ? AND node = ? AND name = ?",
			  sh->tenant, sh->node, sh->form.name, NULL);
}

int store_share_save(struct store *s, const struct share *sh)
{
	return store_update(s, "shares", device_fields, &sh->form, "tenant", sh->tenant, "node",
			    sh->node, "name", sh->form.name, NULL);
}

int store_tenant_node_insert(struct store *s, const char *tenant, const char *node)
{
	return store_exec(s, "INSERT INTO tenant_nodes (tenant, node) VALUES (?, ?)", tenant,
			  node, NULL);
}

int store_tenant_node_delete(struct store *s, const char *tenant, const char *node)
{
	return store_exec(s, "DELETE FROM tenant_nodes WHERE tenant = ? AND node = ?", tenant,
			  node, NULL);
}
