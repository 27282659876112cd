/* bundle.c — what a file in the media store is (see bundle.h).
 *
 * The kind comes from the name alone (the extension, any case): .zip is a driver bundle,
 * .iso an ISO image, .tok a licence token; a name holding one of NVIDIA's host package
 * names (below) is a lone host package, even with something in front of it, as copies get
 * renamed ("nvgpu_NVIDIA-Linux-x86_64-…-vgpu-kvm.run"); anything else is "other".
 * Versions never come from a zip's own name, only from its members' names.
 *
 * A driver bundle is read with libarchive's seeking zip reader, which starts from the
 * central directory (so zips modified after creation read right), and only its headers
 * are walked: no member data is read, nothing is unpacked or run. Members are matched by
 * file name, whatever folder holds them, since the layout moved between releases (flat
 * in 11.x/13.3/14.1, Host_Drivers/ and Guest_Drivers/ from 13.4, Signing_Keys/ from
 * 14.3). "Zip order" is the order libarchive returns members in: that of their data in
 * the file, which is the central directory's for any ordinary zip.
 *
 * A broken bundle stays MEDIA_DRIVER_BUNDLE with a one-line reason in invalid, starting
 * with a class word. The first problem found wins, checked in this order:
 *   truncated zip: …      no end-of-central-directory record in the last 64 KiB + 22
 *                         bytes, and the file begins as a zip does (a cut-short upload);
 *   corrupt zip: …        no such record in something that is not a zip at all;
 *   zip bomb: …           a central directory of over 16 MiB (libarchive holds a record
 *                         per entry in memory: this bounds it, whatever the input);
 * then, walking the members in zip order:
 *   corrupt zip: …        libarchive fails (its message follows);
 *   unsafe member name: … an absolute path, a ".." component, a drive ("C:"), a control
 *                         character: any member, driver or not;
 *   long member name: …   a driver whose path does not fit bundle_member.path;
 *   too many guest files: more than BUNDLE_GUEST_FILES_MAX guest installers;
 * and once all are walked:
 *   zip bomb: …           members declaring more than 16 × the archive's size + 64 MiB
 *                         uncompressed, all together;
 *   no host driver in the bundle  (the guest files and versions found are kept).
 * Only for "no host driver" is anything but kind and invalid filled in. Versions that
 * disagree (host 535 with guest 550) are not errors: compat.c judges them. */
#include "bundle.h"
#include "util.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

/* The end-of-central-directory record: fixed part, then a comment of up to 64 KiB. */
#define ZIP_EOCD_SIZE 22
#define ZIP_TAIL_MAX (65535 + ZIP_EOCD_SIZE)
/* Zip64: a 20-byte locator just before that record points at a 56-byte one. */
#define ZIP64_LOCATOR_SIZE 20
#define ZIP64_EOCD_SIZE 56
/* libarchive keeps about 150 bytes per central directory entry (at least 46 bytes of
 * file): 16 MiB is some 100 000 members, where NVIDIA's bundles have about 15. */
#define ZIP_CENTRAL_DIRECTORY_MAX (16u << 20)
/* Members may declare at most 16 × the archive's size + 64 MiB uncompressed: deflate
 * rarely beats 10:1 on real installers, while a bomb reaches 1000:1. */
#define ZIP_BOMB_RATIO 16
#define ZIP_BOMB_SLACK (64u << 20)

/* ISO 9660: 16 system sectors of 2048 bytes, then the primary volume descriptor. */
#define ISO_SECTOR 2048
#define ISO_PVD_OFFSET (16 * ISO_SECTOR)

static inline void archive_read_freep(struct archive **a) { if (*a) archive_read_free(*a); }
#define _cleanup_archive_read_ __attribute__((cleanup(archive_read_freep)))

const char *media_kind_name(enum media_kind kind)
{
	switch (kind) {
	case MEDIA_DRIVER_BUNDLE: return "driver-bundle";
	case MEDIA_HOST_PACKAGE: return "host-package";
	case MEDIA_ISO: return "iso";
	case MEDIA_TOKEN: return "token";
	case MEDIA_OTHER: break;
	}
	return "other";
}

/* ---- NVIDIA's file names ---------------------------------------------------------- */

enum member_role { ROLE_HOST, ROLE_LINUX_GUEST, ROLE_WINDOWS_GUEST };

