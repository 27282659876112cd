/* drift.c — what the host and libvirt show that differs from the desired state (the
 * journal, the devices and their options), as host/drift lists it, and host/reconcile,
 * which repairs what can be repaired safely: vgpu-device-manager's `assert` and `apply`,
 * as files.
 *
 * One computation serves both: a list of items, each a line of host/drift and what the
 * repair acts on. The repairs are the daemon's own paths: re-creating a vGPU as at start
 * (vgpu_recreate), finishing a removal (finish_removal), freeing the devices of a domain
 * that is gone (devices_vm_gone), applying a VM's devices to its definition (vm_apply).
 * Orphans are reported and left: nothing records that vgpufs made them. */
#include "engine_internal.h"
#include "domxml.h"
#include "util.h"
#include "value.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

/* In the order reconcile repairs them: domains gone first (their vGPUs go with them),
 * then the host, then the definitions, whose hostdevs point at what the host now has. */
enum drift_kind {
	DRIFT_VM_GONE,     /* devices recorded for a domain libvirt no longer has */
	DRIFT_REMOVAL,     /* a 'removing' row: the removal was not finished */
	DRIFT_TYPE,        /* the vGPU's slot holds another type */
	DRIFT_MISSING,     /* the journal says created; the host has none */
	DRIFT_PARAMS,      /* vgpu_params differ from the device's options */
	DRIFT_DEFINITION,  /* a hostdev or cdrom missing, a stale one, our record */
	DRIFT_UNCHECKED,   /* libvirt did not answer: nothing is known to repair */
	DRIFT_ORPHAN,      /* on a managed GPU, held by no device: reported, left */
	DRIFT_KINDS
};

#define DRIFT_LINE_MAX 1024
#define PARAMS_READ_MAX 1024

struct drift {
	enum drift_kind kind;
	char vgpu[UUID_STR_LEN];     /* the vGPU it is about, or "" */
	char vm_uuid[UUID_STR_LEN];  /* the domain it is about, or "" */
	char line[DRIFT_LINE_MAX];   /* as host/drift shows it, before escaping */
};

struct drifts {
	struct drift *items;
	size_t n;
};

static int drift_add(struct drifts *d, enum drift_kind kind, const char *vgpu,
		     const char *vm_uuid, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int drift_add(struct drifts *d, enum drift_kind kind, const char *vgpu,
		     const char *vm_uuid, const char *fmt, ...)
{
	struct drift *items = realloc(d->items, (d->n + 1) * sizeof(*items)), *item;
	va_list ap;

	if (!items)
		return -ENOMEM;
	d->items = items;
	item = &items[d->n++];
	item->kind = kind;
	str_copy(item->vgpu, sizeof(item->vgpu), vgpu ? vgpu : "");
	str_copy(item->vm_uuid, sizeof(item->vm_uuid), vm_uuid ? vm_uuid : "");
	va_start(ap, fmt);
	vsnprintf(item->line, sizeof(item->line), fmt, ap);
	va_end(ap);
	return 0;
}

/* s without the blanks around it. */
static char *trim(char *s)
{
	size_t len;

	s += strspn(s, " \t\n");
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* The vgpu_params v should have: its device's options (the journal's copy follows them). */
static void wanted_params(struct engine *e, const struct vgpu *v, char *buf, size_t size)
{
	const struct device *d = devices_find(&e->devices, v->vm_uuid, v->device);

	if (d)
		device_params(d, buf, size);
	else
		str_copy(buf, size, v->params);
}

/* ---- the host: the journal against what sysfs holds ---- */

/* Every vGPU on the host, from one walk, and which of them the journal names. */
struct found {
	struct host_vgpu *vgpus;
	bool *named;
	size_t n;
};

static int found_add(const struct host_vgpu *h, void *ctx)
{
	struct found *f = ctx;
	struct host_vgpu *grown = realloc(f->vgpus, (f->n + 1) * sizeof(*grown));
	bool *named;

	if (!grown)
		return -ENOMEM;
	f->vgpus = grown;
	named = realloc(f->named, (f->n + 1) * sizeof(*named));
	if (!named)
		return -ENOMEM;
	f->named = named;
	grown[f->n] = *h;
	named[f->n++] = false;
	return 0;
}

static void found_free(struct found *f)
{
	free(f->vgpus);
	free(f->named);
}

/* The host's vGPU that v is (an mdev by its UUID, a VF's by the VF), or -1. */
static ssize_t found_index(const struct found *f, const struct vgpu *v)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct host_vgpu *h = &f->vgpus[i];

		if (h->uuid[0] ? !strcasecmp(h->uuid, v->uuid) : !strcmp(h->slot, v->slot))
			return (ssize_t)i;
	}
	return -1;
}

