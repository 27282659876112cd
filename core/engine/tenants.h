/* tenants.h — tenants (tenants/<t>), their shares and the VMs they own, as the engine
 * holds them in memory; the database is the durable copy (cluster_store.h, node_store.h).
 * A tenant owns VMs (vms/<vm>/tenant) and shares: vGPUs of a provider group reserved for
 * it on a node. admin_uid/admin_gid name the local user and group that administer it. */
#ifndef VGPUFS_TENANTS_H
#define VGPUFS_TENANTS_H

#include <stddef.h>
#include "devices.h"
#include "engine.h"  /* tenant_fields */
#include "events.h"
#include "value.h"

struct tenant {
	int id;              /* object_id_next() */
	char name[NAME_MAX_LEN + 1];
	/* the settable fields, declared in tenant_fields */
	char description[VALUE_SIZE_MAX + 1];
	char admin_uid[40];  /* "" (no admin) or a uid, never 0; room for a name to resolve */
	char admin_gid[40];  /* "" (no admin group) or a gid, never 0 */
	struct events log;   /* tenants/<t>/events: its lines of the host-wide log */
};

/* tenants/<t>/nodes/<node>/devices/<name>: the device entry form (device_fields) kept in
 * `form`, whose name is the share's and whose vm_uuid is "". */
struct share {
	struct device form;
	char tenant[NAME_MAX_LEN + 1];
	char node[NAME_MAX_LEN + 1];
};

/* tenants/<t>/nodes/<node>, made by mkdir (this host's own is always there). */
struct tenant_node {
	char tenant[NAME_MAX_LEN + 1];
	char node[NAME_MAX_LEN + 1];
};

/* vms/<vm>/tenant, by the domain's UUID: only VMs a tenant owns have one. */
struct vm_owner {
	char uuid[UUID_STR_LEN];
	char tenant[NAME_MAX_LEN + 1];
};

struct tenants {
	struct tenant *items;
	size_t n;
	struct share *shares;
	size_t n_shares;
	struct tenant_node *nodes;
	size_t n_nodes;
	struct vm_owner *owners;
	size_t n_owners;
};

void tenants_free(struct tenants *ts);
struct tenant *tenants_find(struct tenants *ts, const char *name);
/* Appends a tenant with defaults (in memory only). */
struct tenant *tenants_add(struct tenants *ts, const char *name);
void tenants_remove(struct tenants *ts, struct tenant *t);

struct share *shares_find(struct tenants *ts, const char *tenant, const char *node,
			  const char *name);
/* Appends a share with a VM device's defaults (in memory only). */
struct share *shares_add(struct tenants *ts, const char *tenant, const char *node,
			 const char *name);
void shares_remove(struct tenants *ts, struct share *s);

bool tenant_node_exists(const struct tenants *ts, const char *tenant, const char *node);
int tenant_node_add(struct tenants *ts, const char *tenant, const char *node);
void tenant_node_remove(struct tenants *ts, const char *tenant, const char *node);

/* The first option of device d that share s does not allow (docs/tree.md, "A tenant's
 * VMs"), or NULL; limit says what s allows. */
const char *share_option_beyond(const struct device *s, const struct device *d, char *limit,
				size_t size);
/* A device naming share s takes s's options where it has the defaults. */
void share_defaults(const struct device *s, struct device *d);

/* Whether c administers t: it is admin_uid, or a member of admin_gid. */
bool tenant_admits(const struct tenant *t, const struct caller *c);
/* engine_may_reach (engine.h) over the tenants ts. */
int tenants_reach(const struct tenants *ts, const struct caller *c, enum tree_part part,
		  const char *owner);

/* The tenant owning the VM, "" for the provider's. */
const char *tenants_vm_owner(const struct tenants *ts, const char *vm_uuid);
/* Records the VM's owner ("" removes the record). */
int tenants_set_vm_owner(struct tenants *ts, const char *vm_uuid, const char *tenant);

/* A user or group as admin_uid/admin_gid store it: "" stays ""; a number is kept; a
 * name is resolved (getpwnam/getgrnam) to its number. -ENOENT for an unknown name,
 * -EINVAL for 0 (root needs no tenant rights). */
int tenant_resolve_id(const char *value, bool group, char *out, size_t size);

#endif
