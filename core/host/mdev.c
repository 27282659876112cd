/* mdev.c — see mdev.h. Paths follow the kernel ABI; nothing here assumes how the tree was
 * produced, only what the documentation promises (values end in "\n", name and
 * description are optional, links point at the parent device). */
#include "mdev.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static int types_dir(char *buf, size_t size, const char *root, const char *parent)
{
	return str_printf(buf, size, "%s/class/mdev_bus/%s/mdev_supported_types", root, parent);
}

int mdev_for_each_parent(const char *root, int (*fn)(const char *bdf, void *ctx), void *ctx)
{
	char dir[PATH_MAX];
	int r = str_printf(dir, sizeof(dir), "%s/class/mdev_bus", root);

	if (r >= 0)
		r = dir_for_each(dir, fn, ctx);
	return r == -ENOENT ? 0 : r;
}

struct type_walk {
	const char *dir;
	int (*fn)(const struct vgpu_type *t, void *ctx);
	void *ctx;
};

static int read_one_type(const char *type_id, void *ctx)
{
	struct type_walk *w = ctx;
	char path[PATH_MAX], name[128], description[512];
	struct vgpu_type t;

	str_printf(path, sizeof(path), "%s/%s/name", w->dir, type_id);
	if (file_read_value(path, name, sizeof(name)) <= 0)
		str_copy(name, sizeof(name), type_id); /* name is optional in the ABI */
	if (vgpu_type_from_name(&t, type_id, name) < 0)
		return 0; /* not a type we can name: skip, do not fail the GPU */
	str_printf(path, sizeof(path), "%s/%s/description", w->dir, type_id);
	if (file_read_value(path, description, sizeof(description)) > 0)
		vgpu_type_parse_description(&t, description);
	return w->fn(&t, w->ctx);
}

int mdev_for_each_type(const char *root, const char *parent_bdf,
		       int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx)
{
	char dir[PATH_MAX];
	struct type_walk w = { dir, fn, ctx };
	int r = types_dir(dir, sizeof(dir), root, parent_bdf);

	return r < 0 ? r : dir_for_each(dir, read_one_type, &w);
}

int mdev_available(struct snapshot *s, const char *root, const char *parent_bdf,
		   const char *type_id)
{
	char path[PATH_MAX], value[32];
	int r;

	r = str_printf(path, sizeof(path), "%s/class/mdev_bus/%s/mdev_supported_types/%s/"
		       "available_instances", root, parent_bdf, type_id);
	if (r < 0)
		return r;
	r = snapshot_read(s, path, value, sizeof(value));
	return r < 0 ? r : atoi(value);
}

struct device_walk {
	struct snapshot *snapshot;
	const char *root;
	int (*fn)(const struct mdev_device *d, void *ctx);
	void *ctx;
};

/* Component `up` (0 = the last) of a link's target: an mdev's link ends in
 * <parent>/<uuid>, its mdev_type link in <type>. */
static int link_component(struct snapshot *s, const char *path, int up, char *out,
			  size_t size)
{
	char target[PATH_MAX], *last;
	int r = snapshot_link(s, path, target, sizeof(target));

	if (r < 0)
		return r;
	for (; up > 0; up--) {
		if (!(last = strrchr(target, '/')))
			return -EINVAL;
		*last = '\0';
	}
	last = strrchr(target, '/');
	return str_copy(out, size, last ? last + 1 : target);
}

static int read_one_device(const char *uuid, void *ctx)
{
	struct device_walk *w = ctx;
	char path[PATH_MAX];
	struct mdev_device d = { 0 };

	if (str_copy(d.uuid, sizeof(d.uuid), uuid) < 0)
		return 0;
	str_printf(path, sizeof(path), "%s/bus/mdev/devices/%s", w->root, uuid);
	if (link_component(w->snapshot, path, 1, d.parent, sizeof(d.parent)) < 0)
		return 0; /* being removed right now */
	str_printf(path, sizeof(path), "%s/bus/mdev/devices/%s/mdev_type", w->root, uuid);
	if (link_component(w->snapshot, path, 0, d.type_id, sizeof(d.type_id)) < 0)
		return 0;
	return w->fn(&d, w->ctx);
}

int mdev_for_each_device(struct snapshot *s, const char *root,
			 int (*fn)(const struct mdev_device *d, void *ctx), void *ctx)
{
	char dir[PATH_MAX];
	struct device_walk w = { s, root, fn, ctx };
	int r = str_printf(dir, sizeof(dir), "%s/bus/mdev/devices", root);

	if (r < 0)
		return r;
	r = snapshot_list(s, dir, read_one_device, &w);
	return r == -ENOENT ? 0 : r; /* no mdev bus: no mdevs */
}

static int device_path(char *buf, size_t size, const char *root, const char *uuid,
		       const char *leaf)
{
	return str_printf(buf, size, "%s/bus/mdev/devices/%s%s%s", root, uuid, leaf[0] ? "/" : "",
			  leaf);
}

/* What a listing of the new mdev would read: its links end in <parent>/<uuid> and
 * <type> (read_one_device takes nothing else from them). */
static void snapshot_created(struct snapshot *s, const char *root, const char *parent_bdf,
			     const char *type_id, const char *uuid)
{
	char path[PATH_MAX], target[PATH_MAX];

	if (device_path(path, sizeof(path), root, uuid, "") < 0 ||
	    str_printf(target, sizeof(target), "%s/%s", parent_bdf, uuid) < 0)
		return;
	snapshot_keep_link(s, path, target);
	device_path(path, sizeof(path), root, uuid, "mdev_type");
	snapshot_keep_link(s, path, type_id);
	str_printf(path, sizeof(path), "%s/bus/mdev/devices", root);
	snapshot_list_change(s, path, uuid, true);
}

int mdev_create(struct snapshot *s, const char *root, const char *parent_bdf,
		const char *type_id, const char *uuid)
{
	char path[PATH_MAX];
	int r = str_printf(path, sizeof(path), "%s/class/mdev_bus/%s/mdev_supported_types/%s/create",
			   root, parent_bdf, type_id);

	if (r >= 0 && (r = file_write_value(path, uuid)) >= 0)
		snapshot_created(s, root, parent_bdf, type_id, uuid);
	return r;
}

bool mdev_exists(const char *root, const char *uuid)
{
	char path[PATH_MAX];

	return device_path(path, sizeof(path), root, uuid, "") >= 0 && access(path, F_OK) == 0;
}

int mdev_remove(struct snapshot *s, const char *root, const char *uuid)
{
	char path[PATH_MAX];
	int r = device_path(path, sizeof(path), root, uuid, "remove");

	if (r < 0)
		return r;
	r = file_write_value(path, "1");
	if (r < 0 && r != -ENOENT && r != -ENODEV)
		return r;
	str_printf(path, sizeof(path), "%s/bus/mdev/devices", root);
	snapshot_list_change(s, path, uuid, false);
	device_path(path, sizeof(path), root, uuid, "");
	snapshot_forget_below(s, path);
	return 0;
}

int mdev_set_params(const char *root, const char *uuid, const char *params)
{
	char path[PATH_MAX];
	int r = device_path(path, sizeof(path), root, uuid, "nvidia/vgpu_params");

	return r < 0 ? r : file_write_value(path, params[0] ? params : " ");
}

int mdev_get_params(const char *root, const char *uuid, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r = device_path(path, sizeof(path), root, uuid, "nvidia/vgpu_params");

	return r < 0 ? r : file_read_value(path, buf, size);
}
