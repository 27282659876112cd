/* Unit tests for bundle.h: the kind of each media file, and what a driver bundle holds or
 * why it is refused. Zips are built in memory with libarchive's zip writer, or by hand
 * where the test needs a declared size the data does not have; every zip is inspected
 * both from memory and from a file in a temporary folder, and the two must agree. With
 * VGPUFS_SOURCE_ROOT set (meson does), the bundles tools/make-bundles.py writes are
 * checked too, as the integration tests and the demo use them. */
#include "tap.h"
#include "bundle.h"
#include "util.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define MIB (1024 * 1024)

static char tmp_dir[PATH_MAX];

/* What make-bundles.py puts in a member: one line naming it. */
#define SYNTHETIC "vgpufs synthetic test file, not NVIDIA software: "

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The reason starts with prefix ("" for a usable file). */
static void check_invalid(const struct bundle_info *info, const char *prefix)
{
	bool ok = prefix[0] ? starts_with(info->invalid, prefix) : info->invalid[0] == '\0';

	CHECK(ok);
	if (!ok)
		printf("#   invalid is \"%s\", want \"%s…\"\n", info->invalid, prefix);
	CHECK(strchr(info->invalid, '\n') == NULL);
}

static int write_file(const char *path, const void *data, size_t size)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		return -1;
	return 0;
}

/* Inspects data as the media file name, from memory and from a file; both must agree. */
static void inspect(const void *data, size_t size, const char *name, struct bundle_info *out)
{
	char path[PATH_MAX + 64];
	struct bundle_info from_file;

	CHECK(bundle_inspect_memory(data, size, name, out) == 0);
	snprintf(path, sizeof(path), "%s/inspected", tmp_dir);
	CHECK(write_file(path, data, size) == 0);
	CHECK(bundle_inspect(path, name, &from_file) == 0);
	CHECK(bundle_info_equal(out, &from_file));
	unlink(path);
}

/* ---- Zips from libarchive's writer ---------------------------------------------------- */

/* A member: its path, and its data: the synthetic line unless zero_bytes is set. */
struct member {
	const char *path;
	size_t zero_bytes;
};

static size_t synthetic_size(const char *path)
{
	return strlen(SYNTHETIC) + strlen(path) + 1;
}

/* A zip of the members, deflated, in a malloc'd buffer of *size bytes. */
static unsigned char *build_zip(const struct member *members, size_t n, size_t *size)
{
	size_t capacity = 16 * MIB;
	unsigned char *buf = malloc(capacity);
	struct archive *a = archive_write_new();
	static const char zeros[64 * 1024];
	char line[1024];

	archive_write_set_format_zip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, capacity, size);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *entry = archive_entry_new();
		size_t length = members[i].zero_bytes;

		if (!length)
			length = (size_t)snprintf(line, sizeof(line), SYNTHETIC "%s\n",
						  members[i].path);
		archive_entry_set_pathname(entry, members[i].path);
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_perm(entry, 0644);
		archive_entry_set_size(entry, (la_int64_t)length);
		CHECK(archive_write_header(a, entry) == ARCHIVE_OK);
		if (!members[i].zero_bytes)
			archive_write_data(a, line, length);
		for (size_t done = 0; members[i].zero_bytes && done < length;
		     done += sizeof(zeros))
			archive_write_data(a, zeros, length - done < sizeof(zeros)
						     ? length - done : sizeof(zeros));
		archive_entry_free(entry);
	}
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

/* Inspects a zip of the given member paths. */
static void inspect_paths(const char *const *paths, size_t n, struct bundle_info *out)
{
	struct member members[64] = { 0 };
	_cleanup_free_ unsigned char *zip = NULL;
	size_t size;

	for (size_t i = 0; i < n && i < ARRAY_SIZE(members); i++)
		members[i].path = paths[i];
	zip = build_zip(members, n, &size);
	inspect(zip, size, "bundle.zip", out);
}

#define INSPECT_PATHS(out, ...) do {                                                   \
		static const char *const paths_[] = { __VA_ARGS__ };                     \
		inspect_paths(paths_, ARRAY_SIZE(paths_), out);                          \
	} while (0)

/* ---- Zips by hand: declared sizes that the data does not have --------------------- */

struct raw_member {
	const char *path;
	uint32_t declared;  /* uncompressed size, as declared */
};

static void put16(unsigned char **p, unsigned v)
{
	*(*p)++ = (unsigned char)v;
	*(*p)++ = (unsigned char)(v >> 8);
}

static void put32(unsigned char **p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p, v >> 16);
}

