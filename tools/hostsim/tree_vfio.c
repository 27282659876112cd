/* tree_vfio.c - a VF's nvidia/ directory in vfio-sriov mode (vGPU 17+
 * vendor-specific VFIO): creatable_vgpu_types, current_vgpu_type, and the
 * shared vgpu_params/vm_name.  The creatable list is computed from the
 * whole GPU's state on every read, so a sibling VF's change shows at once. */
#include "tree.h"

#include <errno.h>

#include "params.h"

static int show_creatable(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	unsigned dev = (unsigned)n->dev;
	char name[64];

	tb_printf(out, "ID    : vGPU Name\n");
	for (unsigned t = 0; t < model_type_count(h, dev); t++) {
		if (!model_available(h, dev, t))
			continue;
		model_type_name(h, dev, t, name, sizeof(name));
		tb_printf(out, "%-5u : %s\n", model_type_id(h, dev, t), name);
	}
	return 0;
}

static int show_current(struct sim_host *h, const struct sim_node *n, struct textbuf *out)
{
	tb_printf(out, "%d\n", model_vf_current_id(h, (unsigned)n->dev));
	return 0;
}

static int store_current(struct sim_host *h, const struct sim_node *n, const char *value,
			 size_t len)
{
	unsigned long id;

	(void)len;
	if (parse_ulong(value, 10, &id) < 0)
		return -EINVAL;
	return model_vf_set_type(h, (unsigned)n->dev, id);
}

static const struct sim_attr vf_nvidia_attrs[] = {
	{ "creatable_vgpu_types", 0444, show_creatable, NULL },
	{ "current_vgpu_type", 0644, show_current, store_current },
	{ 0 },
};

static void list_vf_nvidia(struct sim_host *h, const struct sim_node *self, struct lister *l)
{
	(void)h;
	emit_attrs(l, self, vf_nvidia_attrs);
	emit_attrs(l, self, vgpu_common_attrs);
}

const struct dir_kind dir_vf_nvidia = { list_vf_nvidia };
