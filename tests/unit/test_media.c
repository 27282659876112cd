/* Unit tests for the media store (media.h): the name rule, an upload published at its
 * first finish with its digest kept as it streamed, a failed write leaving nothing, the
 * digest memo of a staging file, metadata on an upload in progress, and a start that
 * deletes what a crash left and reads only changed files. */
#include "tap.h"
#include "media.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char state[] = "/tmp/vgpufs-test-media.XXXXXX";

/* sha256 of "hello\n" */
static const char hello_sha[] =
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

static void put_file(const char *name, const char *data)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/media/%s", state, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, data, strlen(data)) == (ssize_t)strlen(data));
	close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", state, dir, name);
	return access(path, F_OK) == 0;
}

static int count_files(const char *name, void *ctx)
{
	(void)name;
	++*(int *)ctx;
	return 0;
}

static void test_names(void)
{
	CHECK(media_name_ok("NVIDIA-GRID-Linux-KVM-550.54.16-551.78.zip"));
	CHECK(media_name_ok("été.iso"));
	CHECK(!media_name_ok(""));
	CHECK(!media_name_ok("."));
	CHECK(!media_name_ok(".."));
	CHECK(!media_name_ok("a/b"));
	CHECK(!media_name_ok("a\nb"));
	CHECK(!media_name_ok("\xff.zip"));
	CHECK(media_name_is_staging(".x.zip.Ab12"));
	CHECK(!media_name_is_staging("x.zip"));
}

static int chmod_640(int fd, const void *arg)
{
	(void)arg;
	return fchmod(fd, 0640) < 0 ? -errno : 0;
}

static void test_upload(struct media_store *m)
{
	struct media_handle *h;
	struct media_entry e;
	struct stat st;
	char path[PATH_MAX];

	CHECK(media_handle_open(m, "up.txt", O_WRONLY, true, 0644, getuid(), getgid(), &h) == 0);
	CHECK(media_handle_unpublished(h));
	CHECK(media_handle_write(h, "hel", 3, 0) == 3);
	CHECK(media_handle_write(h, "lo\n", 3, 3) == 3);
	CHECK(!exists("media", "up.txt"));  /* not visible before its first close */
	CHECK(media_upload_apply(m, "up.txt", chmod_640, NULL) == 0);
	CHECK(media_upload_apply(m, "other", chmod_640, NULL) == -ENOENT);
	CHECK(media_handle_finish(m, h, &e) == 0);
	CHECK_STR(e.sha256, hello_sha);
	CHECK(e.size == 6);
	CHECK(e.info.kind == MEDIA_OTHER);
	CHECK(media_handle_publish(m, h, "up.txt") == 0);
	CHECK(!media_handle_unpublished(h));
	media_handle_close(h);
	snprintf(path, sizeof(path), "%s/media/up.txt", state);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640 && st.st_size == 6);

	/* out of order: the digest is read back at finish */
	CHECK(media_handle_open(m, "ooo.txt", O_WRONLY, true, 0644, getuid(), getgid(), &h) == 0);
	CHECK(media_handle_write(h, "lo\n", 3, 3) == 3);
	CHECK(media_handle_write(h, "hel", 3, 0) == 3);
	CHECK(media_handle_finish(m, h, &e) == 0);
	CHECK_STR(e.sha256, hello_sha);
	media_handle_close(h); /* never published: the upload goes */
	CHECK(!exists("media", "ooo.txt"));
}

static int count_uploads(void)
{
	char dir[PATH_MAX];
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/uploads", state);
	dir_for_each(dir, count_files, &n);
	return n - 1; /* tmp/ */
}

static void test_staging_memo(struct media_store *m)
{
	struct media_handle *h;
	struct media_entry e;
	char from[PATH_MAX];

	/* rsync: a dot-file written in order, closed, then renamed into place */
	CHECK(media_handle_open(m, ".x.Ab12", O_WRONLY, true, 0600, getuid(), getgid(), &h) == 0);
	CHECK(!media_handle_unpublished(h));
	CHECK(exists("media", ".x.Ab12"));
	CHECK(media_handle_write(h, "hello\n", 6, 0) == 6);
	CHECK(media_handle_finish(m, h, &e) == 0);
	media_handle_close(h);
	media_path(m, ".x.Ab12", from, sizeof(from));
	CHECK(media_examine(m, "x", from, &e) == 0);  /* from the memo */
	CHECK_STR(e.sha256, hello_sha);
	CHECK(count_uploads() == 0);
}

static void test_failed_write(struct media_store *m)
{
	struct media_handle *h;
	struct media_entry e;

	/* a read-only descriptor makes every write fail, as a full disk would */
	CHECK(media_handle_open(m, "up.txt", O_RDONLY, false, 0, 0, 0, &h) == 0);
	CHECK(media_handle_write(h, "x", 1, 0) < 0);
	CHECK(media_handle_finish(m, h, &e) < 0);
	media_handle_close(h);
	CHECK(count_uploads() == 0);
}

static void test_start(void)
{
	struct media_store m;
	struct media_entry known = { .name = "kept.txt", .size = 6, .sha256 = "recorded" };
	char err[256], path[PATH_MAX];
	struct stat st;

	put_file("kept.txt", "hello\n");
	put_file("changed.txt", "hello\n");
	put_file(".crash-leftover", "x");
	snprintf(path, sizeof(path), "%s/media/kept.txt", state);
	stat(path, &st);
	known.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	CHECK(media_store_open(&m, state, &known, 1, err, sizeof(err)) == 0);
	CHECK(!exists("media", ".crash-leftover"));
	CHECK(media_find(&m, "kept.txt") && !strcmp(media_find(&m, "kept.txt")->sha256,
						    "recorded"));  /* not read again */
	CHECK(media_find(&m, "changed.txt") &&
	      !strcmp(media_find(&m, "changed.txt")->sha256, hello_sha));
	media_drop(&m, "kept.txt");
	CHECK(!media_find(&m, "kept.txt") && media_find(&m, "changed.txt"));
	media_store_close(&m);
}

int main(void)
{
	struct media_store m;
	char err[256];

	if (!mkdtemp(state))
		return 1;
	test_names();
	CHECK(media_store_open(&m, state, NULL, 0, err, sizeof(err)) == 0);
	mkdir(strcat(strcpy(err, m.uploads), "/tmp"), 0700); /* as the engine makes it */
	test_upload(&m);
	test_staging_memo(&m);
	test_failed_write(&m);
	media_store_close(&m);
	test_start();
	return tap_done();
}
