/* engine_internal.h — the engine's state, shared by the engine_*.c files that implement
 * the public API (engine.h) area by area. Every function here expects the lock held. */
#ifndef VGPUFS_ENGINE_INTERNAL_H
#define VGPUFS_ENGINE_INTERNAL_H

#include <pthread.h>
#include "cluster_store.h"
#include "devices.h"
#include "domxml.h"
#include "engine.h"
#include "events.h"
#include "groups.h"
#include "host.h"
#include "media.h"
#include "metrics.h"
#include "node_store.h"
#include "placement.h"
#include "store.h"
#include "tenants.h"
#include "virt.h"

/* A domain we redefined: the DEFINED events libvirt still owes us for it. */
struct own_define {
	char uuid[UUID_STR_LEN];
	unsigned pending;
};

/* A domain's name as last heard of (a listing, a lookup, an event): vms/<name> paths are
 * resolved here without asking libvirt. */
struct vm_name {
	char uuid[UUID_STR_LEN];
	char name[256];
};

struct vm_event {
	enum virt_event event;
	char uuid[UUID_STR_LEN];
	char name[256];
};

/* host/: the node's own settings, stored as key/value rows (host_fields). */
struct host_settings {
	bool maintenance;
};

/* A guest ISO being made (engine_media.c), for every group whose driver and token ask
 * for the same image. */
enum iso_state { ISO_QUEUED, ISO_BUILDING, ISO_FAILED };
struct iso_job {
	char iso[MEDIA_NAME_MAX + 1];  /* the media file it makes */
	enum iso_state state;
	char error[MESSAGE_MAX];
};

struct engine {
	pthread_mutex_t lock;
	/* The tree path of the object the operation in progress is about ("vms/v/devices/d"):
	 * set by each public function that changes something, under the lock, and what
	 * refuse() and commit_change() record a refusal on. */
	char object[OBJECT_MAX];
	char host_name[256];
	char state_dir[PATH_MAX];
	struct host host;
	struct store store;
	struct groups groups;
	struct tenants tenants;
	struct devices devices;
	struct events events;
	struct virt *virt;
	struct host_settings settings;
	/* libvirt lifecycle events, queued by libvirt's thread for the worker */
	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	struct vm_event *queue;
	size_t n_queue;
	bool stopping;
	struct own_define *own_defines;  /* under the engine lock */
	size_t n_own_defines;
	struct vm_name *vm_names;        /* under the engine lock */
	size_t n_vm_names;
	pthread_t worker;
	bool worker_started;
	bool libvirt_lost;               /* under queue_lock: the connection closed */
	bool libvirt_attached;           /* under the engine lock: connected, definitions
					  * brought in line (host/libvirt) */
	struct media_store media;        /* under the engine lock, but handles' data */
	struct iso_job *iso_jobs;        /* under the engine lock */
	size_t n_iso_jobs;
	pthread_cond_t iso_cond;         /* a job was queued, or the engine stops */
	pthread_t iso_builder;
	bool iso_builder_started;
	bool iso_stopping;
	struct metrics metrics;          /* under the engine lock */
	void (*on_event)(void *ctx);     /* engine_on_event's */
	void *on_event_ctx;
	struct hotplug *hotplug;         /* hotplug.c: the uevent listener and rescan timer */
};

/* Holds the engine lock from here to the end of the enclosing block (each public function
 * of engine.h starts with it; see its note on concurrency). */
static inline struct engine *engine_lock(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	return e;
}
static inline void engine_unlockp(struct engine **e)
{
	pthread_mutex_unlock(&(*e)->lock);
}
#define LOCK_ENGINE(e) \
	struct engine *engine_locked_ __attribute__((cleanup(engine_unlockp), unused)) = \
		engine_lock(e)