/* A zip whose members hold 4 bytes of data each ("deflated", never read) but declare
 * their own sizes; *size is the same whatever they declare. */
static unsigned char *build_raw_zip(const struct raw_member *members, size_t n, size_t *size)
{
	unsigned char *buf = malloc(64 * 1024), *p = buf, *cd;
	uint32_t offsets[16], cd_size;

	for (size_t i = 0; i < n; i++) {
		offsets[i] = (uint32_t)(p - buf);
		memcpy(p, "PK\3\4", 4), p += 4;
		put16(&p, 20), put16(&p, 0), put16(&p, 8), put16(&p, 0), put16(&p, 0x5821);
		put32(&p, 0), put32(&p, 4), put32(&p, members[i].declared);
		put16(&p, (unsigned)strlen(members[i].path)), put16(&p, 0);
		memcpy(p, members[i].path, strlen(members[i].path)), p += strlen(members[i].path);
		memcpy(p, "\3\0\0\0", 4), p += 4;
	}
	cd = p;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, "PK\1\2", 4), p += 4;
		put16(&p, 3 << 8 | 20), put16(&p, 20), put16(&p, 0), put16(&p, 8);
		put16(&p, 0), put16(&p, 0x5821);
		put32(&p, 0), put32(&p, 4), put32(&p, members[i].declared);
		put16(&p, (unsigned)strlen(members[i].path)), put16(&p, 0), put16(&p, 0);
		put16(&p, 0), put16(&p, 0), put32(&p, 0100644u << 16), put32(&p, offsets[i]);
		memcpy(p, members[i].path, strlen(members[i].path)), p += strlen(members[i].path);
	}
	cd_size = (uint32_t)(p - cd);
	memcpy(p, "PK\5\6", 4), p += 4;
	put16(&p, 0), put16(&p, 0), put16(&p, (unsigned)n), put16(&p, (unsigned)n);
	put32(&p, cd_size), put32(&p, (uint32_t)(cd - buf)), put16(&p, 0);
	*size = (size_t)(p - buf);
	return buf;
}

/* ---- The tests ----------------------------------------------------------------------- */

static void test_kind_names(void)
{
	CHECK_STR(media_kind_name(MEDIA_DRIVER_BUNDLE), "driver-bundle");
	CHECK_STR(media_kind_name(MEDIA_HOST_PACKAGE), "host-package");
	CHECK_STR(media_kind_name(MEDIA_ISO), "iso");
	CHECK_STR(media_kind_name(MEDIA_TOKEN), "token");
	CHECK_STR(media_kind_name(MEDIA_OTHER), "other");
	CHECK_STR(media_kind_name((enum media_kind)99), "other");
}

static void test_generic_16(void)
{
	struct bundle_info info;

	INSPECT_PATHS(&info,
		"535.161.05-535.161.08-538.46-grid-vgpu-user-guide.pdf",
		"Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run",
		"Guest_Drivers/NVIDIA-Linux-x86_64-535.161.08-grid.run",
		"Guest_Drivers/nvidia-linux-grid-535_535.161.08_amd64.deb",
		"Guest_Drivers/nvidia-linux-grid-535-535.161.08-1.x86_64.rpm",
		"Guest_Drivers/538.46_grid_win10_win11_server2019_server2022_dch_64bit_"
		"international.exe",
		"Signing_Keys/vgpu_debian_publickey.pub");
	CHECK(info.kind == MEDIA_DRIVER_BUNDLE);
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "535.161.05");
	CHECK_STR(info.linux_guest_version, "535.161.08");
	CHECK_STR(info.windows_guest_version, "538.46");
	CHECK_STR(info.host_package.path,
		  "Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run");
	CHECK(info.host_package.size == synthetic_size(info.host_package.path));
	CHECK(info.n_guest_files == 4);
	CHECK_STR(info.guest_files[0].path,
		  "Guest_Drivers/NVIDIA-Linux-x86_64-535.161.08-grid.run");
	CHECK_STR(info.guest_files[1].path,
		  "Guest_Drivers/nvidia-linux-grid-535_535.161.08_amd64.deb");
	CHECK_STR(info.guest_files[2].path,
		  "Guest_Drivers/nvidia-linux-grid-535-535.161.08-1.x86_64.rpm");
	CHECK_STR(info.guest_files[3].path, "Guest_Drivers/538.46_grid_win10_win11_server2019_"
		  "server2022_dch_64bit_international.exe");
	for (size_t i = 0; i < info.n_guest_files; i++)
		CHECK(info.guest_files[i].size == synthetic_size(info.guest_files[i].path));
}

