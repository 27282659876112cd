/* Unit tests for what a rule says of a GPU (rule_judge in groups.h): each filter, each
 * operator, the function of a GPU, the recorded identity; and for the checks a rule's
 * fields get (rule_check, the identity's syntax). */
#include "tap.h"
#include "groups.h"

#include <errno.h>
#include <stdlib.h>

static struct vgpu_type types_of_a16[] = {
	{ .type_id = "nvidia-683", .profile = "A16-1Q" },
	{ .type_id = "nvidia-690", .profile = "A16-4Q" },
};
static struct vgpu_type types_of_l40s[] = {
	{ .type_id = "1145", .profile = "L40S-1B" },
};
static char self[1][BDF_MAX] = { "0000:43:00.0" };
static char vfs[2][BDF_MAX] = { "0000:48:00.4", "0000:48:00.5" };

static struct gpu a16(void)
{
	struct gpu g = { .mode = GPU_MODE_MDEV, .name = "NVIDIA A16", .slots = self,
			 .n_slots = 1, .types = types_of_a16, .n_types = 2 };

	snprintf(g.pci.bdf, sizeof(g.pci.bdf), "0000:43:00.0");
	g.pci.vendor = 0x10de, g.pci.device = 0x25b6;
	g.pci.subsystem_vendor = 0x10de, g.pci.subsystem_device = 0x14a9;
	return g;
}

static struct gpu l40s(void)
{
	struct gpu g = { .mode = GPU_MODE_VFIO_SRIOV, .name = "NVIDIA L40S", .slots = vfs,
			 .n_slots = 2, .types = types_of_l40s, .n_types = 1 };

	snprintf(g.pci.bdf, sizeof(g.pci.bdf), "0000:48:00.0");
	g.pci.vendor = 0x10de, g.pci.device = 0x26b9;
	g.pci.subsystem_vendor = 0x10de, g.pci.subsystem_device = 0x1851;
	return g;
}

/* A rule as mkdir makes it, for node "node". */
static struct rule new_rule(void)
{
	struct rule r = { 0 };

	fields_init(rule_fields, &r);
	snprintf(r.node, sizeof(r.node), "node");
	return r;
}

/* Sets field to value through its table line, as a write to the tree does. */
static int set(struct rule *r, const char *field, const char *value)
{
	char why[256];

	return field_parse(field_find(rule_fields, field), value, r, why, sizeof(why));
}

static bool matches(const struct rule *r, const struct gpu *g)
{
	return rule_judge(r, g, "node") == RULE_MATCHES;
}

static void test_defaults(void)
{
	struct rule r = new_rule();
	struct gpu a = a16(), l = l40s();

	CHECK(matches(&r, &a) && matches(&r, &l));
	CHECK(rule_judge(&r, &a, "elsewhere") == RULE_MISSES);
	r.enabled = false;
	CHECK(rule_judge(&r, &a, "node") == RULE_MISSES);
}

/* name and type_id, each operator, "" for none. */
static void test_operators(void)
{
	struct rule r = new_rule();
	struct gpu a = a16(), l = l40s();

	CHECK(set(&r, "name", "NVIDIA A16") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l));
	CHECK(set(&r, "name", "NVIDIA") == 0);
	CHECK(!matches(&r, &a));
	CHECK(set(&r, "name_match", "begins-with") == 0);
	CHECK(matches(&r, &a) && matches(&r, &l));
	CHECK(set(&r, "name", "A16") == 0);
	CHECK(!matches(&r, &a));
	CHECK(set(&r, "name_match", "contains") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l));
	CHECK(set(&r, "name", "a16") == 0); /* case counts */
	CHECK(!matches(&r, &a));
	CHECK(set(&r, "name_match", "regex") == 0);
	CHECK(set(&r, "name", "^NVIDIA (A16|T4)$") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l));
	CHECK(set(&r, "name", "L[0-9]+S") == 0); /* found anywhere */
	CHECK(!matches(&r, &a) && matches(&r, &l));
	CHECK(set(&r, "name", "") == 0);
	CHECK(matches(&r, &a) && matches(&r, &l));
	CHECK(set(&r, "name_match", "like") == -EINVAL);

	/* a type id: any of the GPU's types */
	CHECK(set(&r, "type_id", "nvidia-690") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l));
	CHECK(set(&r, "type_id_match", "begins-with") == 0);
	CHECK(set(&r, "type_id", "11") == 0);
	CHECK(!matches(&r, &a) && matches(&r, &l));
	CHECK(set(&r, "type_id_match", "contains") == 0);
	CHECK(set(&r, "type_id", "-68") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l));
	CHECK(set(&r, "type_id_match", "regex") == 0);
	CHECK(set(&r, "type_id", "^[0-9]+$") == 0);
	CHECK(!matches(&r, &a) && matches(&r, &l));
	CHECK(set(&r, "type_id", "") == 0);
	CHECK(matches(&r, &a) && matches(&r, &l));
}

