/* engine_media.c — the media store in the engine (media/, media-info/): what a media
 * file is used for (and so cannot change), and the API the tree uses for the files. The
 * files themselves are media.c's: a handle's data is read and written without the
 * engine lock, and only the steps that change the table (publish, rename, unlink) take
 * it. */
#include "engine_internal.h"
#include "crashpoint.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The uses of a media file by groups, "groups/G field" lines; returns how many. */
size_t media_uses(struct engine *e, const char *name, char *buf, size_t size)
{
	size_t n = 0, len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->groups.n; i++) {
		const struct group *g = &e->groups.items[i];
		const struct media_entry *b = g->driver[0] ?
			driver_bundle(e, g->driver, false) : NULL;
		const struct media_entry *gb = g->driver[0] && g->make_guest_iso ?
			driver_bundle(e, g->driver, true) : NULL;
		const char *uses[] = {
			(b && !strcmp(b->name, name)) || (gb && !strcmp(gb->name, name)) ?
				"driver" : NULL,
			!strcmp(g->driver_iso, name) ? "driver_iso" : NULL,
			!strcmp(g->client_token, name) ? "client_token" : NULL,
		};

		for (size_t u = 0; u < ARRAY_SIZE(uses); u++) {
			if (!uses[u])
				continue;
			n++;
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len, "groups/%s %s\n",
							g->name, uses[u]);
		}
	}
	return n;
}

/* Refuses a change to a file a group uses (the message names the group). */
static int refuse_if_used(struct engine *e, const char *name, const char *what)
{
	char uses[1024], *nl;

	if (media_name_is_staging(name) || !media_uses(e, name, uses, sizeof(uses)))
		return 0;
	nl = strchr(uses, '\n');
	if (nl)
		*nl = '\0';
	return refuse(e, -EBUSY, "cannot %s %s: %s uses it (change that first)", what, name,
		      uses);
}

int media_row_delete(struct engine *e, void *arg)
{
	return store_media_delete(&e->store, arg);
}

int media_row_save(struct engine *e, void *arg)
{
	return store_media_save(&e->store, arg);
}

struct stale_rows {
	const struct media_entry *rows;
	size_t n;
};

/* The rows as the start found the files: those removed while the daemon was down go,
 * and those read again are kept, so the next start need not read them. */
static int rewrite_rows(struct engine *e, void *arg)
{
	const struct stale_rows *st = arg;
	int r = 0;

	for (size_t i = 0; i < st->n && r >= 0; i++)
		r = store_media_delete(&e->store, st->rows[i].name);
	for (size_t i = 0; i < e->media.n && r >= 0; i++)
		r = store_media_save(&e->store, &e->media.items[i]);
	return r;
}

int media_open(struct engine *e, char *err, size_t err_size)
{
	struct media_entry *rows = NULL;
	char tmp[PATH_MAX];
	size_t n = 0;
	int r = store_media_load(&e->store, &rows, &n);

	if (r >= 0)
		r = media_store_open(&e->media, e->state_dir, rows, n, err, err_size);
	else
		snprintf(err, err_size, "loading media rows: %s", strerror(-r));
	if (r >= 0)
		r = commit_change(e, rewrite_rows, &(struct stale_rows){ rows, n });
	free(rows);
	/* libarchive stages an ISO's data under $TMPDIR: on the state's disk, not /tmp */
	if (r >= 0 && str_printf(tmp, sizeof(tmp), "%s/tmp", e->media.uploads) >= 0 &&
	    (mkdir(tmp, 0700) == 0 || errno == EEXIST))
		setenv("TMPDIR", tmp, 1);
	pthread_cond_init(&e->iso_cond, NULL);
	if (r >= 0)
		iso_settle(e);
	return r;
}

int media_start(struct engine *e)
{
	return iso_start(e);
}

void media_close(struct engine *e)
{
	iso_stop(e);
	media_store_close(&e->media);
}

struct listing {
	engine_name_fn fn;
	void *ctx;
	const char *dir;
};