static void test_flat_13(void)
{
	struct bundle_info info;

	INSPECT_PATHS(&info,
		"470.256.02-475.14-grid-vgpu-user-guide.pdf",
		"NVIDIA-Linux-x86_64-470.256.02-vgpu-kvm.run",
		"NVIDIA-Linux-x86_64-470.256.02-grid.run",
		"475.14_grid_win10_server2016_server2019_64bit_international.exe");
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "470.256.02");
	CHECK_STR(info.linux_guest_version, "470.256.02");
	CHECK_STR(info.windows_guest_version, "475.14");
	CHECK_STR(info.host_package.path, "NVIDIA-Linux-x86_64-470.256.02-vgpu-kvm.run");
	CHECK(info.n_guest_files == 2);
	CHECK_STR(info.guest_files[0].path, "NVIDIA-Linux-x86_64-470.256.02-grid.run");
	CHECK_STR(info.guest_files[1].path,
		  "475.14_grid_win10_server2016_server2019_64bit_international.exe");
}

static void test_host_kinds(void)
{
	struct bundle_info info;

	INSPECT_PATHS(&info, "Host_Drivers/NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run",
		      "Guest_Drivers/NVIDIA-Linux-x86_64-550.54.15-grid.run",
		      "Guest_Drivers/551.78_grid_win10_win11_server2022_dch_64bit_"
		      "international.exe");
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "550.54.16");
	CHECK_STR(info.host_package.path,
		  "Host_Drivers/NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run");
	CHECK_STR(info.linux_guest_version, "550.54.15");
	CHECK_STR(info.windows_guest_version, "551.78");

	INSPECT_PATHS(&info, "Host_Drivers/nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb",
		      "Guest_Drivers/nvidia-linux-grid-570_570.158.01_amd64.deb");
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "570.158.02");
	CHECK_STR(info.host_package.path,
		  "Host_Drivers/nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb");
	CHECK_STR(info.linux_guest_version, "570.158.01");
	CHECK_STR(info.windows_guest_version, "");

	INSPECT_PATHS(&info, "Host_Drivers/NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm",
		      "Guest_Drivers/nvidia-linux-grid-570-570.158.01-1.x86_64.rpm");
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "570.158.02");
	CHECK_STR(info.host_package.path,
		  "Host_Drivers/NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm");
	CHECK_STR(info.linux_guest_version, "570.158.01");
	CHECK(info.n_guest_files == 1);

	/* .run before .deb before .rpm, whatever the zip order; the first of a kind */
	INSPECT_PATHS(&info, "NVIDIA-vGPU-rhel-10-1.1.1.x86_64.rpm",
		      "nvidia-vgpu-ubuntu-2_2.2_amd64.deb",
		      "NVIDIA-Linux-x86_64-3.3-vgpu-kvm.run",
		      "NVIDIA-Linux-x86_64-4.4-vgpu-kvm-aie.run");
	CHECK_STR(info.host_version, "3.3");
	CHECK_STR(info.host_package.path, "NVIDIA-Linux-x86_64-3.3-vgpu-kvm.run");
	INSPECT_PATHS(&info, "a/NVIDIA-vGPU-rhel-9.6-1.1.1.x86_64.rpm",
		      "b/nvidia-vgpu-ubuntu-2_2.2_amd64.deb",
		      "c/nvidia-vgpu-ubuntu-3_3.3_amd64.deb");
	CHECK_STR(info.host_version, "2.2");
	CHECK_STR(info.host_package.path, "b/nvidia-vgpu-ubuntu-2_2.2_amd64.deb");
}

