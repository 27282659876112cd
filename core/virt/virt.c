/* virt.c — see virt.h.
 *
 * The event loop. libvirt delivers events only while some thread runs its event loop, and
 * that loop (the default implementation, a GLib main context) is global to the process.
 * So there is one event thread per process, shared by every struct virt and counted by
 * event_loop.users. To stop it without polling, a disabled timer is armed to fire at once:
 * that wakes virEventRunDefaultImpl(), which returns, and the thread sees running == false.
 *
 * Why the barrier: libvirt drops its locks while it calls a callback, so a deregistration
 * can return while our callback is still running on the event thread. Before virt_close
 * frees anything it waits for a timer to fire on that thread; the thread runs one callback
 * at a time, so by then any earlier call of ours has returned.
 *
 * libvirt's habit of printing every error to stderr is switched off for the whole process:
 * errors reach the caller through err instead.
 *
 * Every call that asks the daemon something is written COUNTED(counter, call), so that
 * host/counters shows what an operation cost (counters.h). Calls answered from what the
 * client already holds (a domain's name and UUID, virConnectIsAlive) are not counted. */
#include "virt.h"
#include "counters.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <uuid/uuid.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct virt {
	char *uri;
	/* Written by virt_reopen and virt_close only; read under a read lock, held only
	 * while v->conn itself is used (a domain handle keeps its own reference to it). */
	pthread_rwlock_t lock;
	virConnectPtr conn;        /* NULL until virt_reopen succeeds */
	int callback_id;           /* -1: none registered */
	virt_event_fn fn;
	void *ctx;
};

static inline void domain_freep(virDomainPtr *d) { if (*d) virDomainFree(*d); }
static inline void stats_freep(virDomainStatsRecordPtr **r) { if (*r) virDomainStatsRecordListFree(*r); }
#define _cleanup_domain_ __attribute__((cleanup(domain_freep)))
#define _cleanup_stats_ __attribute__((cleanup(stats_freep)))

#define COUNTED(counter, call) (count(counter), (call))

static inline void rwlock_unlockp(pthread_rwlock_t **l) { pthread_rwlock_unlock(*l); }
/* Holds v->lock for reading to the end of the enclosing block. */
#define READ_CONN(v) \
	__attribute__((cleanup(rwlock_unlockp), unused)) pthread_rwlock_t *conn_lock_ = \
		(pthread_rwlock_rdlock(&(v)->lock), &(v)->lock)

#define KEEPALIVE_INTERVAL_S 5     /* a silent daemon counts as gone after 5 * (1 + 3) s */
#define KEEPALIVE_COUNT 3
#define SHUTDOWN_POLL_MS 100

/* ---- errors ---- */

static void no_error_output(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error; /* every error is reported through err instead */
}

/* The errno for libvirt's last error on this thread; invalid is what
 * VIR_ERR_OPERATION_INVALID (the domain is in the wrong state for it) means to the caller. */
static int last_errno(int invalid)
{
	virErrorPtr e = virGetLastError();

	if (!e)
		return -EIO;
	switch (e->code) {
	case VIR_ERR_NO_DOMAIN:
		return -ENOENT;
	case VIR_ERR_OPERATION_INVALID:
		return invalid;
	case VIR_ERR_DOM_EXIST:
		return -EEXIST;
	case VIR_ERR_XML_ERROR:
	case VIR_ERR_XML_DETAIL:
	case VIR_ERR_XML_INVALID_SCHEMA:
	case VIR_ERR_CONFIG_UNSUPPORTED:
	case VIR_ERR_INVALID_ARG:
	case VIR_ERR_NO_NAME:
	case VIR_ERR_NO_OS:
	case VIR_ERR_OS_TYPE:
		return -EINVAL;
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_OPERATION_UNSUPPORTED:
		return -EOPNOTSUPP;
	case VIR_ERR_OPERATION_DENIED:
	case VIR_ERR_ACCESS_DENIED:
	case VIR_ERR_AUTH_FAILED:
	case VIR_ERR_AUTH_CANCELLED:
	case VIR_ERR_AUTH_UNAVAILABLE:
		return -EACCES;
	case VIR_ERR_OPERATION_TIMEOUT:
	case VIR_ERR_AGENT_UNRESPONSIVE:
		return -ETIMEDOUT;
	case VIR_ERR_NO_CONNECT:
	case VIR_ERR_INVALID_CONN:
	case VIR_ERR_RPC:
		return -ENOTCONN;
	case VIR_ERR_SYSTEM_ERROR: /* e.g. "Cannot write data: Broken pipe" on the socket */
		return e->domain == VIR_FROM_RPC || e->domain == VIR_FROM_REMOTE ? -ENOTCONN : -EIO;
	default:
		return -EIO;
	}
}

