/* test_snapshot.c — the host snapshot (core/host/snapshot.h) on a scratch directory:
 * readings are kept for max_age and read again after it, forgetting drops them, a fresh
 * listing drops what is below a vanished entry, the daemon's own changes go in as sysfs
 * would read them, and trust keeps old readings. Reads are counted (counters.h). Ages
 * are set, not waited for: a max_age of 10 s keeps everything, one of 0 nothing. */
#include "tap.h"
#include "counters.h"
#include "snapshot.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *value)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

static const char *at(const char *rel)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

static unsigned long long reads(void)
{
	return counter_get(COUNT_SYSFS_READS);
}

/* Every reading kept so far is now older than max_age. */
static void age(struct snapshot *s)
{
	s->max_age_ns = 0;
}

static int count_name(const char *name, void *ctx)
{
	(void)name;
	++*(int *)ctx;
	return 0;
}

static void test_files(void)
{
	struct snapshot s;
	char buf[64];
	unsigned long long before;

	snapshot_init(&s, 10000);
	put("available", "3\n");
	before = reads();
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "3");
	put("available", "2\n");
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "3"); /* within max_age: kept */
	CHECK(reads() - before == 1);
	age(&s);
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "2"); /* older than max_age: read again */
	s.max_age_ns = 10000000000LL;
	CHECK(reads() - before == 2);

	put("available", "1\n");
	snapshot_forget_below(&s, root);
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "1"); /* forgotten: read again at once */

	put("available", "0\n");
	snapshot_trust(&s, true);
	age(&s);
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "1"); /* trusted: kept whatever its age */
	snapshot_trust(&s, false);
	CHECK(snapshot_read(&s, at("available"), buf, sizeof(buf)) == 1);
	CHECK_STR(buf, "0");

	s.max_age_ns = 10000000000LL;
	CHECK(snapshot_read(&s, at("missing"), buf, sizeof(buf)) == -ENOENT);
	before = reads();
	CHECK(snapshot_read(&s, at("missing"), buf, sizeof(buf)) == -ENOENT);
	CHECK(reads() == before); /* a failed read is kept too */
	CHECK(snapshot_read(&s, at("available"), buf, 1) == 0); /* cut as a read would be */
	CHECK(snapshot_read(NULL, at("available"), buf, sizeof(buf)) == 1); /* no snapshot */
	snapshot_free(&s);
}

static void test_listing(void)
{
	struct snapshot s;
	char dir[PATH_MAX], link[PATH_MAX], buf[PATH_MAX];
	unsigned long long before;
	int n = 0;

	snapshot_init(&s, 10000);
	snprintf(dir, sizeof(dir), "%s/devices", root);
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(symlink("../parents/p1/u1", at("devices/u1")) == 0);
	CHECK(snapshot_list(&s, dir, count_name, &n) == 0 && n == 1);
	snprintf(link, sizeof(link), "%s/devices/u1", root);
	before = reads();
	CHECK(snapshot_link(&s, link, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "../parents/p1/u1");
	age(&s);
	CHECK(snapshot_link(&s, link, buf, sizeof(buf)) > 0);
	CHECK(reads() - before == 1); /* a link is kept while it is listed */

	/* the daemon's own mdev: listed and linked without a read */
	snapshot_list_change(&s, dir, "u2", true);
	snapshot_keep_link(&s, at("devices/u2"), "p1/u2");
	snapshot_trust(&s, true);
	before = reads();
	n = 0;
	CHECK(snapshot_list(&s, dir, count_name, &n) == 0 && n == 2);
	CHECK(snapshot_link(&s, at("devices/u2"), buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "p1/u2");
	CHECK(reads() == before);
	snapshot_list_change(&s, dir, "u2", false);
	n = 0;
	CHECK(snapshot_list(&s, dir, count_name, &n) == 0 && n == 1);
	snapshot_trust(&s, false);

	/* u1 goes behind our back: the next listing drops its link */
	CHECK(unlink(at("devices/u1")) == 0);
	n = 0;
	CHECK(snapshot_list(&s, dir, count_name, &n) == 0 && n == 0);
	CHECK(snapshot_link(&s, link, buf, sizeof(buf)) == -ENOENT);
	snapshot_free(&s);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(root, sizeof(root), "/tmp/vgpufs-snapshot-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	test_files();
	test_listing();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	return tap_done();
}