static void test_guest_versions(void)
{
	struct bundle_info info;

	/* the Linux version from the .run, else the .deb, else the .rpm; all are files */
	INSPECT_PATHS(&info, "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run",
		      "nvidia-linux-grid-5-5.5-7.x86_64.rpm",
		      "nvidia-linux-grid-6_6.6_amd64.deb",
		      "NVIDIA-Linux-x86_64-7.7-grid.run",
		      "NVIDIA-Linux-x86_64-8.8-grid.run",
		      "9.9_grid_win10_server2012R2_64bit_international.EXE",
		      "10.10_grid_win10_win11_server2022_server2025_dch_64bit_international.exe");
	check_invalid(&info, "");
	CHECK_STR(info.linux_guest_version, "7.7");
	CHECK_STR(info.windows_guest_version, "9.9");
	CHECK(info.n_guest_files == 6);
	CHECK_STR(info.guest_files[0].path, "nvidia-linux-grid-5-5.5-7.x86_64.rpm");
	CHECK_STR(info.guest_files[5].path,
		  "10.10_grid_win10_win11_server2022_server2025_dch_64bit_international.exe");

	INSPECT_PATHS(&info, "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run",
		      "nvidia-linux-grid-5-5.5-1.x86_64.rpm", "nvidia-linux-grid-6_6.6_amd64.deb");
	CHECK_STR(info.linux_guest_version, "6.6");

	/* names are matched whole, by file name, exactly but for .exe's case */
	INSPECT_PATHS(&info, "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run",
		      "xNVIDIA-Linux-x86_64-2.0-grid.run", "NVIDIA-Linux-x86_64-2.0-grid.run.txt",
		      "nvidia-linux-x86_64-2.0-grid.run", "NVIDIA-Linux-x86_64-2-grid.run",
		      "NVIDIA-Linux-x86_64-1.2.3.4.5-grid.run", "NVIDIA-Linux-x86_64--grid.run",
		      "538.46_grid_win10.exe.sig", "538_grid_win10.exe", "grid_win10.exe",
		      "nvidia-linux-grid-_1.1_amd64.deb", "nvidia-linux-grid-5-5.5-.x86_64.rpm");
	check_invalid(&info, "");
	CHECK(info.n_guest_files == 0);
	CHECK_STR(info.linux_guest_version, "");
	CHECK_STR(info.windows_guest_version, "");
}

static void test_no_host(void)
{
	struct bundle_info info;

	INSPECT_PATHS(&info, "Guest_Drivers/NVIDIA-Linux-x86_64-535.161.08-grid.run",
		      "Guest_Drivers/538.46_grid_win10_win11_server2019_server2022_dch_64bit_"
		      "international.exe",
		      "Host_Drivers/xNVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run",
		      "Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run.sha256");
	CHECK(info.kind == MEDIA_DRIVER_BUNDLE);
	CHECK_STR(info.invalid, "no host driver in the bundle");
	/* what was found is kept */
	CHECK_STR(info.host_version, "");
	CHECK_STR(info.linux_guest_version, "535.161.08");
	CHECK_STR(info.windows_guest_version, "538.46");
	CHECK(info.n_guest_files == 2);

	INSPECT_PATHS(&info, "README.txt");
	CHECK_STR(info.invalid, "no host driver in the bundle");
}

static void test_unsafe_names(void)
{
	static const char *const unsafe[] = {
		"../NVIDIA-Linux-x86_64-1.0-grid.run", "Guest_Drivers/../../etc/x", "a/..",
		"/tmp/x.run", "C:\\x.exe", "c:x.exe", "Z:/x", "\\x", "a\\..\\b", "a\x01" "b",
		"a\x7f" "b", "a\tb",
	};
	static const char *const safe[] = { "a..b/..c/d..", "./x", "a/./b", "x/...", "1:x" };
	struct bundle_info info;
	const char *paths[] = { "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run", NULL };
	char long_name[600];

	for (size_t i = 0; i < ARRAY_SIZE(unsafe); i++) {
		paths[1] = unsafe[i];
		inspect_paths(paths, 2, &info);
		check_invalid(&info, "unsafe member name: ");
		CHECK_STR(info.host_version, "");  /* nothing kept */
	}
	INSPECT_PATHS(&info, "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run", "../x");
	CHECK_STR(info.invalid, "unsafe member name: ../x");
	INSPECT_PATHS(&info, "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run", "a\x01" "b\nc");
	CHECK_STR(info.invalid, "unsafe member name: a\\x01b\\nc");
	/* a long name is cut between characters, never inside one */
	for (size_t i = 0; i + 2 < sizeof(long_name); i += 2)
		memcpy(long_name + i, "\xc3\xa9", 2);
	long_name[sizeof(long_name) - 2] = '\x01';
	long_name[sizeof(long_name) - 1] = '\0';
	paths[1] = long_name;
	inspect_paths(paths, 2, &info);
	check_invalid(&info, "unsafe member name: \xc3\xa9");
	CHECK(value_is_text_line(info.invalid) && strlen(info.invalid) >= BUNDLE_REASON_MAX - 2);
	for (size_t i = 0; i < ARRAY_SIZE(safe); i++) {
		paths[1] = safe[i];
		inspect_paths(paths, 2, &info);
		check_invalid(&info, "");
	}
}