/* Copies libvirt's last message into err as one line and returns its errno. */
static int fail(char *err, size_t err_size, int invalid)
{
	int r = last_errno(invalid);

	if (err_size) {
		str_copy(err, err_size, virGetLastErrorMessage());
		for (char *p = err; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	virResetLastError();
	return r;
}

/* ---- the process-wide event thread ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned users;
	pthread_t thread;
	int wake_timer;
	atomic_bool running;
	bool barrier_done;
	int init_result;
} event_loop = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .wake_timer = -1 };

static pthread_once_t libvirt_once = PTHREAD_ONCE_INIT;

static void libvirt_init(void)
{
	virSetErrorFunc(NULL, no_error_output);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
		event_loop.init_result = -EIO;
}

static void *event_thread(void *arg)
{
	(void)arg;
	while (atomic_load(&event_loop.running))
		virEventRunDefaultImpl();
	return NULL;
}

static void wake_up(int timer, void *opaque)
{
	(void)opaque;
	virEventUpdateTimeout(timer, -1);
}

/* Starts the event thread for the first user. */
static int event_loop_acquire(char *err, size_t err_size)
{
	int r = 0;

	pthread_mutex_lock(&event_loop.lock);
	if (event_loop.users == 0) {
		event_loop.wake_timer = virEventAddTimeout(-1, wake_up, NULL, NULL);
		atomic_store(&event_loop.running, true);
		if (event_loop.wake_timer < 0) {
			r = fail(err, err_size, -EIO);
		} else if ((r = -pthread_create(&event_loop.thread, NULL, event_thread, NULL)) < 0) {
			str_printf(err, err_size, "cannot start the libvirt event thread: %s",
				   strerror(-r));
			virEventRemoveTimeout(event_loop.wake_timer);
		}
	}
	if (r == 0)
		event_loop.users++;
	pthread_mutex_unlock(&event_loop.lock);
	return r;
}

static void barrier_reached(int timer, void *opaque)
{
	(void)opaque;
	virEventUpdateTimeout(timer, -1); /* fire once: the waiter removes it */
	pthread_mutex_lock(&event_loop.lock);
	event_loop.barrier_done = true;
	pthread_cond_broadcast(&event_loop.cond);
	pthread_mutex_unlock(&event_loop.lock);
}

/* Returns once the event thread has finished whatever callback it was running.
 * Called with event_loop.lock held. */
static void event_loop_barrier(void)
{
	int timer;

	event_loop.barrier_done = false;
	timer = virEventAddTimeout(0, barrier_reached, NULL, NULL);
	if (timer < 0)
		return;
	while (!event_loop.barrier_done)
		pthread_cond_wait(&event_loop.cond, &event_loop.lock);
	virEventRemoveTimeout(timer);
}

/* Stops the event thread after its last user; otherwise waits out a running callback. */
static void event_loop_release(void)
{
	pthread_mutex_lock(&event_loop.lock);
	if (--event_loop.users > 0) {
		event_loop_barrier();
	} else {
		atomic_store(&event_loop.running, false);
		virEventUpdateTimeout(event_loop.wake_timer, 0);
		pthread_join(event_loop.thread, NULL);
		virEventRemoveTimeout(event_loop.wake_timer);
		event_loop.wake_timer = -1;
	}
	pthread_mutex_unlock(&event_loop.lock);
}

/* ---- the connection ---- */

static enum virt_event event_kind(int event, int detail)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED:
		return VIRT_DEFINED;
	case VIR_DOMAIN_EVENT_UNDEFINED:
		/* a rename undefines the old name, then defines the new one: same domain */
		return detail == VIR_DOMAIN_EVENT_UNDEFINED_RENAMED ? VIRT_OTHER : VIRT_UNDEFINED;
	case VIR_DOMAIN_EVENT_STARTED:
		return VIRT_STARTED;
	case VIR_DOMAIN_EVENT_STOPPED:
		return VIRT_STOPPED;
	default:
		return VIRT_OTHER;
	}
}

