/* guest_iso.c — see guest_iso.h. libarchive's iso9660 writer stages every file's data in
 * one temporary file under $TMPDIR and lays the image out only at archive_write_close(),
 * so the image goes to a .part file first and is renamed into place once synced. Members
 * are read from the zip with the seeking reader and copied in GUEST_ISO_BLOCK pieces, so
 * memory use does not grow with the bundle. */
#include "guest_iso.h"

#include <archive.h>
#include <openssl/evp.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Bytes moved per read and write: large enough that the calls cost nothing, small enough
 * that a 600 MiB installer never sits in memory. Also the largest token accepted (a real
 * client configuration token is a few KiB). */
#define GUEST_ISO_BLOCK (1024 * 1024)
/* Windows guests read the Joliet names: 64 UCS-2 characters by default, 103 with
 * joliet=long. A longer name would lose its tail (the installer's ".exe"), so it is
 * refused. Counted in bytes, which is the character count for the ASCII names NVIDIA
 * uses and stricter otherwise. */
#define JOLIET_NAME_MAX 103
/* At the default iso-level 1, libarchive skips (ARCHIVE_WARN) a file this large. No
 * guest installer comes near it, so such a member is refused up front rather than
 * switching to iso-level 3's multi-extent files, which would change every image. */
#define ISO_FILE_SIZE_LIMIT (UINT64_C(1) << 32)
#define VOLUME_ID_MAX 32
/* Where NVIDIA's guide tells the guest to look for the licence token. */
#define TOKEN_DIR "ClientConfigToken"

struct iso_build {
	const struct guest_iso_input *in;
	char *err;
	size_t err_size;
	struct archive *iso;  /* the image being written */
	int fd;               /* the .part file */
	bool abandoned;       /* failed: iso_output() refuses to write */
	EVP_MD_CTX *sha;      /* over the image as it is written */
	bool *found;          /* found[i]: in->members[i] has been copied */
	char *block;          /* GUEST_ISO_BLOCK bytes */
};

static int fail(struct iso_build *b, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the one-line reason and returns r, for `return fail(…)`. Messages quote
 * libarchive's and file names, so line breaks are flattened. */
static int fail(struct iso_build *b, int r, const char *fmt, ...)
{
	va_list ap;

	if (!b->err || !b->err_size)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->err, b->err_size, fmt, ap);
	va_end(ap);
	for (char *p = b->err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return r;
}

/* A libarchive failure as -errno. A full disk (the image or the $TMPDIR staging file),
 * a missing or unreadable file and a lack of memory keep their errno, so the caller can
 * tell the user what to fix; the rest is EIO. libarchive's text is kept either way. */
static int archive_failure(struct iso_build *b, struct archive *a, const char *what)
{
	const char *message = archive_error_string(a);
	int e = archive_errno(a);

	if (e == ENOSPC || e == EDQUOT || e == ENOMEM || e == ENOENT || e == EACCES)
		return fail(b, -e, "%s: %s (%s)", what, message ? message : "failed",
			    strerror(e));
	return fail(b, -EIO, "%s: %s", what, message ? message : "unknown libarchive error");
}

static const char *member_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- input checks: all done before anything is written ---- */

/* The volume id goes into a comma-separated libarchive option string, so it is kept to
 * characters that cannot end the option. The primary descriptor allows only A-Z, 0-9 and
 * '_', and libarchive maps the rest there ('.' becomes '_'); Joliet keeps it as given. */
static int volume_id_check(struct iso_build *b, const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > VOLUME_ID_MAX)
		return fail(b, -EINVAL, "volume id \"%s\" must be 1 to %d bytes", id,
			    VOLUME_ID_MAX);
	if (strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
	    != len)
		return fail(b, -EINVAL, "volume id \"%s\" may hold only letters, digits, "
			    "'_', '.' and '-'", id);
	return 0;
}

/* A name for the image's root or ClientConfigToken/: one path component that Joliet
 * keeps whole. */
static int name_check(struct iso_build *b, const char *name, const char *what)
{
	if (!name || !*name || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
		return fail(b, -EINVAL, "%s has no usable file name", what);
	if (strlen(name) > JOLIET_NAME_MAX)
		return fail(b, -EINVAL, "%s: name longer than the %d characters Joliet keeps",
			    name, JOLIET_NAME_MAX);
	return 0;
}

/* Two files of one name would be merged silently by libarchive (the older dropped). */
static int member_check(struct iso_build *b, size_t i)
{
	const struct bundle_member *m = &b->in->members[i];
	const char *name = member_basename(m->path);
	int r = name_check(b, name, m->path);

	if (r < 0)
		return r;
	if (m->size >= ISO_FILE_SIZE_LIMIT)
		return fail(b, -EFBIG, "member %s is %" PRIu64 " bytes: ISO 9660 files must be "
			    "under 4 GiB", m->path, m->size);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(name, member_basename(b->in->members[j].path)))
			return fail(b, -EINVAL, "members %s and %s have the same file name",
				    b->in->members[j].path, m->path);
	if (b->in->token_path && !strcmp(name, TOKEN_DIR))
		return fail(b, -EINVAL, "member %s clashes with the token's folder", m->path);
	return 0;
}

