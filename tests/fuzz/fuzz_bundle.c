/* fuzz_bundle.c — bundle_inspect_memory (core/media/bundle.h) on what an upload to the
 * media store can hold. Each input is read three ways: as a zip ("x.zip"); as an ISO image
 * whose first 32 KiB are zeros and whose primary volume descriptor is the input, so that
 * small inputs reach that check; and as a file name, for the host package patterns.
 * Besides not crashing, what comes back must keep bundle.h's promises: one line of reason
 * starting with a known class, versions that are versions, guest files that fit and have
 * safe names, declared sizes within the bomb limit, and the same answer twice. */
#include "fuzz_input.h"
#include "bundle.h"
#include "value.h"

#include <stdbool.h>

#define ISO_PVD_OFFSET 32768

static const char *const reason_classes[] = {
	"truncated zip: ", "corrupt zip: ", "zip bomb: ", "unsafe member name: ",
	"long member name: ", "too many guest files: ", "no host driver in the bundle",
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_version_or_empty(const char *s)
{
	return s[0] == '\0' || value_is_driver_version(s);
}

/* A member name bundle.c let through: relative, no "..", one printable line. */
static bool is_safe_path(const char *path)
{
	size_t n = strlen(path);

	if (n == 0 || n >= BUNDLE_NAME_MAX || path[0] == '/' || path[0] == '\\' ||
	    (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			return false;
	for (const char *s = path; (s = strstr(s, "..")); s++)
		if ((s == path || s[-1] == '/' || s[-1] == '\\') &&
		    (s[2] == '\0' || s[2] == '/' || s[2] == '\\'))
			return false;
	return true;
}

static void check_zip(const uint8_t *data, size_t size)
{
	struct bundle_info info, again;
	bool known = false, found_something;
	uint64_t declared = 0;

	FUZZ_CHECK(bundle_inspect_memory(data, size, "x.zip", &info) == 0);
	FUZZ_CHECK(info.kind == MEDIA_DRIVER_BUNDLE);
	FUZZ_CHECK(strlen(info.invalid) < sizeof(info.invalid));
	FUZZ_CHECK(value_is_text_line(info.invalid));
	for (size_t i = 0; i < sizeof(reason_classes) / sizeof(reason_classes[0]); i++)
		known |= starts_with(info.invalid, reason_classes[i]);
	FUZZ_CHECK(info.invalid[0] == '\0' || known);

	/* Only a usable bundle or one without a host driver says what it holds. */
	found_something = info.invalid[0] == '\0' ||
			  !strcmp(info.invalid, "no host driver in the bundle");
	if (!found_something) {
		FUZZ_CHECK(!info.host_version[0] && !info.linux_guest_version[0] &&
			   !info.windows_guest_version[0] && !info.host_package.path[0] &&
			   info.n_guest_files == 0);
	} else {
		FUZZ_CHECK(is_version_or_empty(info.host_version));
		FUZZ_CHECK(is_version_or_empty(info.linux_guest_version));
		FUZZ_CHECK(is_version_or_empty(info.windows_guest_version));
		FUZZ_CHECK(!info.host_version[0] == !info.host_package.path[0]);
		FUZZ_CHECK(!info.host_version[0] == (info.invalid[0] != '\0'));
		if (info.host_package.path[0])
			FUZZ_CHECK(is_safe_path(info.host_package.path));
		FUZZ_CHECK(info.n_guest_files <= BUNDLE_GUEST_FILES_MAX);
		FUZZ_CHECK(!info.linux_guest_version[0] || info.n_guest_files > 0);
		FUZZ_CHECK(!info.windows_guest_version[0] || info.n_guest_files > 0);
		for (size_t i = 0; i < info.n_guest_files; i++) {
			FUZZ_CHECK(is_safe_path(info.guest_files[i].path));
			declared += info.guest_files[i].size;
		}
		declared += info.host_package.size;
		FUZZ_CHECK(declared <= 16 * (uint64_t)size + (64u << 20));
	}

	FUZZ_CHECK(bundle_inspect_memory(data, size, "x.zip", &again) == 0);
	FUZZ_CHECK(bundle_info_equal(&info, &again));
}

static void check_iso(const uint8_t *data, size_t size)
{
	size_t total = ISO_PVD_OFFSET + size;
	uint8_t *iso = calloc(1, total);
	struct bundle_info info;
	bool valid;

	FUZZ_CHECK(iso != NULL);
	memcpy(iso + ISO_PVD_OFFSET, data, size);
	FUZZ_CHECK(bundle_inspect_memory(iso, total, "x.iso", &info) == 0);
	FUZZ_CHECK(info.kind == MEDIA_ISO);
	valid = size >= 2048 && !memcmp(data, "\1CD001", 6) && total % 2048 == 0;
	FUZZ_CHECK(valid == (info.invalid[0] == '\0'));
	if (!valid)
		FUZZ_CHECK(starts_with(info.invalid, "not an ISO 9660 image") ||
			   starts_with(info.invalid, "truncated ISO image: "));
	free(iso);
}

static void check_name(const uint8_t *data, size_t size)
{
	char name[BUNDLE_NAME_MAX];
	struct bundle_info info;

	fuzz_read_value(data, size, name, sizeof(name));
	FUZZ_CHECK(bundle_inspect_memory("data", 4, name, &info) == 0);
	FUZZ_CHECK(info.invalid[0] == '\0' || info.kind == MEDIA_DRIVER_BUNDLE ||
		   info.kind == MEDIA_ISO);
	if (info.kind == MEDIA_HOST_PACKAGE) {
		FUZZ_CHECK(value_is_driver_version(info.host_version));
		FUZZ_CHECK(!strcmp(info.host_package.path, name));
		FUZZ_CHECK(strstr(name, info.host_version) != NULL);
		FUZZ_CHECK(info.host_package.size == 4 && info.n_guest_files == 0);
	} else {
		FUZZ_CHECK(info.host_version[0] == '\0' || info.kind == MEDIA_DRIVER_BUNDLE);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_zip(data, size);
	check_iso(data, size);
	check_name(data, size);
	return 0;
}