/* Runs on the event thread. Name and UUID travel with the event: no call to the daemon. */
static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct virt *v = opaque;
	char uuid[VIR_UUID_STRING_BUFLEN];
	const char *name = virDomainGetName(dom);

	(void)conn;
	if (virDomainGetUUIDString(dom, uuid) == 0 && name)
		v->fn(event_kind(event, detail), uuid, name, v->ctx);
	return 0;
}

/* Runs on the event thread when the connection closes (the daemon stopped, keepalive
 * gave up): tells the owner, who calls virt_reopen. */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct virt *v = opaque;

	(void)conn, (void)reason;
	if (v->fn)
		v->fn(VIRT_DISCONNECTED, "", "", v->ctx);
}

static void connection_drop(struct virt *v)
{
	if (!v->conn)
		return;
	if (v->fn && virConnectUnregisterCloseCallback(v->conn, on_close) < 0)
		virResetLastError();
	if (v->callback_id >= 0 &&
	    COUNTED(COUNT_LIBVIRT_OTHER,
		    virConnectDomainEventDeregisterAny(v->conn, v->callback_id)) < 0)
		virResetLastError(); /* a dead connection cannot be told; closing it is enough */
	v->callback_id = -1;
	COUNTED(COUNT_LIBVIRT_OTHER, virConnectClose(v->conn));
	v->conn = NULL;
}

static int connection_open(struct virt *v, char *err, size_t err_size)
{
	int r;

	v->conn = COUNTED(COUNT_LIBVIRT_OTHER, virConnectOpen(v->uri));
	if (!v->conn) {
		r = fail(err, err_size, -EIO);
		return r == -EIO ? -ENOTCONN : r;
	}
	/* Remote connections only: notices a daemon that stopped answering. */
	if (COUNTED(COUNT_LIBVIRT_OTHER,
		    virConnectSetKeepAlive(v->conn, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT)) < 0)
		virResetLastError();
	if (!v->fn)
		return 0;
	if (COUNTED(COUNT_LIBVIRT_OTHER,
		    virConnectRegisterCloseCallback(v->conn, on_close, v, NULL)) < 0)
		virResetLastError(); /* the worker's periodic check notices a closed one too */
	v->callback_id = COUNTED(COUNT_LIBVIRT_OTHER, virConnectDomainEventRegisterAny(v->conn, NULL,
		VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), v, NULL));
	if (v->callback_id < 0) {
		r = fail(err, err_size, -EIO);
		connection_drop(v);
		return r;
	}
	return 0;
}

/* -ENOTCONN unless the connection is open and, for a remote one, still alive. */
static int connected(struct virt *v, char *err, size_t err_size)
{
	if (v->conn && virConnectIsAlive(v->conn) == 1)
		return 0;
	virResetLastError();
	str_printf(err, err_size, "the libvirt connection to %s is closed", v->uri);
	return -ENOTCONN;
}

int virt_new(const char *uri, virt_event_fn fn, void *ctx, struct virt **out,
	     char *err, size_t err_size)
{
	struct virt *v;
	int r;

	pthread_once(&libvirt_once, libvirt_init);
	if (event_loop.init_result < 0) {
		str_copy(err, err_size, "cannot set up libvirt's event loop");
		return event_loop.init_result;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->uri = strdup(uri))) {
		free(v);
		str_copy(err, err_size, "out of memory");
		return -ENOMEM;
	}
	pthread_rwlock_init(&v->lock, NULL);
	v->callback_id = -1;
	v->fn = fn;
	v->ctx = ctx;
	r = event_loop_acquire(err, err_size);
	if (r < 0) {
		pthread_rwlock_destroy(&v->lock);
		free(v->uri);
		free(v);
		return r;
	}
	*out = v;
	return 0;
}

