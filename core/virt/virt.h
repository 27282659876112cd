/* virt.h — the engine's view of libvirt: list and look up domains, read and redefine their
 * XML, restart them so that a new persistent definition applies, and hear about lifecycle
 * changes as they happen.
 *
 * Why a module of its own: it hides libvirt's handles, its global event loop and its error
 * objects behind -errno returns, so the engine can be tested against the test driver
 * (test:///default, or test+unix:///default?socket=… served by tools/test-libvirtd.sh)
 * exactly as it runs against qemu:///system.
 *
 * Threads: events arrive on a process-wide event thread (started by the first virt_new,
 * stopped by the last virt_close). The other functions may be called from any thread,
 * virt_reopen included; none while virt_close runs on the same struct virt.
 *
 * Errors: 0 (or a count) on success, -errno on failure with libvirt's message (one line)
 * in err: -ENOENT no such domain, -EINVAL bad XML or unsupported configuration, -EBUSY the
 * domain is in the wrong state, -EEXIST a clashing domain exists, -ENOTCONN the connection
 * is closed (call virt_reopen), -EACCES denied, -EOPNOTSUPP unsupported by the driver,
 * -ETIMEDOUT, and -EIO for everything else. */
#ifndef VGPUFS_VIRT_H
#define VGPUFS_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

struct virt;

/* VIRT_DISCONNECTED: the connection closed (uuid and name ""); call virt_reopen. */
enum virt_event { VIRT_DEFINED, VIRT_UNDEFINED, VIRT_STARTED, VIRT_STOPPED, VIRT_OTHER,
		  VIRT_DISCONNECTED };

/* Called on the event thread. It must not call virt_* functions and should only queue
 * work: virt_close waits for a running call to return, so fn must never wait for a lock
 * that is held around virt_close. VIRT_DEFINED also fires when a domain is redefined,
 * and under the new name when it is renamed (the old name's undefine is VIRT_OTHER). */
typedef void (*virt_event_fn)(enum virt_event ev, const char *uuid, const char *name, void *ctx);

/* Sets up uri's struct virt without connecting (a daemon that must not wait for libvirt
 * at start connects later with virt_reopen); functions return -ENOTCONN until then. */
int virt_new(const char *uri, virt_event_fn fn, void *ctx, struct virt **out,
	     char *err, size_t err_size);

/* Whether the connection is open and, for a remote one, still alive. */
bool virt_connected(struct virt *v);
const char *virt_uri(const struct virt *v);

/* virt_new, then connects: opens uri and, unless fn is NULL, registers a lifecycle callback calling fn(…, ctx).
 * libvirt's default event loop is registered once per process, before any connection is
 * opened, and run on the event thread. A connection that drops is not reopened behind the
 * caller's back: functions then return -ENOTCONN until virt_reopen succeeds. */
int virt_open(const char *uri, virt_event_fn fn, void *ctx, struct virt **out,
	      char *err, size_t err_size);

/* Closes the connection and opens uri again, registering fn again (and a close callback
 * that reports VIRT_DISCONNECTED). Safe beside the other functions, from any thread. On failure v stays
 * usable for virt_close and another virt_reopen; everything else returns -ENOTCONN. */
int virt_reopen(struct virt *v, char *err, size_t err_size);

/* Deregisters the callback (no call to fn starts or is still running once this returns),
 * closes the connection and, if this was the last one, stops the event thread. NULL is a
 * no-op. */
void virt_close(struct virt *v);

struct virt_domain {
	char uuid[UUID_STR_LEN];
	char name[256];
	bool active;       /* running (or paused) */
	bool persistent;   /* virt_list only: the others do not ask (true) */
	int state;         /* virDomainState */
};

/* All domains, sorted by name, in a malloc'd array (NULL when there are none). */
int virt_list(struct virt *v, struct virt_domain **out, size_t *n, char *err, size_t err_size);

/* The domain whose UUID, or else whose name, is uuid_or_name; -ENOENT if none. */
int virt_lookup(struct virt *v, const char *uuid_or_name, struct virt_domain *out,
		char *err, size_t err_size);
/* The same without asking its state (left VIR_DOMAIN_NOSTATE): the lookup alone says
 * who it is and whether it is active. */
int virt_find(struct virt *v, const char *uuid_or_name, struct virt_domain *out,
	      char *err, size_t err_size);

/* The domain's XML in a malloc'd string. inactive: the persistent definition, with secrets
 * (graphics passwords) included so that it can be edited and given to virt_define without
 * losing them; otherwise the live definition, without secrets. uuid may also be a name.
 * info, unless NULL, gets the domain's identity and whether it is active, from the same
 * lookup and without another call (its state is left VIR_DOMAIN_NOSTATE). */
int virt_xml(struct virt *v, const char *uuid, bool inactive, char **xml,
	     struct virt_domain *info, char *err, size_t err_size);

/* Defines a domain, or replaces the persistent definition of the one with this UUID. */
int virt_define(struct virt *v, const char *xml, char *err, size_t err_size);

/* Stops the domain (graceful shutdown, waiting up to timeout_s, then destroy) and starts it
 * again so that its persistent definition applies. A paused domain is destroyed at once. A
 * stopped domain is left stopped and 0 is returned. A transient domain is refused with
 * -EINVAL, as stopping would remove it. */
int virt_restart(struct virt *v, const char *uuid, int timeout_s, char *err, size_t err_size);

/* Whether uri answers, for `vgpufs --check`: opens it read-only, without events, asks
 * for libvirt's version (major * 1000000 + minor * 1000 + release) and the number of
 * domains, active and inactive, and closes it again. */
int virt_probe(const char *uri, unsigned long *libvirt_version, int *n_domains,
	       char *err, size_t err_size);

#endif