static int params_drift(struct engine *e, const struct vgpu *v, const struct host_vgpu *h,
			struct drifts *out)
{
	char want[sizeof(v->params)], found[PARAMS_READ_MAX];

	if (host_vgpu_get_params(&e->host, h->gpu, h->slot, v->uuid, found, sizeof(found)) < 0)
		return 0; /* gone meanwhile, or not readable: nothing to compare */
	wanted_params(e, v, want, sizeof(want));
	if (fields_vgpu_params_equal(found, want))
		return 0;
	return drift_add(out, DRIFT_PARAMS, v->uuid, v->vm_uuid, "vgpus/%s: vgpu_params read "
			 "\"%s\", the device's options give \"%s\"", v->uuid, trim(found), want);
}

static int vgpu_drift(struct engine *e, const struct vgpu *v, struct found *f,
		      struct drifts *out)
{
	ssize_t i = found_index(f, v);

	if (i >= 0)
		f->named[i] = true;
	if (v->state == VGPU_REMOVING)
		return drift_add(out, DRIFT_REMOVAL, v->uuid, v->vm_uuid,
				 "vgpus/%s: removal not finished on %s", v->uuid, v->slot);
	if (v->state != VGPU_CREATED)
		return 0; /* a change in progress holds the lock: none is seen here */
	if (i < 0)
		return drift_add(out, DRIFT_MISSING, v->uuid, v->vm_uuid, "vgpus/%s: missing on %s",
				 v->uuid, v->slot);
	if (strcmp(f->vgpus[i].type_id, v->type_id))
		return drift_add(out, DRIFT_TYPE, v->uuid, v->vm_uuid,
				 "vgpus/%s: type %s on %s, not %s (%s)", v->uuid,
				 f->vgpus[i].type_id, f->vgpus[i].slot, v->type_id, v->profile);
	return params_drift(e, v, &f->vgpus[i], out);
}

/* A GPU vgpufs manages: one a group's rules match. Elsewhere, vGPUs are not its business. */
static bool gpu_managed(struct engine *e, const struct gpu *g)
{
	const struct group *first;

	return groups_matching(&e->groups, g, e->host_name, &first) > 0;
}

static int orphan_drift(const struct host_vgpu *h, struct drifts *out)
{
	char uuid[UUID_STR_LEN];

	if (h->uuid[0])
		str_copy(uuid, sizeof(uuid), h->uuid);
	else
		orphan_uuid(h->slot, uuid);
	return drift_add(out, DRIFT_ORPHAN, uuid, NULL, "vgpus/%s: orphan on %s (type %s), held "
			 "by no device", uuid, h->slot, h->type_id);
}

/* Read afresh: a change behind the daemon's back shows at once, not within 100 ms. */
static int host_drift(struct engine *e, struct drifts *out)
{
	struct found f = { 0 };
	int r;

	for (size_t i = 0; i < e->host.n_gpus; i++)
		host_forget_gpu(&e->host, &e->host.gpus[i]);
	r = host_for_each_vgpu(&e->host, found_add, &f);
	for (size_t i = 0; r >= 0 && i < e->devices.n_vgpus; i++)
		r = vgpu_drift(e, &e->devices.vgpus[i], &f, out);
	for (size_t i = 0; r >= 0 && i < f.n; i++)
		if (!f.named[i] && gpu_managed(e, f.vgpus[i].gpu))
			r = orphan_drift(&f.vgpus[i], out);
	found_free(&f);
	return r;
}

