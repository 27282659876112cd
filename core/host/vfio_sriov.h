/* vfio_sriov.h — NVIDIA's vendor-specific VFIO interface (vGPU 17+, no mdev bus): each
 * SR-IOV virtual function of a GPU hosts at most one vGPU, chosen by writing a type id to
 * <VF>/nvidia/current_vgpu_type. Type ids are per card, so callers resolve them by name. */
#ifndef VGPUFS_VFIO_SRIOV_H
#define VGPUFS_VFIO_SRIOV_H

#include <stdbool.h>
#include "snapshot.h"
#include "vgpu_type.h"

/* True when the VF has the vendor-specific VFIO files: its current_vgpu_type reads,
 * through s (so that the usage read after it costs nothing). */
bool vfio_sriov_is_capable(struct snapshot *s, const char *root, const char *vf_bdf);

/* Calls fn with each type listed in <VF>/nvidia/creatable_vgpu_types: the types that can
 * be created on this VF now (none when it holds one, or the GPU is full). */
int vfio_sriov_for_each_creatable(struct snapshot *s, const char *root, const char *vf_bdf,
				  int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx);

/* Parses creatable_vgpu_types text; exposed for unit tests. */
int vfio_sriov_parse_creatable(const char *text,
			       int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx);

/* The type id the VF holds (0 = none). Both read through s (snapshot.h), or directly
 * when it is NULL. */
int vfio_sriov_current_type(struct snapshot *s, const char *root, const char *vf_bdf,
			    unsigned *type_id);

/* Creates a vGPU of type_id on the VF (EPERM if it holds one, EINVAL if not creatable). */
int vfio_sriov_create(const char *root, const char *vf_bdf, const char *type_id);

/* Deletes the VF's vGPU; 0 if it holds none. */
int vfio_sriov_delete(const char *root, const char *vf_bdf);

/* Writes <VF>/nvidia/vgpu_params; "" clears them. */
int vfio_sriov_set_params(const char *root, const char *vf_bdf, const char *params);
/* Reads them back, as the driver shows them (no trailing newline). */
int vfio_sriov_get_params(const char *root, const char *vf_bdf, char *buf, size_t size);

#endif
