/* engine.h — the vgpufs engine: the one API the FUSE layer (or any other front end, or a
 * test) uses. It owns the host model, the state database, the event log and the libvirt
 * connection.
 *
 * Concurrency: one mutex guards the whole engine. Every public function takes it for its
 * whole duration (but a VM restart, which waits on the guest without it), so a caller
 * never sees a half-applied change; callbacks passed in run under it and must not call
 * back into the engine.
 *
 * Errors: functions return 0 (or a count) on success and -errno on failure. */
#ifndef VGPUFS_ENGINE_H
#define VGPUFS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "exposition.h"
#include "fields.h"
#include "vgpu_type.h"

struct engine;

struct engine_options {
	const char *sysfs_root;   /* "/sys" on a real host */
	const char *libvirt_uri;  /* "qemu:///system" on a real host */
	const char *state_dir;    /* where the state database lives */
	unsigned vf_wait_s;       /* how long start waits for SR-IOV VFs vGPUs need */
	const char *metrics_textfile;  /* a directory for vgpufs.prom, or NULL */
	unsigned rescan_interval_s; /* GPUs found again this often, besides on uevents; 0 never */
};

typedef int (*engine_name_fn)(const char *name, void *ctx);

/* The settable fields of each kind of object (fields.h): the tree makes a file of each,
 * read and written through the kind's get and set functions below. */
extern const struct field device_fields[];
extern const struct field group_fields[];
extern const struct field rule_fields[];
extern const struct field host_fields[];
extern const struct field tenant_fields[];

/* Opens the state, discovers the host and re-creates every vGPU the state holds, without
 * libvirt: a host's boot order puts this before libvirt (docs/tree.md, "Boot order").
 * engine_start then connects to libvirt in the background, retrying while it is down,
 * and brings the definitions in line once connected (host/libvirt says when). */
int engine_open(const struct engine_options *opts, struct engine **out,
		char *err, size_t err_size);
int engine_start(struct engine *e);
void engine_close(struct engine *e);

struct host_info {
	char name[256];
	char driver_version[64];
};
int engine_host_info(struct engine *e, struct host_info *out);

struct gpu_info {
	char bdf[16];
	char name[128];
	unsigned vendor, device, subsystem_vendor, subsystem_device, class_code;
	int numa_node;
	char iommu_group[16];
	char kernel_driver[32];
	const char *mode;           /* "mdev" | "vfio-sriov" | "none" (static string) */
	bool present;               /* false: gone from the bus, listed while referred to */
};
int engine_for_each_gpu(struct engine *e, engine_name_fn fn, void *ctx);
int engine_gpu_info(struct engine *e, const char *bdf, struct gpu_info *out);

/* Live: what the GPU hosts now. */
struct gpu_usage_info {
	char profile[PROFILE_MAX];  /* in use, "" when none */
	unsigned vgpus_used, vgpus_max;
};
int engine_gpu_usage(struct engine *e, const char *bdf, struct gpu_usage_info *out);

int engine_for_each_gpu_type(struct engine *e, const char *bdf, engine_name_fn fn, void *ctx);
int engine_gpu_type(struct engine *e, const char *bdf, const char *profile,
		    struct vgpu_type *out);
/* Live: vGPUs of this type that can still be created on the GPU. */
int engine_gpu_type_available(struct engine *e, const char *bdf, const char *profile);

struct profile_info {
	struct vgpu_type type;  /* type_id/name from the first GPU offering it */
	char gpus[4096];        /* BDFs, one per line */
};
int engine_for_each_profile(struct engine *e, engine_name_fn fn, void *ctx);
int engine_profile_info(struct engine *e, const char *profile, struct profile_info *out);
/* Live: vGPUs of the profile that can still be created, summed over GPUs. */
int engine_profile_available(struct engine *e, const char *profile);

