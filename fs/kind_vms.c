/* kind_vms.c — vms/<vm>/ (libvirt domains), vms/<vm>/devices/<dev>/ (their vGPU devices,
 * mkdir/rmdir) and vgpus/<uuid>/ (every vGPU instance). Every attribute is the engine
 * field of the same name; vGPU lists are symlinks to vgpus/. */
#include "kinds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int link_to(char *buf, size_t size, const char *fmt, const char *name)
{
	return snprintf(buf, size, fmt, name) >= (int)size ? -ENAMETOOLONG : 0;
}

/* ---- vgpus/<uuid> ---- */

static int show_vgpu(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_vgpu_get(n->engine, n->key[0], a->name, value, sizeof(value));

	return show_value(out, r, value);
}

static int vgpu_exists(const struct node *n, const char *uuid)
{
	return engine_vgpu_exists(n->engine, uuid);
}

static int vgpu_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_vgpu(n->engine, NULL, fn, ctx);
}

static int vgpu_owner(const struct node *n, const char *uuid, char *buf, size_t size)
{
	return engine_vgpu_owner(n->engine, uuid, buf, size);
}

static const struct node_kind vgpu_kind = {
	.attrs = (const struct attr[]) {
		{ "gpu", 0444, false, show_vgpu },
		{ "profile", 0444, false, show_vgpu },
		{ "type_id", 0444, false, show_vgpu },
		{ "params", 0444, false, show_vgpu },
		{ "vm", 0444, false, show_vgpu },
		{ "device", 0444, false, show_vgpu },
		{ "tenant", 0444, false, show_vgpu },
		{ "state", 0444, false, show_vgpu },
		{ NULL },
	},
};

const struct node_kind vgpus_kind = {
	.entry_kind = &vgpu_kind,
	.list = vgpu_list,
	.exists = vgpu_exists,
	.owner = vgpu_owner,
};

/* gpus/<bdf>/vgpus/: links to the vGPUs on that GPU */
static int gpu_vgpu_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_vgpu(n->engine, n->key[0], fn, ctx);
}

static int gpu_vgpu_link(const struct node *n, const char *uuid, char *buf, size_t size)
{
	(void)n;
	return link_to(buf, size, "../../../vgpus/%s", uuid);
}

const struct node_kind gpu_vgpus_kind = {
	.list = gpu_vgpu_list,
	.exists = vgpu_exists,
	.readlink = gpu_vgpu_link,
	.owner = vgpu_owner,
};

/* ---- vms/<vm>/devices/<dev> ---- */

static int show_device(const struct node *n, const struct attr *a, struct text *out)
{
	char value[VALUE_MAX + 1];
	int r = engine_device_get(n->engine, n->key[0], n->key[1], a->name, value,
				  sizeof(value));

	return show_value(out, r, value);
}

static int store_device(const struct node *n, const struct attr *a, const char *value)
{
	return engine_device_set(n->engine, n->key[0], n->key[1], a->name, value);
}

struct vgpu_match {
	const char *uuid;
	bool found;
};

static int match_uuid(const char *uuid, void *ctx)
{
	struct vgpu_match *m = ctx;

	m->found |= !strcasecmp(uuid, m->uuid);
	return 0;
}

static int device_vgpu_exists(const struct node *n, const char *uuid)
{
	struct vgpu_match m = { uuid, false };
	int r = engine_for_each_device_vgpu(n->engine, n->key[0], n->key[1], match_uuid, &m);

	return r < 0 ? r : m.found ? 0 : -ENOENT;
}

static int device_vgpu_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_device_vgpu(n->engine, n->key[0], n->key[1], fn, ctx);
}

static int device_vgpu_link(const struct node *n, const char *uuid, char *buf, size_t size)
{
	(void)n;
	return link_to(buf, size, "../../../../../vgpus/%s", uuid);
}

static const struct node_kind device_vgpus_kind = {
	.list = device_vgpu_list,
	.exists = device_vgpu_exists,
	.readlink = device_vgpu_link,
};

static const struct node_kind device_kind = {
	.attrs = (const struct attr[]) {
		{ "type", 0444, true, show_device },
		{ "status", 0444, false, show_device },
		{ "error", 0444, false, show_device },
		{ NULL },
	},
	.fields = device_fields,
	.show_field = show_device,
	.store_field = store_device,
	.subdirs = (const struct subdir[]) {
		{ "vgpus", &device_vgpus_kind },
		{ NULL },
	},
	.tenant_writes = true,
};