/* Records a refused change on e->object (its error file and the event log); returns err. */
int refuse(struct engine *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets e->object for the operation in progress. */
void engine_object(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs `change` (statements against e->store) in one committed transaction. */
int commit_change(struct engine *e, int (*change)(struct engine *e, void *arg), void *arg);

/* What gpus/<bdf>/{profile,vgpus_used,vgpus_max} and profiles/<P>/available read. */
int gpu_usage_get(struct engine *e, struct gpu *g, struct gpu_usage_info *out);
int profile_available(struct engine *e, const char *profile);
/* A profile is listed once, at the first GPU (in BDF order) that offers it. */
bool first_offer(const struct host *h, size_t gpu_index, const char *profile);

/* engine_groups.c */
/* The GPUs of group g that offer its profile, with their vGPU count and free room. */
int group_candidates(struct engine *e, const struct group *g, struct gpu **gpus,
		     struct placement_gpu *load, size_t *n);
struct capacity {
	unsigned total, used, free;
};
/* Over the group's GPUs, for its profile: instances a GPU can hold, vGPUs of the profile
 * there now, and how many more the host can make now (shares not counted). */
int group_capacity(struct engine *e, const struct group *g, struct capacity *c);
/* A file of groups/<g>/ (engine_group_get). */
int group_get(struct engine *e, struct group *g, const char *field, char *buf, size_t size);

/* engine_rules.c */
/* Reports in events each rule that finds a card other than the one it recorded (once,
 * until what it finds changes); call after the host's GPUs change. */
void rules_note_hardware(struct engine *e);
/* -ENODEV when gpu is out of g because a rule of g finds it is not the card it
 * recorded, and why in one line; else 0. No vGPU of g is made there then. */
int group_gpu_unconfirmed(struct engine *e, const struct group *g, const struct gpu *gpu,
			  char *why, size_t size);

/* engine_tenants.c */
/* events.copy: a line about a tenant's object goes to its log too. */
void tenant_log_copy(void *ctx, const char *line, size_t len);

/* engine_shares.c */
/* The share a tenant VM's device names (one of its tenant's on this host), or NULL. */
struct share *device_share(struct engine *e, const struct device *d);
/* The provider group a device draws from: its group, or its share's; NULL when none. */
struct group *device_group(struct engine *e, const struct device *d);
/* vGPUs the devices of the share's tenant hold from it. */
unsigned share_used(struct engine *e, const struct share *s);
/* What the shares of g on this host reserve and do not use, except's left out. */
unsigned group_unused_reserve(struct engine *e, const struct group *g,
			      const struct share *except);
/* The sum of the counts of g's shares on this host. */
unsigned group_reserved(struct engine *e, const struct group *g);
/* A share naming the group, or NULL (the group cannot go, nor change profile, while so). */
const struct share *group_share(struct engine *e, const char *group);
/* A file of tenants/<t>/shares/<share>/ (engine_tenant_share_get). */
int tenant_share_get(struct engine *e, const struct share *s, const char *field, char *buf,
		     size_t size);
/* "tenants/<t>/nodes/<node>/devices/<share>" */
void share_path(const struct share *s, char *buf, size_t size);
/* The checks of device d as want would have it (field being written) against what its
 * VM's owner may draw on: a provider VM names a group; a tenant VM one of its tenant's
 * shares, whose options are its defaults (taken when group changes) and its limits
 * (EACCES), and whose free vGPUs bound its count (ENOSPC). */
int check_device_source(struct engine *e, const struct device *d, struct device *want,
			const char *field);

/* engine_devices.c */
/* The vGPUs of device d, at most max, in the order they were made. */
size_t device_vgpus(struct engine *e, const struct device *d, struct vgpu **out, size_t max);
/* unassigned | allocated | restart-required | attached | lost | error */
const char *device_status(struct engine *e, const struct device *d, bool vm_active);
/* "vms/<vm>/devices/<dev>", by the VM's name (its UUID when libvirt does not know it). */
void device_path(struct engine *e, const struct device *d, char *buf, size_t size);
/* True when a device of the group has vGPUs (groups cannot go while so); *device names it. */
bool group_in_use(struct engine *e, const char *group, char *device, size_t size);

/* definition.c */
/* The path of the guest-driver ISO device d attaches, "" when none. */
void device_cdrom(struct engine *e, const struct device *d, char *buf, size_t size);
void to_domxml_vgpu(struct engine *e, const struct vgpu *v, struct domxml_vgpu *out);
/* The devices of a VM as its definition should hold them (removing vGPUs left out): as
 * recorded, but for `want` (NULL for none). owned_set_free frees it, built or not. */
struct owned_set {
	struct domxml_device *devices;
	struct domxml_vgpu *vgpus;
	size_t n;
};
int owned_set_build(struct engine *e, const char *vm_uuid, const struct device *want,
		    struct owned_set *s);
void owned_set_free(struct owned_set *s);
/* Applies a VM's devices to its persistent definition when they differ: as recorded, but
 * for `want` (NULL for none), a device as a change would leave it. */
int vm_apply(struct engine *e, const char *vm_uuid, const struct device *want, char *err,
	     size_t err_size);
/* The same, on xml: the persistent definition the caller has just read. */
int vm_apply_to(struct engine *e, const char *vm_uuid, const char *xml,
		const struct device *want, char *err, size_t err_size);

/* allocation.c */
struct plan {
	struct vgpu *vgpus;   /* planned, then journaled as 'creating' */
	size_t n;
};
/* Journals count new vGPUs for `want` as 'creating' and makes them on the host. */
int allocate(struct engine *e, const struct device *want, unsigned count, struct plan *p);
/* Undoes an allocation that was not acknowledged: host, memory, journal. */
void rollback_plan(struct engine *e, struct plan *p);
int vgpu_make(struct engine *e, const struct vgpu *v);
int vgpu_unmake(struct engine *e, const struct vgpu *v);

/* change.c */
/* Moves d to `want` (or deletes it): the single path every device change takes. */
int change_device(struct engine *e, struct device *d, const struct device *want,
		  bool delete_device);
/* Removes a vGPU whose row says 'removing': host, journal, memory. */
void finish_removal(struct engine *e, const char *uuid);

/* recovery.c */
/* Frees the devices of VMs libvirt no longer has (missed events, a libvirtd restart). */
void devices_forget_missing_vms(struct engine *e);
/* Once libvirt is connected (at start, and again after it was lost): rolls back
 * unacknowledged allocations, finishes removals, frees vGPUs of VMs that are gone and
 * re-applies every VM's devices to its definition. */
void devices_recover_definitions(struct engine *e);
/* A domain was undefined: its vGPUs and devices go. */
void devices_vm_gone(struct engine *e, const char *vm_uuid, const char *vm_name);
/* Makes a vGPU the host lost again, with the same UUID, slot and vgpu_params (its type
 * as the running driver names its profile): 1 when made, 0 when it exists, -errno when
 * it could not be (its device's error and events say why). */
int vgpu_recreate(struct engine *e, struct vgpu *v);
/* Makes the recorded vGPUs that are missing on the host (those of GPU gpu_bdf only, when
 * not NULL) again, with the same UUIDs, slots and options; a failure is recorded on the
 * device. Returns how many were made. */
size_t vgpus_recreate(struct engine *e, const char *gpu_bdf);

/* hotplug.c */
/* Starts the thread that follows the host's changes: kernel uevents, and a rescan every
 * interval_s seconds (0: none). Without a uevent socket the timer alone works. */
int hotplug_start(struct engine *e, unsigned interval_s);
/* Stops it (first thing at close: it takes the engine lock). */
void hotplug_stop(struct engine *e);
/* Shared with discover(): the GPU models' types known from earlier starts, and keeping
 * those that had to be read. */
void catalogues_load_or_log(struct engine *e, struct catalogues *known);
void catalogues_keep(struct engine *e, struct catalogues *known);

/* engine_media.c */
int media_open(struct engine *e, char *err, size_t err_size);
/* Starts the thread that makes guest ISOs (once the engine is open). */
int media_start(struct engine *e);
void media_close(struct engine *e);
/* The uses of a media file by groups, "groups/G field" lines into buf; returns how many. */
size_t media_uses(struct engine *e, const char *name, char *buf, size_t size);
/* commit_change() steps: a media file's row (arg: struct media_entry *), its deletion
 * (arg: the name). */
int media_row_save(struct engine *e, void *entry);
int media_row_delete(struct engine *e, void *name);

/* drivers.c */
/* A valid bundle or host package: a driver drivers/ lists. */
bool media_is_driver(const struct media_entry *m);
/* The bundle a driver version is taken from: the lexically first; with guest_files, the
 * first that holds guest files. NULL when none. */
const struct media_entry *driver_bundle(struct engine *e, const char *version,
					bool guest_files);
/* The one check of a group's driver as want would have it (refuses, or normalises a
 * bundle's name to its version). */
int validate_driver(struct engine *e, const struct group *g, struct group *want);
/* Whether the group's driver can drive gpu (the compatibility data says not): refuses. */
int media_check_gpu_joins(struct engine *e, const struct group *g, const struct gpu *gpu);
/* The host driver a reboot would need ("" when none). */
void media_pending_driver(struct engine *e, char *buf, size_t size);

/* guest_isos.c */
/* The checks of a group's driver, make_guest_iso, driver_iso and client_token as `want`
 * would have them (field is the one being written): refuses, or normalises want (a
 * bundle's name becomes its version; a guest ISO already made becomes driver_iso). */
int media_check_group(struct engine *e, const struct group *g, struct group *want,
		      const char *field);
/* After a write of field made group `was` g (g NULL: deleted): VM definitions follow its
 * driver_iso, guest ISOs are queued (again, after a failure, when make_guest_iso is
 * written) or removed. */
void media_group_changed(struct engine *e, const struct group *was, const struct group *g,
			 const char *field);
/* groups/<g>/iso_status and iso_error. */
int group_iso_field(struct engine *e, const struct group *g, const char *field, char *buf,
		    size_t size);
/* Points groups at the images that exist, queues those missing, removes unused ones. */
void iso_settle(struct engine *e);
int iso_start(struct engine *e);
void iso_stop(struct engine *e);

/* engine_vms.c */
/* The UUID of the domain named name: from the names heard of, else asked of libvirt (by
 * name only) and remembered; -ENOENT when libvirt has no such domain. */
int vm_resolve(struct engine *e, const char *name, char uuid[UUID_STR_LEN]);
/* Learns every domain's name in one call (at start, so that a first write names no
 * domain libvirt must be asked for). */
void vm_names_learn(struct engine *e);
/* The domain now, by UUID (its current name, whether it is active): one libvirt lookup;
 * with_state also asks its state (one more call). */
int vm_lookup(struct engine *e, const char *uuid, struct virt_domain *vm, bool with_state);
/* The domain's name ("" when libvirt has no such domain), asking libvirt only when the
 * name is not known. */
int vm_name_of(struct engine *e, const char *uuid, char *buf, size_t size);
/* The name vgpus/ gives a vfio-sriov vGPU vgpufs did not make, from its VF's address. */
void orphan_uuid(const char *slot, char *out);
/* We redefined the domain: its next DEFINED event is our own and is skipped. */
void vms_expect_own_define(struct engine *e, const char *vm_uuid);
int vms_start_worker(struct engine *e);
void vms_stop_worker(struct engine *e);
void vms_on_event(enum virt_event ev, const char *uuid, const char *name, void *ctx);
/* A vGPU as vgpus/ lists it: the engine's, or one on the host it does not know. */
struct vgpu_view {
	char uuid[UUID_STR_LEN];
	const struct vgpu *record;   /* NULL for an orphan */
	struct host_vgpu host;
};
/* Every vGPU: the engine's, then those on the host it does not know (orphans). */
int for_each_vgpu_view(struct engine *e, int (*fn)(const struct vgpu_view *v, void *ctx),
		       void *ctx);
/* A file of vgpus/<uuid>/ (engine_vgpu_get). */
int vgpu_view_get(struct engine *e, const struct vgpu_view *v, const char *field, char *buf,
		  size_t size);

#endif