static void test_limits(void)
{
	char long_path[400], names[40][80];
	const char *paths[40];
	struct bundle_info info;

	/* a driver's path must fit bundle_member.path; other members' need not */
	memset(long_path, 'x', 300);
	strcpy(long_path + 300, "/NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run");
	paths[0] = long_path;
	inspect_paths(paths, 1, &info);
	CHECK_STR(info.invalid, "long member name: 337 bytes, at most 255");
	strcpy(long_path + 300, "/notes.pdf");
	paths[0] = "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run";
	paths[1] = long_path;
	inspect_paths(paths, 2, &info);
	check_invalid(&info, "");

	/* at most BUNDLE_GUEST_FILES_MAX guest installers */
	for (size_t i = 0; i < 33; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu.0_grid_win10_64bit_international.exe",
			 i + 1);
		paths[i + 1] = names[i];
	}
	inspect_paths(paths, BUNDLE_GUEST_FILES_MAX + 1, &info);
	check_invalid(&info, "");
	CHECK(info.n_guest_files == BUNDLE_GUEST_FILES_MAX);
	CHECK_STR(info.windows_guest_version, "1.0");
	CHECK_STR(info.guest_files[31].path, "32.0_grid_win10_64bit_international.exe");
	inspect_paths(paths, BUNDLE_GUEST_FILES_MAX + 2, &info);
	CHECK_STR(info.invalid, "too many guest files: more than 32");
	CHECK(info.n_guest_files == 0);
}

static void test_broken_zips(void)
{
	static const struct member members[] = {
		{ "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run" }, { "NVIDIA-Linux-x86_64-1.1-grid.run" },
		{ "notes.pdf" },
	};
	_cleanup_free_ unsigned char *zip = NULL, *copy = NULL;
	unsigned char noise[4096], *last_entry = NULL;
	char want[BUNDLE_REASON_MAX];
	struct bundle_info info;
	size_t size;

	zip = build_zip(members, ARRAY_SIZE(members), &size);
	inspect(zip, size, "whole.ZIP", &info);
	check_invalid(&info, "");
	CHECK_STR(info.host_version, "1.0");

	/* cut short anywhere: no end of central directory record */
	for (size_t cut = 0; cut < size - 21; cut += cut < 8 ? 1 : 37) {
		inspect(zip, cut, "cut.zip", &info);
		check_invalid(&info, "truncated zip: ");
		CHECK(info.kind == MEDIA_DRIVER_BUNDLE);
	}
	inspect(zip, size / 2, "half.zip", &info);
	snprintf(want, sizeof(want), "truncated zip: no end of central directory record in "
		 "%zu bytes", size / 2);
	CHECK_STR(info.invalid, want);
	CHECK(bundle_inspect_memory(NULL, 0, "empty.zip", &info) == 0);
	check_invalid(&info, "truncated zip: ");

	/* not a zip at all */
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)(i * 7919 % 251);
	inspect(noise, sizeof(noise), "noise.zip", &info);
	CHECK_STR(info.invalid, "corrupt zip: not a zip archive (no end of central directory "
		  "record)");

	/* the central directory's last entry broken: libarchive's own words */
	copy = malloc(size);
	memcpy(copy, zip, size);
	for (size_t i = 0; i + 4 <= size; i++)
		if (!memcmp(copy + i, "PK\1\2", 4))
			last_entry = copy + i;
	CHECK(last_entry != NULL);
	last_entry[0] ^= 0xff;
	inspect(copy, size, "corrupt.zip", &info);
	CHECK_STR(info.invalid, "corrupt zip: Invalid central directory signature");
	CHECK_STR(info.host_version, "");
}

