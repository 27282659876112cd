/* Unit tests for guest_iso.h: a small driver bundle is zipped with libarchive, turned into
 * an image, and the image read back with libarchive's iso9660 reader (Rock Ridge names, as
 * a Linux guest sees them) and, where installed, isoinfo (Joliet names, as Windows sees
 * them). Everything happens in one temporary folder, which is also $TMPDIR, so the
 * staging file libarchive makes is checked not to outlive a build. */
#include "tap.h"
#include "guest_iso.h"
#include "media.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define VOLUME_ID "NVIDIA_GUEST_550.54.15"
#define TOKEN_NAME "client_configuration_token_03-05-2024-10-21-33.tok"
#define TOKEN_TEXT "eyJhbGciOiJSUzI1NiJ9.not-a-real-token"
#define ZIP_MTIME 1700000000
#define WINDOWS_EXE "551.78_grid_win10_win11_server2019_server2022_dch_64bit_international.exe"

struct bundle_file {
	const char *path;  /* in the zip */
	size_t size;
	bool stored;       /* else deflated */
	bool guest;        /* asked for in the image */
};

static const struct bundle_file bundle_files[] = {
	{ "550.54.14-550.54.15-551.78-grid-vgpu-user-guide.pdf", 9000, false, false },
	{ "Host_Drivers/NVIDIA-Linux-x86_64-550.54.14-vgpu-kvm.run", 5000, false, false },
	/* Over three blocks of the builder's 1 MiB, and not a multiple of one. */
	{ "Guest_Drivers/NVIDIA-Linux-x86_64-550.54.15-grid.run", 3 * 1024 * 1024 + 123, false,
	  true },
	{ "Guest_Drivers/" WINDOWS_EXE, 200001, true, true },
	{ "Guest_Drivers/nvidia-linux-grid-550_550.54.15_amd64.deb", 70000, true, true },
	{ "Guest_Drivers/empty.txt", 0, true, true },
};
#define N_BUNDLE_FILES (sizeof(bundle_files) / sizeof(bundle_files[0]))
#define N_GUEST_FILES 4

static char tmp_dir[PATH_MAX - 64];
static char zip_path[PATH_MAX], token_path[PATH_MAX];

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Each file's bytes come from a generator seeded by its size, so they can be made again
 * to compare, and differ between files. */
static void fill(unsigned char *buf, size_t size)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ size;

	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

static unsigned char *file_bytes(size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);

	fill(buf, size);
	return buf;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void tmp_path(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", tmp_dir, name);
}

/* ---- the bundle ---- */

static int zip_add(struct archive *zip, const char *path, mode_t mode, size_t size,
		   bool stored)
{
	struct archive_entry *entry = archive_entry_new();
	unsigned char *data = file_bytes(size);
	int r;

	if (stored)
		archive_write_zip_set_compression_store(zip);
	else
		archive_write_zip_set_compression_deflate(zip);
	archive_entry_set_pathname(entry, path);
	archive_entry_set_mode(entry, mode);
	archive_entry_set_size(entry, (la_int64_t)size);
	archive_entry_set_mtime(entry, ZIP_MTIME, 0);
	r = archive_write_header(zip, entry);
	if (r == ARCHIVE_OK && size)
		r = archive_write_data(zip, data, size) == (la_ssize_t)size ? 0 : -1;
	archive_entry_free(entry);
	free(data);
	return r;
}

static int zip_make(void)
{
	struct archive *zip = archive_write_new();
	int r;

	archive_write_set_format_zip(zip);
	r = archive_write_open_filename(zip, zip_path);
	if (r == 0)
		r = zip_add(zip, "Host_Drivers/", AE_IFDIR | 0755, 0, true);
	if (r == 0)
		r = zip_add(zip, "Guest_Drivers/", AE_IFDIR | 0755, 0, true);
	for (size_t i = 0; r == 0 && i < N_BUNDLE_FILES; i++)
		r = zip_add(zip, bundle_files[i].path, AE_IFREG | 0644, bundle_files[i].size,
			    bundle_files[i].stored);
	if (r == 0)
		r = archive_write_close(zip);
	archive_write_free(zip);
	return r;
}

static int token_make(void)
{
	FILE *f = fopen(token_path, "w");

	if (!f)
		return -1;
	fputs(TOKEN_TEXT, f);
	return fclose(f);
}

