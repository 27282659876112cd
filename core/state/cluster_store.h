/* cluster_store.h — the durable copy of the objects every node of a cluster shares:
 * resource groups and their rules, tenants, their shares and nodes (later each node's
 * allocation summary per group). Nothing here refers to node-local rows (node_store.h), so this
 * part can move to a cluster store while the node keeps its own.
 *
 * Writes run inside the caller's transaction (store_begin/store_commit). */
#ifndef VGPUFS_CLUSTER_STORE_H
#define VGPUFS_CLUSTER_STORE_H

#include "groups.h"
#include "store.h"
#include "tenants.h"

/* Adds the columns the field tables have gained, then loads every group and rule. */
int store_groups_load(struct store *s, struct groups *gs);

int store_group_insert(struct store *s, const char *name);
int store_group_delete(struct store *s, const char *name);  /* its rules go with it */
int store_group_save(struct store *s, const struct group *g);  /* every field */

/* Adds the columns tenant_fields has gained, then loads every tenant. */
int store_tenants_load(struct store *s, struct tenants *ts);
int store_tenant_insert(struct store *s, const char *name);
int store_tenant_delete(struct store *s, const char *name);
int store_tenant_save(struct store *s, const struct tenant *t);  /* every field */

/* Adds the columns device_fields has gained, then loads every share and tenant node. */
int store_shares_load(struct store *s, struct tenants *ts);
int store_share_insert(struct store *s, const struct share *sh);
int store_share_delete(struct store *s, const struct share *sh);
int store_share_save(struct store *s, const struct share *sh);  /* every field */
int store_tenant_node_insert(struct store *s, const char *tenant, const char *node);
int store_tenant_node_delete(struct store *s, const char *tenant, const char *node);

int store_rule_insert(struct store *s, const char *group, const struct rule *rule);
int store_rule_delete(struct store *s, const char *group, const char *name);
int store_rule_save(struct store *s, const char *group, const struct rule *rule);

#endif