static int input_check(struct iso_build *b)
{
	const struct guest_iso_input *in = b->in;
	int r;

	if (!in->bundle_path || !in->dest_path || !in->volume_id ||
	    (in->n_members && !in->members))
		return fail(b, -EINVAL, "guest ISO: bundle, members, volume id or destination "
			    "missing");
	r = volume_id_check(b, in->volume_id);
	for (size_t i = 0; r == 0 && i < in->n_members; i++)
		r = member_check(b, i);
	if (r == 0 && in->token_path)
		r = name_check(b, in->token_name, "the token");
	return r;
}

/* ---- writing entries into the image ---- */

/* Adds a file or directory at path. uid and gid stay 0: rockridge=useful keeps them as
 * given. A header answered with ARCHIVE_WARN means libarchive left the file out of the
 * image, which is a failure here. */
static int iso_add_entry(struct iso_build *b, const char *path, mode_t mode, time_t mtime,
			 uint64_t size)
{
	struct archive_entry *entry = archive_entry_new();
	int ar;

	if (!entry)
		return fail(b, -ENOMEM, "out of memory");
	archive_entry_set_pathname(entry, path);
	archive_entry_set_mode(entry, mode);
	archive_entry_set_mtime(entry, mtime, 0);
	archive_entry_set_size(entry, (la_int64_t)size);
	ar = archive_write_header(b->iso, entry);
	archive_entry_free(entry);
	if (ar != ARCHIVE_OK)
		return archive_failure(b, b->iso, path);
	return 0;
}

static int iso_add_data(struct iso_build *b, size_t n, const char *what)
{
	la_ssize_t written = archive_write_data(b->iso, b->block, n);

	if (written < 0)
		return archive_failure(b, b->iso, what);
	if ((size_t)written != n)
		return fail(b, -EIO, "%s: libarchive took %zd of %zu bytes", what, written, n);
	return 0;
}

static int iso_finish_entry(struct iso_build *b, const char *what)
{
	if (archive_write_finish_entry(b->iso) != ARCHIVE_OK)
		return archive_failure(b, b->iso, what);
	return 0;
}

/* ---- the bundle's members ---- */

static ssize_t member_index(const struct guest_iso_input *in, const char *path)
{
	for (size_t i = 0; path && i < in->n_members; i++)
		if (!strcmp(path, in->members[i].path))
			return (ssize_t)i;
	return -1;
}

/* Copies the current zip entry's data. The size written in the ISO header is the one the
 * caller read from the zip, and the data must match it: more is a zip bomb or a changed
 * bundle (stopped at the first block past it), less a truncated one. */
static int member_copy(struct iso_build *b, struct archive *zip, const struct bundle_member *m)
{
	uint64_t done = 0;
	la_ssize_t n;
	int r;

	while ((n = archive_read_data(zip, b->block, GUEST_ISO_BLOCK)) > 0) {
		if ((uint64_t)n > m->size - done)
			return fail(b, -EIO, "member %s is longer than the %" PRIu64 " bytes its "
				    "zip entry declares", m->path, m->size);
		r = iso_add_data(b, (size_t)n, m->path);
		if (r < 0)
			return r;
		done += (uint64_t)n;
	}
	if (n < 0)
		return archive_failure(b, zip, m->path);
	if (done < m->size)
		return fail(b, -EIO, "member %s is truncated: %" PRIu64 " of the %" PRIu64
			    " bytes its zip entry declares", m->path, done, m->size);
	return iso_finish_entry(b, m->path);
}

/* Entries not asked for are skipped: the seeking reader never decompresses them. */
static int entry_copy(struct iso_build *b, struct archive *zip, struct archive_entry *entry)
{
	ssize_t i = member_index(b->in, archive_entry_pathname(entry));
	const struct bundle_member *m;
	time_t mtime;
	int r;

	if (i < 0)
		return 0;
	m = &b->in->members[i];
	if (b->found[i])
		return fail(b, -EINVAL, "member %s appears twice in the bundle", m->path);
	b->found[i] = true;
	mtime = archive_entry_mtime_is_set(entry) ? archive_entry_mtime(entry) : time(NULL);
	r = iso_add_entry(b, member_basename(m->path), AE_IFREG | 0444, mtime, m->size);
	return r < 0 ? r : member_copy(b, zip, m);
}