/* Each name NVIDIA gives a driver file. rank orders the kinds of one role: the version
 * and the host package come from the lowest rank present (.run, then .deb, then .rpm),
 * and within a rank from the first in zip order. Patterns (see name_matches):
 * %V a driver version, %N a number, %O an OS release ("9.6"), %* anything. */
static const struct member_pattern {
	const char *pattern;
	enum member_role role;
	int rank;
} member_patterns[] = {
	{ "NVIDIA-Linux-x86_64-%V-vgpu-kvm.run", ROLE_HOST, 0 },
	{ "NVIDIA-Linux-x86_64-%V-vgpu-kvm-aie.run", ROLE_HOST, 0 },  /* AI Enterprise */
	{ "nvidia-vgpu-ubuntu-%N_%V_amd64.deb", ROLE_HOST, 1 },
	{ "NVIDIA-vGPU-rhel-%O-%V.x86_64.rpm", ROLE_HOST, 2 },
	{ "NVIDIA-Linux-x86_64-%V-grid.run", ROLE_LINUX_GUEST, 0 },
	{ "nvidia-linux-grid-%N_%V_amd64.deb", ROLE_LINUX_GUEST, 1 },
	{ "nvidia-linux-grid-%N-%V-%N.x86_64.rpm", ROLE_LINUX_GUEST, 2 },  /* -1: release */
	/* 13.x has no _dch_; the server list drifts (server2016…, server2022_server2025,
	 * 13.3's extra server2012R2 installer): take any. */
	{ "%V_grid_win%*.exe", ROLE_WINDOWS_GUEST, 0 },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the "1.22.333" run at s: digits, then any ".digits" groups. */
static size_t scan_dotted(const char *s)
{
	size_t n = strspn(s, "0123456789");

	while (n && s[n] == '.' && is_digit(s[n + 1]))
		n += 1 + strspn(s + n + 1, "0123456789");
	return n;
}

/* Whether the whole of name is pattern: literal text, which must match exactly, and
 *   %V  a driver version (value_is_driver_version: 2-4 dotted numbers), copied to version;
 *   %N  a number; %O  dotted numbers (an OS release such as 9.6 or 10);
 *   %*  anything; the rest of the pattern must end the name, in any case (".EXE").
 * version may be written even when the name does not match. */
static bool name_matches(const char *name, const char *pattern, char version[BUNDLE_VERSION_MAX])
{
	const char *s = name, *p = pattern;
	size_t n, rest;

	while (*p) {
		if (*p != '%') {
			if (*s++ != *p++)
				return false;
			continue;
		}
		switch (p[1]) {
		case 'V':
			n = scan_dotted(s);
			if (n == 0 || n >= BUNDLE_VERSION_MAX)
				return false;
			memcpy(version, s, n);
			version[n] = '\0';
			if (!value_is_driver_version(version))
				return false;
			break;
		case 'O':
			n = scan_dotted(s);
			break;
		case 'N':
			n = strspn(s, "0123456789");
			break;
		case '*':
			rest = strlen(p + 2);
			n = strlen(s);
			return n >= rest && strcasecmp(s + n - rest, p + 2) == 0;
		default:
			return false;
		}
		if (n == 0)
			return false;
		s += n;
		p += 2;
	}
	return *s == '\0';
}

/* The pattern that file name base is, or NULL; its version goes to version. */
static const struct member_pattern *match_member(const char *base,
						 char version[BUNDLE_VERSION_MAX])
{
	for (size_t i = 0; i < ARRAY_SIZE(member_patterns); i++)
		if (name_matches(base, member_patterns[i].pattern, version))
			return &member_patterns[i];
	return NULL;
}

/* Whether name holds a host package name ending it, with anything in front: the rule
 * for a lone package in the store, never for zip members (matched exactly). */
static bool lone_host_package(const char *name, char version[BUNDLE_VERSION_MAX])
{
	for (const char *s = name; *s; s++)
		for (size_t i = 0; i < ARRAY_SIZE(member_patterns); i++)
			if (member_patterns[i].role == ROLE_HOST &&
			    name_matches(s, member_patterns[i].pattern, version))
				return true;
	return false;
}

static bool has_extension(const char *name, const char *extension)
{
	size_t n = strlen(name), e = strlen(extension);

	return n >= e && strcasecmp(name + n - e, extension) == 0;
}

/* A member path is unsafe if extracting it as it stands could land outside the folder
 * it is extracted to, on Linux or Windows, or if it cannot be shown on one line. */
static bool member_name_is_safe(const char *path)
{
	const char *component = path;

	if (path[0] == '\0' || path[0] == '/' || path[0] == '\\')
		return false;
	if (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':')
		return false;
	for (const char *s = path;; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\0')
			return false;
		if (*s == 0x7f)
			return false;
		if (*s == '/' || *s == '\\' || *s == '\0') {
			if (s - component == 2 && component[0] == '.' && component[1] == '.')
				return false;
			if (*s == '\0')
				return true;
			component = s + 1;
		}
	}
}

/* ---- Where the bytes come from ------------------------------------------------------ */

/* A file in memory (data) or open (fd), and its size. */
struct source {
	const unsigned char *data;
	int fd;
	uint64_t size;
};

/* Reads n bytes at offset into buf. Returns how many could be read (fewer at the end, or
 * when the file shrank meanwhile) or -errno. */
static ssize_t source_read(const struct source *src, uint64_t offset, void *buf, size_t n)
{
	size_t done = 0;

	if (offset >= src->size)
		return 0;
	if (n > src->size - offset)
		n = (size_t)(src->size - offset);
	if (src->data) {
		memcpy(buf, src->data + offset, n);
		return (ssize_t)n;
	}
	while (done < n) {
		ssize_t r = pread(src->fd, (char *)buf + done, n - done, (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- Judging ------------------------------------------------------------------------ */

static void set_invalid(struct bundle_info *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_invalid(struct bundle_info *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->invalid, sizeof(out->invalid), fmt, ap);
	va_end(ap);
}

/* A broken bundle: nothing found so far is worth keeping. */
static void reject(struct bundle_info *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reject(struct bundle_info *out, const char *fmt, ...)
{
	va_list ap;

	memset(out, 0, sizeof(*out));
	out->kind = MEDIA_DRIVER_BUNDLE;
	va_start(ap, fmt);
	vsnprintf(out->invalid, sizeof(out->invalid), fmt, ap);
	va_end(ap);
}

/* Rejects with prefix then text, escaped onto one line and cut between characters only:
 * names and libarchive's messages may hold anything. */
static void reject_quoting(struct bundle_info *out, const char *prefix, const char *text)
{
	size_t n;

	reject(out, "%s", prefix);
	n = strlen(out->invalid);
	value_escape(text, out->invalid + n, sizeof(out->invalid) - n);
}

static int inspect_iso(const struct source *src, struct bundle_info *out)
{
	unsigned char magic[6];
	ssize_t n = 0;

	if (src->size >= ISO_PVD_OFFSET + ISO_SECTOR) {
		n = source_read(src, ISO_PVD_OFFSET, magic, sizeof(magic));
		if (n < 0)
			return (int)n;
	}
	if (n != sizeof(magic) || memcmp(magic, "\1CD001", sizeof(magic)) != 0)
		set_invalid(out, "not an ISO 9660 image");
	else if (src->size % ISO_SECTOR)
		set_invalid(out, "truncated ISO image: %" PRIu64 " bytes is not a whole number of "
			    "%d-byte sectors", src->size, ISO_SECTOR);
	return 0;
}

/* Checks the zip's last record before libarchive sees it, so that a cut-short upload
 * reads "truncated" and not libarchive's "Unrecognized archive format", and bounds the
 * central directory libarchive will load. Returns 0 (out->invalid set or not), -errno. */
static int zip_check_layout(const struct source *src, struct bundle_info *out)
{
	size_t tail_size = src->size < ZIP_TAIL_MAX ? (size_t)src->size : ZIP_TAIL_MAX;
	uint64_t tail_offset = src->size - tail_size, eocd_offset, cd_start;
	_cleanup_free_ unsigned char *tail = malloc(tail_size + 1);
	unsigned char head[4], record[ZIP64_EOCD_SIZE];
	const unsigned char *eocd = NULL, *locator;
	ssize_t n;

	if (!tail)
		return -ENOMEM;
	n = source_read(src, tail_offset, tail, tail_size);
	if (n < 0)
		return (int)n;
	/* The last one: a stored zip inside the zip has one too. */
	for (size_t i = (size_t)n >= ZIP_EOCD_SIZE ? (size_t)n - ZIP_EOCD_SIZE + 1 : 0; i-- > 0;)
		if (memcmp(tail + i, "PK\5\6", 4) == 0) {
			eocd = tail + i;
			break;
		}
	if (!eocd) {
		n = source_read(src, 0, head, sizeof(head));
		if (n < 0)
			return (int)n;
		if (memcmp(head, "PK\3\4", (size_t)n) == 0)
			set_invalid(out, "truncated zip: no end of central directory record in "
				    "%" PRIu64 " bytes", src->size);
		else
			set_invalid(out, "corrupt zip: not a zip archive (no end of central "
				    "directory record)");
		return 0;
	}

	/* libarchive walks the central directory from the start the 32-bit record gives,
	 * or the zip64 record's when valid; bound from the earlier of the two. */
	eocd_offset = tail_offset + (uint64_t)(eocd - tail);
	cd_start = eocd_offset - (le32(eocd + 12) < eocd_offset ? le32(eocd + 12) : eocd_offset);
	locator = eocd - ZIP64_LOCATOR_SIZE;
	if (eocd - tail >= ZIP64_LOCATOR_SIZE && memcmp(locator, "PK\6\7", 4) == 0) {
		n = source_read(src, le64(locator + 8), record, sizeof(record));
		if (n < 0)
			return (int)n;
		if (n == sizeof(record) && memcmp(record, "PK\6\6", 4) == 0 &&
		    le64(record + 48) < cd_start)
			cd_start = le64(record + 48);
	}
	if (src->size - cd_start > ZIP_CENTRAL_DIRECTORY_MAX)
		set_invalid(out, "zip bomb: central directory of %" PRIu64 " bytes "
			    "(at most %u)", src->size - cd_start, ZIP_CENTRAL_DIRECTORY_MAX);
	return 0;
}

/* What the walk has found so far. */
struct zip_walk {
	uint64_t declared;   /* sum of the declared sizes, saturating */
	int host_rank, linux_guest_rank;
};

/* Takes one member into out, or rejects the bundle. Returns false when rejected. */
static bool zip_take_member(struct archive_entry *entry, struct zip_walk *walk,
			    struct bundle_info *out)
{
	const char *path = archive_entry_pathname(entry), *base;
	const struct member_pattern *pattern;
	char version[BUNDLE_VERSION_MAX];
	struct bundle_member *member;
	uint64_t size;

	if (!path)
		path = archive_entry_pathname_utf8(entry);
	if (!path) {
		reject(out, "corrupt zip: a member without a name");
		return false;
	}
	if (!member_name_is_safe(path)) {
		reject_quoting(out, "unsafe member name: ", path[0] ? path : "(empty)");
		return false;
	}
	if (archive_entry_size_is_set(entry)) {
		size = (uint64_t)archive_entry_size(entry);
		walk->declared = walk->declared > UINT64_MAX - size ? UINT64_MAX
								    : walk->declared + size;
	}

	base = path + strlen(path);
	while (base > path && base[-1] != '/' && base[-1] != '\\')
		base--;
	/* A link or folder named like a driver is not one. */
	if (archive_entry_filetype(entry) != AE_IFREG || !(pattern = match_member(base, version)))
		return true;
	if (!archive_entry_size_is_set(entry)) {
		reject_quoting(out, "corrupt zip: a driver declares no size: ", path);
		return false;
	}
	if (strlen(path) >= sizeof(member->path)) {
		reject(out, "long member name: %zu bytes, at most %zu", strlen(path),
		       sizeof(member->path) - 1);
		return false;
	}

	if (pattern->role == ROLE_HOST) {
		if (pattern->rank >= walk->host_rank)
			return true;
		walk->host_rank = pattern->rank;
		str_copy(out->host_version, sizeof(out->host_version), version);
		member = &out->host_package;
	} else {
		if (pattern->role == ROLE_LINUX_GUEST && pattern->rank < walk->linux_guest_rank) {
			walk->linux_guest_rank = pattern->rank;
			str_copy(out->linux_guest_version, sizeof(out->linux_guest_version),
				 version);
		} else if (pattern->role == ROLE_WINDOWS_GUEST && !out->windows_guest_version[0]) {
			str_copy(out->windows_guest_version, sizeof(out->windows_guest_version),
				 version);
		}
		if (out->n_guest_files == BUNDLE_GUEST_FILES_MAX) {
			reject(out, "too many guest files: more than %d", BUNDLE_GUEST_FILES_MAX);
			return false;
		}
		member = &out->guest_files[out->n_guest_files++];
	}
	str_copy(member->path, sizeof(member->path), path);
	member->size = (uint64_t)archive_entry_size(entry);
	return true;
}

static int inspect_zip(const struct source *src, struct bundle_info *out)
{
	_cleanup_archive_read_ struct archive *a = archive_read_new();
	struct zip_walk walk = { .host_rank = INT_MAX, .linux_guest_rank = INT_MAX };
	struct archive_entry *entry;
	uint64_t limit;
	int r;

	r = zip_check_layout(src, out);
	if (r < 0 || out->invalid[0])
		return r;
	if (!a)
		return -ENOMEM;
	/* The seeking reader only: the streaming one trusts local headers, which a zip
	 * modified after creation may have left stale. */
	archive_read_support_format_zip_seekable(a);
	if (src->data)
		r = archive_read_open_memory(a, src->data, (size_t)src->size);
	else
		r = archive_read_open_fd(a, src->fd, 64 * 1024);
	while (r == ARCHIVE_OK) {
		r = archive_read_next_header(a, &entry);
		/* WARN: a name not in this locale's charset, local and central sizes that
		 * differ; libarchive goes on, and so does the ISO writer reading it. */
		if (r == ARCHIVE_WARN)
			r = ARCHIVE_OK;
		if (r == ARCHIVE_OK && !zip_take_member(entry, &walk, out))
			return 0;
	}
	if (r != ARCHIVE_EOF) {
		reject_quoting(out, "corrupt zip: ", archive_error_string(a)
			       ? archive_error_string(a) : "unknown error");
		return 0;
	}

	limit = src->size > (UINT64_MAX - ZIP_BOMB_SLACK) / ZIP_BOMB_RATIO
		? UINT64_MAX : src->size * ZIP_BOMB_RATIO + ZIP_BOMB_SLACK;
	if (walk.declared > limit)
		reject(out, "zip bomb: members declare %" PRIu64 " bytes in an archive of %" PRIu64
		       " bytes", walk.declared, src->size);
	else if (!out->host_version[0])
		set_invalid(out, "no host driver in the bundle");
	return 0;
}

enum media_kind bundle_kind_of_name(const char *name)
{
	char version[BUNDLE_VERSION_MAX];

	if (has_extension(name, ".zip"))
		return MEDIA_DRIVER_BUNDLE;
	if (has_extension(name, ".iso"))
		return MEDIA_ISO;
	if (has_extension(name, ".tok"))
		return MEDIA_TOKEN;
	return lone_host_package(name, version) ? MEDIA_HOST_PACKAGE : MEDIA_OTHER;
}

static int inspect(const struct source *src, const char *name, struct bundle_info *out)
{
	out->kind = bundle_kind_of_name(name);
	if (out->kind == MEDIA_DRIVER_BUNDLE)
		return inspect_zip(src, out);
	if (out->kind == MEDIA_ISO)
		return inspect_iso(src, out);
	if (out->kind == MEDIA_HOST_PACKAGE) {
		/* Never invalid: its contents are the installer's business. */
		lone_host_package(name, out->host_version);
		str_copy(out->host_package.path, sizeof(out->host_package.path), name);
		out->host_package.size = src->size;
	}
	return 0;
}

bool bundle_info_equal(const struct bundle_info *a, const struct bundle_info *b)
{
	if (a->kind != b->kind || strcmp(a->invalid, b->invalid) ||
	    strcmp(a->host_version, b->host_version) ||
	    strcmp(a->linux_guest_version, b->linux_guest_version) ||
	    strcmp(a->windows_guest_version, b->windows_guest_version) ||
	    strcmp(a->host_package.path, b->host_package.path) ||
	    a->host_package.size != b->host_package.size || a->n_guest_files != b->n_guest_files)
		return false;
	for (size_t i = 0; i < a->n_guest_files; i++)
		if (strcmp(a->guest_files[i].path, b->guest_files[i].path) ||
		    a->guest_files[i].size != b->guest_files[i].size)
			return false;
	return true;
}

int bundle_inspect(const char *path, const char *name, struct bundle_info *out)
{
	_cleanup_close_ int fd = -1;
	struct source src = { .fd = -1 };
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	src.fd = fd;
	src.size = (uint64_t)st.st_size;
	r = inspect(&src, name ? name : path, out);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	return 0;
}

int bundle_inspect_memory(const void *data, size_t size, const char *name,
			  struct bundle_info *out)
{
	struct source src = { .data = data, .fd = -1, .size = size };
	int r;

	memset(out, 0, sizeof(*out));
	if (!src.data) {  /* nothing at all */
		src.data = (const unsigned char *)"";
		src.size = 0;
	}
	r = inspect(&src, name ? name : "", out);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	return 0;
}