/* Host settings (host/maintenance): read and set by name. */
int engine_host_get(struct engine *e, const char *field, char *buf, size_t size);
int engine_host_set(struct engine *e, const char *field, const char *value);
/* host/drift: what the host and libvirt show that differs from the desired state, one
 * line each, sorted; "" when all agrees (docs/tree.md, "Drift"). *out is malloc'd. */
int engine_host_drift(struct engine *e, char **out);
/* host/reconcile: "1" repairs what host/drift lists that can be repaired safely, one
 * events line per item, before returning; "0" does nothing. */
int engine_host_reconcile(struct engine *e, const char *value);

/* Resource groups and their rules (docs/tree.md, groups/). Fields are named as the
 * tree's files; values are strings without the trailing newline; list values (gpus)
 * are one item per line, each ending in "\n". Set functions validate, commit to the
 * state database and only then change what readers see; a refusal returns -errno and
 * leaves its message in the object's error and the event log. */
int engine_for_each_group(struct engine *e, engine_name_fn fn, void *ctx);
/* The identity of an object made by mkdir (object_id_next), or -ENOENT: a name removed
 * and made again is another object, so a file opened on the old one is not the new one's. */
int engine_group_id(struct engine *e, const char *name);
int engine_rule_id(struct engine *e, const char *group, const char *rule);
int engine_device_id(struct engine *e, const char *vm, const char *dev);
int engine_group_create(struct engine *e, const char *name);
int engine_group_delete(struct engine *e, const char *name);
int engine_group_get(struct engine *e, const char *name, const char *field,
		     char *buf, size_t size);
int engine_group_set(struct engine *e, const char *name, const char *field, const char *value);
/* Profiles the group would accept (offered by every GPU of the group). */
int engine_for_each_group_profile(struct engine *e, const char *name, engine_name_fn fn,
				  void *ctx);

int engine_for_each_rule(struct engine *e, const char *group, engine_name_fn fn, void *ctx);
int engine_rule_create(struct engine *e, const char *group, const char *rule);
int engine_rule_delete(struct engine *e, const char *group, const char *rule);
int engine_rule_get(struct engine *e, const char *group, const char *rule, const char *field,
		    char *buf, size_t size);
int engine_rule_set(struct engine *e, const char *group, const char *rule, const char *field,
		    const char *value);

/* gpus/<bdf>/group: the group owning the GPU; setting it adds/removes the GPU's own rule. */
int engine_gpu_group(struct engine *e, const char *bdf, char *buf, size_t size);
int engine_gpu_set_group(struct engine *e, const char *bdf, const char *group);

/* VMs: the libvirt domains of the connection, by name (docs/tree.md, vms/). Fields:
 * uuid state tenant restart_required definition error (get); tenant restart (set).
 * engine_vm_get returns a malloc'd value (a definition can be large). */
int engine_for_each_vm(struct engine *e, engine_name_fn fn, void *ctx);
/* 0 when a domain has this name, without asking libvirt when its name is known. */
int engine_vm_exists(struct engine *e, const char *name);
int engine_vm_get(struct engine *e, const char *vm, const char *field, char **value);
int engine_vm_set(struct engine *e, const char *vm, const char *field, const char *value);

/* Devices of a VM (vms/<vm>/devices/<dev>). Setting group (or count, or options) makes,
 * moves or removes vGPUs and updates the VM's definition before returning. */
int engine_for_each_device(struct engine *e, const char *vm, engine_name_fn fn, void *ctx);
int engine_device_create(struct engine *e, const char *vm, const char *dev);
int engine_device_delete(struct engine *e, const char *vm, const char *dev);
int engine_device_get(struct engine *e, const char *vm, const char *dev, const char *field,
		      char *buf, size_t size);
int engine_device_set(struct engine *e, const char *vm, const char *dev, const char *field,
		      const char *value);
int engine_for_each_device_vgpu(struct engine *e, const char *vm, const char *dev,
				engine_name_fn fn, void *ctx);

/* vGPU instances (vgpus/<uuid>): the engine's and, as orphans, unknown ones found on the
 * host. gpu limits the listing to one GPU when not NULL. Fields: gpu profile type_id
 * params vm device tenant state. */