static int list_one(const char *name, void *arg)
{
	struct listing *l = arg;
	char path[PATH_MAX];
	struct stat st;

	if (!media_name_ok(name) || str_printf(path, sizeof(path), "%s/%s", l->dir, name) < 0 ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return l->fn(name, l->ctx);
}

int engine_media_list(struct engine *e, engine_name_fn fn, void *ctx)
{
	struct listing l = { fn, ctx, e->media.dir };

	return dir_for_each(e->media.dir, list_one, &l);
}

static int apply_fstat(int fd, const void *arg)
{
	return fstat(fd, (struct stat *)arg) < 0 ? -errno : 0;
}

/* An upload in progress answers stat(2) by name, so the tool writing it can set its mode
 * and times (install, cp -p, sftp), but is neither listed nor opened by others. */
int engine_media_stat(struct engine *e, const char *name, struct stat *st)
{
	char path[PATH_MAX];

	if (!media_name_ok(name) || media_path(&e->media, name, path, sizeof(path)) < 0)
		return -ENOENT;
	if (lstat(path, st) < 0)
		return errno == ENOENT ? media_upload_apply(&e->media, name, apply_fstat, st) :
					 -errno;
	return S_ISREG(st->st_mode) ? 0 : -ENOENT;
}

int engine_media_open(struct engine *e, const char *name, int flags, bool create, mode_t mode,
		      uid_t uid, gid_t gid, struct media_handle **out)
{
	LOCK_ENGINE(e);
	bool writable = (flags & O_ACCMODE) != O_RDONLY;
	int r;

	engine_object(e, "media");
	if (!media_name_ok(name))
		return refuse(e, -EINVAL, "\"%s\" is not a media file name (1-255 bytes of "
			      "UTF-8, no '/', no control character)", name);
	engine_object(e, "media/%s", name);
	if (writable && (r = refuse_if_used(e, name, flags & O_TRUNC ? "overwrite" : "write")) < 0)
		return r;
	if (bundle_kind_of_name(name) == MEDIA_TOKEN)
		mode &= 0600; /* a licence token is a secret */
	return media_handle_open(&e->media, name, flags, create, mode, uid, gid, out);
}

/* A media file's row and entry after its bytes changed: the table follows the file. */
static int media_record(struct engine *e, struct media_entry *m)
{
	int r;

	m->generated = false;
	r = commit_change(e, media_row_save, m);
	if (r < 0)
		return r;
	return media_put(&e->media, m);
}

static void report_stored(struct engine *e, const struct media_entry *m)
{
	const struct media_entry *first = media_is_driver(m) ?
		driver_bundle(e, m->info.host_version, false) : NULL;

	events_add(&e->events, "media/%s stored: %s, %llu bytes%s%s", m->name,
		   media_kind_name(m->info.kind), (unsigned long long)m->size,
		   m->info.invalid[0] ? ", invalid: " : "", m->info.invalid);
	if (first && first != media_find(&e->media, m->name))
		events_add(&e->events, "drivers/%s: %s holds the same host driver as %s, which "
			   "is used (the lexically first)", m->info.host_version, m->name,
			   first->name);
	else if (first)
		for (size_t i = 0; i < e->media.n; i++)
			if (&e->media.items[i] != first && media_is_driver(&e->media.items[i]) &&
			    !strcmp(e->media.items[i].info.host_version, m->info.host_version))
				events_add(&e->events, "drivers/%s: %s holds the same host driver "
					   "as %s, which is used (the lexically first)",
					   m->info.host_version, e->media.items[i].name, m->name);
}

/* An upload whose writes failed (a full disk) after it was published leaves nothing. */
static void drop_failed_upload(struct engine *e, struct media_handle *h, int err)
{
	LOCK_ENGINE(e);
	const char *name = media_handle_name(h);
	char path[PATH_MAX];

	/* only the file this upload published: not a newer one of the same name */
	if (!media_find(&e->media, name) || !media_handle_is_at(&e->media, h, name) ||
	    media_path(&e->media, name, path, sizeof(path)) < 0)
		return;
	engine_object(e, "media/%s", name);
	if (commit_change(e, media_row_delete, (void *)name) < 0)
		return;
	unlink(path);
	media_drop(&e->media, name);
	events_add(&e->events, "media/%s removed: its upload failed (%s)", name,
		   strerror(-err));
}

/* The close of a writer: its data made durable without the lock, then published (an
 * upload) or recorded again (a file written in place). */
int engine_media_flush(struct engine *e, struct media_handle *h)
{
	struct media_entry m;
	int r;

	if (!media_handle_dirty(h) && !media_handle_unpublished(h))
		return 0;
	r = media_handle_finish(&e->media, h, &m);
	if (r < 0 && media_handle_failed_after_publish(h))
		drop_failed_upload(e, h, r);
	if (r < 0 || media_name_is_staging(m.name))
		return r;
	LOCK_ENGINE(e);
	engine_object(e, "media/%s", m.name);
	if (media_handle_unpublished(h) && (r = refuse_if_used(e, m.name, "replace")) < 0)
		return r;
	if (!media_handle_unpublished(h) && !media_handle_is_at(&e->media, h, m.name))
		return 0; /* written in place, but removed or replaced meanwhile: not recorded */
	r = commit_change(e, media_row_save, &m);
	crashpoint("media-row-committed");
	if (r >= 0 && media_handle_unpublished(h))
		r = media_handle_publish(&e->media, h, m.name);
	if (!media_handle_unpublished(h) && media_put(&e->media, &m) >= 0)
		report_stored(e, &m); /* published: recorded even if the directory sync failed */
	return r;
}

int engine_media_release(struct engine *e, struct media_handle *h)
{
	int r = engine_media_flush(e, h);

	media_handle_close(h);
	return r;
}

int engine_media_unlink(struct engine *e, const char *name)
{
	LOCK_ENGINE(e);
	char path[PATH_MAX];
	struct stat st;
	int r;

	if (engine_media_stat(e, name, &st) < 0 ||
	    media_path(&e->media, name, path, sizeof(path)) < 0)
		return -ENOENT;
	engine_object(e, "media/%s", name);
	if ((r = refuse_if_used(e, name, "remove")) < 0)
		return r;
	if (media_find(&e->media, name) && (r = commit_change(e, media_row_delete,
							      (void *)name)) < 0)
		return r;
	media_forget_digest(&e->media, path);
	if (unlink(path) < 0)
		return -errno;
	if (media_find(&e->media, name)) {
		media_drop(&e->media, name);
		events_add(&e->events, "media/%s removed", name);
	}
	return 0;
}

/* Whether the file at path still has the size and mtime it was examined with. */
static bool examined_still(const char *path, const struct media_entry *m)
{
	struct stat st;

	return lstat(path, &st) == 0 && (uint64_t)st.st_size == m->size &&
	       media_mtime_ns(&st) == m->mtime_ns;
}

/* Narrows a file's mode (at most mode's bits), never following a link. */
static void chmod_no_follow(const char *path, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0)
		fchmod(fd, st.st_mode & mode & 07777);
	close(fd);
}