static int members_all_found(struct iso_build *b)
{
	for (size_t i = 0; i < b->in->n_members; i++)
		if (!b->found[i])
			return fail(b, -ENOENT, "member %s is not in the bundle %s",
				    b->in->members[i].path, b->in->bundle_path);
	return 0;
}

static int members_copy(struct iso_build *b)
{
	struct archive *zip = archive_read_new();
	struct archive_entry *entry;
	int ar, r = 0;

	if (!zip)
		return fail(b, -ENOMEM, "out of memory");
	if (archive_read_support_format_zip_seekable(zip) != ARCHIVE_OK ||
	    archive_read_open_filename(zip, b->in->bundle_path, GUEST_ISO_BLOCK) != ARCHIVE_OK)
		r = archive_failure(b, zip, "cannot open the bundle");
	/* ARCHIVE_WARN on a zip header (say, an odd name encoding) leaves the entry usable. */
	while (r == 0 && (ar = archive_read_next_header(zip, &entry)) != ARCHIVE_EOF)
		r = ar < ARCHIVE_WARN ? archive_failure(b, zip, b->in->bundle_path)
				      : entry_copy(b, zip, entry);
	archive_read_free(zip);
	return r < 0 ? r : members_all_found(b);
}

/* ---- the licence token ---- */