static void test_bombs(void)
{
	static const struct member zeros[] = {
		{ "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run", 128 * MIB },
	};
	struct raw_member raw[] = {
		{ "NVIDIA-Linux-x86_64-1.0-vgpu-kvm.run", 1 },
		{ "NVIDIA-Linux-x86_64-1.0-grid.run", 0 },
	};
	_cleanup_free_ unsigned char *zip = NULL, *big = NULL;
	struct bundle_info info;
	char want[BUNDLE_REASON_MAX];
	size_t size, limit;
	unsigned char *p;

	/* 128 MiB of zeros deflate to about 128 KiB: over 16 × that + 64 MiB */
	zip = build_zip(zeros, 1, &size);
	CHECK(size < MIB);
	inspect(zip, size, "bomb.zip", &info);
	snprintf(want, sizeof(want), "zip bomb: members declare %d bytes in an archive of %zu "
		 "bytes", 128 * MIB, size);
	CHECK_STR(info.invalid, want);
	CHECK_STR(info.host_version, "");
	free(zip);

	/* the limit exactly, the sum of all members' declared sizes */
	zip = build_raw_zip(raw, 2, &size);
	limit = 16 * size + 64 * MIB;
	free(zip);
	raw[0].declared = (uint32_t)(limit - 1000);
	raw[1].declared = 1000;
	zip = build_raw_zip(raw, 2, &size);
	inspect(zip, size, "limit.zip", &info);
	check_invalid(&info, "");
	CHECK(info.host_package.size == limit - 1000 && info.guest_files[0].size == 1000);
	free(zip);
	raw[1].declared = 1001;
	zip = build_raw_zip(raw, 2, &size);
	inspect(zip, size, "limit.zip", &info);
	snprintf(want, sizeof(want), "zip bomb: members declare %zu bytes in an archive of %zu "
		 "bytes", limit + 1, size);
	CHECK_STR(info.invalid, want);

	/* a central directory libarchive would take over 16 MiB of file to read */
	size = 17 * MIB;
	big = calloc(1, size);
	memcpy(big, "PK\3\4", 4);
	p = big + size - 22;
	memcpy(p, "PK\5\6", 4);
	p += 12;
	put32(&p, (uint32_t)(size - 22 - 100)), put32(&p, 100);
	inspect(big, size, "cd.zip", &info);
	snprintf(want, sizeof(want), "zip bomb: central directory of %zu bytes (at most 16777216)",
		 size - 100);
	CHECK_STR(info.invalid, want);
	/* the same through a zip64 locator, the 32-bit record saying nothing */
	p = big + size - 22 - 20;
	memcpy(p, "PK\6\7", 4), p += 4;
	put32(&p, 0), put32(&p, 1024), put32(&p, 0), put32(&p, 1);
	memcpy(big + 1024, "PK\6\6", 4);
	p = big + 1024 + 48;
	put32(&p, 2048), put32(&p, 0);
	p = big + size - 22 + 12;
	put32(&p, 0), put32(&p, 0);
	inspect(big, size, "cd64.zip", &info);
	snprintf(want, sizeof(want), "zip bomb: central directory of %zu bytes (at most 16777216)",
		 size - 2048);
	CHECK_STR(info.invalid, want);
	/* far below the bound, it is libarchive's to judge */
	memset(big + size - 22 - 20, 0, 4);
	p = big + size - 22 + 12;
	put32(&p, 1 * MIB), put32(&p, (uint32_t)(size - 22 - MIB));
	inspect(big, size, "cd.zip", &info);
	check_invalid(&info, "no host driver");
}

static void test_iso(void)
{
	size_t size = 32768 + 3 * 2048;
	_cleanup_free_ unsigned char *iso = calloc(1, size + 1);
	struct bundle_info info;

	memcpy(iso + 32768, "\1CD001\1", 7);
	inspect(iso, size, "guest-drivers.iso", &info);
	CHECK(info.kind == MEDIA_ISO);
	check_invalid(&info, "");
	inspect(iso, 32768 + 2048, "small.ISO", &info);
	check_invalid(&info, "");
	inspect(iso, size + 1, "odd.iso", &info);
	CHECK(info.kind == MEDIA_ISO);
	CHECK_STR(info.invalid, "truncated ISO image: 38913 bytes is not a whole number of "
		  "2048-byte sectors");
	inspect(iso, size - 1000, "cut.iso", &info);
	CHECK_STR(info.invalid, "truncated ISO image: 37912 bytes is not a whole number of "
		  "2048-byte sectors");
	inspect(iso, 32768 + 2047, "tiny.iso", &info);
	CHECK_STR(info.invalid, "not an ISO 9660 image");
	inspect(iso, 0, "empty.iso", &info);
	CHECK_STR(info.invalid, "not an ISO 9660 image");
	iso[32769] = 'X';
	inspect(iso, size, "other.iso", &info);
	CHECK_STR(info.invalid, "not an ISO 9660 image");
}

static void test_other_kinds(void)
{
	struct bundle_info info;

	inspect("token", 5, "client_configuration_token_01-01-2025.tok", &info);
	CHECK(info.kind == MEDIA_TOKEN);
	check_invalid(&info, "");
	inspect("x", 1, "SITE.TOK", &info);
	CHECK(info.kind == MEDIA_TOKEN);
	inspect("PK\5\6", 4, "notes.txt", &info);
	CHECK(info.kind == MEDIA_OTHER);
	check_invalid(&info, "");
	inspect("", 0, "zip", &info);
	CHECK(info.kind == MEDIA_OTHER);
	CHECK(bundle_inspect_memory("x", 1, NULL, &info) == 0 && info.kind == MEDIA_OTHER);
}

