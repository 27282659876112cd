/* Unit tests for compat.h, against the compiled-in data/vgpu-compat.txt. */
#include "tap.h"
#include "compat.h"

#include <errno.h>
#include <pthread.h>

#define NVIDIA 0x10de

static void test_check(void)
{
	char err[256] = "unset";

	CHECK(compat_check(err, sizeof(err)) == 0);
	if (err[0])
		printf("#   %s\n", err);
	CHECK_STR(err, "");
	CHECK(compat_check(NULL, 0) == 0);
}

static void test_version_compare(void)
{
	CHECK(compat_version_compare("535.129.03", "535.161.05") < 0);
	CHECK(compat_version_compare("535.161.05", "550.54.10") < 0);
	CHECK(compat_version_compare("550.54.10", "535.129.03") > 0);
	CHECK(compat_version_compare("550.54.16", "550.54.16") == 0);
	CHECK(compat_version_compare("550.54.16", "550.54.15") > 0);
	CHECK(compat_version_compare("550.54.03", "550.54.3") == 0);	/* numbers, not text */
	CHECK(compat_version_compare("550.9", "550.10") < 0);
	CHECK(compat_version_compare("99.1", "100.1") < 0);
	CHECK(compat_version_compare("580.82", "580.82.02") < 0);	/* more parts: greater */
	CHECK(compat_version_compare("580.82.02", "580.82") > 0);
	CHECK(compat_version_compare("1.2.3.4", "1.2.3") > 0);
	CHECK(compat_version_compare("12345678901234567890.1", "12345678901234567891.1") < 0);
}