int virt_open(const char *uri, virt_event_fn fn, void *ctx, struct virt **out,
	      char *err, size_t err_size)
{
	int r = virt_new(uri, fn, ctx, out, err, err_size);

	if (r == 0 && (r = virt_reopen(*out, err, err_size)) < 0) {
		virt_close(*out);
		*out = NULL;
	}
	return r;
}

int virt_reopen(struct virt *v, char *err, size_t err_size)
{
	int r;

	pthread_rwlock_wrlock(&v->lock);
	connection_drop(v);
	r = connection_open(v, err, err_size);
	pthread_rwlock_unlock(&v->lock);
	return r;
}

bool virt_connected(struct virt *v)
{
	READ_CONN(v);
	char err[16];

	return connected(v, err, sizeof(err)) == 0;
}

const char *virt_uri(const struct virt *v)
{
	return v->uri;
}

void virt_close(struct virt *v)
{
	if (!v)
		return;
	pthread_rwlock_wrlock(&v->lock);
	connection_drop(v);
	pthread_rwlock_unlock(&v->lock);
	event_loop_release();
	pthread_rwlock_destroy(&v->lock);
	free(v->uri);
	free(v);
}

/* ---- domains ---- */

static int compare_by_name(const void *a, const void *b)
{
	const struct virt_domain *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->uuid, y->uuid);
}

/* Fills the fields that a virDomainPtr carries without asking the daemon. */
static void domain_identity(virDomainPtr dom, struct virt_domain *out)
{
	const char *name = virDomainGetName(dom);

	memset(out, 0, sizeof(*out));
	if (virDomainGetUUIDString(dom, out->uuid) < 0)
		virResetLastError();
	str_copy(out->name, sizeof(out->name), name ? name : "");
}

/* Appends the domains that flags select (persistent or transient ones) with their state,
 * all in one call to the daemon. */
static int list_some(struct virt *v, unsigned flags, bool persistent, struct virt_domain **all,
		     size_t *n, char *err, size_t err_size)
{
	_cleanup_stats_ virDomainStatsRecordPtr *records = NULL;
	struct virt_domain *grown;
	int n_records = COUNTED(COUNT_LIBVIRT_LISTS,
		virConnectGetAllDomainStats(v->conn, VIR_DOMAIN_STATS_STATE, &records, flags));

	if (n_records < 0)
		return fail(err, err_size, -EIO);
	grown = realloc(*all, (*n + n_records + 1) * sizeof(**all));
	if (!grown) {
		str_copy(err, err_size, "out of memory");
		return -ENOMEM;
	}
	*all = grown;
	for (int i = 0; i < n_records; i++) {
		struct virt_domain *d = &grown[(*n)++];

		domain_identity(records[i]->dom, d);
		d->persistent = persistent;
		d->active = virDomainGetID(records[i]->dom) != (unsigned)-1;
		if (virTypedParamsGetInt(records[i]->params, records[i]->nparams, "state.state",
					 &d->state) <= 0)
			d->state = VIR_DOMAIN_NOSTATE;
	}
	return 0;
}

/* A domain that became persistent between the two listings shows up twice: keep one. */
static size_t drop_duplicates(struct virt_domain *d, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (kept == 0 || strcmp(d[kept - 1].uuid, d[i].uuid) != 0)
			d[kept++] = d[i];
	return kept;
}

int virt_list(struct virt *v, struct virt_domain **out, size_t *n, char *err, size_t err_size)
{
	READ_CONN(v);
	struct virt_domain *all = NULL;
	size_t count = 0;
	int r = connected(v, err, err_size);

	if (r == 0)
		r = list_some(v, VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT, true, &all, &count,
			      err, err_size);
	if (r == 0)
		r = list_some(v, VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT, false, &all, &count,
			      err, err_size);
	if (r < 0) {
		free(all);
		return r;
	}
	qsort(all, count, sizeof(*all), compare_by_name);
	count = drop_duplicates(all, count);
	if (count == 0) {
		free(all);
		all = NULL;
	}
	*out = all;
	*n = count;
	return 0;
}