/* ---- libvirt: each definition against the devices it should hold ---- */

static bool listed(const struct virt_domain *vms, size_t n, const char *uuid)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(vms[i].uuid, uuid))
			return true;
	return false;
}

/* Devices of domains libvirt no longer has (an undefine the daemon did not hear of). */
static int gone_drift(struct engine *e, const struct virt_domain *vms, size_t n,
		      struct drifts *out)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < e->devices.n; i++) {
		const char *uuid = e->devices.items[i].vm_uuid;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(e->devices.items[j].vm_uuid, uuid);
		if (!seen && !listed(vms, n, uuid))
			r = drift_add(out, DRIFT_VM_GONE, NULL, uuid, "vms/%s: domain no longer "
				      "defined; its devices are still recorded", uuid);
	}
	return r;
}

static bool set_holds(const struct owned_set *s, const char *uuid)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->devices[i].n_vgpus; j++)
			if (!strcasecmp(s->devices[i].vgpus[j].uuid, uuid))
				return true;
	return false;
}

/* What the definition lacks of one device: its hostdevs, its guest-driver cdrom. */
static int device_lacks(const struct virt_domain *vm, const char *xml,
			const struct domxml_device *d, struct drifts *out)
{
	int r = 0;

	for (size_t j = 0; r >= 0 && j < d->n_vgpus; j++)
		if (domxml_has_hostdev(xml, &d->vgpus[j]) == 0)
			r = drift_add(out, DRIFT_DEFINITION, d->vgpus[j].uuid, vm->uuid,
				      "vms/%s/devices/%s: hostdev of vGPU %s missing from the "
				      "definition", vm->name, d->name, d->vgpus[j].uuid);
	if (r >= 0 && d->cdrom[0] && domxml_has_cdrom(xml, d->cdrom) == 0)
		r = drift_add(out, DRIFT_DEFINITION, NULL, vm->uuid, "vms/%s/devices/%s: "
			      "guest-driver cdrom %s missing from the definition", vm->name,
			      d->name, d->cdrom);
	return r;
}

struct stale_walk {
	const struct virt_domain *vm;
	const struct owned_set *want;
	struct drifts *out;
};

/* A vGPU our record names that no device of this VM holds (another VM's, whose definition
 * was copied, or one since freed). */
static int stale_vgpus(const struct domxml_device *d, void *ctx)
{
	struct stale_walk *w = ctx;
	int r = 0;

	for (size_t j = 0; r >= 0 && j < d->n_vgpus; j++)
		if (!set_holds(w->want, d->vgpus[j].uuid))
			r = drift_add(w->out, DRIFT_DEFINITION, d->vgpus[j].uuid, w->vm->uuid,
				      "vms/%s: stale hostdev of vGPU %s, held by no device of "
				      "this VM", w->vm->name, d->vgpus[j].uuid);
	return r;
}

/* Why applying the devices would change the definition; when no hostdev or cdrom is
 * missing or stale, our record alone differs. */
static int explain_definition(const struct virt_domain *vm, const char *xml,
			      const struct owned_set *want, struct drifts *out)
{
	struct stale_walk w = { vm, want, out };
	size_t before = out->n;
	char err[256];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < want->n; i++)
		r = device_lacks(vm, xml, &want->devices[i], out);
	if (r >= 0)
		r = domxml_owned(xml, stale_vgpus, &w, err, sizeof(err));
	if (r >= 0 && out->n == before)
		r = drift_add(out, DRIFT_DEFINITION, NULL, vm->uuid, "vms/%s: the vgpufs record in "
			      "the definition differs from its devices", vm->name);
	return r < 0 ? r : 0;
}

static int definition_drift(struct engine *e, const struct virt_domain *vm,
			    struct drifts *out)
{
	_cleanup_free_ char *xml = NULL, *edited = NULL;
	struct owned_set want;
	char err[512] = "";
	int r = virt_xml(e->virt, vm->uuid, true, &xml, NULL, err, sizeof(err));

