/* placement.h — where the vGPUs of one request go, given how full each candidate GPU is.
 * Pure logic over numbers the caller read from the host:
 *   depth-first   packs: GPUs already holding the most vGPUs first (then by address), each
 *                 filled before the next is touched, keeping empty GPUs free for other
 *                 profiles;
 *   breadth-first spreads: each vGPU goes to the GPU with the fewest vGPUs so far.
 * All or nothing: if the free slots add up to less than asked, nothing is placed. */
#ifndef VGPUFS_PLACEMENT_H
#define VGPUFS_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

struct placement_gpu {
	unsigned used;     /* vGPUs on it now */
	unsigned free;     /* more it can take now, for the profile asked */
};

enum placement_policy { PLACEMENT_DEPTH_FIRST, PLACEMENT_BREADTH_FIRST };

int placement_policy_parse(const char *name, enum placement_policy *out);

/* Fills picks[0..count) with indexes into gpus (which are in address order). Returns 0,
 * or -ENOSPC when they cannot hold count more vGPUs (picks untouched). */
int placement_pick(const struct placement_gpu *gpus, size_t n, unsigned count,
		   enum placement_policy policy, size_t *picks);

#endif