static void test_branch_release(void)
{
	static const struct { const char *version, *branch; int release; } cases[] = {
		{ "450.248.03", "R450", 11 },	{ "460.32.04", "R460", 12 },
		{ "470.256.02", "R470", 13 },	{ "510.47.03", "R510", 14 },
		{ "525.60.12", "R525", 15 },	{ "535.129.03", "R535", 16 },
		{ "550.54.16", "R550", 17 },	{ "570.158.02", "R570", 18 },
		{ "580.65.05", "R580", 19 },	{ "595.58.02", "R595", 20 },
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(compat_branch(cases[i].version, buf, sizeof(buf)) == 0);
		CHECK_STR(buf, cases[i].branch);
		CHECK(compat_release(cases[i].version) == cases[i].release);
	}
	CHECK(compat_branch("550.54", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "R550");
	CHECK(compat_branch("1.2.3.4", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "R1");

	/* Not driver versions. */
	CHECK(compat_branch("550", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("1.2.3.4.5", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("550..16", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch(".550.54", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("550.54.", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("550.54.16a", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("R550.54", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("-550.54", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("550.54.16 ", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("1234567890.1", buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch(NULL, buf, sizeof(buf)) == -EINVAL);
	CHECK(compat_branch("550.54.16", buf, 4) == -ERANGE);	/* "R550" needs 5 */

	CHECK(compat_release("550") == -EINVAL);
	CHECK(compat_release("x.y") == -EINVAL);
	CHECK(compat_release("440.118.02") == -ENOENT);	/* R440, 10.x: not in the data */
	CHECK(compat_release("999.1.1") == -ENOENT);
}

static void test_drives(void)
{
	/* The simulator's GPUs (tools/hostsim/profiles.c) with the tests' and demo's driver. */
	CHECK(compat_drives("550.54.16", NVIDIA, 0x1eb8) == COMPAT_YES);	/* T4 */
	CHECK(compat_drives("550.54.16", NVIDIA, 0x25b6) == COMPAT_YES);	/* A16 */
	CHECK(compat_drives("550.54.16", NVIDIA, 0x2235) == COMPAT_YES);	/* A40 */
	CHECK(compat_drives("550.54.16", NVIDIA, 0x26b9) == COMPAT_YES);	/* L40S */
	/* tools/hosts/small.host: 16.x after 16.2 with a T4 and an L40S. */
	CHECK(compat_drives("535.161.05", NVIDIA, 0x1eb8) == COMPAT_YES);
	CHECK(compat_drives("535.161.05", NVIDIA, 0x26b9) == COMPAT_YES);

	/* Maxwell and Pascal: last in 16.x. */
	CHECK(compat_drives("550.54.16", NVIDIA, 0x13f2) == COMPAT_NO);	/* M60 */
	CHECK(compat_drives("550.163.02", NVIDIA, 0x13f2) == COMPAT_NO);
	CHECK(compat_drives("535.129.03", NVIDIA, 0x13f2) == COMPAT_YES);
	CHECK(compat_drives("550.54.16", NVIDIA, 0x1b38) == COMPAT_NO);	/* P40 */

	/* H100 PCIe from 15.0. */
	CHECK(compat_drives("510.108.03", NVIDIA, 0x2331) == COMPAT_NO);
	CHECK(compat_drives("525.60.12", NVIDIA, 0x2331) == COMPAT_YES);
	CHECK(compat_drives("525.85.07", NVIDIA, 0x2331) == COMPAT_YES);

	/* Added in a minor release: the first version of that minor release decides. */
	CHECK(compat_drives("460.32.04", NVIDIA, 0x2236) == COMPAT_NO);	/* A10, 12.0 */
	CHECK(compat_drives("460.73.02", NVIDIA, 0x2236) == COMPAT_YES);	/* A10, 12.2 */
	CHECK(compat_drives("470.256.02", NVIDIA, 0x2236) == COMPAT_YES);	/* 13.x */
	CHECK(compat_drives("450.248.03", NVIDIA, 0x2236) == COMPAT_NO);	/* 11.x */
	CHECK(compat_drives("580.65.05", NVIDIA, 0x2bb5) == COMPAT_NO);	/* 19.0 */
	CHECK(compat_drives("580.82.02", NVIDIA, 0x2bb5) == COMPAT_YES);	/* 19.1 */
	CHECK(compat_drives("595.58.02", NVIDIA, 0x2bb5) == COMPAT_YES);	/* 20.x */
	CHECK(compat_drives("570.158.02", NVIDIA, 0x2bb5) == COMPAT_NO);	/* 18.x */
	/* A minor release with no known first version (L4, from 15.2): the data cannot tell. */
	CHECK(compat_drives("525.85.07", NVIDIA, 0x27b8) == COMPAT_UNKNOWN);
	CHECK(compat_drives("535.129.03", NVIDIA, 0x27b8) == COMPAT_YES);

	/* Unknown device, unknown release, malformed version. */
	CHECK(compat_drives("550.54.16", NVIDIA, 0xffff) == COMPAT_UNKNOWN);
	CHECK(compat_drives("550.54.16", 0x1002, 0x1eb8) == COMPAT_UNKNOWN);
	CHECK(compat_drives("440.118.02", NVIDIA, 0x1eb8) == COMPAT_UNKNOWN);
	CHECK(compat_drives("999.1.1", NVIDIA, 0x1eb8) == COMPAT_UNKNOWN);
	CHECK(compat_drives("garbage", NVIDIA, 0x1eb8) == COMPAT_UNKNOWN);
	CHECK(compat_drives(NULL, NVIDIA, 0x1eb8) == COMPAT_UNKNOWN);
}

static void test_guest_works(void)
{
	/* Host 17 (R550). */
	CHECK(compat_guest_works("550.54.16", "550.54.15") == COMPAT_YES);	/* same */
	CHECK(compat_guest_works("550.54.16", "550.163.01") == COMPAT_YES);	/* same, newer */
	CHECK(compat_guest_works("550.54.16", "535.129.03") == COMPAT_YES);	/* previous, LTS */
	CHECK(compat_guest_works("550.54.16", "525.85.05") == COMPAT_NO);	/* 15 */
	CHECK(compat_guest_works("550.54.16", "470.256.02") == COMPAT_NO);	/* older LTS */
	CHECK(compat_guest_works("550.54.16", "570.158.01") == COMPAT_NO);	/* newer guest */

	/* Host 19 (R580). */
	CHECK(compat_guest_works("580.65.05", "570.158.01") == COMPAT_YES);	/* previous */
	CHECK(compat_guest_works("580.65.05", "535.129.03") == COMPAT_YES);	/* LTS */
	CHECK(compat_guest_works("580.65.05", "550.54.15") == COMPAT_NO);	/* 17 */
	CHECK(compat_guest_works("580.65.05", "595.58.03") == COMPAT_NO);	/* newer guest */

	/* Host 16 (LTS) with 15 (previous) and 13 (previous LTS). */
	CHECK(compat_guest_works("535.129.03", "525.85.05") == COMPAT_YES);
	CHECK(compat_guest_works("535.129.03", "470.256.02") == COMPAT_YES);
	CHECK(compat_guest_works("535.129.03", "510.108.03") == COMPAT_NO);

	/* Unknown releases. */
	CHECK(compat_guest_works("440.118.02", "440.118.02") == COMPAT_UNKNOWN);
	CHECK(compat_guest_works("550.54.16", "440.118.02") == COMPAT_UNKNOWN);
	CHECK(compat_guest_works("999.1.1", "550.54.16") == COMPAT_UNKNOWN);
	CHECK(compat_guest_works("550.54.16", "not a version") == COMPAT_UNKNOWN);
}

/* The first use parses the data; racing threads must all see the whole tables. */
static void *first_use(void *arg)
{
	(void)arg;
	return (void *)(long)(compat_drives("550.54.16", NVIDIA, 0x26b9) == COMPAT_YES &&
			      compat_release("580.65.05") == 19);
}

static void test_threads(void)
{
	pthread_t threads[8];
	bool all_ok = true;

	for (size_t i = 0; i < 8; i++)
		CHECK(pthread_create(&threads[i], NULL, first_use, NULL) == 0);
	for (size_t i = 0; i < 8; i++) {
		void *ok = NULL;

		pthread_join(threads[i], &ok);
		all_ok = all_ok && ok;
	}
	CHECK(all_ok);
}

int main(void)
{
	test_threads();	/* first, so that it is the threads that trigger the parse */
	test_check();
	test_version_compare();
	test_branch_release();
	test_drives();
	test_guest_works();
	return tap_done();
}
