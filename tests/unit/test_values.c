/* Unit tests for value parsing and escaping (value.h), for group ownership after a
 * rule edit (groups_owner_after in groups.h) and for the operation counters (counters.h). */
#include "tap.h"
#include "counters.h"
#include "devices.h"
#include "groups.h"
#include "store.h"
#include "value.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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

/* One line added to a kind's table is all a new option needs: parsing, its refusal,
 * reading back, comparing, saving and loading its row, and vgpu_params. */
struct probe {
	char name[16];
	unsigned count;
	bool turbo;
};

static const struct field probe_fields[] = {
	FIELD_OF(struct probe, count, .type = FIELD_UINT, .min = 1, .max = 8, .initial = "2",
		 .vgpu_param = "count"),
	FIELD_OF(struct probe, turbo, .type = FIELD_BOOL, .vgpu_param = "enable_turbo"),
	{ NULL },
};

static void test_field_table(void)
{
	struct probe a, b;
	char buf[128], why[256];

	fields_init(probe_fields, &a);
	CHECK(a.count == 2 && !a.turbo);
	b = a;
	CHECK(field_parse(field_find(probe_fields, "turbo"), "Yes", &b, why, sizeof(why)) == 0);
	CHECK(fields_differ(probe_fields, &a, &b) == field_find(probe_fields, "turbo"));
	field_format(field_find(probe_fields, "turbo"), &b, buf, sizeof(buf));
	CHECK_STR(buf, "1");
	CHECK(field_parse(field_find(probe_fields, "count"), "9", &b, why, sizeof(why)) == -EINVAL);
	CHECK_STR(why, "count takes a whole number from 1 to 8, in plain digits, not \"9\"");
	CHECK(b.count == 2);
	CHECK(field_parse(field_find(probe_fields, "turbo"), "maybe", &b, why, sizeof(why)) < 0);
	CHECK(strstr(why, "turbo takes a boolean") == why);
	fields_vgpu_params(probe_fields, &b, buf, sizeof(buf));
	CHECK_STR(buf, "count=2, enable_turbo=1");
	fields_vgpu_params(device_fields, &(struct device){ .frame_rate_limit = 45 }, buf,
			   sizeof(buf));
	CHECK_STR(buf, "frame_rate_limiter=45");
}

/* What the driver reads back is compared as a set of items (host/drift). */
static void test_vgpu_params_equal(void)
{
	CHECK(fields_vgpu_params_equal("frame_rate_limiter=45, disable_vnc=1",
				       "disable_vnc=1,frame_rate_limiter=45"));
	CHECK(fields_vgpu_params_equal(" frame_rate_limiter=45 ,\tdisable_vnc=1\n",
				       "frame_rate_limiter=45, disable_vnc=1"));
	CHECK(fields_vgpu_params_equal(" ", ""));
	CHECK(fields_vgpu_params_equal("a=1,,b=2", "b=2, a=1"));
	CHECK(!fields_vgpu_params_equal("frame_rate_limiter=10", "frame_rate_limiter=45"));
	CHECK(!fields_vgpu_params_equal("enable_uvm=1", ""));
	CHECK(!fields_vgpu_params_equal("a=1, b=2", "a=1"));
	CHECK(!fields_vgpu_params_equal("a=1, a=1", "a=1"));
	CHECK(!fields_vgpu_params_equal("a = 1", "a=1")); /* blanks inside an item count */
}

/* A field added to a table gets its column in an existing database, with its initial
 * value as the default, and is saved and loaded like the others. */
static void test_store_columns(void)
{
	char dir[] = "/tmp/vgpufs-test-values.XXXXXX", err[256] = "", path[256];
	struct store s = { NULL };
	sqlite3_stmt *st = NULL;
	struct probe p = { .count = 5, .turbo = true }, loaded = { { 0 } };

	CHECK(mkdtemp(dir) != NULL);
	CHECK(store_open(&s, dir, err, sizeof(err)) == 0);
	CHECK(store_exec(&s, "CREATE TABLE probes (name TEXT PRIMARY KEY)", NULL) == 0);
	CHECK(store_exec(&s, "INSERT INTO probes (name) VALUES ('old')", NULL) == 0);
	CHECK(store_add_columns(&s, "probes", probe_fields) == 0);
	CHECK(store_add_columns(&s, "probes", probe_fields) == 0); /* once only */
	CHECK(store_select(&s, &st, "probes", "name", probe_fields) == 0);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	store_load_fields(probe_fields, st, 1, &loaded);
	CHECK(loaded.count == 2 && !loaded.turbo); /* the row made before: initial values */
	sqlite3_finalize(st);
	CHECK(store_update(&s, "probes", probe_fields, &p, "name", "old", NULL) == 0);
	CHECK(store_select(&s, &st, "probes", "name", probe_fields) == 0);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	store_load_fields(probe_fields, st, 1, &loaded);
	CHECK(loaded.count == 5 && loaded.turbo);
	sqlite3_finalize(st);
	store_close(&s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

/* count() moves its own counter only; a commit and a rollback are counted once each. */
static void test_counters(void)
{
	char dir[] = "/tmp/vgpufs-test-counters.XXXXXX", err[256] = "", path[256];
	unsigned long long parses = counter_get(COUNT_XML_PARSES);
	unsigned long long defines = counter_get(COUNT_LIBVIRT_DEFINES), commits, rollbacks;
	struct store s = { NULL };

	count(COUNT_XML_PARSES);
	CHECK(counter_get(COUNT_XML_PARSES) == parses + 1);
	CHECK(counter_get(COUNT_LIBVIRT_DEFINES) == defines);
	CHECK_STR(counter_names[COUNT_SYSFS_READS], "sysfs_reads");
	CHECK_STR(counter_names[COUNTERS - 1], "sql_rollbacks");

	CHECK(mkdtemp(dir) != NULL);
	CHECK(store_open(&s, dir, err, sizeof(err)) == 0);
	commits = counter_get(COUNT_SQL_TRANSACTIONS);
	rollbacks = counter_get(COUNT_SQL_ROLLBACKS);
	CHECK(store_begin(&s) == 0 && store_commit(&s) == 0);
	CHECK(store_begin(&s) == 0);
	store_rollback(&s);
	store_rollback(&s); /* none open: not counted */
	CHECK(counter_get(COUNT_SQL_TRANSACTIONS) == commits + 1);
	CHECK(counter_get(COUNT_SQL_ROLLBACKS) == rollbacks + 1);
	store_close(&s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

int main(void)
{
	test_counters();
	test_field_table();
	test_vgpu_params_equal();
	test_store_columns();
	test_parse_uint();
	test_escape();
	test_owner_after();
	return tap_done();
}
