/* vfio_sriov.c — see vfio_sriov.h. The creatable list is a header line
 * ("ID    : vGPU Name") then "%-5d : <name>" lines; anything else is skipped. */
#include "vfio_sriov.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

static int nvidia_path(char *buf, size_t size, const char *root, const char *vf,
		       const char *leaf)
{
	return str_printf(buf, size, "%s/bus/pci/devices/%s/nvidia/%s", root, vf, leaf);
}

bool vfio_sriov_is_capable(struct snapshot *s, const char *root, const char *vf_bdf)
{
	unsigned type_id;

	return vfio_sriov_current_type(s, root, vf_bdf, &type_id) != -ENOENT;
}

static int parse_line(char *line, struct vgpu_type *t)
{
	char *colon = strchr(line, ':'), *end, *name, id_text[24];
	unsigned long id;

	/* the header, or garbage; strtoul alone would take "-1" as ULONG_MAX, and ids are
	 * read back as unsigned (vfio_sriov_current_type) */
	if (!colon || !isdigit((unsigned char)line[strspn(line, " \t")]))
		return -EINVAL;
	id = strtoul(line, &end, 10);
	if (id == 0 || id > UINT_MAX)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (end != colon)
		return -EINVAL;
	for (name = colon + 1; isspace((unsigned char)*name); name++)
		;
	if (!*name)
		return -EINVAL;
	snprintf(id_text, sizeof(id_text), "%lu", id);
	return vgpu_type_from_name(t, id_text, name);
}

int vfio_sriov_parse_creatable(const char *text,
			       int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;
	struct vgpu_type t;
	int r;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (parse_line(line, &t) < 0)
			continue;
		r = fn(&t, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

int vfio_sriov_for_each_creatable(struct snapshot *s, const char *root, const char *vf_bdf,
				  int (*fn)(const struct vgpu_type *t, void *ctx), void *ctx)
{
	char path[PATH_MAX], text[8192];
	int r = nvidia_path(path, sizeof(path), root, vf_bdf, "creatable_vgpu_types");

	if (r < 0)
		return r;
	r = snapshot_read(s, path, text, sizeof(text));
	return r < 0 ? r : vfio_sriov_parse_creatable(text, fn, ctx);
}

int vfio_sriov_current_type(struct snapshot *s, const char *root, const char *vf_bdf,
			    unsigned *type_id)
{
	char path[PATH_MAX], value[32], *end;
	int r = nvidia_path(path, sizeof(path), root, vf_bdf, "current_vgpu_type");

	if (r < 0)
		return r;
	r = snapshot_read(s, path, value, sizeof(value));
	if (r < 0)
		return r;
	*type_id = (unsigned)strtoul(value, &end, 10);
	return end == value ? -EINVAL : 0;
}

int vfio_sriov_create(const char *root, const char *vf_bdf, const char *type_id)
{
	char path[PATH_MAX];
	int r = nvidia_path(path, sizeof(path), root, vf_bdf, "current_vgpu_type");

	return r < 0 ? r : file_write_value(path, type_id);
}

int vfio_sriov_delete(const char *root, const char *vf_bdf)
{
	char path[PATH_MAX];
	unsigned current;
	int r = vfio_sriov_current_type(NULL, root, vf_bdf, &current);

	if (r < 0 || current == 0)
		return r == -ENOENT ? 0 : r;
	r = nvidia_path(path, sizeof(path), root, vf_bdf, "current_vgpu_type");
	return r < 0 ? r : file_write_value(path, "0");
}

int vfio_sriov_set_params(const char *root, const char *vf_bdf, const char *params)
{
	char path[PATH_MAX];
	int r = nvidia_path(path, sizeof(path), root, vf_bdf, "vgpu_params");

	return r < 0 ? r : file_write_value(path, params[0] ? params : " ");
}

int vfio_sriov_get_params(const char *root, const char *vf_bdf, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r = nvidia_path(path, sizeof(path), root, vf_bdf, "vgpu_params");

	return r < 0 ? r : file_read_value(path, buf, size);
}