/* Finds a domain by UUID, or else by name. */
static int find_domain(struct virt *v, const char *uuid_or_name, virDomainPtr *out,
		       char *err, size_t err_size)
{
	READ_CONN(v);
	uuid_t uuid;
	int r = connected(v, err, err_size);

	if (r < 0)
		return r;
	/* only what reads as a UUID is looked up as one: a name costs one call, not two */
	if (!uuid_parse(uuid_or_name, uuid)) {
		*out = COUNTED(COUNT_LIBVIRT_LOOKUPS, virDomainLookupByUUIDString(v->conn, uuid_or_name));
		if (*out)
			return 0;
		r = last_errno(-EINVAL); /* no domain has it: it may still be a name */
		if (r != -ENOENT && r != -EINVAL)
			return fail(err, err_size, -EINVAL);
	}
	virResetLastError();
	*out = COUNTED(COUNT_LIBVIRT_LOOKUPS, virDomainLookupByName(v->conn, uuid_or_name));
	if (*out)
		return 0;
	r = fail(err, err_size, -EINVAL);
	if (r == -ENOENT) /* the test driver says only "Domain not found" */
		str_printf(err, err_size, "no domain '%s'", uuid_or_name);
	return r;
}

/* Identity and activity come with the lookup (a running domain has an id): no call. */
static void identify(virDomainPtr dom, struct virt_domain *out)
{
	domain_identity(dom, out);
	out->active = virDomainGetID(dom) != (unsigned)-1;
	out->state = VIR_DOMAIN_NOSTATE;
}

/* The state and persistence cost a call each: asked only where they are shown or
 * decide something. */
static int describe(virDomainPtr dom, struct virt_domain *out, bool persistence, char *err,
		    size_t err_size)
{
	int reason, persistent = 1;

	identify(dom, out);
	if (COUNTED(COUNT_LIBVIRT_OTHER, virDomainGetState(dom, &out->state, &reason, 0)) < 0 ||
	    (persistence &&
	     (persistent = COUNTED(COUNT_LIBVIRT_OTHER, virDomainIsPersistent(dom))) < 0))
		return fail(err, err_size, -EIO);
	out->active = out->state != VIR_DOMAIN_SHUTOFF && out->state != VIR_DOMAIN_NOSTATE;
	out->persistent = persistent;
	return 0;
}

int virt_lookup(struct virt *v, const char *uuid_or_name, struct virt_domain *out,
		char *err, size_t err_size)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	int r = find_domain(v, uuid_or_name, &dom, err, err_size);

	return r < 0 ? r : describe(dom, out, false, err, err_size);
}

int virt_find(struct virt *v, const char *uuid_or_name, struct virt_domain *out,
	      char *err, size_t err_size)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	int r = find_domain(v, uuid_or_name, &dom, err, err_size);

	if (r >= 0)
		identify(dom, out);
	return r;
}

int virt_xml(struct virt *v, const char *uuid, bool inactive, char **xml,
	     struct virt_domain *info, char *err, size_t err_size)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	int r = find_domain(v, uuid, &dom, err, err_size);

	if (r < 0)
		return r;
	if (info)
		identify(dom, info);
	*xml = COUNTED(COUNT_LIBVIRT_GET_XML, virDomainGetXMLDesc(dom,
		inactive ? VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE : 0));
	return *xml ? 0 : fail(err, err_size, -EIO);
}

int virt_define(struct virt *v, const char *xml, char *err, size_t err_size)
{
	READ_CONN(v);
	_cleanup_domain_ virDomainPtr dom = NULL;
	virErrorPtr e;
	bool clash;
	int r = connected(v, err, err_size);

	if (r < 0)
		return r;
	dom = COUNTED(COUNT_LIBVIRT_DEFINES, virDomainDefineXML(v->conn, xml));
	if (dom)
		return 0;
	/* drivers report a name or UUID taken by another domain as either of these */
	e = virGetLastError();
	clash = e && (e->code == VIR_ERR_OPERATION_FAILED || e->code == VIR_ERR_OPERATION_INVALID);
	r = fail(err, err_size, -EEXIST);
	return clash ? -EEXIST : r;
}