/* The guest members, as the bundle inspection reports them. */
static size_t guest_members(struct bundle_member *out)
{
	size_t n = 0;

	for (size_t i = 0; i < N_BUNDLE_FILES; i++) {
		if (!bundle_files[i].guest)
			continue;
		snprintf(out[n].path, sizeof(out[n].path), "%s", bundle_files[i].path);
		out[n++].size = bundle_files[i].size;
	}
	return n;
}

static struct guest_iso_input input_for(const struct bundle_member *members, size_t n,
					const char *dest, bool token)
{
	return (struct guest_iso_input){
		.bundle_path = zip_path,
		.members = members,
		.n_members = n,
		.token_path = token ? token_path : NULL,
		.token_name = token ? TOKEN_NAME : NULL,
		.volume_id = VOLUME_ID,
		.dest_path = dest,
	};
}

/* ---- reading an image back ---- */

struct iso_seen {
	int files, token_dirs, bad_mode, bad_bytes, unexpected, bad_mtime;
	bool token;
};

static bool data_is(struct archive *iso, const unsigned char *want, size_t size)
{
	unsigned char *got = malloc(size + 1);
	size_t done = 0;
	la_ssize_t n;
	bool same;

	while ((n = archive_read_data(iso, got + done, size + 1 - done)) > 0)
		done += (size_t)n;
	same = n == 0 && done == size && memcmp(got, want, size) == 0;
	free(got);
	return same;
}

static void seen_guest_file(struct archive *iso, struct archive_entry *entry,
			    struct iso_seen *seen, const struct bundle_file *file)
{
	unsigned char *want = file_bytes(file->size);

	seen->files++;
	if (archive_entry_mode(entry) != (AE_IFREG | 0444))
		seen->bad_mode++;
	if (archive_entry_mtime(entry) != ZIP_MTIME)
		seen->bad_mtime++;
	if (!data_is(iso, want, file->size))
		seen->bad_bytes++;
	free(want);
}

static void seen_entry(struct archive *iso, struct archive_entry *entry, struct iso_seen *seen)
{
	const char *name = archive_entry_pathname(entry);

	if (!strcmp(name, "."))  /* the root */
		return;
	if (!strcmp(name, "ClientConfigToken") || !strcmp(name, "ClientConfigToken/")) {
		seen->token_dirs++;
		if (archive_entry_mode(entry) != (AE_IFDIR | 0555))
			seen->bad_mode++;
		return;
	}
	if (!strcmp(name, "ClientConfigToken/" TOKEN_NAME)) {
		seen->token = archive_entry_mode(entry) == (AE_IFREG | 0444) &&
			      data_is(iso, (const unsigned char *)TOKEN_TEXT, strlen(TOKEN_TEXT));
		return;
	}
	for (size_t i = 0; i < N_BUNDLE_FILES; i++)
		if (bundle_files[i].guest && !strcmp(name, basename_of(bundle_files[i].path))) {
			seen_guest_file(iso, entry, seen, &bundle_files[i]);
			return;
		}
	printf("# unexpected entry in the image: %s\n", name);
	seen->unexpected++;
}

