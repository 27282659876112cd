/* engine_vms.c — libvirt domains as the tree shows them (vms/), every vGPU instance
 * (vgpus/, orphans included), and the worker that acts on libvirt lifecycle events. */
#include "engine_internal.h"
#include "domxml.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#define RECONCILE_SECONDS 30
#define LIBVIRT_RETRY_SECONDS 1

static const char *state_name(int state)
{
	static const char *const names[] = {
		"nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
		"pmsuspended",
	};

	return state >= 0 && (size_t)state < ARRAY_SIZE(names) ? names[state] : "unknown";
}

/* ---- the names of domains ---- */

static struct vm_name *find_name(struct engine *e, const char *uuid, const char *name)
{
	for (size_t i = 0; i < e->n_vm_names; i++) {
		struct vm_name *v = &e->vm_names[i];

		if (uuid ? !strcmp(v->uuid, uuid) : !strcmp(v->name, name))
			return v;
	}
	return NULL;
}

static void forget_name(struct engine *e, const char *uuid)
{
	struct vm_name *v = find_name(e, uuid, NULL);

	if (v)
		*v = e->vm_names[--e->n_vm_names];
}

/* The domain uuid is called name now; a name held by no other domain. */
static void remember_name(struct engine *e, const char *uuid, const char *name)
{
	struct vm_name *v = find_name(e, uuid, NULL), *other = find_name(e, NULL, name), *grown;

	if (other && other != v)
		forget_name(e, other->uuid), v = find_name(e, uuid, NULL);
	if (!v) {
		grown = realloc(e->vm_names, (e->n_vm_names + 1) * sizeof(*grown));
		if (!grown)
			return; /* resolving asks libvirt again: slower, not wrong */
		e->vm_names = grown;
		v = &grown[e->n_vm_names++];
		str_copy(v->uuid, sizeof(v->uuid), uuid);
	}
	str_copy(v->name, sizeof(v->name), name);
}

int vm_resolve(struct engine *e, const char *name, char uuid[UUID_STR_LEN])
{
	const struct vm_name *known = find_name(e, NULL, name);
	struct virt_domain vm;
	char err[256];
	int r;

	if (known)
		return str_copy(uuid, UUID_STR_LEN, known->uuid);
	r = virt_find(e->virt, name, &vm, err, sizeof(err));
	if (r < 0 || strcmp(vm.name, name))
		return r < 0 ? r : -ENOENT; /* a UUID is not a name */
	remember_name(e, vm.uuid, vm.name);
	return str_copy(uuid, UUID_STR_LEN, vm.uuid);
}

int vm_name_of(struct engine *e, const char *uuid, char *buf, size_t size)
{
	const struct vm_name *known = find_name(e, uuid, NULL);
	struct virt_domain vm;

	buf[0] = '\0';
	if (known)
		return str_copy(buf, size, known->name);
	return vm_lookup(e, uuid, &vm, false) < 0 ? 0 : str_copy(buf, size, vm.name);
}

int vm_lookup(struct engine *e, const char *uuid, struct virt_domain *vm, bool with_state)
{
	char err[256];
	int r = with_state ? virt_lookup(e->virt, uuid, vm, err, sizeof(err)) :
		virt_find(e->virt, uuid, vm, err, sizeof(err));

	if (r == -ENOENT)
		forget_name(e, uuid);
	else if (r >= 0)
		remember_name(e, vm->uuid, vm->name);
	return r;
}

/* ---- vms/ ---- */

/* Every domain, each name remembered; the whole list, so what it lacks is forgotten. */
static int list_vms(struct engine *e, struct virt_domain **vms, size_t *n)
{
	char err[256];
	int r = virt_list(e->virt, vms, n, err, sizeof(err));

	if (r >= 0)
		e->n_vm_names = 0;
	for (size_t i = 0; r >= 0 && i < *n; i++)
		remember_name(e, (*vms)[i].uuid, (*vms)[i].name);
	return r;
}

void vm_names_learn(struct engine *e)
{
	struct virt_domain *vms = NULL;
	size_t n = 0;

	list_vms(e, &vms, &n); /* without libvirt, names are asked for one by one */
	free(vms);
}

int engine_for_each_vm(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	struct virt_domain *vms = NULL;
	size_t n = 0;
	int r = list_vms(e, &vms, &n);

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = fn(vms[i].name, ctx);
	free(vms);
	return r;
}

