/* domxml.h — the part of a libvirt domain's XML that vgpufs owns.
 *
 * vgpufs attaches vGPUs (mdev or vfio-sriov VF hostdevs) and guest-driver ISOs (read-only
 * cdrom disks) to a domain by editing its persistent XML and redefining it. What it added
 * is recorded in the domain's <metadata> under DOMXML_NS, so that a later edit removes
 * exactly that and nothing the user or another tool put there. The XML is edited with
 * libxml2; this module never talks to libvirt itself.
 *
 * Errors: 0 (or a count) on success, -errno on failure, with a one-line message in err
 * where an err buffer is taken. No state is kept between calls. */
#ifndef VGPUFS_DOMXML_H
#define VGPUFS_DOMXML_H

#include <stddef.h>
#include "util.h"

#define DOMXML_NS "https://vgpufs.dev/xmlns/domain/1"

enum domxml_vgpu_kind { DOMXML_MDEV, DOMXML_VF };

struct domxml_vgpu {
	enum domxml_vgpu_kind kind;
	char uuid[UUID_STR_LEN];      /* the vGPU's id (mdev UUID; for VFs our own record id) */
	char vf_bdf[16];    /* DOMXML_VF: "0000:c1:00.4" */
	char gpu[16];       /* physical GPU BDF, recorded in metadata */
	char profile[64];   /* recorded in metadata */
};

struct domxml_device {
	char name[64];                 /* device entry name (vms/<vm>/devices/<name>) */
	const struct domxml_vgpu *vgpus;
	size_t n_vgpus;
	char cdrom[4096];              /* guest-driver ISO path to attach read-only, "" none */
};

/* Replaces everything vgpufs owns in the domain XML by exactly `devices`: removes the
 * hostdevs and cdrom disks recorded in our metadata element, adds the new ones, rewrites
 * our metadata element (creating <metadata> if needed). Idempotent. *out is malloc'd.
 * Devices sharing one cdrom path get one disk. -EEXIST when a requested vGPU already has
 * a hostdev that vgpufs does not own; -ENOSPC when no sd[a-z] target is free. */
int domxml_apply(const char *xml, const struct domxml_device *devices, size_t n_devices,
		 char **out, char *err, size_t err_size);

/* The same, in one parse, and only when it changes something: *out is NULL when xml
 * already holds exactly `devices` (record and hostdevs), so nothing needs defining. */
int domxml_apply_changes(const char *xml, const struct domxml_device *devices,
			 size_t n_devices, char **out, char *err, size_t err_size);

/* Calls fn for each device recorded in our metadata (with its vgpus and cdrom); stops at
 * the first negative return of fn and returns it. Returns the number of devices. */
int domxml_owned(const char *xml, int (*fn)(const struct domxml_device *d, void *ctx), void *ctx,
		 char *err, size_t err_size);

/* Whether the XML (live or persistent) has a hostdev for this vGPU: an mdev hostdev with
 * the UUID, or a PCI hostdev with the VF address. */
int domxml_has_hostdev(const char *xml, const struct domxml_vgpu *v);  /* 1, 0, or -errno */
/* Whether the XML has a cdrom of the ISO at path. */
int domxml_has_cdrom(const char *xml, const char *path);  /* 1, 0, or -errno */

#endif