int engine_for_each_vgpu(struct engine *e, const char *gpu, engine_name_fn fn, void *ctx);
int engine_vgpu_exists(struct engine *e, const char *uuid);
int engine_vgpu_get(struct engine *e, const char *uuid, const char *field, char *buf,
		    size_t size);

/* groups/<g>/devices/: "<vm>:<device>" for each device drawing from the group. */
int engine_for_each_group_device(struct engine *e, const char *group, engine_name_fn fn,
				 void *ctx);

/* Tenants (tenants/<t>; docs/tree.md, "Tenants"). Fields: description admin_uid
 * admin_gid (set), error (get). A tenant owns the VMs whose vms/<vm>/tenant names it. */
int engine_for_each_tenant(struct engine *e, engine_name_fn fn, void *ctx);
int engine_tenant_id(struct engine *e, const char *name);
int engine_tenant_create(struct engine *e, const char *name);
int engine_tenant_delete(struct engine *e, const char *name);
int engine_tenant_get(struct engine *e, const char *name, const char *field, char *buf,
		      size_t size);
int engine_tenant_set(struct engine *e, const char *name, const char *field,
		      const char *value);
/* The names of the VMs the tenant owns. */
int engine_for_each_tenant_vm(struct engine *e, const char *name, engine_name_fn fn,
			      void *ctx);

/* Who may reach what (docs/tree.md, "Who may do what"). A caller is a user with its
 * primary and supplementary groups; the tree's parts are the catalogue everyone reads,
 * the provider's side (host/, groups/, media/…), and objects with an owner (VMs,
 * vGPUs, tenants, shares): a tenant's, or the provider's (owner ""). */
struct caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
};
enum tree_part { PART_CATALOGUE, PART_PROVIDER, PART_OWNED };
/* 0 when c may reach an object in part (owned by owner, for PART_OWNED); -ENOENT when c
 * must not know of it, -EACCES when it may know but not read it. */
int engine_may_reach(struct engine *e, const struct caller *c, enum tree_part part,
		     const char *owner);
/* The owner of a VM (by name) or a vGPU: its tenant, "" for the provider's. */
int engine_vm_owner(struct engine *e, const char *vm, char *buf, size_t size);
int engine_vgpu_owner(struct engine *e, const char *uuid, char *buf, size_t size);
/* The user and group owning a tenant's objects: its admin_uid and admin_gid, root's
 * (0) where one is "" (*has_gid false then). */
int engine_tenant_admins(struct engine *e, const char *tenant, uid_t *uid, gid_t *gid,
			 bool *has_gid);

/* tenants/<t>/events: the tenant's lines of the log (as engine_events_*). */
long long engine_tenant_events_size(struct engine *e, const char *name);
size_t engine_tenant_events_read(struct engine *e, const char *name, long long offset,
				 char *buf, size_t size);

/* tenants/<t>/nodes/<node>: this host's name, and the others made by mkdir. */
int engine_for_each_tenant_node(struct engine *e, const char *tenant, engine_name_fn fn,
				void *ctx);
int engine_tenant_node_exists(struct engine *e, const char *tenant, const char *node);
int engine_tenant_node_create(struct engine *e, const char *tenant, const char *node);
int engine_tenant_node_delete(struct engine *e, const char *tenant, const char *node);
/* Shares (tenants/<t>/nodes/<node>/devices/<share>): device_fields (set), status error
 * (get). Setting group or count reserves vGPUs for the tenant at once. */
int engine_for_each_share(struct engine *e, const char *tenant, const char *node,
			  engine_name_fn fn, void *ctx);
int engine_share_id(struct engine *e, const char *tenant, const char *node,
		    const char *name);
int engine_share_create(struct engine *e, const char *tenant, const char *node,
			const char *name);
int engine_share_delete(struct engine *e, const char *tenant, const char *node,
			const char *name);
int engine_share_get(struct engine *e, const char *tenant, const char *node,
		     const char *name, const char *field, char *buf, size_t size);