static void test_function(void)
{
	struct rule r = new_rule();
	struct gpu a = a16(), l = l40s(), none = a16();

	none.n_slots = 0; /* makes no vGPU: neither physical nor virtual */
	none.mode = GPU_MODE_NONE;
	CHECK(matches(&r, &none));
	CHECK(set(&r, "function", "physical") == 0);
	CHECK(matches(&r, &a) && !matches(&r, &l) && !matches(&r, &none));
	CHECK(set(&r, "function", "virtual") == 0);
	CHECK(!matches(&r, &a) && matches(&r, &l) && !matches(&r, &none));
	CHECK(set(&r, "function", "vf") == -EINVAL);
	CHECK(set(&r, "function", "") == -EINVAL);
}

static void test_identity(void)
{
	struct rule r = new_rule();
	struct gpu a = a16(), l = l40s();
	char id[GPU_IDENTITY_MAX];

	gpu_identity(&a, id, sizeof(id));
	CHECK_STR(id, "10de:25b6 10de:14a9");
	CHECK(set(&r, "identity", "10DE:25B6 10de:14A9") == 0);
	CHECK_STR(r.identity, "10de:25b6 10de:14a9");
	CHECK(rule_judge(&r, &a, "node") == RULE_MATCHES);
	CHECK(rule_judge(&r, &l, "node") == RULE_HARDWARE_CHANGED);
	/* other filters first: a GPU they leave out is missed, not changed */
	CHECK(set(&r, "slot", "0000:43:00.0") == 0);
	CHECK(rule_judge(&r, &l, "node") == RULE_MISSES);
	a.pci.subsystem_device = 0x1234; /* the same model from another board maker */
	CHECK(rule_judge(&r, &a, "node") == RULE_HARDWARE_CHANGED);
	CHECK(!rule_matches(&r, &a, "node"));
	r.enabled = false;
	CHECK(rule_judge(&r, &a, "node") == RULE_MISSES);
	for (const char *const *bad = (const char *const[]){ "10de:25b6", "10de:25b6  10de:14a9",
			"0x10de:25b6 10de:14a9", "10de-25b6 10de:14a9", "10de:25b6 10de:14a9 ",
			"10de:25g6 10de:14a9", "10de:25b6\t10de:14a9", NULL }; *bad; bad++)
		CHECK(set(&r, "identity", *bad) == -EINVAL);
	CHECK_STR(r.identity, "10de:25b6 10de:14a9");
	CHECK(set(&r, "identity", "") == 0);
	CHECK(rule_judge(&r, &l, "node") == RULE_MISSES); /* disabled still */
}

static void test_group_rule_changed(void)
{
	struct groups gs = { 0 };
	struct group *g = groups_add(&gs, "g");
	struct gpu a = a16(), l = l40s();
	struct rule *r;

	CHECK(g != NULL);
	r = group_add_rule(g, "pci-0000-48-00.0", "node");
	CHECK(set(r, "slot", "0000:48:00.0") == 0);
	CHECK(set(r, "identity", "10de:25b6 10de:14a9") == 0);
	CHECK(group_rule_changed(g, &l, "node") == r);
	CHECK(group_rule_changed(g, &a, "node") == NULL);
	CHECK(!group_matches(g, &l, "node"));
	groups_free(&gs);
}

static void test_check(void)
{
	struct rule r = new_rule();
	char why[256];

	CHECK(set(&r, "name", "(") == 0); /* a literal while name_match is equals */
	CHECK(rule_check(&r, why, sizeof(why)) == 0);
	CHECK(set(&r, "name_match", "regex") == 0);
	CHECK(rule_check(&r, why, sizeof(why)) == -EINVAL);
	CHECK_STR(why, "name \"(\" is not an extended regular expression: Unmatched ( or \\(");
	CHECK(set(&r, "name", "") == 0); /* "" is no filter, whatever the operator */
	CHECK(rule_check(&r, why, sizeof(why)) == 0);
	CHECK(set(&r, "type_id_match", "regex") == 0);
	CHECK(set(&r, "type_id", "a{2,1}") == 0);
	CHECK(rule_check(&r, why, sizeof(why)) == -EINVAL);
	CHECK_STR(why, "type_id \"a{2,1}\" is not an extended regular expression: "
		       "Invalid content of \\{\\}");
	CHECK(set(&r, "type_id", "^nvidia-(6|7)[0-9]{2}$") == 0);
	CHECK(rule_check(&r, why, sizeof(why)) == 0);
}

int main(void)
{
	test_defaults();
	test_operators();
	test_function();
	test_identity();
	test_group_rule_changed();
	test_check();
	return tap_done();
}