	if (r == -ENOENT)
		return 0; /* undefined meanwhile: its event frees its devices */
	if (r < 0)
		return drift_add(out, DRIFT_UNCHECKED, NULL, vm->uuid,
				 "vms/%s: definition not read: %s", vm->name, err);
	r = owned_set_build(e, vm->uuid, NULL, &want);
	if (r >= 0)
		r = domxml_apply_changes(xml, want.devices, want.n, &edited, err, sizeof(err));
	if (r < 0 && r != -ENOMEM)
		r = drift_add(out, DRIFT_DEFINITION, NULL, vm->uuid,
			      "vms/%s: definition cannot take its devices: %s", vm->name, err);
	else if (r >= 0 && edited)
		r = explain_definition(vm, xml, &want, out);
	owned_set_free(&want);
	return r;
}

static int definitions_drift(struct engine *e, struct drifts *out)
{
	struct virt_domain *vms = NULL;
	size_t n = 0;
	char err[512] = "";
	int r = virt_list(e->virt, &vms, &n, err, sizeof(err));

	if (r < 0)
		return drift_add(out, DRIFT_UNCHECKED, NULL, NULL,
				 "vms: definitions not checked: %s", err);
	r = gone_drift(e, vms, n, out);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = definition_drift(e, &vms[i], out);
	free(vms);
	return r;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(((const struct drift *)a)->line, ((const struct drift *)b)->line);
}

/* Every item, sorted by its line. */
static int drift_compute(struct engine *e, struct drifts *out)
{
	int r = host_drift(e, out);

	if (r >= 0)
		r = definitions_drift(e, out);
	if (r >= 0 && out->n)
		qsort(out->items, out->n, sizeof(*out->items), compare_lines);
	return r;
}

/* The lines, each escaped as an events line is: one line, whatever it quotes. */
static int drifts_format(const struct drifts *d, char **out)
{
	char line[4 * DRIFT_LINE_MAX];
	size_t len = 0;

	*out = strdup("");
	for (size_t i = 0; *out && i < d->n; i++) {
		char *grown;

		value_escape(d->items[i].line, line, sizeof(line));
		grown = realloc(*out, len + strlen(line) + 2);
		if (!grown) {
			free(*out);
			*out = NULL;
			break;
		}
		*out = grown;
		len += (size_t)sprintf(*out + len, "%s\n", line);
	}
	return *out ? 0 : -ENOMEM;
}

int engine_host_drift(struct engine *e, char **out)
{
	LOCK_ENGINE(e);
	struct drifts d = { 0 };
	int r = drift_compute(e, &d);

	*out = NULL;
	if (r >= 0)
		r = drifts_format(&d, out);
	free(d.items);
	return r;
}

/* ---- host/reconcile ---- */

/* One events line per item: what became of it. */
static bool report(struct engine *e, const struct drift *item, int r, const char *why)
{
	if (r >= 0)
		events_add(&e->events, "%s: repaired", item->line);
	else
		events_add(&e->events, "%s: not repaired: %s", item->line,
			   why && why[0] ? why : strerror(-r));
	return r >= 0;
}

static bool vm_running(struct engine *e, const char *vm_uuid)
{
	struct virt_domain vm;

	return vm_lookup(e, vm_uuid, &vm, false) >= 0 && vm.active;
}

static bool repair_vm_gone(struct engine *e, const struct drift *item)
{
	struct virt_domain vm;

	if (vm_lookup(e, item->vm_uuid, &vm, false) != -ENOENT)
		return report(e, item, -EEXIST, "the domain is there (again)");
	devices_vm_gone(e, item->vm_uuid, item->vm_uuid);
	for (size_t i = 0; i < e->devices.n; i++)
		if (!strcmp(e->devices.items[i].vm_uuid, item->vm_uuid))
			return report(e, item, -EIO, "its devices could not be deleted");
	return report(e, item, 0, NULL);
}

static bool repair_removal(struct engine *e, const struct drift *item)
{
	finish_removal(e, item->vgpu);
	return report(e, item, devices_find_vgpu(&e->devices, item->vgpu) ? -EIO : 0,
		      "the removal failed again");
}