int engine_share_set(struct engine *e, const char *tenant, const char *node,
		     const char *name, const char *field, const char *value);
/* tenants/<t>/shares/<share>: the tenant's shares on this host; fields group profile
 * vgpus_total vgpus_used vgpus_free. */
int engine_for_each_tenant_share(struct engine *e, const char *tenant, engine_name_fn fn,
				 void *ctx);
int engine_tenant_share_get(struct engine *e, const char *tenant, const char *name,
			    const char *field, char *buf, size_t size);

/* The media store (media/; docs/tree.md, "Media, drivers and guest ISOs"). Names follow
 * media_name_ok (media.h); dot-names are staging files. A handle's data is read and
 * written with media.h's media_handle_* functions, without the engine; opening, the first
 * close (flush: an upload is published then) and the changes by name go through here,
 * which refuse with EBUSY what would change a file a group uses. */
struct media_handle;
struct stat;
struct timespec;
/* Published and staging files, as they are on disk. */
int engine_media_list(struct engine *e, engine_name_fn fn, void *ctx);
int engine_media_stat(struct engine *e, const char *name, struct stat *st);
int engine_media_open(struct engine *e, const char *name, int flags, bool create, mode_t mode,
		      uid_t uid, gid_t gid, struct media_handle **out);
int engine_media_flush(struct engine *e, struct media_handle *h);
/* Flushes (when not yet done) and closes. */
int engine_media_release(struct engine *e, struct media_handle *h);
int engine_media_unlink(struct engine *e, const char *name);
int engine_media_rename(struct engine *e, const char *from, const char *to, unsigned flags);
int engine_media_truncate(struct engine *e, const char *name, off_t size);
int engine_media_chmod(struct engine *e, const char *name, mode_t mode);
int engine_media_chown(struct engine *e, const char *name, uid_t uid, gid_t gid);
int engine_media_utimens(struct engine *e, const char *name, const struct timespec tv[2]);

/* media-info/<name>/: size sha256 kind state used_by error, for published files. */
int engine_for_each_media(struct engine *e, engine_name_fn fn, void *ctx);
int engine_media_info(struct engine *e, const char *name, const char *field, char *buf,
		      size_t size);

/* drivers/<version>/: bundles host_version linux_guest_version windows_guest_version
 * vgpu_branch vgpu_release host_package guest_files running supported gpus; and
 * drivers/compatible. */
int engine_for_each_driver(struct engine *e, engine_name_fn fn, void *ctx);
int engine_driver_get(struct engine *e, const char *version, const char *field, char *buf,
		      size_t size);
int engine_drivers_compatible(struct engine *e, char *buf, size_t size);

/* Refusals found before the engine is reached (a front end's own checks): recorded like
 * the engine's own. object is a tree path ("groups/g1"); returns err. */
int engine_refuse(struct engine *e, const char *object, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The last refused write on object, or a current conflict; "" when none. */
int engine_object_error(struct engine *e, const char *object, char *buf, size_t size);

/* The event log (/vgpu/events). */
long long engine_events_size(struct engine *e);
size_t engine_events_read(struct engine *e, long long offset, char *buf, size_t size);
/* fn runs (under the engine lock) after each new event; it must not call the engine. */
void engine_on_event(struct engine *e, void (*fn)(void *ctx), void *ctx);

/* The operation counters (/vgpu/host/counters, counters.h): one "name value\n" line per
 * counter, in enum counter order, read under the engine lock (so not in the middle of a
 * change). Returns the length or -errno (-ENAMETOOLONG when buf is too small). */
int engine_counters(struct engine *e, char *buf, size_t size);

/* Every metric (docs/tree.md, "Metrics"): /vgpu/metrics in OpenMetrics, the
 * --metrics-textfile file in the Prometheus text format, from one rendering of the
 * engine's model under the lock. *out is malloc'd (NULL on failure). */
int engine_metrics(struct engine *e, enum exposition_format format, char **out,
		   size_t *len);

#endif
