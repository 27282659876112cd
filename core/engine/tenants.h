/* tenants.h — tenants (tenants/<t>), as the engine holds them in memory; the database is
 * the durable copy (cluster_store.h). A tenant owns VMs (vms/<vm>/tenant) and, with the
 * shares still to come, vGPUs reserved for it; admin_uid/admin_gid name the local user
 * and group that administer it. */
#ifndef VGPUFS_TENANTS_H
#define VGPUFS_TENANTS_H

#include <stddef.h>
#include "engine.h"  /* tenant_fields */
#include "value.h"

struct tenant {
	int id;              /* object_id_next() */
	char name[NAME_MAX_LEN + 1];
	/* the settable fields, declared in tenant_fields */
	char description[VALUE_SIZE_MAX + 1];
	char admin_uid[40];  /* "" (no admin) or a uid, never 0; room for a name to resolve */
	char admin_gid[40];  /* "" (no admin group) or a gid, never 0 */
};

struct tenants {
	struct tenant *items;
	size_t n;
};

void tenants_free(struct tenants *ts);
struct tenant *tenants_find(struct tenants *ts, const char *name);
/* Appends a tenant with defaults (in memory only). */
struct tenant *tenants_add(struct tenants *ts, const char *name);
void tenants_remove(struct tenants *ts, struct tenant *t);

/* A user or group as admin_uid/admin_gid store it: "" stays ""; a number is kept; a
 * name is resolved (getpwnam/getgrnam) to its number. -ENOENT for an unknown name,
 * -EINVAL for 0 (root needs no tenant rights). */
int tenant_resolve_id(const char *value, bool group, char *out, size_t size);

#endif