static void test_host_packages(void)
{
	static const struct {
		const char *name, *version;
	} packages[] = {
		{ "NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm.run", "550.54.16" },
		{ "NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run", "550.54.16" },
		{ "nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb", "570.158.02" },
		{ "NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm", "570.158.02" },
		{ "NVIDIA-vGPU-rhel-8.10-535.161.05.x86_64.rpm", "535.161.05" },
		/* copies get renamed: the name may be anywhere in the file's name */
		{ "nvgpu_NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm.run", "550.54.16" },
		{ "copy of nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb", "570.158.02" },
		{ "NVIDIA-Linux-x86_64-NVIDIA-Linux-x86_64-1.2-vgpu-kvm.run", "1.2" },
	};
	static const char *const others[] = {
		"NVIDIA-Linux-x86_64-550.54.15-grid.run",
		"NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm.run.part",
		"NVIDIA-Linux-x86_64-550-vgpu-kvm.run",
		"NVIDIA-Linux-x86_64-1.2.3.4.5-vgpu-kvm.run",
		"NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm.RUN",
		"nvidia-vgpu-ubuntu-_570.1_amd64.deb",
		"NVIDIA-vGPU-rhel--570.158.02.x86_64.rpm",
		"nvidia-linux-grid-570_570.158.01_amd64.deb",
		"NVIDIA-Linux-x86_64-.-vgpu-kvm.run",
		"",
	};
	char path[PATH_MAX + 64], data[1234] = { 0 };
	struct bundle_info info;

	for (size_t i = 0; i < ARRAY_SIZE(packages); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, packages[i].name);
		CHECK(write_file(path, data, sizeof(data)) == 0);
		CHECK(bundle_inspect(path, packages[i].name, &info) == 0);
		CHECK(info.kind == MEDIA_HOST_PACKAGE);
		check_invalid(&info, "");
		CHECK_STR(info.host_version, packages[i].version);
		CHECK_STR(info.host_package.path, packages[i].name);
		CHECK(info.host_package.size == sizeof(data));
		CHECK(info.n_guest_files == 0 && !info.linux_guest_version[0] &&
		      !info.windows_guest_version[0]);
		/* the store's name counts, not the path's */
		CHECK(bundle_inspect(path, "renamed.bin", &info) == 0);
		CHECK(info.kind == MEDIA_OTHER);
		unlink(path);
		inspect(data, 10, packages[i].name, &info);
		CHECK(info.kind == MEDIA_HOST_PACKAGE && info.host_package.size == 10);
	}
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		inspect(data, 10, others[i], &info);
		CHECK(info.kind == MEDIA_OTHER);
		if (info.kind != MEDIA_OTHER)
			printf("#   \"%s\" is %s\n", others[i], media_kind_name(info.kind));
		CHECK_STR(info.host_version, "");
	}
}

static void test_open_errors(void)
{
	struct bundle_info info;
	char path[PATH_MAX + 64];

	memset(&info, 0x55, sizeof(info));
	snprintf(path, sizeof(path), "%s/missing.zip", tmp_dir);
	CHECK(bundle_inspect(path, "missing.zip", &info) == -ENOENT);
	CHECK(info.kind == MEDIA_OTHER && info.invalid[0] == '\0' && info.n_guest_files == 0);
	CHECK(bundle_inspect(tmp_dir, "dir.zip", &info) == -EISDIR);
}

/* ---- The bundles of tools/make-bundles.py ----------------------------------------- */