/* Reads the whole file into the block; -EFBIG if it fills it. */
static ssize_t token_read(struct iso_build *b, int fd)
{
	size_t done = 0;
	ssize_t n;

	while (done < GUEST_ISO_BLOCK) {
		n = read(fd, b->block + done, GUEST_ISO_BLOCK - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(b, -errno, "cannot read the token %s: %s", b->in->token_path,
				    strerror(errno));
		if (n == 0)
			return (ssize_t)done;
		done += (size_t)n;
	}
	return fail(b, -EFBIG, "the token %s is 1 MiB or more: not a client configuration "
		    "token", b->in->token_path);
}

static int token_copy(struct iso_build *b)
{
	_cleanup_close_ int fd = open(b->in->token_path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *path = NULL;
	struct stat st;
	ssize_t n;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(b, -errno, "cannot open the token %s: %s", b->in->token_path,
			    strerror(errno));
	n = token_read(b, fd);
	if (n < 0)
		return (int)n;
	if (asprintf(&path, "%s/%s", TOKEN_DIR, b->in->token_name) < 0) {
		path = NULL;
		return fail(b, -ENOMEM, "out of memory");
	}
	r = iso_add_entry(b, TOKEN_DIR, AE_IFDIR | 0555, st.st_mtime, 0);
	if (r == 0)
		r = iso_add_entry(b, path, AE_IFREG | 0444, st.st_mtime, (uint64_t)n);
	if (r == 0 && n > 0)
		r = iso_add_data(b, (size_t)n, path);
	return r < 0 ? r : iso_finish_entry(b, path);
}

/* ---- the image file ---- */

/* libarchive's output callback. The image is written only while closing, and once the
 * build has failed that close (from archive_write_free()) must stop at its first write:
 * skipping it with archive_write_fail() instead would leak libarchive's output buffer
 * (fixed in libarchive 3.8.2, libarchive PR #2729). */
static la_ssize_t iso_output(struct archive *a, void *data, const void *buf, size_t size)
{
	struct iso_build *b = data;
	ssize_t n;

	if (b->abandoned) {
		archive_set_error(a, ECANCELED, "the build has failed");
		return -1;
	}
	do
		n = write(b->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		archive_set_error(a, errno, "cannot write the image");
	else
		EVP_DigestUpdate(b->sha, buf, (size_t)n);
	return n;
}

/* The image's digest in hex, once it is written. */
static int digest_hex(struct iso_build *b, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!EVP_DigestFinal_ex(b->sha, d, &n) || n != 32)
		return fail(b, -EIO, "cannot finish the image's sha256");
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	return 0;
}

static int iso_open(struct iso_build *b)
{
	char options[160];
	int r;

	r = snprintf(options, sizeof(options), "iso9660:volume-id=%s,iso9660:joliet=long,"
		     "iso9660:rockridge=useful", b->in->volume_id);
	if (r < 0 || (size_t)r >= sizeof(options))
		return fail(b, -EINVAL, "volume id \"%s\" too long", b->in->volume_id);
	/* the image goes out in 1 MiB writes, not libarchive's default 10 KiB blocks */
	if (archive_write_set_bytes_per_block(b->iso, GUEST_ISO_BLOCK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(b->iso, 1) != ARCHIVE_OK ||
	    archive_write_set_format_iso9660(b->iso) != ARCHIVE_OK ||
	    archive_write_set_options(b->iso, options) != ARCHIVE_OK ||
	    archive_write_open(b->iso, b, NULL, iso_output, NULL) != ARCHIVE_OK)
		return archive_failure(b, b->iso, "cannot start the ISO");
	return 0;
}

/* The image is laid out and written to the .part file only at archive_write_close(). A
 * build that fails halfway through a member still has libarchive pad that member's staged
 * data with zeros up to its declared size when freed; only then does the close stop. */
static int iso_write(struct iso_build *b)
{
	int r;

	b->iso = archive_write_new();
	if (!b->iso)
		return fail(b, -ENOMEM, "out of memory");
	r = iso_open(b);
	/* The token first: a missing one fails the build before gigabytes are copied. */
	if (r == 0 && b->in->token_path)
		r = token_copy(b);
	if (r == 0)
		r = members_copy(b);
	if (r == 0 && archive_write_close(b->iso) != ARCHIVE_OK)
		r = archive_failure(b, b->iso, b->in->dest_path);
	b->abandoned = r < 0;
	archive_write_free(b->iso);
	b->iso = NULL;
	return r;
}

/* Mode 0644 whatever the umask: qemu runs as another user and must read the image. A
 * symbolic link left at the .part name is not followed, so fchmod() cannot reach its
 * target. */
static int part_open(struct iso_build *b, const char *part)
{
	int fd = open(part, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	int r;

	if (fd < 0)
		return fail(b, -errno, "cannot create %s: %s", part, strerror(errno));
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		close(fd);
		return fail(b, r, "cannot chmod %s: %s", part, strerror(-r));
	}
	return fd;
}

/* Writes, syncs and closes the .part file; removes it on any failure. */
static int part_write(struct iso_build *b, const char *part)
{
	int fd = part_open(b, part);
	int r;

	if (fd < 0)
		return fd;
	b->fd = fd;
	r = iso_write(b);
	if (r == 0 && fsync(fd) < 0)
		r = fail(b, -errno, "cannot sync %s: %s", part, strerror(errno));
	if (close(fd) < 0 && r == 0)
		r = fail(b, -errno, "cannot close %s: %s", part, strerror(errno));
	if (r < 0)
		unlink(part);
	return r;
}

static int dir_sync(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -1;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* The rename makes the image appear whole; the directory sync makes the rename survive a
 * crash. If that sync fails the image is removed again, so that a failure always means
 * no image. */
static int part_publish(struct iso_build *b, const char *part)
{
	const char *dest = b->in->dest_path;
	int r;

	if (rename(part, dest) < 0) {
		r = -errno;
		unlink(part);
		return fail(b, r, "cannot rename %s to %s: %s", part, dest, strerror(-r));
	}
	r = dir_sync(dest);
	if (r < 0) {
		unlink(dest);
		return fail(b, r, "cannot sync the folder of %s: %s", dest, strerror(-r));
	}
	return 0;
}

static void evp_freep(EVP_MD_CTX **p)
{
	EVP_MD_CTX_free(*p);
}

int guest_iso_build(const struct guest_iso_input *in, char sha256[65], char *err,
		    size_t err_size)
{
	struct iso_build b = { .in = in, .err = err, .err_size = err_size };
	EVP_MD_CTX *sha __attribute__((cleanup(evp_freep))) = EVP_MD_CTX_new();
	_cleanup_free_ char *part = NULL;
	_cleanup_free_ bool *found = NULL;
	_cleanup_free_ char *block = NULL;
	int r;

	if (err && err_size)
		err[0] = '\0';
	r = input_check(&b);
	if (r < 0)
		return r;
	found = calloc(in->n_members + 1, sizeof(*found));
	block = malloc(GUEST_ISO_BLOCK);
	if (asprintf(&part, "%s.part", in->dest_path) < 0)
		part = NULL;
	if (!found || !block || !part || !sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL))
		return fail(&b, -ENOMEM, "out of memory");
	b.found = found;
	b.block = block;
	b.sha = sha;
	r = part_write(&b, part);
	if (r == 0)
		r = digest_hex(&b, sha256);
	if (r < 0)
		unlink(part);
	return r < 0 ? r : part_publish(&b, part);
}