static int iso_read(const char *path, struct iso_seen *seen)
{
	struct archive *iso = archive_read_new();
	struct archive_entry *entry;
	int r;

	memset(seen, 0, sizeof(*seen));
	archive_read_support_format_iso9660(iso);
	r = archive_read_open_filename(iso, path, 65536);
	while (r == ARCHIVE_OK && (r = archive_read_next_header(iso, &entry)) == ARCHIVE_OK)
		seen_entry(iso, entry, seen);
	archive_read_free(iso);
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* ---- the optional cross-checks with other tools ---- */

static bool have_program(const char *name)
{
	char command[128];

	snprintf(command, sizeof(command), "command -v %s >/dev/null 2>&1", name);
	return system(command) == 0;
}

/* The output of `isoinfo <args> -i path`, or NULL. */
static char *isoinfo(const char *args, const char *path)
{
	char command[PATH_MAX + 64];
	size_t size = 65536, done = 0, n;
	char *out = malloc(size);
	FILE *p;

	snprintf(command, sizeof(command), "isoinfo %s -i '%s' 2>&1", args, path);
	p = popen(command, "r");
	if (!p) {
		free(out);
		return NULL;
	}
	while ((n = fread(out + done, 1, size - 1 - done, p)) > 0)
		done += n;
	out[done] = '\0';
	pclose(p);
	return out;
}

static void test_isoinfo(const char *iso)
{
	char *descriptors, *joliet_names;

	if (!have_program("isoinfo")) {
		printf("# isoinfo not installed: Joliet and Rock Ridge not cross-checked\n");
		return;
	}
	descriptors = isoinfo("-d", iso);
	joliet_names = isoinfo("-J -f", iso);
	CHECK(descriptors && strstr(descriptors, "Joliet"));
	CHECK(descriptors && strstr(descriptors, "Rock Ridge"));
	/* The primary descriptor holds d-characters only: libarchive maps '.' to '_'. */
	CHECK(descriptors && strstr(descriptors, "Volume id: NVIDIA_GUEST_550_54_15"));
	/* What Windows reads: the installer's whole name, .exe included. */
	CHECK(joliet_names && strstr(joliet_names, "/" WINDOWS_EXE "\n"));
	CHECK(joliet_names && strstr(joliet_names, "/ClientConfigToken/" TOKEN_NAME "\n"));
	free(descriptors);
	free(joliet_names);
}

/* ---- the tests ---- */

static void test_build(bool token)
{
	struct bundle_member members[N_BUNDLE_FILES];
	size_t n = guest_members(members);
	char dest[PATH_MAX], part[PATH_MAX + 8], err[256] = "x", sha256[65], read_back[65];
	struct guest_iso_input in;
	struct iso_seen seen;
	struct stat st;

	printf("# build %s a token\n", token ? "with" : "without");
	tmp_path(dest, token ? "guest-token.iso" : "guest.iso");
	snprintf(part, sizeof(part), "%s.part", dest);
	in = input_for(members, n, dest, token);
	CHECK(guest_iso_build(&in, sha256, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(media_sha256_file(dest, read_back) == 0);
	CHECK_STR(sha256, read_back);  /* the digest made while writing is the file's */
	CHECK(stat(dest, &st) == 0 && (st.st_mode & 07777) == 0644);
	CHECK(st.st_size % 2048 == 0 && st.st_size > 3 * 1024 * 1024);
	CHECK(!exists(part));
	CHECK(iso_read(dest, &seen) == 0);
	CHECK(seen.files == N_GUEST_FILES);
	CHECK(seen.bad_mode == 0 && seen.bad_bytes == 0 && seen.bad_mtime == 0);
	CHECK(seen.unexpected == 0);
	CHECK(seen.token_dirs == (token ? 1 : 0));
	CHECK(seen.token == token);
	if (token)
		test_isoinfo(dest);
}

/* A build that must fail with want, its reason in err, leaving neither a .part file nor
 * a changed destination behind. */
static void build_fails(const struct guest_iso_input *in, int want, char *err, size_t err_size)
{
	char part[PATH_MAX + 8], sha256[65];
	struct stat before, after;
	bool existed = stat(in->dest_path, &before) == 0;
	int r;

	snprintf(part, sizeof(part), "%s.part", in->dest_path);
	r = guest_iso_build(in, sha256, err, err_size);
	printf("# %d: %s\n", r, err);
	CHECK(r == want);
	CHECK(err[0] && !strchr(err, '\n'));
	CHECK(!exists(part));
	if (existed)
		CHECK(stat(in->dest_path, &after) == 0 && after.st_ino == before.st_ino &&
		      after.st_size == before.st_size);
	else
		CHECK(!exists(in->dest_path));
}

static void test_missing_member(void)
{
	struct bundle_member members[N_BUNDLE_FILES + 1];
	size_t n = guest_members(members);
	char dest[PATH_MAX], err[256] = "";
	struct guest_iso_input in;

	snprintf(members[n].path, sizeof(members[n].path), "%s",
		 "Guest_Drivers/nvidia-linux-grid-550-550.54.15-1.x86_64.rpm");
	members[n++].size = 10;
	tmp_path(dest, "missing.iso");
	in = input_for(members, n, dest, true);
	build_fails(&in, -ENOENT, err, sizeof(err));
	CHECK(strstr(err, "nvidia-linux-grid-550-550.54.15-1.x86_64.rpm") != NULL);
}

/* The zip-bomb guard: the data runs past the size the caller was told, and an image that
 * already exists under that name is kept as it was. */
static void test_member_longer(void)
{
	struct bundle_member members[N_BUNDLE_FILES];
	size_t n = guest_members(members);
	char dest[PATH_MAX], err[256] = "";
	struct guest_iso_input in;

	members[0].size -= 1;
	tmp_path(dest, "guest.iso");  /* built by test_build */
	in = input_for(members, n, dest, false);
	build_fails(&in, -EIO, err, sizeof(err));
	CHECK(strstr(err, "longer than the 3145850 bytes") != NULL);
	CHECK(strstr(err, "NVIDIA-Linux-x86_64-550.54.15-grid.run") != NULL);
}

static void test_member_shorter(void)
{
	struct bundle_member members[N_BUNDLE_FILES];
	size_t n = guest_members(members);
	char dest[PATH_MAX], err[256] = "";
	struct guest_iso_input in;

	members[1].size += 1;
	tmp_path(dest, "short.iso");
	in = input_for(members, n, dest, false);
	build_fails(&in, -EIO, err, sizeof(err));
	CHECK(strstr(err, "truncated") != NULL);
}

static void test_bad_input(void)
{
	struct bundle_member members[N_BUNDLE_FILES + 1];
	size_t n = guest_members(members);
	char dest[PATH_MAX], err[256] = "";
	struct guest_iso_input in;

	tmp_path(dest, "bad.iso");
	in = input_for(members, n, dest, false);
	in.volume_id = "NVIDIA_GUEST_550.54.15_AND_MORE_X";  /* 33 bytes */
	build_fails(&in, -EINVAL, err, sizeof(err));
	in.volume_id = "A,B";
	build_fails(&in, -EINVAL, err, sizeof(err));

	in = input_for(members, n, dest, true);
	in.token_name = "../x.tok";
	build_fails(&in, -EINVAL, err, sizeof(err));

	/* Two members of one file name would share one place at the image's root. */
	snprintf(members[n].path, sizeof(members[n].path), "%s",
		 "Host_Drivers/NVIDIA-Linux-x86_64-550.54.15-grid.run");
	members[n].size = 1;
	in = input_for(members, n + 1, dest, false);
	build_fails(&in, -EINVAL, err, sizeof(err));
	CHECK(strstr(err, "same file name") != NULL);

	/* 104 characters: Joliet would cut the name, and Windows would see no .exe. */
	n = guest_members(members);
	snprintf(members[0].path, sizeof(members[0].path), "Guest_Drivers/%0100d.exe", 0);
	in = input_for(members, n, dest, false);
	build_fails(&in, -EINVAL, err, sizeof(err));
	CHECK(strstr(err, "Joliet") != NULL);

	/* Refused before reading: iso-level 1 cannot hold a file of 4 GiB. */
	n = guest_members(members);
	members[0].size = UINT64_C(1) << 32;
	in = input_for(members, n, dest, false);
	build_fails(&in, -EFBIG, err, sizeof(err));
}

static void test_bad_paths(void)
{
	struct bundle_member members[N_BUNDLE_FILES];
	size_t n = guest_members(members);
	char dest[PATH_MAX], missing[PATH_MAX], err[256] = "";
	struct guest_iso_input in;

	tmp_path(dest, "no-such-folder/guest.iso");
	in = input_for(members, n, dest, false);
	build_fails(&in, -ENOENT, err, sizeof(err));

	tmp_path(dest, "paths.iso");
	tmp_path(missing, "no-such-bundle.zip");
	in = input_for(members, n, dest, false);
	in.bundle_path = missing;
	build_fails(&in, -ENOENT, err, sizeof(err));

	in = input_for(members, n, dest, true);
	in.token_path = missing;
	build_fails(&in, -ENOENT, err, sizeof(err));
}

/* Only the test's own files remain: no .part, no staging file in $TMPDIR. */
static void test_nothing_left(void)
{
	static const char *const expected[] = {
		"bundle.zip", "token.tok", "guest.iso", "guest-token.iso",
	};
	DIR *dir = opendir(tmp_dir);
	struct dirent *d;
	int stray = 0;

	while (dir && (d = readdir(dir))) {
		bool known = !strcmp(d->d_name, ".") || !strcmp(d->d_name, "..");

		for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
			known |= !strcmp(d->d_name, expected[i]);
		if (!known) {
			printf("# left behind: %s\n", d->d_name);
			stray++;
		}
	}
	if (dir)
		closedir(dir);
	CHECK(dir && stray == 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	/* First of all: libarchive stages the image's data under $TMPDIR. */
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_guest_iso.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmp_dir) || setenv("TMPDIR", tmp_dir, 1) < 0) {
		perror("test_guest_iso: temporary folder");
		return 1;
	}
	umask(077);  /* the image must still come out 0644 */
	tmp_path(zip_path, "bundle.zip");
	tmp_path(token_path, "token.tok");
	CHECK(zip_make() == 0);
	CHECK(token_make() == 0);

	test_build(false);
	test_build(true);
	test_missing_member();
	test_member_longer();
	test_member_shorter();
	test_bad_input();
	test_bad_paths();
	test_nothing_left();

	nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
