/* simctl.c - MOUNTPOINT/.simctl, the simulator's test control file.
 *
 * Not part of sysfs: tests use it to play the hypervisor, which the
 * simulator does not have.  One command per write:
 *   use <uuid|vf-bdf>          a VM now runs on this vGPU
 *   release <uuid|vf-bdf>      the VM stopped (also clears vm_name)
 *   vm_name <uuid|vf-bdf> NAME what nvidia/vm_name reads
 * Unknown command: EINVAL; unknown vGPU: ENOENT. */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum simctl_verb { VERB_USE, VERB_RELEASE, VERB_VM_NAME, VERB_UNKNOWN };

static enum simctl_verb parse_verb(const char *word)
{
	if (strcmp(word, "use") == 0)
		return VERB_USE;
	if (strcmp(word, "release") == 0)
		return VERB_RELEASE;
	if (strcmp(word, "vm_name") == 0)
		return VERB_VM_NAME;
	return VERB_UNKNOWN;
}

static int apply(struct sim_vgpu *v, enum simctl_verb verb, const char *rest)
{
	switch (verb) {
	case VERB_USE:
		v->in_use = true;
		return 0;
	case VERB_RELEASE:
		v->in_use = false;
		v->vm_name[0] = '\0';
		return 0;
	case VERB_VM_NAME:
		if (strlen(rest) >= sizeof(v->vm_name))
			return -EINVAL;
		strcpy(v->vm_name, rest);
		return 0;
	default:
		return -EINVAL;
	}
}

static int store_simctl(struct sim_host *h, const struct sim_node *n, const char *value, size_t len)
{
	char verb[16], target[64];
	int rest = -1;
	enum simctl_verb v;
	struct sim_vgpu *vgpu;

	(void)n, (void)len;
	if (sscanf(value, "%15s %63s %n", verb, target, &rest) < 2)
		return -EINVAL;
	if (rest < 0)
		rest = (int)strlen(value);
	v = parse_verb(verb);
	if (v == VERB_UNKNOWN || (v != VERB_VM_NAME && value[rest]))
		return -EINVAL;
	vgpu = model_find_target(h, target);
	if (!vgpu)
		return -ENOENT;
	return apply(vgpu, v, value + rest);
}

const struct sim_attr simctl_attrs[] = {
	{ ".simctl", 0200, NULL, store_simctl },
	{ 0 },
};