static const struct expected_bundle {
	const char *name, *invalid, *host, *linux_guest, *windows_guest, *host_path;
	size_t n_guest_files;
} expected_bundles[] = {
	{ "NVIDIA-GRID-Linux-KVM-535.161.05-535.161.08-538.46.zip", "", "535.161.05",
	  "535.161.08", "538.46", "Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run", 4 },
	{ "NVIDIA-GRID-Linux-KVM-470.256.02-475.14.zip", "", "470.256.02", "470.256.02",
	  "475.14", "NVIDIA-Linux-x86_64-470.256.02-vgpu-kvm.run", 2 },
	{ "NVIDIA-GRID-Linux-KVM-550.54.16-550.54.15-551.78.zip", "", "550.54.16", "550.54.15",
	  "551.78", "Host_Drivers/NVIDIA-Linux-x86_64-550.54.16-vgpu-kvm-aie.run", 4 },
	{ "NVIDIA-GRID-Ubuntu-KVM-570.158.02-570.158.01-573.39.zip", "", "570.158.02",
	  "570.158.01", "573.39", "Host_Drivers/nvidia-vgpu-ubuntu-570_570.158.02_amd64.deb", 4 },
	{ "NVIDIA-GRID-RHEL-9.6-570.158.02-570.158.01-573.39.zip", "", "570.158.02",
	  "570.158.01", "573.39", "Host_Drivers/NVIDIA-vGPU-rhel-9.6-570.158.02.x86_64.rpm", 4 },
	{ "no-guest-drivers.zip", "", "535.161.05", "", "",
	  "Host_Drivers/NVIDIA-Linux-x86_64-535.161.05-vgpu-kvm.run", 0 },
	{ "no-host-driver.zip", "no host driver in the bundle", "", "535.161.08", "538.46", "", 4 },
	{ "unsafe-dotdot.zip", "unsafe member name: ../NVIDIA-Linux-x86_64-535.161.08-grid.run" },
	{ "unsafe-absolute.zip",
	  "unsafe member name: /tmp/NVIDIA-Linux-x86_64-535.161.08-grid.run" },
	{ "corrupt-central-directory.zip", "corrupt zip: Invalid central directory signature" },
	{ "not-a-zip.zip", "corrupt zip: not a zip archive" },
	{ "truncated.zip", "truncated zip: " },
	{ "zip-bomb.zip", "zip bomb: members declare 1073743023 bytes in an archive of " },
};

static void check_made_bundle(const char *path)
{
	const char *name = strrchr(path, '/') + 1;
	const struct expected_bundle *want = NULL;
	struct bundle_info info, from_file;
	_cleanup_free_ unsigned char *data = NULL;
	struct stat st;
	FILE *f;

	for (size_t i = 0; i < ARRAY_SIZE(expected_bundles); i++)
		if (!strcmp(expected_bundles[i].name, name))
			want = &expected_bundles[i];
	CHECK(want != NULL);
	if (!want) {
		printf("#   unexpected bundle %s\n", name);
		return;
	}
	CHECK(bundle_inspect(path, name, &from_file) == 0);
	CHECK(stat(path, &st) == 0 && (data = malloc((size_t)st.st_size + 1)) != NULL);
	f = fopen(path, "rb");
	CHECK(f && fread(data, 1, (size_t)st.st_size, f) == (size_t)st.st_size);
	if (f)
		fclose(f);
	CHECK(bundle_inspect_memory(data, (size_t)st.st_size, name, &info) == 0);
	CHECK(bundle_info_equal(&info, &from_file));

	printf("# %s: %s\n", name, info.invalid[0] ? info.invalid : "valid");
	CHECK(info.kind == MEDIA_DRIVER_BUNDLE);
	check_invalid(&info, want->invalid);
	if (want->invalid[0] && strcmp(want->name, "no-host-driver.zip"))
		return;
	CHECK_STR(info.host_version, want->host);
	CHECK_STR(info.linux_guest_version, want->linux_guest);
	CHECK_STR(info.windows_guest_version, want->windows_guest);
	CHECK_STR(info.host_package.path, want->host_path);
	if (want->host_path[0])
		CHECK(info.host_package.size == synthetic_size(want->host_path));
	CHECK(info.n_guest_files == want->n_guest_files);
	for (size_t i = 0; i < info.n_guest_files; i++)
		CHECK(info.guest_files[i].size == synthetic_size(info.guest_files[i].path));
}

static void test_made_bundles(void)
{
	const char *root = getenv("VGPUFS_SOURCE_ROOT");
	char command[2 * PATH_MAX + 64], line[PATH_MAX + 256];
	size_t seen = 0;
	FILE *made;

	if (!root) {
		printf("# VGPUFS_SOURCE_ROOT is not set: tools/make-bundles.py not checked\n");
		return;
	}
	snprintf(command, sizeof(command), "python3 '%s/tools/make-bundles.py' '%s/made'", root,
		 tmp_dir);
	made = popen(command, "r");
	CHECK(made != NULL);
	while (made && fgets(line, sizeof(line), made)) {
		line[strcspn(line, "\n")] = '\0';
		check_made_bundle(line);
		unlink(line);
		seen++;
	}
	CHECK(made && pclose(made) == 0);
	CHECK(seen == ARRAY_SIZE(expected_bundles));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_bundle.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmp_dir)) {
		printf("Bail out! no temporary folder\n");
		return 1;
	}
	test_kind_names();
	test_generic_16();
	test_flat_13();
	test_host_kinds();
	test_guest_versions();
	test_no_host();
	test_unsafe_names();
	test_limits();
	test_broken_zips();
	test_bombs();
	test_iso();
	test_other_kinds();
	test_host_packages();
	test_open_errors();
	test_made_bundles();
	nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
