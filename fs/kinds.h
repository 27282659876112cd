/* kinds.h — the node kinds of the /vgpu tree, one file per area (see tree.h). */
#ifndef VGPUFS_KINDS_H
#define VGPUFS_KINDS_H

#include "tree.h"

extern const struct node_kind host_kind;
extern const struct node_kind gpus_kind;
extern const struct node_kind profiles_kind;

/* Shared formatting of a vGPU type's catalogue attributes. */
int show_hex(struct text *out, unsigned value, int digits);

#endif
