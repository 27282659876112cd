/* Unit tests for the vGPU type name, profile and description parsers. */
#include "tap.h"
#include "vgpu_type.h"
#include "vfio_sriov.h"

#include <errno.h>

static void test_profile_from_name(void)
{
	char p[PROFILE_MAX];

	CHECK(vgpu_type_profile_from_name("NVIDIA A16-4Q", p, sizeof(p)) == 0);
	CHECK_STR(p, "A16-4Q");
	CHECK(vgpu_type_profile_from_name("GRID T4-2B4\n", p, sizeof(p)) == 0);
	CHECK_STR(p, "T4-2B4");
	CHECK(vgpu_type_profile_from_name("NVIDIA RTX6000-Ada-1Q  ", p, sizeof(p)) == 0);
	CHECK_STR(p, "RTX6000-Ada-1Q");
	CHECK(vgpu_type_profile_from_name("A40-8C", p, sizeof(p)) == 0);
	CHECK_STR(p, "A40-8C");
	CHECK(vgpu_type_profile_from_name("   ", p, sizeof(p)) == -EINVAL);
	CHECK(vgpu_type_profile_from_name("x A16-4Q", p, 4) == -EINVAL);
}

static void expect_profile(const char *profile, const char *board, unsigned fb,
			   const char *series)
{
	char b[64], s[8];
	unsigned f = 0;

	CHECK(vgpu_profile_parse(profile, b, sizeof(b), &f, s, sizeof(s)) == 0);
	CHECK_STR(b, board);
	CHECK(f == fb);
	CHECK_STR(s, series);
}

static void test_profile_parse(void)
{
	char b[64], s[8];
	unsigned f;

	expect_profile("A16-4Q", "A16", 4096, "Q");
	expect_profile("T4-2B4", "T4", 2048, "B");
	expect_profile("T4-1B", "T4", 1024, "B");
	expect_profile("RTX6000-Ada-1Q", "RTX6000-Ada", 1024, "Q");
	expect_profile("A100-1-5C", "A100", 5120, "C");
	expect_profile("A100-1-5CME", "A100", 5120, "CME");
	expect_profile("M60-0B", "M60", 512, "B");
	expect_profile("H100-80C", "H100", 81920, "C");
	CHECK(vgpu_profile_parse("A16", b, sizeof(b), &f, s, sizeof(s)) == -EINVAL);
	CHECK(vgpu_profile_parse("A16-Q", b, sizeof(b), &f, s, sizeof(s)) == -EINVAL);
	CHECK(vgpu_profile_parse("A16-4q", b, sizeof(b), &f, s, sizeof(s)) == -EINVAL);
	CHECK(vgpu_profile_parse("-4Q", b, sizeof(b), &f, s, sizeof(s)) == -EINVAL);
	CHECK(vgpu_profile_parse("A16-4Q-", b, sizeof(b), &f, s, sizeof(s)) == -EINVAL);
}

static void test_description(void)
{
	struct vgpu_type t = { 0 };

	CHECK(vgpu_type_parse_description(&t, "num_heads=4, frl_config=60, framebuffer=2048M, "
					  "max_resolution=4096x2160, max_instance=4") == 5);
	CHECK(t.heads == 4 && t.frl == 60 && t.framebuffer_mib == 2048 && t.max_instances == 4);
	CHECK_STR(t.max_resolution, "4096x2160");

	/* any order, unknown keys, odd spacing, a missing key, gigabytes */
	struct vgpu_type u = { 0 };
	CHECK(vgpu_type_parse_description(&u, " max_instance = 2 ,future_key=7,framebuffer=8G,"
					  "garbage,,num_heads=1\n") == 3);
	CHECK(u.max_instances == 2 && u.framebuffer_mib == 8192 && u.heads == 1 && u.frl == 0);
	CHECK_STR(u.max_resolution, "");
}

static void test_from_name(void)
{
	struct vgpu_type t;

	CHECK(vgpu_type_from_name(&t, "nvidia-222", "GRID T4-2B4") == 0);
	CHECK_STR(t.type_id, "nvidia-222");
	CHECK_STR(t.profile, "T4-2B4");
	CHECK(t.framebuffer_mib == 2048 && t.frl == 45);
	CHECK(vgpu_type_from_name(&t, "nvidia-9", "nvidia-9") == 0); /* nameless type */
	CHECK(t.framebuffer_mib == 0);
}

struct collected {
	char ids[8][32];
	char profiles[8][PROFILE_MAX];
	int n;
};

static int collect(const struct vgpu_type *t, void *ctx)
{
	struct collected *c = ctx;

	if (c->n < 8) {
		strcpy(c->ids[c->n], t->type_id);
		strcpy(c->profiles[c->n++], t->profile);
	}
	return 0;
}

static void test_creatable(void)
{
	struct collected c = { .n = 0 };

	CHECK(vfio_sriov_parse_creatable("ID    : vGPU Name\n1145  : NVIDIA L40S-1B\n"
					 "1155  : NVIDIA L40S-24Q\nnonsense line\n"
					 "12 :\n", collect, &c) == 0);
	CHECK(c.n == 2);
	CHECK_STR(c.ids[0], "1145");
	CHECK_STR(c.profiles[0], "L40S-1B");
	CHECK_STR(c.ids[1], "1155");
	CHECK_STR(c.profiles[1], "L40S-24Q");
	c.n = 0;
	CHECK(vfio_sriov_parse_creatable("ID    : vGPU Name\n", collect, &c) == 0);
	CHECK(c.n == 0);
	/* a sign or an id past 32 bits: would not read back as current_vgpu_type does */
	CHECK(vfio_sriov_parse_creatable("-1    : NVIDIA L40S-1B\n+1146 : NVIDIA L40S-2B\n"
					 "4294968441 : NVIDIA L40S-1Q\n1148  : NVIDIA L40S-2Q\n",
					 collect, &c) == 0);
	CHECK(c.n == 1);
	CHECK_STR(c.ids[0], "1148");
}

int main(void)
{
	test_profile_from_name();
	test_profile_parse();
	test_description();
	test_from_name();
	test_creatable();
	return tap_done();
}
