/* engine_internal.h — the engine's state, shared by the engine_*.c files that implement
 * the public API (engine.h) area by area. Every function here expects the lock held. */
#ifndef VGPUFS_ENGINE_INTERNAL_H
#define VGPUFS_ENGINE_INTERNAL_H

#include <pthread.h>
#include "devices.h"
#include "engine.h"
#include "events.h"
#include "groups.h"
#include "host.h"
#include "placement.h"
#include "store.h"
#include "virt.h"

/* A domain we redefined: the DEFINED events libvirt still owes us for it. */
struct own_define {
	char uuid[UUID_STR_LEN];
	unsigned pending;
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
extern const struct field host_fields[];

struct engine {
	pthread_mutex_t lock;
	char host_name[256];
	char state_dir[PATH_MAX];
	struct host host;
	struct store store;
	struct groups groups;
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
	pthread_t worker;
	bool worker_started;
};

/* Runs one engine operation under the lock; the body is a statement using `e`. */
#define WITH_LOCK(e, body)                            \
	do {                                          \
		pthread_mutex_lock(&(e)->lock);       \
		body;                                 \
		pthread_mutex_unlock(&(e)->lock);     \
	} while (0)

/* Records a refused change on object (its error file and the event log); returns err. */
int refuse(struct engine *e, const char *object, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Runs `change` (statements against e->store) in one committed transaction. */
int commit_change(struct engine *e, const char *object, int (*change)(struct engine *e, void *arg),
		  void *arg);

/* engine_groups.c */
/* The GPUs of group g that offer its profile, with their vGPU count and free room. */
int group_candidates(struct engine *e, const struct group *g, struct gpu **gpus,
		     struct placement_gpu *load, size_t *n);

/* engine_devices.c */
/* Frees the devices of VMs libvirt no longer has (missed events, a libvirtd restart). */
void devices_forget_missing_vms(struct engine *e);
/* Brings the engine's journal and the host in line at start: rolls back unacknowledged
 * allocations, finishes removals, frees vGPUs of VMs that are gone, re-creates missing
 * vGPUs and re-applies every VM's devices to its definition. */
int devices_recover(struct engine *e);
/* A domain was undefined: its vGPUs and devices go. */
void devices_vm_gone(struct engine *e, const char *vm_uuid, const char *vm_name);
/* Re-applies a VM's devices to its persistent definition when they differ. */
int vm_apply(struct engine *e, const char *vm_uuid, char *err, size_t err_size);
/* unassigned | allocated | restart-required | attached | error */
const char *device_status(struct engine *e, const struct device *d, bool vm_active);
/* "vms/<vm>/devices/<dev>", by the VM's name (its UUID when libvirt does not know it). */
void device_path(struct engine *e, const struct device *d, char *buf, size_t size);
/* True when a device of the group has vGPUs (groups cannot go while so); *device names it. */
bool group_in_use(struct engine *e, const char *group, char *device, size_t size);

/* engine_vms.c */
/* We redefined the domain: its next DEFINED event is our own and is skipped. */
void vms_expect_own_define(struct engine *e, const char *vm_uuid);
int vms_start_worker(struct engine *e);
void vms_stop_worker(struct engine *e);
void vms_on_event(enum virt_event ev, const char *uuid, const char *name, void *ctx);

#endif