/* The vGPU as the journal has it: made again where the host lost it, its type set back
 * (the slot emptied first), or its vgpu_params written again. Not under a running VM:
 * the kernel keeps a vGPU in use as it is. */
static bool repair_vgpu(struct engine *e, const struct drift *item)
{
	struct vgpu *v = devices_find_vgpu(&e->devices, item->vgpu);
	const struct gpu *g = v ? host_find_gpu(&e->host, v->gpu) : NULL;
	char want[sizeof(v->params)];
	int r;

	if (!v) { /* freed with its domain, repaired before */
		events_add(&e->events, "%s: no longer applies (the vGPU was freed)", item->line);
		return true;
	}
	if (item->kind != DRIFT_MISSING && vm_running(e, v->vm_uuid))
		return report(e, item, -EBUSY, "its VM is running");
	if (item->kind == DRIFT_PARAMS) {
		wanted_params(e, v, want, sizeof(want));
		r = g ? host_vgpu_set_params(&e->host, g, v->slot, v->uuid, want) : -ENODEV;
		return report(e, item, r, NULL);
	}
	if (item->kind == DRIFT_TYPE && (r = vgpu_unmake(e, v)) < 0)
		return report(e, item, r, NULL);
	return report(e, item, vgpu_recreate(e, v), NULL);
}

/* One edit per domain, however many of its items there are. */
static size_t repair_definitions(struct engine *e, const struct drifts *d)
{
	size_t repaired = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct drift *item = &d->items[i];
		char err[512] = "";
		bool seen = false;
		int r;

		if (item->kind != DRIFT_DEFINITION)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = d->items[j].kind == DRIFT_DEFINITION &&
			       !strcmp(d->items[j].vm_uuid, item->vm_uuid);
		if (seen)
			continue;
		r = vm_apply(e, item->vm_uuid, NULL, err, sizeof(err));
		for (size_t j = i; j < d->n; j++)
			if (d->items[j].kind == DRIFT_DEFINITION &&
			    !strcmp(d->items[j].vm_uuid, item->vm_uuid))
				repaired += report(e, &d->items[j], r, err);
	}
	return repaired;
}

static size_t repair(struct engine *e, const struct drifts *d, enum drift_kind kind)
{
	size_t repaired = 0;

	if (kind == DRIFT_DEFINITION)
		return repair_definitions(e, d);
	for (size_t i = 0; i < d->n; i++) {
		const struct drift *item = &d->items[i];

		if (item->kind != kind)
			continue;
		switch (kind) {
		case DRIFT_VM_GONE:
			repaired += repair_vm_gone(e, item);
			break;
		case DRIFT_REMOVAL:
			repaired += repair_removal(e, item);
			break;
		case DRIFT_TYPE:
		case DRIFT_MISSING:
		case DRIFT_PARAMS:
			repaired += repair_vgpu(e, item);
			break;
		case DRIFT_UNCHECKED:
			report(e, item, -ENOTCONN, "nothing is known to repair");
			break;
		case DRIFT_ORPHAN:
			events_add(&e->events, "%s: left in place (vgpufs did not make it)",
				   item->line);
			break;
		default:
			assert(!"a kind with no repair");
		}
	}
	return repaired;
}

int engine_host_reconcile(struct engine *e, const char *value)
{
	LOCK_ENGINE(e);
	struct drifts d = { 0 };
	size_t repaired = 0;
	bool on;
	int r;

	engine_object(e, "host");
	if (value_parse_bool(value, &on) < 0)
		return refuse(e, -EINVAL, "write 1 to reconcile, not \"%s\"", value);
	if (!on)
		return 0;
	r = drift_compute(e, &d);
	for (int kind = 0; r >= 0 && kind < DRIFT_KINDS; kind++)
		repaired += repair(e, &d, (enum drift_kind)kind);
	if (r >= 0)
		events_add(&e->events, "host/reconcile: %zu repaired, %zu left (host/drift lists "
			   "them)", repaired, d.n - repaired);
	free(d.items);
	return r;
}
