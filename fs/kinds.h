/* kinds.h — the node kinds of the /vgpu tree, one file per area (see tree.h), and the
 * small helpers they share. */
#ifndef VGPUFS_KINDS_H
#define VGPUFS_KINDS_H

#include "tree.h"

extern const struct node_kind host_kind;
extern const struct node_kind gpus_kind;
extern const struct node_kind profiles_kind;
extern const struct node_kind groups_kind;
extern const struct node_kind vms_kind;
extern const struct node_kind vgpus_kind;
extern const struct node_kind gpu_vgpus_kind;
extern const struct node_kind group_devices_kind;
extern const struct node_kind media_kind;
extern const struct node_kind media_info_kind;
extern const struct node_kind drivers_kind;
extern const struct node_kind tenants_kind;

/* Prints an engine string value: "value\n" (a scalar). */
int show_value(struct text *out, int r, const char *value);
/* Prints an engine list value as is: one item per line, "" when empty. */
int show_list(struct text *out, int r, const char *value);
/* Whether the collection's list() names name: 0, -ENOENT, or list()'s error (an exists()
 * for collections that only list). */
int listed(const struct node *n, int (*list)(const struct node *n, engine_name_fn fn,
					      void *ctx), const char *name);
/* The object's last refused write (engine_object_error on the node's path). */
int show_error(const struct node *n, const struct attr *a, struct text *out);

#endif
