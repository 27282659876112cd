/* placement.c — see placement.h. */
#include "placement.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int placement_policy_parse(const char *name, enum placement_policy *out)
{
	if (!strcmp(name, "depth-first"))
		*out = PLACEMENT_DEPTH_FIRST;
	else if (!strcmp(name, "breadth-first"))
		*out = PLACEMENT_BREADTH_FIRST;
	else
		return -EINVAL;
	return 0;
}

/* The GPU with room that the policy prefers next, given what is planned so far. */
static size_t best_gpu(const struct placement_gpu *gpus, size_t n, const unsigned *planned,
		       enum placement_policy policy)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++) {
		unsigned load = gpus[i].used + planned[i], best_load;

		if (planned[i] >= gpus[i].free)
			continue;
		if (best == n) {
			best = i;
			continue;
		}
		best_load = gpus[best].used + planned[best];
		if (policy == PLACEMENT_DEPTH_FIRST ? load > best_load : load < best_load)
			best = i;
	}
	return best;
}

int placement_pick(const struct placement_gpu *gpus, size_t n, unsigned count,
		   enum placement_policy policy, size_t *picks)
{
	unsigned total = 0, *planned;

	for (size_t i = 0; i < n; i++)
		total += gpus[i].free;
	if (total < count)
		return -ENOSPC;
	planned = calloc(n ? n : 1, sizeof(*planned));
	if (!planned)
		return -ENOMEM;
	for (unsigned k = 0; k < count; k++) {
		size_t i = best_gpu(gpus, n, planned, policy);

		assert(i < n); /* total free covers count: some GPU has room */
		planned[i]++;
		picks[k] = i;
	}
	free(planned);
	return 0;
}