int engine_vm_exists(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	char uuid[UUID_STR_LEN];
	int r = vm_resolve(e, name, uuid);

	return r < 0 ? r : 0;
}

static bool vm_restart_required(struct engine *e, const struct virt_domain *vm)
{
	for (size_t i = 0; i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];

		if (!strcmp(d->vm_uuid, vm->uuid) &&
		    !strcmp(device_status(e, d, vm->active), "restart-required"))
			return true;
	}
	return false;
}

static int vm_tenant(struct engine *e, const char *uuid, char *buf, size_t size)
{
	return str_copy(buf, size, tenants_vm_owner(&e->tenants, uuid));
}

static const char *vm_error(struct engine *e, const char *name)
{

	engine_object(e, "vms/%s", name);
	return events_error(&e->events, e->object);
}

/* Fields of the domain as it is now (its state) need one lookup; the others none. */
int engine_vm_get(struct engine *e, const char *name, const char *field, char **out)
{
	LOCK_ENGINE(e);
	bool live = !strcmp(field, "state") || !strcmp(field, "restart_required");
	struct virt_domain vm;
	char uuid[UUID_STR_LEN], err[512], buf[256];
	int r = vm_resolve(e, name, uuid);

	*out = NULL;
	if (r >= 0 && live)
		r = vm_lookup(e, uuid, &vm, !strcmp(field, "state"));
	if (r < 0)
		return r;
	if (!strcmp(field, "definition"))
		return virt_xml(e->virt, uuid, true, out, NULL, err, sizeof(err));
	if (!strcmp(field, "uuid"))
		str_copy(buf, sizeof(buf), uuid);
	else if (!strcmp(field, "state"))
		str_copy(buf, sizeof(buf), state_name(vm.state));
	else if (!strcmp(field, "restart_required"))
		str_copy(buf, sizeof(buf), vm_restart_required(e, &vm) ? "1" : "0");
	else if (!strcmp(field, "tenant"))
		vm_tenant(e, uuid, buf, sizeof(buf));
	else if (!strcmp(field, "error"))
		snprintf(buf, sizeof(buf), "%s", vm_error(e, name));
	else
		return -ENOENT;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* Restarting can take up to a minute (a guest's shutdown): it runs without the engine
 * lock, which guards nothing libvirt does here; libvirt connections are thread-safe. */
static int vm_restart(struct engine *e, const char *name, const char *value)
{
	char object[OBJECT_MAX], err[512];
	struct virt_domain vm;
	bool on;
	int r;

	snprintf(object, sizeof(object), "vms/%s", name);
	if (value_parse_bool(value, &on) < 0)
		return engine_refuse(e, object, -EINVAL, "write 1 to restart the VM, not \"%s\"",
				     value);
	{
		LOCK_ENGINE(e);
		char uuid[UUID_STR_LEN];

		r = vm_resolve(e, name, uuid);
		if (r >= 0)
			r = vm_lookup(e, uuid, &vm, false);
		if (r < 0 || !on)
			return r;
		if (!vm.active) {
			events_add(&e->events, "%s: not running; its devices apply at the next "
				   "start", object);
			return 0;
		}
	}
	r = virt_restart(e->virt, vm.uuid, 60, err, sizeof(err));
	if (r < 0)
		return engine_refuse(e, object, r, "restart failed: %s", err);
	LOCK_ENGINE(e);
	events_add(&e->events, "%s restarted", object);
	return 0;
}

struct vm_tenant_row {
	const char *uuid, *tenant;
};

static int save_vm_tenant(struct engine *e, void *arg)
{
	const struct vm_tenant_row *row = arg;

	return store_vm_set_tenant(&e->store, row->uuid, row->tenant);
}

/* A device of the VM with a group, or NULL: it names the VM's owner's group or share
 * (and holds vGPUs from it), so the owner cannot change under it. */
static const struct device *vm_device_holding(struct engine *e, const char *uuid)
{
	for (size_t i = 0; i < e->devices.n; i++)
		if (!strcmp(e->devices.items[i].vm_uuid, uuid) && e->devices.items[i].group[0])
			return &e->devices.items[i];
	for (size_t i = 0; i < e->devices.n_vgpus; i++)
		if (!strcmp(e->devices.vgpus[i].vm_uuid, uuid))
			return devices_find(&e->devices, uuid, e->devices.vgpus[i].device);
	return NULL;
}

/* vms/<vm>/tenant: "" (the provider) or a tenant in tenants/. */
static int vm_set(struct engine *e, const char *name, const char *field, const char *value)
{
	LOCK_ENGINE(e);
	char uuid[UUID_STR_LEN], now[NAME_MAX_LEN + 1];
	const struct device *d;
	int r = vm_resolve(e, name, uuid);

	if (r < 0)
		return r;
	engine_object(e, "vms/%s", name);
	if (strcmp(field, "tenant"))
		return -ENOENT;
	if (value[0] && !value_is_name(value))
		return refuse(e, -EINVAL, "tenant takes a tenant name or \"\", not \"%s\"", value);
	if (value[0] && !tenants_find(&e->tenants, value))
		return refuse(e, -ENOENT, "no tenant named \"%s\" (see tenants/)", value);
	vm_tenant(e, uuid, now, sizeof(now));
	if (!strcmp(now, value))
		return 0;
	if ((d = vm_device_holding(e, uuid)))
		return refuse(e, -EBUSY, "device %s of this VM holds vGPUs; free them before the "
			      "VM changes owner", d->name);
	r = commit_change(e, save_vm_tenant, &(struct vm_tenant_row){ uuid, value });
	if (r >= 0)
		r = tenants_set_vm_owner(&e->tenants, uuid, value);
	if (r < 0)
		return r;
	events_add(&e->events, "%s/tenant = %s", e->object, value);
	return 0;
}

int engine_vm_set(struct engine *e, const char *vm, const char *field, const char *value)
{
	if (!strcmp(field, "restart"))
		return vm_restart(e, vm, value);
	return vm_set(e, vm, field, value);
}

/* ---- vgpus/ ---- */

/* vfio-sriov vGPUs have no UUID of their own on the host: an orphan is named by a UUID
 * derived from its VF's address, stable across restarts. */
void orphan_uuid(const char *slot, char *out)
{
	static const uuid_t ns = { 0x6b, 0x9e, 0x1c, 0x3a, 0x52, 0x0d, 0x4f, 0x11,
				   0x9a, 0x7e, 0x2f, 0x61, 0x0c, 0x55, 0x8d, 0x21 };
	uuid_t id;

	uuid_generate_md5(id, ns, slot, strlen(slot));
	uuid_unparse_lower(id, out);
}

struct orphan_walk {
	struct engine *e;
	int (*fn)(const struct vgpu_view *v, void *ctx);
	void *ctx;
};

static bool known(struct engine *e, const struct host_vgpu *h)
{
	for (size_t i = 0; i < e->devices.n_vgpus; i++) {
		const struct vgpu *v = &e->devices.vgpus[i];

		if (h->uuid[0] ? !strcasecmp(v->uuid, h->uuid) : !strcmp(v->slot, h->slot))
			return true;
	}
	return false;
}

static int visit_orphan(const struct host_vgpu *h, void *ctx)
{
	struct orphan_walk *w = ctx;
	struct vgpu_view v = { .host = *h };

	if (known(w->e, h))
		return 0;
	if (h->uuid[0])
		str_copy(v.uuid, sizeof(v.uuid), h->uuid);
	else
		orphan_uuid(h->slot, v.uuid);
	return w->fn(&v, w->ctx);
}

int for_each_vgpu_view(struct engine *e, int (*fn)(const struct vgpu_view *v, void *ctx),
		       void *ctx)
{
	struct orphan_walk w = { e, fn, ctx };
	int r = 0;

	for (size_t i = 0; i < e->devices.n_vgpus && r >= 0; i++) {
		struct vgpu_view v = { .record = &e->devices.vgpus[i] };

		str_copy(v.uuid, sizeof(v.uuid), e->devices.vgpus[i].uuid);
		r = fn(&v, ctx);
	}
	return r < 0 ? r : host_for_each_vgpu(&e->host, visit_orphan, &w);
}

struct name_walk {
	engine_name_fn fn;
	void *ctx;
	const char *gpu;   /* only this GPU's, when set */
};

static int emit_uuid(const struct vgpu_view *v, void *ctx)
{
	struct name_walk *w = ctx;
	const char *gpu = v->record ? v->record->gpu : v->host.gpu->pci.bdf;

	if (w->gpu && strcmp(w->gpu, gpu))
		return 0;
	return w->fn(v->uuid, w->ctx);
}

int engine_for_each_vgpu(struct engine *e, const char *gpu, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	struct name_walk w = { fn, ctx, gpu };

	return for_each_vgpu_view(e, emit_uuid, &w);
}

struct find_view {
	const char *uuid;
	struct vgpu_view found;
	bool ok;
};

static int match_view(const struct vgpu_view *v, void *ctx)
{
	struct find_view *f = ctx;

	if (f->ok || strcasecmp(v->uuid, f->uuid))
		return 0;
	f->found = *v;
	f->ok = true;
	return 0;
}

static const char *vgpu_view_state(struct engine *e, const struct vgpu_view *v)
{
	struct virt_domain vm;

	if (!v->record)
		return "orphan";
	if (v->record->lost)
		return "lost";
	if (v->record->state != VGPU_CREATED)
		return vgpu_state_name(v->record->state);
	if (vm_lookup(e, v->record->vm_uuid, &vm, false) >= 0 && vm.active)
		return "in-use";
	return "created";
}

int engine_vgpu_exists(struct engine *e, const char *uuid)
{
	LOCK_ENGINE(e);
	struct find_view f = { .uuid = uuid };
	int r = for_each_vgpu_view(e, match_view, &f);

	return r < 0 ? r : f.ok ? 0 : -ENOENT;
}

int vgpu_view_get(struct engine *e, const struct vgpu_view *v, const char *field, char *buf,
		  size_t size)
{
	const struct vgpu *r = v->record;

	if (!strcmp(field, "state"))
		return str_copy(buf, size, vgpu_view_state(e, v));
	if (!strcmp(field, "gpu"))
		return str_copy(buf, size, r ? r->gpu : v->host.gpu->pci.bdf);
	if (!strcmp(field, "type_id"))
		return str_copy(buf, size, r ? r->type_id : v->host.type_id);
	if (!strcmp(field, "profile")) {
		const struct gpu *g = v->host.gpu;
		int t = -1;

		for (size_t i = 0; !r && i < g->n_types && t < 0; i++)
			if (!strcmp(g->types[i].type_id, v->host.type_id))
				t = (int)i;
		return str_copy(buf, size, r ? r->profile : t >= 0 ? g->types[t].profile : "");
	}
	if (!strcmp(field, "params"))
		return str_copy(buf, size, r ? r->params : "");
	if (!strcmp(field, "vm"))
		return r ? vm_name_of(e, r->vm_uuid, buf, size) : str_copy(buf, size, "");
	if (!strcmp(field, "device"))
		return str_copy(buf, size, r ? r->device : "");
	if (!strcmp(field, "tenant"))
		return r ? vm_tenant(e, r->vm_uuid, buf, size) : str_copy(buf, size, "");
	return -ENOENT;
}

int engine_vgpu_get(struct engine *e, const char *uuid, const char *field, char *buf,
		    size_t size)
{
	LOCK_ENGINE(e);
	struct find_view f = { .uuid = uuid };
	int r = for_each_vgpu_view(e, match_view, &f);

	if (r < 0)
		return r;
	return f.ok ? vgpu_view_get(e, &f.found, field, buf, size) : -ENOENT;
}

/* ---- groups/<g>/devices/: "<vm>:<device>" of the provider's devices drawing from the
 * group, and "tenant=<t>:node=<node>:share=<share>" of the shares reserving from it ---- */

int engine_for_each_group_device(struct engine *e, const char *group, engine_name_fn fn,
				 void *ctx)
{
	LOCK_ENGINE(e);
	int r = groups_find(&e->groups, group) ? 0 : -ENOENT;
	char vm[256], name[320];

	for (size_t i = 0; r >= 0 && i < e->devices.n; i++) {
		const struct device *d = &e->devices.items[i];

		if (strcmp(d->group, group) || tenants_vm_owner(&e->tenants, d->vm_uuid)[0] ||
		    vm_name_of(e, d->vm_uuid, vm, sizeof(vm)) < 0 || !vm[0])
			continue;
		snprintf(name, sizeof(name), "%s:%s", vm, d->name);
		r = fn(name, ctx);
	}
	for (size_t i = 0; r >= 0 && i < e->tenants.n_shares; i++) {
		const struct share *s = &e->tenants.shares[i];

		if (strcmp(s->form.group, group))
			continue;
		snprintf(name, sizeof(name), "tenant=%s:node=%s:share=%s", s->tenant, s->node,
			 s->form.name);
		r = fn(name, ctx);
	}
	return r;
}

/* ---- libvirt events ---- */

/* Runs on libvirt's event thread: queue only, the worker acts under the engine lock. */
void vms_on_event(enum virt_event ev, const char *uuid, const char *name, void *ctx)
{
	struct engine *e = ctx;
	struct vm_event *grown;

	if (ev == VIRT_DISCONNECTED) {
		pthread_mutex_lock(&e->queue_lock);
		e->libvirt_lost = true;
		pthread_cond_signal(&e->queue_cond);
		pthread_mutex_unlock(&e->queue_lock);
		return;
	}
	if (ev != VIRT_UNDEFINED && ev != VIRT_DEFINED)
		return;
	pthread_mutex_lock(&e->queue_lock);
	grown = realloc(e->queue, (e->n_queue + 1) * sizeof(*e->queue));
	if (grown) {
		e->queue = grown;
		grown[e->n_queue].event = ev;
		str_copy(grown[e->n_queue].uuid, sizeof(grown->uuid), uuid);
		str_copy(grown[e->n_queue].name, sizeof(grown->name), name);
		e->n_queue++;
		pthread_cond_signal(&e->queue_cond);
	}
	pthread_mutex_unlock(&e->queue_lock);
}

static bool has_devices(struct engine *e, const char *vm_uuid)
{
	for (size_t i = 0; i < e->devices.n; i++)
		if (!strcmp(e->devices.items[i].vm_uuid, vm_uuid))
			return true;
	return false;
}

static struct own_define *find_own_define(struct engine *e, const char *vm_uuid)
{
	for (size_t i = 0; i < e->n_own_defines; i++)
		if (!strcmp(e->own_defines[i].uuid, vm_uuid))
			return &e->own_defines[i];
	return NULL;
}

void vms_expect_own_define(struct engine *e, const char *vm_uuid)
{
	struct own_define *d = find_own_define(e, vm_uuid), *grown;

	if (!d) {
		grown = realloc(e->own_defines, (e->n_own_defines + 1) * sizeof(*grown));
		if (!grown)
			return; /* the event is then handled: a wasted check, nothing worse */
		e->own_defines = grown;
		d = &grown[e->n_own_defines++];
		str_copy(d->uuid, sizeof(d->uuid), vm_uuid);
		d->pending = 0;
	}
	d->pending++;
}

/* True once for each of our own defines of the domain: libvirt reports them like any
 * other, and the definition is already as we left it. Events come in order per domain,
 * so one made by someone else after ours is still handled. */
static bool own_define(struct engine *e, const char *vm_uuid)
{
	struct own_define *d = find_own_define(e, vm_uuid);

	if (!d || !d->pending)
		return false;
	d->pending--;
	return true;
}

static void handle_event(struct engine *e, const struct vm_event *ev)
{
	LOCK_ENGINE(e);
	struct own_define *own = find_own_define(e, ev->uuid);
	char err[512];

	if (ev->event == VIRT_DEFINED)
		remember_name(e, ev->uuid, ev->name);
	if (ev->event == VIRT_UNDEFINED) {
		forget_name(e, ev->uuid);
		if (own)
			own->pending = 0; /* what we still awaited will not come */
	}
	if (ev->event == VIRT_DEFINED && own_define(e, ev->uuid))
		return;

	if (!has_devices(e, ev->uuid))
		return;
	if (ev->event == VIRT_UNDEFINED) {
		devices_vm_gone(e, ev->uuid, ev->name);
	} else if (vm_apply(e, ev->uuid, NULL, err, sizeof(err)) < 0) {
		/* redefined elsewhere without our devices: put them back */
		events_add(&e->events, "vms/%s: could not restore its vGPU devices: %s", ev->name,
			   err);
	}
}

/* Every RECONCILE_SECONDS: domains undefined behind our back, and a connection that died
 * without a close callback (drivers that have none). True while still connected. */
static bool reconcile(struct engine *e)
{
	LOCK_ENGINE(e);
	if (!virt_connected(e->virt))
		return false;
	devices_forget_missing_vms(e);
	return true;
}

/* Errors recorded before libvirt answered (a vGPU not re-created at start) name their VM
 * by UUID: move them to its name, where its error files read them. */
static void name_early_errors(struct engine *e)
{
	for (size_t i = 0; i < e->devices.n; i++) {
		const struct vm_name *known = find_name(e, e->devices.items[i].vm_uuid, NULL);
		char from[OBJECT_MAX], to[OBJECT_MAX];

		if (!known)
			continue;
		snprintf(from, sizeof(from), "vms/%s", known->uuid);
		snprintf(to, sizeof(to), "vms/%s", known->name);
		events_rename(&e->events, from, to);
	}
}

/* Connects (without the engine lock: a connect may wait), then brings the definitions in
 * line with the journal. The first failure of an outage is logged, not every retry. */
static bool libvirt_attach(struct engine *e, bool *failed_before)
{
	char err[512];
	int r = virt_reopen(e->virt, err, sizeof(err));
	LOCK_ENGINE(e);

	if (r < 0) {
		if (!*failed_before)
			events_add(&e->events, "libvirt: cannot connect to %s: %s; retrying every "
				   "%d s", virt_uri(e->virt), err, LIBVIRT_RETRY_SECONDS);
		*failed_before = true;
		return false;
	}
	devices_recover_definitions(e);
	vm_names_learn(e);
	name_early_errors(e);
	e->libvirt_attached = true;
	*failed_before = false;
	events_add(&e->events, "libvirt: connected to %s; definitions brought in line",
		   virt_uri(e->virt));
	return true;
}

static void libvirt_detach(struct engine *e)
{
	LOCK_ENGINE(e);
	e->libvirt_attached = false;
	events_add(&e->events, "libvirt: connection to %s lost; reconnecting",
		   virt_uri(e->virt));
}

/* Waits on queue_cond (queue_lock held) for seconds at most; false on the timeout. */
static bool wait_queue(struct engine *e, int seconds)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	return pthread_cond_timedwait(&e->queue_cond, &e->queue_lock, &deadline) != ETIMEDOUT;
}

/* The worker: keeps libvirt connected, then acts on its events in order. Called with
 * queue_lock held, returns with it held. */
static void work(struct engine *e)
{
	bool attached = false, failed_before = false;

	while (!e->stopping) {
		struct vm_event ev;

		if (e->libvirt_lost || !attached) {
			bool lost = e->libvirt_lost && attached;

			e->libvirt_lost = false;
			pthread_mutex_unlock(&e->queue_lock);
			if (lost)
				libvirt_detach(e);
			attached = libvirt_attach(e, &failed_before);
			pthread_mutex_lock(&e->queue_lock);
			if (!attached && !e->stopping)
				wait_queue(e, LIBVIRT_RETRY_SECONDS);
			continue;
		}
		if (!e->n_queue) {
			if (!wait_queue(e, RECONCILE_SECONDS)) {
				bool still;

				pthread_mutex_unlock(&e->queue_lock);
				still = reconcile(e);
				pthread_mutex_lock(&e->queue_lock);
				e->libvirt_lost |= !still;
			}
			continue;
		}
		ev = e->queue[0];
		memmove(e->queue, e->queue + 1, --e->n_queue * sizeof(*e->queue));
		pthread_mutex_unlock(&e->queue_lock);
		handle_event(e, &ev);
		pthread_mutex_lock(&e->queue_lock);
	}
}

static void *worker_main(void *arg)
{
	struct engine *e = arg;

	pthread_mutex_lock(&e->queue_lock);
	work(e);
	pthread_mutex_unlock(&e->queue_lock);
	return NULL;
}

int vms_start_worker(struct engine *e)
{
	int r = pthread_create(&e->worker, NULL, worker_main, e);

	e->worker_started = r == 0;
	return -r;
}

void vms_stop_worker(struct engine *e)
{
	pthread_mutex_lock(&e->queue_lock);
	e->stopping = true;
	pthread_cond_signal(&e->queue_cond);
	pthread_mutex_unlock(&e->queue_lock);
	if (e->worker_started)
		pthread_join(e->worker, NULL);
	free(e->queue);
	e->queue = NULL;
	e->n_queue = 0;
	free(e->own_defines);
	e->own_defines = NULL;
	e->n_own_defines = 0;
	free(e->vm_names);
	e->vm_names = NULL;
	e->n_vm_names = 0;
}