static int device_exists(const struct node *n, const char *name)
{
	return engine_device_id(n->engine, n->key[0], name);
}

static int device_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_device(n->engine, n->key[0], fn, ctx);
}

static int device_mkdir(const struct node *n, const char *name)
{
	return engine_device_create(n->engine, n->key[0], name);
}

static int device_rmdir(const struct node *n, const char *name)
{
	return engine_device_delete(n->engine, n->key[0], name);
}

static const struct node_kind devices_kind = {
	.entry_kind = &device_kind,
	.list = device_list,
	.exists = device_exists,
	.mkdir = device_mkdir,
	.rmdir = device_rmdir,
	.tenant_writes = true,
};

/* ---- vms/<vm> ---- */

static int show_vm(const struct node *n, const struct attr *a, struct text *out)
{
	char *value;
	int r = engine_vm_get(n->engine, n->key[0], a->name, &value);

	if (r >= 0)
		r = strcmp(a->name, "definition") ? show_value(out, r, value) :
			text_printf(out, "%s", value);
	free(value);
	return r;
}

static int store_vm(const struct node *n, const struct attr *a, const char *value)
{
	return engine_vm_set(n->engine, n->key[0], a->name, value);
}

static const struct node_kind vm_kind = {
	.attrs = (const struct attr[]) {
		{ "uuid", 0444, true, show_vm },
		{ "state", 0444, false, show_vm },
		{ "tenant", 0644, false, show_vm, store_vm },
		{ "restart_required", 0444, false, show_vm },
		{ "restart", 0200, false, NULL, store_vm, .tenant_writes = true },
		{ "definition", 0444, false, show_vm },
		{ "error", 0444, false, show_vm },
		{ NULL },
	},
	.subdirs = (const struct subdir[]) {
		{ "devices", &devices_kind },
		{ NULL },
	},
};

static int vm_exists(const struct node *n, const char *name)
{
	return engine_vm_exists(n->engine, name);
}

static int vm_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_vm(n->engine, fn, ctx);
}

static int vm_owner(const struct node *n, const char *name, char *buf, size_t size)
{
	return engine_vm_owner(n->engine, name, buf, size);
}

const struct node_kind vms_kind = {
	.entry_kind = &vm_kind,
	.list = vm_list,
	.exists = vm_exists,
	.owner = vm_owner,
};

/* ---- groups/<g>/devices/: "<vm>:<dev>" -> ../../../vms/<vm>/devices/<dev>, and a
 * share's "tenant=<t>:node=<node>:share=<s>" -> ../../../tenants/<t>/nodes/<node>/devices/<s>
 * (a device name holds no '=', so the part after the last ':' tells them apart) ---- */

static int group_device_list(const struct node *n, engine_name_fn fn, void *ctx)
{
	return engine_for_each_group_device(n->engine, n->key[0], fn, ctx);
}

static int group_device_exists(const struct node *n, const char *name)
{
	return listed(n, group_device_list, name);
}

static int group_device_link(const struct node *n, const char *name, char *buf, size_t size)
{
	const char *colon = strrchr(name, ':');
	char tenant[TREE_NAME_MAX], node[TREE_NAME_MAX], share[TREE_NAME_MAX];

	(void)n;
	if (!colon)
		return -ENOENT;
	if (strchr(colon, '=')) {
		if (sscanf(name, "tenant=%255[^:]:node=%255[^:]:share=%255s", tenant, node,
			   share) != 3)
			return -ENOENT;
		return snprintf(buf, size, "../../../tenants/%s/nodes/%s/devices/%s", tenant,
				node, share) >= (int)size ? -ENAMETOOLONG : 0;
	}
	return snprintf(buf, size, "../../../vms/%.*s/devices/%s", (int)(colon - name), name,
			colon + 1) >= (int)size ? -ENAMETOOLONG : 0;
}

/* A share's link is its tenant's; a VM device's, the provider's. */
static int group_device_owner(const struct node *n, const char *name, char *buf, size_t size)
{
	const char *colon = strrchr(name, ':');

	(void)n;
	buf[0] = '\0';
	if (!colon || !strchr(colon, '=') || strncmp(name, "tenant=", 7))
		return 0;
	name += 7;
	return snprintf(buf, size, "%.*s", (int)strcspn(name, ":"), name) >= (int)size ?
		-ENAMETOOLONG : 0;
}

const struct node_kind group_devices_kind = {
	.list = group_device_list,
	.exists = group_device_exists,
	.readlink = group_device_link,
	.owner = group_device_owner,
};
