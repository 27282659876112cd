/* bundle.h — what a file in the media store is: an NVIDIA vGPU driver bundle (a zip, read
 * with libarchive's seeking reader, central directory first, never unpacked), a lone host
 * package (.run/.deb/.rpm), an ISO image, a licence token, or something else. Members are
 * matched by file name, never by path (HOST-FACTS.md, "Driver bundles"); nothing is run. */
#ifndef VGPUFS_BUNDLE_H
#define VGPUFS_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLE_VERSION_MAX 32
#define BUNDLE_NAME_MAX 256
#define BUNDLE_GUEST_FILES_MAX 32
#define BUNDLE_REASON_MAX 256

enum media_kind {
	MEDIA_OTHER,
	MEDIA_DRIVER_BUNDLE,  /* any .zip: valid when it holds a host driver */
	MEDIA_HOST_PACKAGE,   /* a lone host .run/.deb/.rpm named as NVIDIA names them */
	MEDIA_ISO,            /* .iso */
	MEDIA_TOKEN,          /* .tok: NVIDIA's client configuration token */
};

/* "driver-bundle", "host-package", "iso", "token", "other". */
const char *media_kind_name(enum media_kind kind);

struct bundle_member {
	char path[BUNDLE_NAME_MAX];  /* as stored in the zip ("Guest_Drivers/x.run") */
	uint64_t size;               /* declared uncompressed size */
};

struct bundle_info {
	enum media_kind kind;
	/* "" when the file is usable as its kind; else why not: one printable line starting
	 * with its class, "truncated zip: ", "corrupt zip: ", "zip bomb: ", "unsafe member
	 * name: ", "long member name: ", "too many guest files: ", "no host driver in the
	 * bundle", "not an ISO 9660 image", "truncated ISO image: " (bundle.c says when).
	 * Only bundles and ISOs can be invalid; of an invalid bundle only one without a
	 * host driver has the fields below filled in. */
	char invalid[BUNDLE_REASON_MAX];
	char host_version[BUNDLE_VERSION_MAX];           /* "570.158.02"; "" if none */
	char linux_guest_version[BUNDLE_VERSION_MAX];    /* "" if none */
	char windows_guest_version[BUNDLE_VERSION_MAX];  /* "" if none */
	/* The host package: a member path for a zip, the file's own name for a lone one. */
	struct bundle_member host_package;
	/* The guest driver installers (Linux .run/.deb/.rpm, Windows .exe), in zip order
	 * (that of the members' data in the file). */
	struct bundle_member guest_files[BUNDLE_GUEST_FILES_MAX];
	size_t n_guest_files;
};

/* The kind a file's name alone gives (its extension, or NVIDIA's host package names):
 * what its content is then checked against. */
enum media_kind bundle_kind_of_name(const char *name);
/* Whether two inspections say the same (tests, the fuzzer). */
bool bundle_info_equal(const struct bundle_info *a, const struct bundle_info *b);

/* Fills out from the file at path, whose media store name (used for the kind, and as a
 * lone host package's path) is name. Reads the zip's headers only, never member data.
 * Returns 0, or -errno when the file cannot be opened, stat'd or read (-EISDIR for a
 * folder, -EINVAL for anything else but a regular file), out then zeroed; a broken file
 * is not an error: out->invalid says why. */
int bundle_inspect(const char *path, const char *name, struct bundle_info *out);
/* The same for a file held in memory (tests, the fuzzer). */
int bundle_inspect_memory(const void *data, size_t size, const char *name,
			  struct bundle_info *out);

#endif
