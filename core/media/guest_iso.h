/* guest_iso.h — builds the guest-driver ISO 9660 image of a driver bundle with
 * libarchive's iso9660 writer: Joliet with long names (plain Joliet cuts the Windows
 * installer's name at 64 characters) and Rock Ridge, the bundle's guest files at the root,
 * the licence token, if any, in ClientConfigToken/. libarchive stages file data under
 * $TMPDIR; the caller points it somewhere large enough (about twice the image). */
#ifndef VGPUFS_GUEST_ISO_H
#define VGPUFS_GUEST_ISO_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"

struct guest_iso_input {
	const char *bundle_path;              /* the zip */
	const struct bundle_member *members;  /* the guest files to copy, with their sizes */
	size_t n_members;
	const char *token_path;               /* a .tok file, or NULL */
	const char *token_name;               /* its name in ClientConfigToken/ */
	const char *volume_id;                /* at most 32 bytes */
	const char *dest_path;                /* the finished image */
};

/* Writes the image to dest_path + ".part", fsyncs it and renames it to dest_path (mode
 * 0644), so dest_path is either absent or complete; sha256 gets the image's digest (hex),
 * made as it is written. A member whose data is longer than the size its zip entry
 * declares fails the build. Returns 0, or -errno with a one-line reason in err (nothing
 * left behind). */
int guest_iso_build(const struct guest_iso_input *in, char sha256[65], char *err,
		    size_t err_size);

#endif
