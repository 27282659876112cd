/* simctl.c - MOUNTPOINT/.simctl, the simulator's test control file.
 *
 * Not part of sysfs: tests use it to play the hypervisor and the hardware,
 * which the simulator does not have.  One command per write:
 *   use <uuid|vf-bdf>          a VM now runs on this vGPU
 *   release <uuid|vf-bdf>      the VM stopped (also clears vm_name)
 *   vm_name <uuid|vf-bdf> NAME what nvidia/vm_name reads
 *   unplug <gpu-bdf>           the GPU leaves the bus with its VFs, audio function
 *                              and vGPUs (ENODEV: already gone)
 *   plug <gpu-bdf>             it comes back as the host file made it, without
 *                              vGPUs (EEXIST: it is there)
 *   uevents on|off             send the kernel's uevents for unplug and plug (on by
 *                              default as root; "on" without a socket: its errno)
 * Unknown command: EINVAL; unknown vGPU or GPU: ENOENT. */
#include "tree.h"
#include "uevent_send.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum simctl_verb {
	VERB_USE, VERB_RELEASE, VERB_VM_NAME, VERB_UNPLUG, VERB_PLUG, VERB_UEVENTS, VERB_UNKNOWN
};

static enum simctl_verb parse_verb(const char *word)
{
	if (strcmp(word, "use") == 0)
		return VERB_USE;
	if (strcmp(word, "release") == 0)
		return VERB_RELEASE;
	if (strcmp(word, "vm_name") == 0)
		return VERB_VM_NAME;
	if (strcmp(word, "unplug") == 0)
		return VERB_UNPLUG;
	if (strcmp(word, "plug") == 0)
		return VERB_PLUG;
	if (strcmp(word, "uevents") == 0)
		return VERB_UEVENTS;
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

/* The commands about the hardware rather than one vGPU. */
static int apply_host(struct sim_host *h, enum simctl_verb verb, const char *target)
{
	int gpu = model_find_gpu(h, target);

	if (verb == VERB_UEVENTS) {
		if (strcmp(target, "on") && strcmp(target, "off"))
			return -EINVAL;
		return uevent_send_enable(h, strcmp(target, "on") == 0);
	}
	if (gpu < 0)
		return -ENOENT;
	return verb == VERB_UNPLUG ? model_gpu_unplug(h, (unsigned)gpu)
				   : model_gpu_plug(h, (unsigned)gpu);
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
	if (v == VERB_UNPLUG || v == VERB_PLUG || v == VERB_UEVENTS)
		return apply_host(h, v, target);
	vgpu = model_find_target(h, target);
	if (!vgpu)
		return -ENOENT;
	return apply(vgpu, v, value + rest);
}

const struct sim_attr simctl_attrs[] = {
	{ ".simctl", 0200, NULL, store_simctl },
	{ 0 },
};
