/* Unit tests for value parsing and escaping (value.h) and for group ownership after a
 * rule edit (groups_owner_after in groups.h). */
#include "tap.h"
#include "groups.h"
#include "value.h"

#include <errno.h>
#include <stdlib.h>

static void test_parse_uint(void)
{
	unsigned v = 99;

	CHECK(value_parse_uint("2", 1, 64, &v) == 0 && v == 2);
	CHECK(value_parse_uint("64", 1, 64, &v) == 0 && v == 64);
	CHECK(value_parse_uint("0", 0, 1000, &v) == 0 && v == 0);
	v = 99;
	CHECK(value_parse_uint("65", 1, 64, &v) == -EINVAL && v == 99);
	CHECK(value_parse_uint("0", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("", 0, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("+2", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("-1", 0, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("02", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("00", 0, 64, &v) == -EINVAL);
	CHECK(value_parse_uint(" 2", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("2 ", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("2\n", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("0x2", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("99999999999999999999", 1, 64, &v) == -EINVAL);
	CHECK(value_parse_uint("4294967297", 1, 64, &v) == -EINVAL); /* 2^32 + 1 */
}

static void test_escape(void)
{
	char out[64];

	value_escape("plain text", out, sizeof(out));
	CHECK_STR(out, "plain text");
	value_escape("a\nb\tc\\d", out, sizeof(out));
	CHECK_STR(out, "a\\nb\\tc\\\\d");
	value_escape("\x01\x7f", out, sizeof(out));
	CHECK_STR(out, "\\x01\\x7f");
	value_escape("\xff\xc3(", out, sizeof(out));
	CHECK_STR(out, "\\xff\\xc3(");
	value_escape("ünï €", out, sizeof(out));
	CHECK_STR(out, "ünï €");
	/* an escape that does not fit whole is left out */
	value_escape("ab\n", out, 4);
	CHECK_STR(out, "ab");
	value_escape("\n", out, 1);
	CHECK_STR(out, "");
}

static struct gpu make_gpu(const char *bdf, unsigned device)
{
	struct gpu g = { 0 };

	snprintf(g.pci.bdf, sizeof(g.pci.bdf), "%s", bdf);
	g.pci.vendor = 0x10de;
	g.pci.device = device;
	return g;
}

static void test_owner_after(void)
{
	struct groups gs = { 0 };
	struct gpu a16 = make_gpu("0000:43:00.0", 0x25b6), t4 = make_gpu("0000:41:00.0", 0x1eb8);
	struct group *g, *h;
	struct rule *own, wide = { .enabled = true }, narrowed;

	g = groups_add(&gs, "g");
	h = groups_add(&gs, "h");
	CHECK(g && h);
	g = &gs.items[0], h = &gs.items[1]; /* the second add may have moved the first */
	own = group_add_rule(g, "own", "");
	snprintf(own->slot, sizeof(own->slot), "%s", a16.pci.bdf);

	CHECK(groups_owner_after(&gs, &a16, "node", NULL) == g);
	CHECK(groups_owner_after(&gs, &t4, "node", NULL) == NULL);
	/* removed: in no group */
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ g, own, NULL }) == NULL);
	/* a second group's rule that matches everything: a conflict, in neither */
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ h, NULL, &wide }) == NULL);
	CHECK(groups_owner_after(&gs, &t4, "node", &(struct rule_edit){ h, NULL, &wide }) == h);
	/* narrowed away, disabled, or for another node */
	narrowed = *own;
	snprintf(narrowed.slot, sizeof(narrowed.slot), "%s", t4.pci.bdf);
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ g, own, &narrowed }) == NULL);
	CHECK(groups_owner_after(&gs, &t4, "node", &(struct rule_edit){ g, own, &narrowed }) == g);
	narrowed = *own;
	narrowed.enabled = false;
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ g, own, &narrowed }) == NULL);
	narrowed = *own;
	snprintf(narrowed.node, sizeof(narrowed.node), "elsewhere");
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ g, own, &narrowed }) == NULL);
	/* an edit of another group's rule leaves g's GPU alone */
	CHECK(groups_owner_after(&gs, &a16, "node", &(struct rule_edit){ h, NULL, &narrowed }) == g);
	/* identities are distinct and never reused */
	CHECK(g->id > 0 && h->id > 0 && own->id > 0 && g->id != h->id && h->id != own->id);
	groups_free(&gs);
}

int main(void)
{
	test_parse_uint();
	test_escape();
	test_owner_after();
	return tap_done();
}
