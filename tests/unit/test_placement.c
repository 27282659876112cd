/* Unit tests for vGPU placement policies. */
#include "tap.h"
#include "placement.h"

#include <errno.h>

static void test_depth_first(void)
{
	/* GPU 1 already holds vGPUs: it is filled first, then GPU 0, then GPU 2 */
	struct placement_gpu g[] = { { 0, 2 }, { 2, 2 }, { 0, 4 } };
	size_t picks[6];

	CHECK(placement_pick(g, 3, 6, PLACEMENT_DEPTH_FIRST, picks) == 0);
	CHECK(picks[0] == 1 && picks[1] == 1);
	CHECK(picks[2] == 0 && picks[3] == 0);
	CHECK(picks[4] == 2 && picks[5] == 2);
}

static void test_breadth_first(void)
{
	struct placement_gpu g[] = { { 1, 3 }, { 0, 4 }, { 0, 4 } };
	size_t picks[4];

	CHECK(placement_pick(g, 3, 4, PLACEMENT_BREADTH_FIRST, picks) == 0);
	/* emptiest first (ties by address): 1, 2, then all hold one: 0, then 1 */
	CHECK(picks[0] == 1 && picks[1] == 2 && picks[2] == 0 && picks[3] == 1);
}

static void test_all_or_nothing(void)
{
	struct placement_gpu g[] = { { 0, 1 }, { 3, 0 } };
	size_t picks[2] = { 99, 99 };

	CHECK(placement_pick(g, 2, 2, PLACEMENT_DEPTH_FIRST, picks) == -ENOSPC);
	CHECK(picks[0] == 99 && picks[1] == 99);
	CHECK(placement_pick(g, 0, 1, PLACEMENT_BREADTH_FIRST, picks) == -ENOSPC);
	CHECK(placement_pick(g, 2, 0, PLACEMENT_BREADTH_FIRST, picks) == 0);
}

static void test_policy_names(void)
{
	enum placement_policy p;

	CHECK(placement_policy_parse("depth-first", &p) == 0 && p == PLACEMENT_DEPTH_FIRST);
	CHECK(placement_policy_parse("breadth-first", &p) == 0 && p == PLACEMENT_BREADTH_FIRST);
	CHECK(placement_policy_parse("random", &p) == -EINVAL);
}

int main(void)
{
	test_depth_first();
	test_breadth_first();
	test_all_or_nothing();
	test_policy_names();
	return tap_done();
}