/* Asks the guest to shut down and waits up to timeout_s for it; true once it is off. */
static bool shut_down(virDomainPtr dom, int timeout_s)
{
	long waited_ms = 0;

	if (timeout_s <= 0 || COUNTED(COUNT_LIBVIRT_OTHER, virDomainShutdown(dom)) < 0) {
		virResetLastError(); /* no ACPI, no agent, paused…: destroy instead */
		return COUNTED(COUNT_LIBVIRT_OTHER, virDomainIsActive(dom)) == 0;
	}
	for (;;) {
		int active = COUNTED(COUNT_LIBVIRT_OTHER, virDomainIsActive(dom));

		if (active <= 0) {
			virResetLastError();
			return active == 0;
		}
		if (waited_ms >= timeout_s * 1000L)
			return false;
		sleep_ms(SHUTDOWN_POLL_MS);
		waited_ms += SHUTDOWN_POLL_MS;
	}
}

/* Powers dom off, gracefully if it can within timeout_s. */
static int stop(virDomainPtr dom, int timeout_s, char *err, size_t err_size)
{
	if (shut_down(dom, timeout_s))
		return 0;
	if (COUNTED(COUNT_LIBVIRT_OTHER, virDomainDestroy(dom)) == 0)
		return 0;
	/* it went down on its own meanwhile */
	if (COUNTED(COUNT_LIBVIRT_OTHER, virDomainIsActive(dom)) == 0) {
		virResetLastError();
		return 0;
	}
	return fail(err, err_size, -EBUSY);
}

int virt_restart(struct virt *v, const char *uuid, int timeout_s, char *err, size_t err_size)
{
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct virt_domain d;
	int r = find_domain(v, uuid, &dom, err, err_size);

	if (r < 0 || (r = describe(dom, &d, true, err, err_size)) < 0)
		return r;
	if (!d.active)
		return 0;
	if (!d.persistent) {
		str_printf(err, err_size, "domain '%s' is transient: stopping it would remove it",
			   d.name);
		return -EINVAL;
	}
	/* a paused guest cannot act on the shutdown request: do not wait for it */
	if (d.state == VIR_DOMAIN_PAUSED)
		timeout_s = 0;
	if ((r = stop(dom, timeout_s, err, err_size)) < 0)
		return r;
	return COUNTED(COUNT_LIBVIRT_OTHER, virDomainCreate(dom)) == 0 ? 0 : fail(err, err_size, -EBUSY);
}

/* ---- a one-off question, for vgpufs --check ---- */

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_init_result;

/* No event loop: a read-only question needs none, and none is left running after it. */
static void probe_init(void)
{
	virSetErrorFunc(NULL, no_error_output);
	if (virInitialize() < 0)
		probe_init_result = -EIO;
}

int virt_probe(const char *uri, unsigned long *libvirt_version, int *n_domains,
	       char *err, size_t err_size)
{
	virConnectPtr conn;
	int r = 0;

	pthread_once(&probe_once, probe_init);
	if (probe_init_result < 0) {
		str_copy(err, err_size, "cannot initialise libvirt");
		return probe_init_result;
	}
	conn = COUNTED(COUNT_LIBVIRT_OTHER, virConnectOpenReadOnly(uri));
	if (!conn)
		return fail(err, err_size, -EIO);
	if (COUNTED(COUNT_LIBVIRT_OTHER, virConnectGetLibVersion(conn, libvirt_version)) < 0)
		r = fail(err, err_size, -EIO);
	else if ((*n_domains = COUNTED(COUNT_LIBVIRT_LISTS,
				       virConnectListAllDomains(conn, NULL, 0))) < 0)
		r = fail(err, err_size, -EIO);
	COUNTED(COUNT_LIBVIRT_OTHER, virConnectClose(conn));
	return r;
}
