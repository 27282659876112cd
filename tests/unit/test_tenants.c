/* Unit tests for tenants (tenants.h): who may reach what, a share's options as the
 * defaults and limits of its tenant's devices, and the in-memory tables. */
#include "tap.h"
#include "tenants.h"

#include <errno.h>

/* t1 administered by uid 1001, t2 by members of gid 2002. */
static void make_tenants(struct tenants *ts)
{
	struct tenant *t1 = tenants_add(ts, "t1"), *t2;

	snprintf(t1->admin_uid, sizeof(t1->admin_uid), "1001");
	t2 = tenants_add(ts, "t2");
	snprintf(t2->admin_gid, sizeof(t2->admin_gid), "2002");
}

static void test_reach(void)
{
	struct tenants ts = { 0 };
	const gid_t member_groups[] = { 50, 2002 };
	const struct caller root = { 0, 0, NULL, 0 }, a1 = { 1001, 1001, NULL, 0 },
			    m2 = { 1500, 1500, member_groups, 2 }, m2_primary = { 1600, 2002,
										 NULL, 0 },
			    other = { 3000, 3000, NULL, 0 };

	make_tenants(&ts);
	/* root: everything */
	CHECK(tenants_reach(&ts, &root, PART_PROVIDER, "") == 0);
	CHECK(tenants_reach(&ts, &root, PART_OWNED, "t2") == 0);
	/* t1's admin: the catalogue, its own; the provider's side refused, the rest hidden */
	CHECK(tenants_reach(&ts, &a1, PART_CATALOGUE, "") == 0);
	CHECK(tenants_reach(&ts, &a1, PART_OWNED, "t1") == 0);
	CHECK(tenants_reach(&ts, &a1, PART_PROVIDER, "") == -EACCES);
	CHECK(tenants_reach(&ts, &a1, PART_OWNED, "") == -ENOENT);
	CHECK(tenants_reach(&ts, &a1, PART_OWNED, "t2") == -ENOENT);
	CHECK(tenants_reach(&ts, &a1, PART_OWNED, "gone") == -ENOENT);
	/* t2's admins by supplementary or primary group */
	CHECK(tenants_reach(&ts, &m2, PART_OWNED, "t2") == 0);
	CHECK(tenants_reach(&ts, &m2, PART_OWNED, "t1") == -ENOENT);
	CHECK(tenants_reach(&ts, &m2_primary, PART_OWNED, "t2") == 0);
	CHECK(tenants_reach(&ts, &m2_primary, PART_PROVIDER, "") == -EACCES);
	/* an ordinary user: the provider's side, no tenant's */
	CHECK(tenants_reach(&ts, &other, PART_PROVIDER, "") == 0);
	CHECK(tenants_reach(&ts, &other, PART_OWNED, "") == 0);
	CHECK(tenants_reach(&ts, &other, PART_OWNED, "t1") == -ENOENT);
	tenants_free(&ts);
}

static void test_limits(void)
{
	struct device share = { 0 }, d = { 0 };
	char limit[32];

	CHECK(share_option_beyond(&share, &d, limit, sizeof(limit)) == NULL);
	d.enable_unified_memory = true;
	CHECK_STR(share_option_beyond(&share, &d, limit, sizeof(limit)), "enable_unified_memory");
	CHECK_STR(limit, "0");
	share.enable_unified_memory = true;
	CHECK(share_option_beyond(&share, &d, limit, sizeof(limit)) == NULL);
	share.disable_console_vnc = true;
	CHECK_STR(share_option_beyond(&share, &d, limit, sizeof(limit)), "disable_console_vnc");
	d.disable_console_vnc = true;
	share.frame_rate_limit = 30;
	CHECK_STR(share_option_beyond(&share, &d, limit, sizeof(limit)), "frame_rate_limit");
	CHECK_STR(limit, "1..30");
	d.frame_rate_limit = 31;
	CHECK_STR(share_option_beyond(&share, &d, limit, sizeof(limit)), "frame_rate_limit");
	d.frame_rate_limit = 30;
	CHECK(share_option_beyond(&share, &d, limit, sizeof(limit)) == NULL);
	d.attach_guest_drivers = true;
	CHECK_STR(share_option_beyond(&share, &d, limit, sizeof(limit)), "attach_guest_drivers");
}

static void test_defaults(void)
{
	struct device share = { .frame_rate_limit = 30, .disable_console_vnc = true,
				.enable_cuda_profilers = true };
	struct device d = { .frame_rate_limit = 10 };

	share_defaults(&share, &d);
	CHECK(d.frame_rate_limit == 10); /* set: kept */
	CHECK(d.disable_console_vnc && d.enable_cuda_profilers && !d.enable_unified_memory);
	d.frame_rate_limit = 0;
	share_defaults(&share, &d);
	CHECK(d.frame_rate_limit == 30);
}

static void test_tables(void)
{
	struct tenants ts = { 0 };
	struct share *s;

	make_tenants(&ts);
	CHECK_STR(tenants_vm_owner(&ts, "u-1"), "");
	CHECK(tenants_set_vm_owner(&ts, "u-1", "t1") == 0);
	CHECK(tenants_set_vm_owner(&ts, "u-2", "t2") == 0);
	CHECK(tenants_set_vm_owner(&ts, "u-1", "t2") == 0);
	CHECK_STR(tenants_vm_owner(&ts, "u-1"), "t2");
	CHECK(tenants_set_vm_owner(&ts, "u-1", "") == 0);
	CHECK_STR(tenants_vm_owner(&ts, "u-1"), "");
	CHECK_STR(tenants_vm_owner(&ts, "u-2"), "t2");

	s = shares_add(&ts, "t1", "node1", "s1");
	CHECK(s && s->form.count == 1 && !s->form.group[0]); /* a VM device's defaults */
	CHECK(shares_add(&ts, "t1", "node2", "s1") != NULL);
	CHECK(shares_find(&ts, "t1", "node1", "s1") != shares_find(&ts, "t1", "node2", "s1"));
	CHECK(shares_find(&ts, "t2", "node1", "s1") == NULL);
	shares_remove(&ts, shares_find(&ts, "t1", "node1", "s1"));
	CHECK(shares_find(&ts, "t1", "node1", "s1") == NULL && ts.n_shares == 1);

	CHECK(tenant_node_add(&ts, "t1", "far") == 0 && tenant_node_add(&ts, "t1", "far") == 0);
	CHECK(ts.n_nodes == 1 && tenant_node_exists(&ts, "t1", "far"));
	CHECK(!tenant_node_exists(&ts, "t2", "far"));
	tenant_node_remove(&ts, "t1", "far");
	CHECK(!tenant_node_exists(&ts, "t1", "far"));
	tenants_free(&ts);
}

int main(void)
{
	test_reach();
	test_limits();
	test_defaults();
	test_tables();
	return tap_done();
}