static int truncate_no_follow(const char *path, off_t size)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 || ftruncate(fd, size) < 0 ? -errno : 0;
}

struct rename_rows {
	const char *from;
	const struct media_entry *to;  /* NULL when the new name is a staging one */
};

static int rename_row(struct engine *e, void *arg)
{
	const struct rename_rows *rr = arg;
	int r = store_media_delete(&e->store, rr->from);

	return r < 0 || !rr->to ? r : store_media_save(&e->store, rr->to);
}

int engine_media_rename(struct engine *e, const char *from, const char *to, unsigned flags)
{
	char from_path[PATH_MAX], to_path[PATH_MAX];
	struct media_entry m;
	struct stat st;
	bool publish = !media_name_is_staging(to);
	int r;

	if (engine_media_stat(e, from, &st) < 0)
		return -ENOENT;
	if (!media_name_ok(to)) {
		LOCK_ENGINE(e);
		engine_object(e, "media");
		return refuse(e, -EINVAL, "\"%s\" is not a media file name (1-255 bytes of "
			      "UTF-8, no '/', no control character)", to);
	}
	if ((flags & RENAME_NOREPLACE) && engine_media_stat(e, to, &st) == 0)
		return -EEXIST;
	media_path(&e->media, from, from_path, sizeof(from_path));
	media_path(&e->media, to, to_path, sizeof(to_path));
	if (publish && (r = media_examine(&e->media, to, from_path, &m)) < 0)
		return r;
	LOCK_ENGINE(e);
	engine_object(e, "media/%s", from);
	if (flags & RENAME_EXCHANGE)
		return refuse(e, -EINVAL, "exchanging media files is not supported");
	if ((r = refuse_if_used(e, from, "rename")) < 0 || (r = refuse_if_used(e, to, "replace")) < 0)
		return r;
	/* read without the lock: read again if the file changed meanwhile */
	if (publish && !examined_still(from_path, &m) &&
	    (r = media_examine(&e->media, to, from_path, &m)) < 0)
		return r;
	if (bundle_kind_of_name(to) == MEDIA_TOKEN)
		chmod_no_follow(from_path, 0600); /* a token must not become readable by all */
	if (rename(from_path, to_path) < 0)
		return -errno;
	/* the disk is the truth from here on; a start reads a row that missed again */
	r = commit_change(e, rename_row, &(struct rename_rows){ from, publish ? &m : NULL });
	media_drop(&e->media, from);
	if (publish && media_put(&e->media, &m) >= 0)
		report_stored(e, &m);
	if (!media_name_is_staging(from))
		events_add(&e->events, "media/%s renamed to %s", from, to);
	return r;
}

