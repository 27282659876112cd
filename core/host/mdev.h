/* mdev.h — the kernel's mediated-device sysfs (Documentation/driver-api/
 * vfio-mediated-device.rst) under a sysfs root: the types a parent offers, their free
 * capacity, and the mdevs that exist. A parent is a GPU, or on SR-IOV GPUs in mdev mode
 * each of its virtual functions. */
#ifndef VGPUFS_MDEV_H
#define VGPUFS_MDEV_H

#include <stdbool.h>
#include "snapshot.h"
#include "vgpu_type.h"
#include "util.h"

/* Calls fn with every device registered as an mdev parent (class/mdev_bus), in one
 * read; none when the mdev module is not loaded. */
int mdev_for_each_parent(const char *root, int (*fn)(const char *bdf, void *ctx), void *ctx);

/* Calls fn with every type of a parent, name/description parsed. */
int mdev_for_each_type(const char *root, const char *parent_bdf,
		       int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx);

/* Live readings below take a snapshot to read through (snapshot.h), or NULL. */

/* available_instances of one type on one parent. */
int mdev_available(struct snapshot *s, const char *root, const char *parent_bdf,
		   const char *type_id);

struct mdev_device {
	char uuid[UUID_STR_LEN];
	char parent[16];
	char type_id[32];
};

/* Calls fn with every mdev on the host (/sys/bus/mdev/devices). */
int mdev_for_each_device(struct snapshot *s, const char *root,
			 int (*fn)(const struct mdev_device *d, void *ctx), void *ctx);

/* Creates an mdev of type_id on parent with uuid (the kernel's errno on refusal: EINVAL,
 * EEXIST, EUSERS or the vendor's when full, ENODEV when the parent goes away). The new
 * mdev goes into s's listing of mdevs, which a remove takes it out of. */
int mdev_create(struct snapshot *s, const char *root, const char *parent_bdf,
		const char *type_id, const char *uuid);

/* Removes an mdev; 0 if it does not exist. */
int mdev_remove(struct snapshot *s, const char *root, const char *uuid);

/* True when the mdev exists. */
bool mdev_exists(const char *root, const char *uuid);

/* Writes <uuid>/nvidia/vgpu_params; "" clears them (the driver takes a single space). */
int mdev_set_params(const char *root, const char *uuid, const char *params);
/* Reads them back, as the driver shows them (no trailing newline). */
int mdev_get_params(const char *root, const char *uuid, char *buf, size_t size);

#endif