/* truncate(2) by name: a file in use cannot change; another is read again. */
int engine_media_truncate(struct engine *e, const char *name, off_t size)
{
	char path[PATH_MAX];
	struct media_entry m;
	struct stat st;
	int r;

	if (engine_media_stat(e, name, &st) < 0)
		return -ENOENT;
	media_path(&e->media, name, path, sizeof(path));
	{
		LOCK_ENGINE(e);
		engine_object(e, "media/%s", name);
		if ((r = refuse_if_used(e, name, "truncate")) < 0)
			return r;
		media_forget_digest(&e->media, path);
		r = truncate_no_follow(path, size);
		if (r < 0)
			return r;
	}
	if (media_name_is_staging(name) || (r = media_examine(&e->media, name, NULL, &m)) < 0)
		return 0;
	LOCK_ENGINE(e);
	return examined_still(path, &m) ? media_record(e, &m) : 0;
}

static int apply_chmod(int fd, const void *arg)
{
	return fchmod(fd, *(const mode_t *)arg) < 0 ? -errno : 0;
}

static int apply_chown(int fd, const void *arg)
{
	const uid_t *ids = arg; /* uid, gid */

	return fchown(fd, ids[0], (gid_t)ids[1]) < 0 ? -errno : 0;
}

static int apply_utimens(int fd, const void *arg)
{
	return futimens(fd, arg) < 0 ? -errno : 0;
}

/* Metadata by name: on the file, or on an upload of that name still being written. The
 * mtime is part of a published file's row (a start re-reads files whose mtime moved). */
static int media_set_meta(struct engine *e, const char *name,
			  int (*fn)(int fd, const void *arg), const void *arg)
{
	LOCK_ENGINE(e);
	char path[PATH_MAX];
	struct media_entry *m = media_find(&e->media, name);
	struct stat st;
	int r, fd;

	if (!media_name_ok(name) || media_path(&e->media, name, path, sizeof(path)) < 0)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? media_upload_apply(&e->media, name, fn, arg) : -errno;
	r = fn(fd, arg);
	if (r >= 0 && m && fstat(fd, &st) == 0 && m->mtime_ns != media_mtime_ns(&st)) {
		m->mtime_ns = media_mtime_ns(&st);
		engine_object(e, "media/%s", name);
		r = commit_change(e, media_row_save, m);
	}
	close(fd);
	return r;
}

int engine_media_chmod(struct engine *e, const char *name, mode_t mode)
{
	if (bundle_kind_of_name(name) == MEDIA_TOKEN)
		mode &= ~(mode_t)077;
	mode &= 07777;
	return media_set_meta(e, name, apply_chmod, &mode);
}

int engine_media_chown(struct engine *e, const char *name, uid_t uid, gid_t gid)
{
	uid_t ids[2] = { uid, (uid_t)gid };

	return media_set_meta(e, name, apply_chown, ids);
}

int engine_media_utimens(struct engine *e, const char *name, const struct timespec tv[2])
{
	return media_set_meta(e, name, apply_utimens, tv);
}

int engine_for_each_media(struct engine *e, engine_name_fn fn, void *ctx)
{
	LOCK_ENGINE(e);
	for (size_t i = 0; i < e->media.n; i++) {
		int r = fn(e->media.items[i].name, ctx);

		if (r < 0)
			return r;
	}
	return 0;
}

int engine_media_info(struct engine *e, const char *name, const char *field, char *buf,
		      size_t size)
{
	LOCK_ENGINE(e);
	const struct media_entry *m = media_find(&e->media, name);

	if (!m)
		return -ENOENT;
	if (!strcmp(field, "size"))
		return str_printf(buf, size, "%llu", (unsigned long long)m->size);
	if (!strcmp(field, "sha256"))
		return str_copy(buf, size, m->sha256);
	if (!strcmp(field, "kind"))
		return str_copy(buf, size, media_kind_name(m->info.kind));
	if (!strcmp(field, "state"))
		return m->info.invalid[0] ? str_printf(buf, size, "invalid: %s", m->info.invalid) :
					    str_copy(buf, size, "ok");
	if (!strcmp(field, "used_by"))
		return media_uses(e, name, buf, size), 0;
	if (!strcmp(field, "error")) {
		engine_object(e, "media/%s", name);
		return str_copy(buf, size, events_error(&e->events, e->object));
	}
	return -ENOENT;
}
